"""Taking an announcement back: withdrawing it from every chat, or correcting it.

Withdrawal: the announcement becomes `withdrawn` (one conditional UPDATE, so it happens once)
and the summary for the operator is owed in the same transaction; the dispatcher then deletes
its messages chat by chat, resuming after a restart (broadcasts/errands.py).

Correction: a new draft with `correction_of` set, going exactly to the chats where the
original arrived (as a reply to it there, see `announcements.approve`); it is verified like
any other announcement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from telegram import MessageEntity

from bot import audit, notices
from bot.storage import Database
from broadcasts import announcements, outbox
from broadcasts.announcements import Status
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets


async def begin_withdrawal(
    db: Database,
    announcement_id: int,
    *,
    actor_id: int,
    now: datetime,
    report_to: int | None = None,
) -> bool:
    """Sent → withdrawn (audited), with the summary for `report_to` owed in the same
    transaction. True also for an already withdrawn announcement: `report_to` gets a summary
    when it is done (at once if it already is)."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE announcements SET status = 'withdrawn' WHERE id = ? AND status = 'sent'",
            (announcement_id,),
        )
        async with conn.execute(
            "SELECT 1 FROM announcements WHERE id = ? AND status = 'withdrawn'",
            (announcement_id,),
        ) as found:
            withdrawn = await found.fetchone() is not None
        if cursor.rowcount:
            await audit.record(
                conn,
                at=now,
                actor_id=actor_id,
                action="announcement.withdraw",
                object_type="announcement",
                object_id=announcement_id,
            )
        if withdrawn and report_to is not None:
            await notices.enqueue_after_withdrawal(conn, report_to, announcement_id)
    return withdrawn


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
