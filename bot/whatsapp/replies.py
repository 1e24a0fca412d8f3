"""What a person wrote to the office's number, and what the bot answers, as plain data.

The conversation (bot/whatsapp/conversation.py) turns an `Incoming` into `Reply` values;
only handlers/whatsapp.py talks to the Cloud API, so every rule can be tested without it.
Texts are WhatsApp's (`*tebal*`, `_miring_`): catalog HTML goes through
`bot.whatsapp.markup.from_html` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.whatsapp.api import Row


class Kind(StrEnum):
    TEXT = "text"  # typed, pasted or forwarded text (a caption counts as text)
    CHOICE = "choice"  # a reply button or a list row was picked: `choice` holds its id
    REACTION = "reaction"  # an emoji on one of the bot's messages: `choice` holds its wamid
    OTHER = "other"  # a sticker, a location, a voice note...: nothing to read


@dataclass(frozen=True)
class Incoming:
    user_id: int
    wamid: str
    kind: Kind
    text: str = ""  # the text, or the title of the picked choice
    choice: str | None = None  # the id the bot gave the button or row
    forwarded: bool = False
    at: float = 0.0  # Unix time Meta gives the message


@dataclass(frozen=True)
class Text:
    body: str


@dataclass(frozen=True)
class Buttons:
    """Up to three reply buttons: (id, title) with titles of at most 20 characters."""

    body: str
    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Choices:
    """A list message: up to ten rows behind one button."""

    body: str
    button: str
    rows: tuple[Row, ...]


Reply = Text | Buttons | Choices
