"""Meta's webhook read without a server: the handshake, the signature, the envelope, and
lists paged to WhatsApp's ten rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.whatsapp import webhook
from bot.whatsapp.choices import MAX_ROWS, KecamatanPage, decode, paged, row
from bot.whatsapp.replies import Kind
from whatsapp_sandbox.webhooks import envelope, sign


def _body(
    messages: Sequence[dict[str, Any]] = (), statuses: Sequence[dict[str, Any]] = ()
) -> bytes:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "contacts": [{"profile": {"name": "Siti"}, "wa_id": "6281234567890"}],
    }
    if messages:
        value["messages"] = [
            {"from": "6281234567890", "id": f"wamid.{i}", "timestamp": "1764460800", **m}
            for i, m in enumerate(messages)
        ]
    if statuses:
        value["statuses"] = list(statuses)
    return json.dumps(envelope("waba", value)).encode()


def test_the_handshake_needs_subscribe_and_the_verify_token() -> None:
    """Only `subscribe` with the configured token gets the challenge back."""
    query = {"hub.mode": "subscribe", "hub.verify_token": "rahasia", "hub.challenge": "42"}
    assert webhook.handshake(query, "rahasia") == "42"
    assert webhook.handshake({**query, "hub.verify_token": "salah"}, "rahasia") is None
    assert webhook.handshake({**query, "hub.mode": "unsubscribe"}, "rahasia") is None
    assert webhook.handshake({}, "rahasia") is None


def test_the_signature_is_the_app_secrets_hmac_of_the_raw_body() -> None:
    """Meta's signature passes; another key, another body, or none does not."""
    body = _body([{"type": "text", "text": {"body": "DAFTAR"}}])
    assert webhook.signed(body, sign(body, "app-secret"), "app-secret")
    assert not webhook.signed(body, sign(body, "other"), "app-secret")
    assert not webhook.signed(body + b" ", sign(body, "app-secret"), "app-secret")
    assert not webhook.signed(body, None, "app-secret")
    assert not webhook.signed(body, sign(body, "app-secret")[len("sha256=") :], "app-secret")


def test_every_kind_of_message_is_read() -> None:
    """Texts, forwarded texts, buttons, list rows, template quick replies and captions are
    read; a sticker is OTHER; the sender's profile name comes along."""
    events = webhook.parse(
        _body(
            [
                {"type": "text", "text": {"body": "DAFTAR"}},
                {"type": "text", "text": {"body": "Hoaks!"}, "context": {"forwarded": True}},
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "button_reply",
                        "button_reply": {"id": "wdg:1", "title": "Ringkasan mingguan"},
                    },
                },
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "list_reply",
                        "list_reply": {"id": "wkp:1", "title": "Berikutnya ›"},
                    },
                },
                {"type": "button", "button": {"payload": "more", "text": "Baca selengkapnya"}},
                {"type": "image", "image": {"id": "1", "caption": "Cek foto ini"}},
                {"type": "sticker", "sticker": {"id": "2"}},
            ]
        )
    )
    got = [(m.kind, m.text, m.choice, m.forwarded) for m in events.messages]
    assert got == [
        (Kind.TEXT, "DAFTAR", None, False),
        (Kind.TEXT, "Hoaks!", None, True),
        (Kind.CHOICE, "Ringkasan mingguan", "wdg:1", False),
        (Kind.CHOICE, "Berikutnya ›", "wkp:1", False),
        (Kind.CHOICE, "Baca selengkapnya", "more", False),
        (Kind.TEXT, "Cek foto ini", None, False),
        (Kind.OTHER, "", None, False),
    ]
    first = events.messages[0]
    assert (first.phone, first.name, first.at) == ("6281234567890", "Siti", 1764460800.0)
    assert first.incoming(7).user_id == 7


def test_statuses_carry_the_first_error() -> None:
    """A failed status keeps Meta's code and title; odd events are skipped, not raised."""
    events = webhook.parse(
        _body(
            statuses=[
                {"id": "wamid.a", "status": "delivered"},
                {
                    "id": "wamid.b",
                    "status": "failed",
                    "errors": [{"code": 131026, "title": "Message undeliverable"}],
                },
                {"status": "read"},
            ]
        )
    )
    assert [(s.wamid, s.status, s.error) for s in events.statuses] == [
        ("wamid.a", "delivered", None),
        ("wamid.b", "failed", "131026 Message undeliverable"),
    ]
    assert webhook.parse(b"not json").messages == []
    assert webhook.parse(b'{"entry": [{"changes": "x"}]}').statuses == []


def test_pages_hold_at_most_ten_rows_and_every_item_once() -> None:
    """Paged lists keep within WhatsApp's ten rows, navigation included, and lose nothing."""
    for count in (1, 9, 10, 11, 25, 40):
        items = [row(KecamatanPage(i), f"item {i}") for i in range(count)]
        seen: list[str] = []
        page, pages = 0, 1
        while page < pages:
            found = paged(items, page, KecamatanPage)
            assert found is not None
            rows, pages = found
            assert len(rows) <= MAX_ROWS
            seen += [r.title for r in rows if r.title.startswith("item")]
            page += 1
        assert seen == [f"item {i}" for i in range(count)]
        assert paged(items, pages, KecamatanPage) is None
    assert decode("wkp:x") is None and decode("wkp:1") == KecamatanPage(1)
