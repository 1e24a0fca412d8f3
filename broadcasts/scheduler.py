"""The running side of schedules: finds due runs in the database and starts them.

Algorithm: `tick()` reads the active schedules whose start has come (by the injected clock),
works out what each owes (`rules.plan_due`: one run inside the grace, the rest skipped
and reported), and claims it with one conditional UPDATE on the schedule's current slot in
the same transaction that writes the run's announcement and outbox. A second instance on the
same database (started by mistake) finds the slot already moved and does nothing, so every
run fires exactly once. After a tick, a one-off job is set for the earliest next start.

APScheduler only calls `tick()`: an interval job every `check_interval` seconds and that
one-off wake-up; it holds no schedule of ours, so nothing lives only in memory. Both jobs use
`coalesce=True` (ticks that piled up while the loop was busy are one tick) and
`misfire_grace_time=None` (a late tick still runs: APScheduler's default of 1 s would drop
it silently, and our own grace rule decides what a late run means). `start()` ticks once
before anything else, which is how missed runs are caught up after a restart.

Tests drive time: they advance a fake clock and call `tick()`; APScheduler adds nothing a
test needs to wait for.

Limits: exactly-once covers starting a run; delivering its outbox is the dispatcher's, which
assumes one running instance.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol

import aiosqlite
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import audit
from bot.clock import Clock, isoformat
from bot.settings import Settings
from bot.storage import Database
from broadcasts import announcements, digest, outbox, recipients, rules, schedules
from broadcasts.approval import Route, route
from broadcasts.rules import Due, QuietHours
from broadcasts.schedules import Schedule, Status, stamp
from broadcasts.targets import Urgency

log = logging.getLogger(__name__)
TICK_JOB = "kim-schedules-tick"
WAKE_JOB = "kim-schedules-wake"


class Waker(Protocol):
    def wake(self) -> None: ...


class RunNotifier(Protocol):
    """How people hear about runs; implemented over the Telegram bot by the handlers."""

    async def run_started(
        self, schedule: Schedule, announcement_id: int, planned: datetime
    ) -> None:
        """A run's announcement is queued; tell its author (and open its progress message)."""

    async def run_empty(self, schedule: Schedule) -> None:
        """A run found no recipients and sent nothing."""

    async def runs_missed(self, schedule: Schedule, missed: Sequence[datetime], count: int) -> None:
        """Runs older than the grace were skipped; tell the operators which."""

    async def digest(self, user_id: int, text: str) -> None:
        """Send one weekly digest; raise when it cannot be delivered."""


class RunNow(StrEnum):
    STARTED = "started"
    EMPTY = "empty"
    QUIET = "quiet"
    GONE = "gone"


@dataclass(frozen=True)
class Outcome:
    """What one tick did, for logs and tests."""

    started: int = 0
    missed: int = 0


