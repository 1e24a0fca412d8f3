"""What people do in the fake Telegram: create accounts and chats, write, join, block.

Each action produces the updates Telegram would send the bot, in the same shape.
"""

from __future__ import annotations

import re
from typing import Any

from botapi_sandbox.html_entities import Entity, utf16_len
from botapi_sandbox.models import JSON, FakeChat, FakeUser, SentMessage
from botapi_sandbox.state import World

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")
_URL_RE = re.compile(r"https?://[^\s<>]+")

MessageRef = SentMessage | JSON | int


def text_entities(text: str) -> list[Entity]:
    """bot_command / mention / url entities the Telegram client would attach."""
    found: list[Entity] = []
    for regex, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention"), (_URL_RE, "url")):
        for match in regex.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    return sorted(found, key=lambda e: e["offset"])


def message_id_of(ref: MessageRef) -> int:
    """Accept a SentMessage, a message dict, an update dict or a bare id."""
    if isinstance(ref, SentMessage):
        return ref.message_id
    if isinstance(ref, int):
        return ref
    if "message_id" in ref:
        return int(ref["message_id"])
    for key in ("message", "edited_message", "channel_post"):
        if key in ref:
            return int(ref[key]["message_id"])
    raise ValueError(f"not a message: {ref!r}")


