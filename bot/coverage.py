"""KIM coverage per kecamatan and desa: numbers, chart, spreadsheet.

A desa counts as covered when it has at least one approved KIM registration; pending,
rejected and ended registrations, Forum KIM and channels do not count, and two KIM in one
desa count once. Whether the group is still active does not change the count (the KIM
exists; the office follows up on the group), but it is shown next to each KIM.

Subscribers of a desa are the villagers subscribed to exactly that desa who can still be
reached (`people.reachable`): people who blocked the bot are no audience any more.

`compute` reads the database; everything else is a pure function of its result, so the
chat, the command line and the tests render the very same numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import regions
from bot.exports import append_row
from bot.regions import Desa, Kecamatan
from bot.storage import Database
from bot.texts import cakupan as texts

# A phone shows about 32 monospace characters per line; the table is laid out to fit that.
NAME_WIDTH = 13


@dataclass(frozen=True)
class KimGroup:
    name: str
    chat_id: int
    status: str  # chats.status: active, inactive, unreachable


@dataclass(frozen=True)
class DesaCoverage:
    desa: Desa
    kim: tuple[KimGroup, ...]
    subscribers: int

    @property
    def has_kim(self) -> bool:
        return bool(self.kim)


def share_of(part: int, whole: int) -> float:
    """Percentage, 0 for an empty whole."""
    return 100.0 * part / whole if whole else 0.0


@dataclass(frozen=True)
class KecamatanCoverage:
    kecamatan: Kecamatan
    desa: tuple[DesaCoverage, ...]

    @property
    def desa_total(self) -> int:
        return len(self.desa)

    @property
    def desa_with_kim(self) -> int:
        return sum(1 for d in self.desa if d.has_kim)

    @property
    def percent(self) -> float:
        return share_of(self.desa_with_kim, self.desa_total)

    @property
    def without_kim(self) -> tuple[DesaCoverage, ...]:
        return tuple(d for d in self.desa if not d.has_kim)


@dataclass(frozen=True)
class Coverage:
    region_code: str
    regency_name: str
    kecamatan: tuple[KecamatanCoverage, ...]  # in code order

    @property
    def desa(self) -> tuple[DesaCoverage, ...]:
        return tuple(d for k in self.kecamatan for d in k.desa)

    @property
    def desa_total(self) -> int:
        return sum(k.desa_total for k in self.kecamatan)

    @property
    def desa_with_kim(self) -> int:
        return sum(k.desa_with_kim for k in self.kecamatan)

    @property
    def percent(self) -> float:
        return share_of(self.desa_with_kim, self.desa_total)

    @property
    def kim_not_active(self) -> int:
        """Approved KIM whose group the bot has left or cannot reach."""
        return sum(1 for d in self.desa for g in d.kim if g.status != "active")

    def find(self, kecamatan_code: str) -> KecamatanCoverage | None:
        return next((k for k in self.kecamatan if k.kecamatan.code == kecamatan_code), None)


# --- computation -----------------------------------------------------------------------


async def compute(db: Database, *, region_code: str, regency_name: str) -> Coverage:
    """Coverage of every kecamatan and desa in the database (one regency per database)."""
    kim: dict[str, list[KimGroup]] = {}
    for row in await db.fetchall(
        "SELECT r.desa_code, r.name, r.chat_id, c.title, COALESCE(c.status, 'active') AS status"
        " FROM registrations r LEFT JOIN chats c ON c.chat_id = r.chat_id"
        " WHERE r.kind = 'kim' AND r.status = 'approved' AND r.desa_code IS NOT NULL"
        " ORDER BY r.id"
    ):
        name = row["name"] or row["title"] or ""
        kim.setdefault(row["desa_code"], []).append(
            KimGroup(name, int(row["chat_id"]), row["status"])
        )
    subscribers = {
        row["area_code"]: int(row["n"])
        for row in await db.fetchall(
            "SELECT s.area_code, COUNT(*) AS n FROM subscriptions s"
            " JOIN people p ON p.user_id = s.user_id"
            " WHERE s.scope = 'desa' AND p.reachable = 1 GROUP BY s.area_code"
        )
    }
    by_kecamatan: dict[str, list[DesaCoverage]] = {}
    for row in await db.fetchall(
        "SELECT code, kecamatan_code, name, is_kelurahan FROM desa ORDER BY code"
    ):
        desa = Desa(row["code"], row["kecamatan_code"], row["name"], bool(row["is_kelurahan"]))
        by_kecamatan.setdefault(desa.kecamatan_code, []).append(
            DesaCoverage(desa, tuple(kim.get(desa.code, ())), subscribers.get(desa.code, 0))
        )
    kecamatan = await regions.all_kecamatan(db)
    found = tuple(KecamatanCoverage(k, tuple(by_kecamatan.get(k.code, ()))) for k in kecamatan)
    return Coverage(region_code, regency_name, found)


# --- rendering -------------------------------------------------------------------------


def short_name(name: str, width: int = NAME_WIDTH) -> str:
    """Cut a long name to `width` characters, marking the cut."""
    return name if len(name) <= width else name[: width - 1].rstrip() + texts.SHORTENED


def total_line(coverage: Coverage) -> str:
    """112 dari 365 desa (30,7%)"""
    return texts.share(coverage.desa_with_kim, coverage.desa_total, coverage.percent)


def render_table(coverage: Coverage) -> str:
    """A monospace table, one line per kecamatan in code order, the regency's total last."""

    def line(name: str, area: KecamatanCoverage | Coverage) -> str:
        count = f"{area.desa_with_kim}/{area.desa_total}"
        return f"{short_name(name):<{NAME_WIDTH}} {count:>8} {texts.percent(area.percent):>5}"

    header = (
        f"{texts.TABLE_KECAMATAN:<{NAME_WIDTH}} {texts.TABLE_COUNT:>8} {texts.TABLE_PERCENT:>5}"
    )
    rule = "-" * len(header)
    kecamatan = [line(k.kecamatan.display, k) for k in coverage.kecamatan]
    return "\n".join([header, rule, *kecamatan, rule, line(texts.TABLE_TOTAL, coverage)])


