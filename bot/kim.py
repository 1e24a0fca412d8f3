"""Registrations of the KIM network: KIM groups, Forum KIM groups and Telegram channels.

A registration ties one chat to a place in the regency:

- `kim`: the KIM group of one desa (`desa_code`, and its `kecamatan_code` for lookups).
  A desa may have several KIM groups; a group belongs to one desa.
- `forum`: the Forum KIM of one kecamatan, or of the whole kabupaten (`kecamatan_code`
  NULL).
- `channel`: a Telegram channel for the whole kabupaten, one kecamatan, or one topic.

Groups ask (`pending`) and an operator decides (`approved` / `rejected`); operators
register channels directly. A live registration (pending or approved) can be `ended`. One
chat has at most one live registration (a unique index guarantees it). Whether a
registration can be reached is the chat's status (`bot.chats`), not the registration's:
lookups for delivery return approved registrations whose chat is active.

This module reads registrations; `bot.registrations` changes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiosqlite

from bot import chats, topics
from bot.chats import ChatStatus
from bot.regions import Kecamatan, display_name
from bot.storage import Database, Row, from_row

DEFAULT_NAME_PREFIX = "KIM"
NAME_MAX = 64


class Kind(StrEnum):
    KIM = "kim"
    FORUM = "forum"
    CHANNEL = "channel"


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ENDED = "ended"


LIVE = (Status.PENDING, Status.APPROVED)


@dataclass(frozen=True)
class Registration:
    id: int
    chat_id: int
    kind: Kind
    status: Status
    name: str
    desa_code: str | None
    desa_name: str | None
    desa_is_kelurahan: bool
    kecamatan_code: str | None
    kecamatan_name: str | None
    topic: str | None
    requested_by: int | None
    requested_by_name: str | None
    requested_at: str
    decided_by: int | None
    decided_by_name: str | None
    decided_at: str | None
    reason: str | None
    chat_title: str
    chat_status: ChatStatus

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    @property
    def desa_display(self) -> str | None:
        return None if self.desa_name is None else display_name(self.desa_name)

    @property
    def kecamatan_display(self) -> str | None:
        return None if self.kecamatan_name is None else display_name(self.kecamatan_name)

    @property
    def topic_label(self) -> str | None:
        """The readable name of a topic channel's topic."""
        topic = None if self.topic is None else topics.BY_KEY.get(self.topic)
        return self.topic if topic is None else topic.label

    @property
    def whole_kabupaten(self) -> bool:
        """A forum or channel for the whole regency (no kecamatan, no topic)."""
        return self.kind != Kind.KIM and self.kecamatan_code is None and self.topic is None


@dataclass(frozen=True)
class Target:
    """Where the delivery code can post: one active chat of an approved registration."""

    chat_id: int
    name: str
    registration_id: int


def default_name(desa_name: str) -> str:
    """The name offered when the admin does not type one: "KIM Raci"."""
    return f"{DEFAULT_NAME_PREFIX} {display_name(desa_name)}"


def forum_name(regency_name: str, kecamatan: Kecamatan | None) -> str:
    """A Forum KIM is named after what it covers: "Forum KIM Bangil", "Forum KIM Pasuruan"."""
    return f"Forum KIM {regency_name if kecamatan is None else kecamatan.display}"


def clean_name(text: str) -> str | None:
    """A typed KIM name on one line, or None when it is empty or too long."""
    name = " ".join(text.split())
    return name if name and len(name) <= NAME_MAX else None


# --- reading ----------------------------------------------------------------------------

