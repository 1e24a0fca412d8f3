"""Blank spots: places where villagers have no signal or no internet, for the office's talks
with the network operators.

A report is a place, an operator and a problem. The place is a point (a shared location),
an area (kecamatan, optionally desa), or both. There are no kecamatan boundaries in the
area data, so a point is never placed in a kecamatan by computation: the point is stored as
sent and the person is asked for the kecamatan, which they may skip. The per-kecamatan
summary counts a point without a kecamatan on a line of its own; the GeoJSON export holds
every report with a point, the CSV every report.

While a person answers, the report so far (`Draft`) travels in the buttons' data (the flow,
`handlers.blankspots`, declares it), so a half-finished report survives a restart and nothing
is stored before the last answer. The
message holding the buttons names the report: pressing the last button twice, or a
forged replay of it, records one report (`record` is idempotent per person and message).

Exports name no one: the reporter's id stays in the database for staff and is blanked by
`/hapusdata` (bot.privacy), while the place stays.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from bot import regions
from bot.clock import isoformat
from bot.exports import Cell, csv_bytes
from bot.quota import HourlyQuota
from bot.regions import Kecamatan
from bot.storage import Database, Row, from_row
from bot.texts import blankspot as texts

TICKET_PREFIX = "BS"
COORDINATE_DECIMALS = 5  # about one metre: as exact as a phone's fix, short enough for a button
QUOTA = HourlyQuota("blankspots")  # BLANKSPOTS_PER_HOUR, counted like hoax reports


class Operator(StrEnum):
    TELKOMSEL = "telkomsel"
    INDOSAT = "indosat"
    XL = "xl"
    TRI = "tri"
    SMARTFREN = "smartfren"
    LAINNYA = "lainnya"


class Problem(StrEnum):
    NO_SIGNAL = "no_signal"
    WEAK_SIGNAL = "weak_signal"
    NO_INTERNET = "no_internet"


@dataclass(frozen=True)
class Draft:
    """The answers so far (the flow's buttons carry them, `handlers.blankspots`)."""

    latitude: float | None = None
    longitude: float | None = None
    kecamatan_code: str | None = None
    desa_code: str | None = None
    operator: Operator | None = None
    problem: Problem | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def complete(self) -> bool:
        placed = self.located or self.kecamatan_code is not None
        return placed and self.operator is not None and self.problem is not None

    def but(self, **changes: Any) -> Draft:
        return replace(self, **changes)


def located_at(latitude: float, longitude: float) -> Draft | None:
    """A new draft at a shared point; None for coordinates that cannot be on Earth."""
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    return Draft(round(latitude, COORDINATE_DECIMALS), round(longitude, COORDINATE_DECIMALS))


async def known_area(db: Database, draft: Draft) -> bool:
    """The draft's kecamatan exists, and its desa (if any) lies in that kecamatan."""
    if draft.kecamatan_code is None:
        return draft.desa_code is None
    if await regions.get_kecamatan(db, draft.kecamatan_code) is None:
        return False
    if draft.desa_code is None:
        return True
    desa = await regions.get_desa(db, draft.desa_code)
    return desa is not None and desa.kecamatan_code == draft.kecamatan_code


# --- storage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """One blank-spot report as staff and exports see it (never with the reporter)."""

    id: int
    latitude: float | None
    longitude: float | None
    kecamatan_code: str | None
    kecamatan: str | None  # display name
    desa_code: str | None
    desa: str | None  # display name
    operator: Operator
    problem: Problem
    created_at: str

    @property
    def ticket(self) -> str:
        return ticket(self.id, self.created_at)

    @property
    def day(self) -> date:
        """The day in the regency's time zone (timestamps are stored in it)."""
        return datetime.fromisoformat(self.created_at).date()

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def ticket(report_id: int, created_at: str) -> str:
    """BS-2026-000042: the year of the report and its number."""
    return f"{TICKET_PREFIX}-{created_at[:4]}-{report_id:06d}"


class IncompleteReport(ValueError):
    """A draft without a place, operator or problem, or with an unknown area."""


async def record(
    db: Database,
    draft: Draft,
    *,
    reporter_id: int,
    flow_message_id: int,
    now: datetime,
    per_hour: int | None = None,
) -> Report | None:
    """Store a finished report; the same person and flow message give the same report.
    None when the person already filed `per_hour` other reports in the last hour."""
    if not draft.complete or not await known_area(db, draft):
        raise IncompleteReport(draft)
    assert draft.operator is not None and draft.problem is not None  # `complete` says so
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT 1 FROM blankspots WHERE reporter_id = ? AND flow_message_id = ?",
            (reporter_id, flow_message_id),
        ) as cursor:
            again = await cursor.fetchone() is not None
        if (
            per_hour is not None
            and not again
            and await QUOTA.used_in(conn, reporter_id, now) >= per_hour
        ):
            return None
        await conn.execute(
            "INSERT INTO blankspots(reporter_id, flow_message_id, latitude, longitude,"
            " kecamatan_code, desa_code, operator, problem, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(reporter_id, flow_message_id) DO NOTHING",
            (reporter_id, flow_message_id, *astuple(draft), isoformat(now)),  # Draft's order
        )
        async with conn.execute(
            "SELECT id FROM blankspots WHERE reporter_id = ? AND flow_message_id = ?",
            (reporter_id, flow_message_id),
        ) as cursor:
            row = await cursor.fetchone()
    assert row is not None  # inserted above, or there already
    found = await _select(db, "b.id = ?", (int(row[0]),))
    return found[0]


