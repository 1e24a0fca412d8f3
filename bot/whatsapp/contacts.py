"""The people who write to the office's WhatsApp number.

Each is a person in `people` (so subscriptions, reports, digests and `/hapusdata` are the
same as on Telegram) under an id from `bot.addresses.WHATSAPP_BASE` up; the phone number
(Meta's `wa_id`, digits only) is stored once, here, and shown only masked (`mask`) in logs
and exports. Ids are never reused: a forgotten person who writes again is someone new.

The 24-hour customer-service window: WhatsApp lets a business send free text only within
24 hours of the person's last message; outside it only an approved template goes.
`last_inbound_at` (Unix time) records that message; `in_window` keeps a margin so a text
sent just before the window closes is not refused on its way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.addresses import WHATSAPP_BASE
from bot.clock import isoformat
from bot.storage import Database, from_row

WINDOW = 24 * 3600.0
WINDOW_MARGIN = 15 * 60.0
_NEXT_ID = "whatsapp_next_id"


@dataclass(frozen=True)
class Contact:
    user_id: int
    phone: str
    name: str
    last_inbound_at: float | None
    marketing_stopped: bool

    def in_window(self, now: float) -> bool:
        """Whether a free text may be sent at `now` (Unix time)."""
        return in_window(self.last_inbound_at, now)

    @property
    def masked(self) -> str:
        return mask(self.phone)


def in_window(last_inbound_at: float | None, now: float) -> bool:
    """Whether someone who last wrote at `last_inbound_at` may get a free text at `now`."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW - WINDOW_MARGIN


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def mask(phone: str) -> str:
    """ "6281234567890" → "62812****7890": enough to tell numbers apart in a log."""
    number = digits(phone)
    if len(number) <= 6:
        return "*" * len(number)
    return number[:5] + "*" * (len(number) - 9 if len(number) > 9 else 1) + number[-4:]


async def remember(db: Database, phone: str, name: str, now: datetime, at: float) -> int:
    """Record a message from `phone` at `at` (Unix time): the person's id, made the first
    time; their window opens and they are reachable again."""
    number = digits(phone)
    stamp = isoformat(now)
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT user_id FROM whatsapp_contacts WHERE phone = ?", (number,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            async with conn.execute("SELECT value FROM meta WHERE key = ?", (_NEXT_ID,)) as cur:
                stored = await cur.fetchone()
            user_id = int(stored[0]) if stored else WHATSAPP_BASE
            await conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (_NEXT_ID, str(user_id + 1)),
            )
        else:
            user_id = int(row[0])
        await conn.execute(
            "INSERT INTO people(user_id, first_name, first_seen, last_seen, reachable)"
            " VALUES (?, ?, ?, ?, 1) ON CONFLICT(user_id) DO UPDATE SET"
            " first_name = excluded.first_name, last_seen = excluded.last_seen, reachable = 1",
            (user_id, name[:64], stamp, stamp),
        )
        await conn.execute(
            "INSERT INTO whatsapp_contacts(user_id, phone, last_inbound_at) VALUES (?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET"
            " last_inbound_at = MAX(COALESCE(last_inbound_at, 0), excluded.last_inbound_at)",
            (user_id, number, at),
        )
    return user_id


async def find(db: Database, user_id: int) -> Contact | None:
    row = await db.fetchone(
        "SELECT c.user_id, c.phone, p.first_name AS name, c.last_inbound_at,"
        " c.marketing_stopped FROM whatsapp_contacts c JOIN people p USING (user_id)"
        " WHERE c.user_id = ?",
        (user_id,),
    )
    if row is None:
        return None
    return from_row(Contact, row, marketing_stopped=bool(row["marketing_stopped"]))


async def by_phone(db: Database, phone: str) -> int | None:
    value = await db.fetchval(
        "SELECT user_id FROM whatsapp_contacts WHERE phone = ?", (digits(phone),)
    )
    return None if value is None else int(value)


async def set_marketing_stopped(db: Database, user_id: int, stopped: bool) -> None:
    """The person turned marketing messages off in WhatsApp (131050): templates to them
    fail until they write again."""
    await db.write(
        "UPDATE whatsapp_contacts SET marketing_stopped = ? WHERE user_id = ?",
        (int(stopped), user_id),
    )


async def count(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM whatsapp_contacts") or 0)
