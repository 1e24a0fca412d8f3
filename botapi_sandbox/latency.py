"""How long a request takes to reach "Telegram": a seeded draw per request.

A real network does not deliver every request exactly 60 ms after it left: most take about
that, some take two or three times as long. Telegram counts a message when it arrives, so
that spread decides whether a client's evenly paced sends stay within a window. A lognormal
distribution is the usual model of such delays (a median, and a long tail to the right);
`cap` cuts off the rare extreme draw.

Durations are Telegram seconds; a server whose clock runs S times faster divides them by S,
so the network is as jittery relative to its limits as the real one is to Telegram's.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from statistics import NormalDist


@dataclass(frozen=True)
class Latency:
    """Median and spread (sigma of the underlying normal) of the one-way delay, a cap, a seed."""

    median: float = 0.060
    sigma: float = 0.5
    cap: float = 1.0
    seed: int = 1

    def describe(self) -> dict[str, object]:
        """The distribution and its parameters, for a benchmark's results."""
        return {
            "distribution": "lognormal" if self.sigma > 0 else "constant",
            "median_s": self.median,
            "sigma": self.sigma,
            "p95_s": round(self.quantile(0.95), 4),
            "p99_s": round(self.quantile(0.99), 4),
            "cap_s": self.cap,
            "seed": self.seed,
            "unit": "Telegram seconds (divided by the speed-up S on the server)",
        }

    def quantile(self, fraction: float) -> float:
        return min(self.cap, self.median * math.exp(self.sigma * NormalDist().inv_cdf(fraction)))

    def sampler(self, speedup: float = 1.0) -> Sampler:
        return Sampler(self, speedup)


# The stand-in's realistic network: median 60 ms, p95 ≈ 137 ms, p99 ≈ 192 ms.
REALISTIC = Latency()


@dataclass
class Sampler:
    """Draws one delay per request, in the server's (scaled) seconds."""

    latency: Latency
    speedup: float = 1.0
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.latency.seed)

    def draw(self) -> float:
        spec = self.latency
        if spec.sigma <= 0:
            value = spec.median
        else:
            value = min(spec.cap, self._rng.lognormvariate(math.log(spec.median), spec.sigma))
        return value / self.speedup
