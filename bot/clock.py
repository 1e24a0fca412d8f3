"""Time as a dependency, so schedules, rate windows and retries can be tested without sleeping.

Two kinds of time: dates (`now()`, in the regency's zone) for what people see and what is
stored, and delivery seconds (`monotonic()` for spacing and windows, `time()` for the due
moments stored with retries, and `sleep()` that follows them) for the dispatcher and its
pacer. One `SystemClock` serves both in production; tests and the benchmark drive delivery
seconds with a virtual clock (tests/clock.py) so a minute of pacing takes milliseconds.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class Seconds(Protocol):
    """Delivery time: intervals, stored due moments, and waiting."""

    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class DeliveryClock(Clock, Seconds, Protocol):
    """Both: what the dispatcher is given."""


class SystemSeconds:
    """The process's real seconds."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class SystemClock(SystemSeconds):
    """The real time in the regency's time zone."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


async def wait(event: asyncio.Event, seconds: float | None, clock: Seconds) -> bool:
    """Until `event` is set or `seconds` pass on `clock` (None: no limit); whether it was set."""
    if event.is_set():
        return True
    waits: set[asyncio.Future[object]] = {asyncio.ensure_future(event.wait())}
    if seconds is not None:
        waits.add(asyncio.ensure_future(clock.sleep(max(0.0, seconds))))
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
    return event.is_set()


def isoformat(moment: datetime) -> str:
    """Stored timestamps keep their offset so they sort and read correctly in any zone."""
    return moment.isoformat(timespec="seconds")
