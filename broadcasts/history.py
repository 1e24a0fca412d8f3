"""What became of past announcements: delivery, feedback and reach, for /riwayat and
/statistik. Read-only; every figure comes from the outbox, reactions and relays.

Monthly totals are grouped by the month (WIB) in which an announcement was approved, so a
month's delivered, failed, reactions and relays all belong to that month's announcements.
Stored timestamps are written by the regency's clock, so their first seven characters are
the regency's year and month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.regions import display_name
from bot.storage import Database, Row


@dataclass(frozen=True)
class Summary:
    id: int
    topic: str | None
    status: str
    approved_at: str | None
    total: int
    sent: int
    failed: int
    up: int
    down: int
    relays: int

    @property
    def number(self) -> str:
        return f"#{self.id}"


@dataclass(frozen=True)
class DesaReach:
    desa_code: str
    desa: str
    kecamatan: str
    groups: int
    delivered: int
    relayed: int


@dataclass(frozen=True)
class MonthTotals:
    month: str  # "YYYY-MM"
    announcements: int
    delivered: int
    failed: int
    up: int
    down: int
    relays: int


_SUMMARY = """
SELECT a.id, a.topic, a.status, a.verified_at,
    (SELECT COUNT(*) FROM outbox o WHERE o.announcement_id = a.id),
    (SELECT COUNT(*) FROM outbox o WHERE o.announcement_id = a.id AND o.status = 'sent'),
    (SELECT COUNT(*) FROM outbox o WHERE o.announcement_id = a.id AND o.status = 'failed'),
    (SELECT COUNT(*) FROM reactions r WHERE r.announcement_id = a.id AND r.vote = 'up'),
    (SELECT COUNT(*) FROM reactions r WHERE r.announcement_id = a.id AND r.vote = 'down'),
    (SELECT COUNT(*) FROM relays l WHERE l.announcement_id = a.id)
FROM announcements a
"""


async def recent(db: Database, *, limit: int = 10) -> list[Summary]:
    """Announcements that went out (or are going out), newest first."""
    rows = await db.fetchall(
        _SUMMARY + " WHERE a.status IN ('sending', 'sent', 'withdrawn') ORDER BY a.id DESC LIMIT ?",
        (limit,),
    )
    return [_summary(row) for row in rows]


async def summary(db: Database, announcement_id: int) -> Summary | None:
    row = await db.fetchone(
        _SUMMARY + " WHERE a.id = ? AND a.status IN ('sending', 'sent', 'withdrawn')",
        (announcement_id,),
    )
    return None if row is None else _summary(row)


def _summary(row: Row) -> Summary:
    values = tuple(row)
    return Summary(int(values[0]), values[1], str(values[2]), values[3],
                   *(int(value) for value in values[4:]))  # fmt: skip


async def reach_by_desa(db: Database, announcement_id: int) -> list[DesaReach]:
    """Per targeted desa: its KIM groups in the outbox, how many got it, how many passed it on.

    A group is placed in the desa of its latest KIM registration, so a group that has since
    left the network still counts where it was when the announcement went out.
    """
    rows = await db.fetchall(
        "SELECT d.code, d.name, k.name, COUNT(*),"
        " SUM(o.status = 'sent'),"
        " SUM(EXISTS (SELECT 1 FROM relays l WHERE l.announcement_id = o.announcement_id"
        "   AND l.chat_id = o.chat_id))"
        " FROM outbox o"
        " JOIN registrations r ON r.id = (SELECT MAX(id) FROM registrations"
        "   WHERE chat_id = o.chat_id AND kind = 'kim')"
        " JOIN desa d ON d.code = r.desa_code"
        " JOIN kecamatan k ON k.code = d.kecamatan_code"
        " WHERE o.announcement_id = ? AND o.kind = 'kim'"
        " GROUP BY d.code ORDER BY k.name, d.name",
        (announcement_id,),
    )
    return [
        DesaReach(
            desa_code=str(row[0]),
            desa=display_name(str(row[1])),
            kecamatan=display_name(str(row[2])),
            groups=int(row[3]),
            delivered=int(row[4] or 0),
            relayed=int(row[5] or 0),
        )
        for row in rows
    ]


def month_key(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def previous_month(moment: datetime) -> str:
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return f"{year:04d}-{month:02d}"


async def monthly(db: Database, now: datetime) -> list[MonthTotals]:
    """Totals for the current and the previous month (in `now`'s time zone), current first."""
    return [await _month(db, key) for key in (month_key(now), previous_month(now))]


async def _month(db: Database, key: str) -> MonthTotals:
    row = await db.fetchone(
        "WITH chosen AS (SELECT id FROM announcements"
        "   WHERE status IN ('sending', 'sent', 'withdrawn') AND substr(verified_at, 1, 7) = ?)"
        " SELECT (SELECT COUNT(*) FROM chosen),"
        " (SELECT COUNT(*) FROM outbox WHERE status = 'sent'"
        "   AND announcement_id IN (SELECT id FROM chosen)),"
        " (SELECT COUNT(*) FROM outbox WHERE status = 'failed'"
        "   AND announcement_id IN (SELECT id FROM chosen)),"
        " (SELECT COUNT(*) FROM reactions WHERE vote = 'up'"
        "   AND announcement_id IN (SELECT id FROM chosen)),"
        " (SELECT COUNT(*) FROM reactions WHERE vote = 'down'"
        "   AND announcement_id IN (SELECT id FROM chosen)),"
        " (SELECT COUNT(*) FROM relays WHERE announcement_id IN (SELECT id FROM chosen))",
        (key,),
    )
    assert row is not None  # an aggregate always returns one row
    return MonthTotals(key, *(int(value) for value in tuple(row)))
