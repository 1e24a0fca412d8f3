"""The one SQLite database: connection, write transactions, migrations, online backup.

Concurrency model: a connection is one transaction scope shared by every coroutine that uses
it, so a `commit()` from one handler would commit another's half-done work. Hence two:
- the writer: every write goes through `transaction()` (an asyncio lock around
  `BEGIN IMMEDIATE ... COMMIT`, rolled back on any exception) or `write()`;
- the reader (query only): `fetchall`/`fetchone`/`fetchval` and `backup`. In WAL mode it
  sees only committed data and neither blocks nor waits for the writer.
So inside a transaction, read through the connection it yields: the `Database` does not see
the transaction's own rows yet. (An in-memory database has one connection for both.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite

from bot.migrations import MIGRATIONS

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Row = sqlite3.Row
D = TypeVar("D", bound="DataclassInstance")

# SQLite's primary result codes that mean "the storage said no", not "the statement is wrong".
_REFUSALS = frozenset(
    {
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOTADB,
    }
)
_WRITER_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000", "synchronous=NORMAL")
# The reader refuses writes (so every write stays serialised) and reports the same settings.
_READER_PRAGMAS = ("query_only=ON", "foreign_keys=ON", "busy_timeout=5000")


def from_row(cls: type[D], row: Row, **converted: Any) -> D:
    """The dataclass `cls` from the row's columns of the same names; `converted` gives the
    fields that are not stored as they are (enums, flags, derived values)."""
    stored = {f.name: row[f.name] for f in dataclasses.fields(cls) if f.name not in converted}
    return cls(**stored, **converted)


class StorageError(Exception):
    """The database file cannot be used; the message is one line naming the file and why."""


def refuses_writes(error: BaseException) -> bool:
    """True for SQLite refusing to store (full disk, read-only file, I/O error, a lock held
    too long), which may pass; False for anything else, such as a wrong statement."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _REFUSALS


class Database:
    """An open kim-bot database; create with `await Database.open(path)`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self._reader = connection  # its own connection once `open` has migrated
        self._write_lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating folders and file as needed), switch to WAL, check that the file can
        be written, and migrate; `StorageError` when the file cannot be used."""
        path = Path(path)
        try:
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
                # Opened once without aiosqlite first: when its connect fails, its worker
                # thread outlives the event loop and prints a traceback at exit.
                await asyncio.to_thread(lambda: sqlite3.connect(path).close())
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise StorageError(_unusable(path, error)) from None
        db = cls(connection, path)
        try:
            connection.row_factory = sqlite3.Row
            for pragma in _WRITER_PRAGMAS:
                await connection.execute(f"PRAGMA {pragma}")
            await db._probe_write()
            if migrate:
                await db.migrate()
            if str(path) != ":memory:":
                db._reader = await aiosqlite.connect(path, isolation_level=None)
                db._reader.row_factory = sqlite3.Row
                for pragma in _READER_PRAGMAS:
                    await db._reader.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as error:
            await db.close()
            raise StorageError(_unusable(path, error)) from None
        return db

    async def _probe_write(self) -> None:
        """A write rolled back at once: SQLite opens a read-only file without complaint and
        only refuses its first write, which must not be the record of a delivery."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                version = await self.schema_version()
                await self._conn.execute(f"PRAGMA user_version = {version}")
            finally:
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")

    @classmethod
    async def check(cls, path: Path | str) -> int | None:
        """The schema version of an existing database after the same checks as `open`, without
        creating or migrating anything; None when there is no file yet."""
        path = Path(path)
        if not path.exists() and not path.is_symlink():
            return None
        db = await cls.open(path, migrate=False)
        try:
            return await db.schema_version()
        finally:
            await db.close()

    async def close(self) -> None:
        """Wait for a running write to finish, then close."""
        async with self._write_lock:
            if self._reader is not self._conn:
                await self._reader.close()
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Serialised write transaction; everything inside commits together or not at all."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException:
                # A full disk or an I/O error may have rolled the transaction back already;
                # a ROLLBACK then would raise and hide the real error.
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise

    async def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement as its own transaction (autocommit), serialised with the others;
        returns the number of rows changed. One round trip instead of three, for hot paths
        such as recording a delivery."""
        async with self._write_lock:
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Committed rows only (see the module docstring); inside a transaction, read
        through its connection instead.

        The statement runs and is read to its end in one go on the reader's thread: a
        statement left open (a cursor read a row at a time) would hold the reader's snapshot,
        and a read that ran meanwhile would miss what was committed since it was taken."""
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Like `fetchall`, the first row or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

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
        """Consistent online copy through SQLite's backup API, safe while the bot runs: it
        reads through the reader, so a transaction open meanwhile is not in the copy."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        destination = await aiosqlite.connect(target)
        try:
            await self._reader.backup(destination)
        finally:
            await destination.close()
        return target


def _unusable(path: Path, error: BaseException) -> str:
    cause = getattr(error, "strerror", None) or str(error) or type(error).__name__
    if path.is_dir():
        cause = f"{cause} (sebuah folder, bukan berkas / a directory, not a file)"
    return f"Basis data {path} tidak bisa dipakai / database {path} cannot be used: {cause}"


def _split(script: str) -> Iterable[str]:
    """Migrations are plain `;`-separated DDL (no triggers), so a split is enough."""
    return (part.strip() for part in script.split(";") if part.strip())
