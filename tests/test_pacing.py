"""The in-flight window: as few sends awaiting an answer as the rate needs."""

from __future__ import annotations

import asyncio

from broadcasts.pacing import InFlight


def test_one_at_a_time_until_an_answer_was_measured() -> None:
    assert InFlight(per_second=300, ceiling=64).limit == 1


async def test_the_limit_follows_rate_times_answer_time_with_a_quarter_to_spare() -> None:
    window = InFlight(per_second=300, ceiling=64)
    await window.acquire()
    await window.release(0.060)  # 300/s × 60 ms = 18, and a quarter more
    assert window.limit == 23
    fast = InFlight(per_second=100, ceiling=64)
    await fast.acquire()
    await fast.release(0.004)  # 0.4 sends in flight suffice: one at a time
    assert fast.limit == 1


async def test_the_ceiling_holds_however_slow_the_answers() -> None:
    window = InFlight(per_second=300, ceiling=8)
    await window.acquire()
    await window.release(5.0)
    assert window.limit == 8


async def test_the_average_moves_gradually_and_timeouts_do_not_count() -> None:
    window = InFlight(per_second=100, ceiling=64, smoothing=0.5)
    await window.acquire()
    await window.release(0.1)  # first answer: 100 × 0.1 × 1.25 = 12.5
    assert window.limit == 13
    await window.acquire()
    await window.release(0.3)  # halfway to 0.3: 0.2 → 25
    assert window.limit == 25
    await window.acquire()
    await window.release(None)  # a timeout: no measurement
    assert window.limit == 25


async def test_waiters_go_in_arrival_order_once_a_send_is_answered() -> None:
    window = InFlight(per_second=100, ceiling=64)
    order: list[int] = []

    async def send(number: int) -> None:
        await window.acquire()
        order.append(number)

    await window.acquire()  # the limit is one: everyone else waits
    waiting = [asyncio.create_task(send(n)) for n in range(3)]
    await asyncio.sleep(0)
    assert order == [] and window.busy == 1
    await window.release(0.004)
    await asyncio.sleep(0)
    assert order == [0] and window.busy == 1
    await window.release(0.004)
    await window.release(0.004)
    await asyncio.gather(*waiting)
    assert order == [0, 1, 2]


async def test_a_slower_link_lets_more_waiters_through_at_once() -> None:
    window = InFlight(per_second=100, ceiling=64, smoothing=1.0)
    entered: list[int] = []

    async def send(number: int) -> None:
        await window.acquire()
        entered.append(number)

    await window.acquire()
    waiting = [asyncio.create_task(send(n)) for n in range(4)]
    await asyncio.sleep(0)
    await window.release(0.03)  # 100 × 0.03 × 1.25 → 4 in flight
    await asyncio.gather(*waiting)
    assert entered == [0, 1, 2, 3] and window.busy == 4
