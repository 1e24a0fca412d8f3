"""Plain records of the fake Telegram world: people, chats, bot messages, files, API calls."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from botapi_sandbox.html_entities import Entity, to_html

JSON = dict[str, Any]

GROUP_TYPES = frozenset({"group", "supergroup"})


@dataclass(frozen=True)
class FakeUser:
    """A Telegram account; immutable so it can be a dict key and shared between chats."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    @property
    def full_name(self) -> str:
        """Name as Telegram clients show it."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> JSON:
        """Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(eq=False)
class FakeChat:
    """A chat and the bot's standing in it.

    ``bot_status`` is None while the bot has never been in the chat (never started, for a
    private chat); "kicked" in a private chat means the user blocked the bot.
    """

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: FakeUser | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str | None = None
    migrated_to: int | None = None
    migrated_from: int | None = None

    @property
    def is_group(self) -> bool:
        """Group or supergroup (channels and private chats are not)."""
        return self.type in GROUP_TYPES

    @property
    def bot_present(self) -> bool:
        """Whether the bot can currently post/receive here."""
        return self.bot_status in ("member", "administrator", "creator")

    def to_api(self) -> JSON:
        """Bot API ``Chat`` object."""
        if self.user is not None:
            data = self.user.to_api()
            data.pop("is_bot")
            data.pop("language_code", None)
            data["type"] = "private"
            return data
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class Button:
    """One inline keyboard button; ``raw`` keeps any other fields the bot set."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: JSON = field(default_factory=dict, compare=False, repr=False)


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, kept in its current state (edits applied, deletion flagged).

    ``text`` is what a person reads: the message text, or the caption for media.
    """

    message_id: int
    chat_id: int
    kind: str
    date: int
    method: str
    text: str = ""
    entities: list[Entity] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    reply_markup: JSON | None = None
    data: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    file_unique_id: str | None = None
    reply_to_message_id: int | None = None
    forward_origin: JSON | None = None
    copied_from: tuple[int, int] | None = None
    extra: JSON = field(default_factory=dict)
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    previous_texts: list[str] = field(default_factory=list)

    @property
    def html(self) -> str:
        """Text with entities rendered back as canonical Telegram HTML."""
        return to_html(self.text, self.entities)

    @property
    def photo(self) -> bytes | None:
        """Uploaded photo bytes (None for other kinds or photos sent by URL)."""
        return self.data if self.kind == "photo" else None

    @property
    def document(self) -> bytes | None:
        """Uploaded document bytes (None for other kinds)."""
        return self.data if self.kind == "document" else None

    @property
    def keyboard(self) -> list[list[str]] | None:
        """Reply keyboard button texts, if the bot attached a reply keyboard."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return None
        return [
            [b if isinstance(b, str) else b["text"] for b in row]
            for row in self.reply_markup["keyboard"]
        ]

    def button_texts(self) -> list[str]:
        """Inline button labels, row by row, flattened."""
        return [b.text for row in self.buttons for b in row]

    def button(self, text: str) -> Button:
        """The inline button labelled exactly ``text``."""
        for row in self.buttons:
            for b in row:
                if b.text == text:
                    return b
        raise AssertionError(
            f"no button {text!r} in message {self.message_id}; buttons: {self.button_texts()}"
        )

    def describe(self) -> str:
        """One line for failure messages."""
        flags = " [deleted]" if self.deleted else ""
        flags += f" [edited x{self.edits}]" if self.edits else ""
        buttons = f" buttons={self.button_texts()}" if self.buttons else ""
        return f"#{self.message_id} {self.kind}{flags}: {self.text!r}{buttons}"

    def to_api(self, chat: JSON, bot: JSON, reply_to: JSON | None = None) -> JSON:
        """Bot API ``Message`` object for this message's current state."""
        msg: JSON = {"message_id": self.message_id, "date": self.date, "chat": chat}
        if chat["type"] == "channel":
            msg["sender_chat"] = chat
        else:
            msg["from"] = bot
        if self.kind == "text":
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = self.entities
        else:
            msg.update(self.extra)
            if self.text:
                msg["caption"] = self.text
            if self.entities:
                msg["caption_entities"] = self.entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            msg["reply_markup"] = self.reply_markup
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        if self.forward_origin is not None:
            msg["forward_origin"] = self.forward_origin
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        return msg


@dataclass(frozen=True)
class StoredFile:
    """A file known to the server: uploaded by the bot or sent by a user."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    url: str | None = None

    def to_api(self) -> JSON:
        """Bot API ``File`` object (``getFile`` result)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class ApiRequest:
    """One logged API call, for assertions like "answerCallbackQuery happened"."""

    method: str
    params: JSON
    status: int
    time: float
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered ``ok: true``."""
        return self.status == 200


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot passed to answerCallbackQuery (the toast/alert a person sees)."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


class MenuCommand(NamedTuple):
    """A command as shown in the menu; a tuple so ``("start", "Mulai")`` compares equal."""

    command: str
    description: str


@dataclass
class Stats:
    """Counters for delivery tests and benchmarks."""

    sent_ok: int = 0
    rate_limited: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    delivered: Counter[int] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
