"""Texts of schedules (/jadwal, the scheduling step of /siaran) and of the weekly digest.

Times are always shown in the regency's own zone, the Indonesian way:
"Senin, 1 Desember 2026 07.00 WIB".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from bot.texts import MONTHS, TOPIC_LABELS, day_month_year, esc

# Day names in Python's weekday order (Monday first); the internal names are these keys.
DAY_NAMES = {day: day.title() for day in ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu",
                                         "minggu")}  # fmt: skip
DAY_SHORT = {"senin": "Sen", "selasa": "Sel", "rabu": "Rab", "kamis": "Kam", "jumat": "Jum",
             "sabtu": "Sab", "minggu": "Min"}  # fmt: skip
_ZONES = {timedelta(hours=7): "WIB", timedelta(hours=8): "WITA", timedelta(hours=9): "WIT"}


def zone(moment: datetime) -> str:
    """WIB, WITA or WIT (by the offset, whatever the zone database calls it)."""
    offset = moment.utcoffset()
    if offset in _ZONES:
        return _ZONES[offset]
    return moment.tzname() or "UTC"


def day_name(day: date) -> str:
    return list(DAY_NAMES.values())[day.weekday()]


def long_date(day: date) -> str:
    return f"{day_name(day)}, {day_month_year(day)}"


def clock(at: time) -> str:
    return f"{at.hour:02d}.{at.minute:02d}"


def when(moment: datetime) -> str:
    """ "Senin, 1 Desember 2026 07.00 WIB" (the moment must already be in the regency's zone)."""
    return f"{long_date(moment.date())} {clock(moment.time())} {zone(moment)}"


def describe_rule(
    kind: str,
    *,
    at: time | None,
    on: date | None,
    days: Sequence[str],
    day: int | None,
    cron: str | None,
    zone_name: str,
) -> str:
    """The repetition in words: "Setiap Senin dan Kamis pukul 07.00 WIB"."""
    hour = f"pukul {clock(at)} {zone_name}" if at else ""
    if kind == "once" and on is not None:
        return f"Sekali, {long_date(on)} {hour}"
    if kind == "daily":
        return f"Setiap hari {hour}"
    if kind == "weekly":
        names = [DAY_NAMES[d] for d in days]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]
        return f"Setiap {joined} {hour}"
    if kind == "monthly" and day is not None:
        note = " (bulan yang lebih pendek: tanggal terakhirnya)" if day > 28 else ""
        return f"Setiap bulan tanggal {day} {hour}{note}"
    return f"Menurut cron <code>{esc(cron or '')}</code> ({zone_name})"


def describe_end(ends_on: date | None, max_runs: int | None) -> str:
    if ends_on is not None:
        return f"sampai {long_date(ends_on)}"
    if max_runs is not None:
        return f"sebanyak {max_runs} kali"
    return "tanpa batas akhir"


# --- bad input -------------------------------------------------------------------------

IMPOSSIBLE_DATE = "Tanggal itu tidak ada di kalender. Pilih tanggal lain."
PAST_TIME = "Waktu itu sudah lewat. Pilih tanggal atau jam yang masih akan datang."
NO_DAYS = "Pilih paling sedikit satu hari."
BAD_MONTH_DAY = "Tanggal bulanan harus antara 1 dan 31."
BAD_HOUR = "Jam harus antara 00.00 dan 23.59."
END_IN_PAST = "Tanggal akhir sudah lewat. Pilih tanggal yang masih akan datang."
BAD_COUNT = "Jumlah pengiriman harus antara 1 dan 366."
CRON_HELP = (
    "Formatnya lima bagian: menit jam tanggal bulan hari. Hari: 0 atau 7 = Minggu, "
    "1 = Senin … 6 = Sabtu. Contoh: <code>0 7 * * 1-5</code> = Senin–Jumat pukul 07.00."
)


def bad_cron(detail: str) -> str:
    return f"Ekspresi cron itu tidak bisa dipakai: {esc(detail)}.\n{CRON_HELP}"


CRON_FIELDS = "harus ada tepat lima bagian"
CRON_BOTH_DAYS = "isi tanggal atau hari saja, jangan keduanya"
CRON_NEVER = "jadwal itu tidak pernah jatuh pada tanggal yang ada"


def cron_bad_day(value: str) -> str:
    return f"hari '{value}' tidak dikenal"


# --- the scheduling step of /siaran --------------------------------------------------------

SCHEDULE = "🗓 Jadwalkan lalu kirim ke verifikator"


