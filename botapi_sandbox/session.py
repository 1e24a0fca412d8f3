"""One person's view of one chat: what they send and press, what they see arrive.

Each session has its own cursor over the bot's messages in the chat, starting at the
chat's first message, so two people in the same group each see every message once.
"""

from __future__ import annotations

from botapi_sandbox.models import JSON, CallbackAnswer, FakeChat, FakeUser, SentMessage
from botapi_sandbox.people import MessageRef, People, message_id_of, text_entities

DEFAULT_PHOTO = b"\x89PNG\r\n\x1a\n fake photo"


class ChatSession:
    """Acts as ``user`` inside ``chat``; every action is async so it reads like the bot's side."""

    def __init__(self, people: People, chat: FakeChat, user: FakeUser) -> None:
        self.people = people
        self.world = people.world
        self.chat = chat
        self.user = user
        self._cursor = 0
        self._seen_edits: dict[int, int] = {}

    def __repr__(self) -> str:
        where = self.chat.title or "private chat"
        return f"<ChatSession {self.user.first_name} in {where} ({self.chat.id})>"

    @property
    def chat_id(self) -> int:
        """The chat's id (the user's id for a private chat)."""
        return self.chat.id

    @property
    def messages(self) -> list[SentMessage]:
        """Every bot message in this chat so far, current state."""
        return list(self.world.sent.get(self.chat.id, []))

    # ----------------------------------------------------------------- sending

    def _post(self, content: JSON, reply_to: MessageRef | None) -> JSON:
        if self.chat.migrated_to is not None:
            raise AssertionError(
                f"{self.chat.title!r} became supergroup {self.chat.migrated_to}; use that chat"
            )
        return self.people.message(self.chat, self.user, content, reply_to=reply_to)

    async def send(
        self, text: str, *, reply_to: MessageRef | None = None, formatting: list[JSON] | None = None
    ) -> JSON:
        """Type and send a text message; commands, mentions and links get entities, and
        `formatting` adds the bold/italic/... entities a person would apply in the app."""
        content: JSON = {"text": text}
        entities = text_entities(text) + list(formatting or [])
        if entities:
            content["entities"] = entities
        return self._post(content, reply_to)

    def _caption(self, content: JSON, caption: str | None) -> JSON:
        if caption:
            content["caption"] = caption
            entities = text_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return content

    async def send_photo(
        self,
        data: bytes = DEFAULT_PHOTO,
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        reply_to: MessageRef | None = None,
    ) -> JSON:
        """Send a photo the bot can fetch with getFile and download."""
        stored = self.world.store_file(data, "photo", mime_type="image/jpeg")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(data),
        }
        thumb = self.world.store_file(data, "photo", mime_type="image/jpeg")
        photo = [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "file_size": len(data),
                "width": max(1, width // 4),
                "height": max(1, height // 4),
            },
            {**size, "width": width, "height": height},
        ]
        return self._post(self._caption({"photo": photo}, caption), reply_to)

    async def send_document(
        self,
        data: bytes,
        *,
        filename: str = "dokumen.pdf",
        mime_type: str | None = None,
        caption: str | None = None,
        reply_to: MessageRef | None = None,
    ) -> JSON:
        """Send a file as a document."""
        stored = self.world.store_file(data, "document", filename=filename, mime_type=mime_type)
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "file_size": len(data),
        }
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return self._post(self._caption({"document": document}, caption), reply_to)

    async def send_location(
        self, latitude: float, longitude: float, *, reply_to: MessageRef | None = None
    ) -> JSON:
        """Share a location pin."""
        return self._post({"location": {"latitude": latitude, "longitude": longitude}}, reply_to)

    async def send_contact(self, phone_number: str, *, reply_to: MessageRef | None = None) -> JSON:
        """Share one's own contact (what a request_contact keyboard button sends)."""
        contact = {
            "phone_number": phone_number,
            "first_name": self.user.first_name,
            "user_id": self.user.id,
        }
        return self._post({"contact": contact}, reply_to)

    async def share_users(self, users: list[FakeUser], *, request_id: int = 1) -> JSON:
        """Pick people with a request_users keyboard button (Telegram's user picker)."""
        shared = [
            {
                "user_id": user.id,
                "first_name": user.first_name,
                **({"last_name": user.last_name} if user.last_name else {}),
                **({"username": user.username} if user.username else {}),
            }
            for user in users
        ]
        return self._post({"users_shared": {"request_id": request_id, "users": shared}}, None)

    async def forward(
        self,
        text: str,
        *,
        from_user: FakeUser | None = None,
        from_chat: FakeChat | None = None,
        from_name: str | None = None,
    ) -> JSON:
        """Forward a text written by someone else, from a channel, or by a hidden sender."""
        date = self.world.now() - 60
        origin: JSON
        if from_chat is not None:
            origin = {"type": "channel", "chat": from_chat.to_api(), "message_id": 1, "date": date}
        elif from_user is not None:
            origin = {"type": "user", "sender_user": from_user.to_api(), "date": date}
        else:
            origin = {
                "type": "hidden_user",
                "sender_user_name": from_name or "Tersembunyi",
                "date": date,
            }
        content: JSON = {"text": text, "forward_origin": origin}
        entities = text_entities(text)
        if entities:
            content["entities"] = entities
        return self._post(content, None)

    async def edit(self, message: JSON, new_text: str) -> JSON:
        """Edit one's own text message."""
        return self.people.edit(self.chat, message, new_text)

    # ----------------------------------------------------------------- buttons

    def _live(self, message: MessageRef) -> SentMessage:
        message_id = message_id_of(message)
        live = self.world.sent_index.get((self.chat.id, message_id))
        if live is None:
            raise AssertionError(f"message {message_id} is not a bot message in {self!r}")
        if live.deleted:
            raise AssertionError(f"cannot press on deleted message {live.describe()}")
        return live

    async def press(
        self,
        message: MessageRef,
        text: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the natural name in test code
    ) -> CallbackAnswer:
        """Tap the button labelled ``text`` (or uniquely containing it) in the current keyboard."""
        live = self._live(message)
        buttons = [b for row in live.buttons for b in row]
        matches = [b for b in buttons if b.text == text] or [b for b in buttons if text in b.text]
        if len(matches) != 1:
            problem = "no button" if not matches else "several buttons"
            raise AssertionError(
                f"{problem} matching {text!r} in {live.describe()}; buttons: {live.button_texts()}"
            )
        button = matches[0]
        if button.callback_data is None:
            raise AssertionError(
                f"button {button.text!r} has no callback_data (url={button.url!r})"
            )
        return await self._callback(live, button.callback_data, timeout, label=button.text)

    async def press_data(
        self,
        message: MessageRef,
        data: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Send a callback query with arbitrary data, as a stale or forged button would."""
        return await self._callback(self._live(message), data, timeout, label=f"data={data!r}")

    async def press_old(
        self,
        message: MessageRef,
        data: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """A press on a message Telegram no longer shows the bot in full: the update carries
        only its chat, its id and date 0 (an InaccessibleMessage), not its keyboard."""
        return await self._callback(
            self._live(message), data, timeout, label=f"old data={data!r}", inaccessible=True
        )

    async def _callback(
        self,
        live: SentMessage,
        data: str,
        within: float,
        *,
        label: str,
        inaccessible: bool = False,
    ) -> CallbackAnswer:
        world = self.world
        query_id = str(4_000_000_000_000_000 + world.next_id())
        world.callbacks[query_id] = None
        shown = (
            {"chat": self.chat.to_api(), "message_id": live.message_id, "date": 0}
            if inaccessible
            else world.message_api(live)
        )
        world.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.user.to_api(),
                "message": shown,
                "chat_instance": str(abs(self.chat.id) * 7 + 3),
                "data": data,
            },
        )
        if not await world.wait_until(lambda: world.callbacks[query_id] is not None, within):
            raise AssertionError(
                f"bot did not answerCallbackQuery for {label} on {live.describe()} within {within}s"
                f"{self._failures()}"
            )
        answer = world.callbacks[query_id]
        assert answer is not None
        return answer

    # ----------------------------------------------------------------- observing

    def _failures(self) -> str:
        failed = [
            r
            for r in self.world.requests
            if not r.ok and r.params.get("chat_id") in (self.chat.id, str(self.chat.id), None)
        ][-5:]
        if not failed:
            return ""
        return "\nrecent failed API calls:\n" + "\n".join(
            f"  {r.method} -> {r.status} {r.description}" for r in failed
        )

    def _history(self) -> str:
        sent = self.world.sent.get(self.chat.id, [])
        if not sent:
            return f"no bot messages in this chat at all{self._failures()}"
        lines = [
            ("  (seen) " if i < self._cursor else "  (new)  ") + m.describe()
            for i, m in enumerate(sent)
        ]
        return "bot messages in this chat:\n" + "\n".join(lines) + self._failures()

    async def expect(
        self,
        *,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The next bot message this person has not seen; it must contain ``contains`` if given."""
        sent = self.world.sent.setdefault(self.chat.id, [])
        if not await self.world.wait_until(lambda: len(sent) > self._cursor, timeout):
            raise AssertionError(
                f"{self!r}: no new bot message within {timeout}s.\n{self._history()}"
            )
        msg = sent[self._cursor]
        self._cursor += 1
        self._seen_edits[msg.message_id] = msg.edits
        if contains is not None and contains not in msg.text:
            raise AssertionError(
                f"{self!r}: next bot message does not contain {contains!r}:\n"
                f"  {msg.describe()}\n{self._history()}"
            )
        return msg

    async def expect_nothing(self, within: float = 0.3) -> None:
        """Assert the bot stays silent here for ``within`` seconds."""
        sent = self.world.sent.setdefault(self.chat.id, [])
        if await self.world.wait_until(lambda: len(sent) > self._cursor, within):
            raise AssertionError(
                f"{self!r}: expected silence but got {sent[self._cursor].describe()}"
            )

    async def expect_edit(
        self,
        message: MessageRef,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """Wait until the bot edits ``message`` (again) and return its new state."""
        live = self._live(message)
        baseline = self._seen_edits.get(live.message_id, live.edits)
        if not await self.world.wait_until(lambda: live.edits > baseline or live.deleted, timeout):
            raise AssertionError(
                f"{self!r}: {live.describe()} was not edited within {timeout}s{self._failures()}"
            )
        if live.deleted:
            raise AssertionError(
                f"{self!r}: expected an edit but the bot deleted {live.describe()}"
            )
        self._seen_edits[live.message_id] = live.edits
        return live

    async def expect_deleted(
        self,
        message: MessageRef,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until the bot deletes ``message``."""
        message_id = message_id_of(message)
        live = self.world.sent_index.get((self.chat.id, message_id))
        deleted = self.world.deleted_user_messages
        key = (self.chat.id, message_id)

        def gone() -> bool:
            return live.deleted if live is not None else key in deleted

        if not await self.world.wait_until(gone, timeout):
            raise AssertionError(
                f"{self!r}: message {message_id} was not deleted within {timeout}s"
                f"{self._failures()}"
            )
