"""Incoming messages handled once: Meta retries a webhook it thinks failed, so the same
message id can arrive again (minutes or days later)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import isoformat
from bot.storage import Database


async def first_time(db: Database, wamid: str, now: datetime) -> bool:
    """Record `wamid` as handled; False when it already was (a retried delivery)."""
    changed = await db.write(
        "INSERT INTO whatsapp_inbound(wamid, at) VALUES (?, ?) ON CONFLICT(wamid) DO NOTHING",
        (wamid, isoformat(now)),
    )
    return changed > 0
