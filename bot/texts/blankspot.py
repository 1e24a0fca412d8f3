"""Texts of blank-spot reports: /blankspot for villagers, /sinyal and `kim-bot sinyal` for staff."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.texts import esc

OPERATOR_LABELS: dict[str, str] = {
    "telkomsel": "Telkomsel",
    "indosat": "Indosat",
    "xl": "XL",
    "tri": "Tri",
    "smartfren": "Smartfren",
    "lainnya": "Lainnya",
}

PROBLEM_LABELS: dict[str, str] = {
    "no_signal": "tidak ada sinyal",
    "weak_signal": "sinyal lemah",
    "no_internet": "internet tidak bisa",
}

# --- the villager's report ------------------------------------------------------------

START = (
    "📶 <b>Lapor blank spot</b>\n"
    "Di mana sinyal atau internet bermasalah?\n\n"
    "📍 Paling tepat: tekan tombol <b>Kirim lokasi saya</b> di bawah layar saat Anda "
    "berada di tempat itu."
)
LOCATION_BUTTON = "📍 Kirim lokasi saya"
PICK_KECAMATAN = "🗺 Atau pilih kecamatannya:"
LOCATION_RECEIVED = "📍 Lokasi diterima."
PICK_KECAMATAN_FOR_POINT = (
    "Titik lokasi Anda sudah tersimpan. Di kecamatan mana titik ini? "
    "Bila tidak tahu, tekan <b>Lewati</b>."
)
SKIP = "Lewati ⏭"
DESA_UNKNOWN = "Tidak tahu desanya ⏭"
PAGES = ("« Sebelumnya", "Berikutnya »")  # to the previous and the next page
BACK = "« Kecamatan lain"
CANCEL = "❌ Batal"
CANCELLED = "Baik, laporan blank spot dibatalkan."
PRIVATE_ONLY = (
    "Laporan blank spot dibuat di chat pribadi dengan bot: buka bot lalu ketik /blankspot."
)


def rate_limited(per_hour: int) -> str:
    return (
        f"Maaf, Anda sudah mengirim {per_hour} laporan blank spot dalam satu jam terakhir. "
        "Silakan kirim lagi nanti. Terima kasih! 🙏"
    )


def pick_desa(kecamatan: str, page: int, pages: int) -> str:
    more = f" (halaman {page + 1}/{pages})" if pages > 1 else ""
    return f"Kecamatan <b>{esc(kecamatan)}</b>: pilih desanya{more}."


def where(kecamatan: str | None, desa: str | None, located: bool) -> str:
    """One line naming the place of the report as far as it is known."""
    parts = []
    if desa:
        parts.append(f"Desa {esc(desa)}")
    if kecamatan:
        parts.append(f"Kec. {esc(kecamatan)}")
    place = ", ".join(parts)
    if located:
        return f"📍 Titik lokasi tersimpan{' · ' + place if place else ''}"
    return f"🗺 {place}"


def pick_operator(place: str) -> str:
    return f"{place}\n\nKartu/operator seluler apa yang Anda pakai di sana?"


def pick_problem(place: str, operator: str) -> str:
    return f"{place}\n📡 {esc(OPERATOR_LABELS[operator])}\n\nApa masalahnya?"


def ticket(number: str, place: str, operator: str, problem: str) -> str:
    return (
        "✅ <b>Terima kasih!</b> Laporan blank spot Anda tercatat.\n"
        f"Nomor tiket: <code>{esc(number)}</code>\n\n"
        f"{place}\n"
        f"📡 {esc(OPERATOR_LABELS[operator])} · {esc(PROBLEM_LABELS[problem])}\n\n"
        "<i>Diskominfo memetakan laporan ini dan membahasnya dengan operator seluler. "
        "Nama Anda tidak ikut dibagikan.</i>"
    )


# --- the staff summary ------------------------------------------------------------------

NO_REPORTS = "📶 Belum ada laporan blank spot."
NO_KECAMATAN = "Tanpa kecamatan (hanya titik)"
CSV_BUTTON = "📄 CSV"
GEOJSON_BUTTON = "🗺 GeoJSON"
PREPARING = "Sedang disiapkan…"


def _counts(counts: Iterable[tuple[str, int]], labels: dict[str, str]) -> str:
    return " · ".join(f"{esc(labels[key])} {n}" for key, n in counts)


def summary(
    regency: str,
    total: int,
    located: int,
    rows: Iterable[tuple[str, int, list[tuple[str, int]], list[tuple[str, int]]]],
) -> str:
    """`rows`: (kecamatan name, reports, counts by operator, counts by problem)."""
    lines = [
        f"📶 <b>Laporan blank spot — {esc(regency)}</b>",
        f"{total} laporan, {located} dengan titik lokasi.",
    ]
    for name, count, operators, problems in rows:
        lines += ["", f"<b>{esc(name)}</b> — {count} laporan"]
        lines += [_counts(operators, OPERATOR_LABELS), _counts(problems, PROBLEM_LABELS)]
    lines += ["", "Unduh datanya untuk peta dan pembahasan dengan operator seluler:"]
    return "\n".join(lines)


def csv_caption(regency: str, day: date, total: int) -> str:
    return f"📄 Laporan blank spot {esc(regency)}, {day.isoformat()}: {total} laporan."


def geojson_caption(regency: str, day: date, points: int, total: int) -> str:
    rest = total - points
    note = f" {rest} laporan tanpa titik ada di CSV." if rest else ""
    return f"🗺 Titik blank spot {esc(regency)}, {day.isoformat()}: {points} titik.{note}"


def export_filename(region_code: str, day: date, extension: str) -> str:
    """blankspot-35.14-2026-11-28.geojson"""
    return f"blankspot-{region_code}-{day.isoformat()}.{extension}"


# --- command line ------------------------------------------------------------------------


def cli_line(name: str, count: int, operators: str, problems: str) -> str:
    return f"{name}: {count} ({operators}; {problems})"


def cli_total(total: int, located: int) -> str:
    return f"Jumlah: {total} laporan, {located} dengan titik lokasi"


def cli_written(path: str) -> str:
    return f"Tersimpan / written: {path}"


def cli_not_written(path: str, reason: str) -> str:
    return f"Tidak bisa menulis / cannot write {path}: {reason}"
