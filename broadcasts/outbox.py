"""The durable outbox: one row per (announcement, chat), the only record of what is owed.

Crash semantics: a row is `pending` until the send's answer has been recorded. A crash
between Telegram accepting a message and the `sent` update leaves the row pending, so it is
sent again after the restart: at most once more per row that was in flight, never skipped.
Every answer is recorded on its own (one statement, cheap in WAL mode), the parts of a long
text one by one, so a crash can duplicate no more than the requests awaiting an answer;
the dispatcher keeps those as few as the rate needs (broadcasts/pacing.py, `InFlight`).

Storage failures: when the database refuses a write (a full disk, a read-only file), the
answer is not lost and the row is not sent again while the process lives: the dispatcher
holds the record in memory, takes no new rows, and writes it first once the database takes
writes again (broadcasts/backlog.py). Only a crash or a stop during the outage loses the held
records, and then each of those rows is sent once more after the restart, as above. A file
that cannot be used at all stops the bot at start (bot/storage.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from bot.addresses import Channel, channel_of
from bot.clock import isoformat
from bot.storage import Database, from_row


@dataclass(frozen=True)
class Row:
    id: int
    announcement_id: int
    chat_id: int
    kind: str
    priority: int
    attempts: int
    reply_to: int | None
    message_ids: tuple[int, ...] = ()  # parts already sent (a long text is several messages)


@dataclass
class Progress:
    total: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped


async def enqueue(
    conn: aiosqlite.Connection,
    announcement_id: int,
    rows: Sequence[tuple[int, str]],
    *,
    priority: int,
    reply_to: dict[int, int] | None = None,
) -> None:
    """Write the rows inside the caller's transaction; idempotent per (announcement, chat).
    Each row goes by the channel its chat id belongs to (bot/addresses.py)."""
    replies = reply_to or {}
    await conn.executemany(
        "INSERT OR IGNORE INTO outbox(announcement_id, chat_id, kind, priority, reply_to,"
        " channel) VALUES (?, ?, ?, ?, ?, ?)",
        (
            (announcement_id, chat_id, kind, priority, replies.get(chat_id), channel_of(chat_id))
            for chat_id, kind in rows
        ),
    )


async def due(
    db: Database,
    *,
    now: float,
    limit: int,
    exclude: Iterable[int] = (),
    channel: Channel = Channel.TELEGRAM,
) -> list[Row]:
    """The channel's pending rows whose time has come, most urgent first, skipping rows
    already in flight."""
    skip = sorted(exclude)
    not_in = f" AND id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
    rows = await db.fetchall(
        "SELECT id, announcement_id, chat_id, kind, priority, attempts, reply_to, message_ids"
        " FROM outbox WHERE channel = ? AND status = 'pending' AND not_before <= ?"
        f"{not_in} ORDER BY priority, id LIMIT ?",
        (channel, now, *skip, limit),
    )
    return [
        from_row(Row, row, message_ids=tuple(json.loads(row["message_ids"] or "[]")))
        for row in rows
    ]


async def next_due_time(db: Database, channel: Channel = Channel.TELEGRAM) -> float | None:
    """When the channel's earliest deferred row becomes due (None if nothing is pending)."""
    value = await db.fetchval(
        "SELECT MIN(not_before) FROM outbox WHERE channel = ? AND status = 'pending'", (channel,)
    )
    return None if value is None else float(value)


async def delivered_as(db: Database, chat_id: int, message_id: int) -> tuple[int, str] | None:
    """The announcement and chat kind that `message_id` in that chat delivered, if any.

    Only for the rare look-up of an old message's buttons (bot/keyboards.py): there is no
    index on chat_id, to keep the hot path of writing and claiming rows as it is.
    """
    row = await db.fetchone(
        "SELECT announcement_id, kind FROM outbox WHERE chat_id = ? AND message_ids IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM json_each(outbox.message_ids) WHERE value = ?)"
        " ORDER BY id DESC LIMIT 1",
        (chat_id, message_id),
    )
    return None if row is None else (int(row[0]), str(row[1]))


