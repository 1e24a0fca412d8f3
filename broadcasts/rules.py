"""Schedule rules as plain values: when runs fall, quiet hours, and what is due.

Times are computed as wall-clock times in the regency's zone (WIB, WITA or WIT) and compared
as Unix seconds, so nothing assumes UTC. Weekdays: three numberings are in use (Python
0 = Monday, cron 0 = Sunday, APScheduler's `from_crontab` 0 = Monday), so rules name days
("senin" … "minggu") and a cron expression's day field is translated to names before
APScheduler sees it.

Missed runs (the bot was down): every slot whose start lies in the past is consumed at once.
The latest of those started less than the grace ago is sent, once; older ones are skipped and
reported. So a bot down for three days sends one daily run, not three.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from bot.settings import Settings
from bot.texts import jadwal as t

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
        data = {
            "kind": self.kind.value,
            "at": None if self.at is None else self.at.strftime("%H:%M"),
            "on": None if self.on is None else self.on.isoformat(),
            "days": list(self.days) or None,
            "day": self.day,
            "cron": self.cron,
        }
        return json.dumps({key: value for key, value in data.items() if value is not None})

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
    if not chosen or not chosen <= set(DAYS):
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
