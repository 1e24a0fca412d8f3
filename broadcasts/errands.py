"""Long work started from a handler, done by the dispatcher: withdrawals and notices.

A handler never awaits work that takes minutes (deleting an announcement from thousands of
chats, telling every reporter of a case the verdict), and neither does shutdown. The handler
writes what is owed in its own transaction and wakes the dispatcher, which drains it beside
the outbox, under the same pacing (sends first, then deletions, then notices, in each
batch), and picks it up again by itself after a restart.

- Deletions need no table of their own: a `sent` outbox row of a `withdrawn` announcement
  with `withdrawn = 0` is a deletion owed. Its outcome is recorded as soon as it is known
  (1 deleted, -1 cannot be deleted: older than Telegram's 48 hours, or refused). A network
  error puts the row off (`withdraw_after`, doubling from the retry backoff); after
  `max_attempts` tries it counts as not deletable, so a withdrawal always ends.
- Notices are one text to one chat (bot/notices.py): a verdict for a reporter, or the
  summary of a withdrawal for the operator who asked for it, written when the withdrawal ends.

Crash semantics are the outbox's: a delete or a notice in flight when the process dies is
tried once more after the restart. A second delete of a message Telegram already deleted is
answered "message to delete not found", which counts as deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import audit, notices
from bot.addresses import Channel
from bot.storage import Database, from_row
from bot.texts import siaran as t

DELETE_WINDOW = timedelta(hours=48)
DELETED, UNDELETABLE = 1, -1


@dataclass(frozen=True)
class Deletion:
    """One chat's copy of a withdrawn announcement, still to be deleted."""

    row_id: int
    announcement_id: int
    chat_id: int
    kind: str
    message_ids: tuple[int, ...]
    sent_at: str | None
    tries: int

    def too_old(self, now: datetime) -> bool:
        return self.sent_at is None or datetime.fromisoformat(self.sent_at) <= now - DELETE_WINDOW


@dataclass(frozen=True)
class Withdrawal:
    deleted: int  # chats the announcement was removed from
    undeletable: int  # chats where it stays (older than 48 hours, or Telegram refused)
    remaining: int  # chats not done yet


async def due_deletions(
    db: Database,
    *,
    now: float,
    limit: int,
    exclude: Iterable[int] = (),
    channel: Channel = Channel.TELEGRAM,
) -> list[Deletion]:
    """The channel's deletions owed whose time has come, most urgent announcement rows first."""
    skip = sorted(exclude)
    not_in = f" AND o.id NOT IN ({', '.join('?' for _ in skip)})" if skip else ""
    rows = await db.fetchall(
        "SELECT o.id AS row_id, o.announcement_id, o.chat_id, o.kind, o.message_ids, o.sent_at,"
        " o.withdraw_tries AS tries FROM announcements a JOIN outbox o ON o.announcement_id = a.id"
        " WHERE a.status = 'withdrawn' AND o.channel = ? AND o.status = 'sent'"
        f" AND o.withdrawn = 0 AND o.withdraw_after <= ?{not_in} ORDER BY o.priority, o.id"
        " LIMIT ?",
        (channel, now, *skip, limit),
    )
    return [
        from_row(Deletion, row, message_ids=tuple(json.loads(row["message_ids"] or "[]")))
        for row in rows
    ]


async def record_deletion(db: Database, row_id: int, outcome: int) -> None:
    """DELETED or UNDELETABLE, once."""
    await db.write(
        "UPDATE outbox SET withdrawn = ? WHERE id = ? AND withdrawn = 0", (outcome, row_id)
    )


async def retry_deletion(db: Database, row_id: int, *, not_before: float) -> None:
    await db.write(
        "UPDATE outbox SET withdraw_after = ?, withdraw_tries = withdraw_tries + 1 WHERE id = ?",
        (not_before, row_id),
    )


async def totals(db: Database, announcement_id: int) -> Withdrawal:
    row = await db.fetchone(
        "SELECT COALESCE(SUM(withdrawn = 1), 0), COALESCE(SUM(withdrawn = -1), 0),"
        " COALESCE(SUM(withdrawn = 0), 0)"
        " FROM outbox WHERE announcement_id = ? AND status = 'sent'",
        (announcement_id,),
    )
    assert row is not None  # an aggregate always returns one row
    return Withdrawal(int(row[0]), int(row[1]), int(row[2]))


async def notice_text(db: Database, notice: notices.Notice, now: datetime) -> str:
    """The notice's text; a withdrawal's summary is written (and audited) the first time."""
    if notice.text is not None:
        return notice.text
    assert notice.after_withdrawal is not None  # the table's CHECK
    announcement_id = notice.after_withdrawal
    result = await totals(db, announcement_id)
    text = t.withdrawn(f"#{announcement_id}", result.deleted, result.undeletable)
    async with db.transaction() as conn:
        await notices.write_text(conn, notice.id, text)
        await audit.record(
            conn,
            at=now,
            actor_id=None,
            action="announcement.withdraw_result",
            object_type="announcement",
            object_id=announcement_id,
            detail={"deleted": result.deleted, "undeletable": result.undeletable},
        )
    return text
