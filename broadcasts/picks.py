"""A schedule's rule while it is picked with buttons, before its time of day is known.

The scheduling step of /siaran carries this in its buttons (kind and one number), so nothing
half made is ever stored; `Pick.rule` turns a complete pick into a checked `rules.Rule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from bot.texts import jadwal as t
from broadcasts import rules
from broadcasts.rules import DAYS, Rule, ScheduleError

ALL_DAYS = (1 << len(DAYS)) - 1


class Repeat(StrEnum):
    ONCE = "o"
    DAILY = "d"
    WEEKLY = "w"
    MONTHLY = "m"


@dataclass(frozen=True)
class Pick:
    """`value` is the date of a once rule (YYYYMMDD), the weekday bits of a weekly one (bit
    i = `DAYS[i]`), the day of a monthly one, 0 for daily."""

    repeat: Repeat
    value: int

    def check(self, today: date) -> bool:
        """False for a value no button carries; ScheduleError for a pick the person can
        correct (no weekday chosen, an impossible or past date)."""
        if self.repeat is Repeat.DAILY:
            return self.value == 0
        if self.repeat is Repeat.MONTHLY:
            return 1 <= self.value <= 31
        if self.repeat is Repeat.WEEKLY:
            if not 0 <= self.value <= ALL_DAYS:
                return False
            if self.value == 0:
                raise ScheduleError(t.NO_DAYS)
            return True
        if not 10000101 <= self.value <= 99991231:
            return False
        if self._date() < today:
            raise ScheduleError(t.PAST_TIME)
        return True

    def rule(self, hour: int, minute: int, *, now: datetime, tz: tzinfo) -> Rule:
        """The complete rule at `hour`:`minute`; ScheduleError explains what is wrong."""
        at = rules.make_time(hour, minute)
        if self.repeat is Repeat.ONCE:
            return rules.once(self._date(), at, now=now, tz=tz)
        if self.repeat is Repeat.WEEKLY:
            return rules.weekly(days(self.value), at)
        if self.repeat is Repeat.MONTHLY:
            return rules.monthly(self.value, at)
        return rules.daily(at)

    def describe(self, tz: tzinfo) -> str:
        """The rule so far, before the time is known (shown above the hour buttons)."""
        kind = {
            Repeat.ONCE: "once",
            Repeat.DAILY: "daily",
            Repeat.WEEKLY: "weekly",
            Repeat.MONTHLY: "monthly",
        }[self.repeat]
        return t.describe_rule(
            kind,
            at=None,
            on=self._date() if self.repeat is Repeat.ONCE else None,
            days=days(self.value) if self.repeat is Repeat.WEEKLY else (),
            day=self.value if self.repeat is Repeat.MONTHLY else None,
            cron=None,
            zone_name=rules.zone_name(tz),
        )

    def _date(self) -> date:
        return day_of(self.value)


def days(bits: int) -> list[str]:
    return [day for index, day in enumerate(DAYS) if bits & (1 << index)]


def day_of(value: int) -> date:
    """The date a YYYYMMDD number names; ScheduleError when there is no such day."""
    return rules.make_date(value // 10000, value // 100 % 100, value % 100)


def day_number(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day
