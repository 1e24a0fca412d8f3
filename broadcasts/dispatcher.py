"""The dispatcher: drains the outbox concurrently, within Telegram's limits.

Algorithm: one loop takes the most urgent due rows (darurat first) in batches of about a
second's worth and starts a task per row, up to `max_in_flight`. Before each request a task
waits for its chat (sends to one chat are spaced: 1 s per private chat, 3 s per group or
channel by default), then for a place in the in-flight window (pacing.InFlight: as many
requests awaiting their answer as rate × answer time needs, so that a crash duplicates as few
messages as possible), then for the pacer (pacing.Pacer: evenly spaced sends, 29 per second
by default, never more in any window).

Answers: RetryAfter pauses every broadcast send for the time Telegram asked, retries the row
without counting an attempt, and sends one message fewer per window for half a minute;
Forbidden and "chat not found" fail the row and mark the chat unreachable; ChatMigrated
moves the row (and the registration) to the new chat and retries at once; timeouts and
network errors retry with exponential backoff up to `max_attempts`; anything else fails the
row with Telegram's reason.
Every answer is recorded before its request leaves the in-flight window (see outbox.py for
what a crash can and cannot do).

Limits: the pacer knows only its own sends and the replies it is told of (bot/ratelimits.py);
other traffic (another bot on the same token) needs the headroom left by `rate` (29/s of
Telegram's 30/s by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.clock import Clock
from bot.storage import Database
from broadcasts import outbox
from broadcasts.pacing import InFlight, Pacer
from broadcasts.sender import (
    DeliveryError,
    Migrated,
    Outgoing,
    RateLimited,
    Rejected,
    Sender,
    Transient,
    Unreachable,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pacing:
    """Sending limits; the defaults leave Telegram's 30/s a little headroom for replies."""

    per_second: float = 29.0
    window: float = 1.0  # Telegram counts per second; a test server may count faster
    group_interval: float = 3.0  # 20 per minute into one group or channel
    private_interval: float = 1.0  # 1 per second into one private chat
    max_in_flight: int = 64  # the most sends awaiting an answer, whatever the rate needs
    broadcast_share: float = 0.8  # of each window, kept from replies while broadcasting
    max_attempts: int = 5
    backoff: float = 2.0  # first retry after a network error, doubling each time
    slowdown: int = 1  # messages fewer per window after a 429 ...
    slowdown_windows: float = 30.0  # ... for this many windows (half a minute on Telegram)

    @property
    def per_window(self) -> int:
        return max(1, round(self.per_second * self.window))


class ChatDirectory(Protocol):
    """What the dispatcher tells the rest of kim-bot about chats it learnt something about."""

    async def unreachable(self, chat_id: int, kind: str, reason: str) -> None: ...

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None: ...


Renderer = Callable[[int, str], Awaitable[Outgoing | None]]  # (announcement, chat kind)
Listener = Callable[[int], Awaitable[None]]  # called with an announcement id after each result


