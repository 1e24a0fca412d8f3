"""A paced broadcast meets no 429 on a jittery network: requests take a lognormal time to
reach the server (median 60 ms, a long tail, in Telegram time) and the server counts each
message when it arrives, at Telegram's limits."""

from __future__ import annotations

import asyncio

import pytest

from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer
from botapi_sandbox.latency import REALISTIC
from botapi_sandbox.limits import RateLimiter
from broadcasts import outbox
from broadcasts.pacing import Pacer
from tests.clock import VirtualTime
from tests.faultkit import approve_announcement, started, subscribe_all

SPEEDUP = 10
VILLAGERS = 500
TEXT = "Jadwal vaksinasi keliling pekan ini"


async def _simulated_broadcast(sends: int, speedup: float) -> tuple[int, float]:
    """`sends` messages through the pacer over a simulated network (virtual time): each
    arrives after a REALISTIC delay, is judged by the server's limiter at that moment, and
    is answered at once. Returns the 429s and the rate reached, as a share of 30×S."""
    time = VirtualTime()
    pacer = Pacer(30, 1 / speedup, clock=time)
    server = RateLimiter(speedup, clock=time.monotonic)
    network = REALISTIC.sampler(speedup)
    refused = 0
    arrivals: list[float] = []

    async def send(number: int) -> None:
        nonlocal refused
        since = await pacer.acquire()
        try:
            await time.sleep(network.draw())
            if server.check(number + 1) is not None:
                refused += 1
            else:
                server.record(number + 1)
                arrivals.append(time.now)
        finally:
            pacer.landed(since)

    tasks = [asyncio.create_task(send(n)) for n in range(sends)]
    await time.run(until=2 * sends / (30 * speedup) + 5)
    await asyncio.gather(*tasks)
    rate = len(arrivals) / max(arrivals) / (30 * speedup)
    return refused, rate


@pytest.mark.parametrize("speedup", [1, 10])
async def test_the_pacer_meets_no_429_and_keeps_the_rate_under_jitter(speedup: int) -> None:
    """3,000 sends through a jittery network: no 429, and more than 0.92 of Telegram's 30/s
    (holding each place one answer time longer than the window costs about 6%)."""
    refused, rate = await _simulated_broadcast(3000, speedup)
    assert refused == 0
    assert rate > 0.92, rate


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The bot paced for a server running Telegram's limits ten times faster."""
    return settings.model_copy(
        update={
            "broadcast_rate": 30.0 * SPEEDUP,
            "broadcast_window": 1.0 / SPEEDUP,
            "broadcast_group_interval": 3.0 / SPEEDUP,
            "broadcast_private_interval": 1.0 / SPEEDUP,
        }
    )


async def test_a_broadcast_on_a_jittery_network_meets_no_429(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """500 villagers at 300 messages/s allowed: each gets it once, the server refuses none."""
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    budi, sari = server.new_user("Budi"), server.new_user("Sari")
    villagers = [server.new_user(f"Warga {i}") for i in range(VILLAGERS)]
    started(server, [budi, *villagers])
    await subscribe_all(db, villagers, "kesehatan", now)
    server.enforce_limits(speedup=SPEEDUP, latency=REALISTIC)

    announcement_id = await approve_announcement(
        db, author=budi.id, verifier=sari.id, text=TEXT, topic="kesehatan", now=now
    )
    kimbot.bot_data.delivery.wake()
    await server.private(budi).expect(contains="selesai dikirim", timeout=30)

    state = await outbox.progress(db, announcement_id)
    assert (state.sent, state.pending) == (VILLAGERS, 0)
    assert all(sum(TEXT in m.text for m in server.sent_to(v.id)) == 1 for v in villagers)
    assert server.stats.rate_limited == 0
