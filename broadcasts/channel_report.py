"""Delivery per channel, for the final report, /riwayat and /statistik.

The outbox says what was sent, failed or still waits, per channel (`outbox.channel`).
WhatsApp also says, by webhook, what reached the phone and what was read
(`whatsapp_messages.status`, only ever moving forward), and which sends were templates,
each paid at WHATSAPP_TEMPLATE_PRICE. A row counts as delivered or read once, however many
messages it took (a template and then the text).

Everything returns None where there is no WhatsApp row, so a Telegram-only office keeps
its reports as they were. Read-only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.storage import Database
from bot.whatsapp.contacts import mask

_CHUNK = 500


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    failed: int = 0
    pending: int = 0


@dataclass(frozen=True)
class ChannelReport:
    telegram: Counts = field(default_factory=Counts)
    whatsapp: Counts = field(default_factory=Counts)
    delivered: int = 0  # WhatsApp rows that reached the phone (read ones included)
    read: int = 0
    templates: int = 0
    cost: float = 0.0  # rupiah


_COUNTS = (
    "SELECT o.channel, SUM(o.status = 'sent'), SUM(o.status = 'failed'),"
    " SUM(o.status = 'pending') FROM outbox o WHERE {where} GROUP BY o.channel"
)
_PHONES = (
    "SELECT COUNT(DISTINCT CASE WHEN m.status IN ('delivered', 'read') THEN m.outbox_id END),"
    " COUNT(DISTINCT CASE WHEN m.status = 'read' THEN m.outbox_id END),"
    " COALESCE(SUM(m.template), 0)"
    " FROM whatsapp_messages m JOIN outbox o ON o.id = m.outbox_id WHERE {where}"
)
_MONTH = (
    "o.announcement_id IN (SELECT id FROM announcements"
    " WHERE status IN ('sending', 'sent', 'withdrawn') AND substr(verified_at, 1, 7) = ?)"
)


async def of_announcement(db: Database, announcement_id: int, price: float) -> ChannelReport | None:
    """One announcement's delivery per channel; None when it had no WhatsApp recipient."""
    return await _report(db, "o.announcement_id = ?", (announcement_id,), price)


async def of_month(db: Database, month: str, price: float) -> ChannelReport | None:
    """The announcements approved in `month` ("YYYY-MM", as /statistik groups them)."""
    return await _report(db, _MONTH, (month,), price)


async def _report(
    db: Database, where: str, params: tuple[object, ...], price: float
) -> ChannelReport | None:
    by_channel = {
        str(row[0]): Counts(int(row[1] or 0), int(row[2] or 0), int(row[3] or 0))
        for row in await db.fetchall(_COUNTS.format(where=where), params)
    }
    whatsapp = by_channel.get("whatsapp")
    if whatsapp is None:
        return None
    row = await db.fetchone(_PHONES.format(where=where), params)
    assert row is not None  # an aggregate always returns one row
    delivered, read, templates = (int(value or 0) for value in tuple(row))
    return ChannelReport(
        telegram=by_channel.get("telegram", Counts()),
        whatsapp=whatsapp,
        delivered=delivered,
        read=read,
        templates=templates,
        cost=templates * price,
    )


async def masked_phones(db: Database, user_ids: Iterable[int]) -> dict[int, str]:
    """Person id → masked number, for exports that must not show either in full."""
    ids = sorted(set(user_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows = await db.fetchall(
            f"SELECT user_id, phone FROM whatsapp_contacts WHERE user_id IN ({marks})", chunk
        )
        found.update((int(row[0]), mask(str(row[1]))) for row in rows)
    return found
