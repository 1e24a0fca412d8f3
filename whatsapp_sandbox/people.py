"""A WhatsApp user the test acts as: writes, taps buttons, picks rows, reads what arrives.

Each user has a cursor over the messages that reached their phone, so ``expect`` returns
each message once, in the order the business sent them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whatsapp_sandbox.models import JSON, ListMessage, Received, Row, TemplateMessage

if TYPE_CHECKING:
    from whatsapp_sandbox.server import WhatsAppSandbox


class WhatsAppUser:
    """A person with WhatsApp on ``phone``; every action goes through the sandbox's webhook."""

    def __init__(self, sandbox: WhatsAppSandbox, name: str, wa_id: str) -> None:
        self.sandbox = sandbox
        self.name = name
        self.wa_id = wa_id
        self.last_inbound: float | None = None  # sandbox seconds of their last message
        self.marketing_stopped = False
        self._cursor = 0

    def __repr__(self) -> str:
        return f"<WhatsAppUser {self.name} ({self.wa_id})>"

    @property
    def messages(self) -> list[Received]:
        """Everything the business sent that reached this phone, in order."""
        return self.sandbox.inbox(self)

    @property
    def in_window(self) -> bool:
        """Whether the business may send them free-form messages now (24 h since they wrote)."""
        return self.sandbox.window_open(self)

    # ----------------------------------------------------------------- acting

    async def send(self, text: str) -> str:
        """Write a text message to the business; returns its message id."""
        return self.sandbox.inbound(self, "text", {"text": {"body": text}})

    async def forward(self, text: str, *, frequently: bool = False) -> str:
        """Forward a text someone else wrote (WhatsApp marks it forwarded)."""
        context: JSON = {"forwarded": True}
        if frequently:
            context["frequently_forwarded"] = True
        return self.sandbox.inbound(self, "text", {"text": {"body": text}}, context=context)

    async def reply_button(self, message: Received, title: str) -> str:
        """Tap the reply button (or the template's quick reply) titled ``title``."""
        found = [b for b in message.buttons if b.title == title]
        if len(found) != 1:
            raise AssertionError(
                f"no button {title!r} on {message.describe()}; "
                f"buttons: {[b.title for b in message.buttons]}"
            )
        button = found[0]
        context = {"from": self.sandbox.display_phone_number, "id": message.id}
        if isinstance(message, TemplateMessage):  # a quick reply comes back as a "button"
            content: JSON = {"button": {"payload": button.id, "text": button.title}}
            return self.sandbox.inbound(self, "button", content, context=context)
        reply = {"type": "button_reply", "button_reply": {"id": button.id, "title": title}}
        return self.sandbox.inbound(self, "interactive", {"interactive": reply}, context=context)

    async def pick_row(self, message: Received, title: str) -> str:
        """Open a list message's menu and pick the row titled ``title``."""
        if not isinstance(message, ListMessage):
            raise AssertionError(f"{message.describe()} is not a list message")
        found: list[Row] = [row for row in message.rows if row.title == title]
        if len(found) != 1:
            raise AssertionError(
                f"no row {title!r} in {message.describe()}; "
                f"rows: {[row.title for row in message.rows]}"
            )
        row = found[0]
        picked: JSON = {"id": row.id, "title": row.title}
        if row.description:
            picked["description"] = row.description
        reply = {"type": "list_reply", "list_reply": picked}
        context = {"from": self.sandbox.display_phone_number, "id": message.id}
        return self.sandbox.inbound(self, "interactive", {"interactive": reply}, context=context)

    async def react(self, message: Received, emoji: str) -> str:
        """React to ``message`` with ``emoji`` ("" takes the reaction back)."""
        reaction = {"message_id": message.id, "emoji": emoji}
        return self.sandbox.inbound(self, "reaction", {"reaction": reaction})

    def read(self, message: Received) -> None:
        """Open the chat: the business gets a ``read`` status for ``message``."""
        self.sandbox.set_status(message, "read")

    def stop_marketing(self) -> None:
        """Choose to stop the business's marketing messages: templates now fail with 131050."""
        self.marketing_stopped = True

    # ----------------------------------------------------------------- observing

    async def expect(
        self,
        *,
        contains: str | None = None,
        kind: type[Received] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the natural name in test code
    ) -> Received:
        """The next message this person has not seen, checked against ``contains``/``kind``."""
        box = self.sandbox.inbox(self)
        if not await self.sandbox.wait_until(lambda: len(box) > self._cursor, timeout):
            raise AssertionError(f"{self!r}: nothing new within {timeout}s.\n{self._history()}")
        message = box[self._cursor]
        self._cursor += 1
        if contains is not None and contains not in message.text:
            raise AssertionError(
                f"{self!r}: next message does not contain {contains!r}:\n"
                f"  {message.describe()}\n{self._history()}"
            )
        if kind is not None and not isinstance(message, kind):
            raise AssertionError(f"{self!r}: expected a {kind.__name__}, got {message.describe()}")
        return message

    async def expect_nothing(self, within: float = 0.3) -> None:
        """Assert nothing new reaches this person for ``within`` seconds."""
        box = self.sandbox.inbox(self)
        if await self.sandbox.wait_until(lambda: len(box) > self._cursor, within):
            raise AssertionError(f"{self!r}: expected silence, got {box[self._cursor].describe()}")

    def _history(self) -> str:
        box = self.sandbox.inbox(self)
        lines = [
            ("  (seen) " if i < self._cursor else "  (new)  ") + m.describe()
            for i, m in enumerate(box)
        ]
        failed = [c for c in self.sandbox.calls if c.code is not None][-5:]
        text = "\n".join(lines) if lines else "  (nothing reached this phone)"
        if failed:
            text += "\nrecent failed calls:\n" + "\n".join(
                f"  {c.method} {c.path} -> {c.status} #{c.code}" for c in failed
            )
        return text
