"""Texts of /cek: checking a claim against the hoax registry."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.hoax_search import Match
from bot.hoaxes import Verdict
from bot.texts import esc

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.HOAKS: "❌ HOAKS",
    Verdict.DISINFORMASI: "❌ DISINFORMASI",
    Verdict.MISINFORMASI: "⚠️ MENYESATKAN",
    Verdict.FAKTA: "✅ FAKTA",
    Verdict.TIDAK_DAPAT_DIVERIFIKASI: "❔ BELUM DAPAT DIVERIFIKASI",
}

EXPLANATION_LIMIT = 280

USAGE = (
    "🔎 <b>Cek kabar</b>\n"
    "Ketik /cek lalu isi pesan yang ingin Anda periksa, misalnya:\n"
    "<code>/cek vaksin mengandung chip pelacak</code>\n\n"
    "Bisa juga: balas (reply) pesan yang mencurigakan dengan /cek."
)

NOT_FOUND = (
    "🔎 Kabar ini <b>belum ada di basis data kami</b>.\n"
    "Belum tentu benar: jangan sebarkan dulu sebelum ada sumber resmi yang jelas. 🙏"
)
REPORT = "📣 Laporkan"


def results(matches: Sequence[Match]) -> str:
    lines = ["🔎 <b>Hasil cek</b> — kabar serupa yang sudah diperiksa:"]
    for number, match in enumerate(matches, start=1):
        entry = match.entry
        lines.append("")
        lines.append(f"{number}. <b>{VERDICT_LABELS[entry.verdict]}</b>: {esc(entry.claim)}")
        if entry.explanation:
            lines.append(f"<i>{esc(_shorten(entry.explanation))}</i>")
        if entry.url.startswith(("https://", "http://")):
            lines.append(f'<a href="{escape(entry.url, quote=True)}">Baca selengkapnya</a>')
    return "\n".join(lines)


def _shorten(text: str) -> str:
    if len(text) <= EXPLANATION_LIMIT:
        return text
    cut = text[:EXPLANATION_LIMIT].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"
