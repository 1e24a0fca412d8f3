"""Progress of running broadcasts for their operators, and the final report.

The dispatcher marks an announcement as changed after every result; a timer turns that into
at most one progress update per announcement every `interval` seconds (an edit of one
message, so a 10,000-recipient broadcast costs a few dozen edits, not 10,000). When nothing is
pending any more, the announcement is finished exactly once and the report goes out. Each
tick also looks for announcements left with nothing pending but no result to report (stopped
while every row waited for a retry), so they are finished too. A database that refuses to
record the finish is logged once and tried again every tick, until it takes the write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from bot.clock import Clock
from bot.storage import Database, refuses_writes
from broadcasts import announcements, outbox
from broadcasts.announcements import Announcement, Status

log = logging.getLogger(__name__)


class Notifier(Protocol):
    async def progress(self, announcement: Announcement, progress: outbox.Progress) -> None: ...

    async def finished(
        self,
        announcement: Announcement,
        progress: outbox.Progress,
        failures: list[tuple[int, str, str, str, int]],
    ) -> None: ...


class ProgressReporter:
    def __init__(
        self, db: Database, clock: Clock, notifier: Notifier, *, interval: float = 3.0
    ) -> None:
        self._db = db
        self._clock = clock
        self._notifier = notifier
        self.interval = interval
        self._dirty: set[int] = set()
        self._last: dict[int, tuple[int, int]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._refused = False  # the last tick's write was refused by the database

    async def touch(self, announcement_id: int) -> None:
        """Dispatcher listener: something changed for this announcement."""
        self._dirty.add(announcement_id)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="kim-progress")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        # Broadcasts interrupted by a restart are reported on as soon as we are back.
        for announcement in await announcements.in_status(self._db, Status.SENDING):
            self._dirty.add(announcement.id)
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
            try:
                await self.report_now()
            except Exception as error:
                if not refuses_writes(error):
                    log.exception("progress report failed")
                elif not self._refused:
                    log.warning("progress report waits for the database: %s", error)
                self._refused = refuses_writes(error)
            else:
                self._refused = False

    async def report_now(self) -> None:
        self._dirty.update(await announcements.drained(self._db))
        dirty, self._dirty = self._dirty, set()
        for announcement_id in sorted(dirty):
            await self._report(announcement_id)

    async def _report(self, announcement_id: int) -> None:
        state = await outbox.progress(self._db, announcement_id)
        if state.pending == 0:
            if await announcements.finish(self._db, announcement_id, self._clock.now()):
                announcement = await announcements.get(self._db, announcement_id)
                assert announcement is not None
                failures = await outbox.failures(self._db, announcement_id)
                self._last.pop(announcement_id, None)
                await self._notifier.finished(announcement, state, failures)
            return
        key = (state.done, state.failed)
        if self._last.get(announcement_id) == key:
            return
        self._last[announcement_id] = key
        announcement = await announcements.get(self._db, announcement_id)
        if announcement is not None:
            await self._notifier.progress(announcement, state)
