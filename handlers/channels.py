"""Telegram channels: the bot made (or unmade) administrator of a channel, and /kanal.

Channels are registered by operators, who are the authority here: when a channel admin
makes the bot an administrator, the operators are asked what the channel is for (the whole
kabupaten, a kecamatan, or a topic) and one press registers it. Losing the admin right
makes the channel inactive; its registration stays until an operator ends it in /kanal.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from telegram import Chat, ChatMemberUpdated, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest
from telegram.ext import CommandHandler

from bot import chats, kim, regions, registrations, topics
from bot.buttons import ButtonData
from bot.chats import ChatType
from bot.people import OPERATORS
from bot.services import KimApp, KimContext
from bot.texts import kim as t
from handlers.access import command, stale_button
from handlers.layout import reply_view
from handlers.memberships import BotMembershipHandler, tell_operators
from handlers.presses import D, Press, PressCallback, on_press


@dataclass(frozen=True)
class ChannelMenu(ButtonData, prefix="knm"):
    """What the channel can be registered as."""

    chat: int


@dataclass(frozen=True)
class KecamatanChoices(ButtonData, prefix="knk"):
    chat: int


@dataclass(frozen=True)
class TopicChoices(ButtonData, prefix="knt"):
    chat: int


@dataclass(frozen=True)
class Assign(ButtonData, prefix="kna"):
    """Register the channel for a kecamatan, a topic, or (neither) the whole kabupaten."""

    chat: int
    kecamatan: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class AskEnd(ButtonData, prefix="kne"):
    registration: int


@dataclass(frozen=True)
class End(ButtonData, prefix="knd"):
    registration: int


@dataclass(frozen=True)
class ChannelList(ButtonData, prefix="knl"): ...


def target_menu(chat_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [Assign(chat_id).button(t.CHANNEL_KABUPATEN)],
            [KecamatanChoices(chat_id).button(t.CHANNEL_KECAMATAN)],
            [TopicChoices(chat_id).button(t.CHANNEL_TOPIC)],
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
    if change.new_chat_member.status != ChatMemberStatus.ADMINISTRATOR:
        await _lost(context, change)
        return
    before, _ = await chats.joined(
        services.db,
        chat_id=chat.id,
        chat_type=ChatType.CHANNEL,
        title=chat.title or "",
        bot_is_admin=True,
        added_by=actor.id,
        now=services.clock.now(),
    )
    if before is not None and before.administered:
        return  # the admin's rights were edited; nothing new
    live = await kim.live_for_chat(services.db, chat.id)
    if live is not None:
        await tell_operators(context, t.channel_back(live, regency))
    else:
        added = t.channel_added(chat.title or "", actor.full_name)
        await tell_operators(context, added, target_menu(chat.id))


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
        await tell_operators(context, t.channel_gone(live, services.settings.regency_name))


# --- operators choose -------------------------------------------------------------------------


async def _edit(press: Press[Any], text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    with contextlib.suppress(BadRequest):  # "message is not modified" on a double press
        await press.query.edit_message_text(text, reply_markup=keyboard)


async def _open_channel(press: Press[Any], chat_id: int) -> chats.Chat | None:
    """The channel a button names, while it can still be registered (else: stale)."""
    channel = await chats.get(press.services.db, chat_id)
    if channel is None or not channel.is_open_channel:
        await stale_button(press.update, press.context)
        return None
    await press.answer()
    return channel


async def on_menu(press: Press[ChannelMenu]) -> None:
    channel = await _open_channel(press, press.data.chat)
    if channel is not None:
        await _edit(press, t.channel_menu(channel.title), target_menu(channel.chat_id))


async def on_kecamatan_choices(press: Press[KecamatanChoices]) -> None:
    channel = await _open_channel(press, press.data.chat)
    if channel is None:
        return
    kecamatan = sorted(await regions.all_kecamatan(press.services.db), key=lambda k: k.display)
    buttons = [Assign(channel.chat_id, kecamatan=k.code).button(k.display) for k in kecamatan]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    back = [ChannelMenu(channel.chat_id).button(t.BACK)]
    await _edit(press, t.channel_pick_kecamatan(channel.title), InlineKeyboardMarkup([*rows, back]))


async def on_topic_choices(press: Press[TopicChoices]) -> None:
    channel = await _open_channel(press, press.data.chat)
    if channel is None:
        return
    buttons = [
        Assign(channel.chat_id, topic=topic.key).button(topic.label) for topic in topics.TOPICS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    back = [ChannelMenu(channel.chat_id).button(t.BACK)]
    await _edit(press, t.channel_pick_topic(channel.title), InlineKeyboardMarkup([*rows, back]))


async def on_assign(press: Press[Assign]) -> None:
    """One press registers the channel; a second operator learns it was done already."""
    services, data = press.services, press.data
    regency = services.settings.regency_name
    try:
        registration = await registrations.register_channel(
            services.db,
            chat_id=data.chat,
            kecamatan_code=data.kecamatan,
            topic=data.topic,
            actor_id=press.user.id,
            now=services.clock.now(),
        )
    except registrations.AlreadyRegistered as exc:
        await press.answer(t.ALREADY_DECIDED, alert=True)
        await _edit(press, t.channel_already(exc.existing, regency), None)
        return
    except (LookupError, ValueError):  # gone, unknown, or a kecamatan and a topic at once
        await stale_button(press.update, press.context)
        return
    await press.answer()
    await _edit(press, t.channel_registered(registration, regency, press.user.full_name), None)


async def _live_channel(press: Press[Any], registration_id: int) -> kim.Registration | None:
    registration = await kim.get(press.services.db, registration_id)
    if registration is None or registration.kind != kim.Kind.CHANNEL or not registration.is_live:
        await stale_button(press.update, press.context)
        return None
    return registration


async def on_ask_end(press: Press[AskEnd]) -> None:
    registration = await _live_channel(press, press.data.registration)
    if registration is None:
        return
    await press.answer()
    keyboard = InlineKeyboardMarkup(
        [[End(registration.id).button(t.END_YES), ChannelList().button(t.BACK)]]
    )
    await _edit(press, t.confirm_end(registration, press.services.settings.regency_name), keyboard)


async def on_end(press: Press[End]) -> None:
    if await _live_channel(press, press.data.registration) is None:
        return
    services = press.services
    ended = await registrations.end(
        services.db,
        press.data.registration,
        actor_id=press.user.id,
        reason="diakhiri operator",
        now=services.clock.now(),
    )
    if ended is None:
        await stale_button(press.update, press.context)
        return
    await press.answer(t.channel_ended(ended.chat_title))
    await _edit(press, *await _listing(press.context))


async def on_list(press: Press[ChannelList]) -> None:
    await press.answer()
    await _edit(press, *await _listing(press.context))


# --- /kanal ------------------------------------------------------------------------------------


async def _listing(context: KimContext) -> tuple[str, InlineKeyboardMarkup]:
    db = context.bot_data.db
    registered = await kim.registered_channels(db)
    waiting = await kim.unregistered_channels(db)
    rows = [[AskEnd(r.id).button(t.end_button(r.chat_title))] for r in registered]
    rows += [[ChannelMenu(c.chat_id).button(t.register_button(c.title))] for c in waiting]
    regency = context.bot_data.settings.regency_name
    text = t.channel_list(registered, regency, (c.title for c in waiting))
    return text, InlineKeyboardMarkup(rows)


@command("kanal")
async def list_channels(update: Update, context: KimContext) -> None:
    """/kanal: registered channels with target and status, and the ones still to register."""
    await reply_view(update, await _listing(context))


def register(app: KimApp) -> None:
    app.add_handler(BotMembershipHandler(bot_status_changed, frozenset({Chat.CHANNEL})))
    app.add_handler(CommandHandler("kanal", list_channels))
    _manage(app, ChannelMenu, on_menu)
    _manage(app, KecamatanChoices, on_kecamatan_choices)
    _manage(app, TopicChoices, on_topic_choices)
    _manage(app, Assign, on_assign)
    _manage(app, AskEnd, on_ask_end)
    _manage(app, End, on_end)
    _manage(app, ChannelList, on_list)


def _manage(app: KimApp, kind: type[D], callback: PressCallback[D]) -> None:
    """Every channel button is the operators' alone."""
    on_press(app, kind, callback, allowed=OPERATORS, action="channel.manage")
