"""Scheduled broadcasts end to end on a fake clock: created in the chat, delivered on the days
they are due (across restarts), missed runs caught up or reported, quiet hours, /jadwal's
buttons, bad input in the scheduling step, and the weekly digest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_application, running
from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer, FakeChat, FakeUser, SentMessage
from broadcasts import announcements, approval, rules, schedules
from broadcasts.content import Body, Kind
from broadcasts.rules import Rule
from broadcasts.scheduler import Scheduler
from broadcasts.targets import Targets, Urgency
from tests.clock import FakeClock
from tests.network import Network, kecamatan

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
POSYANDU = "Posyandu balita setiap pagi di balai desa."
BANJIR = "Siaga banjir: warga bantaran sungai bersiap mengungsi."
KERJA_BAKTI = "Kerja bakti membersihkan saluran air."
BANGIL = "35.14.14"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


class Runner:
    """kim-bot on one database, stopped and started again like a restarted process."""

    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        self.settings = settings
        self.clock = clock
        self._running: AbstractAsyncContextManager[KimApp] | None = None
        self.app: KimApp | None = None

    async def start(self) -> KimApp:
        app = build_application(self.settings, clock=self.clock)
        self._running = running(app)
        self.app = await self._running.__aenter__()
        return app

    async def stop(self) -> None:
        if self._running is not None:
            await self._running.__aexit__(None, None, None)
            self._running = None

    async def restart(self) -> KimApp:
        await self.stop()
        return await self.start()

    @property
    def scheduler(self) -> Scheduler:
        assert self.app is not None
        found = self.app.bot_data.schedules
        assert isinstance(found, Scheduler)
        return found

    async def at(self, moment: datetime) -> None:
        """Let time pass to `moment` and let the scheduler look."""
        self.clock.set(moment)
        await self.scheduler.tick()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast pacing: the same group gets several runs within a second of real time."""
    return settings.model_copy(
        update={
            "schedule_check_interval": 3600.0,
            "broadcast_group_interval": 0.0,
            "broadcast_private_interval": 0.0,
        }
    )


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Runner]:
    runner = Runner(settings, FakeClock(MONDAY))
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def net(server: BotApiServer, bot: Runner) -> Network:
    """One KIM group in Bangil, an operator and a verifier."""
    assert bot.app is not None
    network = Network(server, bot.app)
    pak_rt = server.new_user("Pak RT")
    await network.kim_group("KIM Raci", "35.14.14.2011", pak_rt)
    network.villagers["Budi"] = await network.staff("Budi", Role.OPERATOR)
    network.villagers["Sari"] = await network.staff("Sari", Role.VERIFIER)
    return network


def received(server: BotApiServer, chat: FakeChat | FakeUser, text: str) -> list[SentMessage]:
    return [m for m in server.sent_to(chat.id) if text in m.text]


async def delivered(
    server: BotApiServer, chat: FakeChat | FakeUser, text: str, count: int
) -> list[SentMessage]:
    """Wait until `chat` has `count` messages with `text`, and make sure no more follow."""
    reached = await server.world.wait_until(lambda: len(received(server, chat, text)) >= count, 10)
    assert reached, f"{len(received(server, chat, text))} of {count} arrived"
    more = await server.world.wait_until(lambda: len(received(server, chat, text)) > count, 0.3)
    assert not more, f"more than {count} arrived"
    return received(server, chat, text)


