"""Texts of subscriptions (/langganan, /profil, /berhenti), deep links, posters and /hapusdata."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.subscriptions import Area, Scope
from bot.texts import esc


def area_name(area: Area) -> str:
    """ "Desa Raci (Kec. Bangil)", "Kecamatan Gempol", "Kabupaten Pasuruan"; HTML-escaped."""
    if area.scope is Scope.KABUPATEN:
        return esc(area.name)
    if area.scope is Scope.KECAMATAN:
        return f"Kecamatan {esc(area.name)}"
    kind = "Kelurahan" if area.is_kelurahan else "Desa"
    around = f" (Kec. {esc(area.kecamatan_name)})" if area.kecamatan_name else ""
    return f"{kind} {esc(area.name)}{around}"


def area_short(area: Area) -> str:
    """For buttons (plain text, not HTML): "Raci", "Kec. Gempol", "Kabupaten Pasuruan"."""
    return f"Kec. {area.name}" if area.scope is Scope.KECAMATAN else area.name


def topic_list(labels: Iterable[str]) -> str:
    return ", ".join(esc(label) for label in labels) or "-"


# --- /langganan ------------------------------------------------------------------------


def choose_kecamatan(regency: str) -> str:
    return (
        "<b>Berlangganan info resmi</b> 📬\n\n"
        "Pilih kecamatan tempat Anda tinggal, lalu desanya. "
        f"Atau terima info untuk seluruh {esc(regency)}."
    )


def whole_kabupaten_button(regency: str) -> str:
    return f"🏛 Seluruh {regency}"


def choose_desa(kecamatan: str, page: int, pages: int) -> str:
    more = f" (halaman {page + 1} dari {pages})" if pages > 1 else ""
    return (
        f"<b>Kecamatan {esc(kecamatan)}</b>{more}\n\n"
        "Pilih desa/kelurahan Anda, atau terima info untuk seluruh kecamatan."
    )


def whole_kecamatan_button(kecamatan: str) -> str:
    return f"📍 Seluruh Kecamatan {kecamatan}"


PAGES = ("‹ Sebelumnya", "Berikutnya ›")  # to the previous and the next page


def choose_topics(area: Area) -> str:
    return (
        f"<b>{area_name(area)}</b>\n\n"
        "Pilih topik yang ingin Anda terima (tekan untuk memilih atau membatalkan), "
        "lalu tekan <b>Simpan</b>."
    )


def topic_button(label: str, chosen: bool) -> str:
    return f"{'✅' if chosen else '⬜'} {label}"


SAVE = "💾 Simpan"
NEED_TOPIC = "Pilih minimal satu topik dulu."


def saved(area: Area, topics: Iterable[str], *, is_new: bool) -> str:
    head = "✅ Anda sekarang berlangganan" if is_new else "✅ Langganan diperbarui:"
    return (
        f"{head} <b>{area_name(area)}</b>.\nTopik: {topic_list(topics)}\n\n"
        "Lihat semua langganan Anda dengan /profil."
    )


ADD_AREA = "➕ Tambah wilayah"
SHOW_PROFILE = "📋 Langganan saya"
CHOOSE_TOPICS = "✏️ Pilih topik"


# --- deep links ------------------------------------------------------------------------


def offer(area: Area, default_topics: Iterable[str]) -> str:
    return (
        f"Berlangganan info resmi untuk <b>{area_name(area)}</b>?\n\n"
        f"Topik awal: {topic_list(default_topics)}. Anda bisa memilih topik lain sesudahnya.\n\n"
        "<i>Kami hanya menyimpan nama Telegram Anda dan pilihan ini; hapus kapan saja "
        "dengan /hapusdata.</i>"
    )


def already_subscribed(area: Area, topics: Iterable[str]) -> str:
    return f"Anda sudah berlangganan <b>{area_name(area)}</b>.\nTopik: {topic_list(topics)}"


CONFIRM_SUBSCRIBE = "✅ Ya, berlangganan"
CANCEL = "Batal"
LINK_NOT_VALID = (
    "Maaf, tautan langganan ini sudah tidak berlaku. "
    "Ketik /langganan untuk memilih desa atau kecamatan Anda."
)
NOT_SUBSCRIBED = "Baik, tidak jadi berlangganan. Ketik /langganan kapan saja."


# --- /profil -----------------------------------------------------------------------------


def profile(entries: Sequence[tuple[Area, Sequence[str]]]) -> str:
    if not entries:
        return (
            "Anda belum berlangganan info apa pun.\n"
            "Tekan tombol di bawah atau ketik /langganan untuk memilih desa atau kecamatan."
        )
    lines = ["<b>Langganan Anda</b>"]
    for number, (area, topics) in enumerate(entries, start=1):
        lines.append(f"{number}. {area_name(area)}\n    Topik: {topic_list(topics)}")
    lines.append("\nUbah topik atau hapus langganan dengan tombol di bawah.")
    return "\n".join(lines)


def edit_button(area: Area) -> str:
    return f"✏️ {area_short(area)}"


def remove_button(area: Area) -> str:
    return f"✖ {area_short(area)}"


def removed(area: Area) -> str:
    """A toast: plain text."""
    return f"Langganan {area_short(area)} dihapus."


# --- /berhenti ---------------------------------------------------------------------------


def ask_stop(count: int) -> str:
    return (
        f"Berhenti dari <b>semua</b> langganan Anda ({count} wilayah)? "
        "Anda tidak akan menerima pengumuman lagi."
    )


CONFIRM_STOP = "Ya, berhenti"
NOTHING_TO_STOP = "Anda belum berlangganan info apa pun."
STOPPED = "Semua langganan Anda sudah dihentikan. Ketik /langganan jika ingin berlangganan lagi."
KEPT = "Baik, langganan Anda tetap berjalan."


# --- /hapusdata --------------------------------------------------------------------------

ASK_FORGET = (
    "<b>Hapus data Anda dari bot ini?</b>\n\n"
    "Semua langganan dan profil Anda (nama dan username Telegram) akan dihapus, dan nama Anda "
    "dihilangkan dari catatan lain di bot. Ini tidak bisa dibatalkan."
)
CONFIRM_FORGET = "Ya, hapus data saya"
FORGOTTEN = (
    "Data Anda sudah dihapus. Terima kasih telah memakai layanan ini. 🙏\n"
    "Jika Anda menulis lagi ke bot, nama Telegram Anda akan tercatat kembali."
)
NOT_FORGOTTEN = "Baik, data Anda tidak dihapus."


# --- /poster -----------------------------------------------------------------------------


POSTER_CHOOSE_KECAMATAN = (
    "<b>Poster QR langganan</b>\nPilih kecamatan, lalu desa yang posternya ingin dicetak."
)


def poster_choose_desa(kecamatan: str, page: int, pages: int) -> str:
    more = f" (halaman {page + 1} dari {pages})" if pages > 1 else ""
    return f"<b>Kecamatan {esc(kecamatan)}</b>{more}\nPilih desa/kelurahan:"


def poster_caption(area: Area, link: str) -> str:
    return (
        f"<b>{area_name(area)}</b>\n"
        f"Pindai kode QR ini untuk berlangganan info resmi desa lewat Telegram.\n{esc(link)}"
    )


def poster_whatsapp_caption(area: Area, number: str, words: str, link: str) -> str:
    """The WhatsApp QR of the same desa: scan it, or write the words to the number."""
    return (
        f"<b>{area_name(area)}</b> — WhatsApp\n"
        "Pindai kode QR ini untuk berlangganan info resmi desa lewat WhatsApp, atau kirim "
        f"pesan <b>{esc(words)}</b> ke nomor WhatsApp {esc(number)}.\n{esc(link)}"
    )
