"""Checking texts and reporting hoaxes on WhatsApp: CEK, forwarded messages and LAPOR.

Not built yet: each answers that the feature is coming, so the conversation's routing to it
is in place.
"""

from __future__ import annotations

from bot.services import Services
from bot.texts import whatsapp as t
from bot.whatsapp.contacts import Contact
from bot.whatsapp.replies import Incoming, Reply, Text


async def check(services: Services, contact: Contact, text: str) -> list[Reply]:
    """CEK <teks>, or a forwarded text: what is known about it."""
    return [Text(t.SOON)]


async def report_prompt(services: Services, contact: Contact) -> list[Reply]:
    """LAPOR: ask for the suspicious message."""
    return [Text(t.SOON)]


async def report(services: Services, contact: Contact, message: Incoming) -> list[Reply]:
    """The message sent after LAPOR: the report."""
    return [Text(t.SOON)]
