"""The boundary to the messenger: everything Telegram-specific about delivering a message.

The dispatcher sees only `Sender` and the `DeliveryError` family, so a second messenger
(e.g. WhatsApp's Cloud API for private subscribers) can be added as another `Sender`.
The Telegram sender uses its own `telegram.Bot`, over aiohttp (broadcasts/http.py) and without
python-telegram-bot's rate limiter:
broadcast pacing is the dispatcher's job, and the interactive bot keeps its own limiter, so
a broadcast never waits behind a villager's reply or the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.telegram_errors import Outcome, classify
from broadcasts.content import Kind, Part
from broadcasts.http import AiohttpRequest


@dataclass(frozen=True)
class Link:
    """A button that opens `url` (e.g. "Bagikan ke WhatsApp"): no callback data, nothing for
    the bot to check when it is pressed, since Telegram opens the link itself."""

    label: str
    url: str


@dataclass(frozen=True)
class Outgoing:
    """One announcement for one chat: its parts, buttons under the last part, a reply target.

    `buttons` are the presses the bot answers, `links` one row each below them; the outbox
    keeps neither (each row is rendered when it is sent), so rows written before a button
    existed send with today's keyboard.
    """

    parts: tuple[Part, ...]
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()  # rows of (label, callback data)
    reply_to: int | None = None
    links: tuple[Link, ...] = ()
    # For a channel that must ask first (a WhatsApp template outside the person's window):
    # the template's header (the topic) and the plain text its excerpt is cut from.
    topic: str = ""
    teaser: str = ""
    outbox_id: int | None = None  # the row being sent, for senders that keep their own record


class DeliveryError(Exception):
    """A send that did not happen."""

    reason = "lainnya"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail or self.reason
        self.sent: list[int] = []  # filled in by the dispatcher for multi-part messages


class RateLimited(DeliveryError):
    """Too fast: every send pauses `retry_after`, or with `chat_only` just this chat's
    (WhatsApp's pair limit: one person got too many, the others are fine)."""

    reason = "rate_limited"

    def __init__(self, retry_after: float, *, chat_only: bool = False) -> None:
        super().__init__(f"retry after {retry_after:g}s")
        self.retry_after = retry_after
        self.chat_only = chat_only


class Unreachable(DeliveryError):
    """The chat cannot be written to any more (blocked, removed, deleted, no rights)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Migrated(DeliveryError):
    reason = "migrated"

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class Transient(DeliveryError):
    """Timeouts and network errors: worth retrying (the message may have arrived)."""

    reason = "network"


class Rejected(DeliveryError):
    """Telegram refused this message for good (a bad request other than the above)."""

    reason = "rejected"


class Refused(DeliveryError):
    """This one message will not go, for a reason of the recipient's (e.g. they turned off
    marketing messages): the row fails with `reason`, the chat stays reachable."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Later(DeliveryError):
    """Not now, and no fault of the message (the day's allowance of new recipients is
    used up): the row waits until `not_before` (Unix time), no attempt counted."""

    reason = "later"

    def __init__(self, not_before: float, detail: str) -> None:
        super().__init__(detail)
        self.not_before = not_before


class Paused(DeliveryError):
    """The channel must rest `seconds` (WhatsApp's spam limit): nothing is sent on it until
    then, this row included; the operators hear of it once."""

    reason = "paused"

    def __init__(self, seconds: float, detail: str) -> None:
        super().__init__(detail)
        self.seconds = seconds


class Halted(DeliveryError):
    """The channel cannot send at all until someone fixes it (an expired token): its rows
    stay pending for the restart, the operators hear of it once."""

    reason = "halted"


class Sender(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_part(self, chat_id: int, message: Outgoing, index: int) -> int:
        """Send one part (buttons go under the last, the reply target on the first);
        returns its message id."""
        ...

    async def send_text(self, chat_id: int, text: str) -> int:
        """One short HTML text of kim-bot's own (a notice), no buttons; returns its id."""
        ...

    async def delete(self, chat_id: int, message_id: int) -> bool: ...


@dataclass
class TelegramSender:
    token: str
    base_url: str
    base_file_url: str
    timeout: float = 10.0
    connections: int = 128
    _bot: Bot | None = field(default=None, init=False)

    async def start(self) -> None:
        request = AiohttpRequest(self.connections, self.timeout)
        self._bot = Bot(
            self.token, base_url=self.base_url, base_file_url=self.base_file_url, request=request
        )
        await self._bot.initialize()

    async def stop(self) -> None:
        if self._bot is not None:
            await self._bot.shutdown()

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("TelegramSender.start() was not called")
        return self._bot

    async def send_part(self, chat_id: int, message: Outgoing, index: int) -> int:
        last = len(message.parts) - 1
        markup = keyboard(message.buttons, message.links) if index == last else None
        reply = (
            ReplyParameters(message.reply_to, allow_sending_without_reply=True)
            if index == 0 and message.reply_to
            else None
        )
        try:
            result = await post(self.bot, chat_id, message.parts[index], markup, reply)
        except TelegramError as exc:
            raise _translate(exc) from exc
        return result.message_id

    async def send_text(self, chat_id: int, text: str) -> int:
        try:
            result = await self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramError as exc:
            raise _translate(exc) from exc
        return result.message_id

    async def delete(self, chat_id: int, message_id: int) -> bool:
        try:
            return await self.bot.delete_message(chat_id, message_id)
        except TelegramError as exc:
            raise _translate(exc) from exc


async def post(
    bot: Bot,
    chat_id: int,
    part: Part,
    markup: InlineKeyboardMarkup | None = None,
    reply: ReplyParameters | None = None,
) -> Message:
    """One part through any python-telegram-bot Bot; formatting travels as entities, so the
    parse mode is switched off even where the bot has an HTML default."""
    entities = list(part.entities)
    if part.kind in (Kind.PHOTO, Kind.DOCUMENT):
        send_file = bot.send_photo if part.kind is Kind.PHOTO else bot.send_document
        return await send_file(
            chat_id,
            part.file_id or "",
            caption=part.text,
            caption_entities=entities,
            parse_mode=None,
            reply_markup=markup,
            reply_parameters=reply,
        )
    return await bot.send_message(
        chat_id,
        part.text,
        entities=entities,
        parse_mode=None,
        reply_markup=markup,
        reply_parameters=reply,
        disable_web_page_preview=True,
    )


def keyboard(
    rows: tuple[tuple[tuple[str, str], ...], ...], links: tuple[Link, ...] = ()
) -> InlineKeyboardMarkup | None:
    if not rows and not links:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
        + [[InlineKeyboardButton(link.label, url=link.url)] for link in links]
    )


def _translate(exc: TelegramError) -> DeliveryError:
    """python-telegram-bot's errors → our delivery categories (the rule: bot.telegram_errors)."""
    failure = classify(exc)
    if failure.outcome is Outcome.RATE_LIMITED:
        return RateLimited(failure.retry_after)
    if failure.outcome is Outcome.MIGRATED and failure.new_chat_id is not None:
        return Migrated(failure.new_chat_id)
    if failure.outcome is Outcome.UNREACHABLE:
        return Unreachable(failure.reason, failure.detail)
    if failure.outcome is Outcome.TRANSIENT:
        return Transient(failure.detail)
    return Rejected(failure.detail)
