"""What the sandbox records: the people, the templates, what reached each phone, the counters."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]
Status = Literal["accepted", "sent", "delivered", "read", "failed"]
_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def placeholders(text: str | None) -> int:
    """How many distinct ``{{n}}`` variables a template text holds."""
    return len(set(_PLACEHOLDER.findall(text or "")))


def fill(text: str | None, values: list[str]) -> str:
    """A template text with its ``{{n}}`` replaced by the n-th value."""
    return _PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], text or "")


@dataclass
class Template:
    """A message template as WhatsApp Manager holds it (one language)."""

    name: str
    body: str
    language: str = "id"
    category: str = "MARKETING"
    header: str | None = None
    footer: str | None = None
    quick_replies: tuple[str, ...] = ()
    status: str = "APPROVED"
    id: str = ""

    def to_api(self) -> JSON:
        """As ``GET /{waba_id}/message_templates`` lists it."""
        components: list[JSON] = []
        if self.header is not None:
            components.append({"type": "HEADER", "format": "TEXT", "text": self.header})
        components.append({"type": "BODY", "text": self.body})
        if self.footer is not None:
            components.append({"type": "FOOTER", "text": self.footer})
        if self.quick_replies:
            buttons = [{"type": "QUICK_REPLY", "text": title} for title in self.quick_replies]
            components.append({"type": "BUTTONS", "buttons": buttons})
        return {
            "name": self.name,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
            "components": components,
        }


@dataclass(frozen=True)
class Row:
    """One row of a list message."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Section:
    """A titled group of rows."""

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class ReplyButton:
    """A reply button (interactive) or a template's quick reply (id = its payload)."""

    id: str
    title: str


@dataclass
class Received:
    """A message that reached a person's phone, with its latest delivery status."""

    id: str
    wa_id: str
    at: float
    billable: bool = False
    category: str = "service"
    status: Status = "accepted"
    error_code: int | None = None
    reply_to: str | None = None

    @property
    def text(self) -> str:
        """Everything the person can read in it, for ``contains`` checks."""
        return ""

    @property
    def buttons(self) -> tuple[ReplyButton, ...]:
        """The reply buttons under it, if any."""
        return ()

    def describe(self) -> str:
        return f"{type(self).__name__} {self.id} [{self.status}]: {self.text[:120]!r}"


@dataclass
class TextMessage(Received):
    """``type: text``."""

    body: str = ""
    preview_url: bool = False

    @property
    def text(self) -> str:
        return self.body


@dataclass
class TemplateMessage(Received):
    """``type: template``, rendered from its definition and parameters."""

    name: str = ""
    language: str = ""
    header_params: list[str] = field(default_factory=list)
    body_params: list[str] = field(default_factory=list)
    header: str = ""
    body: str = ""
    quick_replies: tuple[ReplyButton, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.header, self.body) if part)

    @property
    def buttons(self) -> tuple[ReplyButton, ...]:
        return self.quick_replies


@dataclass
class ButtonsMessage(Received):
    """``type: interactive`` / ``button``: a body with up to three reply buttons."""

    body: str = ""
    header: str = ""
    footer: str = ""
    reply_buttons: tuple[ReplyButton, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.header, self.body, self.footer) if part)

    @property
    def buttons(self) -> tuple[ReplyButton, ...]:
        return self.reply_buttons


@dataclass
class ListMessage(Received):
    """``type: interactive`` / ``list``: a body and a menu button opening sections of rows."""

    body: str = ""
    header: str = ""
    footer: str = ""
    button: str = ""
    sections: tuple[Section, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.header, self.body, self.footer) if part)

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for section in self.sections for row in section.rows)


@dataclass
class Stats:
    """Counters a test or a benchmark reads."""

    sent: int = 0  # messages accepted (200 with a wamid)
    templates: int = 0
    billable: int = 0
    rate_limited: int = 0  # 130429 and 131056 answers
    failed: int = 0  # failed status webhooks
    errors: Counter[int] = field(default_factory=Counter)  # by Meta code, answered or webhook
    faults: Counter[str] = field(default_factory=Counter)
    reads: int = 0  # inbound messages the bot marked as read


@dataclass
class ApiCall:
    """One request to the Graph API and how it was answered."""

    method: str
    path: str
    body: JSON | None
    status: int
    code: int | None
    at: float
