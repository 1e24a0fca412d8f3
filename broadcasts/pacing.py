"""The broadcast pacer: Telegram's "30 messages per second" kept as closely as possible.

Algorithm: sends are spaced `window / count` apart on a virtual schedule; a send that wakes
late may take the next slot at once (catching up at most one slot), so event-loop jitter
does not cost throughput the way a token bucket of one would. A sliding window on top
guarantees that no `window` ever holds more than `count` sends, whatever the schedule did.

Limits: it paces the moment a send starts; the server counts arrivals, so `count` should
stay one below Telegram's limit (29 of 30) to absorb the jitter in between.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class Pacer:
    def __init__(self, count: int, window: float) -> None:
        self.window = window
        self._count = max(1, count)
        self._next = 0.0
        self._recent: deque[float] = deque()
        self._lock = asyncio.Lock()  # waiters are served in arrival order

    @property
    def count(self) -> int:
        return self._count

    @count.setter
    def count(self, value: int) -> None:
        self._count = max(1, value)

    @property
    def per_second(self) -> float:
        return self._count / self.window

    async def acquire(self) -> None:
        async with self._lock:
            interval = self.window / self._count
            now = time.monotonic()
            self._next = max(self._next, now - interval)  # after an idle spell: no burst
            if self._next > now:
                await asyncio.sleep(self._next - now)
            while True:  # the hard cap: never more than `count` in any window
                now = time.monotonic()
                while self._recent and self._recent[0] <= now - self.window:
                    self._recent.popleft()
                if len(self._recent) < self._count:
                    break
                await asyncio.sleep(self._recent[0] + self.window - now)
            self._recent.append(now)
            self._next += interval
