"""SIGTERM and SIGINT against the real process (`python -m bot run`, bot/serving.py).

Every sequence of signals ends the process within ten seconds, with status 0 and the
database closed (WAL checkpointed and removed, integrity intact), and the next start works.
Long work a signal interrupts is durable (broadcasts/errands.py): a withdrawal cut short
finishes by itself after the restart, deleting each message once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from botapi_sandbox import BotApiServer, SentMessage
from botapi_sandbox.session import ChatSession
from tests.conftest import TOKEN
from tests.faultkit import FAST_SETTINGS, prepare_broadcast, start_bot, started

NOW = datetime.now(ZoneInfo("Asia/Jakarta"))  # a withdrawal only deletes what is under 48 h old
TEXT = "Pemadaman listrik terjadwal besok 09.00-12.00"
LIMIT = 10.0  # seconds from the first signal to the end of the process


async def _ends_within(process: asyncio.subprocess.Process, since: float) -> float:
    """Seconds from `since` until the process ended (killed past the limit, to fail cleanly)."""
    try:
        await asyncio.wait_for(process.wait(), LIMIT + 5)
    except TimeoutError:
        process.kill()
        await process.wait()
    return time.monotonic() - since


def _closed_cleanly(database: Path, log: Path) -> None:
    assert not Path(f"{database}-wal").exists()  # checked before anything opens it again
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert f"database {database} closed" in log.read_text()


async def _next_containing(chat: ChatSession, text: str, within: float) -> SentMessage:
    """Skip this person's older messages (progress reports) up to the one with `text`."""
    deadline = time.monotonic() + within
    while True:
        message = await chat.expect(timeout=max(0.1, deadline - time.monotonic()))
        if text in message.text:
            return message


async def test_sigterm_during_a_long_withdrawal_stops_at_once_and_the_restart_finishes_it(
    server: BotApiServer, tmp_path: Path
) -> None:
    """600 deletions, SIGTERM after 100: exit 0 within 10 s, database closed; the next start
    finishes the withdrawal by itself, each message deleted once, and reports it."""
    recipients = 600
    operator, verifier = server.new_user("Budi"), server.new_user("Sari")
    villagers = [server.new_user(f"Warga {i}") for i in range(recipients)]
    started(server, [operator, *villagers])
    database, log = tmp_path / "kim-bot.sqlite3", tmp_path / "kim-bot.log"
    await prepare_broadcast(
        database,
        villagers,
        author=operator.id,
        verifier=verifier.id,
        text=TEXT,
        now=NOW,
        operators=(operator.id,),
    )

    def deleted() -> int:
        return sum(call.ok for call in server.calls("deleteMessage"))

    chat = server.private(operator)
    process = await start_bot(server, TOKEN, database, log, **FAST_SETTINGS)
    try:
        await _next_containing(chat, "selesai dikirim", 60)
        await chat.send("/riwayat")
        listing = await _next_containing(chat, "Riwayat", 10)
        await chat.press(listing, "🔎 #1")
        details = await chat.expect_edit(listing)
        await chat.press(details, "🗑 Tarik")
        confirm = await chat.expect_edit(details)
        await chat.press(confirm, "✅ Ya, tarik")
        assert "Menarik pengumuman #1" in (await chat.expect_edit(confirm)).text
        assert await server.world.wait_until(lambda: deleted() >= 100, 30)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        took = await _ends_within(process, signalled)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert took < LIMIT, f"stopping took {took:.1f}s"
    assert process.returncode == 0, log.read_text()[-2000:]
    assert deleted() < recipients  # it really was cut short
    _closed_cleanly(database, log)

    # Nobody presses anything: the withdrawal resumes by itself.
    process = await start_bot(server, TOKEN, database, log, **FAST_SETTINGS)
    try:
        summary = await chat.expect(contains="ditarik", timeout=60)
    finally:
        process.terminate()
        await process.wait()
    assert f"dihapus dari {recipients} chat, 0 sudah lewat 48 jam" in summary.text
    assert all(m.deleted for user in villagers for m in server.sent_to(user.id))
    calls = server.calls("deleteMessage")
    assert all(call.ok for call in calls)
    assert len(calls) == recipients  # none deleted twice, none retried
    assert process.returncode == 0


SEQUENCES = {
    "two SIGTERM at once (make run)": [(signal.SIGTERM, 0.0), (signal.SIGTERM, 0.05)],
    "SIGINT then SIGTERM": [(signal.SIGINT, 0.0), (signal.SIGTERM, 0.05)],
    "a second SIGTERM during the stop": [(signal.SIGTERM, 0.0), (signal.SIGTERM, 2.0)],
    "SIGTERM then SIGINT during the stop": [(signal.SIGTERM, 0.0), (signal.SIGINT, 2.0)],
}


@pytest.mark.parametrize("sequence", list(SEQUENCES.values()), ids=list(SEQUENCES))
async def test_any_signal_sequence_while_sends_hang_ends_within_ten_seconds(
    server: BotApiServer, tmp_path: Path, sequence: list[tuple[signal.Signals, float]]
) -> None:
    """Signals while sends await an answer that will not come: exit 0 within 10 s, database
    closed; the next start sends the rest of the broadcast."""
    recipients = 200
    operator, verifier = server.new_user("Budi"), server.new_user("Sari")
    villagers = [server.new_user(f"Warga {i}") for i in range(recipients)]
    started(server, [operator, *villagers])
    ids = {user.id for user in villagers}
    database, log = tmp_path / "kim-bot.sqlite3", tmp_path / "kim-bot.log"
    await prepare_broadcast(
        database,
        villagers,
        author=operator.id,
        verifier=verifier.id,
        text=TEXT,
        now=NOW,
        operators=(operator.id,),
    )
    # Sends that would keep their answer for 15 s: a stop waiting for them would take as long.
    settings = {**FAST_SETTINGS, "BROADCAST_RATE": "40", "BROADCAST_TIMEOUT": "30"}

    process = await start_bot(server, TOKEN, database, log, **settings)
    try:
        reached = await server.world.wait_until(
            lambda: len(ids.intersection(+server.stats.delivered)) >= 40, 30
        )
        assert reached
        server.faults.add("timeout", method="sendMessage", times=None, delay=15)
        await server.world.wait_until(lambda: server.faults.fired["timeout"] > 0, 5)
        signalled = time.monotonic()
        for signum, at in sequence:
            await asyncio.sleep(max(0.0, signalled + at - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):  # it may have ended already
                process.send_signal(signum)
        took = await _ends_within(process, signalled)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert took < LIMIT, f"stopping took {took:.1f}s"
    assert process.returncode == 0, log.read_text()[-2000:]
    _closed_cleanly(database, log)

    server.faults.clear()
    process = await start_bot(server, TOKEN, database, log, **settings)
    try:
        assert await server.world.wait_until(lambda: ids <= set(server.stats.delivered), 60), (
            "the next start did not finish the broadcast"
        )
    finally:
        process.terminate()
        await process.wait()
    assert process.returncode == 0
