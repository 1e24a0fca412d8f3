"""Taking an announcement back: withdrawing it from every chat, or correcting it.

Withdrawal: the announcement becomes `withdrawn` (one conditional UPDATE, so it happens once),
then the messages of each sent row are deleted one by one under the dispatcher's pacing. Each
row's outcome is recorded as soon as it is known (`outbox.withdrawn`: 1 deleted, -1 cannot be
deleted), so a withdrawal interrupted by a restart resumes with the rows still at 0 and never
deletes twice. Telegram lets a bot delete its messages for 48 hours only: older rows are not
even tried. A network error leaves its row at 0 for the next run.

Correction: a new draft with `correction_of` set, going exactly to the chats where the
original arrived (as a reply to it there, see `announcements.approve`); it is verified like
any other announcement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from telegram import MessageEntity

from bot import audit
from bot.clock import Clock
from bot.storage import Database
from broadcasts import announcements, outbox
from broadcasts.announcements import Status
from broadcasts.content import Body, Kind
from broadcasts.sender import DeliveryError, Rejected, Transient
from broadcasts.targets import Targets

DELETE_WINDOW = timedelta(hours=48)
DELETED, UNDELETABLE = 1, -1
TRANSIENT_TRIES = 3


class Deleter(Protocol):
    async def delete(self, chat_id: int, kind: str, message_id: int) -> None: ...


@dataclass(frozen=True)
class Withdrawal:
    deleted: int  # chats the announcement was removed from
    undeletable: int  # chats where it stays (older than 48 hours, or Telegram refused)
    remaining: int  # chats not done yet (network trouble): running again finishes them


async def begin_withdrawal(
    db: Database, announcement_id: int, *, actor_id: int, now: datetime
) -> bool:
    """Sent → withdrawn (audited); True also for an already withdrawn announcement, whose
    unfinished rows the next `withdraw` picks up."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE announcements SET status = 'withdrawn' WHERE id = ? AND status = 'sent'",
            (announcement_id,),
        )
        if cursor.rowcount:
            await audit.record(
                conn,
                at=now,
                actor_id=actor_id,
                action="announcement.withdraw",
                object_type="announcement",
                object_id=announcement_id,
            )
            return True
    announcement = await announcements.get(db, announcement_id)
    return announcement is not None and announcement.status is Status.WITHDRAWN


async def withdraw(
    db: Database, deleter: Deleter, clock: Clock, announcement_id: int
) -> Withdrawal:
    """Delete the announcement wherever it is still owed a deletion; returns the totals so far."""
    rows = await db.fetchall(
        "SELECT id, chat_id, kind, message_ids, sent_at FROM outbox"
        " WHERE announcement_id = ? AND status = 'sent' AND withdrawn = 0 ORDER BY priority, id",
        (announcement_id,),
    )
    for row_id, chat_id, kind, message_ids, sent_at in rows:
        outcome = await _delete_row(
            deleter, clock.now(), int(chat_id), str(kind), json.loads(message_ids or "[]"), sent_at
        )
        if outcome is not None:
            async with db.transaction() as conn:
                await conn.execute(
                    "UPDATE outbox SET withdrawn = ? WHERE id = ? AND withdrawn = 0",
                    (outcome, row_id),
                )
    result = await totals(db, announcement_id)
    async with db.transaction() as conn:
        await audit.record(
            conn,
            at=clock.now(),
            actor_id=None,
            action="announcement.withdraw_result",
            object_type="announcement",
            object_id=announcement_id,
            detail={
                "deleted": result.deleted,
                "undeletable": result.undeletable,
                "remaining": result.remaining,
            },
        )
    return result


async def _delete_row(
    deleter: Deleter,
    now: datetime,
    chat_id: int,
    kind: str,
    message_ids: Sequence[int],
    sent_at: str | None,
) -> int | None:
    """DELETED, UNDELETABLE, or None when a network error leaves the row for a later run."""
    if sent_at is None or datetime.fromisoformat(sent_at) <= now - DELETE_WINDOW:
        return UNDELETABLE
    for message_id in message_ids:
        for attempt in range(TRANSIENT_TRIES):
            try:
                await deleter.delete(chat_id, kind, message_id)
                break
            except Transient:
                if attempt == TRANSIENT_TRIES - 1:
                    return None
            except Rejected as error:
                if "not found" in error.detail.lower():
                    break  # someone already deleted it: that is what we wanted
                return UNDELETABLE
            except DeliveryError:  # the bot was removed or blocked
                return UNDELETABLE
    return DELETED


async def totals(db: Database, announcement_id: int) -> Withdrawal:
    row = await db.fetchone(
        "SELECT COALESCE(SUM(withdrawn = 1), 0), COALESCE(SUM(withdrawn = -1), 0),"
        " COALESCE(SUM(withdrawn = 0), 0)"
        " FROM outbox WHERE announcement_id = ? AND status = 'sent'",
        (announcement_id,),
    )
    assert row is not None  # an aggregate always returns one row
    return Withdrawal(int(row[0]), int(row[1]), int(row[2]))


class CorrectionProblem(StrEnum):
    NOT_SENT = "not_sent"  # unknown, still sending, or withdrawn
    NO_CHATS = "no_chats"  # it reached nobody


async def create_correction(
    db: Database,
    original_id: int,
    *,
    author_id: int,
    text: str,
    entities: Sequence[MessageEntity] = (),
    now: datetime,
) -> int | CorrectionProblem:
    """A draft correcting a sent announcement: same topic and urgency, exactly its chats."""
    original = await announcements.get(db, original_id)
    if original is None or original.status is not Status.SENT:
        return CorrectionProblem.NOT_SENT
    chats = await outbox.original_messages(db, original_id)
    if not chats:
        return CorrectionProblem.NO_CHATS
    draft_id = await announcements.create_draft(
        db,
        author_id=author_id,
        body=Body(Kind.TEXT, text, tuple(entities)),
        now=now,
        correction_of=original_id,
    )
    await announcements.update_draft(
        db,
        draft_id,
        topic=original.topic,
        urgency=original.urgency,
        targets=Targets(chats=tuple(chats)),
    )
    return draft_id
