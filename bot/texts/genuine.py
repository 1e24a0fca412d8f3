"""Texts of "is this announcement genuine?": /cek on an announcement, and forwarded messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.texts import day_month_year as long_date
from bot.texts import esc, shorten

BODY_LIMIT = 300

FORWARDED = (
    "📨 Anda meneruskan sebuah pesan.\n"
    "Mau saya periksa: pengumuman resmi yang asli, atau kabar yang sudah dinyatakan hoaks?"
)
CHECK_BUTTON = "🔎 Cek keaslian/hoaks"
NOTHING_TO_CHECK = "Pesan ini tidak berisi teks yang bisa diperiksa."
REPORT_HINT = "Jangan diteruskan dulu. Laporkan dengan /lapor agar petugas kami memeriksanya. 🙏"
WITHDRAWN = "⚠️ Pengumuman ini sudah <b>ditarik kembali</b> oleh pengirimnya."


def genuine(organization: str, number: int, sent_on: date, withdrawn: bool) -> str:
    lines = [
        f"✅ <b>ASLI</b> — sama dengan <b>Pengumuman #{number}</b> dari {esc(organization)}, "
        f"dikirim {long_date(sent_on)}."
    ]
    if withdrawn:
        lines.append(WITHDRAWN)
    return "\n".join(lines)


def relayed(organization: str, number: int, sent_on: date, trimmed: bool, withdrawn: bool) -> str:
    """A copy shared to WhatsApp from a KIM group whose check code is right."""
    cut = ", dipotong agar muat dibagikan ke WhatsApp" if trimmed else ""
    lines = [
        f"✅ <b>ASLI</b> — salinan resmi <b>Pengumuman #{number}</b> dari {esc(organization)}"
        f"{cut} (dikirim {long_date(sent_on)}). Kode ceknya cocok."
    ]
    if trimmed:
        lines.append(f"Isi lengkapnya: /cek {number}")
    if withdrawn:
        lines.append(WITHDRAWN)
    return "\n".join(lines)


def altered(
    number: int, sent_on: date, changes: Sequence[tuple[str, str]], more: int, withdrawn: bool
) -> str:
    """`changes`: (as sent, as received) pairs."""
    lines = [
        f"⚠️ <b>DIUBAH</b> — mirip <b>Pengumuman #{number}</b> (dikirim {long_date(sent_on)}), "
        "tetapi isinya tidak sama. Yang berbeda:"
    ]
    lines += [f"• «{esc(before) or '…'}» → «{esc(after) or '…'}»" for before, after in changes]
    if more:
        lines.append(f"• dan {more} perubahan lain")
    if withdrawn:
        lines.append(WITHDRAWN)
    lines.append(f"Pakai versi aslinya saja: /cek {number}")
    return "\n".join(lines)


def not_found(organization: str, claimed: int | None, claimed_exists: bool) -> str:
    if claimed is not None and claimed_exists:
        head = (
            f"❓ <b>TIDAK DITEMUKAN</b> — Pengumuman #{claimed} memang ada, tetapi isinya lain "
            f"sama sekali (lihat aslinya: /cek {claimed})."
        )
    elif claimed is not None:
        head = (
            f"❓ <b>TIDAK DITEMUKAN</b> — {esc(organization)} tidak pernah mengirim "
            f"Pengumuman #{claimed}."
        )
    else:
        head = (
            f"❓ <b>TIDAK DITEMUKAN</b> — tidak ada pengumuman {esc(organization)} "
            "yang cocok dengan pesan ini."
        )
    return f"{head}\nBisa jadi pesan palsu. {REPORT_HINT}"


def announcement(organization: str, number: int, sent_on: date, body: str, withdrawn: bool) -> str:
    """The answer to `/cek 12`: what #12 really said."""
    lines = [
        f"✅ <b>Pengumuman #{number}</b> dari {esc(organization)} dikirim {long_date(sent_on)}.",
        "Isinya:",
        f"<i>{esc(shorten(body, BODY_LIMIT))}</i>",
    ]
    if withdrawn:
        lines.append(WITHDRAWN)
    lines.append("Bandingkan dengan pesan yang Anda terima.")
    return "\n".join(lines)


def no_such_number(organization: str, number: int) -> str:
    return not_found(organization, number, False)
