"""The dispatcher's retry policy, with a scripted sender (the HTTP path is covered by the
delivery tests against the local Bot API server)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SystemSeconds
from bot.storage import Database
from broadcasts import outbox
from broadcasts.content import Kind, Part
from broadcasts.dispatcher import Dispatcher
from broadcasts.sender import (
    DeliveryError,
    Migrated,
    Outgoing,
    RateLimited,
    Rejected,
    Transient,
    Unreachable,
)
from broadcasts.turns import Pacing
from tests.storagefaults import FullDisk

TZ = ZoneInfo("Asia/Jakarta")


class FixedClock(SystemSeconds):
    def now(self) -> datetime:
        return datetime(2026, 11, 28, 9, 0, tzinfo=TZ)


@dataclass
class ScriptedSender:
    """Raises the scripted errors for a chat, in order, then succeeds."""

    script: dict[int, list[DeliveryError]] = field(default_factory=dict)
    sent: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    next_id: int = 100

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_part(self, chat_id: int, message: Outgoing, index: int) -> int:
        errors = self.script.get(chat_id, [])
        if errors:
            raise errors.pop(0)
        self.next_id += 1
        self.sent[chat_id].append(index)
        return self.next_id

    async def send_text(self, chat_id: int, text: str) -> int:
        self.next_id += 1
        return self.next_id

    async def delete(self, chat_id: int, message_id: int) -> bool:
        return True


@dataclass
class Directory:
    unreachable_chats: list[tuple[int, str]] = field(default_factory=list)
    migrations: list[tuple[int, int]] = field(default_factory=list)

    async def unreachable(self, chat_id: int, kind: str, reason: str) -> None:
        self.unreachable_chats.append((chat_id, reason))

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        self.migrations.append((old_chat_id, new_chat_id))


async def _run(
    tmp_path: Path,
    chats: list[int],
    sender: ScriptedSender,
    parts: int = 1,
    group_interval: float = 3.0,
    on_start: Callable[[Database], None] | None = None,
) -> tuple[Database, Directory]:
    """Deliver one announcement to `chats` (negative ids are KIM groups) until none is
    pending; `on_start` runs just before the dispatcher starts."""
    db = await _prepared(tmp_path, chats)
    message = Outgoing(tuple(Part(Kind.TEXT, f"bagian {i}") for i in range(parts)))

    async def render(announcement_id: int, kind: str) -> Outgoing:
        return message

    directory = Directory()
    pacing = Pacing(
        per_second=1000,
        private_interval=0,
        group_interval=group_interval,
        backoff=0.01,
        max_attempts=3,
        storage_backoff=0.01,
    )
    dispatcher = Dispatcher(db, sender, render, directory, FixedClock(), pacing)
    finished = asyncio.Event()

    async def check(announcement_id: int) -> None:
        if (await outbox.progress(db, announcement_id)).pending == 0:
            finished.set()

    dispatcher.listeners.append(check)
    if on_start is not None:
        on_start(db)
    dispatcher.start()
    await asyncio.wait_for(finished.wait(), timeout=10)
    await dispatcher.stop()
    return db, directory


async def _prepared(tmp_path: Path, chats: list[int]) -> Database:
    db = await Database.open(tmp_path / "kim.sqlite3")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO announcements(id, status, kind, body, created_at)"
            " VALUES (1, 'sending', 'text', 'x', '2026-11-28')"
        )
        rows = [(c, "private" if c > 0 else "kim") for c in chats]
        await outbox.enqueue(conn, 1, rows, priority=2)
    return db


async def test_each_answer_is_handled_by_its_rule(tmp_path: Path) -> None:
    """429 retried without an attempt, network errors retried, 403 fails and marks,
    migration follows the chat, other errors fail with Telegram's reason."""
    sender = ScriptedSender(
        {
            1: [RateLimited(0.05)],
            2: [Transient("timed out"), Transient("timed out")],
            3: [Unreachable("blocked", "Forbidden: bot was blocked by the user")],
            4: [Migrated(-1004)],
            5: [Rejected("Bad Request: message is too long")],
            6: [Transient("down")] * 3,
        }
    )
    db, directory = await _run(tmp_path, [1, 2, 3, 4, 5, 6, 7], sender)
    state = await outbox.progress(db, 1)
    assert state.sent == 4  # 1, 2, 4 (as -1004) and 7
    assert state.failed_by_reason == {"blocked": 1, "rejected": 1, "network": 1}
    assert set(sender.sent) == {1, 2, -1004, 7}
    assert directory.unreachable_chats == [(3, "blocked")]
    assert directory.migrations == [(4, -1004)]
    rows = await db.fetchall("SELECT chat_id, attempts FROM outbox")
    attempts = {int(row[0]): int(row[1]) for row in rows}
    assert attempts[1] == 1  # the 429 did not count
    assert attempts[2] == 3
    await db.close()