class Scheduler:
    def __init__(
        self, db: Database, settings: Settings, clock: Clock, delivery: Waker, notifier: RunNotifier
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._delivery = delivery
        self._notifier = notifier
        self.tz = settings.tz
        self.quiet = rules.quiet_hours(settings)
        self.grace = settings.missed_run_grace
        self._lock = asyncio.Lock()
        self._aps: AsyncIOScheduler | None = None
        self._stopped = False

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Catch up on what came due while the bot was down, then keep ticking."""
        await digest.ensure_schedule(
            self._db,
            digest.rule(self._settings),
            now=self._clock.now(),
            tz=self.tz,
            quiet=self.quiet,
        )
        await digest.release_stuck(self._db, self._clock.now())
        await self.tick()
        # A tick that was late runs once, however late; never two at a time.
        once = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        self._aps = AsyncIOScheduler(timezone=self.tz, job_defaults=once)
        interval = self._settings.schedule_check_interval
        self._aps.add_job(
            self.tick, IntervalTrigger(seconds=interval, timezone=self.tz), id=TICK_JOB
        )
        self._aps.start()
        await self._plan_wake_up()

    async def stop(self) -> None:
        """No new ticks; a tick in progress finishes first."""
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        async with self._lock:
            self._stopped = True

    def wake(self) -> None:
        """Schedules changed (approved, resumed): look again now rather than at the next tick."""
        if self._aps is not None and self._aps.running:
            self._aps.add_job(self.tick, id=WAKE_JOB, replace_existing=True)

    # --- ticking --------------------------------------------------------------------------

    async def tick(self) -> Outcome:
        """Start every run that is due by the clock; safe to call at any time, from any
        number of instances."""
        started = missed = 0
        async with self._lock:
            if self._stopped:
                return Outcome()
            now = self._clock.now()
            for schedule in await schedules.due(self._db, now):
                try:
                    result = await self._settle(schedule, now)
                except Exception:  # one broken schedule must not stop the others
                    log.exception("schedule %s could not run", schedule.id)
                    continue
                started += result.started
                missed += result.missed
            await self._drain_digests()
        if started:
            self._delivery.wake()
        await self._plan_wake_up()
        return Outcome(started, missed)

    async def _settle(self, schedule: Schedule, now: datetime) -> Outcome:
        slot = schedule.slot_at(self.tz)
        assert slot is not None  # active schedules always have one
        urgent = schedule.urgent
        owed = rules.plan_due(
            schedule.rule,
            slot,
            now,
            self.tz,
            quiet=self.quiet,
            urgent=urgent,
            grace=self.grace,
            limits=schedule.limits,
        )
        announcement_id: int | None = None
        empty = False
        async with self._db.transaction() as conn:
            if not await _advance(conn, schedule, owed, now, self.quiet, self.tz):
                return Outcome()  # another instance got there first
            if owed.fire_slot is not None:
                if schedule.kind == "digest":
                    run_id = await _record_run(conn, schedule.id, owed.fire_slot, "sent", None, now)
                    await digest.enqueue(
                        conn,
                        self._db,
                        run_id,
                        since=owed.fire_slot - timedelta(days=7),
                        until=now,
                        tz=self.tz,
                        organization=self._settings.organization_name,
                    )
                else:
                    announcement_id = await _spawn(
                        conn, self._db, schedule, owed.fire_slot, now, "sent"
                    )
                    empty = announcement_id is None
            if owed.missed_count:
                await audit.record(
                    conn,
                    at=now,
                    actor_id=None,
                    action="schedule.missed",
                    object_type="schedule",
                    object_id=schedule.id,
                    detail={"count": owed.missed_count, "first": isoformat(owed.missed[0])},
                )
        await self._tell(schedule, owed, announcement_id, empty)
        return Outcome(1 if announcement_id is not None else 0, owed.missed_count)

    async def _tell(
        self, schedule: Schedule, owed: Due, announcement_id: int | None, empty: bool
    ) -> None:
        try:
            if owed.missed_count and schedule.kind == "announcement":
                await self._notifier.runs_missed(schedule, owed.missed, owed.missed_count)
            if announcement_id is not None and owed.fire_slot is not None:
                await self._notifier.run_started(schedule, announcement_id, owed.fire_slot)
            elif empty:
                await self._notifier.run_empty(schedule)
        except Exception:  # telling people is best effort; the run itself is recorded
            log.exception("could not report on schedule %s", schedule.id)

    async def run_now(self, schedule_id: int, *, actor_id: int) -> RunNow:
        """An extra run at once (a once schedule: its only run). Non-darurat runs wait for
        the end of the quiet hours like every other broadcast."""
        schedule = await schedules.get(self._db, schedule_id)
        if (
            schedule is None
            or schedule.kind != "announcement"
            or schedule.status not in (Status.ACTIVE, Status.PAUSED)
        ):
            return RunNow.GONE
        now = self._clock.now()
        urgency = Urgency.DARURAT if schedule.urgent else None
        held = route(planned=False, urgency=urgency, now=now, tz=self.tz, quiet=self.quiet)
        if held is Route.HOLD:
            return RunNow.QUIET
        async with self._lock:
            try:
                async with self._db.transaction() as conn:
                    ends = "" if schedule.rule.recurring else ", status = 'done', next_run = NULL"
                    cursor = await conn.execute(
                        f"UPDATE schedules SET updated_at = ?{ends}"
                        " WHERE id = ? AND status IN ('active', 'paused')",
                        (isoformat(now), schedule_id),
                    )
                    if cursor.rowcount == 0:
                        return RunNow.GONE
                    announcement_id = await _spawn(conn, self._db, schedule, now, now, "manual")
                    await audit.record(
                        conn,
                        at=now,
                        actor_id=actor_id,
                        action="schedule.run_now",
                        object_type="schedule",
                        object_id=schedule_id,
                    )
            except sqlite3.IntegrityError:  # pressed twice within the same second
                return RunNow.GONE
        if announcement_id is None:
            return RunNow.EMPTY
        self._delivery.wake()
        try:
            await self._notifier.run_started(schedule, announcement_id, now)
        except Exception:
            log.exception("could not report on schedule %s", schedule_id)
        return RunNow.STARTED

    async def _drain_digests(self) -> None:
        """Send the weekly digests that are owed, one by one, each claimed before sending."""
        for row_id, user_id, text in await digest.pending(self._db):
            if self._stopped or not await digest.claim(self._db, row_id, self._clock.now()):
                continue
            try:
                await self._notifier.digest(user_id, text)
            except Exception as error:
                log.warning("weekly digest for %s not delivered: %s", user_id, error)
                await digest.mark(self._db, row_id, "failed", self._clock.now())
            else:
                await digest.mark(self._db, row_id, "sent", self._clock.now())

    async def _plan_wake_up(self) -> None:
        """A one-off tick at the earliest next start (seconds counted on the injected clock)."""
        if self._aps is None or not self._aps.running or self._stopped:
            return
        earliest = await schedules.earliest(self._db)
        if earliest is None:
            return
        delay = earliest - self._clock.now().timestamp()
        if delay >= self._settings.schedule_check_interval:
            return  # the interval tick comes first anyway
        run_date = datetime.now(self.tz) + timedelta(seconds=max(0.0, delay))
        trigger = DateTrigger(run_date=run_date, timezone=self.tz)
        self._aps.add_job(self.tick, trigger, id=WAKE_JOB, replace_existing=True)


async def _advance(
    conn: aiosqlite.Connection,
    schedule: Schedule,
    owed: Due,
    now: datetime,
    quiet: QuietHours,
    tz: tzinfo,
) -> bool:
    """The claim: move the schedule past what it owes, only if nobody else has yet."""
    next_slot = owed.next_slot
    next_run = None if next_slot is None else quiet.shift(next_slot, tz, urgent=schedule.urgent)
    cursor = await conn.execute(
        "UPDATE schedules SET slot = ?, next_run = ?, runs = runs + ?, status = ?,"
        " updated_at = ? WHERE id = ? AND status = 'active' AND slot = ?",
        (
            None if next_slot is None else stamp(next_slot),
            None if next_run is None else stamp(next_run),
            owed.consumed,
            Status.ACTIVE.value if next_slot is not None else Status.DONE.value,
            isoformat(now),
            schedule.id,
            schedule.slot,
        ),
    )
    return cursor.rowcount > 0


async def _record_run(
    conn: aiosqlite.Connection,
    schedule_id: int,
    slot: datetime,
    outcome: str,
    announcement_id: int | None,
    now: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO schedule_runs(schedule_id, slot, outcome, announcement_id, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (schedule_id, stamp(slot), outcome, announcement_id, isoformat(now)),
    )
    return int(cursor.lastrowid or 0)


async def _spawn(
    conn: aiosqlite.Connection,
    db: Database,
    schedule: Schedule,
    slot: datetime,
    now: datetime,
    outcome: str,
) -> int | None:
    """One run: a copy of the verified announcement with its own outbox, exactly as an
    approval writes it, so delivery, the report and the statistics treat it like any other.

    The copy keeps the verifier (`verified_by`); its `verified_at` is the moment this run was
    released under that verification, so history and monthly statistics place the run when
    it went out. Returns None (and records the run as empty) when nobody matches now.
    """
    assert schedule.announcement_id is not None
    template = await announcements.get(db, schedule.announcement_id)
    assert template is not None and template.topic is not None and template.urgency is not None
    found = await recipients.resolve(
        db, template.targets, template.topic, digest_readers=template.urgency is Urgency.DARURAT
    )
    if found.total == 0:
        await _record_run(conn, schedule.id, slot, "empty", None, now)
        return None
    cursor = await conn.execute(
        "INSERT INTO announcements(author_id, status, kind, body, entities, file_id, topic,"
        " urgency, targets, created_at, submitted_at, verified_by, verified_at)"
        " SELECT author_id, 'sending', kind, body, entities, file_id, topic, urgency, targets,"
        " ?, submitted_at, verified_by, ? FROM announcements WHERE id = ?",
        (isoformat(now), isoformat(now), template.id),
    )
    announcement_id = int(cursor.lastrowid or 0)
    await outbox.enqueue(conn, announcement_id, found.rows, priority=template.urgency.priority)
    await _record_run(conn, schedule.id, slot, outcome, announcement_id, now)
    await audit.record(
        conn,
        at=now,
        actor_id=None,
        action="schedule.run",
        object_type="schedule",
        object_id=schedule.id,
        detail={"announcement": announcement_id, "recipients": found.total, "slot": stamp(slot)},
    )
    return announcement_id
