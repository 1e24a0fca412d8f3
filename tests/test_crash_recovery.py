"""SIGKILL in the middle of a broadcast: after restarts everyone has the announcement, with
at most one duplicate per kill (the send that was in flight when the process died)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import people, regions, subscriptions
from bot.people import Person
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.topics import BY_KEY
from broadcasts import announcements
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets, Urgency
from tests.botapi import BotApiServer, FakeUser
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
TEXT = "Pemadaman listrik terjadwal besok 09.00-12.00"
RECIPIENTS = 240
KILLS = 3


async def _prepare(database: Path, villagers: list[FakeUser], operator: int, verifier: int) -> None:
    """Subscribers and one approved announcement, written before the bot ever runs."""
    db = await Database.open(database)
    await regions.load_regency(db, "35.14")
    area = await subscriptions.resolve(db, AreaRef(Scope.KABUPATEN, "35.14"))
    assert area is not None
    for user in villagers:
        await people.remember(db, Person(user.id, user.first_name), NOW)
        await subscriptions.subscribe(
            db, user_id=user.id, area=area, topics=BY_KEY["layanan"].bit, now=NOW
        )
    draft = await announcements.create_draft(
        db, author_id=operator, body=Body(Kind.TEXT, TEXT), now=NOW
    )
    await announcements.update_draft(
        db, draft, topic="layanan", urgency=Urgency.PENTING, targets=Targets(kabupaten=True)
    )
    assert await announcements.submit(db, draft, actor_id=operator, now=NOW)
    approved = await announcements.approve(db, draft, verifier_id=verifier, now=NOW)
    assert approved is announcements.ApprovalResult.APPROVED
    await db.close()


async def _start_bot(server: BotApiServer, database: Path) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": server.base_url,
        "DATABASE_PATH": str(database),
        "BROADCAST_RATE": "60",
        "PROGRESS_INTERVAL": "0.5",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=database.parent,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_sigkill_mid_broadcast_loses_nothing(server: BotApiServer, tmp_path: Path) -> None:
    """Three kills at growing progress; every subscriber ends with the announcement once,
    duplicates at most one per kill."""
    villagers = [server.new_user(f"Warga {i}") for i in range(RECIPIENTS)]
    for user in villagers:  # they all wrote to the bot once, so it may write to them
        server.people.set_private_status(user, "member")
    database = tmp_path / "kim-bot.sqlite3"
    await _prepare(database, villagers, operator=1, verifier=2)

    def delivered() -> int:
        return sum(1 for user in villagers for m in server.sent_to(user.id) if TEXT in m.text)

    def at_least(target: int) -> Callable[[], bool]:
        return lambda: delivered() >= target

    for kill in range(1, KILLS + 1):
        process = await _start_bot(server, database)
        reached = await server.world.wait_until(at_least(kill * RECIPIENTS // (KILLS + 1)), 60)
        process.kill()
        await process.wait()
        assert reached, f"only {delivered()} deliveries before kill {kill}"

    process = await _start_bot(server, database)
    try:
        everyone = await server.world.wait_until(
            lambda: all(any(TEXT in m.text for m in server.sent_to(u.id)) for u in villagers),
            within=60,
        )
    finally:
        process.terminate()
        await process.wait()
    assert everyone
    duplicates = delivered() - RECIPIENTS
    assert 0 <= duplicates <= KILLS
