"""The group, supergroup and channel chats the bot is in, and whether it can still post there.

A chat row is never deleted: a group that removed the bot stays as history (its registration
keeps pointing at it) and comes back to life when the bot is added again.

- `active`: the bot is in the chat and may post.
- `inactive`: Telegram told us the bot left, was removed, or lost its channel admin right.
- `unreachable`: sending failed for good (the chat was deleted, the bot was kicked without
  an update reaching us); the delivery code decides that and calls `mark_unreachable`.

A basic group upgraded to a supergroup gets a new id; `migrate` moves the row and, through
the `ON UPDATE CASCADE` key, every registration with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from bot import audit
from bot.clock import isoformat
from bot.storage import Database, Row, from_row


class ChatType(StrEnum):
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class ChatStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Chat:
    chat_id: int
    type: ChatType
    title: str
    status: ChatStatus
    status_reason: str | None
    bot_is_admin: bool
    added_by: int | None
    first_seen: str
    updated_at: str

    @property
    def is_active(self) -> bool:
        return self.status == ChatStatus.ACTIVE

    @property
    def is_open_channel(self) -> bool:
        """An active channel: operators may register it, announcements may go there."""
        return self.type == ChatType.CHANNEL and self.is_active

    @property
    def administered(self) -> bool:
        """The bot is an admin of this active chat (a new admin right changes nothing)."""
        return self.is_active and self.bot_is_admin


_COLUMNS = (
    "chat_id, type, title, status, status_reason, bot_is_admin, added_by, first_seen, updated_at"
)


def _chat(row: Row) -> Chat:
    status, admin = ChatStatus(row["status"]), bool(row["bot_is_admin"])
    return from_row(Chat, row, type=ChatType(row["type"]), status=status, bot_is_admin=admin)


async def get(db: Database, chat_id: int) -> Chat | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,))
    return None if row is None else _chat(row)


async def get_in(conn: aiosqlite.Connection, chat_id: int) -> Chat | None:
    """`get` inside a transaction, seeing its uncommitted writes."""
    async with conn.execute(f"SELECT {_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else _chat(row)


async def record_in(
    conn: aiosqlite.Connection,
    *,
    chat_id: int,
    chat_type: ChatType,
    title: str,
    now: datetime,
    bot_is_admin: bool | None = None,
    added_by: int | None = None,
) -> tuple[Chat | None, Chat]:
    """Upsert a chat the bot is in now, marking it active; returns (before, after).

    Call inside `Database.transaction()`. `bot_is_admin=None` keeps the stored flag (a
    command in a group says nothing about the bot's rights); `added_by` is only set when
    given, so the first person who added the bot is remembered until someone re-adds it.
    """
    before = await get_in(conn, chat_id)
    stamp = isoformat(now)
    if before is None:
        await conn.execute(
            "INSERT INTO chats(chat_id, type, title, status, status_reason, bot_is_admin,"
            " added_by, first_seen, updated_at) VALUES (?, ?, ?, 'active', NULL, ?, ?, ?, ?)",
            (chat_id, chat_type.value, title, int(bool(bot_is_admin)), added_by, stamp, stamp),
        )
    else:
        await conn.execute(
            "UPDATE chats SET type = ?, title = ?, status = 'active', status_reason = NULL,"
            " bot_is_admin = COALESCE(?, bot_is_admin), added_by = COALESCE(?, added_by),"
            " updated_at = ? WHERE chat_id = ?",
            (
                chat_type.value,
                title or before.title,
                None if bot_is_admin is None else int(bot_is_admin),
                added_by,
                stamp,
                chat_id,
            ),
        )
    after = await get_in(conn, chat_id)
    assert after is not None  # written just above
    return before, after


async def joined(
    db: Database,
    *,
    chat_id: int,
    chat_type: ChatType,
    title: str,
    bot_is_admin: bool,
    added_by: int | None,
    now: datetime,
) -> tuple[Chat | None, Chat]:
    """The bot was added (or promoted) in a chat: record or reactivate it, audited.

    Returns (before, after); `before` is None the first time the bot is in this chat, and
    `before.is_active` is False when this is a re-add after a removal.
    """
    async with db.transaction() as conn:
        before, after = await record_in(
            conn,
            chat_id=chat_id,
            chat_type=chat_type,
            title=title,
            now=now,
            bot_is_admin=bot_is_admin,
            added_by=added_by,
        )
        if before is None or not before.is_active or before.bot_is_admin != bot_is_admin:
            await audit.record(
                conn,
                at=now,
                actor_id=added_by,
                action="chat.join",
                object_type="chat",
                object_id=chat_id,
                detail={"type": chat_type.value, "title": title, "bot_is_admin": bot_is_admin},
            )
    return before, after


async def retitle(db: Database, chat_id: int, title: str, now: datetime) -> bool:
    """The chat was renamed; False for a chat the bot has not recorded."""
    changed = await db.write(
        "UPDATE chats SET title = ?, updated_at = ? WHERE chat_id = ?",
        (title, isoformat(now), chat_id),
    )
    return changed > 0


async def _set_status(
    db: Database,
    chat_id: int,
    status: ChatStatus,
    reason: str,
    now: datetime,
    actor_id: int | None,
    *,
    bot_is_admin: bool | None = None,
) -> bool:
    async with db.transaction() as conn:
        before = await get_in(conn, chat_id)
        if before is None:
            return False
        await conn.execute(
            "UPDATE chats SET status = ?, status_reason = ?, updated_at = ?,"
            " bot_is_admin = COALESCE(?, bot_is_admin) WHERE chat_id = ?",
            (
                status.value,
                reason,
                isoformat(now),
                None if bot_is_admin is None else int(bot_is_admin),
                chat_id,
            ),
        )
        return await audit.record_if(
            conn,
            before.status != status or before.status_reason != reason,
            at=now,
            actor_id=actor_id,
            action=f"chat.{status.value}",
            object_type="chat",
            object_id=chat_id,
            detail={"reason": reason, "was": before.status.value},
        )


async def mark_inactive(
    db: Database, chat_id: int, reason: str, now: datetime, *, actor_id: int | None = None
) -> bool:
    """The bot is no longer in the chat (removed, left, demoted in a channel).

    The row and its registrations stay; lookups for delivery skip it until the bot is added
    again. Returns False when nothing changed (unknown chat, already inactive for `reason`).
    """
    return await _set_status(
        db, chat_id, ChatStatus.INACTIVE, reason, now, actor_id, bot_is_admin=False
    )


async def mark_unreachable(db: Database, chat_id: int, reason: str, now: datetime) -> bool:
    """Sending to the chat failed for good (Forbidden, chat not found, deleted).

    For the delivery code: call it after a permanent error, not after a 429 or a timeout.
    Idempotent; an unknown chat id is ignored (returns False). A later my_chat_member
    "added" update or a command from the chat makes it active again.
    """
    return await _set_status(db, chat_id, ChatStatus.UNREACHABLE, reason, now, None)


async def migrate(db: Database, old_id: int, new_id: int, now: datetime) -> bool:
    """A basic group became supergroup `new_id`: move the chat and its registrations there.

    For the delivery code on `ChatMigrated`, and for the migrate_to/migrate_from service
    messages (both arrive; the second call finds nothing left to move and returns False).
    When `new_id` was already recorded (seen before the old one was moved), the two rows
    are merged into the new one and the old row is removed, so no chat is left twice. If
    both had a live registration, the stronger one (approved over pending, then the older)
    is kept and the other is ended with reason "migrasi".
    """
    if old_id == new_id:
        return False
    async with db.transaction() as conn:
        old = await get_in(conn, old_id)
        if old is None:
            return False
        new = await get_in(conn, new_id)
        stamp = isoformat(now)
        if new is None:
            # ON UPDATE CASCADE carries every registration along.
            # The bot moves along with the group (Telegram may report the old basic group
            # as "left" just before), so the supergroup starts out active.
            await conn.execute(
                "UPDATE chats SET chat_id = ?, type = 'supergroup', status = 'active',"
                " status_reason = NULL, updated_at = ? WHERE chat_id = ?",
                (new_id, stamp, old_id),
            )
        else:
            await _end_weaker_live_registration(conn, old_id, new_id, stamp)
            await conn.execute(
                "UPDATE registrations SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            await conn.execute(
                "UPDATE chats SET type = 'supergroup', title = CASE WHEN title = '' THEN ?"
                " ELSE title END, first_seen = MIN(first_seen, ?),"
                " added_by = COALESCE(added_by, ?), updated_at = ? WHERE chat_id = ?",
                (old.title, old.first_seen, old.added_by, stamp, new_id),
            )
            await conn.execute("DELETE FROM chats WHERE chat_id = ?", (old_id,))
        await audit.record(
            conn,
            at=now,
            actor_id=None,
            action="chat.migrate",
            object_type="chat",
            object_id=new_id,
            detail={"from": old_id, "merged": new is not None},
        )
    return True


async def _end_weaker_live_registration(
    conn: aiosqlite.Connection, old_id: int, new_id: int, stamp: str
) -> None:
    """Keep one live registration per chat when two chats become one."""
    async with conn.execute(
        "SELECT id FROM registrations WHERE chat_id IN (?, ?) AND status IN ('pending', 'approved')"
        " ORDER BY status = 'approved' DESC, requested_at, id",
        (old_id, new_id),
    ) as cur:
        live = [int(row["id"]) for row in await cur.fetchall()]
    for weaker in live[1:]:
        await conn.execute(
            "UPDATE registrations SET status = 'ended', decided_at = ?, reason = 'migrasi'"
            " WHERE id = ?",
            (stamp, weaker),
        )
