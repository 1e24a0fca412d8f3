"""A database whose disk fills up: every write through `Database.write` or
`Database.transaction` raises what SQLite raises on a full disk, while reads keep working (as
they do on a real full disk). Switched on and off by the test, on the bot's own Database."""

from __future__ import annotations

import asyncio
import sqlite3
from types import TracebackType
from typing import Any

import pytest

from bot.storage import Database


def disk_full() -> sqlite3.OperationalError:
    """The error sqlite3 raises for SQLITE_FULL, result code included."""
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL
    error.sqlite_errorname = "SQLITE_FULL"
    return error


class _RefusedTransaction:
    def __init__(self, disk: FullDisk) -> None:
        self._disk = disk

    async def __aenter__(self) -> Any:
        self._disk.refusal()
        raise disk_full()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class FullDisk:
    """`fill()` makes every write of `db` fail; `free()` gives the disk its space back."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._patch = pytest.MonkeyPatch()
        self._changed = asyncio.Event()
        self.refused = 0  # writes refused so far

    def fill(self) -> None:
        self._patch.setattr(self._db, "write", self._write)
        self._patch.setattr(self._db, "transaction", lambda: _RefusedTransaction(self))

    def free(self) -> None:
        self._patch.undo()

    def refusal(self) -> None:
        self.refused += 1
        self._changed.set()

    async def until_refused(self, count: int, within: float = 30.0) -> None:
        """Wait until `count` writes in all have been refused."""
        async with asyncio.timeout(within):
            while self.refused < count:
                self._changed.clear()
                await self._changed.wait()

    async def _write(self, sql: str, params: Any = ()) -> int:
        self.refusal()
        raise disk_full()
