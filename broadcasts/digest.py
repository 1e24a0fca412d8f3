"""The weekly digest (*rangkuman mingguan*): one message a week for subscribers who chose it,
listing that week's announcements for their areas and topics instead of each one.

The digest is itself a schedule (kind `digest`, weekly on `DIGEST_DAY` at `DIGEST_TIME`), so
it survives restarts, catches up within the grace and fires once like any other. Firing
writes every reader's finished message into `digest_outbox` in the same transaction; the
scheduler then sends the rows one by one, each claimed before it is sent (a crash while
sending may repeat that one message, never the week).

Who reads what reuses `subscriptions.recipients(..., digest=True)`, the very query that
decides individual sends, so the digest lists exactly what a reader would otherwise have
received. Darurat announcements reach digest readers at once and are not repeated here;
corrections and forum-only announcements never reached subscribers and are left out too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, tzinfo

import aiosqlite

from bot import notices, subscriptions
from bot.addresses import on_whatsapp
from bot.clock import isoformat
from bot.settings import Settings
from bot.storage import Database
from bot.texts import jadwal as t
from bot.topics import BY_KEY
from broadcasts import announcements
from broadcasts.announcements import Announcement
from broadcasts.content import Kind
from broadcasts.rules import QuietHours, Rule, first_start, weekly
from broadcasts.schedules import stamp

SUMMARY_LENGTH = 160
STUCK_AFTER = timedelta(minutes=10)


def rule(settings: Settings) -> Rule:
    return weekly([settings.digest_day], settings.digest_time)


async def ensure_schedule(
    db: Database, rule: Rule, *, now: datetime, tz: tzinfo, quiet: QuietHours
) -> None:
    """The digest's own schedule exists and follows the settings (a changed day or time
    takes effect from the next run)."""
    row = await db.fetchone("SELECT id, rule FROM schedules WHERE kind = 'digest'")
    if row is not None and row["rule"] == rule.to_json():
        return
    started = first_start(rule, now, tz, quiet=quiet, urgent=False)
    assert started is not None  # a weekly rule always has a next run
    slot, start = started
    async with db.transaction() as conn:
        if row is None:
            await conn.execute(
                "INSERT OR IGNORE INTO schedules(kind, rule, status, slot, next_run, created_at,"
                " updated_at) VALUES ('digest', ?, 'active', ?, ?, ?, ?)",
                (rule.to_json(), stamp(slot), stamp(start), isoformat(now), isoformat(now)),
            )
        else:
            await conn.execute(
                "UPDATE schedules SET rule = ?, status = 'active', slot = ?, next_run = ?,"
                " updated_at = ? WHERE id = ?",
                (rule.to_json(), stamp(slot), stamp(start), isoformat(now), row["id"]),
            )


async def compose(
    db: Database, *, since: datetime, until: datetime, tz: tzinfo, organization: str
) -> dict[int, str]:
    """reader → their digest text (without the footer, which names each channel's way to
    change it), for the announcements approved in [since, until); readers with nothing that
    week get nothing."""
    rows = await db.fetchall(
        "SELECT id FROM announcements WHERE status IN ('sending', 'sent')"
        " AND correction_of IS NULL AND urgency != 'darurat' AND verified_at >= ? ORDER BY id",
        (isoformat(since - timedelta(days=1)),),  # offsets may differ: filtered exactly below
    )
    items: dict[int, list[Announcement]] = defaultdict(list)
    for row in rows:
        found = await announcements.get(db, int(row[0]))
        if found is None or found.verified_at is None or found.topic is None:
            continue
        if not since <= datetime.fromisoformat(found.verified_at) < until:
            continue
        targets = found.targets
        if not targets.subscribers or targets.forums_only or targets.chats:
            continue
        readers = await subscriptions.recipients(
            db,
            kecamatan_codes=targets.kecamatan,
            desa_codes=targets.desa,
            whole_kabupaten=targets.kabupaten,
            topic_bit=BY_KEY[found.topic].bit,
            digest=True,
        )
        for reader in readers:
            items[reader].append(found)
    last = (until - timedelta(seconds=1)).astimezone(tz).date()
    return {
        reader: _text(found, organization, since.astimezone(tz).date(), last, tz)
        for reader, found in items.items()
    }


def _text(found: list[Announcement], organization: str, first: date, last: date, tz: tzinfo) -> str:
    text = t.digest_header(organization, first, last)
    for index, announcement in enumerate(found):
        assert announcement.topic is not None and announcement.verified_at is not None
        day = datetime.fromisoformat(announcement.verified_at).astimezone(tz).date()
        item = t.digest_item(announcement.number, announcement.topic, day, summary(announcement))
        if len(text) + len(item) > t.DIGEST_LIMIT:
            text += t.digest_more(len(found) - index)
            break
        text += item
    return text


def summary(announcement: Announcement) -> str:
    """The first line of the announcement, shortened; media without a caption say so."""
    line = announcement.body.text.strip().split("\n", 1)[0].strip()
    if not line:
        return {Kind.PHOTO: "(foto)", Kind.DOCUMENT: "(dokumen)"}.get(announcement.body.kind, "")
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1].rstrip() + "…"


async def enqueue(
    conn: aiosqlite.Connection,
    db: Database,
    run_id: int,
    *,
    since: datetime,
    until: datetime,
    tz: tzinfo,
    organization: str,
) -> int:
    """Write this week's digests inside the caller's (the run's) transaction. A reader on
    WhatsApp gets theirs as a notice, sent by the WhatsApp dispatcher in its window (or
    after a template): the transaction makes it once a week all the same."""
    texts = await compose(db, since=since, until=until, tz=tz, organization=organization)
    readers = len(texts)
    for user_id in sorted(reader for reader in texts if on_whatsapp(reader)):
        await notices.enqueue(conn, user_id, texts.pop(user_id) + t.DIGEST_FOOTER_WHATSAPP)
    await conn.executemany(
        "INSERT OR IGNORE INTO digest_outbox(run_id, user_id, text) VALUES (?, ?, ?)",
        ((run_id, user_id, text + t.DIGEST_FOOTER) for user_id, text in sorted(texts.items())),
    )
    return readers


async def pending(db: Database, *, limit: int = 500) -> list[tuple[int, int, str]]:
    rows = await db.fetchall(
        "SELECT id, user_id, text FROM digest_outbox WHERE status = 'pending' ORDER BY id LIMIT ?",
        (limit,),
    )
    return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]


async def claim(db: Database, row_id: int, now: datetime) -> bool:
    changed = await db.write(
        "UPDATE digest_outbox SET status = 'sending', claimed_at = ?"
        " WHERE id = ? AND status = 'pending'",
        (stamp(now), row_id),
    )
    return changed > 0


async def mark(db: Database, row_id: int, status: str, now: datetime) -> None:
    await db.write(
        "UPDATE digest_outbox SET status = ?, sent_at = ? WHERE id = ?",
        (status, isoformat(now), row_id),
    )


async def release_stuck(db: Database, now: datetime) -> None:
    """Rows claimed by a process that died before recording the result are tried again."""
    await db.write(
        "UPDATE digest_outbox SET status = 'pending' WHERE status = 'sending' AND claimed_at < ?",
        (stamp(now - STUCK_AFTER),),
    )
