"""/penjaga and the group guard watching a group's messages.

The guard must see ordinary messages, so it only works with the bot's group privacy mode
off (see README). Its message handler sits in its own handler group (`GUARD_GROUP`): it
runs beside whatever group 0 does with the same message (a name prompt, a /lapor reply)
and never keeps it from them.

Whether someone may switch the guard is the group's own decision: a group admin, asked
from Telegram at the moment of use, or an admin posting anonymously as the group.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Chat, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import guard
from bot.buttons import ButtonData
from bot.chats import ChatType
from bot.services import KimApp, KimContext
from bot.texts import guard as t
from handlers.access import log_refusal, stale_button
from handlers.memberships import is_group_admin
from handlers.presses import Press, on_press

log = logging.getLogger(__name__)

GUARD_GROUP = 1


@dataclass(frozen=True)
class GuardSwitch(ButtonData, prefix="pj"):
    """Nyalakan (`on`) or Matikan under the guard's status."""

    on: bool


async def _is_group_admin(context: KimContext, message: Message, user: User | None) -> bool:
    chat = message.chat
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # only an admin can write as the group itself
    return user is not None and await is_group_admin(context, chat.id, user.id)


def _keyboard(on: bool) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[GuardSwitch(not on).button(t.TURN_OFF if on else t.TURN_ON)]])


async def _switch(
    context: KimContext, message: Message, user: User | None, on: bool
) -> bool | None:
    """Switch for an admin (True when it changed); None after refusing someone else."""
    services = context.bot_data
    chat = message.chat
    if not await _is_group_admin(context, message, user):
        await log_refusal(context, user, "/penjaga", chat_id=chat.id)
        return None
    return await guard.switch(
        services.db,
        chat_id=chat.id,
        chat_type=ChatType(chat.type),
        title=chat.title or "",
        on=on,
        actor_id=None if user is None or message.sender_chat is not None else user.id,
        now=services.clock.now(),
    )


async def penjaga(update: Update, context: KimContext) -> None:
    """/penjaga shows the state; /penjaga on|off switches it (group admins only)."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        await message.reply_text(t.GROUP_ONLY)
        return
    services = context.bot_data
    words = context.args or []
    if not words:
        on = await guard.is_on(services.db, chat.id)
        await message.reply_text(t.status(on, admin_view=False), reply_markup=_keyboard(on))
        return
    wanted = guard.wanted_state(words)
    if wanted is None:
        await message.reply_text(t.USAGE)
        return
    changed = await _switch(context, message, update.effective_user, wanted)
    if changed is None:
        await message.reply_text(t.NOT_GROUP_ADMIN)
    elif wanted:
        await message.reply_text(t.TURNED_ON if changed else t.ALREADY_ON)
    else:
        await message.reply_text(t.TURNED_OFF if changed else t.ALREADY_OFF)


async def on_button(press: Press[GuardSwitch]) -> None:
    """Nyalakan / Matikan under the status; a non-admin's press changes nothing."""
    message, wanted = press.message, press.data.on
    if message is None or message.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        await stale_button(press.update, press.context)
        return
    # The button's message is the bot's own (no sender_chat): the presser is checked.
    changed = await _switch(press.context, message, press.user, wanted)
    if changed is None:
        await press.answer(t.NOT_GROUP_ADMIN, alert=True)
        return
    await press.answer(t.TURNED_ON if wanted else t.TURNED_OFF)
    try:
        await press.query.edit_message_text(
            t.status(wanted, admin_view=False), reply_markup=_keyboard(wanted)
        )
    except BadRequest as exc:  # unchanged text: someone pressed the same button again
        log.debug("guard status not edited: %s", exc)


async def watch(update: Update, context: KimContext) -> None:
    """A group message repeating a registered hoax gets the card, if the group opted in."""
    message = update.effective_message
    if message is None or (message.from_user is not None and message.from_user.is_bot):
        return
    text = message.text or message.caption or ""
    services = context.bot_data
    found = await guard.watch(services.db, message.chat.id, text, now=services.clock.now())
    if found is None:
        return
    await message.reply_text(
        t.card(found.entry), link_preview_options=LinkPreviewOptions(is_disabled=True)
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("penjaga", penjaga))
    on_press(app, GuardSwitch, on_button)
    posted = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    said = posted & filters.ChatType.GROUPS & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    app.add_handler(MessageHandler(said, watch), group=GUARD_GROUP)