async def scheduled(
    bot: Runner,
    net: Network,
    text: str,
    rule: Rule,
    urgency: Urgency = Urgency.PENTING,
) -> int:
    """A verified schedule written the way the chat flow writes it (that flow has its test)."""
    assert bot.app is not None
    db, now = bot.app.bot_data.db, bot.clock.now()
    budi, sari = net.villagers["Budi"].id, net.villagers["Sari"].id
    draft = await announcements.create_draft(
        db, author_id=budi, body=Body(Kind.TEXT, text), now=now
    )
    await announcements.update_draft(
        db, draft, topic="kesehatan", urgency=urgency, targets=Targets(kecamatan=(BANGIL,))
    )
    await schedules.save_plan(db, draft, author_id=budi, rule=rule, now=now)
    assert await schedules.submit(db, draft, actor_id=budi, now=now)
    approved = await approval.approve(
        db,
        draft,
        verifier_id=sari,
        now=now,
        tz=WIB,
        quiet=rules.quiet_hours(bot.settings),
    )
    assert approved.schedule_id is not None
    return approved.schedule_id


async def compose(server: BotApiServer, author: FakeUser, text: str, urgency: str) -> SentMessage:
    """/siaran up to the preview summary: Kesehatan, to Kecamatan Bangil."""
    chat = server.private(author)
    await chat.send("/siaran")
    while "Pengumuman baru" not in (await chat.expect()).text:
        pass  # reports of earlier runs arrive in the same chat
    await chat.send(text)
    topics = await chat.expect(contains="topik")
    await chat.press(topics, "Kesehatan")
    urgencies = await chat.expect_edit(topics)
    await chat.press(urgencies, urgency)
    panel = await chat.expect_edit(urgencies)
    await chat.press(panel, "Kecamatan… (0)")
    picker = await chat.expect_edit(panel)
    await chat.press(picker, "Bangil")
    picker = await chat.expect_edit(picker)
    await chat.press(picker, "Selesai ✓")
    panel = await chat.expect_edit(picker)
    await chat.press(panel, "Lanjut ke pratinjau »")
    await chat.expect()  # the draft as recipients will see it
    return await chat.expect(contains="Pratinjau")


async def test_a_daily_schedule_from_the_chat_runs_three_days_across_restarts(
    server: BotApiServer, bot: Runner, net: Network
) -> None:
    """Operator schedules daily 07.00, verifier approves; 1, 2 and 3 December each deliver
    once, with the bot restarted between the days."""
    budi, sari = net.villagers["Budi"], net.villagers["Sari"]
    raci = net.groups["KIM Raci"]
    author = server.private(budi)
    summary = await compose(server, budi, POSYANDU, "❗ Penting")
    await author.press(summary, "🗓 Jadwalkan lalu kirim ke verifikator")
    kinds = await author.expect_edit(summary)
    assert "Kapan pengumuman ini dikirim" in kinds.text
    await author.press(kinds, "Setiap hari")
    hours = await author.expect_edit(kinds)
    await author.press(hours, "07")
    minutes = await author.expect_edit(hours)
    await author.press(minutes, "07.00")
    plan = await author.expect_edit(minutes)
    assert "Setiap hari pukul 07.00 WIB" in plan.text
    assert "Pengiriman pertama: Selasa, 1 Desember 2026 07.00 WIB" in plan.text
    await author.press(plan, "📨 Kirim ke verifikator")
    assert "sudah dikirim ke verifikator" in (await author.expect_edit(plan)).text

    verifier = server.private(sari)
    await verifier.expect()  # the draft itself
    request = await verifier.expect(contains="Perlu verifikasi")
    assert "🗓 Dijadwalkan: Setiap hari pukul 07.00 WIB, tanpa batas akhir" in request.text
    await verifier.press(request, "✅ Setujui & jadwalkan")
    approved = await verifier.expect_edit(request)
    assert "dijadwalkan" in approved.text
    assert "Selasa, 1 Desember 2026 07.00 WIB" in approved.text
    await bot.at(at(1, 6, 59))
    assert received(server, raci, POSYANDU) == []

    await bot.at(at(1, 7))
    [first] = await delivered(server, raci, POSYANDU, 1)
    assert "✅ Terverifikasi" in first.text
    assert await server.world.wait_until(
        lambda: any("selesai dikirim" in m.text for m in server.sent_to(budi.id)), 10
    )
    await bot.restart()
    await bot.at(at(2, 7))
    await delivered(server, raci, POSYANDU, 2)
    await bot.restart()
    await bot.at(at(3, 7))
    messages = await delivered(server, raci, POSYANDU, 3)
    numbers = {m.text.rsplit("Pengumuman ", 1)[1].split(" ")[0] for m in messages}
    assert len(numbers) == 3  # each run is its own announcement, like a manual send
    assert bot.app is not None
    runs = await bot.app.bot_data.db.fetchval("SELECT COUNT(*) FROM schedule_runs")
    assert runs == 3