async def test_a_partly_sent_long_message_resumes_after_its_last_part(tmp_path: Path) -> None:
    """A failure on part 2 of 3 does not resend part 1."""
    sender = ScriptedSender()

    original = sender.send_part
    calls: list[int] = []

    async def flaky(chat_id: int, message: Outgoing, index: int) -> int:
        calls.append(index)
        if index == 1 and calls.count(1) == 1:
            raise Transient("timed out")
        return await original(chat_id, message, index)

    sender.send_part = flaky  # type: ignore[method-assign]
    db, _ = await _run(tmp_path, [9], sender, parts=3)
    assert calls == [0, 1, 1, 2]
    assert sender.sent[9] == [0, 1, 2]
    assert (await outbox.progress(db, 1)).sent == 1
    await db.close()


async def test_each_part_is_recorded_before_the_next_is_sent(tmp_path: Path) -> None:
    """A crash between the parts of a long text resends none of those that went out."""
    sender = ScriptedSender()
    original = sender.send_part
    recorded: list[str] = []

    async def watched(chat_id: int, message: Outgoing, index: int) -> int:
        row = await db.fetchone("SELECT message_ids FROM outbox WHERE chat_id = ?", (chat_id,))
        recorded.append(str(row[0]) if row else "")
        return await original(chat_id, message, index)

    db = await Database.open(tmp_path / "kim.sqlite3")  # the same file _run opens
    sender.send_part = watched  # type: ignore[method-assign]
    try:
        run_db, _ = await _run(tmp_path, [9], sender, parts=3)
        await run_db.close()
    finally:
        await db.close()
    assert recorded == ["None", "[101]", "[101, 102]"]


async def test_a_chat_that_must_wait_holds_up_no_one_else(tmp_path: Path) -> None:
    """One send in flight at a time (answers come at once), and a group whose second part
    must wait its interval: the villagers are served meanwhile."""
    order: list[int] = []
    sender = ScriptedSender()
    original = sender.send_part

    async def noted(chat_id: int, message: Outgoing, index: int) -> int:
        order.append(chat_id)
        return await original(chat_id, message, index)

    sender.send_part = noted  # type: ignore[method-assign]
    db, _ = await _run(tmp_path, [-5, 1, 2, 3, 4], sender, parts=2, group_interval=0.5)
    assert order[0] == -5 and order[-1] == -5  # its second part only after everyone else
    assert sorted(order[1:-1]) == [1, 1, 2, 2, 3, 3, 4, 4]
    await db.close()


async def test_answers_the_database_refused_are_recorded_later_never_resent(
    tmp_path: Path,
) -> None:
    """Disk full from the first answer: every part reaches each chat once, and each kind of
    answer (sent, parts, 429, blocked, migrated) is recorded once the disk frees."""
    sender = ScriptedSender(
        {
            2: [RateLimited(0.05)],
            3: [Unreachable("blocked", "Forbidden: bot was blocked by the user")],
            4: [Migrated(-1004)],
        }
    )
    freeing: list[asyncio.Task[None]] = []

    def fill(db: Database) -> None:
        disk = FullDisk(db)
        disk.fill()

        async def free_later() -> None:
            await disk.until_refused(4)
            disk.free()

        freeing.append(asyncio.create_task(free_later()))

    db, directory = await _run(tmp_path, [1, 2, 3, 4, 5], sender, parts=2, on_start=fill)
    await freeing[0]
    assert dict(sender.sent) == {1: [0, 1], 2: [0, 1], -1004: [0, 1], 5: [0, 1]}
    state = await outbox.progress(db, 1)
    assert (state.sent, state.failed_by_reason) == (4, {"blocked": 1})
    assert directory.unreachable_chats == [(3, "blocked")]
    assert directory.migrations == [(4, -1004)]
    await db.close()


async def test_a_stop_while_the_database_refuses_says_what_is_sent_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Stopped during an outage: the unrecorded row stays pending (sent again after the
    restart, as outbox.py says) and the log says how many, in one line."""
    db = await _prepared(tmp_path, [1, 2, 3])
    sender = ScriptedSender()
    message = Outgoing((Part(Kind.TEXT, "x"),))

    async def render(announcement_id: int, kind: str) -> Outgoing:
        return message

    pacing = Pacing(per_second=1000, private_interval=0, storage_backoff=0.01)
    dispatcher = Dispatcher(db, sender, render, Directory(), FixedClock(), pacing)
    disk = FullDisk(db)
    disk.fill()
    dispatcher.start()
    await disk.until_refused(3)
    await dispatcher.stop()
    disk.free()
    sent = [chat for chat, parts in sender.sent.items() if parts]
    assert len(sent) == 1  # the first answer was refused: nothing else was taken
    assert (await outbox.progress(db, 1)).pending == 3
    lines = [r.getMessage() for r in caplog.records if "never recorded" in r.getMessage()]
    assert lines == [
        "stopping with 1 answers the database never recorded: those rows are sent"
        " again after the restart"
    ]
    await db.close()
