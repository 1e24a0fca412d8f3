"""Schedules: when a verified announcement goes out, stored so that a restart loses nothing.

A schedule is a row in `schedules`, never only a job in memory. It holds its rule (once,
daily, weekly on named days, monthly on a day, or a cron expression), the planned time of
its next run (`slot`) and when that run really starts (`next_run`: the slot moved out of the
quiet hours unless the announcement is darurat). Times are computed as wall-clock times in
the regency's zone (WIB, WITA or WIT) and stored as Unix seconds, so nothing assumes UTC and
comparisons never mix offsets.

Life of a schedule: the author picks a rule while composing (`draft`), submits it with the
announcement (`proposed`); the verifier's approval makes it `active` and the announcement
`scheduled`. `paused`, `done` (no run left) and `deleted` follow. Each run copies the verified
announcement into a new one (see `broadcasts.scheduler`).

The rules themselves (when runs fall, quiet hours, what is due) are plain values in
`broadcasts.rules`; this module stores and changes schedules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum

import aiosqlite

from bot import audit
from bot.clock import isoformat
from bot.storage import Database, Row
from bot.texts import jadwal as t
from broadcasts.rules import (
    MAX_RUNS,
    Limits,
    QuietHours,
    Rule,
    ScheduleError,
    first_start,
)
from broadcasts.targets import Urgency

# --- storage -------------------------------------------------------------------------------


class Status(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    DELETED = "deleted"


@dataclass(frozen=True)
class Schedule:
    id: int
    kind: str  # 'announcement' or 'digest'
    announcement_id: int | None
    rule: Rule
    status: Status
    slot: int | None
    next_run: int | None
    ends_on: date | None
    max_runs: int | None
    runs: int
    created_by: int | None
    topic: str | None = None
    urgency: Urgency | None = None
    author_id: int | None = field(default=None)

    @property
    def urgent(self) -> bool:
        return self.urgency is Urgency.DARURAT

    @property
    def limits(self) -> Limits:
        return Limits(self.ends_on, self.max_runs, self.runs)

    def slot_at(self, tz: tzinfo) -> datetime | None:
        return None if self.slot is None else datetime.fromtimestamp(self.slot, tz)

    def next_run_at(self, tz: tzinfo) -> datetime | None:
        return None if self.next_run is None else datetime.fromtimestamp(self.next_run, tz)


_SELECT = (
    "SELECT s.*, a.topic, a.urgency, a.author_id FROM schedules s"
    " LEFT JOIN announcements a ON a.id = s.announcement_id"
)


_PLAIN = ("id", "kind", "announcement_id", "slot", "next_run", "max_runs", "runs",
          "created_by", "topic", "author_id")  # fmt: skip


def _schedule(row: Row) -> Schedule:
    return Schedule(
        **{column: row[column] for column in _PLAIN},
        rule=Rule.from_json(row["rule"]),
        status=Status(row["status"]),
        ends_on=date.fromisoformat(row["ends_on"]) if row["ends_on"] else None,
        urgency=Urgency(row["urgency"]) if row["urgency"] else None,
    )


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


async def get(db: Database, schedule_id: int) -> Schedule | None:
    row = await db.fetchone(_SELECT + " WHERE s.id = ?", (schedule_id,))
    return None if row is None else _schedule(row)


async def plan_of(
    db: Database, announcement_id: int, statuses: Sequence[Status] = (Status.DRAFT,)
) -> Schedule | None:
    marks = ", ".join("?" for _ in statuses)
    row = await db.fetchone(
        _SELECT + f" WHERE s.announcement_id = ? AND s.status IN ({marks})",
        (announcement_id, *(s.value for s in statuses)),
    )
    return None if row is None else _schedule(row)


async def save_plan(
    db: Database, announcement_id: int, *, author_id: int, rule: Rule, now: datetime
) -> None:
    """The rule the author picked for a draft, replacing an earlier pick (only complete,
    validated rules are ever stored). The caller checked that the draft is the author's."""
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM schedules WHERE announcement_id = ? AND status = 'draft'",
            (announcement_id,),
        )
        await conn.execute(
            "INSERT INTO schedules(kind, announcement_id, rule, status, created_by, created_at,"
            " updated_at) VALUES ('announcement', ?, ?, 'draft', ?, ?, ?)",
            (announcement_id, rule.to_json(), author_id, isoformat(now), isoformat(now)),
        )


async def set_plan_end(
    db: Database,
    announcement_id: int,
    *,
    ends_on: date | None,
    max_runs: int | None,
    now: datetime,
    tz: tzinfo,
) -> bool:
    """An end date or a number of runs (or neither) for a draft plan; False if there is none."""
    if ends_on is not None and ends_on < now.astimezone(tz).date():
        raise ScheduleError(t.END_IN_PAST)
    if max_runs is not None and not 1 <= max_runs <= MAX_RUNS:
        raise ScheduleError(t.BAD_COUNT)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE schedules SET ends_on = ?, max_runs = ?, updated_at = ?"
            " WHERE announcement_id = ? AND status = 'draft'",
            (
                ends_on.isoformat() if ends_on else None,
                max_runs,
                isoformat(now),
                announcement_id,
            ),
        )
        return cursor.rowcount > 0


