"""The bot's command menus per BotCommandScope + language, and Telegram's fallback order."""

from __future__ import annotations

import re
from typing import Any

from botapi_sandbox.errors import bad_request
from botapi_sandbox.models import MenuCommand

ScopeKey = tuple[str, int, int]  # (scope type, chat id or 0, user id or 0)

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})
_GLOBAL_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)


def scope_key(scope: dict[str, Any] | None, chat_id: int = 0) -> ScopeKey:
    """Normalise a scope dict; ``chat_id`` is the already-resolved numeric chat id."""
    kind = (scope or {}).get("type", "default")
    if kind in _GLOBAL_SCOPES:
        return (kind, 0, 0)
    if kind not in _CHAT_SCOPES:
        raise bad_request("unsupported bot command scope type")
    user_id = 0
    if kind == "chat_member":
        user_id = int((scope or {}).get("user_id", 0))
        if not user_id:
            raise bad_request("user not found")
    return (kind, chat_id, user_id)


class CommandRegistry:
    """Exact storage per (scope, language); resolution lives in :meth:`effective`."""

    def __init__(self) -> None:
        self._menus: dict[tuple[ScopeKey, str], list[MenuCommand]] = {}

    def set(self, key: ScopeKey, language_code: str, commands: list[Any]) -> None:
        """setMyCommands: validate like Telegram, an empty list deletes the menu."""
        if len(commands) > 100:
            raise bad_request("too many commands")
        parsed: list[MenuCommand] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse commands JSON object")
            command = str(item.get("command", ""))
            description = str(item.get("description", ""))
            if not _COMMAND_RE.match(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            parsed.append(MenuCommand(command, description))
        if language_code and not re.fullmatch(r"[a-z]{2}", language_code):
            raise bad_request("invalid language code specified")
        if parsed:
            self._menus[(key, language_code)] = parsed
        else:
            self._menus.pop((key, language_code), None)

    def get(self, key: ScopeKey, language_code: str = "") -> list[MenuCommand]:
        """getMyCommands: exactly what was set for this scope and language, no fallback."""
        return list(self._menus.get((key, language_code), []))

    def delete(self, key: ScopeKey, language_code: str = "") -> None:
        """deleteMyCommands."""
        self._menus.pop((key, language_code), None)

    def effective(
        self, *, user_id: int, language_code: str, chat_id: int | None, is_admin: bool
    ) -> list[MenuCommand]:
        """The menu Telegram shows: most specific scope first, each with then without language.

        ``chat_id`` None means the user's private chat with the bot.
        """
        if chat_id is None:
            chain: list[ScopeKey] = [("chat", user_id, 0), ("all_private_chats", 0, 0)]
        else:
            chain = [("chat_member", chat_id, user_id)]
            if is_admin:
                chain.append(("chat_administrators", chat_id, 0))
            chain.append(("chat", chat_id, 0))
            if is_admin:
                chain.append(("all_chat_administrators", 0, 0))
            chain.append(("all_group_chats", 0, 0))
        chain.append(("default", 0, 0))
        languages = [language_code, ""] if language_code else [""]
        for key in chain:
            for language in languages:
                menu = self._menus.get((key, language))
                if menu:
                    return list(menu)
        return []
