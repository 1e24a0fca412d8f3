"""The edges of composing and delivering: stopping a running broadcast, the CSV of failures,
content that does not fit, stale buttons from villagers, and drafts without a target."""

from __future__ import annotations

import csv
import io

import pytest

from bot import audit, people, subscriptions, texts
from bot.people import Person
from bot.services import KimApp
from bot.settings import Settings
from bot.subscriptions import AreaRef, Scope
from bot.topics import BY_KEY
from botapi_sandbox import BotApiServer, FakeUser
from broadcasts import announcements, approval, outbox
from broadcasts.content import Body, Kind
from broadcasts.service import Broadcasting
from broadcasts.targets import Targets, Urgency
from handlers import siaran_buttons as siaran
from handlers.broadcast_history import Withdraw
from handlers.broadcast_verify import Approve, Reject
from tests.cards import card_with
from tests.test_broadcast_history import Bangil, bangil, deliver

__all__ = ["bangil"]  # a fixture shared with test_broadcast_history

SLOW_RATE = 20.0  # sends per second while a broadcast is being stopped


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "broadcast_rate": SLOW_RATE,
            "broadcast_group_interval": 0.3,
            "broadcast_private_interval": 0.1,
            "broadcast_retry_backoff": 30.0,  # a failed send waits: see the stop test
        }
    )


async def subscribers(server: BotApiServer, kimbot: KimApp, count: int) -> list[FakeUser]:
    """Villagers of Desa Raci who opened the bot and follow kesehatan (set up directly)."""
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    area = await subscriptions.resolve(db, AreaRef(Scope.DESA, "35.14.14.2011"))
    assert area is not None
    found = []
    for index in range(count):
        user = server.new_user(f"Warga {index}")
        server.unblock_bot(user)  # the private chat exists: the bot may write to it
        await people.remember(db, Person(user.id, user.first_name), now)
        await subscriptions.subscribe(
            db, user_id=user.id, area=area, topics=BY_KEY["kesehatan"].bit, now=now
        )
        found.append(user)
    return found


