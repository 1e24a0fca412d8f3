"""Shared pieces of the fault suite: recipients written in bulk, an approved kabupaten-wide
announcement, a seeded KIM group, and kim-bot started as its own process."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable
from datetime import datetime
from pathlib import Path

from bot import chats, people, regions, registrations, subscriptions
from bot.chats import ChatType
from bot.clock import isoformat
from bot.people import Role
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.topics import BY_KEY
from botapi_sandbox import BotApiServer, FakeChat, FakeUser, SentMessage
from broadcasts import announcements, approval
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets, Urgency

ROOT = Path(__file__).resolve().parent.parent
REGENCY = "35.14"
# Fast sends against a server without limits, for tests of crashes and stops, not of pacing:
# three times Telegram's rate, and still one send in flight at a time. INFO as in production.
FAST_SETTINGS = {
    "BROADCAST_RATE": "100",
    "BROADCAST_PRIVATE_INTERVAL": "0",
    "BROADCAST_RETRY_BACKOFF": "0.05",
    "PROGRESS_INTERVAL": "0.3",
    "LOG_LEVEL": "INFO",
}


def started(server: BotApiServer, users: list[FakeUser]) -> None:
    """These people pressed Start long ago: the bot may write to them (no updates queued)."""
    for user in users:
        server.chat(user).bot_status = "member"


async def subscribe_all(db: Database, users: list[FakeUser], topic: str, now: datetime) -> None:
    """Every user known to the bot and subscribed to the whole kabupaten, in one transaction
    (the one-by-one functions cost a transaction each; a test needs thousands)."""
    area = await subscriptions.resolve(db, AreaRef(Scope.KABUPATEN, REGENCY))
    assert area is not None
    stamp = isoformat(now)
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO people(user_id, first_name, first_seen, last_seen, reachable)"
            " VALUES (?, ?, ?, ?, 1)",
            ((u.id, u.first_name, stamp, stamp) for u in users),
        )
        await conn.executemany(
            "INSERT INTO subscriptions(user_id, scope, area_code, topics, created_at, updated_at)"
            " VALUES (?, 'kabupaten', ?, ?, ?, ?)",
            ((u.id, area.code, BY_KEY[topic].bit, stamp, stamp) for u in users),
        )


async def kim_group(
    server: BotApiServer,
    db: Database,
    name: str,
    desa_code: str,
    admins: list[FakeUser],
    now: datetime,
) -> FakeChat:
    """A group with the bot in it (no updates queued) and an approved KIM registration for one
    desa, requested by the first of its admins (the group's creator)."""
    admin = admins[0]
    group = server.new_group(name, admins=admins)
    group.bot_status = "member"
    await chats.joined(
        db,
        chat_id=group.id,
        chat_type=ChatType.GROUP,
        title=name,
        bot_is_admin=False,
        added_by=admin.id,
        now=now,
    )
    registration = await registrations.request_kim(
        db,
        chat_id=group.id,
        chat_type=ChatType.GROUP,
        chat_title=name,
        desa_code=desa_code,
        name=name,
        requested_by=admin.id,
        requested_by_name=admin.first_name,
        now=now,
    )
    await registrations.decide(db, registration.id, approve=True, actor_id=0, now=now)
    return group


KABUPATEN = Targets(kabupaten=True)


async def approve_announcement(
    db: Database,
    *,
    author: int,
    verifier: int,
    text: str | Body,
    topic: str,
    now: datetime,
    urgency: Urgency = Urgency.PENTING,
    targets: Targets = KABUPATEN,
) -> int:
    """An announcement (kabupaten-wide unless `targets` says otherwise), drafted, submitted
    and approved (its outbox is written by the approval); the chat flow that does the same
    is tested elsewhere."""
    body = text if isinstance(text, Body) else Body(Kind.TEXT, text)
    draft = await announcements.create_draft(db, author_id=author, body=body, now=now)
    await announcements.update_draft(db, draft, topic=topic, urgency=urgency, targets=targets)
    assert await announcements.submit(db, draft, actor_id=author, now=now)
    result = await approval.approve(db, draft, verifier_id=verifier, now=now)
    assert result.result is approval.ApprovalResult.APPROVED
    return draft


async def prepare_broadcast(
    database: Path,
    villagers: list[FakeUser],
    *,
    author: int,
    verifier: int,
    text: str,
    now: datetime,
    operators: tuple[int, ...] = (),
) -> int:
    """Villagers subscribed to "layanan", the `operators` appointed, and one approved
    kabupaten-wide announcement, all written before the bot ever runs; its id."""
    db = await Database.open(database)
    try:
        await regions.load_regency(db, REGENCY)
        await subscribe_all(db, villagers, "layanan", now)
        for operator in operators:
            await people.grant(db, user_id=operator, role=Role.OPERATOR, actor_id=None, now=now)
        return await approve_announcement(
            db, author=author, verifier=verifier, text=text, topic="layanan", now=now
        )
    finally:
        await db.close()


def bot_command(
    *args: str, env: dict[str, str], cwd: Path
) -> Awaitable[asyncio.subprocess.Process]:
    """`python -m bot ARGS` with its output piped back to the test."""
    return asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def start_bot(
    server: BotApiServer, token: str, database: Path, log: Path, **settings: str
) -> asyncio.subprocess.Process:
    """`python -m bot run` against the server; stdout and stderr are appended to `log`."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": token,
        "BOT_API_BASE_URL": server.base_url,
        "DATABASE_PATH": str(database),
        **settings,
    }
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=database.parent,
            stdout=out,
            stderr=out,
        )


async def decide_first_case(
    server: BotApiServer, operator: FakeUser, explanation: str, link: str | None = None
) -> tuple[SentMessage, SentMessage]:
    """The operator, told of case #1, gives it the verdict Hoaks on Telegram (the
    reference link, or "Lewati"); the verdict panel and the confirmation, to read."""
    chat = server.private(operator)
    await chat.expect(contains="Laporan hoaks baru — kasus #1")
    await chat.send("/antrian")
    queue = await chat.expect(contains="Antrian laporan hoaks")
    await chat.press(queue, "#1 · 1 laporan")
    panel = await chat.expect(contains="Pilih putusan")
    await chat.press(panel, "Hoaks")
    prompt = await chat.expect(contains="Tulis penjelasan untuk kasus #1, putusan: Hoaks")
    await chat.send(explanation, reply_to=prompt)
    link_prompt = await chat.expect(contains="Tautan rujukan untuk kasus #1")
    if link is None:
        await chat.press(link_prompt, "Lewati")
    else:
        await chat.send(link, reply_to=link_prompt)
    return panel, await chat.expect(contains="Kasus #1 diputus")