class People:
    """Test-side actors; the bot only ever sees the updates produced here."""

    def __init__(self, world: World, privacy_mode: bool = True) -> None:
        self.world = world
        self.privacy_mode = privacy_mode

    # ----------------------------------------------------------------- accounts and chats

    def new_user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "id",
    ) -> FakeUser:
        """A person with a private chat with the bot that they have not started yet."""
        user = FakeUser(
            id=700_000_000 + self.world.next_id(),
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self.world.users[user.id] = user
        self.world.add_chat(FakeChat(id=user.id, type="private", user=user))
        return user

    def new_group(
        self,
        title: str,
        *,
        admins: list[FakeUser] | None = None,
        members: list[FakeUser] | None = None,
        creator: FakeUser | None = None,
        supergroup: bool = False,
        username: str | None = None,
    ) -> FakeChat:
        """A group (bot not in it yet); the creator defaults to the first admin."""
        n = self.world.next_id()
        chat_id = -(1_000_000_000_000 + n) if supergroup else -(4_000_000_000 + n)
        chat = FakeChat(
            id=chat_id, type="supergroup" if supergroup else "group", title=title, username=username
        )
        self._fill(chat, admins or [], members or [], creator)
        return self.world.add_chat(chat)

    def new_channel(
        self,
        title: str,
        *,
        admins: list[FakeUser] | None = None,
        subscribers: list[FakeUser] | None = None,
        creator: FakeUser | None = None,
        username: str | None = None,
    ) -> FakeChat:
        """A channel (bot not in it yet); bots can only join channels as administrators."""
        chat = FakeChat(
            id=-(1_000_000_000_000 + self.world.next_id()),
            type="channel",
            title=title,
            username=username,
        )
        self._fill(chat, admins or [], subscribers or [], creator)
        return self.world.add_chat(chat)

    def _fill(
        self,
        chat: FakeChat,
        admins: list[FakeUser],
        members: list[FakeUser],
        creator: FakeUser | None,
    ) -> None:
        owner = creator or (admins[0] if admins else None)
        for user in [*members, *admins]:
            self.world.users.setdefault(user.id, user)
            chat.members[user.id] = "administrator" if user in admins else "member"
        if owner is not None:
            self.world.users.setdefault(owner.id, owner)
            chat.members[owner.id] = "creator"

    # ----------------------------------------------------------------- messages from people

    def message(
        self,
        chat: FakeChat,
        sender: FakeUser,
        content: JSON,
        *,
        reply_to: MessageRef | None = None,
    ) -> JSON:
        """Record a person's message and deliver it to the bot if Telegram would."""
        world = self.world
        if chat.type == "private" and chat.bot_status != "member":
            self._start_private(chat, sender)
        msg: JSON = {
            "message_id": world.next_message_id(chat.id),
            "from": sender.to_api(),
            "chat": chat.to_api(),
            "date": world.now(),
            **content,
        }
        replied: SentMessage | JSON | None = None
        if reply_to is not None:
            replied = world.find_message(chat.id, message_id_of(reply_to))
            if replied is None:
                raise AssertionError(
                    f"cannot reply: message {message_id_of(reply_to)} not in chat {chat.id}"
                )
            msg["reply_to_message"] = (
                world.message_api(replied, with_reply=False)
                if isinstance(replied, SentMessage)
                else {k: v for k, v in replied.items() if k != "reply_to_message"}
            )
        world.user_messages[(chat.id, msg["message_id"])] = msg
        if self._bot_receives(chat, msg, replied):
            world.updates.push("message", msg)
        world.notify()
        return msg

    def edit(self, chat: FakeChat, message: JSON, new_text: str) -> JSON:
        """A person edits their text message (edited_message update)."""
        msg = {**message, "text": new_text, "edit_date": self.world.now()}
        entities = text_entities(new_text)
        msg.pop("entities", None)
        if entities:
            msg["entities"] = entities
        self.world.user_messages[(chat.id, msg["message_id"])] = msg
        if self._bot_receives(chat, msg, None):
            self.world.updates.push("edited_message", msg)
        return msg

    def _bot_receives(self, chat: FakeChat, msg: JSON, replied: SentMessage | JSON | None) -> bool:
        """Telegram's delivery rules, including group privacy mode."""
        if not chat.bot_present:
            return False
        if chat.type == "private" or not self.privacy_mode or chat.bot_status == "administrator":
            return True
        if any(
            key in msg
            for key in (
                "new_chat_members",
                "left_chat_member",
                "migrate_to_chat_id",
                "migrate_from_chat_id",
                "group_chat_created",
                "new_chat_title",
            )
        ):
            return True
        if isinstance(replied, SentMessage):
            return True
        text = msg.get("text") or ""
        for entity in msg.get("entities", []):
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                target = text[: entity["length"]].partition("@")[2]
                return not target or target.lower() == (self.world.bot.username or "").lower()
        return False

    def _start_private(self, chat: FakeChat, user: FakeUser) -> None:
        """Writing to the bot starts it; if it was blocked, this is the "Restart" button."""
        if chat.bot_status == "kicked":
            self.set_private_status(user, "member")
        chat.bot_status = "member"

    # ----------------------------------------------------------------- membership events

    def my_chat_member(self, chat: FakeChat, by: FakeUser, old: str, new: str) -> JSON:
        """Queue the bot's own membership change."""
        payload = {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": self.world.now(),
            "old_chat_member": member_api(self.world.bot, old),
            "new_chat_member": member_api(self.world.bot, new),
        }
        return self.world.updates.push("my_chat_member", payload)

    def chat_member(
        self, chat: FakeChat, by: FakeUser, user: FakeUser, old: str, new: str
    ) -> JSON | None:
        """Queue another member's change (Telegram sends these only to admin bots)."""
        if chat.bot_status != "administrator":
            return None
        payload = {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": self.world.now(),
            "old_chat_member": member_api(user, old),
            "new_chat_member": member_api(user, new),
        }
        return self.world.updates.push("chat_member", payload)

    def set_bot_status(self, chat: FakeChat, by: FakeUser, status: str) -> JSON:
        """Change the bot's status in a group/channel, with the updates that implies."""
        old = chat.bot_status or "left"
        chat.bot_status = status
        update = self.my_chat_member(chat, by, old, status)
        joined = old in ("left", "kicked") and status in ("member", "administrator")
        if chat.is_group and joined:
            self.message(
                chat,
                by,
                {
                    "new_chat_members": [self.world.bot.to_api()],
                    "new_chat_member": self.world.bot.to_api(),
                    "new_chat_participant": self.world.bot.to_api(),
                },
            )
        self.world.notify()
        return update

    def set_private_status(self, user: FakeUser, status: str) -> JSON:
        """Block ("kicked") or unblock ("member") the bot in a private chat."""
        chat = self.world.chats[user.id]
        old = chat.bot_status or "member"
        chat.bot_status = status
        update = self.my_chat_member(chat, user, old, status)
        self.world.notify()
        return update

    def set_member_status(
        self, chat: FakeChat, user: FakeUser, status: str, *, by: FakeUser | None = None
    ) -> None:
        """Join, leave, promote or ban a person, with service message and chat_member update."""
        old = chat.members.get(user.id, "left")
        chat.members[user.id] = status
        self.world.users.setdefault(user.id, user)
        actor = by or user
        self.chat_member(chat, actor, user, old, status)
        if (
            chat.is_group
            and old in ("left", "kicked")
            and status in ("member", "administrator", "restricted")
        ):
            self.message(
                chat,
                actor,
                {
                    "new_chat_members": [user.to_api()],
                    "new_chat_member": user.to_api(),
                    "new_chat_participant": user.to_api(),
                },
            )
        elif chat.is_group and status in ("left", "kicked") and old not in ("left", "kicked"):
            self.message(
                chat,
                actor,
                {"left_chat_member": user.to_api(), "left_chat_participant": user.to_api()},
            )

    def migrate(self, chat: FakeChat) -> FakeChat:
        """Upgrade a basic group: new supergroup id, service messages in both chats."""
        if chat.type != "group":
            raise ValueError("only basic groups can be migrated")
        new = FakeChat(
            id=-(1_000_000_000_000 + self.world.next_id()),
            type="supergroup",
            title=chat.title,
            members=dict(chat.members),
            bot_status=chat.bot_status,
            migrated_from=chat.id,
        )
        self.world.add_chat(new)
        owner_id = next((uid for uid, s in chat.members.items() if s == "creator"), None)
        owner = self.world.users[owner_id] if owner_id is not None else self.world.bot
        self.message(chat, owner, {"migrate_to_chat_id": new.id})
        chat.migrated_to = new.id
        self.message(new, owner, {"migrate_from_chat_id": chat.id})
        return new


_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_pin_messages": True,
}
_RESTRICTED_RIGHTS = {
    "is_member": True,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_send_messages": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_manage_topics": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "until_date": 0,
}


def member_api(user: FakeUser, status: str) -> JSON:
    """Bot API ``ChatMember`` for a status, with the fields PTB requires."""
    data: dict[str, Any] = {"status": status, "user": user.to_api()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(_ADMIN_RIGHTS)
    elif status == "restricted":
        data.update(_RESTRICTED_RIGHTS)
    elif status == "kicked":
        data["until_date"] = 0
    return data