def choose_kind(number: str, zone_name: str) -> str:
    return (
        f"🗓 <b>Jadwal pengumuman {esc(number)}</b>\nKapan pengumuman ini dikirim? Semua waktu "
        f"dalam {zone_name}. Jadwal berulang mengirim isi yang sama persis; isi baru perlu "
        "verifikasi baru."
    )


KIND_LABELS = {
    "once": "Sekali",
    "daily": "Setiap hari",
    "weekly": "Setiap minggu",
    "monthly": "Setiap bulan",
    "cron": "Ekspresi cron",
}
BACK_TO_PREVIEW = "« Kembali (kirim tanpa jadwal)"
PICK_DATE = "Pilih <b>tanggal</b> pengiriman:"
PICK_END_DATE = "Pilih <b>tanggal terakhir</b> jadwal ini:"
PICK_DAYS = "Pilih <b>hari</b> pengiriman (boleh lebih dari satu), lalu tekan Lanjut:"
PICK_MONTH_DAY = (
    "Pilih <b>tanggal</b> setiap bulan. Tanggal 29–31 pada bulan yang lebih pendek "
    "dikirim pada tanggal terakhir bulan itu."
)
NEXT = "Lanjut »"
PAST_DAY = "·"


def pick_hour(rule: str) -> str:
    return f"{rule}\nPilih <b>jam</b>:"


def pick_minute(rule: str) -> str:
    return f"{rule}\nPilih <b>menit</b>:"


ASK_CRON_PREFIX = "Tulis ekspresi cron untuk pengumuman"
CRON_PLACEHOLDER = "0 7 * * 1-5"
CRON_WAITING = "⌨️ Tulis ekspresi cron sebagai balasan pesan di bawah."


def ask_cron(number: str) -> str:
    return f"{ASK_CRON_PREFIX} {esc(number)} (balas pesan ini).\n{CRON_HELP}"


def plan_summary(
    number: str, rule: str, end: str, first: str | None, moved: bool, recurring: bool
) -> str:
    lines = [f"🗓 <b>Jadwal pengumuman {esc(number)}</b>", rule]
    if recurring:
        lines.append(f"Berakhir: {end}")
    if first:
        lines.append(f"Pengiriman pertama: {first}")
    if moved:
        lines.append(QUIET_NOTE)
    lines.append("")
    lines.append(
        "Setelah dikirim ke verifikator, jadwal baru berjalan jika disetujui. "
        + ("Atur akhirnya dengan tombol di bawah." if recurring else "")
    )
    return "\n".join(lines)


QUIET_NOTE = "🌙 Jatuh pada jam tenang, jadi dikirim saat jam tenang berakhir."
END_NEVER = "♾ Tanpa akhir"
END_DATE = "📅 Sampai tanggal…"


def end_count(count: int) -> str:
    return f"{count}×"


SUBMIT_PLAN = "📨 Kirim ke verifikator"
CHANGE_PLAN = "✏️ Ubah jadwal"
# --- verifying a scheduled draft ---------------------------------------------------------

APPROVE_SCHEDULE = "✅ Setujui & jadwalkan"


def verify_plan(rule: str, end: str, recurring: bool) -> str:
    return f"🗓 Dijadwalkan: {rule}" + (f", {end}" if recurring else "")


def approved_scheduled(number: str, verifier: str, first: str) -> str:
    return (
        f"✅ Pengumuman {esc(number)} disetujui oleh {esc(verifier)} dan dijadwalkan. "
        f"Pengiriman berikutnya: {first}. Lihat /jadwal."
    )


def held_for_quiet_hours(number: str, verifier: str, first: str) -> str:
    return (
        f"✅ Pengumuman {esc(number)} disetujui oleh {esc(verifier)}. Sekarang jam tenang, "
        f"jadi dikirim {first} (pengumuman darurat tetap dikirim saat itu juga). Lihat /jadwal."
    )


# --- /jadwal -------------------------------------------------------------------------------

NO_SCHEDULES = "Belum ada jadwal pengiriman. Buat pengumuman dengan /siaran lalu pilih Jadwalkan."
STATUS = {"active": "▶️ berjalan", "paused": "⏸ dijeda"}


def schedule_entry(
    schedule_id: int,
    announcement: str,
    topic: str | None,
    urgency: str | None,
    rule: str,
    end: str | None,
    status: str,
    next_run: str | None,
    runs: int,
) -> str:
    badge = " · 🚨 darurat" if urgency == "darurat" else ""
    topic_label = TOPIC_LABELS.get(topic or "", topic or "-")
    upcoming = next_run if next_run and status == "active" else "-"
    return (
        f"<b>Jadwal #{schedule_id}</b> · pengumuman {esc(announcement)} · "
        f"{esc(topic_label)}{badge} · {STATUS.get(status, status)}\n"
        f"   {rule}{', ' + end if end else ''}\n"
        f"   Berikutnya: {upcoming} · sudah {runs} kali"
    )