async def test_missed_runs_inside_the_grace_are_sent_once_older_ones_reported(
    server: BotApiServer, bot: Runner, net: Network
) -> None:
    """Down 06.00–08.30: the 07.00 daily run is skipped and reported; of the 20-minute runs
    07.00–08.20 the ones within the hour coalesce into one send, the older ones are listed."""
    raci, budi = net.groups["KIM Raci"], net.villagers["Budi"]
    daily = await scheduled(bot, net, KERJA_BAKTI, rules.daily(datetime.min.time().replace(hour=7)))
    every_20 = rules.cron("*/20 7-8 * * *", now=bot.clock.now(), tz=WIB)
    await scheduled(bot, net, POSYANDU, every_20)
    await bot.at(at(1, 6))
    await bot.stop()
    bot.clock.set(at(1, 8, 30))
    await bot.start()  # the start itself catches up

    await delivered(server, raci, POSYANDU, 1)
    assert received(server, raci, KERJA_BAKTI) == []
    reports = await server.world.wait_until(
        lambda: len([m for m in server.sent_to(budi.id) if "terlewat" in m.text]) == 2, 5
    )
    assert reports
    daily_report, cron_report = sorted(
        (m for m in server.sent_to(budi.id) if "terlewat" in m.text), key=lambda m: m.text
    )
    assert f"Jadwal #{daily} terlewat" in daily_report.text
    assert "Selasa, 1 Desember 2026 07.00 WIB" in daily_report.text
    assert "07.00 WIB" in cron_report.text and "07.20 WIB" in cron_report.text
    assert "07.40" not in cron_report.text
    await bot.at(at(1, 8, 35))
    await delivered(server, raci, POSYANDU, 1)
    await bot.at(at(1, 8, 40))
    await delivered(server, raci, POSYANDU, 2)  # back on its rhythm


async def test_quiet_hours_hold_non_darurat_until_six_but_not_darurat(
    server: BotApiServer, bot: Runner, net: Network
) -> None:
    """Planned at 22.00: penting goes out at 06.00, darurat at 22.00; a send-now approval at
    22.30 waits for 06.00 too, and says so."""
    raci = net.groups["KIM Raci"]
    ten_pm = rules.once(at(1, 22).date(), at(1, 22).time(), now=bot.clock.now(), tz=WIB)
    await scheduled(bot, net, POSYANDU, ten_pm, Urgency.PENTING)
    await scheduled(bot, net, "Banjir: warga diminta mengungsi", ten_pm, Urgency.DARURAT)
    operator = server.private(net.villagers["Budi"])
    await operator.send("/jadwal")
    listing = await operator.expect(contains="Jadwal pengiriman")
    assert "Berikutnya: Rabu, 2 Desember 2026 06.00 WIB" in listing.text
    assert "Berikutnya: Selasa, 1 Desember 2026 22.00 WIB" in listing.text

    await bot.at(at(1, 22))
    await delivered(server, raci, "Banjir", 1)
    assert received(server, raci, POSYANDU) == []

    bot.clock.set(at(1, 22, 30))
    summary = await compose(server, net.villagers["Budi"], KERJA_BAKTI, "Biasa")
    await operator.press(summary, "📨 Kirim ke verifikator")
    verifier = server.private(net.villagers["Sari"])
    await verifier.expect()
    request = await verifier.expect(contains="Perlu verifikasi")
    await verifier.press(request, "✅ Setujui & kirim")
    held = await verifier.expect_edit(request)
    assert "jam tenang" in held.text and "Rabu, 2 Desember 2026 06.00 WIB" in held.text
    await bot.at(at(1, 23))
    assert received(server, raci, KERJA_BAKTI) == []

    await bot.at(at(2, 5, 59))
    assert received(server, raci, POSYANDU) == []
    await bot.at(at(2, 6))
    await delivered(server, raci, POSYANDU, 1)
    await delivered(server, raci, KERJA_BAKTI, 1)