async def mark_sent(db: Database, row_id: int, message_ids: list[int], now: datetime) -> None:
    await db.write(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, message_ids = ?,"
        " sent_at = ?, last_error = NULL WHERE id = ? AND status = 'pending'",
        (json.dumps(message_ids), isoformat(now), row_id),
    )


async def record_parts(db: Database, row_id: int, message_ids: list[int]) -> None:
    """The first parts of a long text went out; the row stays pending for the rest."""
    await db.write(
        "UPDATE outbox SET message_ids = ? WHERE id = ? AND status = 'pending'",
        (json.dumps(message_ids), row_id),
    )


async def mark_failed(db: Database, row_id: int, reason: str, error: str) -> None:
    await db.write(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, reason = ?,"
        " last_error = ? WHERE id = ? AND status = 'pending'",
        (reason, error[:500], row_id),
    )


async def retry_later(
    db: Database,
    row_id: int,
    *,
    not_before: float,
    error: str,
    sent: list[int] | None = None,
    count_attempt: bool = True,
) -> None:
    """Leave the row pending, due again at `not_before` (a time.time() value); `sent` keeps
    the parts that already went out so they are not sent twice."""
    await db.write(
        "UPDATE outbox SET not_before = ?, last_error = ?, attempts = attempts + ?,"
        " message_ids = COALESCE(?, message_ids) WHERE id = ? AND status = 'pending'",
        (
            not_before,
            error[:500],
            1 if count_attempt else 0,
            json.dumps(sent) if sent else None,
            row_id,
        ),
    )


async def move_chat(db: Database, row_id: int, new_chat_id: int) -> bool:
    """Follow a group that became a supergroup; False (row skipped) when the new chat already
    has a row for the same announcement."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT 1 FROM outbox o JOIN outbox n ON n.announcement_id = o.announcement_id"
            " WHERE o.id = ? AND n.chat_id = ?",
            (row_id, new_chat_id),
        ) as cursor:
            clash = await cursor.fetchone() is not None
        if clash:
            await conn.execute(
                "UPDATE outbox SET status = 'skipped', reason = 'migrated_duplicate' WHERE id = ?",
                (row_id,),
            )
            return False
        await conn.execute("UPDATE outbox SET chat_id = ? WHERE id = ?", (new_chat_id, row_id))
        return True


async def cancel(db: Database, announcement_id: int) -> int:
    """Skip every pending row of the announcement; returns how many."""
    return await db.write(
        "UPDATE outbox SET status = 'skipped', reason = 'cancelled'"
        " WHERE announcement_id = ? AND status = 'pending'",
        (announcement_id,),
    )


async def progress(db: Database, announcement_id: int) -> Progress:
    result = Progress()
    rows = await db.fetchall(
        "SELECT status, reason, COUNT(*) FROM outbox WHERE announcement_id = ?"
        " GROUP BY status, reason",
        (announcement_id,),
    )
    for status, reason, count in rows:
        result.total += count
        if status == "sent":
            result.sent += count
        elif status == "pending":
            result.pending += count
        elif status == "skipped":
            result.skipped += count
        else:
            result.failed += count
            result.failed_by_reason[reason or "lainnya"] = (
                result.failed_by_reason.get(reason or "lainnya", 0) + count
            )
    return result


async def failures(db: Database, announcement_id: int) -> list[tuple[int, str, str, str, int]]:
    """(chat_id, kind, reason, last error, attempts) of every failed row, for the CSV."""
    rows = await db.fetchall(
        "SELECT chat_id, kind, reason, COALESCE(last_error, ''), attempts FROM outbox"
        " WHERE announcement_id = ? AND status = 'failed' ORDER BY id",
        (announcement_id,),
    )
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in rows]


async def original_messages(db: Database, announcement_id: int | None) -> dict[int, int]:
    """chat → first message id of a sent announcement (a correction replies to it)."""
    if announcement_id is None:
        return {}
    rows = await db.fetchall(
        "SELECT chat_id, message_ids FROM outbox WHERE announcement_id = ? AND status = 'sent'",
        (announcement_id,),
    )
    return {int(row[0]): json.loads(row[1])[0] for row in rows if row[1] and json.loads(row[1])}
