"""Typed answers without conversation state: the bot asks with a ForceReply prompt whose
wording identifies it (and carries the object's id), and the person's reply to that prompt is
the answer. This also works in groups with privacy mode on, where the bot sees replies to its
own messages but not ordinary chat, and it survives a restart.

A prompt waits as long as every other step (`WAITING_STEP_TIMEOUT`, see `bot.waiting`): the
prompt's own date and the reply's date tell whether the reply came in time, so a reply to a
forgotten prompt is told the question expired instead of acting on an old case or draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import ForceReply, Message, Update, User
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import texts
from bot.services import KimApp, KimContext
from bot.waiting import is_late
from handlers.presses import Press

Answer = Callable[[Update, KimContext], Coroutine[Any, Any, Any]]


class ReplyToPrompt(filters.MessageFilter):
    """A reply to one of the bot's own messages whose text matches `pattern` at its start,
    sent within `within` of the prompt (or, with `late`, after that)."""

    def __init__(self, pattern: re.Pattern[str], within: timedelta, *, late: bool = False) -> None:
        super().__init__()
        self.pattern = pattern
        self.within = within
        self.late = late

    def filter(self, message: Message) -> bool:
        prompt = message.reply_to_message
        if prompt is None or prompt_match(message, self.pattern) is None:
            return False
        return is_late(prompt.date, message.date, self.within) == self.late


def prompt_match(message: Message, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The match of `pattern` in the bot prompt `message` replies to, if it is one."""
    prompt = message.reply_to_message
    if prompt is None or prompt.from_user is None or not prompt.from_user.is_bot:
        return None
    return pattern.match(prompt.text or "")


def prompt_answer(update: Update, pattern: re.Pattern[str]) -> tuple[Message, User, re.Match[str]]:
    """The reply, its sender and the prompt's match, in a handler `answer_handlers` registered
    (its filter guarantees all three)."""
    message = update.effective_message
    user = update.effective_user
    match = None if message is None else prompt_match(message, pattern)
    assert message is not None and user is not None and match is not None
    return message, user, match


async def ask(press: Press[Any], text: str, placeholder: str) -> None:
    """Answer the press and ask `text` in its chat: the reply to that prompt is the answer."""
    assert press.chat is not None  # the callers have checked it
    await press.answer()
    field = ForceReply(selective=True, input_field_placeholder=placeholder)
    await press.context.bot.send_message(press.chat.id, text, reply_markup=field)


def answer_handlers(
    app: KimApp, where: filters.BaseFilter, pattern: re.Pattern[str], answer: Answer
) -> list[BaseHandler[Update, KimContext, object]]:
    """The handler of replies to the prompt in time, and of replies that came too late."""
    within = app.bot_data.settings.waiting_step_timeout
    return [
        MessageHandler(where & ReplyToPrompt(pattern, within), answer),
        MessageHandler(where & ReplyToPrompt(pattern, within, late=True), too_late),
    ]


async def too_late(update: Update, context: KimContext) -> None:
    """A reply to a prompt whose time ran out: say so, act on nothing."""
    message = update.effective_message
    if message is not None:
        within = context.bot_data.settings.waiting_step_timeout
        await message.reply_text(texts.prompt_expired(texts.duration(within)))
