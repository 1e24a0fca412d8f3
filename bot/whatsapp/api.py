"""A thin client for the WhatsApp Cloud API (graph.facebook.com), over aiohttp.

Why not a library: `pywa` (the best kept Python client) fixes the Graph host inside its
`GraphAPI` constructor, so it cannot be pointed at the local stand-in the tests and the
benchmark use without rewriting its transport, and its webhook side expects FastAPI or
Flask. kim-bot needs five calls (text, template, reply buttons, list, mark as read) and
Meta's error code of every answer, which the dispatcher acts on per row; that is this module.

Errors: every refusal is an `ApiError` carrying Meta's numeric `code` (131047, 130429, 190,
...), the HTTP status and Meta's details; a lost connection or a timeout is a
`NetworkError` (the message may or may not have arrived). The access token travels only in
the Authorization header and never appears in an error or a log line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.settings import Settings

JSON = dict[str, Any]
DEFAULT_VERSION = "v21.0"


class WhatsAppError(Exception):
    """A request that did not do what was asked."""


class NetworkError(WhatsAppError):
    """No answer (timeout, connection lost): the message may have arrived or not."""


class ApiError(WhatsAppError):
    def __init__(self, code: int, message: str, *, http_status: int, details: str = "") -> None:
        super().__init__(f"({code}) {message}" + (f": {details}" if details else ""))
        self.code = code
        self.message = message
        self.http_status = http_status
        self.details = details

    @property
    def server_side(self) -> bool:
        """Meta's own trouble (a 5xx): worth retrying later."""
        return self.http_status >= 500


@dataclass(frozen=True)
class Row:
    """One choice in a list message: `id` comes back in the person's answer."""

    id: str
    title: str  # at most 24 characters
    description: str = ""  # at most 72


@dataclass
class CloudApi:
    """The office's business number on the Cloud API. `base_url` includes the version
    (https://graph.facebook.com/v21.0)."""

    base_url: str
    phone_number_id: str
    token: str
    timeout: float = 10.0
    connections: int = 100
    _session: aiohttp.ClientSession | None = field(default=None, init=False, repr=False)

    @classmethod
    def of(cls, settings: Settings) -> CloudApi:
        """The office's number as the WHATSAPP_* settings describe it (all set: load_settings
        checks the whole set)."""
        token, number = settings.whatsapp_access_token, settings.whatsapp_phone_number_id
        if token is None or number is None:
            raise ValueError("WhatsApp is not configured")
        return cls(
            settings.whatsapp_api_base_url,
            number,
            token.get_secret_value(),
            timeout=settings.broadcast_timeout,
        )

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.connections),
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            headers={"Authorization": f"Bearer {self.token}"},
        )

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- messages -------------------------------------------------------------------------

    async def text(self, to: str, body: str) -> str:
        """A text message (inside the person's 24-hour window); returns its wamid."""
        return await self.send(to, {"type": "text", "text": {"body": body, "preview_url": False}})

    async def template(
        self, to: str, name: str, language: str, *, header: Sequence[str], body: Sequence[str]
    ) -> str:
        """An approved template (the only message allowed outside the window)."""
        components: list[JSON] = []
        if header:
            components.append({"type": "header", "parameters": _texts(header)})
        if body:
            components.append({"type": "body", "parameters": _texts(body)})
        payload = {"name": name, "language": {"code": language}, "components": components}
        return await self.send(to, {"type": "template", "template": payload})

    async def buttons(self, to: str, body: str, choices: Sequence[tuple[str, str]]) -> str:
        """Up to three reply buttons, (id, title) each, title at most 20 characters."""
        action = {
            "buttons": [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in choices]
        }
        interactive = {"type": "button", "body": {"text": body}, "action": action}
        return await self.send(to, {"type": "interactive", "interactive": interactive})

    async def choices(self, to: str, body: str, button: str, rows: Sequence[Row]) -> str:
        """A list message: one section of up to ten rows behind a button (`button` at most
        20 characters)."""
        section = {
            "title": button[:24],
            "rows": [
                {
                    "id": r.id,
                    "title": r.title,
                    **({"description": r.description} if r.description else {}),
                }
                for r in rows
            ],
        }
        action = {"button": button, "sections": [section]}
        interactive = {"type": "list", "body": {"text": body}, "action": action}
        return await self.send(to, {"type": "interactive", "interactive": interactive})

    async def mark_read(self, message_id: str) -> None:
        await self._post(
            {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        )

    async def send(self, to: str, message: JSON) -> str:
        """Any message object (`type` plus its body) to `to`; returns its wamid."""
        answer = await self._post(
            {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        )
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise ApiError(0, "answer without a message id", http_status=200) from exc

    async def _post(self, payload: JSON) -> JSON:
        if self._session is None:
            raise RuntimeError("CloudApi.start() was not called")
        url = f"{self.base_url.rstrip('/')}/{self.phone_number_id}/messages"
        try:
            async with self._session.post(url, json=payload) as response:
                raw = await response.read()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise NetworkError(type(exc).__name__) from None
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = {}
        if status >= 400 or "error" in answer:
            raise _error(answer, status)
        return answer if isinstance(answer, dict) else {}


def _texts(values: Sequence[str]) -> list[JSON]:
    return [{"type": "text", "text": value} for value in values]


def _error(answer: Any, status: int) -> ApiError:
    error = answer.get("error", {}) if isinstance(answer, dict) else {}
    if not isinstance(error, dict):
        error = {}
    data = error.get("error_data") or {}
    details = str(data.get("details", "")) if isinstance(data, dict) else ""
    try:
        code = int(error.get("code", 0))
    except (TypeError, ValueError):
        code = 0
    return ApiError(
        code, str(error.get("message", f"HTTP {status}")), http_status=status, details=details
    )
