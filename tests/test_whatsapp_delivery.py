"""Announcements and notices reach WhatsApp subscribers through the WhatsApp dispatcher:
the full text inside the 24-hour window, the approved template outside it, the full text
after the person replies; the stand-in plays Meta and the villagers' phones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot import notices
from bot.whatsapp import contacts
from broadcasts import whatsapp_messages
from tests.whatsapp_line import Line, open_db, register_template
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import TemplateMessage, TextMessage

BODY = (
    "Posyandu Desa Raci buka Sabtu pukul 08.00. Bawa buku KIA dan kartu BPJS. "
    "Imunisasi campak gratis untuk balita usia 9 bulan ke atas."
)


@pytest_asyncio.fixture
async def line(tmp_path: Path, whatsapp: WhatsAppSandbox) -> AsyncIterator[Line]:
    register_template(whatsapp)
    db = await open_db(tmp_path)
    line = Line(db, whatsapp)
    try:
        yield line
    finally:
        await line.stop()
        await db.close()


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
