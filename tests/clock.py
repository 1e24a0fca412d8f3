"""A clock that moves only when a test says so: days pass in microseconds."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import datetime, timedelta

from bot.clock import SystemSeconds


class FakeClock(SystemSeconds):
    """`bot.clock.DeliveryClock` for tests: `now()` stays put until `set()` or `advance()`;
    delivery seconds are real."""

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


class VirtualTime:
    """Monotonic seconds for code that takes a `clock` and a `sleep`: nothing ends until
    `run` moves time on to the earliest sleeper, so a minute of pacing takes milliseconds."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # At least a nanosecond: a wait computed as "until t" must end after t, even where
        # floating point puts t a hair's breadth past now.
        wake = self.now + max(1e-9, delay)
        heapq.heappush(self._sleepers, (wake, next(self._order), future))
        await future

    async def run(self, until: float) -> None:
        """Let the tasks run until each one sleeps, wake the earliest, and so on to `until`."""
        while True:
            for _ in range(20):  # every ready task reaches its next sleep
                await asyncio.sleep(0)
            if not self._sleepers or self._sleepers[0][0] > until:
                self.now = until
                return
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            if not future.done():
                future.set_result(None)
