"""Notices the bot owes: one short text to one chat, sent later by the dispatcher.

A handler that would otherwise send many messages (a verdict to every reporter of a case)
writes them here in its own transaction and returns at once; the dispatcher sends them under
the broadcast pacing and resumes them after a restart (broadcasts/errands.py). A notice whose
text is still NULL waits for a withdrawal to finish: its text, the withdrawal's totals, is
written when the announcement owes no more deletions.

A row lives only until it is sent or given up, so nothing personal stays here afterwards;
a sent verdict also marks its report answered, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.addresses import Channel, channel_of
from bot.clock import isoformat
from bot.storage import Database, from_row
from bot.whatsapp import markup


@dataclass(frozen=True)
class Notice:
    id: int
    chat_id: int
    text: str | None  # None: the summary of withdrawing `after_withdrawal`, not written yet
    report_id: int | None  # a hoax report this answers
    after_withdrawal: int | None
    attempts: int


async def enqueue(
    conn: aiosqlite.Connection, chat_id: int, text: str, *, report_id: int | None = None
) -> None:
    """Inside the caller's transaction. `text` is the catalog's HTML; it is stored as the
    chat's channel writes it (WhatsApp has its own marks, bot/whatsapp/markup.py)."""
    channel = channel_of(chat_id)
    if channel is Channel.WHATSAPP:
        text = markup.from_html(text)
    await conn.execute(
        "INSERT INTO notices(chat_id, text, report_id, channel) VALUES (?, ?, ?, ?)",
        (chat_id, text, report_id, channel),
    )


async def enqueue_after_withdrawal(
    conn: aiosqlite.Connection, chat_id: int, announcement_id: int
) -> None:
    """Inside the caller's transaction: tell `chat_id` how the withdrawal went, once done."""
    await conn.execute(
        "INSERT INTO notices(chat_id, after_withdrawal) VALUES (?, ?)", (chat_id, announcement_id)
    )


async def due(
    db: Database,
    *,
    now: float,
    limit: int,
    exclude: Iterable[int] = (),
    channel: Channel = Channel.TELEGRAM,
) -> list[Notice]:
    """The channel's notices whose time has come, oldest first; a withdrawal's summary only
    once the announcement owes no deletion."""
    skip = sorted(exclude)
    not_in = f" AND n.id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
    rows = await db.fetchall(
        "SELECT n.id, n.chat_id, n.text, n.report_id, n.after_withdrawal, n.attempts"
        " FROM notices n WHERE n.channel = ? AND n.not_before <= ?"
        " AND (n.after_withdrawal IS NULL OR NOT EXISTS (SELECT 1 FROM outbox o"
        "   WHERE o.announcement_id = n.after_withdrawal AND o.status = 'sent'"
        f"   AND o.withdrawn = 0)){not_in} ORDER BY n.id LIMIT ?",
        (channel, now, *skip, limit),
    )
    return [from_row(Notice, row) for row in rows]


async def write_text(conn: aiosqlite.Connection, notice_id: int, text: str) -> None:
    """Inside the caller's transaction: the waiting notice's text is now known."""
    await conn.execute(
        "UPDATE notices SET text = ?, after_withdrawal = NULL WHERE id = ?", (text, notice_id)
    )


async def sent(db: Database, notice: Notice, now: datetime) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM notices WHERE id = ?", (notice.id,))
        if notice.report_id is not None:
            await conn.execute(
                "UPDATE hoax_reports SET answered_at = ? WHERE id = ?",
                (isoformat(now), notice.report_id),
            )


async def drop(db: Database, notice_id: int) -> None:
    """Given up (the chat is gone, or it failed too often)."""
    await db.write("DELETE FROM notices WHERE id = ?", (notice_id,))


async def retry_later(
    db: Database, notice_id: int, *, not_before: float, count_attempt: bool = True
) -> None:
    await db.write(
        "UPDATE notices SET not_before = ?, attempts = attempts + ? WHERE id = ?",
        (not_before, 1 if count_attempt else 0, notice_id),
    )
