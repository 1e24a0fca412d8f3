"""Announcements and notices reach WhatsApp subscribers through the WhatsApp dispatcher:
the full text inside the 24-hour window, the approved template outside it, the full text
after the person replies; the stand-in plays Meta and the villagers' phones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot import notices, subscriptions
from bot.whatsapp import contacts
from broadcasts import digest, outbox, whatsapp_messages
from broadcasts.content import Body, Kind
from tests.faultkit import approve_announcement
from tests.whatsapp_line import ORG, TZ, Line, started_line
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import TemplateMessage, TextMessage

BODY = (
    "Posyandu Desa Raci buka Sabtu pukul 08.00. Bawa buku KIA dan kartu BPJS. "
    "Imunisasi campak gratis untuk balita usia 9 bulan ke atas."
)


@pytest_asyncio.fixture
async def line(tmp_path: Path, whatsapp: WhatsAppSandbox) -> AsyncIterator[Line]:
    async with started_line(tmp_path, whatsapp) as started:
        yield started


async def test_text_inside_the_window_template_outside_then_the_full_text(line: Line) -> None:
    """Inside the window the full text with WhatsApp marks; outside it exactly one template
    (topic header, excerpt, quick reply); when that person writes, the full text follows."""
    siti = await line.person("Siti", "6281200000001")
    budi = await line.person("Budi", "6281200000002", in_window=False)
    assert siti is not None and budi is not None
    await line.start()
    announcement_id = await line.announce(BODY)
    state = await line.settled(announcement_id)
    assert (state.sent, state.failed) == (2, 0)

    text = await siti.expect(kind=TextMessage)
    assert text.text.startswith("*📢 Diskominfo Pasuruan*\n❗ PENTING · Kesehatan\n\nPosyandu")
    assert BODY in text.text and "_— Pengumuman #" in text.text
    template = await budi.expect(kind=TemplateMessage)
    assert isinstance(template, TemplateMessage)
    assert template.header == "Pengumuman Kesehatan"
    assert template.body_params == [BODY]
    assert [b.title for b in template.quick_replies] == ["Baca selengkapnya"]
    assert line.sandbox.stats.templates == 1
    assert line.sandbox.stats.errors[131047] == 0  # the bot knew whose window was closed
    await siti.expect_nothing()

    await budi.reply_button(template, "Baca selengkapnya")  # what the webhook then records:
    await contacts.remember(line.db, budi.wa_id, "Budi", line.clock.now(), line.clock.time())
    assert await whatsapp_messages.release_followups(line.db, line.user_ids["Budi"]) == 1
    assert line.dispatcher is not None
    line.dispatcher.wake()
    follow = await budi.expect(kind=TextMessage)
    assert follow.text == text.text
    assert await whatsapp_messages.release_followups(line.db, line.user_ids["Budi"]) == 0
    await budi.expect_nothing()


async def test_a_long_text_goes_as_an_excerpt_cut_at_a_word(line: Line) -> None:
    """The template's body parameter is the first characters on one line, cut at a word."""
    budi = await line.person("Budi", "6281200000002", in_window=False)
    assert budi is not None
    await line.start(excerpt_length=60)
    await line.settled(await line.announce("Baris satu.\n\n" + BODY))
    template = await budi.expect(kind=TemplateMessage)
    assert isinstance(template, TemplateMessage)
    (excerpt,) = template.body_params
    assert excerpt == "Baris satu. Posyandu Desa Raci buka Sabtu pukul 08.00. Bawa…"
    assert len(excerpt) <= 60


async def test_a_closed_window_meta_reports_resends_the_row_as_template(line: Line) -> None:
    """The bot thinks the window open but Meta answers 131047: the same row goes again at
    once as the template, and only the template reaches the phone."""
    budi = await line.person("Budi", "6281200000002", in_window=False)
    assert budi is not None
    await contacts.remember(line.db, budi.wa_id, "Budi", line.clock.now(), line.clock.time())
    await line.start()
    announcement_id = await line.announce(BODY)
    state = await line.settled(announcement_id)
    assert state.sent == 1
    await budi.expect(kind=TemplateMessage)
    await budi.expect_nothing()
    assert line.sandbox.stats.errors[131047] == 1
    rows = await line.db.fetchall("SELECT template, outbox_id FROM whatsapp_messages")
    assert [(int(r[0]), r[1] is not None) for r in rows] == [(1, True)]


