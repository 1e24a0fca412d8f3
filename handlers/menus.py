"""Command menus per role (BotCommandScope), so each person's "/" menu shows only what they
may use: the default scope for everyone, a chat scope for each staff member."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot import commands
from bot.commands import Where
from bot.people import Role, holders_of, roles_of
from bot.services import Services

log = logging.getLogger(__name__)


def _menu(roles: frozenset[Role], where: Where = Where.PRIVATE) -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in commands.available_to(roles, where)]


async def set_menu_for(bot: ExtBot[int], user_id: int, roles: frozenset[Role]) -> None:
    """A person's own menu; back to the default one when they hold no staff role."""
    scope = BotCommandScopeChat(user_id)
    try:
        if roles <= {Role.WARGA}:
            await bot.delete_my_commands(scope=scope)
        else:
            await bot.set_my_commands(_menu(roles), scope=scope)
    except TelegramError as exc:
        # A person who never opened a chat with the bot has no chat to scope a menu to;
        # they get theirs the next time the menus are refreshed after they write.
        log.warning("menu for user %s not set: %s", user_id, exc)


async def refresh_all(bot: ExtBot[int], services: Services) -> None:
    """At start: the default menu and one per admin, operator and verifier."""
    everyone = frozenset({Role.WARGA})
    await bot.set_my_commands(_menu(everyone), scope=BotCommandScopeDefault())
    await bot.set_my_commands(_menu(everyone, Where.GROUP), scope=BotCommandScopeAllGroupChats())
    staff_ids = set(services.settings.admin_ids)
    for role in (Role.OPERATOR, Role.VERIFIER):
        staff_ids.update(await holders_of(services.db, role))
    for user_id in sorted(staff_ids):
        held = await roles_of(services.db, services.settings.admin_ids, user_id)
        await set_menu_for(bot, user_id, held)
