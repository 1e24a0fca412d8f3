"""The group guard: in a group that opted in, a message repeating a registered hoax gets a
short clarification card as a reply.

Only a `cocok` match speaks up (`bot.hoax_search`: above every text of the calibration
set of unrelated true texts, recalibrated at each import), because a wrong card in a
village group costs the office more trust than a missed one; `/cek` is there for the
doubtful cases and shows `terkait` ones too. Only claims judged false or misleading are
guarded; a text matching a fact is left alone.

A group hears about one hoax at most once per `QUIET_PERIOD`, however often it is
repeated: the card is there for the first forward, and a bot answering every copy would
drown the group's own conversation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import audit, chats
from bot.chats import ChatType
from bot.clock import isoformat
from bot.hoax_search import Match, Tier, search
from bot.hoaxes import Verdict
from bot.storage import Database

QUIET_PERIOD = timedelta(hours=1)
GUARDED = frozenset({Verdict.HOAKS, Verdict.DISINFORMASI, Verdict.MISINFORMASI})
ON_WORDS = frozenset({"on", "aktif", "nyala", "nyalakan"})
OFF_WORDS = frozenset({"off", "mati", "matikan", "nonaktif"})


def wanted_state(words: list[str]) -> bool | None:
    """What `/penjaga <word>` asks for: on (True), off (False), or None when unclear."""
    if len(words) != 1 or words[0].lower() not in ON_WORDS | OFF_WORDS:
        return None
    return words[0].lower() in ON_WORDS


async def is_on(db: Database, chat_id: int) -> bool:
    return bool(await db.fetchval("SELECT 1 FROM guard_chats WHERE chat_id = ?", (chat_id,)))


async def switch(
    db: Database,
    *,
    chat_id: int,
    chat_type: ChatType,
    title: str,
    on: bool,
    actor_id: int | None,
    now: datetime,
) -> bool:
    """Turn the guard on or off for a group; True when that changed something (audited)."""
    async with db.transaction() as conn:
        if on:
            await chats.record_in(conn, chat_id=chat_id, chat_type=chat_type, title=title, now=now)
            cursor = await conn.execute(
                "INSERT INTO guard_chats(chat_id, enabled_at) VALUES (?, ?)"
                " ON CONFLICT(chat_id) DO NOTHING",
                (chat_id, isoformat(now)),
            )
        else:
            cursor = await conn.execute("DELETE FROM guard_chats WHERE chat_id = ?", (chat_id,))
        return await audit.record_if(
            conn,
            cursor.rowcount > 0,
            at=now,
            actor_id=actor_id,
            action="guard.on" if on else "guard.off",
            object_type="chat",
            object_id=chat_id,
        )


async def watch(db: Database, chat_id: int, text: str, *, now: datetime) -> Match | None:
    """The registered hoax a group message repeats, when the group should hear about it now.

    None when the guard is off, nothing matches well enough, or the group was told about
    that hoax within the quiet period. A returned match counts as told.
    """
    if not text.strip() or not await is_on(db, chat_id):
        return None
    matches = await search(db, text, limit=3)
    found = next((m for m in matches if m.tier is Tier.COCOK and m.entry.verdict in GUARDED), None)
    if found is None:
        return None
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT last_at FROM guard_notices WHERE chat_id = ? AND hoax_id = ?",
            (chat_id, found.entry.id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None and now - datetime.fromisoformat(row[0]) < QUIET_PERIOD:
            return None
        # The guard may have been switched off meanwhile: then nothing is written.
        cursor = await conn.execute(
            "INSERT INTO guard_notices(chat_id, hoax_id, last_at)"
            " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM guard_chats WHERE chat_id = ?)"
            " ON CONFLICT(chat_id, hoax_id) DO UPDATE SET last_at = excluded.last_at",
            (chat_id, found.entry.id, isoformat(now), chat_id),
        )
    return found if cursor.rowcount > 0 else None
