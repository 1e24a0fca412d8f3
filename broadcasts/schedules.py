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

Missed runs (the bot was down): every slot whose start lies in the past is consumed at once.
The latest of those started less than the grace ago is sent, once; older ones are skipped and
reported. So a bot down for three days sends one daily run, not three.

Weekdays: three numberings are in use (Python 0 = Monday, cron 0 = Sunday, APScheduler's
`from_crontab` 0 = Monday), so rules name days ("senin" … "minggu") and a cron expression's
day field is translated to names before APScheduler sees it.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from bot import audit
from bot.clock import isoformat
from bot.settings import Settings
from bot.storage import Database, Row
from bot.texts import jadwal as t
from broadcasts.announcements import ApprovalResult
from broadcasts.targets import Urgency

DAYS = tuple(t.DAY_NAMES)  # senin … minggu, in Python's weekday order
_APS_DAYS = dict(zip(DAYS, ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), strict=True))
_CRON_NUMBERS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_CRON_TO_DAY = ("minggu", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu")  # 0 = Sunday
MAX_RUNS = 366
MAX_REPORTED = 10  # missed runs listed by time in one report; the rest are counted
_CATCH_UP_LIMIT = 2000  # slots walked through after a long outage before jumping ahead


class ScheduleError(ValueError):
    """Input that cannot become a schedule; `message` says why, in Indonesian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleKind(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CRON = "cron"


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """When runs happen, as wall-clock times of the regency's zone."""

    kind: RuleKind
    at: time | None = None  # every kind but cron
    on: date | None = None  # once
    days: tuple[str, ...] = ()  # weekly: day names, in week order
    day: int | None = None  # monthly: 1…31, the last day in shorter months
    cron: str | None = None

    @property
    def recurring(self) -> bool:
        return self.kind is not RuleKind.ONCE

    def to_json(self) -> str:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.at is not None:
            data["at"] = self.at.strftime("%H:%M")
        if self.on is not None:
            data["on"] = self.on.isoformat()
        if self.days:
            data["days"] = list(self.days)
        if self.day is not None:
            data["day"] = self.day
        if self.cron is not None:
            data["cron"] = self.cron
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Rule:
        data: dict[str, Any] = json.loads(text)
        return cls(
            kind=RuleKind(data["kind"]),
            at=time.fromisoformat(data["at"]) if "at" in data else None,
            on=date.fromisoformat(data["on"]) if "on" in data else None,
            days=tuple(data.get("days", ())),
            day=data.get("day"),
            cron=data.get("cron"),
        )

    def describe(self, tz: tzinfo) -> str:
        return t.describe_rule(
            self.kind.value,
            at=self.at,
            on=self.on,
            days=self.days,
            day=self.day,
            cron=self.cron,
            zone_name=zone_name(tz),
        )

    def next_after(self, after: datetime, tz: tzinfo) -> datetime | None:
        """The first run strictly later than `after`, or None when there is none."""
        local = after.astimezone(tz)
        if self.kind is RuleKind.CRON:
            assert self.cron is not None
            trigger = cron_trigger(self.cron, tz)
            found: datetime | None = trigger.get_next_fire_time(
                None, local + timedelta(microseconds=1)
            )
            return None if found is None else found.astimezone(tz)
        assert self.at is not None
        if self.kind is RuleKind.ONCE:
            assert self.on is not None
            moment = _at(self.on, self.at, tz)
            return moment if moment > local else None
        if self.kind is RuleKind.MONTHLY:
            assert self.day is not None
            year, month = local.year, local.month
            for _ in range(14):
                candidate = _at(date(year, month, _clamp_day(year, month, self.day)), self.at, tz)
                if candidate > local:
                    return candidate
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            return None
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if self.kind is RuleKind.WEEKLY and DAYS[day.weekday()] not in self.days:
                continue
            candidate = _at(day, self.at, tz)
            if candidate > local:
                return candidate
        return None

    def first(self, now: datetime, tz: tzinfo) -> datetime | None:
        """The first run of a newly started schedule: a once-rule's own moment (even if it has
        passed meanwhile), otherwise the next run from now on."""
        if self.kind is RuleKind.ONCE:
            assert self.on is not None and self.at is not None
            return _at(self.on, self.at, tz)
        return self.next_after(now - timedelta(seconds=1), tz)


def _at(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _clamp_day(year: int, month: int, day: int) -> int:
    return min(day, calendar.monthrange(year, month)[1])


def zone_name(tz: tzinfo) -> str:
    return t.zone(datetime.now(tz))


def make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ScheduleError(t.IMPOSSIBLE_DATE) from None


def make_time(hour: int, minute: int) -> time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ScheduleError(t.BAD_HOUR)
    return time(hour, minute)


def once(on: date, at: time, *, now: datetime, tz: tzinfo) -> Rule:
    if _at(on, at, tz) <= now:
        raise ScheduleError(t.PAST_TIME)
    return Rule(RuleKind.ONCE, at=at, on=on)


def daily(at: time) -> Rule:
    return Rule(RuleKind.DAILY, at=at)


def weekly(days: Iterable[str], at: time) -> Rule:
    chosen = set(days)
    if not chosen:
        raise ScheduleError(t.NO_DAYS)
    if not chosen <= set(DAYS):
        raise ScheduleError(t.NO_DAYS)
    return Rule(RuleKind.WEEKLY, at=at, days=tuple(d for d in DAYS if d in chosen))


def monthly(day: int, at: time) -> Rule:
    if not 1 <= day <= 31:
        raise ScheduleError(t.BAD_MONTH_DAY)
    return Rule(RuleKind.MONTHLY, at=at, day=day)


def cron(expression: str, *, now: datetime, tz: tzinfo) -> Rule:
    """A standard five-field cron expression (day 0 and 7 = Sunday), checked to run at all."""
    normalized = " ".join(expression.split())
    cron_trigger(normalized, tz)
    rule = Rule(RuleKind.CRON, cron=normalized)
    if rule.next_after(now, tz) is None:
        raise ScheduleError(t.bad_cron(t.CRON_NEVER))
    return rule


def cron_trigger(expression: str, tz: tzinfo) -> CronTrigger:
    """APScheduler's trigger for a standard cron expression, weekdays passed by name."""
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError(t.bad_cron(t.CRON_FIELDS))
    minute, hour, day, month, weekday = fields
    if day not in ("*", "?") and weekday not in ("*", "?"):
        # cron ORs the two, APScheduler ANDs them: refuse rather than guess.
        raise ScheduleError(t.bad_cron(t.CRON_BOTH_DAYS))
    days = _cron_weekdays(weekday)
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day.replace("?", "*"),
            month=month,
            day_of_week="*" if days is None else ",".join(_APS_DAYS[d] for d in days),
            timezone=tz,
        )
    except ValueError as error:
        raise ScheduleError(t.bad_cron(str(error))) from None


def _cron_weekdays(field_text: str) -> tuple[str, ...] | None:
    """Cron's day-of-week field (0 or 7 = Sunday, names allowed) as our day names."""
    if field_text in ("*", "?"):
        return None
    chosen: set[int] = set()
    for item in field_text.split(","):
        span, _, step_text = item.partition("/")
        if step_text and not (step_text.isdigit() and int(step_text) > 0):
            raise ScheduleError(t.bad_cron(t.cron_bad_day(item)))
        step = int(step_text) if step_text else 1
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, last = span.split("-", 1)
            low, high = _cron_day_number(first), _cron_day_number(last)
        else:
            low = _cron_day_number(span)
            high = 7 if step_text else low
        if low > high:
            raise ScheduleError(t.bad_cron(t.cron_bad_day(item)))
        chosen.update(number % 7 for number in range(low, high + 1, step))
    names = {_CRON_TO_DAY[number] for number in chosen}
    return tuple(d for d in DAYS if d in names)


def _cron_day_number(text: str) -> int:
    value = text.strip().lower()
    if value.isdigit() and 0 <= int(value) <= 7:
        return int(value)
    if value[:3] in _CRON_NUMBERS and len(value) == 3:
        return _CRON_NUMBERS[value]
    raise ScheduleError(t.bad_cron(t.cron_bad_day(text)))


# --- quiet hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """Wall-clock hours without non-urgent broadcasts; start == end switches them off."""

    start: time
    end: time

    def contains(self, moment: datetime, tz: tzinfo) -> bool:
        if self.start == self.end:
            return False
        now = moment.astimezone(tz).time()
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def shift(self, moment: datetime, tz: tzinfo, *, urgent: bool) -> datetime:
        """When a run planned at `moment` starts: at once if urgent or outside the quiet
        hours, otherwise when they end."""
        if urgent or not self.contains(moment, tz):
            return moment
        local = moment.astimezone(tz)
        end = _at(local.date(), self.end, tz)
        return end if end > local else _at(local.date() + timedelta(days=1), self.end, tz)

    def describe(self) -> str:
        return f"{t.clock(self.start)}–{t.clock(self.end)}"


def quiet_hours(settings: Settings) -> QuietHours:
    return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)


