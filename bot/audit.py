"""The audit log: who did what to which object, and when.

Rows are written inside the same transaction as the change they describe (pass the
transaction's connection), so the log never claims a change that was rolled back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import isoformat
from bot.storage import Database, from_row


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor_id: int | None
    action: str
    object_type: str | None
    object_id: str | None
    detail: dict[str, Any]


async def record(
    conn: aiosqlite.Connection,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one row; call inside `Database.transaction()`."""
    await conn.execute(
        "INSERT INTO audit_log(at, actor_id, action, object_type, object_id, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            isoformat(at),
            actor_id,
            action,
            object_type,
            None if object_id is None else str(object_id),
            json.dumps(detail or {}, ensure_ascii=False),
        ),
    )


async def record_if(conn: aiosqlite.Connection, changed: bool, **fields: Any) -> bool:
    """`record` the change only when there was one; returns `changed`."""
    if changed:
        await record(conn, **fields)
    return changed


async def log(db: Database, **fields: Any) -> None:
    """Append one row in a transaction of its own (for events that change nothing else)."""
    async with db.transaction() as conn:
        await record(conn, **fields)


async def entries(db: Database, *, action: str | None = None, limit: int = 100) -> list[AuditEntry]:
    """Newest first."""
    sql = "SELECT at, actor_id, action, object_type, object_id, detail FROM audit_log"
    params: tuple[Any, ...] = ()
    if action is not None:
        sql += " WHERE action = ?"
        params = (action,)
    rows = await db.fetchall(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
    return [from_row(AuditEntry, row, detail=json.loads(row["detail"] or "{}")) for row in rows]
