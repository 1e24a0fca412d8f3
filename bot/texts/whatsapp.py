"""Texts of the WhatsApp conversation (DAFTAR, BERHENTI, HAPUS DATA, help).

Written for WhatsApp directly: `*tebal*` and `_miring_` marks, plain text (no HTML, no
escaping). Button titles are at most 20 characters, list rows 24, list buttons 20: WhatsApp
refuses longer ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.subscriptions import Area, Scope

WORDS = (
    "*DAFTAR* – berlangganan info resmi\n"
    "*CEK* <teks> – cek kebenaran sebuah pesan\n"
    "*LAPOR* – laporkan dugaan hoaks\n"
    "*BERHENTI* – berhenti berlangganan\n"
    "*HAPUS DATA* – hapus data Anda"
)

HELP = f"Halo! 👋 Ini layanan info resmi. Kirim salah satu kata ini:\n\n{WORDS}"
STALE = "Pilihan ini sudah tidak berlaku. Kirim *DAFTAR* untuk mulai lagi."
SORRY = "Maaf, ada gangguan. Coba lagi sebentar lagi. 🙏"
TOO_FAST = "Pesan Anda terlalu cepat. Tunggu sebentar, lalu kirim lagi."
CHECK_HOW = "Ketik *CEK* lalu teks yang ingin dicek, atau teruskan pesannya ke sini."
READ_MORE = "Baca selengkapnya"  # the announcement template's quick reply (README)
LINK_NOT_VALID = "Kode wilayah di pesan ini tidak dikenal. Kirim *DAFTAR* untuk memilih sendiri."

# --- DAFTAR ------------------------------------------------------------------------------

LIST_BUTTON = "Pilih"
PREVIOUS = "‹ Sebelumnya"
NEXT = "Berikutnya ›"
PAGE_HINT = "Halaman lain"


def area_label(area: Area) -> str:
    """ "Desa Raci (Kec. Bangil)", "Kecamatan Gempol", "Kabupaten Pasuruan"."""
    if area.scope is Scope.KABUPATEN:
        return area.name
    if area.scope is Scope.KECAMATAN:
        return f"Kecamatan {area.name}"
    kind = "Kelurahan" if area.is_kelurahan else "Desa"
    around = f" (Kec. {area.kecamatan_name})" if area.kecamatan_name else ""
    return f"{kind} {area.name}{around}"


def choose_kecamatan(regency: str, page: int, pages: int) -> str:
    more = f" (halaman {page + 1} dari {pages})" if pages > 1 else ""
    return (
        f"*Berlangganan info resmi* 📬{more}\n\n"
        f"Pilih kecamatan tempat Anda tinggal, atau seluruh {regency}."
    )


def whole_regency(regency: str) -> str:
    return f"Seluruh {regency}"[:24]


def choose_desa(kecamatan: str, page: int, pages: int) -> str:
    more = f" (halaman {page + 1} dari {pages})" if pages > 1 else ""
    return f"*Kecamatan {kecamatan}*{more}\n\nPilih desa/kelurahan Anda, atau *ketik namanya*."


WHOLE_KECAMATAN = "Seluruh kecamatan"


def desa_not_found(typed: str, kecamatan: str) -> str:
    return (
        f'Desa "{typed[:40]}" tidak ada di Kecamatan {kecamatan}. '
        "Cek ejaannya, atau pilih dari daftar."
    )


def choose_topics(area: Area) -> str:
    return f"*{area_label(area)}*\n\nInfo apa yang ingin Anda terima?"


ALL_TOPICS = "Semua topik"
PICK_TOPICS = "Pilih topik"
DONE = "✔ Selesai"
TOPICS_BUTTON = "Topik"


def pick_topics(area: Area, chosen: Sequence[str]) -> str:
    so_far = ", ".join(chosen) if chosen else "belum ada"
    return (
        f"*{area_label(area)}*\n\nPilih satu topik, lalu buka daftarnya lagi untuk topik "
        f"berikutnya. Tekan *Selesai* bila cukup.\n\nDipilih: {so_far}"
    )


def topic_row(label: str, chosen: bool) -> str:
    return f"{'✅' if chosen else '⬜'} {label}"[:24]


NEED_TOPIC = "Pilih minimal satu topik dulu."


def ask_digest(area: Area, topics: Iterable[str], *, is_new: bool) -> str:
    head = "✅ Tersimpan:" if is_new else "✅ Diperbarui:"
    return (
        f"{head} *{area_label(area)}*\nTopik: {', '.join(topics)}\n\n"
        "Mau menerima info *langsung* saat terbit, atau *ringkasan mingguan* saja?"
    )


DIRECT = "Langsung"
WEEKLY = "Ringkasan mingguan"


def subscribed(held: Sequence[tuple[Area, Sequence[str]]], *, weekly: bool) -> str:
    lines = "\n".join(f"• {area_label(area)}: {', '.join(topics)}" for area, topics in held)
    how = "sebagai ringkasan mingguan" if weekly else "langsung saat terbit"
    return (
        f"🎉 *Langganan Anda:*\n{lines}\n\nInfo dikirim {how}.\n\n"
        f"Kata yang bisa Anda kirim:\n{WORDS}"
    )


# --- BERHENTI and HAPUS DATA --------------------------------------------------------------


def stopped(count: int) -> str:
    return (
        f"Semua langganan Anda ({count}) sudah dihentikan. "
        "Kirim *DAFTAR* kapan saja untuk berlangganan lagi."
    )


NOTHING_TO_STOP = "Anda belum berlangganan apa pun. Kirim *DAFTAR* untuk mulai."
ASK_FORGET = (
    "*Hapus data Anda?*\n\nNomor WhatsApp, nama, dan semua langganan Anda akan dihapus, dan "
    "nama Anda dihilangkan dari catatan lain. Ini tidak bisa dibatalkan."
)
CONFIRM_FORGET = "Ya, hapus"
CANCEL = "Batal"
FORGOTTEN = (
    "Data Anda sudah dihapus. Terima kasih telah memakai layanan ini. 🙏\n"
    "Jika Anda menulis lagi ke nomor ini, nomor Anda akan tercatat kembali."
)
NOT_FORGOTTEN = "Baik, data Anda tetap tersimpan."
