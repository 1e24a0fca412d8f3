"""Everything people read, in one place, in Bahasa Indonesia.

Messages are Telegram HTML (the bot's default parse mode). Anything that comes from a person
or from data (names, typed text) goes through `esc()` before it is put into a message.
Tone: short, friendly, formal "Anda", no jargon.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from html import escape

from bot.people import Role

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def day_month_year(day: date) -> str:
    """As people write dates: "28 November 2026"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and marked with "…" when it was longer."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


# Stands where a forgotten person's name was (see bot.privacy).
REDACTED = "(dihapus)"


def esc(value: object) -> str:
    """Escape a value for Telegram HTML."""
    return escape(str(value), quote=False)


COMMAND_DESCRIPTIONS: dict[str, str] = {
    "start": "Mulai dan kenalan dengan bot",
    "bantuan": "Daftar perintah yang bisa Anda pakai",
    "wilayah": "Lihat kecamatan dan desa",
    "cek": "Cek kabar: hoaks atau bukan",
    "lapor": "Laporkan kabar yang diduga hoaks",
    "blankspot": "Laporkan tempat tanpa sinyal/internet",
    "penjaga": "Penjaga kabar: balas otomatis hoaks di grup (admin grup)",
    "sinyal": "Laporan blank spot per kecamatan (operator)",
    "status": "Keadaan bot (petugas)",
    "operator": "Kelola operator dan verifikator",
    "batal": "Batalkan langkah yang sedang berjalan",
    "langganan": "Berlangganan info desa/kecamatan",
    "profil": "Lihat langganan Anda",
    "berhenti": "Berhenti berlangganan",
    "hapusdata": "Hapus data Anda dari bot",
    "daftarkim": "Daftarkan grup ini sebagai KIM (admin grup)",
    "daftarforum": "Daftarkan grup ini sebagai Forum KIM (admin grup)",
    "infokim": "Lihat pendaftaran grup ini",
    "kanal": "Kelola kanal Telegram (operator)",
    "pendaftaran": "Pendaftaran KIM yang menunggu (operator)",
    "poster": "Poster QR langganan per desa (operator)",
    "cakupan": "Cakupan KIM per kecamatan (operator)",
    "siaran": "Buat pengumuman baru (operator)",
    "batal_siaran": "Hentikan pengiriman yang berjalan (operator)",
    "jadwal": "Jadwal pengiriman: jeda, lanjutkan, kirim, hapus (operator)",
    "riwayat": "Riwayat pengumuman: jangkauan, tarik, ralat (operator)",
    "antrian": "Antrian laporan hoaks untuk diperiksa (operator)",
    "statistik": "Statistik pengumuman per bulan (petugas)",
}

# Announcement topics in menu order; the order fixes each topic's bit (bot/topics.py), so
# new topics are appended, never inserted.
TOPIC_LABELS: dict[str, str] = {
    "pemerintahan": "Pemerintahan",
    "kesehatan": "Kesehatan",
    "pendidikan": "Pendidikan",
    "pertanian": "Pertanian",
    "bencana": "Bencana & Cuaca",
    "ekonomi": "Ekonomi & UMKM",
    "layanan": "Layanan Publik",
    "klarifikasi": "Klarifikasi Hoaks",
}

ROLE_NAMES: dict[Role, str] = {
    Role.ADMIN: "admin",
    Role.OPERATOR: "operator",
    Role.VERIFIER: "verifikator",
    Role.WARGA: "warga",
}


def welcome(organization: str, regency: str) -> str:
    return (
        f"Halo, selamat datang di layanan informasi <b>{esc(organization)}</b>! 👋\n\n"
        f"Lewat bot ini Anda menerima pengumuman resmi yang sudah diverifikasi untuk "
        f"desa dan kecamatan di {esc(regency)}, lewat Kelompok Informasi Masyarakat (KIM).\n\n"
        "Ketik /bantuan untuk melihat apa saja yang bisa Anda lakukan.\n\n"
        "<i>Privasi: kami hanya menyimpan nama Telegram Anda dan pilihan yang Anda buat di "
        "bot ini, tidak dibagikan ke pihak lain, dan bisa Anda hapus kapan saja.</i>"
    )


