"""Telegram's flood limits, as sliding-window logs per key, judged at each request's arrival.

Windows: 30 messages per 1 s overall, 20 per 60 s per group/channel, 1 per 1 s per private
chat. Edits count overall and in a group's minute (a progress report edited in place is one
more message there), not in a private chat's second: a bot that takes the buttons off a
card and answers at once is what every conversation does. `answerCallbackQuery` has a window of its
own, 30 per second, apart from messages. ``speedup`` compresses time (windows shrink,
counts stay), so S=10 means 300/s and 200/min.

With a jittery network requests arrive out of the order they left in, and the server may
judge a request a little after one that arrived later: every window that would hold the
new arrival is checked, before and after it, not only the one ending at it.

A 429 starts a penalty for its key (the bot overall, or one chat) until the `retry_after` it
names; a request that arrives before the penalty ends is refused with what is left of it.
A bot that keeps hitting the overall limit is told to wait longer: a penalty on it that
starts within `ESCALATION_WINDOW` of the previous one's end lasts twice as long as that one
did (at least what the window needs), up to `MAX_PENALTY`; all in Telegram seconds. A
chat's own limit is not escalated: its window frees within a second (a minute in a group).
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

GLOBAL_LIMIT = (30, 1.0)
GROUP_LIMIT = (20, 60.0)
PRIVATE_LIMIT = (1, 1.0)
CALLBACK_LIMIT = (30, 1.0)
MAX_PENALTY = 60.0  # Telegram seconds
ESCALATION_WINDOW = 60.0  # Telegram seconds
_GLOBAL = "global"
_CALLBACKS = "callbacks"


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
        self._logs: dict[object, list[float]] = {}  # arrivals per key, sorted
        self._penalty: dict[object, tuple[float, float]] = {}  # key → (started, ends)
        self.penalties = 0  # 429s answered to a request that came during a penalty

    def _crowding(self, key: object, limit: int, window: float, at: float) -> float:
        """0 if one more arrival at `at` keeps every window of `key` within `limit`, else how
        long after `at` it would fit (at least a moment)."""
        span = window / self.speedup
        log = self._logs.get(key)
        if not log:
            return 0.0
        if log[0] <= at - 3 * span:  # far behind every request still on its way
            del log[: bisect.bisect_right(log, at - 2 * span)]
        lo, hi = bisect.bisect_right(log, at - span), bisect.bisect_left(log, at + span)
        near = log[lo:hi]  # arrivals sharing some window with `at`
        right = bisect.bisect_right(near, at)
        before, after = near[:right], near[right:]
        # Windows (t - span, t] with at ≤ t < at + span: those ending at `at` and later.
        start = 0
        for end in range(len(after) + 1):
            t = at if end == 0 else after[end - 1]
            while start < len(before) and before[start] <= t - span:
                start += 1
            if len(before) - start + end + 1 > limit:
                if end == 0:  # the window ending here: wait until its oldest leave
                    return max(before[len(before) - limit] + span - at, 1e-6)
                return span  # arrivals already judged fill a later window
        return 0.0

    def check(
        self,
        chat_id: int,
        at: float | None = None,
        *,
        kind: str = "message",
    ) -> Throttle | None:
        """A throttle if a request to ``chat_id`` arriving now (or ``at``) exceeds a limit;
        `kind` is "message", "edit" or "callback" (answerCallbackQuery)."""
        now = self._clock() if at is None else at
        keys = self._keys(chat_id, kind)
        ends = [p[1] for k, *_ in keys if (p := self._penalty.get(k)) and p[1] > now]
        if ends:  # told to wait: refused until then
            self.penalties += 1
            wait = max(ends) - now
            return Throttle(wait=wait, retry_after=self.retry_after_value(wait))
        waits = {key: self._crowding(key, limit, window, now) for key, limit, window in keys}
        crowded = [key for key, wait in waits.items() if wait > 0]
        if not crowded:
            return None
        wait = max(waits.values())
        for key in crowded:  # hit again soon after the last penalty: twice as long
            last = self._penalty.get(key) if key == _GLOBAL else None
            if last is not None and now - last[1] < ESCALATION_WINDOW / self.speedup:
                wait = max(wait, min(2 * (last[1] - last[0]), MAX_PENALTY / self.speedup))
        retry_after = self.retry_after_value(wait)
        for key in crowded:
            self._penalty[key] = (now, now + float(retry_after))
        return Throttle(wait=wait, retry_after=retry_after)

    def record(self, chat_id: int, at: float | None = None, *, kind: str = "message") -> None:
        """Count a successful request (429s and failures are never recorded)."""
        now = self._clock() if at is None else at
        for key, *_ in self._keys(chat_id, kind):
            bisect.insort(self._logs.setdefault(key, []), now)

    def _keys(self, chat_id: int, kind: str) -> list[tuple[object, int, float]]:
        if kind == "callback":
            return [(_CALLBACKS, *CALLBACK_LIMIT)]
        if kind == "edit" and chat_id > 0:
            return [(_GLOBAL, *GLOBAL_LIMIT)]
        limit, window = PRIVATE_LIMIT if chat_id > 0 else GROUP_LIMIT
        return [(_GLOBAL, *GLOBAL_LIMIT), (chat_id, limit, window)]

    def retry_after_value(self, wait: float) -> int | float:
        """Whole Telegram seconds (>= 1), scaled back by speedup; an int when whole."""
        telegram_seconds = max(1, math.ceil(wait * self.speedup - 1e-9))
        value = telegram_seconds / self.speedup
        return int(value) if value.is_integer() else value
