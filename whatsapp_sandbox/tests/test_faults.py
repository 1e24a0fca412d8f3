"""Scripted and random faults: Meta's error codes, 5xx, dropped connections."""

from __future__ import annotations

import aiohttp
import pytest

from whatsapp_sandbox import WhatsAppSandbox, WhatsAppUser
from whatsapp_sandbox.tests.conftest import Receiver, call, code_of, text

CODES = [131047, 131026, 131051, 131050, 130429, 131056, 131048]


@pytest.mark.parametrize("code", CODES)
async def test_a_scripted_code_fails_one_send_to_that_person(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, budi: WhatsAppUser, code: int
) -> None:
    """A fault for Siti answers its code once to her only; Budi and her next send pass."""
    await siti.send("halo")
    await budi.send("halo")
    whatsapp.faults.add(code, to=siti)
    assert (await call(whatsapp, text(budi, "a")))[0] == 200
    status, answer = await call(whatsapp, text(siti, "a"))
    assert (status, code_of(answer)) == (400, code)
    assert (await call(whatsapp, text(siti, "b")))[0] == 200
    assert [m.text for m in siti.messages] == ["b"]
    assert whatsapp.stats.errors[code] == 1 and whatsapp.faults.fired[str(code)] == 1


async def test_a_token_fault_is_401_with_190(whatsapp: WhatsAppSandbox, siti: WhatsAppUser) -> None:
    """The 190 fault answers as an expired token does, for as many calls as scripted."""
    await siti.send("halo")
    whatsapp.faults.add(190, times=2)
    for _ in range(2):
        status, answer = await call(whatsapp, text(siti, "a"))
        assert (status, code_of(answer)) == (401, 190)
    assert (await call(whatsapp, text(siti, "a")))[0] == 200


async def test_server_errors_deliver_nothing(whatsapp: WhatsAppSandbox, siti: WhatsAppUser) -> None:
    """A 503 fault answers 503 in Graph's error shape and nothing reaches the phone."""
    await siti.send("halo")
    whatsapp.faults.add("server_error", status=503)
    status, answer = await call(whatsapp, text(siti, "a"))
    assert status == 503 and "error" in answer
    assert siti.messages == []


async def test_a_dropped_connection_delivers_nothing(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """`disconnect` cuts the connection before anything is sent."""
    await siti.send("halo")
    whatsapp.faults.add("disconnect")
    with pytest.raises(aiohttp.ClientError):
        await call(whatsapp, text(siti, "a"))
    assert siti.messages == [] and whatsapp.stats.sent == 0


async def test_a_connection_dropped_after_delivery_leaves_the_message_delivered(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """`disconnect_after_delivery`: the client gets no answer, yet the person has the message
    (a blind retry would be a duplicate)."""
    await siti.send("halo")
    whatsapp.faults.add("disconnect_after_delivery")
    with pytest.raises(aiohttp.ClientError):
        await call(whatsapp, text(siti, "a"))
    assert [m.text for m in siti.messages] == ["a"]


async def test_a_deferred_fault_is_accepted_then_fails_by_status(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """A fault scripted `deferred=True` answers 200 with a wamid, then a failed status."""
    await siti.send("halo")
    whatsapp.faults.add(131048, deferred=True)
    status, answer = await call(whatsapp, text(siti, "a"))
    assert status == 200
    wamid = answer["messages"][0]["id"]
    assert await whatsapp.wait_until(lambda: len(receiver.statuses()) == 1, 5.0)
    (failed,) = receiver.statuses()
    assert failed["id"] == wamid and failed["errors"][0]["code"] == 131048
    assert siti.messages == []


async def test_random_faults_are_reproducible_by_seed(whatsapp: WhatsAppSandbox) -> None:
    """The same seed fails the same sends; the share is about the probability."""
    people = [whatsapp.new_user(f"W{i}", f"6283{i:08d}") for i in range(60)]
    for person in people:
        await person.send("halo")

    async def run() -> list[int]:
        whatsapp.faults.random(seed=7, c130429=0.3)
        results = []
        for person in people:
            status, answer = await call(whatsapp, text(person, "x"))
            results.append(200 if status == 200 else code_of(answer))
        return results

    first, second = await run(), await run()
    assert first == second
    assert 5 <= first.count(130429) <= 35 and set(first) == {200, 130429}


def test_unknown_fault_kinds_are_refused(whatsapp: WhatsAppSandbox) -> None:
    """A typo in a fault's kind is an error, not a silently ignored rule."""
    with pytest.raises(ValueError, match="unknown fault"):
        whatsapp.faults.add(404)
    with pytest.raises(ValueError, match="unknown fault"):
        whatsapp.faults.random(timeout=0.1)