_SELECT = """
SELECT b.id, b.latitude, b.longitude, b.kecamatan_code, k.name AS kecamatan_name,
       b.desa_code, d.name AS desa_name, b.operator, b.problem, b.created_at
  FROM blankspots b
  LEFT JOIN kecamatan k ON k.code = b.kecamatan_code
  LEFT JOIN desa d ON d.code = b.desa_code
"""


def _report(row: Row) -> Report:
    kecamatan, desa = row["kecamatan_name"], row["desa_name"]
    return from_row(
        Report,
        row,
        kecamatan=None if kecamatan is None else regions.display_name(kecamatan),
        desa=None if desa is None else regions.display_name(desa),
        operator=Operator(row["operator"]),
        problem=Problem(row["problem"]),
    )


async def _select(db: Database, where: str, params: Sequence[Any] = ()) -> list[Report]:
    rows = await db.fetchall(f"{_SELECT} WHERE {where}", params)
    return [_report(row) for row in rows]


async def all_reports(db: Database) -> list[Report]:
    """Every report, oldest first."""
    return await _select(db, "1 ORDER BY b.id")


# --- summary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaSummary:
    """The reports of one kecamatan (`kecamatan` None: points without a kecamatan)."""

    kecamatan: Kecamatan | None
    total: int
    by_operator: tuple[tuple[Operator, int], ...]  # most reported first
    by_problem: tuple[tuple[Problem, int], ...]


@dataclass(frozen=True)
class Summary:
    areas: tuple[AreaSummary, ...]  # most reports first; points without a kecamatan last
    total: int
    located: int


_Kind = TypeVar("_Kind", Operator, Problem)


def _ranked(counts: Counter[_Kind], order: type[_Kind]) -> tuple[tuple[_Kind, int], ...]:
    position = {member: index for index, member in enumerate(order)}
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], position[item[0]])))


def summarize(reports: Sequence[Report]) -> Summary:
    """Counts per kecamatan, by operator and by problem."""
    groups: dict[str | None, list[Report]] = {}
    for report in reports:
        groups.setdefault(report.kecamatan_code, []).append(report)
    areas = []
    for code, members in groups.items():
        first = members[0]
        kecamatan = None
        if code is not None and first.kecamatan is not None:
            kecamatan = Kecamatan(code, first.kecamatan)
        areas.append(
            AreaSummary(
                kecamatan,
                len(members),
                _ranked(Counter(r.operator for r in members), Operator),
                _ranked(Counter(r.problem for r in members), Problem),
            )
        )
    areas.sort(
        key=lambda a: (a.kecamatan is None, -a.total, a.kecamatan.code if a.kecamatan else "")
    )
    return Summary(tuple(areas), len(reports), sum(1 for r in reports if r.located))


def summary_rows(
    summary: Summary,
) -> list[tuple[str, int, list[tuple[str, int]], list[tuple[str, int]]]]:
    """The summary as plain rows for the text catalog."""
    return [
        (
            texts.NO_KECAMATAN if area.kecamatan is None else area.kecamatan.display,
            area.total,
            [(op.value, n) for op, n in area.by_operator],
            [(problem.value, n) for problem, n in area.by_problem],
        )
        for area in summary.areas
    ]


# --- exports ---------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "ticket",
    "date",
    "kecamatan_code",
    "kecamatan",
    "desa_code",
    "desa",
    "latitude",
    "longitude",
    "operator",
    "problem",
)


def _properties(report: Report) -> dict[str, Any]:
    return {
        "ticket": report.ticket,
        "kecamatan": report.kecamatan,
        "desa": report.desa,
        "operator": texts.OPERATOR_LABELS[report.operator.value],
        "problem": texts.PROBLEM_LABELS[report.problem.value],
        "date": report.day.isoformat(),
    }


def render_csv(reports: Sequence[Report]) -> bytes:
    """Every report, one row each; UTF-8 with a byte-order mark so spreadsheets read it right.

    Coordinates are numbers (`Decimal`, to keep the fixed decimals), so they stay numbers.
    """
    rows: list[list[Cell]] = []
    for report in reports:
        properties = _properties(report)
        rows.append(
            [
                properties["ticket"],
                properties["date"],
                report.kecamatan_code or "",
                report.kecamatan or "",
                report.desa_code or "",
                report.desa or "",
                _coordinate(report.latitude),
                _coordinate(report.longitude),
                properties["operator"],
                properties["problem"],
            ]
        )
    return csv_bytes(EXPORT_COLUMNS, rows, bom=True)


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.{COORDINATE_DECIMALS}f}")


def geojson(reports: Sequence[Report]) -> dict[str, Any]:
    """RFC 7946 FeatureCollection: one Point per report that has one ([longitude, latitude])."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.longitude, r.latitude]},
                "properties": _properties(r),
            }
            for r in reports
            if r.latitude is not None and r.longitude is not None
        ],
    }


def render_geojson(reports: Sequence[Report]) -> bytes:
    return json.dumps(geojson(reports), ensure_ascii=False, indent=1).encode("utf-8")
