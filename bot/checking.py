"""What /cek answers about a text: the archive for announcements, else the hoax registry.

A text that presents itself as the office's announcement ("Pengumuman #12", the office's
name, "Terverifikasi"), or a bare announcement number (`/cek 12`), is compared with the
archive of sent announcements (`bot.genuine`); one that is not found there is also looked up
in the registry, since fake official letters get registered as hoaxes too. Any other text is
the registry's (`bot.hoax_search`). The same answer serves /cek, a forwarded message's
"🔎 Cek" card and the buttons under a message outside any flow.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import genuine
from bot.genuine import Outcome
from bot.hoax_search import Tier, search
from bot.storage import Database
from bot.texts import cek as texts
from bot.texts import genuine as genuine_texts


@dataclass(frozen=True)
class Answer:
    text: str
    offer_report: bool  # with "📣 Laporkan", which reports the message the answer quotes
    quote: bool = True  # replies to the checked message (always, when it can be reported)


def claim(typed: str | None, replied: str | None) -> str:
    """What to check: the words after /cek, or else the message it replies to ("": none)."""
    return typed.strip() if typed and typed.strip() else (replied or "").strip()


async def answer_for(db: Database, organization: str, text: str) -> Answer:
    """What /cek says about any text."""
    official = await genuine_answer(db, organization, text)
    if official is not None:
        return official
    return await registry_answer(db, text)


async def genuine_answer(db: Database, organization: str, text: str) -> Answer | None:
    """asli / diubah / tidak ditemukan for an announcement or its number; None for any
    other text (that is the registry's)."""
    number = genuine.number_query(text)
    if number is not None:
        sent = await genuine.lookup(db, number, organization)
        if sent is None:
            return Answer(genuine_texts.no_such_number(organization, number), offer_report=False)
        reply = genuine_texts.announcement(
            organization, sent.id, sent.sent_on, sent.body, sent.withdrawn
        )
        return Answer(reply, offer_report=False)
    if not genuine.looks_official(text, organization):
        return None
    finding = await genuine.check(db, text, organization)
    found = finding.announcement
    if finding.outcome is Outcome.GENUINE and found is not None and finding.relayed:
        reply = genuine_texts.relayed(
            organization, found.id, found.sent_on, finding.trimmed, found.withdrawn
        )
        return Answer(reply, offer_report=False)
    if finding.outcome is Outcome.GENUINE and found is not None:
        reply = genuine_texts.genuine(organization, found.id, found.sent_on, found.withdrawn)
        return Answer(reply, offer_report=False)
    if finding.outcome is Outcome.ALTERED and found is not None:
        changes = [(change.before, change.after) for change in finding.changes]
        reply = genuine_texts.altered(
            found.id, found.sent_on, changes, finding.more_changes, found.withdrawn
        )
        return Answer(reply, offer_report=True)
    reply = genuine_texts.not_found(organization, finding.claimed, finding.claimed_exists)
    matches = await search(db, text, limit=3)
    if matches:
        reply += "\n\n" + texts.results(matches)
    return Answer(reply, offer_report=True)


async def registry_answer(db: Database, text: str) -> Answer:
    """`cocok` matches, `terkait` ones (reportable), or "not in the registry yet"."""
    matches = await search(db, text, limit=3)
    if not matches:
        return Answer(texts.NOT_FOUND, offer_report=True)
    # Only related fact-checks: the text itself is still unchecked, so it can be reported.
    # A match needs no report, and the answer then goes to the /cek message itself.
    unchecked = not any(m.tier is Tier.COCOK for m in matches)
    return Answer(texts.results(matches), offer_report=unchecked, quote=unchecked)
