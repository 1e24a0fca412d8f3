"""Announcements from draft to delivery: the four-eyes rule lives here.

draft ──submit──▶ pending ──approve──▶ sending ──(outbox empty)──▶ sent
  │                  ├──reject──▶ rejected
  │                  └──approve a schedule──▶ scheduled (each run: a copy, see schedules.py)
  └──cancel──▶ cancelled                        sent ──withdraw──▶ withdrawn

Every transition is one conditional UPDATE (`... WHERE status = ?`), so two verifiers pressing
"Setujui" at the same moment approve once: the second finds the row no longer pending.
Approval, and whether it sends, holds or schedules, is `broadcasts.approval`: it writes the
outbox in the same transaction as the status, so an approved announcement always has its
complete outbox, even across a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot import audit
from bot.clock import isoformat
from bot.storage import Database, Row
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets, Urgency


class Status(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    REJECTED = "rejected"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"
    SCHEDULED = "scheduled"


@dataclass(frozen=True)
class Announcement:
    id: int
    author_id: int | None
    status: Status
    body: Body
    topic: str | None
    urgency: Urgency | None
    targets: Targets
    created_at: str
    verified_by: int | None
    verified_at: str | None
    reject_reason: str | None
    correction_of: int | None
    finished_at: str | None
    progress_chat_id: int | None
    progress_message_id: int | None

    @property
    def number(self) -> str:
        return f"#{self.id}"


async def create_draft(
    db: Database, *, author_id: int, body: Body, now: datetime, correction_of: int | None = None
) -> int:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO announcements(author_id, status, kind, body, entities, file_id,"
            " created_at, correction_of) VALUES (?, 'draft', ?, ?, ?, ?, ?, ?)",
            (
                author_id,
                body.kind.value,
                body.text,
                body.entities_json(),
                body.file_id,
                isoformat(now),
                correction_of,
            ),
        )
        announcement_id = int(cursor.lastrowid or 0)
        await audit.record(
            conn,
            at=now,
            actor_id=author_id,
            action="announcement.draft",
            object_type="announcement",
            object_id=announcement_id,
        )
    return announcement_id


async def get(db: Database, announcement_id: int) -> Announcement | None:
    row = await db.fetchone("SELECT * FROM announcements WHERE id = ?", (announcement_id,))
    return None if row is None else _announcement(row)


async def draft_of(
    db: Database, announcement_id: int, author_id: int, *, complete: bool = False
) -> Announcement | None:
    """The announcement while it is a draft of `author_id` (with its topic and urgency chosen
    when `complete`), else None: what each press on a composing button checks first."""
    draft = await get(db, announcement_id)
    if draft is None or draft.author_id != author_id or draft.status is not Status.DRAFT:
        return None
    return None if complete and (draft.topic is None or draft.urgency is None) else draft


async def update_draft(
    db: Database,
    announcement_id: int,
    *,
    topic: str | None = None,
    urgency: Urgency | None = None,
    targets: Targets | None = None,
) -> bool:
    """Change a draft's settings; False when it is no longer a draft."""
    assignments: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("topic", topic),
        ("urgency", urgency.value if urgency else None),
        ("targets", targets.to_json() if targets else None),
    ):
        if value is not None:
            assignments.append(f"{column} = ?")
            params.append(value)
    if not assignments:
        return True
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE announcements SET {', '.join(assignments)} WHERE id = ? AND status = 'draft'",
            (*params, announcement_id),
        )
        return cursor.rowcount > 0


async def submit(db: Database, announcement_id: int, *, actor_id: int, now: datetime) -> bool:
    """Draft → waiting for a verifier; needs a topic, an urgency and at least one area."""
    draft = await get(db, announcement_id)
    if draft is None or draft.status is not Status.DRAFT:
        return False
    if draft.topic is None or draft.urgency is None or not draft.targets.has_area:
        return False
    return await _transition(
        db,
        announcement_id,
        Status.DRAFT,
        Status.PENDING,
        actor_id,
        now,
        "announcement.submit",
        extra="submitted_at = ?",
        extra_params=(isoformat(now),),
    )


