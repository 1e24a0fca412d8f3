"""Webhooks: Meta's payloads, signed with the app secret, retried until the bot answers 200."""

from __future__ import annotations

import hashlib
import hmac
import json

from whatsapp_sandbox import WhatsAppSandbox, WhatsAppUser
from whatsapp_sandbox.tests.conftest import Receiver, call, text


async def test_an_inbound_message_arrives_in_metas_shape(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """A text from Siti is one POST: object, entry[].changes[].value with metadata,
    contacts (profile name, wa_id) and messages (from, id, timestamp, type, text)."""
    wamid = await siti.send("DAFTAR 35.14.14.2011")
    assert await whatsapp.wait_until(lambda: len(receiver.events) == 1, 5.0)
    (event,) = receiver.events
    assert event["object"] == "whatsapp_business_account"
    entry = event["entry"][0]
    assert entry["id"] == whatsapp.waba_id and entry["changes"][0]["field"] == "messages"
    value = entry["changes"][0]["value"]
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {
        "display_phone_number": whatsapp.display_phone_number,
        "phone_number_id": whatsapp.phone_number_id,
    }
    assert value["contacts"] == [{"profile": {"name": "Siti"}, "wa_id": "6281234567890"}]
    (message,) = value["messages"]
    assert (message["from"], message["id"], message["type"]) == ("6281234567890", wamid, "text")
    assert message["text"] == {"body": "DAFTAR 35.14.14.2011"} and message["timestamp"].isdigit()


async def test_every_post_is_signed_with_the_app_secret(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """X-Hub-Signature-256 is the HMAC-SHA256 of the raw body under the app secret, so a
    receiver with another secret refuses every post."""
    await siti.send("halo")
    assert await whatsapp.wait_until(lambda: len(receiver.events) == 1, 5.0)
    delivery = whatsapp.webhook_deliveries[0]
    raw = json.dumps(receiver.events[0]).encode()
    expected = hmac.new(b"test-app-secret", raw, hashlib.sha256).hexdigest()
    assert delivery.signature == f"sha256={expected}"
    receiver.app_secret = "another-secret"
    await siti.send("lagi")
    assert await whatsapp.wait_until(lambda: receiver.rejected_signatures >= 1, 5.0)
    assert len(receiver.events) == 1


async def test_a_webhook_the_bot_does_not_answer_200_is_sent_again(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """Two 500s, then 200: the same message is posted three times, in order before the next."""
    receiver.refuse_next = 2
    first = await siti.send("satu")
    second = await siti.send("dua")
    assert await whatsapp.wait_until(lambda: len(receiver.events) == 2, 5.0)
    assert [d.status for d in whatsapp.webhook_deliveries] == [500, 500, 200, 200]
    assert [d.event for d in whatsapp.webhook_deliveries] == [first, first, first, second]
    assert [m["id"] for m in receiver.messages()] == [first, second]
    assert whatsapp.pending_webhooks == 0


async def test_a_dead_listener_gets_the_event_once_it_is_back(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """While nothing listens the event waits; it is delivered once the URL answers."""
    whatsapp.webhook_url = "http://127.0.0.1:9/nobody"
    wamid = await siti.send("halo")
    assert await whatsapp.wait_until(lambda: len(whatsapp.webhook_deliveries) >= 1, 5.0)
    assert whatsapp.webhook_deliveries[0].status == 0 and whatsapp.pending_webhooks == 1
    whatsapp.webhook_url = receiver.url
    assert await whatsapp.wait_until(lambda: len(receiver.events) == 1, 5.0)
    assert receiver.messages()[0]["id"] == wamid


async def test_delivery_statuses_follow_a_sent_message(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """An accepted text is followed by sent and delivered (with pricing), and read once
    Siti opens it."""
    await siti.send("halo")
    _, answer = await call(whatsapp, text(siti, "Info"))
    wamid = answer["messages"][0]["id"]
    message = await siti.expect(contains="Info")
    siti.read(message)
    assert await whatsapp.wait_until(lambda: len(receiver.statuses()) == 3, 5.0)
    statuses = receiver.statuses()
    assert [(s["id"], s["status"]) for s in statuses] == [
        (wamid, "sent"),
        (wamid, "delivered"),
        (wamid, "read"),
    ]
    assert statuses[0]["pricing"] == {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
    }
    assert statuses[0]["recipient_id"] == siti.wa_id and message.status == "read"


async def test_the_verify_token_handshake(whatsapp: WhatsAppSandbox, receiver: Receiver) -> None:
    """The GET handshake gets the challenge back with the right token, 403 with another."""
    assert await whatsapp.verify_webhook(challenge="8123") == (200, "8123")
    status, _ = await whatsapp.verify_webhook(verify_token="wrong")
    assert status == 403


async def test_statuses_may_share_one_post(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """With status_batch, the statuses queued together arrive in one value.statuses array,
    while messages still go one per POST."""
    whatsapp.webhook_url = None  # hold everything in the queue
    whatsapp.status_batch = 10
    await siti.send("halo")
    for body in ("a", "b"):
        await call(whatsapp, text(siti, body))
    whatsapp.webhook_url = receiver.url
    assert await whatsapp.wait_until(lambda: len(receiver.statuses()) == 4, 5.0)
    assert [len(v.get("messages") or v["statuses"]) for v in receiver.values()] == [1, 4]
