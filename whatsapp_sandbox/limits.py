"""The Cloud API's sending limits, judged when a request reaches "Meta".

- Throughput: at most ``throughput`` messages (default 80) accepted in any sliding second of
  the business number; one more is refused with 130429.
- Pair limit: one message to the same person per ``pair_interval`` seconds (default 6);
  sooner is refused with 131056. Other recipients are not slowed.
- Messaging tier: at most ``daily_recipients`` unique people reached outside their
  customer-service window in a moving 24 hours. Meta accepts the request and the message
  fails on its way (a ``failed`` status), so the check is separate: :meth:`tier_allows`.

``speedup`` S divides every window (S=10: 800 messages/s, a pair every 0.6 s, a "day" of
8,640 s); the counts stay. Only accepted messages are recorded.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field

THROUGHPUT = 80  # messages per second, Meta's default for a business number
PAIR_INTERVAL = 6.0  # seconds between two messages to the same person
DAILY_RECIPIENTS = 1000  # unique people outside their window per 24 h (tier 1K)
DAY = 86_400.0


@dataclass
class Limits:
    """Sliding logs of accepted messages; ``at`` is always the arrival time (sandbox seconds)."""

    speedup: float = 1.0
    throughput: int = THROUGHPUT
    pair_interval: float = PAIR_INTERVAL
    daily_recipients: int | None = DAILY_RECIPIENTS
    _arrivals: list[float] = field(default_factory=list)
    _last_to: dict[str, float] = field(default_factory=dict)
    _reached: deque[tuple[float, str]] = field(default_factory=deque)
    _reached_count: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.speedup <= 0:
            raise ValueError("speedup must be positive")

    def throughput_full(self, at: float) -> bool:
        """Whether a message arriving at ``at`` would exceed the number's throughput."""
        span = 1.0 / self.speedup
        log = self._arrivals
        if log and log[0] <= at - 3 * span:
            del log[: bisect.bisect_right(log, at - 2 * span)]
        inside = bisect.bisect_right(log, at) - bisect.bisect_right(log, at - span)
        return inside + 1 > self.throughput

    def pair_busy(self, wa_id: str, at: float) -> bool:
        """Whether ``wa_id`` got a message less than the pair interval before ``at``."""
        last = self._last_to.get(wa_id)
        return last is not None and at - last < self.pair_interval / self.speedup

    def record(self, wa_id: str, at: float) -> None:
        """Count an accepted message."""
        bisect.insort(self._arrivals, at)
        self._last_to[wa_id] = max(at, self._last_to.get(wa_id, at))

    def tier_allows(self, wa_id: str, at: float) -> bool:
        """Whether one more business-initiated message to ``wa_id`` stays within the tier;
        counts ``wa_id`` when it does."""
        day = DAY / self.speedup
        while self._reached and self._reached[0][0] <= at - day:
            _, old = self._reached.popleft()
            self._reached_count[old] -= 1
            if not self._reached_count[old]:
                del self._reached_count[old]
        if (
            self.daily_recipients is not None
            and wa_id not in self._reached_count
            and len(self._reached_count) >= self.daily_recipients
        ):
            return False
        self._reached.append((at, wa_id))
        self._reached_count[wa_id] = self._reached_count.get(wa_id, 0) + 1
        return True

    @property
    def recipients_today(self) -> int:
        """Unique people reached outside their window in the current moving day."""
        return len(self._reached_count)
