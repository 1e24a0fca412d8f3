"""Flood-limit windows and fault scripting of the fake server, on a fake clock."""

from __future__ import annotations

import pytest

from botapi_sandbox.faults import FaultInjector
from botapi_sandbox.latency import Latency
from botapi_sandbox.limits import RateLimiter


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
    clock.now = 1.4  # after the retry_after it was given
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
    clock.now = 0.19 + 5.9
    assert limiter.check(-5) is None


def test_global_window_spans_chats() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for chat_id in range(1, 31):
        assert limiter.check(chat_id) is None
        limiter.record(chat_id)
    assert limiter.check(99) is not None


def test_an_earlier_arrival_judged_late_is_checked_against_later_windows() -> None:
    """Out-of-order arrivals: 30 already counted after t=0.5 leave no room at t=0.4 either."""
    limiter = RateLimiter(clock=Clock())
    for i in range(30):
        limiter.record(i + 1, at=0.5 + i * 0.01)
    assert limiter.check(99, at=0.4) is not None  # (0.4, 1.4] would hold 31


def test_a_bot_that_keeps_hitting_the_limit_is_told_to_wait_longer() -> None:
    """A send during the penalty is refused until it ends; a new overflow soon after the
    penalty ended earns one twice as long."""
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for chat_id in range(1, 31):
        limiter.record(chat_id)
    first = limiter.check(99)
    assert first is not None and first.retry_after == 1
    clock.now = 0.5  # still told to wait
    during = limiter.check(98)
    assert during is not None and during.wait == pytest.approx(0.5)
    assert limiter.penalties == 1
    clock.now = 1.0
    for chat_id in range(31, 61):  # a full window again, at once
        assert limiter.check(chat_id) is None
        limiter.record(chat_id)
    again = limiter.check(99)
    assert again is not None and again.retry_after == 2  # the last penalty, doubled
    clock.now = 3.0
    assert limiter.check(96) is None


def test_edits_count_in_their_chat_and_callback_answers_apart() -> None:
    """An edit takes the group's minute like a message (not a private chat's second);
    callback answers have their own window."""
    limiter = RateLimiter(clock=Clock())
    for _ in range(20):
        limiter.record(-5, kind="edit")
    assert limiter.check(-5) is not None
    limiter.record(42)
    assert limiter.check(42, kind="edit") is None
    for _ in range(30):
        assert limiter.check(0, kind="callback") is None
        limiter.record(0, kind="callback")
    assert limiter.check(0, kind="callback") is not None


def test_latency_draws_are_seeded_and_scaled() -> None:
    """The same seed gives the same network; S=10 divides every delay by ten."""
    spec = Latency(median=0.06, sigma=0.5, seed=7)
    real = [spec.sampler().draw() for _ in range(3)]
    assert real == [spec.sampler().draw() for _ in range(3)]
    slow, fast = spec.sampler(), spec.sampler(speedup=10)
    draws = [slow.draw() for _ in range(2000)]
    assert [fast.draw() for _ in range(5)] == pytest.approx([d / 10 for d in draws[:5]])
    assert sorted(draws)[1000] == pytest.approx(0.06, rel=0.1)
    assert max(draws) > 0.15 and max(draws) <= spec.cap  # a long tail, capped


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