async def test_jadwal_pauses_resumes_runs_now_and_deletes(
    server: BotApiServer, bot: Runner, net: Network
) -> None:
    """Every /jadwal button does what it says, and the schedule's runs follow."""
    raci = net.groups["KIM Raci"]
    schedule_id = await scheduled(
        bot, net, POSYANDU, rules.daily(datetime.min.time().replace(hour=7))
    )
    operator = server.private(net.villagers["Budi"])
    await operator.send("/jadwal")
    listing = await operator.expect(contains="Jadwal pengiriman")
    assert "Setiap hari pukul 07.00 WIB" in listing.text
    assert "Berikutnya: Selasa, 1 Desember 2026 07.00 WIB" in listing.text

    await operator.press(listing, f"⏸ Jeda #{schedule_id}")
    listing = await operator.expect_edit(listing)
    assert "⏸ dijeda" in listing.text
    await bot.at(at(1, 7))
    await bot.at(at(1, 7, 5))
    assert received(server, raci, POSYANDU) == []

    await operator.press(listing, f"▶️ Lanjutkan #{schedule_id}")
    listing = await operator.expect_edit(listing)
    assert "▶️ berjalan" in listing.text
    assert "Berikutnya: Rabu, 2 Desember 2026 07.00 WIB" in listing.text  # no make-up run

    started = await operator.press(listing, f"⚡ Kirim sekarang #{schedule_id}")
    assert started.text == "Pengiriman dimulai."
    await delivered(server, raci, POSYANDU, 1)
    assert "Berikutnya: Rabu, 2 Desember 2026 07.00 WIB" in listing.text  # an extra run

    await operator.press(listing, f"🗑 Hapus #{schedule_id}")
    confirm = await operator.expect_edit(listing)
    assert f"Hapus jadwal #{schedule_id}?" in confirm.text
    await operator.press(confirm, "✅ Ya, hapus")
    emptied = await operator.expect_edit(confirm)
    assert "Belum ada jadwal" in emptied.text
    await bot.at(at(2, 7))
    await delivered(server, raci, POSYANDU, 1)
    assert bot.app is not None
    status = await bot.app.bot_data.db.fetchval(
        "SELECT status FROM schedules WHERE id = ?", (schedule_id,)
    )
    assert status == "deleted"


async def test_sending_now_in_the_quiet_hours_waits_unless_darurat(
    server: BotApiServer, bot: Runner, net: Network
) -> None:
    """At night, "Kirim sekarang" tells a penting schedule to wait and sends nothing; a
    darurat one goes out at once."""
    raci = net.groups["KIM Raci"]
    calm = await scheduled(bot, net, POSYANDU, rules.daily(datetime.min.time().replace(hour=7)))
    alarm = await scheduled(
        bot, net, BANJIR, rules.daily(datetime.min.time().replace(hour=7)), Urgency.DARURAT
    )
    await bot.at(MONDAY.replace(hour=22))  # the same evening, before any 07.00 run
    operator = server.private(net.villagers["Budi"])
    await operator.send("/jadwal")
    listing = await operator.expect(contains="Jadwal pengiriman")
    refused = await operator.press(listing, f"⚡ Kirim sekarang #{calm}")
    assert refused.text is not None and "Sekarang jam tenang" in refused.text
    assert "06.00" in refused.text
    started = await operator.press(listing, f"⚡ Kirim sekarang #{alarm}")
    assert started.text == "Pengiriman dimulai."
    await delivered(server, raci, BANJIR, 1)
    assert received(server, raci, POSYANDU) == []


