"""What delivery learns about chats, written back to the network's records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot import chats, people
from bot.clock import Clock
from bot.storage import Database


class ChatDirectory(Protocol):
    """What the dispatcher tells the rest of kim-bot about chats it learnt something about."""

    async def unreachable(self, chat_id: int, kind: str, reason: str) -> None: ...

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None: ...


@dataclass
class NetworkDirectory:
    """`ChatDirectory` for the dispatcher: unreachable people and chats stop being counted
    as recipients; a migrated group keeps its registration under the new id."""

    db: Database
    clock: Clock

    async def unreachable(self, chat_id: int, kind: str, reason: str) -> None:
        if kind == "private":
            await people.set_reachable(self.db, chat_id, False, self.clock.now())
        else:
            await chats.mark_unreachable(self.db, chat_id, reason, self.clock.now())

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await chats.migrate(self.db, old_chat_id, new_chat_id, self.clock.now())
