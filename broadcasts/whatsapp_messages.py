"""What became of each message sent on WhatsApp, and the full texts owed after templates.

Every accepted send is a row in `whatsapp_messages` (its wamid, the outbox row it carried,
whether it went as a template); its integer id is what the outbox records as the "message
id", as Telegram's message ids are for Telegram rows. Meta reports later, by webhook, that a
message was sent, delivered, read or failed (`apply_status`); statuses arrive in any order
and more than once, so a status never moves a row backwards.

A `failed` status for a message that carried an outbox row fails that row too, with Meta's
code as its reason (`failed_reason`), except "outside the window" (131047, which Meta may
report only by status): the row goes back to pending, and since the person's window is
closed as far as Meta is concerned, it is marked closed so the row goes again as a template.

A template stands in for a text the person could not receive outside their window; the
full text is kept in `follow_text` and becomes a notice (sent by the WhatsApp dispatcher,
paced like everything else) as soon as the person writes again (`release_followups`).
"""

from __future__ import annotations

import html
from datetime import datetime

import aiosqlite

from bot import notices
from bot.clock import isoformat
from bot.storage import Database

_ORDER = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
OUTSIDE_WINDOW = 131047
MARKETING_STOPPED = 131050
UNREACHABLE = {131026: "bukan_whatsapp", 131051: "tidak_didukung"}
_REASONS = {**UNREACHABLE, MARKETING_STOPPED: "menolak_pemasaran", 131049: "batas_harian"}


async def record_sent(
    db: Database,
    *,
    wamid: str,
    user_id: int,
    now: datetime,
    outbox_id: int | None = None,
    template: bool = False,
    follow_text: str | None = None,
) -> int:
    """One accepted message; returns its id (the outbox's message id for the row)."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO whatsapp_messages(wamid, user_id, outbox_id, template, follow_text, at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(wamid) DO NOTHING",
            (wamid, user_id, outbox_id, int(template), follow_text, isoformat(now)),
        )
        if cursor.rowcount:
            return int(cursor.lastrowid or 0)
        async with conn.execute(
            "SELECT id FROM whatsapp_messages WHERE wamid = ?", (wamid,)
        ) as found:
            row = await found.fetchone()
        return int(row[0]) if row else 0


async def apply_status(
    db: Database, wamid: str, status: str, *, error: str | None = None
) -> int | None:
    """A status from the webhook (`error` as "<code> <title>" for a failure); returns the
    outbox row it concerns (None if none or unknown). Only forward: a late "delivered"
    never undoes "read"; a failure reaches the outbox row once."""
    if status not in _ORDER:
        return None
    rank = _ORDER[status]
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT id, status, outbox_id, user_id, at FROM whatsapp_messages WHERE wamid = ?",
            (wamid,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        if _ORDER[str(row[1])] >= rank:
            return None if row[2] is None else int(row[2])
        await conn.execute(
            "UPDATE whatsapp_messages SET status = ?, error = COALESCE(?, error) WHERE id = ?",
            (status, error, row[0]),
        )
        if status == "failed":
            await conn.execute(
                "UPDATE whatsapp_messages SET follow_text = NULL WHERE id = ?", (row[0],)
            )
            await _failed(conn, row, error or "")
        return None if row[2] is None else int(row[2])


async def close_window(conn: aiosqlite.Connection, user_id: int, before: float) -> None:
    """Meta says the person's window was closed at `before` (Unix time), whatever the bot
    counted: texts to them go as templates until they write again."""
    await conn.execute(
        "UPDATE whatsapp_contacts SET last_inbound_at = NULL"
        " WHERE user_id = ? AND last_inbound_at < ?",
        (user_id, before),
    )


def failed_reason(code: int) -> str:
    """The outbox's reason for a message Meta failed with `code` (names in bot/texts)."""
    return _REASONS.get(code, f"whatsapp_{code}")


async def _failed(conn: aiosqlite.Connection, row: aiosqlite.Row, error: str) -> None:
    """What a failure means beyond the message: its outbox row, and the person."""
    _, _, outbox_id, user_id, at = row
    head = error.split(" ", 1)[0]
    code = int(head) if head.isdigit() else 0
    if code == OUTSIDE_WINDOW:
        # Closed when the message went (stored to the second): a message the person wrote
        # after that reopened it.
        await close_window(conn, user_id, datetime.fromisoformat(str(at)).timestamp() + 1)
        if outbox_id is not None:
            await conn.execute(
                "UPDATE outbox SET status = 'pending', message_ids = NULL, sent_at = NULL,"
                " not_before = 0, last_error = ? WHERE id = ? AND status = 'sent'",
                (error[:500], outbox_id),
            )
        return
    if code == MARKETING_STOPPED:
        await conn.execute(
            "UPDATE whatsapp_contacts SET marketing_stopped = 1 WHERE user_id = ?", (user_id,)
        )
    elif code in UNREACHABLE:
        await conn.execute("UPDATE people SET reachable = 0 WHERE user_id = ?", (user_id,))
    if outbox_id is not None:
        await conn.execute(
            "UPDATE outbox SET status = 'failed', reason = ?, last_error = ?"
            " WHERE id = ? AND status = 'sent'",
            (failed_reason(code), error[:500], outbox_id),
        )


async def release_followups(db: Database, user_id: int) -> int:
    """The person wrote: every full text owed after a template becomes a notice (in one
    transaction, so each is owed exactly once), and notices put off until they wrote are due
    now. Returns how many are due."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT id, follow_text FROM whatsapp_messages"
            " WHERE user_id = ? AND follow_text IS NOT NULL ORDER BY id",
            (user_id,),
        ) as cursor:
            owed = list(await cursor.fetchall())
        for row_id, text in owed:
            # notices take the catalog's HTML; the follow text is WhatsApp's already.
            await notices.enqueue(conn, user_id, html.escape(str(text), quote=False))
            await conn.execute(
                "UPDATE whatsapp_messages SET follow_text = NULL WHERE id = ?", (row_id,)
            )
        waiting = await conn.execute(  # notices put off until they write (noticing.py)
            "UPDATE notices SET not_before = 0 WHERE channel = 'whatsapp' AND chat_id = ?"
            " AND not_before > 0",
            (user_id,),
        )
    return len(owed) + waiting.rowcount


async def template_recipients_since(db: Database, since: datetime) -> set[int]:
    """The people reached by a template since `since`: what the messaging tier counts (Meta
    counts unique people reached outside their window; inside it nothing counts)."""
    rows = await db.fetchall(
        "SELECT DISTINCT user_id FROM whatsapp_messages WHERE template = 1 AND at >= ?",
        (isoformat(since),),
    )
    return {int(row[0]) for row in rows}


async def templates_since(db: Database, since: datetime) -> int:
    """Template messages sent since `since` (each one is paid for)."""
    value = await db.fetchval(
        "SELECT COUNT(*) FROM whatsapp_messages WHERE template = 1 AND at >= ?",
        (isoformat(since),),
    )
    return int(value or 0)