async def test_bad_input_in_the_scheduling_step_is_explained_and_nothing_is_stored(
    server: BotApiServer, bot: Runner, net: Network
) -> None:
    """A time already past today and a malformed cron expression get an explanation; a good
    cron expression then makes the plan."""
    budi = net.villagers["Budi"]
    author = server.private(budi)
    summary = await compose(server, budi, POSYANDU, "❗ Penting")
    await author.press(summary, "🗓 Jadwalkan lalu kirim ke verifikator")
    kinds = await author.expect_edit(summary)
    await author.press(kinds, "Sekali")
    days = await author.expect_edit(kinds)
    assert "Pilih tanggal pengiriman" in days.text
    await author.press(days, "30")  # today, Monday 30 November
    hours = await author.expect_edit(days)
    await author.press(hours, "08")
    minutes = await author.expect_edit(hours)
    refused = await author.press(minutes, "08.30")
    assert "sudah lewat" in (refused.text or "")
    assert bot.app is not None
    assert (
        await bot.app.bot_data.db.fetchval(
            "SELECT COUNT(*) FROM schedules WHERE kind = 'announcement'"
        )
        == 0
    )

    await author.press(minutes, "« Kembali")
    hours = await author.expect_edit(minutes)
    await author.press(hours, "« Kembali")
    kinds = await author.expect_edit(hours)
    await author.press(kinds, "Ekspresi cron")
    await author.expect_edit(kinds)
    prompt = await author.expect(contains="Tulis ekspresi cron")
    await author.send("0 7 * *", reply_to=prompt)
    problem = await author.expect(contains="tidak bisa dipakai")
    assert "tepat lima bagian" in problem.text
    prompt = await author.expect(contains="Tulis ekspresi cron")
    await author.send("0 7 * * 1-5", reply_to=prompt)
    plan = await author.expect(contains="Jadwal pengumuman")
    assert "Menurut cron 0 7 * * 1-5 (WIB)" in plan.text
    assert "Pengiriman pertama: Selasa, 1 Desember 2026 07.00 WIB" in plan.text


async def test_weekly_digest_replaces_individual_sends_for_those_who_chose_it(
    server: BotApiServer, bot: Runner, net: Network
) -> None:
    """A villager who turns on the digest in /profil gets the week's announcements in one
    Sunday message instead of each one; others still get each one."""
    assert bot.app is not None
    siti = await net.villager("Siti", kecamatan(BANGIL), "kesehatan")
    joko = await net.villager("Joko", kecamatan(BANGIL), "kesehatan")
    chat = server.private(siti)
    await chat.send("/profil")
    profile = await chat.expect()
    await chat.press(profile, "📰 Rangkuman mingguan: ☐ tidak aktif")
    profile = await chat.expect_edit(profile)
    assert "📰 Rangkuman mingguan: ✅ aktif" in profile.button_texts()

    once = rules.once(at(2, 9).date(), at(2, 9).time(), now=bot.clock.now(), tz=WIB)
    await scheduled(bot, net, POSYANDU, once)
    await bot.at(at(2, 9))
    await delivered(server, joko, POSYANDU, 1)
    assert received(server, siti, POSYANDU) == []

    await bot.at(at(6, 7, 59))
    assert received(server, siti, "Rangkuman mingguan") == []
    await bot.at(at(6, 8))
    [digest] = await delivered(server, siti, "Rangkuman mingguan", 1)
    assert POSYANDU in digest.text and "Kesehatan" in digest.text
    assert received(server, joko, "Rangkuman mingguan") == []
    await bot.restart()
    await bot.at(at(6, 8, 30))
    await delivered(server, siti, "Rangkuman mingguan", 1)