def as_json(coverage: Coverage, day: date) -> dict[str, Any]:
    """Machine-readable coverage; percentages rounded to one decimal like everywhere else."""
    return {
        "region_code": coverage.region_code,
        "regency": coverage.regency_name,
        "date": day.isoformat(),
        "kecamatan": [
            {
                "code": k.kecamatan.code,
                "name": k.kecamatan.display,
                "desa_total": k.desa_total,
                "desa_with_kim": k.desa_with_kim,
                "percent": round(k.percent, 1),
            }
            for k in coverage.kecamatan
        ],
        "total": {
            "desa_total": coverage.desa_total,
            "desa_with_kim": coverage.desa_with_kim,
            "percent": round(coverage.percent, 1),
        },
    }


def render_chart(coverage: Coverage, day: date) -> bytes:
    """A PNG bar chart, best-covered kecamatan on top, with the regency's level as a line.

    CPU-bound for a few hundred milliseconds: call it through `asyncio.to_thread` from the
    bot. It uses a Figure with the Agg canvas directly, never pyplot, so no global state is
    shared between threads.
    """
    # Imported here: matplotlib is heavy and only needed when a chart is asked for.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    # barh draws bottom-up, so the list runs from the lowest to the highest coverage.
    rows = sorted(coverage.kecamatan, key=lambda k: (-k.percent, k.kecamatan.code))[::-1]
    figure = Figure(figsize=(8, 1.8 + 0.34 * max(len(rows), 1)), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(rows))
    values = [k.percent for k in rows]
    axes.barh(positions, values, color="#2b7bba", height=0.7)
    axes.set_yticks(list(positions), [short_name(k.kecamatan.display, 16) for k in rows])
    for position, k in zip(positions, rows, strict=True):
        axes.text(
            k.percent + 1,
            position,
            texts.chart_bar_label(k.desa_with_kim, k.desa_total, k.percent),
            va="center",
            fontsize=8,
            # a light backing keeps the label readable where the regency line crosses it
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            zorder=3,
        )
    axes.axvline(
        coverage.percent,
        color="#d62728",
        linestyle="--",
        linewidth=1.5,
        zorder=2,
        label=texts.chart_total_label(coverage.percent),
    )
    axes.set_xlim(0, 118)  # room for the labels right of a full bar
    axes.set_xticks(range(0, 101, 20))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}%"))
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlabel(texts.CHART_AXIS)
    axes.set_title(texts.chart_title(coverage.regency_name, day), fontsize=11)
    axes.legend(loc="lower right", fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", alpha=0.3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_xlsx(coverage: Coverage, day: date) -> bytes:
    """A workbook with a summary sheet per kecamatan and one row per desa."""
    # Imported here for the same reason as matplotlib above; openpyxl ships no type hints.
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook()
    workbook.properties.title = texts.sheet_note(coverage.regency_name, day)
    _summary_sheet(workbook.active, coverage, day)
    _desa_sheet(workbook.create_sheet(texts.SHEET_DESA), coverage)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold() -> Any:
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    return Font(bold=True)


def _finish(sheet: Any, widths: tuple[int, ...]) -> None:
    """Bold, frozen header row and readable column widths."""
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    for cell in sheet[1]:
        cell.font = _bold()
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _summary_sheet(summary: Any, coverage: Coverage, day: date) -> None:
    """One row per kecamatan, the regency's total in bold, the date of the figures."""
    summary.title = texts.SHEET_SUMMARY
    append_row(summary, texts.SUMMARY_HEADERS)
    for k in coverage.kecamatan:
        append_row(summary, _figures(k.kecamatan.code, k.kecamatan.display, k))
    append_row(summary, _figures(coverage.region_code, coverage.regency_name, coverage))
    for cell in summary[summary.max_row]:
        cell.font = _bold()
    summary.append([])
    append_row(summary, [texts.sheet_note(coverage.regency_name, day)])
    for (cell,) in summary.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = "0.0%"
    _finish(summary, (12, 20, 12, 13, 14, 9))


def _figures(code: str, name: str, area: KecamatanCoverage | Coverage) -> list[Any]:
    """A summary row: the area, its desa with and without KIM, the share covered."""
    missing = area.desa_total - area.desa_with_kim
    return [code, name, area.desa_total, area.desa_with_kim, missing, area.percent / 100]


def _desa_sheet(sheet: Any, coverage: Coverage) -> None:
    """One row per desa: its KIM groups, their status and the desa's subscribers."""
    append_row(sheet, texts.DESA_HEADERS)
    for k in coverage.kecamatan:
        for d in k.desa:
            append_row(
                sheet,
                [
                    k.kecamatan.display,
                    d.desa.display,
                    d.desa.code,
                    texts.KIND_KELURAHAN if d.desa.is_kelurahan else texts.KIND_DESA,
                    texts.YES if d.has_kim else texts.NO,
                    "; ".join(g.name for g in d.kim) or None,
                    "; ".join(texts.group_status(g.status) for g in d.kim) or None,
                    d.subscribers,
                ],
            )
    sheet.auto_filter.ref = sheet.dimensions
    _finish(sheet, (16, 24, 16, 11, 11, 30, 16, 11))


def export_filename(coverage: Coverage, day: date) -> str:
    """cakupan-kim-35.14-2026-11-28.xlsx"""
    return texts.export_filename(coverage.region_code, day)
