"""The disk fills up in the middle of a broadcast to 60 subscribers and frees up a few
seconds later. What Telegram accepted is never sent again: every subscriber gets the
announcement exactly once, the outbox and the report match what the server delivered, the
dispatcher takes nothing new while the database refuses, the log says so in one line (and
one more when it recovers), and the admins hear of it once."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SystemClock
from bot.services import KimApp
from bot.settings import Settings
from bot.storage import Database
from botapi_sandbox import BotApiServer, FakeUser
from broadcasts import outbox
from broadcasts.announcements import Announcement
from broadcasts.progress import ProgressReporter
from tests.faultkit import approve_announcement, started, subscribe_all
from tests.storagefaults import FullDisk

VILLAGERS = 60
TEXT = "Jalan provinsi ditutup sementara karena longsor"
FILL_AFTER = 20  # deliveries before the disk fills
RETRIES = 6  # refused writes (one while sending, then the backoff's retries) before it frees


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Retries of the refused writes at test speed: 0.05 s, doubling (about 1.5 s in all)."""
    return settings.model_copy(update={"storage_retry_backoff": 0.05})


def _received(server: BotApiServer, user: FakeUser) -> int:
    return sum(TEXT in m.text for m in server.sent_to(user))


async def test_full_disk_mid_broadcast_sends_each_once_and_reports_what_went_out(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser, log_output: io.StringIO
) -> None:
    """Disk full mid-broadcast: each of 60 gets it once, outbox and report match the server."""
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    budi, sari = server.new_user("Budi"), server.new_user("Sari")
    villagers = [server.new_user(f"Warga {i}") for i in range(VILLAGERS)]
    started(server, [budi, admin, *villagers])
    await subscribe_all(db, villagers, "layanan", now)
    disk = FullDisk(db)

    def delivered() -> int:
        return sum(_received(server, v) for v in villagers)

    announcement_id = await approve_announcement(
        db, author=budi.id, verifier=sari.id, text=TEXT, topic="layanan", now=now
    )
    kimbot.bot_data.delivery.wake()
    assert await server.world.wait_until(lambda: delivered() >= FILL_AFTER, 30)
    disk.fill()
    await disk.until_refused(2)  # the record of a send, then the first retry of it
    paused_at = delivered()
    await disk.until_refused(RETRIES)
    assert delivered() == paused_at  # nothing new was sent while the database refused
    assert 0 < paused_at < VILLAGERS
    disk.free()

    report = await server.private(budi).expect(contains="selesai dikirim", timeout=30)
    assert f"Terkirim: {VILLAGERS} dari {VILLAGERS}" in report.text

    def told() -> list[str]:
        return [m.text for m in server.sent_to(admin)]

    assert await server.world.wait_until(lambda: "bisa menyimpan lagi" in str(told()), 10)
    assert not await server.world.wait_until(lambda: len(told()) > 2, 0.3)  # nothing more
    assert sum("menolak menyimpan" in t for t in told()) == 1, told()  # the outage, once ...
    assert sum("bisa menyimpan lagi" in t for t in told()) == 1, told()  # ... and its end
    assert any("database or disk is full" in t for t in told())

    assert {v.id: _received(server, v) for v in villagers} == {v.id: 1 for v in villagers}
    state = await outbox.progress(db, announcement_id)
    assert (state.sent, state.pending, state.failed) == (VILLAGERS, 0, 0)
    rows = await db.fetchall(
        "SELECT chat_id, message_ids FROM outbox WHERE announcement_id = ?", (announcement_id,)
    )
    recorded = {int(chat): json.loads(ids) for chat, ids in rows}
    server_ids = {
        v.id: [m.message_id for m in server.sent_to(v) if TEXT in m.text] for v in villagers
    }
    assert recorded == server_ids

    log = log_output.getvalue()
    assert log.count("database refuses writes") == 1, log[-3000:]
    assert log.count("database takes writes again") == 1
    assert "Traceback" not in log
    assert disk.refused >= RETRIES


class _Reports:
    """A `broadcasts.progress.Notifier` that notes the final reports."""

    def __init__(self) -> None:
        self.reported: list[int] = []
        self.done = asyncio.Event()

    async def progress(self, announcement: Announcement, progress: outbox.Progress) -> None:
        return None

    async def finished(
        self,
        announcement: Announcement,
        progress: outbox.Progress,
        failures: list[tuple[int, str, str, str, int]],
    ) -> None:
        self.reported.append(announcement.id)
        self.done.set()


async def test_a_refused_finish_is_logged_once_and_reported_once_it_is_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The finish of a broadcast refused tick after tick: one log line, no traceback, and
    the final report once the database takes the write."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    await db.write(
        "INSERT INTO announcements(id, status, kind, body, created_at)"
        " VALUES (1, 'sending', 'text', 'x', '2026-11-28')"
    )
    disk, reports = FullDisk(db), _Reports()
    disk.fill()
    reporter = ProgressReporter(db, SystemClock(ZoneInfo("Asia/Jakarta")), reports, interval=0.01)
    reporter.start()
    await disk.until_refused(5)
    disk.free()
    await asyncio.wait_for(reports.done.wait(), 10)
    await reporter.stop()
    await db.close()
    assert reports.reported == [1]
    waits = [r for r in caplog.records if r.name == "broadcasts.progress"]
    assert [r.getMessage() for r in waits] == [
        "progress report waits for the database: database or disk is full"
    ]
    assert not any(r.exc_info for r in waits)