def help_text(commands: Iterable[tuple[str, str]], roles: frozenset[Role]) -> str:
    lines = ["<b>Perintah yang bisa Anda pakai:</b>"]
    lines += [f"/{name} — {esc(description)}" for name, description in commands]
    staff_roles = [ROLE_NAMES[r] for r in (Role.ADMIN, Role.OPERATOR, Role.VERIFIER) if r in roles]
    if staff_roles:
        lines += ["", f"Peran Anda: {', '.join(staff_roles)}."]
    return "\n".join(lines)


NOT_ALLOWED = "Maaf, perintah ini hanya untuk petugas yang berwenang. 🙏"
NOT_ALLOWED_BUTTON = "Maaf, tombol ini hanya untuk petugas yang berwenang."
PRIVATE_ONLY = "Perintah ini hanya bisa dipakai di chat pribadi dengan bot."
STALE_BUTTON = "Pilihan ini sudah tidak berlaku."
TOO_FAST = "Terlalu cepat, coba lagi sebentar ya. 🙏"
TOO_FAST_BUTTON = "Terlalu cepat, coba lagi sebentar."
ERROR_APOLOGY = "Maaf, terjadi gangguan. Silakan coba lagi sebentar lagi. 🙏"
CANCELLED = "Baik, dibatalkan."
NOTHING_TO_CANCEL = "Tidak ada langkah yang sedang berjalan."

# --- answers outside any flow, and steps that waited too long -------------------------------

OUTSIDE_FLOW = "Pesan ini mau diapakan? Pilih di bawah, atau ketik /bantuan."
CHECK_THIS = "🔎 Cek kabar ini"
REPORT_THIS = "📣 Laporkan"
HELP_BUTTON = "❓ Bantuan"


def duration(span: timedelta) -> str:
    """A waiting time as people say it: "10 menit", "45 detik"."""
    seconds = int(span.total_seconds())
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60} menit"
    if seconds >= 60:
        return f"{seconds // 60} menit {seconds % 60} detik"
    return f"{seconds} detik"


def step_expired(command: str, waited: str) -> str:
    """The message after a step whose time ran out: it is not taken for that step."""
    return (
        f"⏱️ Langkah /{esc(command)} tadi sudah lewat {esc(waited)}, jadi dihentikan. "
        f"Pesan ini tidak dipakai untuk /{esc(command)}; ketik /{esc(command)} untuk mulai lagi."
    )


def prompt_expired(waited: str) -> str:
    return (
        f"⏱️ Pertanyaan ini sudah lewat {esc(waited)}, jadi jawaban ini tidak dipakai. "
        "Silakan mulai lagi dari tombol atau perintahnya."
    )


def unknown_command(command: str) -> str:
    return f"Maaf, perintah /{esc(command)} tidak dikenal. Ketik /bantuan untuk daftar perintah."


def command_not_here(command: str) -> str:
    return (
        f"Perintah /{esc(command)} tidak bisa dipakai di sini. "
        "Ketik /bantuan untuk daftar perintah."
    )


def staff_command_private(command: str) -> str:
    """A staff command sent in a group, answered in the sender's private chat."""
    return (
        f"🔒 /{esc(command)} berisi data kantor, jadi tidak dijawab di grup. "
        f"Ketik /{esc(command)} di sini."
    )


STAFF_COMMAND_IN_GROUP = (
    "🔒 Perintah petugas hanya dijawab di chat pribadi dengan bot. Mulai chat dengan bot dulu."
)


def error_alert(error_name: str, update_kind: str) -> str:
    return (
        f"⚠️ Ada galat di bot: <code>{esc(error_name)}</code> saat menangani {esc(update_kind)}. "
        "Rincian ada di log server."
    )


def storage_refused(reason: str) -> str:
    return (
        "⚠️ Basis data bot menolak menyimpan: "
        f"<code>{esc(reason)}</code>. Siaran dijeda; yang sudah terkirim tidak dikirim ulang. "
        "Periksa ruang disk dan izin berkas di server."
    )


def storage_recovered(seconds: float, recorded: int) -> str:
    return (
        f"✅ Basis data bisa menyimpan lagi setelah {seconds:.0f} detik; "
        f"{recorded} hasil kiriman sudah dicatat. Siaran dilanjutkan."
    )


