"""The dispatcher: drains the outbox concurrently, within Telegram's limits.

Algorithm: one loop takes the most urgent due rows (darurat first) in batches of about a
second's worth and starts a task per row, up to `max_in_flight`. Each request waits for its
turn (turns.py: the chat's spacing, a 429's pause, the pacer, the in-flight window).

Answers: RetryAfter pauses every broadcast send for the time Telegram asked, retries the row
without counting an attempt, and sends one message fewer per window for half a minute;
Forbidden and "chat not found" fail the row and mark the chat unreachable; ChatMigrated
moves the row (and the registration) to the new chat and retries at once; timeouts and
network errors retry with exponential backoff up to `max_attempts`; anything else fails the
row with Telegram's reason. Answers only WhatsApp gives (broadcasts/whatsapp.py) come as the
same few kinds: a pair limit waits for that chat alone (`RateLimited.chat_only`), the day's
allowance of new recipients defers the row to the next day (`Later`), the spam limit rests
the whole channel for hours (`Paused`) and a dead token stops it until a restart (`Halted`),
the operators told once (gate.py); none of these counts an attempt.
Every answer is recorded before its request leaves the in-flight window (see outbox.py for
what a crash can and cannot do). An answer the database refuses to record (full disk,
read-only file) is held in memory and the row is not sent again; while anything is held the
dispatcher takes no new rows and retries the writes with backoff (see backlog.py).

Besides the outbox, each batch takes the work handlers leave for later (errands.py): the
deletions of withdrawn announcements, then notices (a verdict for each reporter, a
withdrawal's summary), when there is room after the sends. They share the pacing and the
429 pause with the sends.

Stopping: no new rows are taken; a send waiting for its turn gives the turn up and stays in
the outbox. `stop` waits for the sends already on the wire; a caller who cannot wait
(a shutdown with a deadline) cancels it, and the rows still pending are sent after the restart.

Limits: the pacer knows only its own sends and the replies it is told of (bot/ratelimits.py).
Each channel has its own dispatcher, pacing and sender (WhatsApp: broadcasts/whatsapp.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial

from bot import notices
from bot.addresses import Channel
from bot.clock import DeliveryClock, wait
from bot.storage import Database, refuses_writes
from broadcasts import errands, outbox
from broadcasts.backlog import Alarm, Backlog
from broadcasts.directory import ChatDirectory
from broadcasts.gate import Gate
from broadcasts.noticing import NoticeSending
from broadcasts.pacing import Pacer
from broadcasts.sender import (
    DeliveryError,
    Halted,
    Later,
    Migrated,
    Outgoing,
    Paused,
    RateLimited,
    Rejected,
    Sender,
    Transient,
    Unreachable,
)
from broadcasts.turns import Pacing, Turns

log = logging.getLogger(__name__)


Renderer = Callable[[int, str], Awaitable[Outgoing | None]]  # (announcement, chat kind)
Listener = Callable[[int], Awaitable[None]]  # called with an announcement id after each result


class Dispatcher(NoticeSending):
    def __init__(
        self,
        db: Database,
        sender: Sender,
        render: Renderer,
        directory: ChatDirectory,
        clock: DeliveryClock,
        pacing: Pacing | None = None,
        alarm: Alarm | None = None,
        channel: Channel = Channel.TELEGRAM,
    ) -> None:
        self._db = db
        self.channel = channel  # one dispatcher per channel: each takes only its own rows
        self._sender = sender
        self._render = render
        self._directory = directory
        self._clock = clock
        self.pacing = pacing or Pacing()
        self._stopping = asyncio.Event()
        self._turns = Turns(self.pacing, clock, self._stopping)
        self._pacer = self._turns.pacer
        self._window = self._turns.window
        self._slots = asyncio.Semaphore(self.pacing.max_in_flight)  # rows taken at once
        self._in_flight: set[int] = set()  # outbox rows
        self._deleting: set[int] = set()  # outbox rows of withdrawn announcements
        self._noticing: set[int] = set()  # notices
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._cancelled: set[int] = set()
        self._backlog = Backlog(
            alarm,
            backoff=self.pacing.storage_backoff,
            max_backoff=self.pacing.storage_max_backoff,
            clock=clock,
        )
        self._gate = Gate(channel, alarm, clock, db)
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
        if self._backlog and not await self._backlog.flush(self._stopping):
            log.error(
                "stopping with %d answers the database never recorded: those rows are sent"
                " again after the restart",
                len(self._backlog),
            )

    def wake(self) -> None:
        """New rows were enqueued: look at the outbox now rather than at the next tick."""
        self._wake.set()

    def cancel(self, announcement_id: int) -> None:
        """Rows already taken into the current batch are dropped before sending."""
        self._cancelled.add(announcement_id)

    def guess_answer_time(self, seconds: float) -> None:
        self._window.guess(seconds)

    @property
    def clock(self) -> DeliveryClock:
        return self._clock

    @property
    def pacer(self) -> Pacer:
        return self._pacer

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def _delete(self, chat_id: int, kind: str, message_id: int) -> bool:
        """Delete one message under the same pacing as sends; False when stopping first.

        A 429 pauses sends and deletes alike and this delete is tried again; every other
        `DeliveryError` is the caller's to judge (too old, already gone, bot removed).
        """
        while True:
            await self._turns.chat(chat_id, kind)
            since = await self._turns.paced()
            if self._stopping.is_set():
                self._pacer.landed(since, answered=False)
                return False
            try:
                await self._sender.delete(chat_id, message_id)
                return True
            except RateLimited as error:
                self._turns.throttled(error.retry_after)
            finally:
                self._pacer.landed(since)
                self._turns.sent(chat_id, kind)

    # --- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self._gate.restore()
        except Exception:  # the rest's end is lost, not the dispatcher
            log.exception("could not read whether %s was resting", self.channel)
        while not self._stopping.is_set():
            try:
                if self._backlog:  # what was sent is recorded before anything else is sent
                    await self._backlog.flush(self._stopping)
                    continue
                worked = await self._one_batch()
            except Exception:  # the loop must outlive any single failure
                log.exception("dispatcher batch failed; retrying shortly")
                worked = False
                await self._clock.sleep(1.0)
            if not worked:
                await self._idle()

    async def _one_batch(self) -> bool:
        if not self._gate.open():  # resting or stopped: rows stay pending (gate.py)
            return False
        batch = max(10, int(self._pacer.per_second))
        now = self._clock.time()
        exclude = self._in_flight.union(self._backlog.rows) if self._backlog else self._in_flight
        rows = await outbox.due(
            self._db, now=now, limit=batch, exclude=exclude, channel=self.channel
        )
        room = batch - len(rows)
        deletions = (
            await errands.due_deletions(
                self._db, now=now, limit=room, exclude=self._deleting, channel=self.channel
            )
            if room > 0
            else []
        )
        room -= len(deletions)
        owed = (
            await notices.due(
                self._db,
                now=now,
                limit=room,
                exclude=self._noticing.union(-key for key in self._backlog.rows if key < 0),
                channel=self.channel,
            )
            if room > 0
            else []
        )
        if not (rows or deletions or owed):
            return False
        self._wake.clear()
        work: list[tuple[set[int], int, Callable[[], Awaitable[None]]]] = [
            *((self._in_flight, r.id, partial(self._deliver, r)) for r in rows),
            *((self._deleting, d.row_id, partial(self._withdraw, d)) for d in deletions),
            *((self._noticing, n.id, partial(self._notify, n)) for n in owed),
        ]
        for busy, key, job in work:
            if self._stopping.is_set() or self._backlog:
                break
            await self._slots.acquire()
            busy.add(key)
            task = asyncio.create_task(self._job(busy, key, job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            if self._wake.is_set():
                break  # something new (maybe darurat) arrived: re-read the queue
        return True

    async def _job(self, busy: set[int], key: int, job: Callable[[], Awaitable[None]]) -> None:
        try:
            await job()
        finally:
            busy.discard(key)
            self._slots.release()

    async def _idle(self) -> None:
        """Sleep until woken, until the next deferred row is due, or a second at most."""
        next_due = await outbox.next_due_time(self._db, self.channel)
        timeout = 1.0 if next_due is None else min(1.0, max(0.01, next_due - self._clock.time()))
        await wait(self._wake, timeout, self._clock)
        self._wake.clear()

    # --- one row --------------------------------------------------------------------------

    async def _deliver(self, row: outbox.Row) -> None:
        if row.announcement_id in self._cancelled:
            return
        try:
            await self._deliver_parts(row)
        except Exception as error:
            if refuses_writes(error):  # a read the database refused: the row waits
                log.debug("outbox row %s left pending: %s", row.id, error)
            else:  # a bug must fail one row, not stop the queue
                log.exception("unexpected error delivering outbox row %s", row.id)
                await self._record(row.id, outbox.mark_failed, "rejected", repr(error))
        finally:
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
            await self._record(row.id, outbox.mark_failed, "rejected", "announcement not found")
            return
        message = replace(message, reply_to=row.reply_to or message.reply_to, outbox_id=row.id)
        ids = list(row.message_ids)
        for index in range(len(ids), len(message.parts)):
            await self._turns.chat(row.chat_id, row.kind)
            since = await self._turns.take()
            answered: float | None = None  # seconds from request to recorded answer
            try:
                if (
                    row.announcement_id in self._cancelled
                    or self._stopping.is_set()
                    or self._backlog  # the database refuses writes: take nothing new
                    or self._gate.halted
                ):
                    self._pacer.landed(since, answered=False)
                    return  # the row stays pending, with the parts that went out recorded
                started = self._clock.monotonic()
                try:
                    try:
                        ids.append(await self._sender.send_part(row.chat_id, message, index))
                    finally:  # the answer is back: the pacer holds the place a window on
                        self._pacer.landed(since)
                except DeliveryError as error:
                    error.sent = ids
                    await self._handle(row, error)
                    return
                finally:
                    self._turns.sent(row.chat_id, row.kind)
                if len(ids) == len(message.parts):
                    await self._record(row.id, outbox.mark_sent, list(ids), self._clock.now())
                # A long text: its first parts are not sent again after a crash. Held, the
                # row waits for the database, and then for a batch to send the rest.
                elif not await self._record(row.id, outbox.record_parts, list(ids)):
                    return
                answered = self._clock.monotonic() - started
            finally:
                await self._window.release(answered)

    async def _handle(self, row: outbox.Row, error: DeliveryError) -> None:
        """Record what the answer means for the row (each write through the backlog)."""
        if isinstance(error, RateLimited | Paused | Later | Halted):
            await self._put_off(row, error)
        elif isinstance(error, Migrated):
            await self._backlog.record(
                row.id,
                partial(self._directory.migrated, row.chat_id, error.new_chat_id),
                partial(outbox.move_chat, self._db, row.id, error.new_chat_id),
            )
            self._wake.set()
        elif isinstance(error, Unreachable):
            await self._backlog.record(
                row.id,
                partial(outbox.mark_failed, self._db, row.id, error.reason, error.detail),
                partial(self._directory.unreachable, row.chat_id, row.kind, error.reason),
            )
        elif isinstance(error, Transient) and row.attempts + 1 < self.pacing.max_attempts:
            delay = self.pacing.backoff * (2**row.attempts)
            await self._record(
                row.id,
                outbox.retry_later,
                not_before=self._clock.time() + delay,
                error=error.detail,
                sent=error.sent,
            )
        elif isinstance(error, Transient):
            await self._record(row.id, outbox.mark_failed, "network", error.detail)
        else:
            reason = error.reason if not isinstance(error, Rejected) else "rejected"
            await self._record(row.id, outbox.mark_failed, reason, error.detail)

    async def _put_off(self, row: outbox.Row, error: RateLimited | Paused | Later | Halted) -> None:
        """Not this row's fault: it waits (no attempt counted) for the chat, the channel or
        the day; a channel that rests or stops takes no more rows meanwhile (gate.py)."""
        now = self._clock.time()
        if isinstance(error, RateLimited):
            if not error.chat_only:
                self._turns.throttled(error.retry_after)
            not_before = now + error.retry_after
        elif isinstance(error, Paused):
            self._turns.throttled(error.seconds)
            await self._gate.pause(error.seconds, error.detail)
            not_before = now + error.seconds
        elif isinstance(error, Later):
            not_before = error.not_before
        else:
            await self._gate.halt(error.detail)
            not_before = now
        await self._record(
            row.id,
            outbox.retry_later,
            not_before=not_before,
            error=error.detail,
            sent=error.sent,
            count_attempt=False,
        )

    async def _record(
        self, row_id: int, write: Callable[..., Awaitable[object]], *args: object, **kw: object
    ) -> bool:
        """`write(db, row_id, *args, **kw)` now, or held until the database takes it."""
        return await self._backlog.record(row_id, partial(write, self._db, row_id, *args, **kw))

    # --- work left by handlers (errands.py) ------------------------------------------------

    async def _withdraw(self, item: errands.Deletion) -> None:
        """Delete one chat's copy; the outcome is recorded at once, so it is never redone."""
        try:
            outcome = await self._delete_all(item)
        except Exception:  # a bug must not retry this row in a tight loop
            log.exception("unexpected error withdrawing outbox row %s", item.row_id)
            outcome = errands.UNDELETABLE
        if outcome is not None:
            await errands.record_deletion(self._db, item.row_id, outcome)

    async def _delete_all(self, item: errands.Deletion) -> int | None:
        """DELETED, UNDELETABLE, or None when the row stays owed (stopping, network)."""
        if item.too_old(self._clock.now()):
            return errands.UNDELETABLE
        for message_id in item.message_ids:
            try:
                if not await self._delete(item.chat_id, item.kind, message_id):
                    return None  # stopping: parts deleted already answer "not found" next time
            except Transient:
                if item.tries + 1 >= self.pacing.max_attempts:
                    return errands.UNDELETABLE
                delay = self.pacing.backoff * (2**item.tries)
                await errands.retry_deletion(
                    self._db, item.row_id, not_before=self._clock.time() + delay
                )
                return None
            except Rejected as error:
                if "not found" not in error.detail.lower():
                    return errands.UNDELETABLE
                # someone (or this bot, before a crash) already deleted it: as wanted
            except DeliveryError:  # the bot was removed or blocked
                return errands.UNDELETABLE
        return errands.DELETED
