"""Bot API methods about the bot itself, chats, members, commands, files and webhooks."""

from __future__ import annotations

import re
from typing import Any

from botapi_sandbox.commands import ScopeKey, scope_key
from botapi_sandbox.errors import bad_request
from botapi_sandbox.methods_send import Handler, Params
from botapi_sandbox.models import JSON
from botapi_sandbox.people import People, member_api
from botapi_sandbox.state import World

_PRESENT = ("creator", "administrator", "member", "restricted")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def get_me(people: People, p: Params) -> JSON:
    """getMe, privacy mode reflected in can_read_all_group_messages."""
    return {
        **people.world.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not people.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def get_chat(people: People, p: Params) -> JSON:
    """getChat: ChatFullInfo with the fields PTB requires."""
    chat = people.world.accessible(p.get("chat_id"), write=False)
    info: JSON = {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat.migrated_from is not None:
        info["migrated_from_chat_id"] = chat.migrated_from
    return info


def get_chat_member(people: People, p: Params) -> JSON:
    """getChatMember: strangers are "left"; unknown accounts are an error."""
    world = people.world
    chat = world.accessible(p.get("chat_id"), write=False)
    user_id = p.get("user_id")
    user = (
        world.bot
        if user_id == world.bot.id
        else world.users.get(user_id)
        if isinstance(user_id, int)
        else None
    )
    if user is None:
        raise bad_request("user not found")
    return member_api(user, world.member_status(chat, user.id))


def get_chat_administrators(people: People, p: Params) -> list[JSON]:
    """getChatAdministrators, the bot included when it is an admin."""
    world = people.world
    chat = world.accessible(p.get("chat_id"), write=False)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    admins = [
        member_api(world.users[uid], status)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator")
    ]
    if chat.bot_status == "administrator":
        admins.append(member_api(world.bot, "administrator"))
    return admins


def get_chat_member_count(people: People, p: Params) -> int:
    """getChatMemberCount, counting the bot."""
    chat = people.world.accessible(p.get("chat_id"), write=False)
    if chat.type == "private":
        return 2
    return sum(1 for s in chat.members.values() if s in _PRESENT) + (1 if chat.bot_present else 0)


def leave_chat(people: People, p: Params) -> bool:
    """leaveChat: the chat becomes unreachable; Telegram reports it as my_chat_member."""
    world = people.world
    chat = world.accessible(p.get("chat_id"), write=False)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    old = chat.bot_status or "left"
    chat.bot_status = "left"
    people.my_chat_member(chat, world.bot, old, "left")
    world.notify()
    return True


def _scope(world: World, p: Params) -> ScopeKey:
    scope = p.get("scope")
    if scope is not None and not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    chat_id = 0
    if scope and "chat_id" in scope:
        chat_id = world.accessible(scope["chat_id"], write=False).id
    return scope_key(scope, chat_id)


def set_my_commands(people: People, p: Params) -> bool:
    """setMyCommands."""
    commands = p.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    people.world.commands.set(_scope(people.world, p), str(p.get("language_code") or ""), commands)
    return True


def get_my_commands(people: People, p: Params) -> list[JSON]:
    """getMyCommands: exact scope and language, no fallback."""
    menu = people.world.commands.get(_scope(people.world, p), str(p.get("language_code") or ""))
    return [c._asdict() for c in menu]


def delete_my_commands(people: People, p: Params) -> bool:
    """deleteMyCommands."""
    people.world.commands.delete(_scope(people.world, p), str(p.get("language_code") or ""))
    return True


def get_file(people: People, p: Params) -> JSON:
    """getFile: file_path is downloadable under /file/bot<token>/."""
    file_id = p.get("file_id")
    stored = people.world.files.get(file_id) if isinstance(file_id, str) else None
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api()


def set_webhook(people: People, p: Params) -> bool:
    """setWebhook: url and secret_token kept; updates go there (webhook.py), as on Telegram."""
    world = people.world
    secret = p.get("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    world.settings["webhook"] = str(p.get("url") or "")
    world.settings["webhook_secret_token"] = str(secret) if secret else None
    allowed = p.get("allowed_updates")
    world.updates.set_allowed(allowed if isinstance(allowed, list) else None)
    _drop_pending(world, p)
    return True


def delete_webhook(people: People, p: Params) -> bool:
    """deleteWebhook, honouring drop_pending_updates."""
    world = people.world
    world.settings["webhook"] = ""
    world.settings["webhook_secret_token"] = None
    _drop_pending(world, p)
    return True


def _drop_pending(world: World, p: Params) -> None:
    if p.get("drop_pending_updates"):
        world.updates.confirm(world.updates.log[-1]["update_id"] + 1 if world.updates.log else 0)


def get_webhook_info(people: People, p: Params) -> JSON:
    """getWebhookInfo."""
    world = people.world
    info: JSON = {
        "url": world.settings.get("webhook", ""),
        "has_custom_certificate": False,
        "pending_update_count": world.updates.pending,
    }
    if world.settings.get("webhook_last_error"):
        info["last_error_date"] = world.now()
        info["last_error_message"] = world.settings["webhook_last_error"]
    return info


def _recorder(name: str) -> Handler:
    def handler(people: People, p: Params) -> bool:
        people.world.settings[name] = dict(p)
        return True

    handler.__doc__ = f"{name}: recorded in settings for assertions."
    return handler


def _reader(name: str, field: str) -> Handler:
    def handler(people: People, p: Params) -> Any:
        stored = people.world.settings.get(name, {})
        return {field: stored.get(field, "")}

    handler.__doc__ = f"Reads back what {name} stored."
    return handler


def _ok(people: People, p: Params) -> bool:
    """Methods with nothing to simulate."""
    return True


def get_chat_menu_button(people: People, p: Params) -> JSON:
    """getChatMenuButton."""
    stored = people.world.settings.get("setChatMenuButton", {})
    button = stored.get("menu_button")
    return button if isinstance(button, dict) else {"type": "commands"}


CHAT_METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "leaveChat": leave_chat,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyDescription": _recorder("setMyDescription"),
    "getMyDescription": _reader("setMyDescription", "description"),
    "setMyShortDescription": _recorder("setMyShortDescription"),
    "getMyShortDescription": _reader("setMyShortDescription", "short_description"),
    "setMyName": _recorder("setMyName"),
    "getMyName": _reader("setMyName", "name"),
    "setChatMenuButton": _recorder("setChatMenuButton"),
    "getChatMenuButton": get_chat_menu_button,
    "setMyDefaultAdministratorRights": _recorder("setMyDefaultAdministratorRights"),
    "logOut": _ok,
    "close": _ok,
}
