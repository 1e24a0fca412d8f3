"""Answers Telegram gave that the database could not record yet.

A send Telegram accepted is owed a record (sent, the parts so far, failed, due again later).
When SQLite refuses that write (a full disk, a read-only file, an I/O error; see
`bot.storage.refuses_writes`), the record is kept here, in memory, under its outbox row, and
the dispatcher:
- keeps the row out of every batch until the record is written, so the living process never
  sends it again;
- takes no new rows while anything is held (each send would only add to what is held);
- writes the held records again, oldest first, `backoff` seconds later, doubling up to
  `max_backoff`, before it takes anything else;
- logs one line when the database starts refusing and one when it takes writes again, and
  tells the operators once each time.

Limits: held records live as long as the process. A crash, or a stop while the database
still refuses, leaves those rows pending, so each is sent once more after the restart: the
same price as a crash between a send and its record (outbox.py). A stop logs how many.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, KeysView
from typing import Protocol

from bot.clock import Seconds, SystemSeconds
from bot.storage import refuses_writes

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[object]]  # one write; run again whole if the database refused it


class Alarm(Protocol):
    """Who hears that broadcasting stopped for the database, and that it resumed; and that
    a channel had to rest or stop (broadcasts/gate.py)."""

    async def storage_refused(self, reason: str) -> None: ...

    async def storage_recovered(self, seconds: float, recorded: int) -> None: ...

    async def channel_paused(self, channel: str, seconds: float, detail: str) -> None: ...

    async def channel_halted(self, channel: str, detail: str) -> None: ...


class Backlog:
    def __init__(
        self,
        alarm: Alarm | None = None,
        *,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        clock: Seconds | None = None,
    ) -> None:
        self._alarm = alarm
        self._clock = clock or SystemSeconds()
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._held: dict[int, list[Step]] = {}
        self._since: float | None = None  # monotonic, when the database first refused
        self._reason = ""
        self._alarmed = False
        self._delay = backoff
        self._recorded = 0

    def __bool__(self) -> bool:
        return bool(self._held)

    def __len__(self) -> int:
        return len(self._held)

    @property
    def rows(self) -> KeysView[int]:
        """Outbox rows whose answer is held: not to be taken again."""
        return self._held.keys()

    async def record(self, row_id: int, *steps: Step) -> bool:
        """Write the steps in order; True when all are stored, False when the rest are held.

        Each step must be safe to run twice (a refused step is run again whole). While
        anything is held nothing is tried: the database refused a moment ago, and one refusal
        per row is what turned a full disk into a log storm.
        """
        if self._held:
            self._held.setdefault(row_id, []).extend(steps)
            return False
        remaining = list(steps)
        while remaining:
            try:
                await remaining[0]()
            except Exception as error:
                if not refuses_writes(error):
                    raise
                self._held[row_id] = remaining
                self._refused(error)
                return False
            remaining.pop(0)
        return True

    async def flush(self, stopping: asyncio.Event) -> bool:
        """Write what is held, oldest first; True once everything is recorded. On a refusal,
        wait the backoff (cut short by `stopping`) and return False.

        The operators hear of it when a retry is refused too: a blip that the first retry
        outlasts is worth a log line, not a message to people."""
        for row_id in list(self._held):
            steps = self._held[row_id]
            try:
                while steps:
                    await steps[0]()
                    steps.pop(0)
            except Exception as error:
                if refuses_writes(error):
                    if not self._alarmed and self._alarm is not None:
                        self._alarmed = True
                        await self._tell(self._alarm.storage_refused(self._reason))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), self._delay)
                    self._delay = min(self._delay * 2, self.max_backoff)
                    return False
                # A wrong statement will not get better by waiting: drop it, loudly.
                log.exception("dropping the record of outbox row %s", row_id)
            del self._held[row_id]
            self._recorded += 1
        if self._since is not None:
            await self._recovered()
        return True

    def _refused(self, error: BaseException) -> None:
        if self._since is not None:
            return
        self._since = self._clock.monotonic()
        self._reason = str(error)
        log.error(
            "database refuses writes (%s): broadcasting paused, answers kept in memory"
            " until it recovers",
            error,
        )

    async def _recovered(self) -> None:
        assert self._since is not None
        seconds, recorded = self._clock.monotonic() - self._since, self._recorded
        log.warning(
            "database takes writes again after %.1f s: %d held answers recorded,"
            " broadcasting resumes",
            seconds,
            recorded,
        )
        alarmed, self._alarmed = self._alarmed, False
        self._since, self._delay, self._recorded = None, self.backoff, 0
        if self._alarm is not None and alarmed:
            await self._tell(self._alarm.storage_recovered(seconds, recorded))

    async def _tell(self, message: Awaitable[None]) -> None:
        try:
            await message
        except Exception:  # telling the operators must never stop the dispatcher
            log.exception("could not tell the operators about the database")