def schedule_list(entries: list[str], quiet: str) -> str:
    return (
        "<b>🗓 Jadwal pengiriman</b>\n"
        f"<i>Jam tenang {quiet}: pengumuman non-darurat ditunda sampai jam tenang berakhir.</i>"
        "\n\n" + "\n\n".join(entries)
    )


def pause_button(schedule_id: int) -> str:
    return f"⏸ Jeda #{schedule_id}"


def resume_button(schedule_id: int) -> str:
    return f"▶️ Lanjutkan #{schedule_id}"


def run_now_button(schedule_id: int) -> str:
    return f"⚡ Kirim sekarang #{schedule_id}"


def delete_button(schedule_id: int) -> str:
    return f"🗑 Hapus #{schedule_id}"


def confirm_delete(schedule_id: int) -> str:
    return (
        f"🗑 <b>Hapus jadwal #{schedule_id}?</b>\nPengiriman berikutnya tidak akan terjadi. "
        "Pengumuman yang sudah terkirim tetap ada di /riwayat."
    )


CONFIRM_DELETE = "✅ Ya, hapus"
KEEP = "« Jangan"
PAUSED = "Jadwal dijeda."
RESUMED = "Jadwal berjalan lagi."
DELETED = "Jadwal dihapus."
RUN_STARTED = "Pengiriman dimulai."
RUN_EMPTY = "Tidak ada penerima untuk pengumuman ini sekarang; tidak ada yang dikirim."


def quiet_now(end: str) -> str:
    return (
        f"Sekarang jam tenang. Pengumuman non-darurat baru bisa dikirim mulai pukul {end}; "
        "jadwalnya tetap berjalan seperti biasa."
    )


# --- what the scheduler tells people --------------------------------------------------------


def run_started(schedule_id: int, number: str, original: str, planned: str) -> str:
    return (
        f"🗓 Jadwal #{schedule_id} ({planned}): pengumuman {esc(original)} "
        f"dikirim sebagai {esc(number)}."
    )


def run_empty(schedule_id: int, original: str) -> str:
    return (
        f"🗓 Jadwal #{schedule_id}: pengumuman {esc(original)} tidak dikirim karena sekarang "
        "tidak ada penerima yang cocok."
    )


def runs_missed(schedule_id: int, original: str, missed: list[str], more: int) -> str:
    lines = [
        f"⚠️ <b>Jadwal #{schedule_id} terlewat</b> (pengumuman {esc(original)})",
        "Bot tidak berjalan pada waktu berikut, dan sudah lewat terlalu lama untuk dikirim "
        "sekarang, jadi dilewati:",
    ]
    lines += [f"• {m}" for m in missed]
    if more:
        lines.append(f"• … dan {more} lainnya")
    lines.append("Kirim ulang dengan ⚡ di /jadwal bila masih perlu.")
    return "\n".join(lines)


# --- the weekly digest ----------------------------------------------------------------------

DIGEST_ON = "📰 Rangkuman mingguan: ✅ aktif"
DIGEST_OFF = "📰 Rangkuman mingguan: ☐ tidak aktif"
DIGEST_NOW_ON = (
    "📰 Rangkuman mingguan aktif: pengumuman biasa dan penting dikumpulkan menjadi satu pesan "
    "seminggu sekali. Pengumuman darurat tetap langsung dikirim."
)
DIGEST_NOW_OFF = "Rangkuman mingguan dimatikan: pengumuman dikirim satu per satu lagi."
DIGEST_LIMIT = 3500  # leave room under Telegram's 4096 for the header and "… lainnya"


def digest_header(organization: str, first: date, last: date) -> str:
    return (
        f"📰 <b>Rangkuman mingguan {esc(organization)}</b>\n"
        f"{first.day} {MONTHS[first.month - 1]} – {last.day} {MONTHS[last.month - 1]} "
        f"{last.year}\n"
    )


def digest_item(number: str, topic: str, day: date, summary: str) -> str:
    return (
        f"\n<b>{esc(TOPIC_LABELS.get(topic, topic))}</b> · {day.day} {MONTHS[day.month - 1]} "
        f"· {esc(number)}\n{esc(summary)}\n"
    )


def digest_more(count: int) -> str:
    return f"\n… dan {count} pengumuman lainnya."


DIGEST_FOOTER = "\n<i>Ubah pilihan ini di /profil.</i>"
DIGEST_FOOTER_WHATSAPP = "\n<i>Ubah pilihan ini: tulis DAFTAR. Berhenti: tulis BERHENTI.</i>"