# --- what is due ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """What a schedule owes at `now`: at most one run to send, the runs skipped, and the slot
    to wait for next (None when the schedule has nothing left)."""

    fire: datetime | None
    fire_slot: datetime | None
    missed: tuple[datetime, ...]
    missed_count: int
    next_slot: datetime | None
    consumed: int


@dataclass(frozen=True)
class Limits:
    ends_on: date | None = None
    max_runs: int | None = None
    runs: int = 0

    def allows(self, slot: datetime, tz: tzinfo, consumed: int) -> bool:
        if self.ends_on is not None and slot.astimezone(tz).date() > self.ends_on:
            return False
        return self.max_runs is None or self.runs + consumed < self.max_runs


def plan_due(
    rule: Rule,
    slot: datetime,
    now: datetime,
    tz: tzinfo,
    *,
    quiet: QuietHours,
    urgent: bool,
    grace: timedelta,
    limits: Limits,
) -> Due:
    """Walk the slots whose start has come; see the module docstring for the rule."""
    fire: datetime | None = None
    fire_slot: datetime | None = None
    missed: list[datetime] = []
    missed_count = consumed = 0
    current: datetime | None = slot
    while current is not None and limits.allows(current, tz, consumed):
        start = quiet.shift(current, tz, urgent=urgent)
        if start > now:
            break
        consumed += 1
        if now - start <= grace:  # a later run inside the grace replaces (coalesces) this one
            fire, fire_slot = start, current
        else:
            missed_count += 1
            if len(missed) < MAX_REPORTED:
                missed.append(start)
        current = rule.next_after(current, tz)
        if consumed >= _CATCH_UP_LIMIT and current is not None and current < now - grace:
            current = rule.next_after(now - grace, tz)  # a very long outage: jump ahead
    if current is not None and not limits.allows(current, tz, consumed):
        current = None
    return Due(fire, fire_slot, tuple(missed), missed_count, current, consumed)


def first_start(
    rule: Rule, now: datetime, tz: tzinfo, *, quiet: QuietHours, urgent: bool
) -> tuple[datetime, datetime] | None:
    """(slot, start) of a schedule that begins now; a once-rule whose moment passed while it
    waited for verification starts at once."""
    slot = rule.first(now, tz)
    if slot is None:
        return None
    if slot < now:
        slot = now
    return slot, quiet.shift(slot, tz, urgent=urgent)


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


def _schedule(row: Row) -> Schedule:
    return Schedule(
        id=row["id"],
        kind=row["kind"],
        announcement_id=row["announcement_id"],
        rule=Rule.from_json(row["rule"]),
        status=Status(row["status"]),
        slot=row["slot"],
        next_run=row["next_run"],
        ends_on=date.fromisoformat(row["ends_on"]) if row["ends_on"] else None,
        max_runs=row["max_runs"],
        runs=row["runs"],
        created_by=row["created_by"],
        topic=row["topic"],
        urgency=Urgency(row["urgency"]) if row["urgency"] else None,
        author_id=row["author_id"],
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


@dataclass(frozen=True)
class Approval:
    result: ApprovalResult
    schedule_id: int | None = None
    first_run: datetime | None = None


async def approve(
    db: Database,
    announcement_id: int,
    *,
    verifier_id: int,
    now: datetime,
    tz: tzinfo,
    quiet: QuietHours,
    allow_own: bool = False,
    hold: bool = False,
) -> Approval:
    """Pending → scheduled, its proposed plan → active, in one transaction.

    `hold` schedules a draft that was meant to go out at once but is approved during the
    quiet hours: it becomes a one-off run at their end.
    """
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT author_id, status, urgency FROM announcements WHERE id = ?",
            (announcement_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or row["status"] != "pending":
            return Approval(ApprovalResult.NOT_PENDING)
        if row["author_id"] == verifier_id and not allow_own:
            return Approval(ApprovalResult.OWN_DRAFT)
        urgent = row["urgency"] == Urgency.DARURAT.value
        async with conn.execute(
            "SELECT id, rule FROM schedules WHERE announcement_id = ? AND status = 'proposed'",
            (announcement_id,),
        ) as cursor:
            plan = await cursor.fetchone()
        if plan is None and not hold:
            return Approval(ApprovalResult.NOT_PENDING)
        local = now.astimezone(tz)
        rule = (
            Rule.from_json(plan["rule"])
            if plan is not None
            else Rule(RuleKind.ONCE, at=local.time().replace(microsecond=0), on=local.date())
        )
        started = first_start(rule, now, tz, quiet=quiet, urgent=urgent)
        assert started is not None  # every stored rule was checked to run at least once
        slot, start = started
        await conn.execute(
            "UPDATE announcements SET status = 'scheduled', verified_by = ?, verified_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (verifier_id, isoformat(now), announcement_id),
        )
        if plan is None:
            cursor = await conn.execute(
                "INSERT INTO schedules(kind, announcement_id, rule, status, slot, next_run,"
                " created_by, created_at, verified_by, verified_at, updated_at)"
                " VALUES ('announcement', ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)",
                (
                    announcement_id,
                    rule.to_json(),
                    stamp(slot),
                    stamp(start),
                    row["author_id"],
                    isoformat(now),
                    verifier_id,
                    isoformat(now),
                    isoformat(now),
                ),
            )
            schedule_id = int(cursor.lastrowid or 0)
        else:
            schedule_id = int(plan["id"])
            await conn.execute(
                "UPDATE schedules SET status = 'active', slot = ?, next_run = ?,"
                " verified_by = ?, verified_at = ?, updated_at = ? WHERE id = ?",
                (
                    stamp(slot),
                    stamp(start),
                    verifier_id,
                    isoformat(now),
                    isoformat(now),
                    schedule_id,
                ),
            )
        await audit.record(
            conn,
            at=now,
            actor_id=verifier_id,
            action="announcement.schedule",
            object_type="announcement",
            object_id=announcement_id,
            detail={"schedule": schedule_id, "first_run": isoformat(start), "held": hold},
        )
    return Approval(ApprovalResult.APPROVED, schedule_id, start)


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
    *,
    actor_id: int,
    now: datetime,
    action: str,
    old: Sequence[Status],
    assignments: str,
    params: Sequence[object] = (),
) -> bool:
    marks = ", ".join("?" for _ in old)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE schedules SET {assignments}, updated_at = ?"
            f" WHERE id = ? AND kind = 'announcement' AND status IN ({marks})",
            (*params, isoformat(now), schedule_id, *(s.value for s in old)),
        )
        if cursor.rowcount == 0:
            return False
        await audit.record(
            conn,
            at=now,
            actor_id=actor_id,
            action=action,
            object_type="schedule",
            object_id=schedule_id,
        )
    return True


async def pause(db: Database, schedule_id: int, *, actor_id: int, now: datetime) -> bool:
    return await _change(
        db,
        schedule_id,
        actor_id=actor_id,
        now=now,
        action="schedule.pause",
        old=(Status.ACTIVE,),
        assignments="status = 'paused'",
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
    if not schedule.limits.allows(slot, tz, 0):
        return await _change(
            db,
            schedule_id,
            actor_id=actor_id,
            now=now,
            action="schedule.resume",
            old=(Status.PAUSED,),
            assignments="status = 'done', next_run = NULL",
        )
    start = quiet.shift(slot, tz, urgent=schedule.urgent)
    return await _change(
        db,
        schedule_id,
        actor_id=actor_id,
        now=now,
        action="schedule.resume",
        old=(Status.PAUSED,),
        assignments="status = 'active', slot = ?, next_run = ?",
        params=(stamp(slot), stamp(start)),
    )


async def delete(db: Database, schedule_id: int, *, actor_id: int, now: datetime) -> bool:
    return await _change(
        db,
        schedule_id,
        actor_id=actor_id,
        now=now,
        action="schedule.delete",
        old=(Status.ACTIVE, Status.PAUSED),
        assignments="status = 'deleted', next_run = NULL",
    )


async def runs_of(db: Database, schedule_id: int) -> list[tuple[int, str, int | None]]:
    """(slot, outcome, announcement id) of every run, oldest first."""
    rows = await db.fetchall(
        "SELECT slot, outcome, announcement_id FROM schedule_runs WHERE schedule_id = ?"
        " ORDER BY slot, id",
        (schedule_id,),
    )
    return [(int(r[0]), str(r[1]), None if r[2] is None else int(r[2])) for r in rows]
