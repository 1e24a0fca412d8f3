"""Texts of checking and reporting on WhatsApp (`CEK …`, `LAPOR`), in WhatsApp's marks.

The answers themselves are /cek's and /lapor's (bot/texts/cek.py, genuine.py, lapor.py),
converted by `from_catalog`: their HTML becomes `*tebal*` / `_miring_`, and the Telegram
commands they point to become the words a villager writes on WhatsApp.
"""

from __future__ import annotations

import re

from bot.whatsapp import markup

USAGE = (
    "🔎 *Cek kabar*\n"
    "Tulis *CEK* lalu isi pesan yang ingin Anda periksa, misalnya:\n"
    "CEK vaksin mengandung chip pelacak\n\n"
    "Bisa juga: teruskan (forward) pesan yang mencurigakan ke sini."
)

REPORT_OFFER = "📣 Untuk melaporkannya ke petugas, tulis *LAPOR* lalu kirim pesannya lagi."

ASK_CONTENT = (
    "📣 *Laporkan kabar mencurigakan*\n"
    "Kirim, tempel, atau teruskan (forward) pesannya ke sini. Foto atau video juga bisa, "
    "asal ada keterangannya (caption)."
)

NOT_TEXT = (
    "Maaf, lewat WhatsApp baru teks yang bisa dilaporkan. Tulis atau tempel isi kabarnya, "
    "atau kirim fotonya dengan keterangan (caption)."
)
TOO_LONG = (
    "Maaf, pesannya terlalu panjang. Kirim bagian terpentingnya saja (paling banyak 4.096 huruf)."
)


def accepted(ticket: str) -> str:
    return (
        f"✅ Laporan Anda tercatat dengan nomor *{ticket}*.\n"
        "Petugas akan memeriksanya, dan hasilnya kami kirim ke WhatsApp ini. "
        "Terima kasih atas kepedulian Anda! 🙏"
    )


# Telegram commands in shared answers, as WhatsApp words; the most specific first. A
# command stands alone: "https://cek.contoh.id" is a link, not /cek.
_ALONE = r"(?<![\w/:.])"
_WORDS = (
    (re.compile(_ALONE + r"dengan /lapor\b"), "dengan menulis *LAPOR*"),
    (re.compile(_ALONE + r"/cek (\d+)\b"), r"tulis *CEK \1*"),
    (re.compile(_ALONE + r"/lapor\b"), "*LAPOR*"),
    (re.compile(_ALONE + r"/cek\b"), "*CEK*"),
)


def from_catalog(html: str) -> str:
    """A /cek or /lapor answer (catalog HTML) as WhatsApp shows it."""
    text = markup.from_html(html)
    for pattern, words in _WORDS:
        text = pattern.sub(words, text)
    return text
