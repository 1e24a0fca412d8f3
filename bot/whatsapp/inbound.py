"""Incoming messages handled once, and none left unanswered by a stop or a crash.

Meta retries a webhook it thinks failed, so the same message id can arrive again (minutes or
days later): `first_time` records every id. Meta gets its 200 before the conversation runs
(Meta retries slow answers), so the message itself is kept (`owe`) until the conversation
has taken it (`taken`); whatever a stop cut short or a crash lost is answered at the next
start (`owed`), if it is less than a day old. Only the message's own fields are kept, never
the phone number (that is in `whatsapp_contacts`), and the text goes once it is taken.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta

from bot.clock import isoformat
from bot.storage import Database
from bot.whatsapp.replies import Incoming, Kind

STALE = timedelta(days=1)  # an answer later than this would make no sense any more


async def first_time(db: Database, wamid: str, now: datetime) -> bool:
    """Record `wamid` as handled; False when it already was (a retried delivery)."""
    changed = await db.write(
        "INSERT INTO whatsapp_inbound(wamid, at) VALUES (?, ?) ON CONFLICT(wamid) DO NOTHING",
        (wamid, isoformat(now)),
    )
    return changed > 0


async def owe(db: Database, message: Incoming) -> None:
    """Keep the message until the conversation has taken it."""
    await db.write(
        "UPDATE whatsapp_inbound SET user_id = ?, message = ? WHERE wamid = ?",
        (message.user_id, json.dumps(asdict(message)), message.wamid),
    )


async def taken(db: Database, wamid: str) -> None:
    """The conversation has taken the message (its effects are stored): forget the text."""
    await db.write("UPDATE whatsapp_inbound SET message = NULL WHERE wamid = ?", (wamid,))


async def owed(db: Database, now: datetime) -> list[Incoming]:
    """Messages a stop or a crash left unanswered, oldest first; older ones are dropped."""
    await db.write(
        "UPDATE whatsapp_inbound SET message = NULL WHERE message IS NOT NULL AND at < ?",
        (isoformat(now - STALE),),
    )
    rows = await db.fetchall(
        "SELECT message FROM whatsapp_inbound WHERE message IS NOT NULL ORDER BY at, rowid"
    )
    found = []
    for row in rows:
        fields = json.loads(row[0])
        found.append(Incoming(**{**fields, "kind": Kind(fields["kind"])}))
    return found
