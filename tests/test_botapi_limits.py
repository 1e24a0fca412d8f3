"""Flood-limit windows and fault scripting of the fake server, on a fake clock."""

from __future__ import annotations

import pytest

from tests.botapi.faults import FaultInjector
from tests.botapi.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_private_chat_allows_one_per_second() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    assert limiter.check(42) is None
    limiter.record(42)
    clock.now = 0.4
    throttle = limiter.check(42)
    assert throttle is not None and throttle.retry_after == 1
    assert throttle.wait == pytest.approx(0.6)
    clock.now = 1.0
    assert limiter.check(42) is None


def test_group_window_scaled_by_speedup() -> None:
    clock = Clock()
    limiter = RateLimiter(speedup=10, clock=clock)  # 20 per 6 s
    for i in range(20):
        clock.now = i * 0.01
        assert limiter.check(-5) is None
        limiter.record(-5)
    throttle = limiter.check(-5)
    assert throttle is not None
    assert throttle.retry_after == 5.9  # 59 Telegram seconds, scaled by 10
    clock.now = 6.0
    assert limiter.check(-5) is None


def test_global_window_spans_chats() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for chat_id in range(1, 31):
        assert limiter.check(chat_id) is None
        limiter.record(chat_id)
    assert limiter.check(99) is not None


def test_scripted_faults_match_and_expire() -> None:
    faults = FaultInjector()
    faults.add("server_error", chat_id=7, times=2)
    faults.add("slow", method="getUpdates", times=None)
    assert faults.pick("sendMessage", 8, is_send=True) is None
    assert faults.pick("getMe", 7, is_send=False) is None  # method-less rules: sends only
    first = faults.pick("sendMessage", 7, is_send=True)
    assert first is not None and first.kind == "server_error"
    assert faults.pick("sendPhoto", 7, is_send=True) is not None
    assert faults.pick("sendMessage", 7, is_send=True) is None
    for _ in range(3):
        slow = faults.pick("getupdates", None, is_send=False)
        assert slow is not None and slow.kind == "slow"
    assert faults.fired == {"server_error": 2, "slow": 3}


def test_random_faults_need_sane_probabilities() -> None:
    with pytest.raises(ValueError, match="more than 1"):
        FaultInjector().random(blocked=0.6, timeout=0.6)
