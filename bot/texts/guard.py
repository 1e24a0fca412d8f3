"""Texts of the group guard (/penjaga) and its clarification card."""

from __future__ import annotations

from html import escape

from bot.hoaxes import Entry
from bot.texts import esc, shorten
from bot.texts.cek import label

EXPLANATION_LIMIT = 200

ON = "🛡 Penjaga kabar <b>aktif</b> di grup ini."
OFF = "🛡 Penjaga kabar <b>tidak aktif</b> di grup ini."
WHAT_IT_DOES = (
    "Bila ada pesan yang sama dengan hoaks yang sudah diperiksa, bot membalasnya dengan "
    "klarifikasi singkat (paling sering sekali per jam untuk tiap hoaks)."
)
ADMINS_DECIDE = "Hanya admin grup yang bisa menyalakan atau mematikannya."
TURN_ON = "🛡 Nyalakan"
TURN_OFF = "Matikan"
TURNED_ON = "✅ Penjaga kabar dinyalakan. " + WHAT_IT_DOES
TURNED_OFF = "Penjaga kabar dimatikan. Anggota tetap bisa memeriksa kabar dengan /cek."
ALREADY_ON = "Penjaga kabar sudah aktif di grup ini."
ALREADY_OFF = "Penjaga kabar memang tidak aktif di grup ini."
NOT_GROUP_ADMIN = "Maaf, hanya admin grup ini yang bisa mengubah penjaga kabar. 🙏"
USAGE = "Ketik /penjaga on untuk menyalakan atau /penjaga off untuk mematikan."
GROUP_ONLY = (
    "Penjaga kabar dipakai di grup: tambahkan bot ke grup KIM Anda, lalu admin grup "
    "mengetik /penjaga on."
)


def status(on: bool, *, admin_view: bool) -> str:
    lines = [ON if on else OFF, WHAT_IT_DOES]
    if not admin_view:
        lines.append(ADMINS_DECIDE)
    return "\n".join(lines)


def card(entry: Entry) -> str:
    """The reply to a message repeating a registered hoax: verdict, claim, why, where to read."""
    lines = [
        "🛡 <b>Penjaga kabar</b>: pesan ini mirip kabar yang sudah diperiksa.",
        f"<b>{label(entry)}</b>: {esc(entry.claim)}",
    ]
    if entry.explanation:
        lines.append(f"<i>{esc(shorten(entry.explanation, EXPLANATION_LIMIT))}</i>")
    if entry.url.startswith(("https://", "http://")):
        lines.append(f'<a href="{escape(entry.url, quote=True)}">Baca selengkapnya</a>')
    lines.append("Mohon tidak diteruskan. Cek kabar lain dengan /cek.")
    return "\n".join(lines)