async def test_stopping_a_running_broadcast_skips_the_rest_and_reports_it(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """/batal_siaran stops a slow broadcast; the final report counts the skipped chats."""
    villagers = await subscribers(server, kimbot, 60)
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    draft = await announcements.create_draft(
        db, author_id=bangil.budi.id, body=Body(Kind.TEXT, "Pengumuman panjang antre"), now=now
    )
    await announcements.update_draft(
        db,
        draft,
        topic="kesehatan",
        urgency=Urgency.BIASA,
        targets=Targets(desa=("35.14.14.2011",)),
    )
    assert await announcements.submit(db, draft, actor_id=bangil.budi.id, now=now)
    await approval.approve(db, draft, verifier_id=bangil.sari.id, now=now)
    kimbot.bot_data.delivery.wake()
    await server.wait_for_call(
        "sendMessage", where=lambda r: r.params.get("chat_id") in {v.id for v in villagers}
    )

    operator = server.private(bangil.budi)
    await operator.send("/batal_siaran")
    choice = await operator.expect(contains="Pilih yang ingin dihentikan")
    await operator.press(choice, "⏹ Hentikan #1")
    stopped = await operator.expect_edit(choice)
    assert "Pengiriman #1 dihentikan" in stopped.text
    report = await operator.expect(contains="selesai dikirim")

    state = await outbox.progress(db, draft)
    total = len(villagers) + 3  # and KIM Raci, Siti (Raci) and Joko (all of Bangil)
    assert state.total == total and state.pending == 0 and state.failed == 0
    assert 0 < state.skipped < total
    assert f"Terkirim: {state.sent} dari {total}" in report.text
    assert f"Dilewati (dibatalkan): {state.skipped}" in report.text
    chats = [int(row[0]) for row in await db.fetchall("SELECT chat_id FROM outbox")]
    delivered = sum(1 for c in chats for m in server.sent_to(c) if "antre" in m.text)
    assert delivered == state.sent  # nothing went out after the stop


async def test_the_final_report_attaches_a_csv_of_failures(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """A blocked subscriber shows up in the report and in the attached CSV."""
    server.faults.add("blocked", chat_id=bangil.joko, times=None)
    await deliver(kimbot, server, bangil.budi, bangil.sari)
    document = server.sent_to(bangil.budi.id)[-1]
    assert document.kind == "document"
    assert document.filename == "gagal-pengumuman-1.csv"
    assert document.document is not None
    rows = list(csv.reader(io.StringIO(document.document.decode("utf-8"))))
    assert rows[0] == ["chat_id", "jenis", "alasan", "pesan_galat", "percobaan"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (str(bangil.joko.id), "pelanggan", "memblokir bot")
    ]


async def test_a_caption_over_the_limit_is_refused_and_nothing_is_stored(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """A photo whose caption cannot fit is refused at the content step, with the numbers."""
    operator = server.private(bangil.budi)
    await operator.send("/siaran")
    await operator.expect(contains="Pengumuman baru")
    await operator.send_photo(caption="Jadwal posyandu. " * 60)
    refusal = await operator.expect(contains="Keterangan terlalu panjang")
    assert "1020 karakter" in refusal.text
    assert await kimbot.bot_data.db.fetchval("SELECT COUNT(*) FROM announcements") == 0
    await operator.send_photo(caption="Jadwal posyandu bulan ini.")  # still at the same step
    await operator.expect(contains="topik")
    assert await kimbot.bot_data.db.fetchval("SELECT COUNT(*) FROM announcements") == 1


async def test_a_long_text_arrives_as_several_messages_split_between_paragraphs(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """6,000 characters reach a group as two messages: header first, footer and buttons last."""
    paragraphs = [f"Paragraf {i}: " + "informasi layanan kesehatan desa. " * 8 for i in range(22)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 5000
    await deliver(kimbot, server, bangil.budi, bangil.sari, text, Targets(desa=("35.14.14.2011",)))
    first, second = [m for m in server.sent_to(bangil.raci.id) if "Paragraf" in m.text]
    assert first.text.startswith("📢 Diskominfo Kabupaten Pasuruan")
    assert first.text.endswith(paragraphs[first.text.count("Paragraf") - 1].rstrip())
    assert second.text.startswith(paragraphs[first.text.count("Paragraf")])
    assert second.text.endswith("✅ Terverifikasi")
    assert first.buttons == [] and "👍 Bermanfaat" in second.button_texts()
    assert len(first.text) <= 4096 and len(second.text) <= 4096


async def test_a_villager_pressing_staff_buttons_is_refused_and_audited(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """Old or forged /siaran and verify buttons change nothing for a villager."""
    await deliver(kimbot, server, bangil.budi, bangil.sari)
    siti = server.private(bangil.siti)
    forged = tuple(
        data.encode()
        for data in (
            siaran.Toggle(1, siaran.Switch.KABUPATEN),
            siaran.Submit(1),
            Approve(1),
            Reject(1),
            Withdraw(1),
        )
    )
    message = await card_with(kimbot, bangil.siti.id, *forged)
    for data in forged:
        answer = await siti.press_data(message, data)
        assert answer.text == texts.NOT_ALLOWED_BUTTON and answer.show_alert, data
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert {e.object_id for e in denied} == {
        "siaran.button",
        "siaran.submit",
        "siaran.verify",
        "riwayat.button",
    }
    assert all(e.actor_id == bangil.siti.id for e in denied)
    sent = await announcements.get(kimbot.bot_data.db, 1)
    assert sent is not None and sent.status is announcements.Status.SENT


async def test_a_draft_without_an_area_cannot_be_previewed_or_submitted(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """Without an area the preview asks for one, and a forged submit is refused."""
    operator = server.private(bangil.budi)
    await operator.send("/siaran")
    await operator.expect(contains="Pengumuman baru")
    await operator.send("Kerja bakti hari Minggu.")
    topics = await operator.expect(contains="topik")
    await operator.press(topics, "Kesehatan")
    urgency = await operator.expect_edit(topics)
    await operator.press(urgency, "Biasa")
    panel = await operator.expect_edit(urgency)
    answer = await operator.press(panel, "Lanjut ke pratinjau »")
    assert answer.text == "Pilih dulu wilayahnya: seluruh kabupaten, kecamatan, atau desa."
    forged = await operator.press_data(panel, siaran.Submit(1).encode())
    assert forged.text == texts.STALE_BUTTON
    draft = await announcements.get(kimbot.bot_data.db, 1)
    assert draft is not None and draft.status is announcements.Status.DRAFT
    await operator.expect_nothing(within=0.2)
    assert server.sent_to(bangil.sari.id)[-1].text.startswith("Halo")  # no verify request


async def test_a_broadcast_stopped_while_waiting_for_retries_still_reports(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """Stopped while every row waits to be retried (nothing in flight), it still reports."""
    server.faults.add("server_error", times=None)
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    draft = await announcements.create_draft(
        db, author_id=bangil.budi.id, body=Body(Kind.TEXT, "Tertahan"), now=now
    )
    await announcements.update_draft(
        db,
        draft,
        topic="kesehatan",
        urgency=Urgency.BIASA,
        targets=Targets(kecamatan=("35.14.14",)),
    )
    assert await announcements.submit(db, draft, actor_id=bangil.budi.id, now=now)
    await approval.approve(db, draft, verifier_id=bangil.sari.id, now=now)
    kimbot.bot_data.delivery.wake()
    delivery = kimbot.bot_data.delivery
    assert isinstance(delivery, Broadcasting)

    def all_deferred() -> bool:
        errors = [r for r in server.calls("sendMessage") if r.status >= 500]
        return len(errors) == 4 and delivery.dispatcher.in_flight == 0

    assert await server.world.wait_until(all_deferred, 3.0)
    server.faults.clear()
    await delivery.progress.report_now()  # the 429's result is reported: nothing is dirty

    operator = server.private(bangil.budi)
    await operator.send("/batal_siaran")
    choice = await operator.expect(contains="Pilih yang ingin dihentikan")
    await operator.press(choice, "⏹ Hentikan #1")
    await operator.expect_edit(choice)
    report = await operator.expect(contains="selesai dikirim")
    assert "Terkirim: 0 dari 4" in report.text
    assert "Dilewati (dibatalkan): 4" in report.text