async def test_a_notice_outside_the_window_goes_as_template_then_follows(line: Line) -> None:
    """A verdict for a reporter outside the window: the template headed with the office,
    the notice itself after they write."""
    budi = await line.person("Budi", "6281200000002", in_window=False)
    assert budi is not None
    await line.start()
    async with line.db.transaction() as conn:
        await notices.enqueue(conn, line.user_ids["Budi"], "Laporan Anda: <b>hoaks</b>.")
    assert line.dispatcher is not None
    line.dispatcher.wake()
    template = await budi.expect(kind=TemplateMessage)
    assert isinstance(template, TemplateMessage)
    assert template.header == "Kabar dari Diskominfo Pasuruan"
    assert template.body_params == ["Laporan Anda: *hoaks*."]
    await budi.send("apa kabarnya?")
    await contacts.remember(line.db, budi.wa_id, "Budi", line.clock.now(), line.clock.time())
    await whatsapp_messages.release_followups(line.db, line.user_ids["Budi"])
    line.dispatcher.wake()
    assert (await budi.expect(kind=TextMessage)).text == "Laporan Anda: *hoaks*."


@pytest.mark.parametrize("pair", [0.3])
async def test_three_notices_to_one_person_keep_the_pair_limit(line: Line, pair: float) -> None:
    """With Meta's pair limit enforced, three notices in a row to one person all arrive,
    spaced by the dispatcher, with no 131056."""
    siti = await line.person("Siti", "6281200000001")
    assert siti is not None
    line.sandbox.enforce_limits(speedup=6.0 / pair, daily_recipients=None)
    await line.start(pair_interval=pair + 0.05)
    async with line.db.transaction() as conn:
        for n in range(3):
            await notices.enqueue(conn, line.user_ids["Siti"], f"Kabar {n}")
    assert line.dispatcher is not None
    line.dispatcher.wake()
    for n in range(3):
        assert (await siti.expect(kind=TextMessage)).text == f"Kabar {n}"
    assert line.sandbox.stats.rate_limited == 0


async def _fail_by_status(line: Line, wamid: str, code: int, title: str) -> None:
    """What the webhook does with a `failed` status."""
    await whatsapp_messages.apply_status(line.db, wamid, "failed", error=f"{code} {title}")
    assert line.dispatcher is not None
    line.dispatcher.wake()


async def test_a_window_failure_by_status_sends_the_row_again_as_template(line: Line) -> None:
    """Meta accepts the text, then reports 131047 by status: the row is owed again and goes
    as the template; the report never counted it as failed."""
    budi = await line.person("Budi", "6281200000002", in_window=False)
    assert budi is not None
    await contacts.remember(line.db, budi.wa_id, "Budi", line.clock.now(), line.clock.time())
    line.sandbox.deferred_errors = True
    await line.start()
    announcement_id = await line.announce(BODY)
    assert (await line.settled(announcement_id)).sent == 1
    assert budi.messages == []
    (failed,) = [m for m in line.sandbox.messages.values() if m.status == "failed"]
    assert failed.error_code == 131047
    await _fail_by_status(line, failed.id, 131047, "Re-engagement message")
    template = await budi.expect(kind=TemplateMessage)
    assert isinstance(template, TemplateMessage) and template.body_params == [BODY]
    state = await line.settled(announcement_id)
    assert (state.sent, state.failed) == (1, 0)
    rows = await line.db.fetchall("SELECT template, status FROM whatsapp_messages ORDER BY id")
    assert [(int(r[0]), str(r[1])) for r in rows] == [(0, "failed"), (1, "accepted")]


