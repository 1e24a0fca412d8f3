"""Pacing broadcast sends: how fast they start (`Pacer`) and how many await an answer
(`InFlight`).

The pacer keeps Telegram's "30 messages per second" as closely as possible.

Algorithm: sends are spaced `window / count` apart on a virtual schedule; a send that wakes
late lets the next one catch up, but never closer than `spacing` of an interval after it, so
event-loop jitter costs little throughput (unlike a token bucket of one) and yet never puts
two sends side by side. Pairs are what tipped a window over the limit at the server: with
catch-up of a whole slot, 29 sends a window met about one 429 per 600 messages at S=10;
with three quarters of a slot, a few in 10,000 (see the README's benchmark). A sliding
window on top guarantees that no `window` ever holds more than `count` sends, whatever
happened.

Replies to people share the budget (`reserve`, called by bot/ratelimits.py for each one):
each takes a slot in the window and pushes the schedule back by one interval. While a
broadcast is sending (a send in the last window), replies get at most the part of a window
that `broadcast_share` leaves over (29 × 0.2 → 5 of 29 a second); a reply beyond it waits for
the window to move on instead of taking a broadcast's slot, so a flood of replies cannot
slow a broadcast below its share. With no broadcast running, replies are not held back.

Limits: it paces the moment a send starts; the server counts arrivals, so `count` should
stay one below Telegram's limit (29 of 30) to absorb the jitter in between.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

# asyncio's epoll waits in whole milliseconds, rounded up, so a sleep ends on average half a
# millisecond late; waking that much early centres the error on the schedule (the hard cap
# below still holds exactly).
_EPOLL_HALF_TICK = 0.0005


class Pacer:
    def __init__(
        self,
        count: int,
        window: float,
        spacing: float = 0.75,
        broadcast_share: float = 0.8,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.window = window
        self.spacing = spacing
        self.broadcast_share = broadcast_share
        self._count = max(1, count)
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._recent: deque[float] = deque()  # every send in the window, replies too
        self._replies: deque[float] = deque()  # the replies among them
        self._last_send = -math.inf  # the latest broadcast send
        self._lock = asyncio.Lock()  # waiters are served in arrival order
        self._replies_turn = asyncio.Lock()  # the same for replies

    @property
    def count(self) -> int:
        return self._count

    @count.setter
    def count(self, value: int) -> None:
        self._count = max(1, value)

    @property
    def per_second(self) -> float:
        return self._count / self.window

    @property
    def replies_per_window(self) -> int:
        """The most replies one window holds while a broadcast is sending (at least one)."""
        return max(1, self._count - math.ceil(self._count * self.broadcast_share))

    async def acquire(self) -> None:
        async with self._lock:
            interval = self.window / self._count
            now = self._clock()
            self._next = max(self._next, now - interval)  # after an idle spell: no burst
            if self._next - _EPOLL_HALF_TICK > now:
                await self._sleep(self._next - _EPOLL_HALF_TICK - now)
            while True:  # the hard cap: never more than `count` in any window
                now = self._clock()
                self._forget_before(now - self.window)
                if len(self._recent) < self._count:
                    break
                await self._sleep(self._recent[0] + self.window - now)
            self._recent.append(now)
            self._last_send = now
            self._next = max(self._next + interval, now + interval * self.spacing)

    def in_window(self) -> int:
        """Messages counted in the current window."""
        self._forget_before(self._clock() - self.window)
        return len(self._recent)

    async def reserve(self) -> None:
        """Someone else sends a message now: it counts in the window and takes a slot; while
        a broadcast is sending, it first waits until the replies' share has room."""
        async with self._replies_turn:  # replies that wait keep their order
            while True:
                now = self._clock()
                self._forget_before(now - self.window)  # replies come with no broadcast too
                broadcasting = self._last_send > now - self.window
                if not broadcasting or len(self._replies) < self.replies_per_window:
                    break
                await self._sleep(self._replies[0] + self.window - now)
        self._recent.append(now)
        self._replies.append(now)
        interval = self.window / self._count
        self._next = max(self._next, now - interval) + interval

    def _forget_before(self, moment: float) -> None:
        while self._recent and self._recent[0] <= moment:
            self._recent.popleft()
        while self._replies and self._replies[0] <= moment:
            self._replies.popleft()


class InFlight:
    """How many sends may await their answer at once: as few as the rate needs.

    Each of them is a message a crash may duplicate: Telegram has it, but the answer dies with
    the process, so its outbox row is still pending and is sent again after the restart.
    By Little's law, sustaining `per_second` when a send takes `rtt` seconds from request to
    recorded answer needs per_second × rtt of them; the limit follows a moving average of the
    measured `rtt` with a quarter to spare, between 1 and `ceiling`. At 100 sends a second
    over a link answering in a few milliseconds that is one: a crash duplicates at most one.

    Waiters are served in arrival order, so the pacer's schedule order is kept.
    """

    def __init__(
        self, per_second: float, ceiling: int, spare: float = 1.25, smoothing: float = 0.1
    ) -> None:
        self.per_second = per_second
        self.ceiling = max(1, ceiling)
        self._spare = spare
        self._smoothing = smoothing
        self._rtt: float | None = None  # nothing measured yet: one at a time
        self._guess = False  # `_rtt` is a first guess, for the first answer to replace
        self._busy = 0
        self._changed = asyncio.Condition()

    @property
    def limit(self) -> int:
        if self._rtt is None:
            return 1
        needed = math.ceil(self.per_second * self._rtt * self._spare)
        return max(1, min(self.ceiling, needed))

    @property
    def busy(self) -> int:
        return self._busy

    async def acquire(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self._busy < self.limit)
            self._busy += 1

    def guess(self, rtt: float) -> None:
        """A first idea of the answer time (the sender's start-up request), so a broadcast
        does not start one send at a time; the first real answer replaces it."""
        if self._rtt is None:
            self._rtt, self._guess = rtt, True

    async def release(self, rtt: float | None = None) -> None:
        """One send is answered and recorded; `rtt` is how long that took, when it counts
        (a timeout says nothing about how fast Telegram answers)."""
        if rtt is not None:
            previous = rtt if self._rtt is None or self._guess else self._rtt
            self._rtt, self._guess = previous + self._smoothing * (rtt - previous), False
        async with self._changed:
            self._busy -= 1
            self._changed.notify(self.limit - self._busy)
