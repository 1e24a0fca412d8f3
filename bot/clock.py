"""Time as a dependency, so schedules and rate windows can be tested without sleeping."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time in the regency's time zone."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


def isoformat(moment: datetime) -> str:
    """Stored timestamps keep their offset so they sort and read correctly in any zone."""
    return moment.isoformat(timespec="seconds")
