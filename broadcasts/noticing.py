"""Sending the notices handlers leave for later (bot/notices.py), as part of the dispatcher.

A notice takes a paced turn like an outbox row and its answer is recorded before its place
in the in-flight window is given up. Unlike a row it leaves no trace once done: sent, it is
deleted (a verdict also marks its report answered); given up (the chat is gone, or too many
network errors), it is dropped. A rate limit, a channel's pause or a deferral put it off
without counting an attempt; a stopped channel leaves it as it is for the restart. One the
person refuses for now (WhatsApp: promotional messages turned off, outside their 24-hour
window) waits for them: it is due again as soon as they write (broadcasts/whatsapp_messages.py
`release_followups`), or tried once a week until it runs out of attempts.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from bot import notices
from bot.clock import DeliveryClock
from bot.storage import Database
from broadcasts import errands
from broadcasts.backlog import Backlog
from broadcasts.gate import Gate
from broadcasts.sender import (
    DeliveryError,
    Halted,
    Later,
    Paused,
    RateLimited,
    Refused,
    Sender,
    Transient,
)
from broadcasts.turns import Pacing, Turns

log = logging.getLogger(__name__)

UNTIL_THEY_WRITE = 7 * 24 * 3600.0  # a refused notice's next try, unless the person writes


class NoticeSending:
    """The dispatcher's notice path (mixed into `Dispatcher`, whose state it shares)."""

    _db: Database
    _sender: Sender
    _clock: DeliveryClock
    _turns: Turns
    _stopping: asyncio.Event
    _backlog: Backlog
    _gate: Gate
    pacing: Pacing

    async def _notify(self, notice: notices.Notice) -> None:
        """Send one notice in a paced turn; record the answer before leaving the window."""
        try:
            text = await errands.notice_text(self._db, notice, self._clock.now())
        except Exception:
            log.exception("notice %s cannot be written; dropped", notice.id)
            await notices.drop(self._db, notice.id)
            return
        kind = "private" if notice.chat_id > 0 else "kim"
        await self._turns.chat(notice.chat_id, kind)
        since = await self._turns.take()
        answered: float | None = None
        try:
            if self._stopping.is_set():
                self._turns.pacer.landed(since, answered=False)
                return
            started = self._clock.monotonic()
            try:
                try:
                    await self._sender.send_text(notice.chat_id, text)
                finally:
                    self._turns.pacer.landed(since)
            except DeliveryError as error:
                await self._notice_failed(notice, error)
                return
            finally:
                self._turns.sent(notice.chat_id, kind)
            # Held like an outbox row's answer when the database refuses (under the notice's
            # negative id, apart from outbox rows): a verdict is never sent twice.
            await self._backlog.record(
                -notice.id, partial(notices.sent, self._db, notice, self._clock.now())
            )
            answered = self._clock.monotonic() - started
        finally:
            await self._turns.window.release(answered)

    async def _notice_failed(self, notice: notices.Notice, error: DeliveryError) -> None:
        now = self._clock.time()
        if isinstance(error, RateLimited):
            if not error.chat_only:
                self._turns.throttled(error.retry_after)
            await notices.retry_later(
                self._db, notice.id, not_before=now + error.retry_after, count_attempt=False
            )
        elif isinstance(error, Paused):
            self._turns.throttled(error.seconds)
            await self._gate.pause(error.seconds, error.detail)
            await notices.retry_later(
                self._db, notice.id, not_before=now + error.seconds, count_attempt=False
            )
        elif isinstance(error, Later):
            await notices.retry_later(
                self._db, notice.id, not_before=error.not_before, count_attempt=False
            )
        elif isinstance(error, Halted):
            await self._gate.halt(error.detail)  # the notice waits for the restart
        elif isinstance(error, Refused) and notice.attempts + 1 < self.pacing.max_attempts:
            await notices.retry_later(self._db, notice.id, not_before=now + UNTIL_THEY_WRITE)
        elif isinstance(error, Transient) and notice.attempts + 1 < self.pacing.max_attempts:
            delay = self.pacing.backoff * (2**notice.attempts)
            await notices.retry_later(self._db, notice.id, not_before=now + delay)
        else:  # never started the bot, blocked it, left; or too many network errors
            log.info("notice %s not delivered: %s", notice.id, error.detail)
            await notices.drop(self._db, notice.id)
