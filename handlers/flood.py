"""The per-person limit (bot.flood), applied before any other handler sees an update.

Counted: every message and button press in a private chat, and commands and button presses
in groups (a group's ordinary conversation is not addressed to the bot, and the group guard
must keep reading it). An update past the limit stops here: the first one gets "terlalu
cepat" (a button press as its callback answer), later ones nothing but the empty callback
answer that stops a client's spinner.
"""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.flood import Verdict
from bot.people import STAFF, may, roles_of
from bot.services import KimApp, KimContext


def _answered(update: Update) -> bool:
    """Whether the bot would answer this update, so that it counts against the person."""
    if update.callback_query is not None:
        return True
    message = update.message or update.edited_message
    if message is None:
        return False
    if message.chat.type == Chat.PRIVATE:
        return True
    return (message.text or message.caption or "").startswith("/")


async def limit(update: Update, context: KimContext) -> None:
    """Let the update through, or stop it (telling the person once)."""
    user = update.effective_user
    if user is None or user.is_bot or not _answered(update):
        return
    services = context.bot_data

    async def is_staff() -> bool:
        return may(await roles_of(services.db, services.settings.admin_ids, user.id), STAFF)

    verdict = await services.flood.admit(user.id, services.clock.now().timestamp(), is_staff)
    if verdict is Verdict.ANSWER:
        return
    query = update.callback_query
    if query is not None:
        await query.answer(texts.TOO_FAST_BUTTON if verdict is Verdict.TOO_FAST else None)
    elif verdict is Verdict.TOO_FAST and update.effective_message is not None:
        await update.effective_message.reply_text(texts.TOO_FAST)
    raise ApplicationHandlerStop


def register(app: KimApp, *, group: int) -> None:
    """`group` must run before every other handler group (see bot/app.py)."""
    app.add_handler(TypeHandler(Update, limit), group=group)
