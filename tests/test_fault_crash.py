"""SIGKILL in the middle of a 2,000-recipient broadcast, five times, with a restart after each.

What a kill may cost is written in broadcasts/outbox.py: a row stays pending until the answer
to its send is recorded, so a send that Telegram accepted just before the process died is sent
once more after the restart, and nothing is ever skipped. The test holds the bot to exactly
that: after every kill it reads which pending rows the server had already delivered (the sends
in flight), and in the end each subscriber has the announcement once, plus once for each
delivery the bot had not recorded when it died, never otherwise. The dispatcher keeps as few
sends in flight as the rate needs (broadcasts/pacing.py, `InFlight`): at 100 a second against
a server answering in milliseconds that is one, so there are at most as many duplicates as
kills.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from botapi_sandbox import BotApiServer
from tests.conftest import TOKEN
from tests.faultkit import FAST_SETTINGS, prepare_broadcast, start_bot, started

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
TEXT = "Pemadaman listrik terjadwal besok 09.00-12.00"
RECIPIENTS = 2000
KILLS = 5
SEED = 20261128


def _kill_points(rng: random.Random) -> list[int]:
    """A kill in each of the first five sixths of the progress, at a random point inside it."""
    band = RECIPIENTS / (KILLS + 1)
    return [int(band * (i + rng.uniform(0.2, 0.9))) for i in range(KILLS)]


def _pending(database: Path, announcement_id: int) -> set[int]:
    """Chats whose outbox row is still pending (read while no bot is running)."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT chat_id FROM outbox WHERE announcement_id = ? AND status = 'pending'",
            (announcement_id,),
        ).fetchall()
    return {int(chat_id) for (chat_id,) in rows}


async def test_five_sigkills_lose_nothing_and_duplicate_at_most_one_each(
    server: BotApiServer, tmp_path: Path
) -> None:
    """All 2,000 get it; a duplicate only for a send in flight at a kill, at most one a kill;
    the report matches the server."""
    operator, verifier = server.new_user("Budi"), server.new_user("Sari")
    villagers = [server.new_user(f"Warga {i}") for i in range(RECIPIENTS)]
    started(server, [operator, *villagers])
    ids = {user.id for user in villagers}
    database, log = tmp_path / "kim-bot.sqlite3", tmp_path / "kim-bot.log"
    announcement_id = await prepare_broadcast(
        database,
        villagers,
        author=operator.id,
        verifier=verifier.id,
        text=TEXT,
        now=NOW,
    )

    def reached() -> set[int]:
        return ids.intersection(+server.stats.delivered)

    def at_least(goal: int) -> Callable[[], bool]:
        return lambda: len(reached()) >= goal

    # chat -> deliveries the bot never recorded: still pending at a kill, so to be sent again
    unrecorded: dict[int, int] = {}
    for kill, target in enumerate(_kill_points(random.Random(SEED)), start=1):
        before = len(reached())
        process = await start_bot(server, TOKEN, database, log, **FAST_SETTINGS)
        try:  # at least one send of this run's own before its kill
            got_there = await server.world.wait_until(at_least(max(target, before + 1)), 40)
        finally:
            process.kill()
            await process.wait()
        assert got_there, f"kill {kill}: only {len(reached())} of {RECIPIENTS} reached"
        pending = await asyncio.to_thread(_pending, database, announcement_id)
        in_flight = {
            chat: server.stats.delivered[chat]
            for chat in pending & reached()
            if server.stats.delivered[chat] > unrecorded.get(chat, 0)
        }
        assert len(in_flight) <= 1, f"kill {kill} found {len(in_flight)} unrecorded deliveries"
        unrecorded.update(in_flight)

    last_run = {**FAST_SETTINGS, "LOG_LEVEL": "DEBUG"}  # the killed runs log at INFO
    process = await start_bot(server, TOKEN, database, log, **last_run)
    try:
        report = await server.private(operator).expect(contains="selesai dikirim", timeout=40)
    finally:
        process.terminate()
        await process.wait()

    received = {user.id: sum(TEXT in m.text for m in server.sent_to(user)) for user in villagers}
    assert min(received.values()) == 1, "someone never got the announcement"
    unexplained = {c: n for c, n in received.items() if n != 1 + unrecorded.get(c, 0)}
    assert not unexplained, f"sent again without being in flight at a kill: {unexplained}"
    assert sum(received.values()) - RECIPIENTS == sum(unrecorded.values()) <= KILLS
    assert f"Terkirim: {len(reached())} dari {RECIPIENTS}" in report.text
    assert "Gagal" not in report.text

    text = log.read_text(encoding="utf-8", errors="replace")
    assert text.count("ready for") == KILLS + 1  # six starts, the last at DEBUG ...
    assert "sendMessage" in text
    assert TOKEN not in text  # ... and not one line with the token
    assert TOKEN.split(":")[1] not in text
