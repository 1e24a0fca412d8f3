"""The database: migrations, transactions, backup."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.migrations import MIGRATIONS
from bot.storage import Database, refuses_writes


async def test_migrates_an_empty_database_and_again_idempotently(tmp_path: Path) -> None:
    """A new file ends at the latest version; migrating again changes nothing."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    try:
        assert await db.schema_version() == len(MIGRATIONS)
        assert await db.migrate() == len(MIGRATIONS)
        tables = {
            row["name"]
            for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {"kecamatan", "desa", "people", "staff", "audit_log", "meta"} <= tables
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
    finally:
        await db.close()
    reopened = await Database.open(tmp_path / "kim.sqlite3")
    assert await reopened.schema_version() == len(MIGRATIONS)
    await reopened.close()


async def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    """An exception inside a transaction rolls all of it back."""
    db = await Database.open(tmp_path / "kim.sqlite3")

    async def half_done() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await half_done()
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 0
    await db.close()


async def test_concurrent_writers_do_not_interleave(tmp_path: Path) -> None:
    """Two coroutines' read-modify-write transactions are serialised."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta(key, value) VALUES ('n', '0')")

    async def bump() -> None:
        for _ in range(20):
            async with db.transaction() as conn:
                async with conn.execute("SELECT value FROM meta WHERE key = 'n'") as cursor:
                    row = await cursor.fetchone()
                assert row is not None
                await asyncio.sleep(0)
                await conn.execute(
                    "UPDATE meta SET value = ? WHERE key = 'n'", (str(int(row[0]) + 1),)
                )

    await asyncio.gather(bump(), bump(), bump())
    assert await db.fetchval("SELECT value FROM meta WHERE key = 'n'") == "60"
    await db.close()


async def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    """The backup opens as a normal SQLite file with the same rows."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?)", [(f"k{i}", str(i)) for i in range(100)]
        )
    target = await db.backup(tmp_path / "backups" / "copy.sqlite3")
    await db.close()
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 100
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_single_statement_writes_commit_and_count(tmp_path: Path) -> None:
    """write() commits one statement on its own and reports the rows it changed."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    assert await db.write("INSERT INTO meta(key, value) VALUES ('a', '1')") == 1
    assert await db.write("UPDATE meta SET value = '2' WHERE key = 'zzz'") == 0
    await db.close()
    reopened = await Database.open(tmp_path / "kim.sqlite3")
    assert await reopened.fetchval("SELECT value FROM meta WHERE key = 'a'") == "1"
    await reopened.close()


async def test_refusals_are_told_apart_from_wrong_statements(tmp_path: Path) -> None:
    """A write SQLite refuses (here a read-only connection) is a refusal the caller may retry;
    a wrong statement is not; a refused transaction leaves the connection usable."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    await db.write("PRAGMA query_only = 1")
    with pytest.raises(sqlite3.OperationalError) as refused:
        await db.write("INSERT INTO kecamatan(code, name) VALUES ('35.14.14', 'Bangil')")
    assert refuses_writes(refused.value)
    with pytest.raises(sqlite3.OperationalError) as refused:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO kecamatan(code, name) VALUES ('35.14.14', 'Bangil')")
    assert refuses_writes(refused.value)
    with pytest.raises(sqlite3.OperationalError) as wrong:
        await db.write("INSERT INTO no_such_table VALUES (1)")
    assert not refuses_writes(wrong.value)
    assert not refuses_writes(ValueError("not sqlite"))
    await db.write("PRAGMA query_only = 0")
    assert await db.write("INSERT INTO kecamatan(code, name) VALUES ('35.14.14', 'Bangil')") == 1
    await db.close()


async def test_reads_elsewhere_see_only_committed_rows(tmp_path: Path) -> None:
    """While a transaction is open, a read in another coroutine neither waits for it nor
    sees its rows; once it commits, they are there."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    count = "SELECT COUNT(*) FROM meta"
    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
            assert await asyncio.create_task(db.fetchval(count)) == 0
            assert await asyncio.create_task(db.fetchall("SELECT key FROM meta")) == []
            async with conn.execute(count) as cursor:
                assert tuple(await cursor.fetchone() or ()) == (1,)
        assert await db.fetchval(count) == 1
    finally:
        await db.close()


async def test_backup_during_a_transaction_holds_only_committed_rows(tmp_path: Path) -> None:
    """A backup taken while a transaction is open copies the database without its rows."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    target = tmp_path / "copy.sqlite3"
    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
            await asyncio.create_task(db.backup(target))
    finally:
        await db.close()
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0


async def test_reads_cannot_write(tmp_path: Path) -> None:
    """A write slipped into a read is refused, so every write stays serialised."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    try:
        with pytest.raises(sqlite3.OperationalError) as refused:
            await db.fetchall("INSERT INTO meta(key, value) VALUES ('a', '1') RETURNING key")
        assert refuses_writes(refused.value)
    finally:
        await db.close()


async def test_a_read_after_a_commit_sees_it_while_other_reads_run(tmp_path: Path) -> None:
    """Busy readers never hold an old snapshot for the next read: what was committed before
    a read started is in it (a stale read would let the dispatcher send a row twice)."""
    db = await Database.open(tmp_path / "kim.db")
    await db.write("CREATE TABLE counter(n INTEGER)")
    await db.write("INSERT INTO counter VALUES (0)")
    await db.write("CREATE TABLE bulk(x INTEGER)")
    async with db.transaction() as conn:
        await conn.executemany("INSERT INTO bulk VALUES (?)", [(i,) for i in range(2000)])
    stop = asyncio.Event()

    async def busy_reader() -> None:
        while not stop.is_set():
            await db.fetchall("SELECT x FROM bulk")

    readers = [asyncio.create_task(busy_reader()) for _ in range(8)]
    stale = 0
    try:
        for n in range(1, 301):
            await db.write("UPDATE counter SET n = ?", (n,))
            stale += await db.fetchval("SELECT n FROM counter") != n
    finally:
        stop.set()
        await asyncio.gather(*readers)
        await db.close()
    assert stale == 0