CHANNEL_NAMES = {"whatsapp": "WhatsApp", "telegram": "Telegram"}


def channel_paused(channel: str, seconds: float, detail: str) -> str:
    name = CHANNEL_NAMES.get(channel, channel)
    return (
        f"⚠️ Pengiriman lewat {esc(name)} dijeda {seconds / 3600:.0f} jam: "
        f"<code>{esc(detail)}</code>. Nomor dianggap mengirim terlalu banyak pesan yang tidak "
        "diinginkan; sisa kiriman dilanjutkan otomatis setelah jeda."
    )


def channel_halted(channel: str, detail: str) -> str:
    name = CHANNEL_NAMES.get(channel, channel)
    return (
        f"⛔ Pengiriman lewat {esc(name)} berhenti: <code>{esc(detail)}</code>. "
        "Token akses tidak berlaku lagi. Pasang token baru di pengaturan lalu nyalakan ulang "
        "bot; kiriman yang tertunda dilanjutkan setelahnya."
    )


# --- regions ---------------------------------------------------------------------------


def regions_overview(regency: str, kecamatan: int, desa: int) -> str:
    return (
        f"<b>{esc(regency)}</b>\n{kecamatan} kecamatan, {desa} desa/kelurahan.\n\n"
        "Pilih kecamatan untuk melihat desanya:"
    )


def desa_list(kecamatan: str, names: Iterable[str]) -> str:
    items = list(names)
    body = "\n".join(f"• {esc(name)}" for name in items)
    return f"<b>Kecamatan {esc(kecamatan)}</b> — {len(items)} desa/kelurahan:\n{body}"


BACK = "« Kembali"


# --- status ----------------------------------------------------------------------------


def status(
    *,
    organization: str,
    regency: str,
    kecamatan: int,
    desa: int,
    people: int,
    staff: int,
    schema: int,
    started: str,
) -> str:
    return (
        f"<b>Status kim-bot</b> — {esc(organization)}\n"
        f"Wilayah: {esc(regency)} ({kecamatan} kecamatan, {desa} desa/kelurahan)\n"
        f"Pengguna tercatat: {people} · petugas: {staff}\n"
        f"Versi skema basis data: {schema}\n"
        f"Berjalan sejak: {esc(started)}"
    )


# --- staff management ------------------------------------------------------------------


def staff_list(members: Iterable[tuple[str, Iterable[Role]]]) -> str:
    rows = [
        f"• {esc(name)} — {', '.join(ROLE_NAMES[r] for r in sorted(roles))}"
        for name, roles in members
    ]
    body = "\n".join(rows) if rows else "Belum ada operator atau verifikator."
    return f"<b>Petugas kim-bot</b>\n{body}\n\nTambah atau hapus petugas dengan tombol di bawah."


ADD_STAFF = {Role.OPERATOR: "➕ Operator", Role.VERIFIER: "➕ Verifikator"}


def remove_button(name: str, role: Role) -> str:
    return f"✖ {name} ({ROLE_NAMES[role]})"


def ask_person(role: Role) -> str:
    return (
        f"Siapa yang akan dijadikan <b>{ROLE_NAMES[role]}</b>?\n"
        "Tekan tombol <b>Pilih orang</b> di bawah, atau kirim ID Telegram-nya (angka). "
        "Ketik /batal untuk membatalkan."
    )


PICK_PERSON = "👤 Pilih orang"
CANCEL_BUTTON = "Batal"
BAD_PERSON_ID = "Itu bukan ID Telegram. Tekan tombol Pilih orang, atau kirim ID berupa angka."


def granted(name: str, role: Role) -> str:
    return f"✅ {esc(name)} sekarang {ROLE_NAMES[role]}."


def already_granted(name: str, role: Role) -> str:
    return f"{esc(name)} sudah menjadi {ROLE_NAMES[role]}."


def revoked(name: str, role: Role) -> str:
    return f"✅ {esc(name)} bukan {ROLE_NAMES[role]} lagi."


def you_were_granted(role: Role) -> str:
    return (
        f"Anda sekarang menjadi <b>{ROLE_NAMES[role]}</b> di kim-bot. "
        "Ketik /bantuan untuk melihat perintah Anda."
    )
