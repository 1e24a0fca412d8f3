"""Pacing broadcast sends: how fast they start (`Pacer`) and how many await an answer
(`InFlight`).

The pacer keeps Telegram's "30 messages per second" without a 429, however the network
delays each request on its way.

Telegram counts a message when it arrives, not when it left; with a real network's jitter
(most requests take about the median, some two or three times as long) evenly spaced sends
arrive bunched, and a schedule one message under the limit met 429s by the dozen. So each
send holds a place in the budget from the moment it leaves until one `window` after its
answer came back (less `margin`, below), and a send leaves only while fewer than `count`
places are held. That bounds every window at Telegram's end: a message arrives between its
send and its answer, so any two in one window there were both held at the moment the later
of them left. It costs one answer time per message: `count` places turn over every
window + answer time, e.g. 30 / (1 s + 68 ms) ≈ 28.1 a second when answers take 68 ms on
average. `margin` wins a little of that back: a request needs some time to reach Telegram,
taken as a quarter of the fastest of the last 64 answers (the answer had to come back too,
and half of it would be met by the odd request that is quicker still), so a place comes
free that much earlier. On top, sends are spaced `window / count` apart on a virtual
schedule (a late one catches up to `spacing` of an interval), so a broadcast starts without
a burst; once places are what holds the sends back, the schedule stays out of the way.

What that costs, and where it ends: a place turns over once per (window + answer time −
margin), so the pacer sends at most count / (window + mean answer time − margin) for all
of the bot's messages together, and a broadcast gets that less what replies and progress
edits take. On the stand-in's network (lognormal, median 60 ms, sigma 0.5, so a mean of
68 ms) that is about 0.94 of Telegram's limit: measured in virtual time
(tests/test_paced_broadcast.py) 0.93 with no 429; at the real limits (the README's
benchmark, S=1) 0.924 with a villager's replies counted and 0.902 for the broadcast
alone; with time compressed tenfold (S=10) the process's own milliseconds per answer
weigh ten times more. Giving places back sooner means betting that the next request
reaches Telegram faster than the recent ones did: with the margin at 0.9 of the fastest
recent answer instead of a quarter, the stand-in refused 30 to 57 of 4,390 sends with a
429, and since every 429 pauses all sends, delivery was no faster.

Replies to people share the budget (`reserve`, called by bot/ratelimits.py for each one,
and `landed` once answered): each holds a place the same way and pushes the schedule back
by one interval. While a broadcast is sending (a send in the last window), a reply waits for
a free place too (the next one that comes free is its, before the broadcast's), and replies
get at most the part of a window that `broadcast_share` leaves over (30 × 0.2 → 6 of 30 a
second); a reply beyond it waits for the window to move on instead of taking a broadcast's
slot, so a flood of replies cannot slow a broadcast below its share. With no broadcast
running, replies are not held back (python-telegram-bot's AIORateLimiter still paces them).

Limits: only requests the pacer is told of are counted (another bot on the same token is
not); a request that times out holds its place from the timeout on, though it may still
arrive later.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections import deque

from bot.clock import Seconds, SystemSeconds, wait

# asyncio's epoll waits in whole milliseconds, rounded up, so a sleep ends on average half a
# millisecond late; waking that much early centres the error on the schedule (the hard cap
# below still holds exactly).
_EPOLL_HALF_TICK = 0.0005
_ANSWERS_KEPT = 64  # the recent answer times the margin is taken from
_TIE = 1e-6  # a place comes free a hair after its window, never exactly at its edge


class Pacer:
    def __init__(
        self,
        count: int,
        window: float,
        spacing: float = 0.25,
        broadcast_share: float = 0.8,
        *,
        clock: Seconds | None = None,
    ) -> None:
        self.window = window
        self.spacing = spacing
        self.broadcast_share = broadcast_share
        self._count = max(1, count)
        self._time = clock or SystemSeconds()
        self._next = 0.0
        self._recent: deque[float] = deque()  # every send in the window, replies too
        self._replies: deque[float] = deque()  # the replies among them
        self._last_send = -math.inf  # the latest broadcast send
        self._lock = asyncio.Lock()  # waiters are served in arrival order
        self._replies_turn = asyncio.Lock()  # the same for replies
        self._flying = 0  # sent, not answered yet
        self._held: list[float] = []  # answered: when each gives its place back (a heap)
        self._answers: deque[float] = deque(maxlen=_ANSWERS_KEPT)
        self._landing = asyncio.Event()
        self._reply_waiting = False

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

    @property
    def margin(self) -> float:
        """The least time a request surely takes to reach Telegram: a quarter of the fastest
        recent answer, and never more than a window."""
        return min(self.window, min(self._answers) / 4) if self._answers else 0.0

    def held(self) -> int:
        """Places taken: sends on their way and those answered less than a window ago."""
        now = self._time.monotonic()
        while self._held and self._held[0] <= now:
            heapq.heappop(self._held)
        return self._flying + len(self._held)

    async def acquire(self) -> float:
        """Wait for this send's turn and take a place; returns the moment it left, for
        `landed` once its answer is back (which every caller must call, whatever happened)."""
        async with self._lock:
            interval = self.window / self._count
            now = self._time.monotonic()
            self._next = max(self._next, now - interval)  # after an idle spell: no burst
            if self._next - _EPOLL_HALF_TICK > now:
                await self._time.sleep(self._next - _EPOLL_HALF_TICK - now)
            while True:  # never more than `count` places held, nor sends in a window
                now = self._time.monotonic()
                self._forget_before(now - self.window)
                free = self.held() < self._count and not self._reply_waiting
                if free and len(self._recent) < self._count:
                    break
                until = [self._recent[0] + self.window] if len(self._recent) >= self._count else []
                until += self._held[:1] if not self._reply_waiting else [now + interval]
                await self._wait_for_landing(min(until) - now if until else None)
            self._recent.append(now)
            self._last_send = now
            self._flying += 1
            self._next = max(self._next + interval, now + interval * self.spacing)
            return now

    def landed(self, since: float, answered: bool = True) -> None:
        """The request that left at `since` has its answer (or failed or timed out): its place
        is held one window from now, less the margin; `answered=False` for a send that never
        left, which gives its place back at once."""
        now = self._time.monotonic()
        self._flying = max(0, self._flying - 1)
        if answered:
            if now > since:
                self._answers.append(now - since)
            end = max(since + self.window, now + self.window - self.margin)
            heapq.heappush(self._held, end + _TIE)
        self._landing.set()

    async def _wait_for_landing(self, within: float | None) -> None:
        """Until a place may have come free: an answer lands or `within` seconds pass."""
        self._landing.clear()
        await wait(self._landing, within, self._time)

    def in_window(self) -> int:
        """Messages counted in the current window."""
        self._forget_before(self._time.monotonic() - self.window)
        return len(self._recent)

    async def reserve(self) -> float:
        """Someone else sends a message now: it takes a place and a slot in the window; while
        a broadcast is sending, it first waits until the replies' share has room. Returns
        the moment it left, for `landed`."""
        async with self._replies_turn:  # replies that wait keep their order
            while True:
                now = self._time.monotonic()
                self._forget_before(now - self.window)  # replies come with no broadcast too
                broadcasting = self._last_send > now - self.window
                if not broadcasting:
                    break
                if len(self._replies) >= self.replies_per_window:
                    await self._time.sleep(self._replies[0] + self.window - now)
                    continue
                if self.held() < self._count:
                    break
                self._reply_waiting = True  # the next place that comes free is this reply's
                try:
                    await self._wait_for_landing(self._held[0] - now if self._held else None)
                finally:
                    self._reply_waiting = False
        self._recent.append(now)
        self._replies.append(now)
        self._flying += 1
        interval = self.window / self._count
        self._next = max(self._next, now - interval) + interval
        return now

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
