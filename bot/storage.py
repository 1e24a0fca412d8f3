"""The one SQLite database: connection, write transactions, migrations, online backup.

Concurrency model: one aiosqlite connection is one transaction scope shared by every
coroutine, so a `commit()` from one handler would commit another's half-done work. Every write
therefore goes through `Database.transaction()`, which holds an asyncio lock and wraps the
work in `BEGIN IMMEDIATE ... COMMIT` (rolled back on any exception). Reads outside a
transaction see committed data (WAL mode) and never block writers.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.migrations import MIGRATIONS

Row = sqlite3.Row


class Database:
    """An open kim-bot database; create with `await Database.open(path)`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self._write_lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating folders and file as needed), switch to WAL, and migrate."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA journal_mode=WAL")
        await connection.execute("PRAGMA foreign_keys=ON")
        await connection.execute("PRAGMA busy_timeout=5000")
        await connection.execute("PRAGMA synchronous=NORMAL")
        db = cls(connection, path)
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        """Wait for a running write to finish, then close."""
        async with self._write_lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Serialised write transaction; everything inside commits together or not at all."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement as its own transaction (autocommit), serialised with the others;
        returns the number of rows changed. One round trip instead of three, for hot paths
        such as recording a delivery."""
        async with self._write_lock:
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchval(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version") or 0)

    async def migrate(self) -> int:
        """Apply the migrations newer than the stored version; idempotent. Returns the version.

        Each migration runs in its own transaction together with the version bump, so a crash
        leaves the database at the previous version, never half-migrated.
        """
        current = await self.schema_version()
        for version, statements in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            async with self.transaction() as conn:
                for statement in _split(statements):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {version}")
        return await self.schema_version()

    async def backup(self, target: Path | str) -> Path:
        """Consistent online copy through SQLite's backup API, safe while the bot runs."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        destination = await aiosqlite.connect(target)
        try:
            await self._conn.backup(destination)
        finally:
            await destination.close()
        return target


def _split(script: str) -> Iterable[str]:
    """Migrations are plain `;`-separated DDL (no triggers), so a split is enough."""
    return (part.strip() for part in script.split(";") if part.strip())
