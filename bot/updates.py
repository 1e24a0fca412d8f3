"""Updates of different chats are handled side by side; those of one chat one after another.

python-telegram-bot handles one update at a time by default, so every reply the bot awaits
(about a tenth of a second on a real network) holds up everybody else's updates: five
accounts flooding /cek kept a villager's /start waiting seven seconds, although the
per-person limit (bot/flood.py) answered each of them only twenty times. Here each chat has
its own queue: a flood fills the flooder's chat queue only.

Order: the updates of one chat (a private chat, a group) run in the order Telegram sent
them, so a conversation (ConversationHandler keys are per chat and user) never sees two of
its updates at once, which is what python-telegram-bot's warning about concurrent updates
is about. Updates without a chat (inline queries, polls) share one queue. Two chats may
finish in either order; the database serialises writes (bot/storage.py) as it already does
for the dispatcher and the scheduler running beside the handlers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

NO_CHAT = 0  # the queue of updates without a chat


def chat_key(update: object) -> int:
    """Which queue an update waits in: its chat's."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return NO_CHAT


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `chats` chats at once, each chat's updates in order.

    The base class's limit only bounds the updates waiting (`QUEUED`): the chat's turn must
    come before a slot is taken, or a flooded chat's queue would hold every slot.
    """

    QUEUED = 4096

    def __init__(self, chats: int) -> None:
        super().__init__(self.QUEUED)
        self._slots = asyncio.Semaphore(chats)
        self._turns: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def wait_idle(self) -> None:
        """Until no update is being handled or waiting for its chat's turn. Once a later
        update was handled, every update fetched before it is done after this returns: the
        way to know that updates which change nothing visible have been handled."""
        await self._idle.wait()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        turn = self._turns.setdefault(key, asyncio.Lock())  # waiters are served in order
        self._waiting[key] = self._waiting.get(key, 0) + 1
        self._idle.clear()
        try:
            async with turn, self._slots:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else in this chat's queue: forget it
                del self._waiting[key]
                del self._turns[key]
                if not self._waiting:
                    self._idle.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