class Dispatcher:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        render: Renderer,
        directory: ChatDirectory,
        clock: Clock,
        pacing: Pacing | None = None,
    ) -> None:
        self._db = db
        self._sender = sender
        self._render = render
        self._directory = directory
        self._clock = clock
        self.pacing = pacing or Pacing()
        self._pacer = Pacer(
            self.pacing.per_window,
            self.pacing.window,
            broadcast_share=self.pacing.broadcast_share,
        )
        self._slots = asyncio.Semaphore(self.pacing.max_in_flight)  # rows taken at once
        self._window = InFlight(self.pacing.per_second, self.pacing.max_in_flight)
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._chat_ready: dict[int, float] = {}
        self._paused_until = 0.0
        self._slow_until = 0.0
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._cancelled: set[int] = set()
        self.listeners: list[Listener] = []

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Resume whatever the outbox still owes (after a restart too)."""
        self._loop_task = asyncio.create_task(self._run(), name="kim-dispatcher")

    async def stop(self) -> None:
        """Stop taking rows, let sends in flight finish and record their results."""
        self._stopping.set()
        self._wake.set()
        if self._loop_task is not None:
            await self._loop_task
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def wake(self) -> None:
        """New rows were enqueued: look at the outbox now rather than at the next tick."""
        self._wake.set()

    def cancel(self, announcement_id: int) -> None:
        """Rows already taken into the current batch are dropped before sending."""
        self._cancelled.add(announcement_id)

    def guess_answer_time(self, seconds: float) -> None:
        self._window.guess(seconds)

    async def reserve(self) -> None:
        """A message sent outside the broadcast (a reply to someone) takes a paced slot,
        within the replies' share of the budget while a broadcast is sending."""
        await self._pacer.reserve()

    @property
    def pacer(self) -> Pacer:
        return self._pacer

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def delete(self, chat_id: int, kind: str, message_id: int) -> None:
        """Delete one message under the same pacing as sends (withdrawing an announcement).

        A 429 pauses sends and deletes alike and this delete is tried again; every other
        `DeliveryError` is the caller's to judge (too old, already gone, bot removed).
        """
        while True:
            await self._wait_for_pacer()
            await self._wait_for_chat(chat_id)
            try:
                await self._sender.delete(chat_id, message_id)
                return
            except RateLimited as error:
                self._throttled(error.retry_after)
            finally:
                self._chat_sent(chat_id, kind)

    # --- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                worked = await self._one_batch()
            except Exception:  # the loop must outlive any single failure
                log.exception("dispatcher batch failed; retrying shortly")
                worked = False
                await asyncio.sleep(1.0)
            if not worked:
                await self._idle()

    async def _one_batch(self) -> bool:
        batch = max(10, int(self._rate()))
        rows = await outbox.due(self._db, now=time.time(), limit=batch, exclude=self._in_flight)
        if not rows:
            return False
        self._wake.clear()
        for row in rows:
            if self._stopping.is_set():
                break
            if row.announcement_id in self._cancelled:
                continue
            await self._slots.acquire()
            self._in_flight.add(row.id)
            task = asyncio.create_task(self._deliver(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            if self._wake.is_set():
                break  # something new (maybe darurat) arrived: re-read the queue
        return True

    async def _idle(self) -> None:
        """Sleep until woken, until the next deferred row is due, or a second at most."""
        next_due = await outbox.next_due_time(self._db)
        timeout = 1.0 if next_due is None else min(1.0, max(0.01, next_due - time.time()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    async def _wait_for_pacer(self) -> None:
        pause = self._paused_until - time.monotonic()
        if pause > 0:  # a 429's wait, cut short by a shutdown
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), pause)
        slow = time.monotonic() < self._slow_until
        self._pacer.count = self.pacing.per_window - (self.pacing.slowdown if slow else 0)
        await self._pacer.acquire()

    def _rate(self) -> float:
        return self._pacer.per_second

    # --- one row --------------------------------------------------------------------------

    async def _deliver(self, row: outbox.Row) -> None:
        try:
            await self._deliver_parts(row)
        except Exception as error:  # a bug must fail one row, not stop the queue
            log.exception("unexpected error delivering outbox row %s", row.id)
            await outbox.mark_failed(self._db, row.id, "rejected", repr(error))
        finally:
            self._in_flight.discard(row.id)
            self._slots.release()
            for listener in self.listeners:
                try:
                    await listener(row.announcement_id)
                except Exception:
                    log.exception("outbox listener failed")

    async def _deliver_parts(self, row: outbox.Row) -> None:
        """Each part: wait for its chat, a place in the in-flight window and the pacer, send,
        and record the answer before giving the place up, so the window counts exactly the
        sends a crash could duplicate."""
        message = await self._render(row.announcement_id, row.kind)
        if message is None:
            await outbox.mark_failed(self._db, row.id, "rejected", "announcement not found")
            return
        if row.reply_to:
            message = replace(message, reply_to=row.reply_to)
        ids = list(row.message_ids)
        for index in range(len(ids), len(message.parts)):
            await self._wait_for_chat(row.chat_id)
            await self._window.acquire()
            answered: float | None = None  # seconds from request to recorded answer
            try:
                # Paced here, just before the request, so sends leave at the paced moments.
                await self._wait_for_pacer()
                if row.announcement_id in self._cancelled or self._stopping.is_set():
                    return  # the row stays pending, with the parts that went out recorded
                started = time.monotonic()
                try:
                    ids.append(await self._sender.send_part(row.chat_id, message, index))
                except DeliveryError as error:
                    error.sent = ids
                    await self._handle(row, error)
                    return
                finally:
                    self._chat_sent(row.chat_id, row.kind)
                if len(ids) == len(message.parts):
                    await outbox.mark_sent(self._db, row.id, ids, self._clock.now())
                else:  # a long text: its first parts are not sent again after a crash
                    await outbox.record_parts(self._db, row.id, ids)
                answered = time.monotonic() - started
            finally:
                await self._window.release(answered)

    async def _handle(self, row: outbox.Row, error: DeliveryError) -> None:
        if isinstance(error, RateLimited):
            self._throttled(error.retry_after)
            await outbox.retry_later(
                self._db,
                row.id,
                not_before=time.time() + error.retry_after,
                error=error.detail,
                sent=error.sent,
                count_attempt=False,
            )
        elif isinstance(error, Migrated):
            await self._directory.migrated(row.chat_id, error.new_chat_id)
            await outbox.move_chat(self._db, row.id, error.new_chat_id)
            self._wake.set()
        elif isinstance(error, Unreachable):
            await outbox.mark_failed(self._db, row.id, error.reason, error.detail)
            await self._directory.unreachable(row.chat_id, row.kind, error.reason)
        elif isinstance(error, Transient) and row.attempts + 1 < self.pacing.max_attempts:
            delay = self.pacing.backoff * (2**row.attempts)
            await outbox.retry_later(
                self._db,
                row.id,
                not_before=time.time() + delay,
                error=error.detail,
                sent=error.sent,
            )
        elif isinstance(error, Transient):
            await outbox.mark_failed(self._db, row.id, "network", error.detail)
        else:
            reason = error.reason if not isinstance(error, Rejected) else "rejected"
            await outbox.mark_failed(self._db, row.id, reason, error.detail)

    def _throttled(self, retry_after: float) -> None:
        now = time.monotonic()
        self._paused_until = max(self._paused_until, now + retry_after)
        self._slow_until = now + self.pacing.slowdown_windows * self.pacing.window

    async def _wait_for_chat(self, chat_id: int) -> None:
        wait = self._chat_ready.get(chat_id, 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def _chat_sent(self, chat_id: int, kind: str) -> None:
        interval = self.pacing.private_interval if kind == "private" else self.pacing.group_interval
        now = time.monotonic()
        self._chat_ready[chat_id] = now + interval
        if len(self._chat_ready) > 4096:  # forget chats whose spacing has passed
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
