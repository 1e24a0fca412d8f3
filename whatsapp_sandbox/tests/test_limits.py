"""Throughput, the pair limit and the messaging tier, with time compressed by a speed-up."""

from __future__ import annotations

import asyncio
import time

from botapi_sandbox.latency import Latency
from whatsapp_sandbox import Limits, WhatsAppSandbox, WhatsAppUser
from whatsapp_sandbox.errors import TIER_LIMIT
from whatsapp_sandbox.tests.conftest import Receiver, call, code_of, template, text


def test_throughput_is_a_sliding_second() -> None:
    """80 messages in a second fill it; the 81st waits until the oldest is a second old."""
    limits = Limits()
    for i in range(80):
        assert not limits.throughput_full(10.0 + i / 100)
        limits.record(f"u{i}", 10.0 + i / 100)
    assert limits.throughput_full(10.795)
    assert not limits.throughput_full(11.0001)


def test_the_pair_limit_and_the_tier_scale_with_the_speedup() -> None:
    """S=10: the same person again after 0.6 s, and the tier's moving day lasts 8,640 s."""
    limits = Limits(speedup=10, daily_recipients=2)
    limits.record("a", 0.0)
    assert limits.pair_busy("a", 0.59) and not limits.pair_busy("a", 0.61)
    assert not limits.pair_busy("b", 0.0)
    assert limits.tier_allows("a", 0.0) and limits.tier_allows("b", 1.0)
    assert limits.tier_allows("a", 2.0)  # someone already reached today is no new recipient
    assert not limits.tier_allows("c", 3.0)
    assert not limits.tier_allows("c", 8_640.5)  # Budi, reached at 1.0, still counts
    assert limits.tier_allows("c", 8_641.5)


async def test_sending_faster_than_the_throughput_is_130429(whatsapp: WhatsAppSandbox) -> None:
    """With a throughput of 5, six sends at once to six people: five pass, one is 130429."""
    whatsapp.enforce_limits(throughput=5)
    people = [whatsapp.new_user(f"Warga {i}", f"62810000000{i}") for i in range(6)]
    for person in people:
        await person.send("halo")
    answers = await asyncio.gather(*(call(whatsapp, text(p, "Info")) for p in people))
    codes = sorted(200 if status == 200 else code_of(answer) for status, answer in answers)
    assert codes == [200] * 5 + [130429]
    assert whatsapp.stats.rate_limited == 1 and whatsapp.stats.sent == 5


async def test_a_second_message_to_the_same_person_within_6_seconds_is_131056(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, budi: WhatsAppUser
) -> None:
    """The pair limit refuses Siti's second message, not Budi's first; 6 s later it goes."""
    whatsapp.enforce_limits()
    await siti.send("halo")
    await budi.send("halo")
    assert (await call(whatsapp, text(siti, "satu")))[0] == 200
    status, answer = await call(whatsapp, text(siti, "dua"))
    assert (status, code_of(answer)) == (400, 131056)
    assert (await call(whatsapp, text(budi, "satu")))[0] == 200
    whatsapp.advance_clock(6)
    assert (await call(whatsapp, text(siti, "dua")))[0] == 200
    assert [m.text for m in siti.messages] == ["satu", "dua"]


async def test_templates_past_the_messaging_tier_fail_by_status(
    whatsapp: WhatsAppSandbox, receiver: Receiver
) -> None:
    """With a tier of 2, templates to three people outside their window: the third is
    accepted, then fails by webhook and never reaches the phone; a person inside their
    window does not count."""
    whatsapp.enforce_limits(daily_recipients=2)
    whatsapp.add_template("info", "{{1}}")
    people = [whatsapp.new_user(f"Warga {i}", f"62820000000{i}") for i in range(4)]
    await people[3].send("halo")  # inside the window: not business-initiated
    for person in people:
        status, _ = await call(whatsapp, template(person, "info", header=[], body=["x"]))
        assert status == 200
    assert await whatsapp.wait_until(
        lambda: any(s["status"] == "failed" for s in receiver.statuses()), 5.0
    )
    failed = [s for s in receiver.statuses() if s["status"] == "failed"]
    assert [s["recipient_id"] for s in failed] == [people[2].wa_id]
    assert failed[0]["errors"][0]["code"] == TIER_LIMIT
    assert [len(p.messages) for p in people] == [1, 1, 0, 1]
    assert whatsapp.limits is not None and whatsapp.limits.recipients_today == 2


async def test_a_latency_model_delays_each_request(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """With botapi_sandbox's latency model (here a constant 50 ms), a send is judged and
    answered only after the delay."""
    whatsapp.enforce_limits(latency=Latency(median=0.05, sigma=0))
    await siti.send("halo")
    started = time.monotonic()
    assert (await call(whatsapp, text(siti, "a")))[0] == 200
    assert time.monotonic() - started >= 0.05
    assert siti.messages[0].at - started >= 0.05