_SELECT = """
SELECT r.id, r.chat_id, r.kind, r.status, r.name, r.desa_code, d.name AS desa_name,
       COALESCE(d.is_kelurahan, 0) AS desa_is_kelurahan,
       r.kecamatan_code, k.name AS kecamatan_name, r.topic, r.requested_by,
       COALESCE(
           NULLIF(TRIM(COALESCE(rp.first_name, '') || ' ' || COALESCE(rp.last_name, '')), ''),
           (SELECT json_extract(a.detail, '$.requested_by_name') FROM audit_log a
             WHERE a.action = 'kim.request' AND a.object_id = CAST(r.id AS TEXT) LIMIT 1)
       ) AS requested_by_name,
       r.requested_at, r.decided_by,
       NULLIF(TRIM(COALESCE(dp.first_name, '') || ' ' || COALESCE(dp.last_name, '')), '')
           AS decided_by_name,
       r.decided_at, r.reason, c.title AS chat_title, c.status AS chat_status
  FROM registrations r
  JOIN chats c ON c.chat_id = r.chat_id
  LEFT JOIN desa d ON d.code = r.desa_code
  LEFT JOIN kecamatan k ON k.code = r.kecamatan_code
  LEFT JOIN people rp ON rp.user_id = r.requested_by
  LEFT JOIN people dp ON dp.user_id = r.decided_by
"""


def _registration(row: Row) -> Registration:
    return from_row(
        Registration,
        row,
        kind=Kind(row["kind"]),
        status=Status(row["status"]),
        desa_is_kelurahan=bool(row["desa_is_kelurahan"]),
        chat_status=ChatStatus(row["chat_status"]),
    )


async def _select(db: Database, where: str, params: Sequence[Any] = ()) -> list[Registration]:
    rows = await db.fetchall(f"{_SELECT} WHERE {where}", params)
    return [_registration(row) for row in rows]


async def select_in(
    conn: aiosqlite.Connection, where: str, params: Sequence[Any] = ()
) -> list[Registration]:
    """Registrations matching `where` (SQL over `r`, the registration, and `c`, its chat),
    read inside the caller's transaction."""
    async with conn.execute(f"{_SELECT} WHERE {where}", params) as cursor:
        return [_registration(row) for row in await cursor.fetchall()]


async def get(db: Database, registration_id: int) -> Registration | None:
    found = await _select(db, "r.id = ?", (registration_id,))
    return found[0] if found else None


async def live_for_chat(db: Database, chat_id: int) -> Registration | None:
    """The chat's pending or approved registration, if any (there is at most one)."""
    found = await _select(db, "r.chat_id = ? AND r.status IN ('pending', 'approved')", (chat_id,))
    return found[0] if found else None


async def pending(db: Database, *, limit: int = 50) -> list[Registration]:
    """Group registrations waiting for an operator, oldest first."""
    return await _select(db, "r.status = 'pending' ORDER BY r.requested_at, r.id LIMIT ?", (limit,))


