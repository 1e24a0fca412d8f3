"""How often one person is answered: a token bucket per person, so nobody slows the others.

Algorithm: each person has a bucket of `per_minute` tokens that refills at `per_minute` a
minute; every update the bot would answer takes one. The update that finds the bucket empty
gets one short "terlalu cepat" and the person is then paused: nothing they send is answered
(or counted) until the bucket is full again. A flood therefore costs the bot at most
`per_minute` answers and one notice a minute, however fast it comes; someone who only goes
a little over the limit waits at most a minute.

Staff (operator, verifikator, admin) have a bigger bucket that refills faster. Their roles
are looked up only when a bucket first runs empty, never per update, so a flood costs no
database reads; the answer is kept as long as the bucket is. Full buckets are forgotten
(about once a minute), so memory follows the people who wrote in the last minute.

Limits: the buckets live in the process; a restart gives everyone a full bucket.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

SWEEP_EVERY = 60.0  # seconds between forgetting full buckets


class Verdict(Enum):
    ANSWER = "answer"
    TOO_FAST = "too_fast"  # the first update past the limit: say so, once
    DROP = "drop"  # paused: answer nothing


@dataclass
class _Bucket:
    tokens: float
    at: float  # when `tokens` was last brought up to date
    per_minute: int
    staff_checked: bool = False
    paused: bool = False

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.at)
        self.tokens = min(float(self.per_minute), self.tokens + elapsed * self.per_minute / 60.0)
        self.at = now

    @property
    def full(self) -> bool:
        return self.tokens >= self.per_minute


class FloodGate:
    """The per-person limit; `now` is in seconds on any steady clock the caller keeps."""

    def __init__(self, per_minute: int, staff_per_minute: int) -> None:
        self.per_minute = max(1, per_minute)
        self.staff_per_minute = max(self.per_minute, staff_per_minute)
        self._buckets: dict[int, _Bucket] = {}
        self._swept = 0.0

    async def admit(
        self, person_id: int, now: float, is_staff: Callable[[], Awaitable[bool]]
    ) -> Verdict:
        """Whether to answer this person's update; `is_staff` is awaited at most once per
        bucket, when it first runs empty."""
        self._sweep(now)
        bucket = self._buckets.get(person_id)
        if bucket is None:
            bucket = self._buckets[person_id] = _Bucket(
                float(self.per_minute), now, self.per_minute
            )
        bucket.refill(now)
        if bucket.paused:
            if not bucket.full:
                return Verdict.DROP
            bucket.paused = False
        if bucket.tokens < 1 and not bucket.staff_checked:
            bucket.staff_checked = True
            if await is_staff():
                # The bigger bucket, with what this one already used taken out of it.
                bucket.tokens += self.staff_per_minute - bucket.per_minute
                bucket.per_minute = self.staff_per_minute
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ANSWER
        if bucket.paused:  # another update of this person got here first while we awaited
            return Verdict.DROP
        bucket.paused = True
        return Verdict.TOO_FAST

    def tracked(self) -> int:
        """People with a bucket in memory."""
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        if now - self._swept < SWEEP_EVERY:
            return
        self._swept = now
        for person_id, bucket in list(self._buckets.items()):
            bucket.refill(now)
            if bucket.full:
                del self._buckets[person_id]
