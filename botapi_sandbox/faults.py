"""Injected failures for delivery tests: scripted rules first, then seeded random draws.

Kinds:
  retry_after            429 with ``retry_after`` (PTB ``RetryAfter``); nothing delivered
  blocked                403; the private chat stays blocked / the bot stays kicked from the group
  chat_not_found         400 once; the chat itself is unchanged
  server_error           5xx (PTB ``NetworkError``); nothing delivered
  slow                   wait ``delay`` seconds, then handle normally (delivers even if
                         the client gave up)
  timeout                wait ``delay`` seconds, then 504; nothing delivered
  timeout_after_delivery deliver at once, answer only after ``delay`` (the duplicate-risk case)

Rules without ``method`` and all random draws apply to sending methods only.
"""

from __future__ import annotations

import random as _random
from collections import Counter
from dataclasses import dataclass
from typing import Literal, Protocol

FaultKind = Literal[
    "retry_after",
    "blocked",
    "chat_not_found",
    "server_error",
    "slow",
    "timeout",
    "timeout_after_delivery",
]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "retry_after",
    "blocked",
    "chat_not_found",
    "server_error",
    "slow",
    "timeout",
    "timeout_after_delivery",
)


class HasId(Protocol):
    """A FakeUser or FakeChat: anything naming a chat by its ``id``."""

    @property
    def id(self) -> int: ...


@dataclass
class Fault:
    """One scripted rule (``times=None`` means forever) or one random draw."""

    kind: FaultKind
    method: str | None = None
    chat_id: int | str | None = None
    times: int | None = 1
    delay: float = 1.0
    retry_after: float | None = None
    status: int = 500


@dataclass
class _RandomPlan:
    rng: _random.Random
    weights: list[tuple[FaultKind, float]]
    delay: float
    retry_after: float | None


class FaultInjector:
    """Decides, per request, whether and how it fails; counts what fired in ``fired``."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self.fired: Counter[str] = Counter()
        self._plan: _RandomPlan | None = None

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        chat_id: int | str | HasId | None = None,
        times: int | None = 1,
        delay: float = 1.0,
        retry_after: float | None = None,
        status: int = 500,
    ) -> Fault:
        """Script a fault for the next ``times`` matching requests."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {FAULT_KINDS}")
        target = chat_id if chat_id is None or isinstance(chat_id, int | str) else chat_id.id
        fault = Fault(kind, method, target, times, delay, retry_after, status)
        self.rules.append(fault)
        return fault

    def random(
        self,
        *,
        seed: int = 1,
        retry_after: float = 0.0,
        server_error: float = 0.0,
        timeout: float = 0.0,
        blocked: float = 0.0,
        chat_not_found: float = 0.0,
        slow: float = 0.0,
        timeout_after_delivery: float = 0.0,
        delay: float = 1.0,
        retry_after_seconds: float | None = None,
    ) -> None:
        """Fail each send independently with the given probabilities (reproducible by seed)."""
        weights: list[tuple[FaultKind, float]] = [
            ("retry_after", retry_after),
            ("server_error", server_error),
            ("timeout", timeout),
            ("blocked", blocked),
            ("chat_not_found", chat_not_found),
            ("slow", slow),
            ("timeout_after_delivery", timeout_after_delivery),
        ]
        if sum(p for _, p in weights) > 1:
            raise ValueError("fault probabilities add up to more than 1")
        self._plan = _RandomPlan(
            _random.Random(seed), [w for w in weights if w[1] > 0], delay, retry_after_seconds
        )

    def clear(self) -> None:
        """Stop all scripted and random faults."""
        self.rules.clear()
        self._plan = None

    def pick(self, method: str, chat_id: object, is_send: bool) -> Fault | None:
        """The fault to apply to this request, consuming one use of a scripted rule."""
        for rule in self.rules:
            if rule.method is None and not is_send:
                continue
            if rule.method is not None and rule.method.lower() != method.lower():
                continue
            if rule.chat_id is not None and rule.chat_id != chat_id:
                continue
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
            self.fired[rule.kind] += 1
            return rule
        plan = self._plan
        if plan is None or not is_send or not plan.weights:
            return None
        draw = plan.rng.random()
        for kind, probability in plan.weights:
            if draw < probability:
                self.fired[kind] += 1
                return Fault(kind, method, None, None, plan.delay, plan.retry_after)
            draw -= probability
        return None
