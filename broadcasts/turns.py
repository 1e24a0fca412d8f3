"""Whose turn it is to send: Telegram's limits as the dispatcher keeps them.

A send waits for its chat (1 s per private chat, 3 s per group or channel by default), then,
after a 429, for the pause Telegram asked for, then for the pacer (`pacing.Pacer`: the
budget shared with replies), and last for a place in the in-flight window
(`pacing.InFlight`). In this order a send waiting for its turn is not in flight (nothing of
it can be duplicated by a crash), so the window counts only requests on the wire and answers
being recorded, and the pacer always has a send ready when a place comes free.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.clock import Seconds, wait
from broadcasts.pacing import InFlight, Pacer


@dataclass(frozen=True)
class Pacing:
    """Sending limits: Telegram's, as the pacer counts replies and holds each send's place."""

    per_second: float = 30.0
    window: float = 1.0  # Telegram counts per second; a test server may count faster
    group_interval: float = 3.0  # 20 per minute into one group or channel
    private_interval: float = 1.0  # 1 per second into one private chat
    max_in_flight: int = 64  # the most sends awaiting an answer, whatever the rate needs
    broadcast_share: float = 0.8  # of each window, kept from replies while broadcasting
    max_attempts: int = 5
    backoff: float = 2.0  # first retry after a network error, doubling each time
    slowdown: int = 1  # messages fewer per window after a 429 ...
    slowdown_windows: float = 30.0  # ... for this many windows (half a minute on Telegram)
    storage_backoff: float = 1.0  # first retry of a write the database refused, doubling ...
    storage_max_backoff: float = 60.0  # ... up to this

    @property
    def per_window(self) -> int:
        return max(1, round(self.per_second * self.window))


class Turns:
    def __init__(self, pacing: Pacing, clock: Seconds, stopping: asyncio.Event) -> None:
        self.pacing = pacing
        self._clock = clock
        self._stopping = stopping  # a 429's pause ends early when the dispatcher stops
        self.pacer = Pacer(
            pacing.per_window, pacing.window, broadcast_share=pacing.broadcast_share, clock=clock
        )
        self.window = InFlight(pacing.per_second, pacing.max_in_flight)
        self._chat_ready: dict[int, float] = {}
        self._paused_until = 0.0
        self._slow_until = 0.0

    async def chat(self, chat_id: int, kind: str | None = None) -> None:
        """Until the chat's spacing since the last send to it has passed. With the chat's
        `kind`, the turn is taken as if sent now, so two sends to one chat waiting at once
        (several notices for one person) go one spacing apart, not together."""
        while True:
            now = self._clock.monotonic()
            pause = self._chat_ready.get(chat_id, 0.0) - now
            if pause <= 0:
                break
            await self._clock.sleep(pause)
        if kind is not None:
            self._chat_ready[chat_id] = now + self._interval(kind)

    def _interval(self, kind: str) -> float:
        return self.pacing.private_interval if kind == "private" else self.pacing.group_interval

    async def paced(self) -> float:
        """A 429's pause, then the pacer's turn; the moment the send leaves, for `landed`."""
        pause = self._paused_until - self._clock.monotonic()
        if pause > 0:
            await wait(self._stopping, pause, self._clock)
        slow = self._clock.monotonic() < self._slow_until
        self.pacer.count = self.pacing.per_window - (self.pacing.slowdown if slow else 0)
        return await self.pacer.acquire()

    async def take(self) -> float:
        """The pacer's turn, then a place in the in-flight window (give it back with
        `window.release`); the moment the send leaves, for `pacer.landed`."""
        since = await self.paced()
        await self.window.acquire()
        return since

    def sent(self, chat_id: int, kind: str) -> None:
        """A request to the chat went out: the next one waits for the chat's spacing."""
        now = self._clock.monotonic()
        self._chat_ready[chat_id] = now + self._interval(kind)
        if len(self._chat_ready) > 4096:  # forget chats whose spacing has passed
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}

    def throttled(self, retry_after: float) -> None:
        """Telegram answered 429: every send pauses, then one fewer per window for a while."""
        now = self._clock.monotonic()
        self._paused_until = max(self._paused_until, now + retry_after)
        self._slow_until = now + self.pacing.slowdown_windows * self.pacing.window
