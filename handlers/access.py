"""The one place where roles are checked before a privileged command or button runs.

A refusal is answered politely and written to the audit log, so the office can see who tried
what. The rule itself (which roles may use which command) lives in `bot.commands`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update, User
from telegram.ext import ApplicationHandlerStop

from bot import audit, commands, keyboards, texts
from bot.people import Person, Role, may, remember, roles_of
from bot.services import KimContext
from broadcasts import outbox, render
from handlers import menus

Callback = Callable[[Update, KimContext], Coroutine[Any, Any, Any]]


async def roles(update: Update, context: KimContext) -> frozenset[Role]:
    user = update.effective_user
    if user is None:
        return frozenset()
    services = context.bot_data
    return await roles_of(services.db, services.settings.admin_ids, user.id)


def requires(allowed: frozenset[Role], action: str) -> Callable[[Callback], Callback]:
    """Run the callback only for holders of `allowed`; `action` names it in the audit log."""

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def guarded(update: Update, context: KimContext) -> Any:
            if may(await roles(update, context), allowed):
                return await callback(update, context)
            await refuse(update, context, action)
            return None

        return guarded

    return decorate


def command(name: str) -> Callable[[Callback], Callback]:
    """`requires` with the roles `bot.commands` lists for /name."""
    return requires(commands.spec(name).allowed, f"/{name}")


async def log_refusal(context: KimContext, user: User | None, action: str, **detail: Any) -> None:
    """Write to the audit log that `user` was refused `action`."""
    services = context.bot_data
    await audit.log(
        services.db,
        at=services.clock.now(),
        actor_id=None if user is None else user.id,
        action="access.denied",
        object_type="command",
        object_id=action,
        detail=detail,
    )


async def refuse(update: Update, context: KimContext, action: str) -> None:
    await log_refusal(context, update.effective_user, action)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOT_ALLOWED_BUTTON, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(texts.NOT_ALLOWED)


async def remember_sender(update: Update, context: KimContext) -> None:
    """Keep who writes to the bot in private: a message means they can be reached again."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None or chat.type != chat.PRIVATE:
        return
    if update.my_chat_member is not None:
        return  # blocking or unblocking the bot is handled by handlers.kim_groups
    person = Person(user.id, user.first_name, user.last_name, user.username, user.language_code)
    services = context.bot_data
    if await remember(services.db, person, services.clock.now()):
        # Telegram refuses a per-chat menu before the person's first message, so staff who
        # were appointed (or listed in ADMIN_IDS) before that get theirs now.
        held = await roles_of(services.db, services.settings.admin_ids, user.id)
        if held != {Role.WARGA}:
            await menus.set_menu_for(context.bot, user.id, held)


async def stale_button(update: Update, context: KimContext) -> None:
    """Any button no handler recognises: old keyboards and forged data change nothing."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)


async def genuine_button(update: Update, context: KimContext) -> None:
    """Before every handler: a press must carry data the pressed message's keyboard holds.

    Telegram's copy of the keyboard comes with the press; for old messages it does not, and
    the ledger of keyboards the bot sent (or, for an announcement, the outbox) answers
    instead. Anything else is forged or stale: it is audited (who pressed what) and goes no
    further (see bot/keyboards.py).
    """
    query = update.callback_query
    if query is None:
        return
    message = query.message
    if message is None:
        on_message = []  # an inline-mode message: the bot offers none
    elif isinstance(message, Message) and message.is_accessible:
        markup = message.reply_markup
        on_message = keyboards.callback_data(None if markup is None else markup.to_dict())
    else:  # date 0: PTB may still parse it as a Message, but one without its keyboard
        on_message = await _offered_earlier(context, message.chat.id, message.message_id)
    if keyboards.offered(query.data, on_message):
        return
    services = context.bot_data
    await audit.log(
        services.db,
        at=services.clock.now(),
        actor_id=query.from_user.id,
        action="button.refused",
        object_type="button",
        object_id=(query.data or "")[:64],
    )
    await stale_button(update, context)
    raise ApplicationHandlerStop


async def _offered_earlier(context: KimContext, chat_id: int, message_id: int) -> list[str]:
    db = context.bot_data.db
    recorded = await keyboards.recorded(db, chat_id, message_id)
    if recorded:
        return recorded
    delivered = await outbox.delivered_as(db, chat_id, message_id)
    if delivered is None:
        return []
    announcement_id, chat_kind = delivered
    return [data for row in render.buttons(announcement_id, chat_kind) for _, data in row]
