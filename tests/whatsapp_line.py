"""A WhatsApp delivery line for tests: a real Database, a real WhatsApp dispatcher and sender,
the local Cloud API stand-in, and subscribers made as the webhook makes them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import regions, subscriptions
from bot.addresses import Channel
from bot.clock import SystemClock
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.topics import BY_KEY
from bot.whatsapp import contacts
from bot.whatsapp.api import CloudApi
from broadcasts import announcements, outbox, whatsapp_render
from broadcasts.directory import NetworkDirectory
from broadcasts.dispatcher import Dispatcher
from broadcasts.sender import Outgoing
from broadcasts.turns import Pacing
from broadcasts.whatsapp import WhatsAppSender
from tests.faultkit import REGENCY, approve_announcement
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.people import WhatsAppUser

TZ = ZoneInfo("Asia/Jakarta")
ORG = "Diskominfo Pasuruan"
TEMPLATE_BODY = "{{1}}\n\nBalas pesan ini untuk membaca selengkapnya."


@dataclass
class Alarm:
    """`broadcasts.backlog.Alarm` that remembers what the operators were told."""

    told: list[tuple[str, str]] = field(default_factory=list)
    event: asyncio.Event = field(default_factory=asyncio.Event)

    async def storage_refused(self, reason: str) -> None:
        self._tell("storage_refused", reason)

    async def storage_recovered(self, seconds: float, recorded: int) -> None:
        self._tell("storage_recovered", str(recorded))

    async def channel_paused(self, channel: str, seconds: float, detail: str) -> None:
        self._tell("paused", f"{channel} {seconds:.0f}")

    async def channel_halted(self, channel: str, detail: str) -> None:
        self._tell("halted", channel)

    def _tell(self, what: str, detail: str) -> None:
        self.told.append((what, detail))
        self.event.set()


class Line:
    """One WhatsApp channel as kim-bot runs it, against `sandbox`."""

    def __init__(self, db: Database, sandbox: WhatsAppSandbox) -> None:
        self.db = db
        self.sandbox = sandbox
        self.clock = SystemClock(TZ)
        self.alarm = Alarm()
        self.dispatcher: Dispatcher | None = None
        self.sender: WhatsAppSender | None = None
        self._changed = asyncio.Event()
        self.user_ids: dict[str, int] = {}

    async def person(
        self, name: str, phone: str, *, in_window: bool = True, on_whatsapp: bool = True
    ) -> WhatsAppUser | None:
        """A villager who wrote to the office (just now, or 30 hours ago) and subscribed to
        the whole kabupaten; None when the number has no WhatsApp."""
        user = self.sandbox.new_user(name, phone) if on_whatsapp else None
        if user is not None and in_window:
            await user.send("DAFTAR")
        wrote = time.time() - (0 if in_window else 30 * 3600)
        user_id = await contacts.remember(self.db, phone, name, self.clock.now(), wrote)
        area = await subscriptions.resolve(self.db, AreaRef(Scope.KABUPATEN, REGENCY))
        assert area is not None
        topics = BY_KEY["kesehatan"].bit
        await subscriptions.subscribe(
            self.db, user_id=user_id, area=area, topics=topics, now=self.clock.now()
        )
        self.user_ids[name] = user_id
        return user

    async def start(
        self, *, pair_interval: float = 0.05, per_second: float = 80, **sender_settings: Any
    ) -> Dispatcher:
        """The sender and the dispatcher: `per_second`, `pair_interval` apart for one person."""
        api = CloudApi(
            self.sandbox.base_url + "/v21.0",
            self.sandbox.phone_number_id,
            self.sandbox.access_token,
        )
        self.sender = WhatsAppSender(
            self.db, api, self.clock, TZ, ORG, pair_interval=pair_interval, **sender_settings
        )
        pacing = Pacing(
            per_second=per_second,
            private_interval=pair_interval,
            backoff=0.05,
            max_attempts=3,
            storage_backoff=0.01,
            broadcast_share=1.0,
        )
        self.dispatcher = Dispatcher(
            self.db,
            self.sender,
            self.render,
            NetworkDirectory(self.db, self.clock),
            self.clock,
            pacing,
            self.alarm,
            channel=Channel.WHATSAPP,
        )
        self.dispatcher.listeners.append(self._result)
        await self.sender.start()
        self.dispatcher.start()
        return self.dispatcher

    async def stop(self) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.stop()
        if self.sender is not None:
            await self.sender.stop()
        self.dispatcher = self.sender = None

    async def render(self, announcement_id: int, kind: str) -> Outgoing | None:
        found = await announcements.get(self.db, announcement_id)
        return None if found is None else whatsapp_render.outgoing(found, ORG)

    async def announce(self, text: str) -> int:
        """An approved kabupaten-wide health announcement; the dispatcher is woken."""
        announcement_id = await approve_announcement(
            self.db, author=1, verifier=2, text=text, topic="kesehatan", now=self.clock.now()
        )
        if self.dispatcher is not None:
            self.dispatcher.wake()
        return announcement_id

    async def _result(self, announcement_id: int) -> None:
        self._changed.set()

    async def until(
        self,
        check: Callable[[], Awaitable[bool]],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait for `check` to hold, re-checked after every row's result (and each 0.1 s,
        for what happens without one: a notice, a webhook's status)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await check():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError("the WhatsApp line did not get there in time")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(0.1, remaining))

    async def settled(self, announcement_id: int) -> outbox.Progress:
        """Every row of the announcement answered (sent or failed)."""

        async def done() -> bool:
            return (await outbox.progress(self.db, announcement_id)).pending == 0

        await self.until(done)
        return await outbox.progress(self.db, announcement_id)


async def open_db(tmp_path: Path) -> Database:
    db = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(db, REGENCY)
    return db


def register_template(sandbox: WhatsAppSandbox) -> None:
    sandbox.add_template(
        "pengumuman_kim", TEMPLATE_BODY, header="{{1}}", quick_replies=("Baca selengkapnya",)
    )


def moment() -> datetime:
    return datetime.now(TZ)


@contextlib.asynccontextmanager
async def started_line(tmp_path: Path, whatsapp: WhatsAppSandbox) -> AsyncIterator[Line]:
    """A `Line` on a fresh database, the template approved; stopped and closed after."""
    register_template(whatsapp)
    db = await open_db(tmp_path)
    line = Line(db, whatsapp)
    try:
        yield line
    finally:
        await line.stop()
        await db.close()
