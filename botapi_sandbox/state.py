"""The server's world: chats, people, messages and files, plus Telegram's access rules."""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from botapi_sandbox.commands import CommandRegistry
from botapi_sandbox.errors import bad_request, chat_not_found, forbidden, migrated
from botapi_sandbox.models import (
    JSON,
    ApiRequest,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    SentMessage,
    Stats,
    StoredFile,
)
from botapi_sandbox.updates import UpdateQueue

_FILE_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "video": ("videos", ".mp4"),
    "audio": ("music", ".mp3"),
    "voice": ("voice", ".oga"),
    "animation": ("animations", ".mp4"),
    "sticker": ("stickers", ".webp"),
    "video_note": ("video_notes", ".mp4"),
}


def _bot_id_from(token: str) -> int:
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 123456


class World:
    """All mutable state; method handlers and test helpers both go through it."""

    def __init__(self, token: str, bot_username: str, bot_name: str) -> None:
        self.token = token
        self.bot = FakeUser(_bot_id_from(token), bot_name, username=bot_username, is_bot=True)
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.public_names: dict[str, int] = {}
        self.updates = UpdateQueue()
        self.commands = CommandRegistry()
        self.stats = Stats()
        self.settings: dict[str, Any] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.sent: dict[int, list[SentMessage]] = {}
        self.sent_index: dict[tuple[int, int], SentMessage] = {}
        self.user_messages: dict[tuple[int, int], JSON] = {}
        self.deleted_user_messages: set[tuple[int, int]] = set()
        self.callbacks: dict[str, CallbackAnswer | None] = {}
        self.requests: list[ApiRequest] = []
        self.clock: Callable[[], float] = time.time
        self.clock_offset = 0.0
        self._message_ids: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    # ----------------------------------------------------------------- time, ids, change signal

    def now(self) -> int:
        """Unix time as the server sees it (tests may move it forward)."""
        return int(self.clock() + self.clock_offset)

    def next_id(self) -> int:
        """A process-unique small integer for users, chats, files and queries."""
        return next(self._ids)

    def next_message_id(self, chat_id: int) -> int:
        """Per-chat message ids, shared by users and the bot like in Telegram."""
        value = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = value
        return value

    def notify(self) -> None:
        """Wake everyone waiting in :meth:`wait_until`."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], within: float) -> bool:
        """Re-check ``predicate`` on every change until true or ``within`` seconds pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True

    # ----------------------------------------------------------------- chats and access rules

    def add_chat(self, chat: FakeChat) -> FakeChat:
        """Register a chat (and its public @username)."""
        self.chats[chat.id] = chat
        if chat.username and chat.type != "private":
            self.public_names[chat.username.lower()] = chat.id
        return chat

    def resolve(self, chat_id: Any) -> FakeChat:
        """The chat named by a numeric id or a public ``@username``."""
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                found = self.public_names.get(chat_id[1:].lower())
                if found is None:
                    raise chat_not_found()
                chat_id = found
            else:
                try:
                    chat_id = int(chat_id)
                except ValueError:
                    raise chat_not_found() from None
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise bad_request("chat_id is empty" if chat_id is None else "invalid chat_id")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise chat_not_found()
        return chat

    def accessible(self, chat_id: Any, *, write: bool = True) -> FakeChat:
        """The chat if the bot may act in it, else the exact error Telegram gives."""
        chat = self.resolve(chat_id)
        if chat.migrated_to is not None:
            raise migrated(chat.migrated_to)
        status = chat.bot_status
        if chat.type == "private":
            if status is None:
                if write:
                    raise forbidden("bot can't initiate conversation with a user")
                raise chat_not_found()
            if status == "kicked" and write:
                raise forbidden("bot was blocked by the user")
            return chat
        if status is None:
            raise chat_not_found()
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        if write and chat.type == "channel" and status != "administrator":
            raise bad_request("need administrator rights in the channel chat")
        return chat

    def member_status(self, chat: FakeChat, user_id: int) -> str:
        """A user's (or the bot's) status in a chat; strangers are "left"."""
        if user_id == self.bot.id:
            return chat.bot_status or "left"
        if chat.type == "private":
            return "member" if chat.id == user_id else "left"
        return chat.members.get(user_id, "left")

    def is_admin(self, chat: FakeChat, user_id: int) -> bool:
        """Creator or administrator."""
        return self.member_status(chat, user_id) in ("creator", "administrator")

    # ----------------------------------------------------------------- messages

    def record_sent(self, message: SentMessage) -> SentMessage:
        """Store a delivered bot message and wake observers."""
        self.sent.setdefault(message.chat_id, []).append(message)
        self.sent_index[(message.chat_id, message.message_id)] = message
        self.notify()
        return message

    def find_message(self, chat_id: int, message_id: int) -> SentMessage | JSON | None:
        """A live (not deleted) bot or user message."""
        sent = self.sent_index.get((chat_id, message_id))
        if sent is not None:
            return None if sent.deleted else sent
        if (chat_id, message_id) in self.deleted_user_messages:
            return None
        return self.user_messages.get((chat_id, message_id))

    def message_api(self, message: SentMessage, *, with_reply: bool = True) -> JSON:
        """Bot API ``Message`` for a bot message, including the message it replies to."""
        chat = self.chats[message.chat_id].to_api()
        reply: JSON | None = None
        if with_reply and message.reply_to_message_id is not None:
            target = self.find_message(message.chat_id, message.reply_to_message_id)
            if isinstance(target, SentMessage):
                reply = self.message_api(target, with_reply=False)
            elif target is not None:
                reply = {k: v for k, v in target.items() if k != "reply_to_message"}
        return message.to_api(chat, self.bot.to_api(), reply)

    # ----------------------------------------------------------------- files

    def store_file(
        self,
        data: bytes,
        kind: str,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        """Register bytes under a fresh file_id and a downloadable file_path."""
        n = self.next_id()
        folder, default_ext = _FILE_FOLDERS.get(kind, ("documents", ""))
        ext = default_ext
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        if mime_type is None and filename:
            mime_type = mimetypes.guess_type(filename)[0]
        stored = StoredFile(
            file_id=f"{kind.upper()}-{n:06d}-{self.bot.id}",
            file_unique_id=f"U{n:06d}",
            data=data,
            file_path=f"{folder}/file_{n}{ext}",
            filename=filename,
            mime_type=mime_type,
            url=url,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file(self, file_id: str) -> StoredFile:
        """A known file or Telegram's error for an unknown identifier."""
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored
