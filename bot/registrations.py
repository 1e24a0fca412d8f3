"""Changing registrations: a group asks, an operator decides, an operator registers a
channel or ends a registration. Each change is one transaction with its audit entry; the
registrations are read with `bot.kim`, whose docstring describes their life.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict, Unpack

import aiosqlite

from bot import audit, chats, topics
from bot.chats import ChatType
from bot.clock import isoformat
from bot.kim import Kind, Registration, Status, select_in
from bot.storage import Database


class AlreadyRegistered(Exception):
    """The chat already has a live registration; `existing` says which."""

    def __init__(self, existing: Registration) -> None:
        super().__init__(f"chat {existing.chat_id} already has registration {existing.id}")
        self.existing = existing


async def _create(
    conn: aiosqlite.Connection,
    chat_id: int,
    columns: dict[str, object],
    *,
    status: Status,
    actor_id: int,
    now: datetime,
    action: str,
    detail: dict[str, object],
) -> Registration:
    """Insert the chat's registration (more `columns`) unless it has a live one; audited."""
    live = await select_in(
        conn, "r.chat_id = ? AND r.status IN ('pending', 'approved')", (chat_id,)
    )
    if live:
        raise AlreadyRegistered(live[0])
    decided = status != Status.PENDING
    row = {
        "chat_id": chat_id,
        **columns,
        "status": status.value,
        "requested_by": actor_id,
        "requested_at": isoformat(now),
        "decided_by": actor_id if decided else None,
        "decided_at": isoformat(now) if decided else None,
    }
    cursor = await conn.execute(
        f"INSERT INTO registrations({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    assert cursor.lastrowid is not None  # an INSERT into a rowid table sets it
    registration_id = int(cursor.lastrowid)
    await audit.record(
        conn,
        at=now,
        actor_id=actor_id,
        action=action,
        object_type="registration",
        object_id=registration_id,
        detail=detail,
    )
    return (await select_in(conn, "r.id = ?", (registration_id,)))[0]


class Asking(TypedDict):
    """Who asks to register which chat under which name: the same for every request."""

    chat_id: int
    chat_type: ChatType
    chat_title: str
    name: str
    requested_by: int
    requested_by_name: str
    now: datetime


async def _request(
    db: Database, kind: Kind, desa_code: str | None, kecamatan_code: str | None, ask: Asking
) -> Registration:
    chat_id, name, now = ask["chat_id"], ask["name"], ask["now"]
    place = {"desa_code": desa_code, "kecamatan_code": kecamatan_code}
    async with db.transaction() as conn:
        await chats.record_in(
            conn, chat_id=chat_id, chat_type=ask["chat_type"], title=ask["chat_title"], now=now
        )
        return await _create(
            conn,
            chat_id,
            {"kind": kind.value, "name": name, **place},
            status=Status.PENDING,
            actor_id=ask["requested_by"],
            now=now,
            action="kim.request",
            detail={
                "kind": kind.value,
                "chat_id": chat_id,
                "desa": desa_code,
                "kecamatan": kecamatan_code,
                "name": name,
                "requested_by_name": ask["requested_by_name"],
            },
        )


async def request_kim(db: Database, *, desa_code: str, **ask: Unpack[Asking]) -> Registration:
    """A group admin asks to register the group as a KIM of `desa_code`; pending until an
    operator decides. The caller has checked that the person is an admin of the group.

    Raises `AlreadyRegistered` when the group has a live registration, `LookupError` for a
    desa outside the regency.
    """
    row = await db.fetchone("SELECT kecamatan_code FROM desa WHERE code = ?", (desa_code,))
    if row is None:
        raise LookupError(f"unknown desa {desa_code}")
    return await _request(db, Kind.KIM, desa_code, row["kecamatan_code"], ask)


async def request_forum(
    db: Database, *, kecamatan_code: str | None, **ask: Unpack[Asking]
) -> Registration:
    """Like `request_kim`, for the Forum KIM of a kecamatan (`None`: the whole kabupaten)."""
    if kecamatan_code is not None:
        known = await db.fetchval("SELECT 1 FROM kecamatan WHERE code = ?", (kecamatan_code,))
        if known is None:
            raise LookupError(f"unknown kecamatan {kecamatan_code}")
    return await _request(db, Kind.FORUM, None, kecamatan_code, ask)


@dataclass(frozen=True)
class Decision:
    """The registration after a decision; `changed` is False when someone decided first."""

    registration: Registration
    changed: bool


async def decide(
    db: Database, registration_id: int, *, approve: bool, actor_id: int, now: datetime
) -> Decision | None:
    """An operator approves or rejects a pending registration; audited.

    Only a pending registration changes; a second decision returns the first one with
    `changed=False`. None for an unknown id.
    """
    new_status = Status.APPROVED if approve else Status.REJECTED
    async with db.transaction() as conn:
        found = await select_in(conn, "r.id = ?", (registration_id,))
        if not found:
            return None
        if found[0].status != Status.PENDING:
            return Decision(found[0], changed=False)
        await conn.execute(
            "UPDATE registrations SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            (new_status.value, actor_id, isoformat(now), registration_id),
        )
        await audit.record(
            conn,
            at=now,
            actor_id=actor_id,
            action="kim.approve" if approve else "kim.reject",
            object_type="registration",
            object_id=registration_id,
            detail={"kind": found[0].kind.value, "chat_id": found[0].chat_id},
        )
        after = await select_in(conn, "r.id = ?", (registration_id,))
    return Decision(after[0], changed=True)


async def end(
    db: Database, registration_id: int, *, actor_id: int | None, reason: str, now: datetime
) -> Registration | None:
    """End a live registration (the chat stays recorded); audited.

    Returns the ended registration, or None when it does not exist or is no longer live.
    """
    async with db.transaction() as conn:
        found = await select_in(conn, "r.id = ?", (registration_id,))
        if not found or not found[0].is_live:
            return None
        await conn.execute(
            "UPDATE registrations SET status = 'ended', decided_by = ?, decided_at = ?,"
            " reason = ? WHERE id = ?",
            (actor_id, isoformat(now), reason, registration_id),
        )
        await audit.record(
            conn,
            at=now,
            actor_id=actor_id,
            action="kim.end",
            object_type="registration",
            object_id=registration_id,
            detail={"kind": found[0].kind.value, "chat_id": found[0].chat_id, "reason": reason},
        )
        after = await select_in(conn, "r.id = ?", (registration_id,))
    return after[0]


async def register_channel(
    db: Database,
    *,
    chat_id: int,
    kecamatan_code: str | None,
    topic: str | None,
    actor_id: int,
    now: datetime,
) -> Registration:
    """An operator registers a channel the bot administers: for the whole kabupaten (both
    None), one kecamatan, or one topic. Approved at once; audited.

    Raises `AlreadyRegistered` when the channel has a live registration (end it first),
    `LookupError` when the channel is unknown or inactive, or the kecamatan or topic is
    unknown.
    """
    if kecamatan_code is not None and topic is not None:
        raise ValueError("a channel serves a kecamatan or a topic, not both")
    async with db.transaction() as conn:
        chat = await chats.get_in(conn, chat_id)
        if chat is None or not chat.is_open_channel:
            raise LookupError(f"no active channel {chat_id}")
        known = "SELECT 1 FROM kecamatan WHERE code = ?"
        if kecamatan_code is not None and not await conn.execute_fetchall(known, (kecamatan_code,)):
            raise LookupError(f"unknown kecamatan {kecamatan_code}")
        if topic is not None and topic not in topics.BY_KEY:
            raise LookupError(f"unknown topic {topic}")
        return await _create(
            conn,
            chat_id,
            {
                "kind": Kind.CHANNEL.value,
                "name": chat.title,
                "kecamatan_code": kecamatan_code,
                "topic": topic,
            },
            status=Status.APPROVED,
            actor_id=actor_id,
            now=now,
            action="channel.register",
            detail={"chat_id": chat_id, "kecamatan": kecamatan_code, "topic": topic},
        )
