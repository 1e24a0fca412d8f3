"""Pacing: the in-flight window (as few sends awaiting an answer as the rate needs) and the
budget that replies share with broadcasts."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.ratelimits import is_message
from bot.services import KimApp
from botapi_sandbox import BotApiServer
from broadcasts.pacing import InFlight, Pacer
from broadcasts.service import Broadcasting
from tests.clock import VirtualTime


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


async def test_a_first_guess_starts_wide_and_the_first_answer_replaces_it() -> None:
    window = InFlight(per_second=300, ceiling=64, smoothing=0.1)
    window.guess(0.060)  # getMe took 60 ms: 23 at once from the first send
    assert window.limit == 23
    await window.acquire()
    await window.release(0.004)  # a real answer: not averaged with the guess
    assert window.limit == 2


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


async def test_a_reserved_slot_counts_against_the_window() -> None:
    pacer = Pacer(count=1, window=60.0)
    await pacer.reserve()  # a reply went out: the one message this window allows is taken
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pacer.acquire(), 0.05)


def test_only_methods_that_post_or_edit_a_message_share_the_budget() -> None:
    sending = ["sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"]
    assert all(is_message(name) for name in [*sending, "editMessageText"])
    other = ["sendChatAction", "answerCallbackQuery", "getUpdates"]
    assert not any(is_message(name) for name in other)


async def test_the_running_bot_counts_its_replies_in_the_broadcast_window(
    server: BotApiServer, kimbot: KimApp
) -> None:
    delivery = kimbot.bot_data.delivery
    assert isinstance(delivery, Broadcasting)
    pacer = delivery.dispatcher.pacer
    pacer.window = 60.0  # a window long enough to look at
    before = pacer.in_window()
    villager = server.new_user("Wati")
    await server.private(villager).send("/start")
    await server.private(villager).expect()
    assert pacer.in_window() == before + 1


async def test_replies_without_a_broadcast_are_forgotten_once_their_window_passed() -> None:
    pacer = Pacer(count=29, window=0.0)  # every window is already over
    for _ in range(1000):
        await pacer.reserve()
    assert len(pacer._recent) <= 1  # not a thousand timestamps kept for nothing
    assert len(pacer._replies) <= 1


async def test_a_flood_of_replies_leaves_a_broadcast_its_share_of_every_window() -> None:
    """Replies at 100 a second during a broadcast: 80% of every window stays the broadcast's,
    and the replies still get the rest."""
    time = VirtualTime()
    pacer = Pacer(count=29, window=1.0, broadcast_share=0.8, clock=time)
    sent: list[float] = []
    replied: list[float] = []

    async def broadcast() -> None:
        while True:
            pacer.landed(await pacer.acquire())  # answered at once
            sent.append(time.now)

    async def flood() -> None:
        while True:
            pacer.landed(await pacer.reserve())
            replied.append(time.now)
            await time.sleep(0.01)

    tasks = [asyncio.create_task(broadcast()), asyncio.create_task(flood())]
    await time.run(until=10.0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    broadcast_per_second = Counter(int(moment) for moment in sent)
    replies_per_second = Counter(int(moment) for moment in replied)
    assert pacer.replies_per_window == 5  # 29 - ceil(29 × 0.8)
    for second in range(1, 10):  # whole windows once both are under way
        assert broadcast_per_second[second] >= 24, (second, broadcast_per_second)
        assert 1 <= replies_per_second[second] <= 5, (second, replies_per_second)


async def test_replies_are_not_held_back_while_no_broadcast_runs() -> None:
    """With no broadcast sending, a burst of replies takes no turns."""
    time = VirtualTime()
    pacer = Pacer(count=29, window=1.0, clock=time)
    for _ in range(20):
        await asyncio.wait_for(pacer.reserve(), 1.0)  # would hang if it had to wait
    assert time.now == 0.0 and pacer.in_window() == 20
