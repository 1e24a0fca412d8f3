"""Texts of /cek: checking a claim against the hoax registry."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.hoax_search import Match, Tier
from bot.hoaxes import Entry, Kind, Verdict
from bot.texts import esc, shorten

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.HOAKS: "❌ HOAKS",
    Verdict.DISINFORMASI: "❌ DISINFORMASI",
    Verdict.MISINFORMASI: "⚠️ MENYESATKAN",
    Verdict.FAKTA: "✅ FAKTA",
    Verdict.TIDAK_DAPAT_DIVERIFIKASI: "❔ BELUM DAPAT DIVERIFIKASI",
}

KIND_LABELS: dict[Kind, str] = {Kind.SATIRE: "🎭 SATIRE/PARODI", Kind.KLARIFIKASI: "ℹ️ KLARIFIKASI"}

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


RELATED = "🔎 <b>Mungkin terkait</b> — baca dulu sebelum membagikan:"
RELATED_ONLY = (
    "Belum ada yang sama persis di basis data kami. Jangan sebarkan dulu sebelum ada sumber "
    "resmi yang jelas. 🙏"
)


def label(entry: Entry) -> str:
    """The verdict as the villager reads it; satire and clarifications say what they are."""
    return KIND_LABELS.get(entry.kind, VERDICT_LABELS[entry.verdict])


def results(matches: Sequence[Match]) -> str:
    """`cocok` matches with their verdict and why; `terkait` ones as reading, no verdict:
    the text only shares their topic, and must not be called a hoax for that."""
    same = [m for m in matches if m.tier is Tier.COCOK]
    related = [m for m in matches if m.tier is not Tier.COCOK]
    lines: list[str] = []
    if same:
        lines.append("🔎 <b>Hasil cek</b> — kabar ini sudah diperiksa:")
        for number, match in enumerate(same, start=1):
            entry = match.entry
            lines += ["", f"{number}. <b>{label(entry)}</b>: {esc(entry.claim)}"]
            if entry.explanation:
                lines.append(f"<i>{esc(shorten(entry.explanation, EXPLANATION_LIMIT))}</i>")
            if entry.url.startswith(("https://", "http://")):
                lines.append(f'<a href="{escape(entry.url, quote=True)}">Baca selengkapnya</a>')
    if related:
        lines += ["", RELATED] if lines else [RELATED]
        for match in related:
            entry = match.entry
            link = (
                f' — <a href="{escape(entry.url, quote=True)}">baca</a>'
                if entry.url.startswith(("https://", "http://"))
                else ""
            )
            lines.append(f"• {esc(entry.claim)}{link}")
        if not same:
            lines += ["", RELATED_ONLY]
    return "\n".join(lines)