async def submit(db: Database, announcement_id: int, *, actor_id: int, now: datetime) -> bool:
    """Draft → pending together with its plan (draft → proposed), in one transaction."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE announcements SET status = 'pending', submitted_at = ?"
            " WHERE id = ? AND author_id = ? AND status = 'draft' AND topic IS NOT NULL"
            " AND urgency IS NOT NULL AND EXISTS (SELECT 1 FROM schedules"
            " WHERE announcement_id = ? AND status = 'draft')",
            (isoformat(now), announcement_id, actor_id, announcement_id),
        )
        if cursor.rowcount == 0:
            return False
        await conn.execute(
            "UPDATE schedules SET status = 'proposed', updated_at = ?"
            " WHERE announcement_id = ? AND status = 'draft'",
            (isoformat(now), announcement_id),
        )
        await audit.record(
            conn,
            at=now,
            actor_id=actor_id,
            action="announcement.submit",
            object_type="announcement",
            object_id=announcement_id,
            detail={"scheduled": True},
        )
    return True


async def activate(
    conn: aiosqlite.Connection,
    announcement_id: int,
    plan_id: int | None,
    rule: Rule,
    *,
    slot: datetime,
    start: datetime,
    author_id: int | None,
    verifier_id: int,
    now: datetime,
) -> int:
    """The approved announcement's schedule made active (its proposed plan, or with no plan a
    new one for `rule`); its id. Part of the approval's transaction (`broadcasts.approval`)."""
    at = isoformat(now)
    if plan_id is not None:
        await conn.execute(
            "UPDATE schedules SET status = 'active', slot = ?, next_run = ?, verified_by = ?,"
            " verified_at = ?, updated_at = ? WHERE id = ? AND status = 'proposed'",
            (stamp(slot), stamp(start), verifier_id, at, at, plan_id),
        )
        return plan_id
    cursor = await conn.execute(
        "INSERT INTO schedules(kind, announcement_id, rule, status, slot, next_run,"
        " created_by, created_at, verified_by, verified_at, updated_at)"
        " VALUES ('announcement', ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)",
        (announcement_id, rule.to_json(), stamp(slot), stamp(start), author_id, at, verifier_id,
         at, at),
    )  # fmt: skip
    return int(cursor.lastrowid or 0)


async def listing(db: Database) -> list[Schedule]:
    """Running and paused announcement schedules, the next to run first."""
    rows = await db.fetchall(
        _SELECT + " WHERE s.kind = 'announcement' AND s.status IN ('active', 'paused')"
        " ORDER BY s.status, s.next_run, s.id"
    )
    return [_schedule(row) for row in rows]


async def due(db: Database, now: datetime) -> list[Schedule]:
    rows = await db.fetchall(
        _SELECT + " WHERE s.status = 'active' AND s.next_run <= ? ORDER BY s.next_run, s.id",
        (stamp(now),),
    )
    return [_schedule(row) for row in rows]


async def earliest(db: Database) -> int | None:
    value = await db.fetchval("SELECT MIN(next_run) FROM schedules WHERE status = 'active'")
    return None if value is None else int(value)


async def _change(
    db: Database,
    schedule_id: int,
    actor_id: int,
    now: datetime,
    action: str,
    old: Sequence[Status],
    assignments: str,
    params: Sequence[object] = (),
) -> bool:
    """One audited change of an announcement schedule that is in one of the `old` states."""
    marks = ", ".join("?" for _ in old)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE schedules SET {assignments}, updated_at = ?"
            f" WHERE id = ? AND kind = 'announcement' AND status IN ({marks})",
            (*params, isoformat(now), schedule_id, *(s.value for s in old)),
        )
        return await audit.record_if(
            conn,
            cursor.rowcount > 0,
            at=now,
            actor_id=actor_id,
            action=action,
            object_type="schedule",
            object_id=schedule_id,
        )


async def pause(db: Database, schedule_id: int, *, actor_id: int, now: datetime) -> bool:
    return await _change(
        db, schedule_id, actor_id, now, "schedule.pause", (Status.ACTIVE,), "status = 'paused'"
    )


async def resume(
    db: Database, schedule_id: int, *, actor_id: int, now: datetime, tz: tzinfo, quiet: QuietHours
) -> bool:
    """Paused → active from now on: runs that fell in the pause are not made up for (a once
    schedule whose moment passed during the pause goes out at once)."""
    schedule = await get(db, schedule_id)
    if schedule is None or schedule.status is not Status.PAUSED:
        return False
    slot = schedule.slot_at(tz)
    if schedule.rule.recurring or slot is None or slot < now:
        started = first_start(schedule.rule, now, tz, quiet=quiet, urgent=schedule.urgent)
        slot = started[0] if schedule.rule.recurring and started is not None else now
    change, params = "status = 'done', next_run = NULL", list[int]()
    if schedule.limits.allows(slot, tz, 0):
        start = quiet.shift(slot, tz, urgent=schedule.urgent)
        change, params = "status = 'active', slot = ?, next_run = ?", [stamp(slot), stamp(start)]
    paused = (Status.PAUSED,)
    return await _change(db, schedule_id, actor_id, now, "schedule.resume", paused, change, params)


async def delete(db: Database, schedule_id: int, *, actor_id: int, now: datetime) -> bool:
    old, change = (Status.ACTIVE, Status.PAUSED), "status = 'deleted', next_run = NULL"
    return await _change(db, schedule_id, actor_id, now, "schedule.delete", old, change)
