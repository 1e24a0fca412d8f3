"""Where the bot is and whether it can write there: the bot joining and leaving groups, a
person blocking or unblocking it, a group's new title or supergroup id; and the two ways the
bot writes to the network on its own (to the operators, to a group or channel).

The bot's own membership (`my_chat_member`) is handled here for groups and private chats and
in `handlers.channels` for channels; the two handlers select disjoint chat types, since the
first matching handler of a group wins.
"""

from __future__ import annotations

import logging

from telegram import (
    Chat,
    ChatMember,
    ChatMemberRestricted,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot import chats, kim, people
from bot.chats import ChatType
from bot.services import KimApp, KimContext
from bot.telegram_errors import Outcome, classify
from bot.texts import kim as t
from handlers.access import Callback

log = logging.getLogger(__name__)
_ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def tell_operators(
    context: KimContext, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> int:
    """Send to the operators' group, or to every operator and admin; returns how many got it.

    Someone who never started the bot cannot be written to; they see pending items with
    /pendaftaran and /kanal instead.
    """
    services = context.bot_data
    destinations = await kim.operator_destinations(
        services.db, services.settings.admin_ids, services.settings.operator_chat_id
    )
    delivered = 0
    for chat_id in destinations:
        try:
            await context.bot.send_message(chat_id, text, reply_markup=keyboard)
        except TelegramError as exc:
            log.warning("operator notice to %s not sent: %s", chat_id, exc)
        else:
            delivered += 1
    return delivered


async def post_to_chat(
    context: KimContext, chat_id: int, text: str, *, follow_migration: bool = True
) -> bool:
    """Send to a group or channel, following a supergroup migration (once) and recording a
    chat that is gone for good (`bot.telegram_errors`); False when it was not delivered."""
    services = context.bot_data
    try:
        await context.bot.send_message(chat_id, text)
        return True
    except TelegramError as exc:
        failure = classify(exc)
    if failure.outcome is Outcome.MIGRATED and failure.new_chat_id is not None:
        if not follow_migration:
            log.warning("chat %s migrated twice in a row; message dropped", chat_id)
            return False
        await chats.migrate(services.db, chat_id, failure.new_chat_id, services.clock.now())
        return await post_to_chat(context, failure.new_chat_id, text, follow_migration=False)
    if failure.outcome is Outcome.UNREACHABLE:
        await chats.mark_unreachable(services.db, chat_id, failure.detail, services.clock.now())
    log.warning("message to chat %s not sent: %s", chat_id, failure.detail)
    return False


async def is_group_admin(context: KimContext, chat_id: int, user_id: int) -> bool:
    """Asked from Telegram at the moment of use, never trusted from the message."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("admin check in %s failed: %s", chat_id, exc)
        return False
    return member.status in _ADMINS


def _present(member: ChatMember) -> bool:
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in (*_ADMINS, ChatMemberStatus.MEMBER)


class BotMembershipHandler(ChatMemberHandler[KimContext, None]):
    """`my_chat_member` updates of some chat types only."""

    def __init__(self, callback: Callback, chat_types: frozenset[str]) -> None:
        super().__init__(callback, ChatMemberHandler.MY_CHAT_MEMBER)
        self.chat_types = chat_types

    def check_update(self, update: object) -> bool:
        return (
            super().check_update(update)
            and isinstance(update, Update)
            and update.my_chat_member is not None
            and update.my_chat_member.chat.type in self.chat_types
        )


async def bot_status_changed(update: Update, context: KimContext) -> None:
    """The bot was added to or removed from a group, or a person blocked or unblocked it."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == Chat.PRIVATE:
        await _private_status(context, change.from_user, change.new_chat_member)
    elif _present(change.new_chat_member):
        await _joined(context, change)
    else:
        await _left(context, change)


async def _private_status(context: KimContext, user: User, new: ChatMember) -> None:
    """A person who blocks the bot cannot be reached until they unblock it or write again."""
    services = context.bot_data
    if new.status in (ChatMemberStatus.BANNED, ChatMemberStatus.MEMBER):
        reachable = new.status == ChatMemberStatus.MEMBER
        await people.set_reachable(services.db, user.id, reachable, services.clock.now())


async def _joined(context: KimContext, change: ChatMemberUpdated) -> None:
    """Added: record, and greet once per add (a registered group is welcomed back)."""
    chat = change.chat
    services = context.bot_data
    was_present = _present(change.old_chat_member)
    await chats.joined(
        services.db,
        chat_id=chat.id,
        chat_type=ChatType(chat.type),
        title=chat.title or "",
        bot_is_admin=change.new_chat_member.status == ChatMemberStatus.ADMINISTRATOR,
        added_by=None if was_present else change.from_user.id,
        now=services.clock.now(),
    )
    if was_present or chat.id == services.settings.operator_chat_id:
        return  # promoted inside the group, or the office's own group: nothing to say
    live = await kim.live_for_chat(services.db, chat.id)
    settings = services.settings
    text = (
        t.group_welcome_back(live, settings.regency_name)
        if live is not None
        else t.group_greeting(settings.organization_name)
    )
    await post_to_chat(context, chat.id, text)


async def _left(context: KimContext, change: ChatMemberUpdated) -> None:
    """Removed: the chat is inactive, its registration kept; operators are told."""
    chat, services = change.chat, context.bot_data
    banned = change.new_chat_member.status == ChatMemberStatus.BANNED
    changed = await chats.mark_inactive(
        services.db,
        chat.id,
        "dikeluarkan" if banned else "keluar",
        services.clock.now(),
        actor_id=change.from_user.id,
    )
    live = await kim.live_for_chat(services.db, chat.id)
    if changed and live is not None:
        await tell_operators(
            context, t.group_left(live, services.settings.regency_name, chat.title or "")
        )


async def retitled(update: Update, context: KimContext) -> None:
    """Keep the title operators read in cards and lists current."""
    message = update.effective_message
    if message is None or message.new_chat_title is None:
        return
    services = context.bot_data
    await chats.retitle(services.db, message.chat.id, message.new_chat_title, services.clock.now())


async def migrated(update: Update, context: KimContext) -> None:
    """A basic group became a supergroup: its chat row and registration follow the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = context.bot_data
    await chats.migrate(services.db, old_id, new_id, services.clock.now())
    if old_id in context.application.chat_data:
        context.application.migrate_chat_data(old_chat_id=old_id, new_chat_id=new_id)


def register(app: KimApp) -> None:
    chat_types = frozenset({Chat.PRIVATE, Chat.GROUP, Chat.SUPERGROUP})
    app.add_handler(BotMembershipHandler(bot_status_changed, chat_types))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_TITLE, retitled))
