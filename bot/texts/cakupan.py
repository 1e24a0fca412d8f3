"""Texts of KIM coverage (/cakupan): the message, chart labels and spreadsheet headings.

Numbers follow Indonesian writing: a decimal comma ("30,7%") and a dot between thousands.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.texts import day_month_year, esc

# chats.status as the office says it
GROUP_STATUS: dict[str, str] = {
    "active": "aktif",
    "inactive": "tidak aktif",
    "unreachable": "tidak terjangkau",
}
long_date = day_month_year  # "28 November 2026"


def number(value: int) -> str:
    """1.234"""
    return f"{value:,}".replace(",", ".")


def percent(value: float) -> str:
    """30,7 (one decimal, decimal comma, no sign)."""
    return f"{value:.1f}".replace(".", ",")


def share(with_kim: int, total: int, value: float) -> str:
    """112 dari 365 desa (30,7%)"""
    return f"{number(with_kim)} dari {number(total)} desa ({percent(value)}%)"


def group_status(status: str) -> str:
    return GROUP_STATUS.get(status, status)


# --- the /cakupan message --------------------------------------------------------------

TABLE_KECAMATAN = "Kecamatan"
TABLE_COUNT = "KIM/Desa"
TABLE_PERCENT = "%"
TABLE_TOTAL = "Kabupaten"
SHORTENED = "…"


def summary(regency: str, day: date, table: str, total: str, not_active: int) -> str:
    """The table (already laid out in monospace) with its heading and the regency total."""
    lines = [
        f"<b>Cakupan KIM — {esc(regency)}</b>",
        f"per {long_date(day)}",
        "",
        f"<pre>{esc(table)}</pre>",
        f"Total: <b>{esc(total)}</b> sudah punya KIM.",
    ]
    if not_active:
        lines.append(
            f"⚠️ {number(not_active)} grup KIM sedang tidak aktif atau tidak terjangkau bot "
            "(rinciannya di Excel)."
        )
    lines += ["", "Pilih tampilan lain di bawah:"]
    return "\n".join(lines)


CHART_BUTTON = "📊 Grafik"
EXCEL_BUTTON = "📄 Excel"
GAPS_BUTTON = "🏚 Desa tanpa KIM"
BACK_TO_SUMMARY = "« Ringkasan"
OTHER_KECAMATAN = "« Kecamatan lain"
PREPARING = "Sedang disiapkan…"


def chart_caption(regency: str, day: date, total: str) -> str:
    return f"📊 Cakupan KIM {esc(regency)} per {long_date(day)}: {esc(total)}."


def excel_caption(regency: str, day: date) -> str:
    return (
        f"📄 Cakupan KIM {esc(regency)} per {long_date(day)}: satu baris per desa "
        "(nama KIM, status grup, jumlah pelanggan) dan ringkasan per kecamatan."
    )


# --- desa without a KIM ----------------------------------------------------------------

PICK_KECAMATAN = (
    "<b>Desa tanpa KIM</b>\nPilih kecamatan. Angka di tombol = jumlah desa yang belum punya KIM."
)


def kecamatan_button(name: str, without_kim: int) -> str:
    return f"{name} · {without_kim}" if without_kim else f"{name} ✅"


def desa_without_kim(kecamatan: str, total: int, missing: Iterable[tuple[str, bool, int]]) -> str:
    """`missing` holds (name, is_kelurahan, subscribers) of each desa without a KIM."""
    items = list(missing)
    if not items:
        return f"<b>Kecamatan {esc(kecamatan)}</b>\n🎉 Semua {number(total)} desa sudah punya KIM."
    rows = []
    for name, is_kelurahan, subscribers in items:
        label = f"Kel. {name}" if is_kelurahan else name
        note = f" — {number(subscribers)} pelanggan" if subscribers else ""
        rows.append(f"• {esc(label)}{note}")
    return (
        f"<b>Kecamatan {esc(kecamatan)}</b>\n"
        f"{number(len(items))} dari {number(total)} desa belum punya KIM:\n"
        + "\n".join(rows)
        + "\n\n<i>Pelanggan = warga yang berlangganan info desa itu lewat bot; "
        "mereka bisa jadi calon anggota KIM.</i>"
    )


# --- chart -----------------------------------------------------------------------------


def chart_title(regency: str, day: date) -> str:
    return f"Cakupan KIM per kecamatan — {regency}\nper {long_date(day)}"


CHART_AXIS = "Desa yang punya KIM (%)"


def chart_bar_label(with_kim: int, total: int, value: float) -> str:
    return f"{percent(value)}% ({with_kim}/{total})"


def chart_total_label(value: float) -> str:
    return f"Kabupaten {percent(value)}%"


# --- spreadsheet -----------------------------------------------------------------------

SHEET_SUMMARY = "Ringkasan"
SHEET_DESA = "Desa"
SUMMARY_HEADERS = ("Kode", "Kecamatan", "Jumlah desa", "Desa ber-KIM", "Belum ber-KIM", "Persen")
DESA_HEADERS = (
    "Kecamatan",
    "Desa/Kelurahan",
    "Kode",
    "Jenis",
    "Punya KIM",
    "Nama KIM",
    "Status grup",
    "Pelanggan",
)
KIND_DESA = "Desa"
KIND_KELURAHAN = "Kelurahan"
YES = "Ya"
NO = "Tidak"


def sheet_note(regency: str, day: date) -> str:
    return f"Cakupan KIM {regency} per {long_date(day)}"


def export_filename(region_code: str, day: date) -> str:
    return f"cakupan-kim-{region_code}-{day.isoformat()}.xlsx"


# --- command line ----------------------------------------------------------------------


def cli_total(total: str) -> str:
    return f"Total: {total} sudah punya KIM."


def cli_written(path: str) -> str:
    return f"Berkas tersimpan / written: {path}"


def cli_not_written(path: str, reason: str) -> str:
    return f"Berkas tidak bisa ditulis / cannot write {path}: {reason}"
