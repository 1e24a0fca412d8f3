"""A schedule's rule while it is picked with buttons, before its time of day is known.

The scheduling step of /siaran carries this in its buttons (a kind and one number), so
nothing half made is ever stored; `Pick.rule` turns a complete pick into a checked rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from bot.texts import jadwal as t
from broadcasts import rules
from broadcasts.rules import DAYS, Rule, RuleKind, ScheduleError


@dataclass(frozen=True)
class Pick:
    """`value` is the date of a once rule (YYYYMMDD), the weekday bits of a weekly one (bit
    i = `DAYS[i]`), the day of a monthly one, 0 for daily."""

    kind: RuleKind
    value: int

    def check(self, today: date) -> bool:
        """False for a pick no button carries; ScheduleError for one the person can correct
        (no weekday chosen, an impossible or past date)."""
        if self.kind is RuleKind.DAILY:
            return self.value == 0
        if self.kind is RuleKind.MONTHLY:
            return 1 <= self.value <= 31
        if self.kind is RuleKind.WEEKLY:
            if self.value == 0:
                raise ScheduleError(t.NO_DAYS)
            return 0 < self.value < 1 << len(DAYS)
        if self.kind is not RuleKind.ONCE or not 10000101 <= self.value <= 99991231:
            return False
        if day_of(self.value) < today:
            raise ScheduleError(t.PAST_TIME)
        return True

    def rule(self, hour: int, minute: int, *, now: datetime, tz: tzinfo) -> Rule:
        """The complete rule at `hour`:`minute`; ScheduleError explains what is wrong."""
        at = rules.make_time(hour, minute)
        if self.kind is RuleKind.ONCE:
            return rules.once(day_of(self.value), at, now=now, tz=tz)
        if self.kind is RuleKind.WEEKLY:
            return rules.weekly(days(self.value), at)
        if self.kind is RuleKind.MONTHLY:
            return rules.monthly(self.value, at)
        return rules.daily(at)

    def describe(self, tz: tzinfo) -> str:
        """The rule so far, before the time is known (shown above the hour buttons)."""
        once, weekly = self.kind is RuleKind.ONCE, self.kind is RuleKind.WEEKLY
        return Rule(
            self.kind,
            on=day_of(self.value) if once else None,
            days=tuple(days(self.value)) if weekly else (),
            day=self.value if self.kind is RuleKind.MONTHLY else None,
        ).describe(tz)


def days(bits: int) -> list[str]:
    return [day for index, day in enumerate(DAYS) if bits & (1 << index)]


def day_of(value: int) -> date:
    """The date a YYYYMMDD number names; ScheduleError when there is no such day."""
    return rules.make_date(value // 10000, value // 100 % 100, value % 100)


def day_number(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day
