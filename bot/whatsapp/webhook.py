"""Meta's side of the webhook, as plain functions: the handshake, the signature, the envelope.

Meta subscribes a webhook with a GET (`hub.mode=subscribe`, `hub.verify_token`,
`hub.challenge`): the bot proves it is the one configured by answering the challenge. Every
POST is signed: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body, keyed with the app
secret>`, so anything unsigned or signed with another key is not Meta's and is dropped
before its body is even parsed. Both comparisons take constant time.

The envelope (`entry[].changes[].value`) carries incoming `messages` (with the sender's
profile name in `contacts`) and `statuses` of messages the bot sent. Anything malformed is
skipped, never raised: one odd event must not make Meta retry the whole delivery forever.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.whatsapp.replies import Incoming, Kind

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def handshake(query: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to answer when the GET is Meta's subscription with our verify token."""
    if query.get("hub.mode") != "subscribe":
        return None
    given = query.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    return query.get("hub.challenge", "")


def signed(body: bytes, signature: str | None, app_secret: str) -> bool:
    """Whether `signature` (the header's value) is the app secret's HMAC of `body`."""
    if not signature or not signature.startswith(_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(
        signature[len(_PREFIX) :].strip().lower().encode(), expected.encode()
    )


@dataclass(frozen=True)
class Message:
    """An incoming message before the bot knows who the sender is (`incoming` once it does)."""

    phone: str  # Meta's wa_id: digits only
    name: str  # the sender's WhatsApp profile name
    wamid: str
    kind: Kind
    text: str = ""
    choice: str | None = None
    forwarded: bool = False
    at: float = 0.0

    def incoming(self, user_id: int) -> Incoming:
        return Incoming(
            user_id, self.wamid, self.kind, self.text, self.choice, self.forwarded, self.at
        )


@dataclass(frozen=True)
class Status:
    """What became of a message the bot sent: sent, delivered, read or failed."""

    wamid: str
    status: str
    error: str | None = None  # "<code> <title>" of the first error Meta gives


@dataclass
class Events:
    messages: list[Message] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)


def parse(body: bytes) -> Events:
    """Every message and status in one POST's body (already checked by `signed`)."""
    events = Events()
    try:
        payload = json.loads(body)
    except ValueError:
        return events
    for value in _values(payload):
        names = _names(value.get("contacts"))
        for raw in _dicts(value.get("messages")):
            message = _message(raw, names)
            if message is not None:
                events.messages.append(message)
        for raw in _dicts(value.get("statuses")):
            status = _status(raw)
            if status is not None:
                events.statuses.append(status)
    return events


def _dicts(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _values(payload: object) -> Iterator[dict[str, Any]]:
    for entry in _dicts(_dict(payload).get("entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field", "messages") == "messages":
                yield _dict(change.get("value"))


def _names(contacts: object) -> dict[str, str]:
    return {
        str(contact.get("wa_id", "")): str(_dict(contact.get("profile")).get("name", ""))
        for contact in _dicts(contacts)
    }


def _message(raw: dict[str, Any], names: Mapping[str, str]) -> Message | None:
    phone, wamid = str(raw.get("from", "")), str(raw.get("id", ""))
    if not phone.isdigit() or not wamid:
        return None
    try:
        at = float(raw.get("timestamp", 0))
    except (TypeError, ValueError):
        at = 0.0
    forwarded = bool(_dict(raw.get("context")).get("forwarded"))
    kind, text, choice = _content(raw)
    return Message(phone, names.get(phone, ""), wamid, kind, text, choice, forwarded, at)


def _content(raw: dict[str, Any]) -> tuple[Kind, str, str | None]:
    """(kind, text, choice id) of one message by its `type`."""
    kind = raw.get("type")
    if kind == "text":
        return Kind.TEXT, str(_dict(raw.get("text")).get("body", "")), None
    if kind in ("image", "video", "document"):
        caption = str(_dict(raw.get(kind)).get("caption", "") or "")
        return (Kind.TEXT, caption, None) if caption.strip() else (Kind.OTHER, "", None)
    if kind == "interactive":
        interactive = _dict(raw.get("interactive"))
        picked = _dict(interactive.get(interactive.get("type", "")))
        if "id" in picked:
            return Kind.CHOICE, str(picked.get("title", "")), str(picked["id"])
    if kind == "reaction":  # the emoji ("" when taken back) and the message it is on
        reaction = _dict(raw.get("reaction"))
        return Kind.REACTION, str(reaction.get("emoji", "")), str(reaction.get("message_id", ""))
    if kind == "button":  # a template's quick reply: its payload is the choice
        button = _dict(raw.get("button"))
        title = str(button.get("text", ""))
        return Kind.CHOICE, title, str(button.get("payload", title))
    return Kind.OTHER, "", None


def _status(raw: dict[str, Any]) -> Status | None:
    wamid, status = str(raw.get("id", "")), str(raw.get("status", ""))
    if not wamid or not status:
        return None
    errors = list(_dicts(raw.get("errors")))
    error = None
    if errors:
        first = errors[0]
        error = f"{first.get('code', '')} {first.get('title') or first.get('message') or ''}"
        error = error.strip()
    return Status(wamid, status, error)
