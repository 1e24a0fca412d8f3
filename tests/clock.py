"""A clock that moves only when a test says so: days pass in microseconds."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    """`bot.clock.Clock` for tests; `now()` stays put until `set()` or `advance()`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a fake clock needs a timezone-aware start")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        self._now += delta