async def test_the_messaging_tier_reported_by_status_fails_the_row(line: Line) -> None:
    """Meta's tier (131049, only by status) fails the row "batas_harian" and its full text
    is no longer owed."""
    people = [
        await line.person(f"Luar {n}", f"62812000002{n:02d}", in_window=False) for n in range(2)
    ]
    line.sandbox.enforce_limits(daily_recipients=1)
    await line.start()
    announcement_id = await line.announce(BODY)
    assert (await line.settled(announcement_id)).sent == 2
    (failed,) = [m for m in line.sandbox.messages.values() if m.status == "failed"]
    await _fail_by_status(line, failed.id, 131049, "Message failed to send")
    state = await outbox.progress(line.db, announcement_id)
    assert (state.sent, state.failed_by_reason) == (1, {"batas_harian": 1})
    late = next(p for p in people if p is not None and not p.messages)
    user_id = await contacts.by_phone(line.db, late.wa_id)
    assert user_id is not None
    assert await whatsapp_messages.release_followups(line.db, user_id) == 0


async def test_each_person_gets_it_once_across_a_restart(line: Line) -> None:
    """A stop halfway leaves the rest pending and a new process sends only those; the one
    answer lost after delivery is sent again (the outbox's rule: never lose a message), so
    that person alone has two copies."""
    people = [await line.person(f"Warga {n}", f"62812000003{n:02d}") for n in range(12)]
    lost = people[3]
    assert lost is not None
    line.sandbox.faults.add("disconnect_after_delivery", to=lost)
    await line.start(per_second=10)  # slow enough to stop halfway
    announcement_id = await line.announce(BODY)

    async def some_sent() -> bool:
        return (await outbox.progress(line.db, announcement_id)).sent >= 4

    await line.until(some_sent)
    await line.stop()
    assert (await outbox.progress(line.db, announcement_id)).pending > 0
    await line.start(per_second=10)
    assert (await line.settled(announcement_id)).sent == 12
    copies = [len(p.messages) for p in people if p is not None]
    assert copies == [2 if p is lost else 1 for p in people]


async def test_a_whatsapp_reader_gets_the_weekly_digest_on_whatsapp(line: Line) -> None:
    """The digest run writes a WhatsApp notice, not a Telegram digest row, and it arrives."""
    siti = await line.person("Siti", "6281200000001")
    assert siti is not None
    await subscriptions.toggle_weekly_digest(line.db, line.user_ids["Siti"])
    await line.person("Budi", "6281200000002")  # reads each announcement as it comes
    announcement_id = await line.announce(BODY)
    now = line.clock.now()
    async with line.db.transaction() as conn:
        readers = await digest.enqueue(
            conn,
            line.db,
            0,
            since=now - timedelta(days=7),
            until=now + timedelta(seconds=1),
            tz=TZ,
            organization=ORG,
        )
    assert readers == 1
    assert await digest.pending(line.db) == []
    await line.start()
    text = await siti.expect(kind=TextMessage, contains="*Rangkuman mingguan")
    assert f"#{announcement_id}" in text.text and "<b>" not in text.text
    assert text.text.endswith("_Ubah pilihan ini: tulis DAFTAR. Berhenti: tulis BERHENTI._")


async def test_a_photo_announcement_goes_as_its_caption_with_a_pointer(line: Line) -> None:
    """WhatsApp readers get a photo's caption and a line saying the picture is on Telegram;
    outside the window the template's excerpt is the caption."""
    siti = await line.person("Siti", "6281200000001")
    budi = await line.person("Budi", "6281200000002", in_window=False)
    assert siti is not None and budi is not None
    await line.start()
    body = Body(Kind.PHOTO, "Peta jalur evakuasi banjir.", file_id="photo-1")
    announcement_id = await approve_announcement(
        line.db, author=1, verifier=2, text=body, topic="kesehatan", now=line.clock.now()
    )
    await line.settled(announcement_id)
    text = (await siti.expect(kind=TextMessage)).text
    assert "Peta jalur evakuasi banjir.\n\n📎 Foto pengumuman ini ada di Telegram" in text
    template = await budi.expect(kind=TemplateMessage)
    assert isinstance(template, TemplateMessage)
    assert template.body_params == ["Peta jalur evakuasi banjir."]