async def count_pending(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM registrations WHERE status = 'pending'"))


async def registered_channels(db: Database) -> list[Registration]:
    """Live channel registrations, whatever their chat's status, by channel title."""
    return await _select(
        db,
        "r.kind = 'channel' AND r.status IN ('pending', 'approved')"
        " ORDER BY c.title COLLATE NOCASE, r.id",
    )


async def unregistered_channels(db: Database) -> list[chats.Chat]:
    """Active channels where the bot is admin that no live registration covers yet."""
    rows = await db.fetchall(
        "SELECT chat_id FROM chats c WHERE c.type = 'channel' AND c.status = 'active'"
        " AND c.bot_is_admin = 1 AND NOT EXISTS (SELECT 1 FROM registrations r"
        " WHERE r.chat_id = c.chat_id AND r.status IN ('pending', 'approved'))"
        " ORDER BY c.title COLLATE NOCASE"
    )
    found = [await chats.get(db, int(row["chat_id"])) for row in rows]
    return [chat for chat in found if chat is not None]


# --- lookups for delivery -----------------------------------------------------------------


def _codes_clause(column: str, codes: Iterable[str] | None) -> tuple[str, list[str]]:
    if codes is None:
        return "", []
    values = list(codes)
    if not values:
        return " AND 0", []
    return f" AND {column} IN ({', '.join('?' for _ in values)})", values


async def _targets(db: Database, where: str, params: Sequence[Any]) -> list[Target]:
    rows = await db.fetchall(
        "SELECT r.id, r.chat_id, r.name FROM registrations r JOIN chats c ON c.chat_id = r.chat_id"
        f" WHERE r.status = 'approved' AND c.status = 'active'{where} ORDER BY r.id",
        params,
    )
    return [Target(int(row["chat_id"]), row["name"], int(row["id"])) for row in rows]


async def active_groups(
    db: Database,
    *,
    kecamatan_codes: Iterable[str] | None = None,
    desa_codes: Iterable[str] | None = None,
) -> list[Target]:
    """Approved KIM groups whose chat is active, in registration order.

    `None` means "no restriction" for that filter; an empty collection means "none" and
    yields nothing. Given both, a group must match both (desa within those kecamatan).
    Several groups of one desa are all returned.
    """
    kec_sql, kec_params = _codes_clause("r.kecamatan_code", kecamatan_codes)
    desa_sql, desa_params = _codes_clause("r.desa_code", desa_codes)
    return await _targets(db, f" AND r.kind = 'kim'{kec_sql}{desa_sql}", kec_params + desa_params)


async def forums(
    db: Database, kecamatan_codes: Iterable[str] | None = None, include_kabupaten: bool = True
) -> list[Target]:
    """Approved Forum KIM groups whose chat is active.

    `kecamatan_codes=None` gives every kecamatan's forum; a collection restricts to those
    (empty: none). The kabupaten-wide forum is added when `include_kabupaten` is true.
    """
    kec_sql, kec_params = _codes_clause("r.kecamatan_code", kecamatan_codes)
    clauses = [f"(r.kecamatan_code IS NOT NULL{kec_sql})"]
    if include_kabupaten:
        clauses.append("r.kecamatan_code IS NULL")
    return await _targets(db, f" AND r.kind = 'forum' AND ({' OR '.join(clauses)})", kec_params)


async def channels_for(
    db: Database, kecamatan_codes: Iterable[str] | None, topic_key: str | None
) -> list[Target]:
    """Approved channels (chat active) that should carry an announcement.

    The kabupaten-wide channel always qualifies; a kecamatan channel qualifies when
    `kecamatan_codes` is None (a regency-wide announcement) or contains its kecamatan; a
    topic channel qualifies when its topic is `topic_key`.
    """
    clauses = ["(r.kecamatan_code IS NULL AND r.topic IS NULL)"]
    params: list[str] = []
    if kecamatan_codes is None:
        clauses.append("r.kecamatan_code IS NOT NULL")
    else:
        kec_sql, kec_params = _codes_clause("r.kecamatan_code", kecamatan_codes)
        clauses.append(f"(r.kecamatan_code IS NOT NULL{kec_sql})")
        params += kec_params
    if topic_key is not None:
        clauses.append("r.topic = ?")
        params.append(topic_key)
    return await _targets(db, f" AND r.kind = 'channel' AND ({' OR '.join(clauses)})", params)


async def desa_with_kim(db: Database) -> set[str]:
    """Desa codes with at least one approved KIM group (active or not): coverage counts
    a registered KIM even while its chat is temporarily unreachable."""
    rows = await db.fetchall(
        "SELECT DISTINCT desa_code FROM registrations WHERE kind = 'kim' AND status = 'approved'"
    )
    return {row["desa_code"] for row in rows if row["desa_code"] is not None}


async def operator_destinations(
    db: Database, admin_ids: Iterable[int], operator_chat_id: int | None
) -> list[int]:
    """Where decisions about the network are asked for: the operators' group when one is
    configured, else every admin and operator privately (each decides for all)."""
    if operator_chat_id is not None:
        return [operator_chat_id]
    rows = await db.fetchall("SELECT user_id FROM staff WHERE role = 'operator'")
    return sorted(set(admin_ids) | {int(row["user_id"]) for row in rows})
