"""The bot's pending updates and getUpdates long polling, with Telegram's offset rules."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

# Telegram leaves these out unless a bot asks for them explicitly.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Pending updates until confirmed by an offset; everything ever queued stays in ``log``."""

    def __init__(self) -> None:
        self._next_id = 1
        self._pending: deque[tuple[str, dict[str, Any]]] = deque()
        self._arrived = asyncio.Event()
        self.allowed: frozenset[str] | None = None
        self.log: list[dict[str, Any]] = []

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue ``{"update_id": n, kind: payload}`` and wake a waiting long poll."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append((kind, update))
        self.log.append(update)
        self._arrived.set()
        return update

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Remember allowed_updates like Telegram does: until the next call that passes it."""
        if allowed is None:
            return
        self.allowed = frozenset(allowed) if allowed else None

    def _wanted(self, kind: str) -> bool:
        return kind in self.allowed if self.allowed is not None else kind not in OPT_IN_UPDATES

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last -offset."""
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and self._pending[0][1]["update_id"] < offset:
            self._pending.popleft()

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` unconfirmed updates; unwanted kinds are dropped for good."""
        out: list[dict[str, Any]] = []
        kept: deque[tuple[str, dict[str, Any]]] = deque()
        for kind, update in self._pending:
            if not self._wanted(kind):
                continue
            kept.append((kind, update))
            if len(out) < limit:
                out.append(update)
        self._pending = kept
        if not self._pending:
            self._arrived.clear()
        return out

    async def wait(self, within: float, stopping: asyncio.Event) -> None:
        """Block until something is queued, the server stops, or ``within`` seconds pass."""
        if self._pending or within <= 0:
            return
        self._arrived.clear()
        waiters = {
            asyncio.ensure_future(self._arrived.wait()),
            asyncio.ensure_future(stopping.wait()),
        }
        try:
            await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    @property
    def pending(self) -> int:
        """How many updates the bot has not confirmed yet."""
        return len(self._pending)
