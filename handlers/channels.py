"""Telegram channels: the bot made (or unmade) administrator of a channel, and /kanal.

Channels are registered by operators, who are the authority here: when a channel admin
makes the bot an administrator, the operators are asked what the channel is for (the whole
kabupaten, a kecamatan, or a topic) and one press registers it. Losing the admin right
makes the channel inactive; its registration stays until an operator ends it in /kanal.
"""

from __future__ import annotations

import contextlib
import re

from telegram import (
    Chat,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import chats, kim, regions, registrations, topics
from bot.chats import ChatType
from bot.kim import Registration
from bot.people import OPERATORS
from bot.services import KimApp, KimContext
from bot.texts import kim as t
from handlers.access import command, requires, stale_button
from handlers.memberships import BotMembershipHandler, tell_operators

PREFIX = "kn:"
_BUTTON = re.compile(
    r"kn:(?:(?P<op>kab|kecs|tops|menu):(?P<chat>-?\d{1,20})"
    r"|(?P<pick>kec|top):(?P<pick_chat>-?\d{1,20}):(?P<value>[0-9.a-z]{1,20})"
    r"|(?P<end>end|endok):(?P<reg>\d{1,12})"
    r"|(?P<list>list))"
)


def _topic_label(registration: Registration) -> str | None:
    topic = None if registration.topic is None else topics.BY_KEY.get(registration.topic)
    return None if topic is None else topic.label


def _target(registration: Registration, regency: str) -> str:
    return t.target(registration, regency, _topic_label(registration))


def target_menu(chat_id: int) -> InlineKeyboardMarkup:
    """What a channel can be registered as."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t.CHANNEL_KABUPATEN, callback_data=f"{PREFIX}kab:{chat_id}")],
            [InlineKeyboardButton(t.CHANNEL_KECAMATAN, callback_data=f"{PREFIX}kecs:{chat_id}")],
            [InlineKeyboardButton(t.CHANNEL_TOPIC, callback_data=f"{PREFIX}tops:{chat_id}")],
        ]
    )


async def bot_status_changed(update: Update, context: KimContext) -> None:
    """Made admin: ask the operators what the channel is for. Demoted: inactive."""
    change = update.my_chat_member
    if change is None:
        return
    services = context.bot_data
    chat, actor = change.chat, change.from_user
    regency = services.settings.regency_name
    if change.new_chat_member.status == ChatMemberStatus.ADMINISTRATOR:
        before, _ = await chats.joined(
            services.db,
            chat_id=chat.id,
            chat_type=ChatType.CHANNEL,
            title=chat.title or "",
            bot_is_admin=True,
            added_by=actor.id,
            now=services.clock.now(),
        )
        if before is not None and before.is_active and before.bot_is_admin:
            return  # the admin's rights were edited; nothing new
        live = await kim.live_for_chat(services.db, chat.id)
        if live is not None:
            await tell_operators(context, t.channel_back(live, regency, _topic_label(live)))
        else:
            await tell_operators(
                context, t.channel_added(chat.title or "", actor.full_name), target_menu(chat.id)
            )
        return
    await _lost(context, change)


async def _lost(context: KimContext, change: ChatMemberUpdated) -> None:
    services = context.bot_data
    gone = change.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    changed = await chats.mark_inactive(
        services.db,
        change.chat.id,
        "dikeluarkan" if gone else "bukan admin lagi",
        services.clock.now(),
        actor_id=change.from_user.id,
    )
    live = await kim.live_for_chat(services.db, change.chat.id)
    if changed and live is not None:
        regency = services.settings.regency_name
        await tell_operators(context, t.channel_gone(live, regency, _topic_label(live)))


# --- operators choose -------------------------------------------------------------------------


async def _edit(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    with contextlib.suppress(BadRequest):  # "message is not modified" on a double press
        await message.edit_text(text, reply_markup=keyboard)


def _back_row(chat_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t.BACK, callback_data=f"{PREFIX}menu:{chat_id}")]


@requires(OPERATORS, "channel.manage")
async def button(update: Update, context: KimContext) -> None:
    """Every /kanal and channel-target button; data are validated against the database."""
    query = update.callback_query
    actor = update.effective_user
    if query is None or query.data is None or actor is None:
        return
    match = _BUTTON.fullmatch(query.data)
    message = query.message
    if match is None or not isinstance(message, Message):
        await stale_button(update, context)
        return
    services = context.bot_data
    if match["list"]:
        await query.answer()
        text, keyboard = await _listing(context)
        await _edit(message, text, keyboard)
        return
    if match["end"]:
        await _end(update, context, message, int(match["reg"]), confirmed=match["end"] == "endok")
        return
    chat_id = int(match["chat"] or match["pick_chat"])
    channel = await chats.get(services.db, chat_id)
    if channel is None or channel.type != ChatType.CHANNEL or not channel.is_active:
        await stale_button(update, context)
        return
    op = match["op"]
    if op == "menu":
        await query.answer()
        await _edit(message, t.channel_menu(channel.title), target_menu(chat_id))
    elif op == "kecs":
        kecamatan = sorted(await regions.all_kecamatan(services.db), key=lambda k: k.display)
        buttons = [
            InlineKeyboardButton(k.display, callback_data=f"{PREFIX}kec:{chat_id}:{k.code}")
            for k in kecamatan
        ]
        rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        await query.answer()
        await _edit(
            message,
            t.channel_pick_kecamatan(channel.title),
            InlineKeyboardMarkup([*rows, _back_row(chat_id)]),
        )
    elif op == "tops":
        buttons = [
            InlineKeyboardButton(topic.label, callback_data=f"{PREFIX}top:{chat_id}:{topic.key}")
            for topic in topics.TOPICS
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        await query.answer()
        await _edit(
            message,
            t.channel_pick_topic(channel.title),
            InlineKeyboardMarkup([*rows, _back_row(chat_id)]),
        )
    else:
        pick, value = match["pick"], match["value"]
        await _register(
            update,
            context,
            message,
            chat_id,
            kecamatan_code=value if pick == "kec" else None,
            topic=value if pick == "top" else None,
        )


async def _register(
    update: Update,
    context: KimContext,
    message: Message,
    chat_id: int,
    *,
    kecamatan_code: str | None,
    topic: str | None,
) -> None:
    query = update.callback_query
    actor = update.effective_user
    assert query is not None and actor is not None  # only called for a button press
    services = context.bot_data
    regency = services.settings.regency_name
    try:
        registration = await registrations.register_channel(
            services.db,
            chat_id=chat_id,
            kecamatan_code=kecamatan_code,
            topic=topic,
            actor_id=actor.id,
            now=services.clock.now(),
        )
    except registrations.AlreadyRegistered as exc:
        existing = exc.existing
        text = t.channel_already(existing, regency, _topic_label(existing))
        await query.answer(t.ALREADY_DECIDED, show_alert=True)
        await _edit(message, text, None)
        return
    except LookupError:
        await stale_button(update, context)
        return
    await query.answer()
    text = t.channel_registered(registration, regency, _topic_label(registration), actor.full_name)
    await _edit(message, text, None)


async def _end(
    update: Update, context: KimContext, message: Message, registration_id: int, *, confirmed: bool
) -> None:
    query = update.callback_query
    actor = update.effective_user
    assert query is not None and actor is not None  # only called for a button press
    services = context.bot_data
    registration = await kim.get(services.db, registration_id)
    if registration is None or registration.kind != kim.Kind.CHANNEL or not registration.is_live:
        await stale_button(update, context)
        return
    regency = services.settings.regency_name
    if not confirmed:
        await query.answer()
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t.END_YES, callback_data=f"{PREFIX}endok:{registration_id}"
                    ),
                    InlineKeyboardButton(t.BACK, callback_data=f"{PREFIX}list"),
                ]
            ]
        )
        await _edit(message, t.confirm_end(registration, _target(registration, regency)), keyboard)
        return
    ended = await registrations.end(
        services.db,
        registration_id,
        actor_id=actor.id,
        reason="diakhiri operator",
        now=services.clock.now(),
    )
    if ended is None:
        await stale_button(update, context)
        return
    await query.answer(t.channel_ended(ended.chat_title))
    text, keyboard = await _listing(context)
    await _edit(message, text, keyboard)


# --- /kanal ------------------------------------------------------------------------------------


async def _listing(context: KimContext) -> tuple[str, InlineKeyboardMarkup]:
    db = context.bot_data.db
    regency = context.bot_data.settings.regency_name
    registered = await kim.registered_channels(db)
    waiting = await kim.unregistered_channels(db)
    rows = [
        [
            InlineKeyboardButton(
                t.end_button(registration.chat_title),
                callback_data=f"{PREFIX}end:{registration.id}",
            )
        ]
        for registration in registered
    ]
    rows += [
        [
            InlineKeyboardButton(
                t.register_button(channel.title), callback_data=f"{PREFIX}menu:{channel.chat_id}"
            )
        ]
        for channel in waiting
    ]
    text = t.channel_list(
        ((r, _target(r, regency)) for r in registered), (c.title for c in waiting)
    )
    return text, InlineKeyboardMarkup(rows)


@command("kanal")
async def list_channels(update: Update, context: KimContext) -> None:
    """/kanal: registered channels with target and status, and the ones still to register."""
    message = update.effective_message
    if message is None:
        return
    text, keyboard = await _listing(context)
    await message.reply_text(text, reply_markup=keyboard)


def register(app: KimApp) -> None:
    """Add this module's handlers."""
    app.add_handler(BotMembershipHandler(bot_status_changed, frozenset({Chat.CHANNEL})))
    app.add_handler(CommandHandler("kanal", list_channels))
    app.add_handler(CallbackQueryHandler(button, pattern=f"^{PREFIX}"))
