"""One way to handle a button: `on_press(app, Kind, callback)`.

The callback receives a `Press`: the decoded callback data (a `bot.buttons.ButtonData`), the
query, the person and chat, and the services, so no callback repeats the same opening lines or
parses strings. With `allowed`, the roles are checked first (refusals answered and audited by
`handlers.access`). The keyboard check (`access.genuine_button`) has already run before any
of these, in its own handler group.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import CallbackQueryHandler

from bot.buttons import ButtonData
from bot.people import Role, may
from bot.services import KimApp, KimContext, Services
from handlers.access import refuse, roles

D = TypeVar("D", bound=ButtonData)


@dataclass(frozen=True)
class Press(Generic[D]):
    """A button press on its way to the flow that offered the button."""

    update: Update
    context: KimContext
    query: CallbackQuery
    user: User
    data: D

    @property
    def services(self) -> Services:
        return self.context.bot_data

    @property
    def chat(self) -> Chat | None:
        return self.update.effective_chat

    @property
    def message(self) -> Message | None:
        """The pressed message, when Telegram still sends it whole."""
        message = self.query.message
        return message if isinstance(message, Message) else None

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        await self.query.answer(text, show_alert=alert)

    async def edit(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Replace the pressed message's text and buttons (and end the button's spinner)."""
        await self.query.answer()
        await self.query.edit_message_text(text, reply_markup=keyboard)


PressCallback = Callable[[Press[D]], Coroutine[Any, Any, Any]]


def on_press(
    app: KimApp,
    kind: type[D],
    callback: PressCallback[D],
    *,
    allowed: frozenset[Role] | None = None,
    action: str = "",
    group: int = 0,
) -> None:
    """Run `callback` for presses whose data decodes as `kind`; with `allowed`, only for
    holders of those roles (`action` names the button in the audit log)."""

    async def run(update: Update, context: KimContext) -> None:
        query = update.callback_query
        user = update.effective_user
        data = None if query is None else kind.decode(query.data)
        if query is None or user is None or data is None:
            return
        if allowed is not None and not may(await roles(update, context), allowed):
            await refuse(update, context, action or kind.PREFIX)
            return
        await callback(Press(update, context, query, user, data))

    # The pattern is the decoder itself: a decoded object is truthy, None is not, and tests
    # find the kind behind every registered button through it (`pattern.__self__`).
    # PTB types the pattern as returning bool; it only tests the result's truth.
    decodes = cast(Callable[[object], bool], kind.decode)
    app.add_handler(CallbackQueryHandler(run, pattern=decodes), group)
