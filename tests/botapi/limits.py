"""Telegram's flood limits on sending methods, as sliding-window logs per key.

Windows: 30 sends per 1 s overall, 20 per 60 s per group/channel, 1 per 1 s per private chat.
``speedup`` compresses time (windows shrink, counts stay), so S=10 means 300/s and 200/min.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

GLOBAL_LIMIT = (30, 1.0)
GROUP_LIMIT = (20, 60.0)
PRIVATE_LIMIT = (1, 1.0)


@dataclass(frozen=True)
class Throttle:
    """A 429 decision: how long the client must wait, in scaled and Telegram seconds."""

    wait: float
    retry_after: int | float


class RateLimiter:
    """Sliding windows so bursts are judged exactly like paced traffic, with no refill drift."""

    def __init__(self, speedup: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        self.speedup = speedup
        self._clock = clock
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def _window_wait(self, log: deque[float], limit: int, window: float, now: float) -> float:
        span = window / self.speedup
        while log and log[0] <= now - span:
            log.popleft()
        if len(log) < limit:
            return 0.0
        return log[-limit] + span - now

    def check(self, chat_id: int, at: float | None = None) -> Throttle | None:
        """Return a throttle if a send to ``chat_id`` now (or ``at``) would exceed a limit."""
        now = self._clock() if at is None else at
        limit, window = PRIVATE_LIMIT if chat_id > 0 else GROUP_LIMIT
        log = self._per_chat.get(chat_id)
        wait = self._window_wait(self._global, *GLOBAL_LIMIT, now)
        if log is not None:
            wait = max(wait, self._window_wait(log, limit, window, now))
        if wait <= 0:
            return None
        return Throttle(wait=wait, retry_after=self.retry_after_value(wait))

    def record(self, chat_id: int, at: float | None = None) -> None:
        """Count a successful send (429s and failures are never recorded)."""
        now = self._clock() if at is None else at
        self._global.append(now)
        log = self._per_chat.get(chat_id)
        if log is None:
            log = self._per_chat[chat_id] = deque()
        log.append(now)

    def retry_after_value(self, wait: float) -> int | float:
        """Whole Telegram seconds (>= 1), scaled back by speedup; an int when whole."""
        telegram_seconds = max(1, math.ceil(wait * self.speedup - 1e-9))
        value = telegram_seconds / self.speedup
        return int(value) if value.is_integer() else value
