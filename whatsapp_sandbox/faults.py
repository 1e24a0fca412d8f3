"""Injected failures of the messages endpoint: scripted rules first, then seeded random draws.

Kinds are Meta's error codes, answered as that error (131047, 131026, 131051, 131050,
130429, 131056, 131048, 190), plus:
  server_error                 a 5xx (``status``), nothing delivered
  disconnect                   the connection drops before an answer, nothing delivered
  disconnect_after_delivery    delivered, then the connection drops (the duplicate-risk case)
  slow                         wait ``delay`` seconds, then handle normally

A rule may name a recipient (``to``: a WhatsAppUser or a wa_id) and how many calls it
lasts (``times``, None for ever). ``deferred=True`` makes a code fail the way Meta often
reports it: a 200 with a message id, then a ``failed`` status webhook.
"""

from __future__ import annotations

import random as _random
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

CODES = (131047, 131026, 131051, 131050, 130429, 131056, 131048, 190)
OTHER_KINDS = ("server_error", "disconnect", "disconnect_after_delivery", "slow")
FaultKind = int | str


class HasWaId(Protocol):
    """A WhatsAppUser, or anything naming a recipient by ``wa_id``."""

    @property
    def wa_id(self) -> str: ...


@dataclass
class Fault:
    """One scripted rule or one random draw."""

    kind: FaultKind
    to: str | None = None
    times: int | None = 1
    status: int = 500
    delay: float = 1.0
    deferred: bool = False


class FaultInjector:
    """Decides, per sending call, whether and how it fails; counts what fired in ``fired``."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self.fired: Counter[str] = Counter()
        self._rng: _random.Random | None = None
        self._weights: list[tuple[FaultKind, float]] = []

    def add(
        self,
        kind: FaultKind,
        *,
        to: str | HasWaId | None = None,
        times: int | None = 1,
        status: int = 500,
        delay: float = 1.0,
        deferred: bool = False,
    ) -> Fault:
        """Script a fault for the next ``times`` sends (to ``to`` only, if given)."""
        if kind not in CODES and kind not in OTHER_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {CODES + OTHER_KINDS}")
        target = to if to is None or isinstance(to, str) else to.wa_id
        fault = Fault(kind, target, times, status, delay, deferred)
        self.rules.append(fault)
        return fault

    def random(self, *, seed: int = 1, **probabilities: float) -> None:
        """Fail each send independently: ``random(server_error=0.01, c130429=0.02)``;
        codes are written ``c<code>``. Reproducible by seed."""
        weights: list[tuple[FaultKind, float]] = []
        for name, p in probabilities.items():
            kind: FaultKind = int(name[1:]) if name.startswith("c") and name[1:].isdigit() else name
            if kind not in CODES and kind not in OTHER_KINDS:
                raise ValueError(f"unknown fault {name!r}")
            if p > 0:
                weights.append((kind, p))
        if sum(p for _, p in weights) > 1:
            raise ValueError("fault probabilities add up to more than 1")
        self._rng, self._weights = _random.Random(seed), weights

    def clear(self) -> None:
        """Stop all scripted and random faults."""
        self.rules.clear()
        self._rng, self._weights = None, []

    def pick(self, wa_id: str | None) -> Fault | None:
        """The fault for a send to ``wa_id``, consuming one use of a scripted rule."""
        for rule in self.rules:
            if rule.to is not None and rule.to != wa_id:
                continue
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
            self.fired[str(rule.kind)] += 1
            return rule
        if self._rng is None:
            return None
        draw = self._rng.random()
        for kind, probability in self._weights:
            if draw < probability:
                self.fired[str(kind)] += 1
                return Fault(kind, None, None)
            draw -= probability
        return None
