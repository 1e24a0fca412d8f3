"""A stand-in for the bot's side: a webhook receiver that checks signatures, and a raw client.

The sandbox's own tests need no bot: they speak Graph API JSON with aiohttp and read the
webhooks a tiny aiohttp app receives, checking each signature with the app secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from whatsapp_sandbox import WhatsAppSandbox, WhatsAppUser

JSON = dict[str, Any]


@dataclass
class Receiver:
    """The bot's webhook endpoint: refuses bad signatures, can refuse the next posts."""

    app_secret: str
    verify_token: str
    url: str = ""
    events: list[JSON] = field(default_factory=list)
    rejected_signatures: int = 0
    refuse_next: int = 0  # answer 500 to this many valid posts

    async def post(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Hub-Signature-256", "")
        if not hmac.compare_digest(f"sha256={expected}", given):
            self.rejected_signatures += 1
            return web.Response(status=403)
        if self.refuse_next:
            self.refuse_next -= 1
            return web.Response(status=500)
        self.events.append(json.loads(raw))
        return web.Response(status=200)

    async def get(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == (
            self.verify_token
        ):
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403)

    def values(self) -> list[JSON]:
        """Each event's ``entry[0].changes[0].value``."""
        return [event["entry"][0]["changes"][0]["value"] for event in self.events]

    def messages(self) -> list[JSON]:
        return [m for value in self.values() for m in value.get("messages", [])]

    def statuses(self) -> list[JSON]:
        return [s for value in self.values() for s in value.get("statuses", [])]


@pytest.fixture
async def receiver(whatsapp: WhatsAppSandbox) -> AsyncIterator[Receiver]:
    """A listening webhook endpoint, already set as the sandbox's webhook URL."""
    hook = Receiver(whatsapp.app_secret, whatsapp.verify_token)
    app = web.Application()
    app.router.add_post("/whatsapp", hook.post)
    app.router.add_get("/whatsapp", hook.get)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/whatsapp"
    whatsapp.webhook_url = hook.url
    yield hook
    await runner.cleanup()


@pytest.fixture
def siti(whatsapp: WhatsAppSandbox) -> WhatsAppUser:
    return whatsapp.new_user("Siti", "+62 812-3456-7890")


@pytest.fixture
def budi(whatsapp: WhatsAppSandbox) -> WhatsAppUser:
    return whatsapp.new_user("Budi", "6281298765432")


async def call(
    wa: WhatsAppSandbox, body: JSON, *, token: str | None = None, path: str | None = None
) -> tuple[int, JSON]:
    """POST a body to the messages endpoint as a bot would; the status and the JSON answer."""
    url = f"{wa.base_url}{path}" if path else wa.messages_url()
    headers = {"Authorization": f"Bearer {wa.access_token if token is None else token}"}
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=headers) as r:
        return r.status, await r.json()


def text(to: WhatsAppUser | str, body: str) -> JSON:
    """A text message body for ``to``."""
    number = to if isinstance(to, str) else to.wa_id
    return {"messaging_product": "whatsapp", "to": number, "type": "text", "text": {"body": body}}


def template(to: WhatsAppUser, name: str, *, header: list[str], body: list[str]) -> JSON:
    """A template message body with text parameters."""
    components: list[JSON] = []
    for kind, values in (("header", header), ("body", body)):
        if values:
            params = [{"type": "text", "text": v} for v in values]
            components.append({"type": kind, "parameters": params})
    return {
        "messaging_product": "whatsapp",
        "to": to.wa_id,
        "type": "template",
        "template": {"name": name, "language": {"code": "id"}, "components": components},
    }


def code_of(answer: JSON) -> int:
    """The Meta error code of a failed call."""
    return int(answer["error"]["code"])