async def cancel(db: Database, announcement_id: int, *, actor_id: int, now: datetime) -> bool:
    return await _transition(
        db, announcement_id, Status.DRAFT, Status.CANCELLED, actor_id, now, "announcement.cancel"
    )


async def reject(
    db: Database, announcement_id: int, *, verifier_id: int, reason: str, now: datetime
) -> bool:
    return await _transition(
        db,
        announcement_id,
        Status.PENDING,
        Status.REJECTED,
        verifier_id,
        now,
        "announcement.reject",
        extra="verified_by = ?, verified_at = ?, reject_reason = ?",
        extra_params=(verifier_id, isoformat(now), reason),
        detail={"reason": reason},
    )


async def set_progress_message(
    db: Database, announcement_id: int, chat_id: int, message_id: int
) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE announcements SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, announcement_id),
        )


async def finish(db: Database, announcement_id: int, now: datetime) -> bool:
    """Sending → sent once the outbox has nothing pending; True the one time it happens."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE announcements SET status = 'sent', finished_at = ?"
            " WHERE id = ? AND status = 'sending' AND NOT EXISTS ("
            " SELECT 1 FROM outbox WHERE announcement_id = ? AND status = 'pending')",
            (isoformat(now), announcement_id, announcement_id),
        )
        return cursor.rowcount > 0


async def drained(db: Database) -> list[int]:
    """Announcements still sending whose outbox owes nothing: stopped while no send was in
    flight, so no delivery result will ever mark them for the final report."""
    rows = await db.fetchall(
        "SELECT id FROM announcements a WHERE status = 'sending' AND NOT EXISTS ("
        " SELECT 1 FROM outbox o WHERE o.announcement_id = a.id AND o.status = 'pending')"
    )
    return [int(row[0]) for row in rows]


async def in_status(db: Database, status: Status, *, limit: int = 100) -> list[Announcement]:
    rows = await db.fetchall(
        "SELECT * FROM announcements WHERE status = ? ORDER BY id DESC LIMIT ?",
        (status.value, limit),
    )
    return [_announcement(row) for row in rows]


async def recent(db: Database, *, limit: int = 10) -> list[Announcement]:
    rows = await db.fetchall(
        "SELECT * FROM announcements WHERE status IN ('sending', 'sent', 'withdrawn')"
        " ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [_announcement(row) for row in rows]


async def _transition(
    db: Database,
    announcement_id: int,
    old: Status,
    new: Status,
    actor_id: int,
    now: datetime,
    action: str,
    *,
    extra: str = "",
    extra_params: tuple[Any, ...] = (),
    detail: dict[str, Any] | None = None,
) -> bool:
    setting = "status = ?" + (f", {extra}" if extra else "")
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE announcements SET {setting} WHERE id = ? AND status = ?",
            (new.value, *extra_params, announcement_id, old.value),
        )
        return await audit.record_if(
            conn,
            cursor.rowcount > 0,
            at=now,
            actor_id=actor_id,
            action=action,
            object_type="announcement",
            object_id=announcement_id,
            detail=detail,
        )


_PLAIN = ("id", "author_id", "topic", "created_at", "verified_by", "verified_at",
          "reject_reason", "correction_of", "finished_at", "progress_chat_id",
          "progress_message_id")  # fmt: skip


def _announcement(row: Row) -> Announcement:
    entities = Body.entities_from_json(row["entities"])
    return Announcement(
        **{column: row[column] for column in _PLAIN},
        status=Status(row["status"]),
        body=Body(Kind(row["kind"]), row["body"], entities, row["file_id"]),
        urgency=Urgency(row["urgency"]) if row["urgency"] else None,
        targets=Targets.from_json(row["targets"]),
    )
