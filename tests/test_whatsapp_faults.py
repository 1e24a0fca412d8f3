"""Meta's refusals, each handled by its rule: through the stand-in's scripted faults, a real
WhatsApp dispatcher and sender, and a real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest_asyncio

from bot import notices
from bot.whatsapp import contacts
from broadcasts import announcements, corrections, errands, outbox, whatsapp_messages
from tests.whatsapp_line import TZ, Line, started_line
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import TemplateMessage, TextMessage

BODY = "Pemadaman listrik terjadwal di Kecamatan Bangil, Kamis 09.00–12.00."


@pytest_asyncio.fixture
async def line(tmp_path: Path, whatsapp: WhatsAppSandbox) -> AsyncIterator[Line]:
    async with started_line(tmp_path, whatsapp) as started:
        yield started


async def _row(line: Line, name: str) -> tuple[str, str | None, int, float]:
    row = await line.db.fetchone(
        "SELECT status, reason, attempts, not_before FROM outbox WHERE chat_id = ?",
        (line.user_ids[name],),
    )
    assert row is not None
    return str(row[0]), row[1], int(row[2]), float(row[3])


async def test_numbers_without_whatsapp_fail_and_are_marked_unreachable(line: Line) -> None:
    """131026 fails the row "bukan_whatsapp", 131051 "tidak_didukung"; both people stop
    counting as reachable; the others get theirs."""
    await line.person("Tanpa WA", "6281200000009", on_whatsapp=False)
    lama = await line.person("HP Lama", "6281200000008")
    siti = await line.person("Siti", "6281200000001")
    assert lama is not None and siti is not None
    line.sandbox.faults.add(131051, to=lama)
    await line.start()
    state = await line.settled(await line.announce(BODY))
    assert state.failed_by_reason == {"bukan_whatsapp": 1, "tidak_didukung": 1}
    assert state.sent == 1
    await siti.expect(contains=BODY)
    assert lama.messages == []
    for name in ("Tanpa WA", "HP Lama"):
        reachable = await line.db.fetchval(
            "SELECT reachable FROM people WHERE user_id = ?", (line.user_ids[name],)
        )
        assert reachable == 0, name


async def test_stopped_marketing_is_marked_and_later_templates_are_not_tried(line: Line) -> None:
    """131050 marks the person and fails the row "menolak_pemasaran"; the next
    announcement's template to them fails the same way without a request."""
    budi = await line.person("Budi", "6281200000002", in_window=False)
    assert budi is not None
    budi.stop_marketing()
    await line.start()
    state = await line.settled(await line.announce(BODY))
    assert state.failed_by_reason == {"menolak_pemasaran": 1}
    contact = await contacts.find(line.db, line.user_ids["Budi"])
    assert contact is not None and contact.marketing_stopped
    calls = len(line.sandbox.calls)
    again = await line.settled(await line.announce("Pengumuman kedua."))
    assert again.failed_by_reason == {"menolak_pemasaran": 1}
    assert len(line.sandbox.calls) == calls
    assert budi.messages == []


async def test_rate_and_pair_limits_retry_without_counting_an_attempt(line: Line) -> None:
    """130429 and 131056 are retried until delivered, once each, no attempt counted."""
    siti = await line.person("Siti", "6281200000001")
    budi = await line.person("Budi", "6281200000002")
    assert siti is not None and budi is not None
    line.sandbox.faults.add(130429, to=siti, times=2)
    line.sandbox.faults.add(131056, to=budi, times=2)
    await line.start()
    state = await line.settled(await line.announce(BODY))
    assert state.sent == 2
    assert line.sandbox.stats.errors[130429] == 2 and line.sandbox.stats.errors[131056] == 2
    for person, name in ((siti, "Siti"), (budi, "Budi")):
        await person.expect(contains=BODY)
        await person.expect_nothing()
        assert (await _row(line, name))[2] == 1  # the one that went


async def test_server_errors_and_lost_connections_are_retried(line: Line) -> None:
    """A 5xx and a connection dropped before delivery are retried: one copy each."""
    siti = await line.person("Siti", "6281200000001")
    budi = await line.person("Budi", "6281200000002")
    assert siti is not None and budi is not None
    line.sandbox.faults.add("server_error", to=siti)
    line.sandbox.faults.add("disconnect", to=budi)
    await line.start()
    state = await line.settled(await line.announce(BODY))
    assert state.sent == 2
    assert [len(siti.messages), len(budi.messages)] == [1, 1]
    assert (await _row(line, "Siti"))[2] == 2  # the 5xx counted as an attempt


async def test_the_spam_limit_pauses_the_channel_and_alerts_once(line: Line) -> None:
    """131048: every row stays pending for hours, nothing more is sent, operators hear once."""
    people = [await line.person(f"Warga {n}", f"62812000001{n:02d}") for n in range(5)]
    line.sandbox.faults.add(131048, times=None)
    await line.start()
    announcement_id = await line.announce(BODY)
    await asyncio.wait_for(line.alarm.event.wait(), 10)

    async def all_put_off() -> bool:
        rows = await line.db.fetchall(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND not_before > ?",
            (line.clock.time() + 3600,),
        )
        return int(rows[0][0]) == 5

    await line.until(all_put_off)
    assert line.alarm.told == [("paused", "whatsapp 21600")]
    assert all(p is not None and p.messages == [] for p in people)
    assert line.sandbox.stats.errors[131048] <= 5
    assert (await outbox.progress(line.db, announcement_id)).pending == 5

    await line.stop()  # a restart during the rest: a new announcement waits too
    line.sandbox.faults.clear()
    await line.start()
    later = await line.announce(BODY)
    assert people[0] is not None
    await people[0].expect_nothing(within=0.5)  # a turn or two of the dispatcher, idle
    assert (await outbox.progress(line.db, later)).pending == 5
    assert all(p is not None and p.messages == [] for p in people)
    assert line.alarm.told == [("paused", "whatsapp 21600")]  # not told again


async def test_an_expired_token_stops_the_channel_and_alerts_once(line: Line) -> None:
    """190: the channel stops (rows stay pending, no attempt), operators hear once; a new
    process with a good token delivers them."""
    people = [await line.person(f"Warga {n}", f"62812000001{n:02d}") for n in range(4)]
    line.sandbox.token_expired = True
    await line.start()
    announcement_id = await line.announce(BODY)
    await asyncio.wait_for(line.alarm.event.wait(), 10)
    await line.stop()
    assert line.alarm.told == [("halted", "whatsapp")]
    state = await outbox.progress(line.db, announcement_id)
    assert state.pending == 4
    rows = await line.db.fetchall("SELECT attempts FROM outbox")
    assert [int(r[0]) for r in rows] == [0, 0, 0, 0]

    line.sandbox.token_expired = False
    await line.start()
    assert (await line.settled(announcement_id)).sent == 4
    for person in people:
        assert person is not None and len(person.messages) == 1


async def test_the_daily_tier_defers_the_next_person_to_midnight(line: Line) -> None:
    """With a tier of 2 people a day, a third person's template waits, pending with no
    attempt, until the next WIB midnight; texts inside the window do not count."""
    outside = [
        await line.person(f"Luar {n}", f"62812000002{n:02d}", in_window=False) for n in range(3)
    ]
    inside = await line.person("Siti", "6281200000001")
    await line.start(daily_limit=2)
    announcement_id = await line.announce(BODY)

    async def three_done() -> bool:
        return (await outbox.progress(line.db, announcement_id)).sent == 3

    await line.until(three_done)
    assert inside is not None and isinstance(inside.messages[0], TextMessage)
    reached = [p for p in outside if p is not None and p.messages]
    assert len(reached) == 2 and all(isinstance(p.messages[0], TemplateMessage) for p in reached)
    (waiting,) = [n for n, p in enumerate(outside) if p is not None and not p.messages]
    status, _, attempts, not_before = await _row(line, f"Luar {waiting}")
    today = datetime.now(TZ).date()
    midnight = datetime.combine(today + timedelta(days=1), time(), TZ)
    assert (status, attempts, not_before) == ("pending", 0, midnight.timestamp())


async def test_a_withdrawal_records_whatsapp_copies_as_undeletable(line: Line) -> None:
    """WhatsApp cannot delete a business message: the withdrawal counts it as staying."""
    siti = await line.person("Siti", "6281200000001")
    assert siti is not None
    await line.start()
    announcement_id = await line.announce(BODY)
    await line.settled(announcement_id)
    assert await announcements.finish(line.db, announcement_id, line.clock.now())
    assert await corrections.begin_withdrawal(
        line.db, announcement_id, actor_id=1, now=line.clock.now()
    )
    assert line.dispatcher is not None
    line.dispatcher.wake()

    async def withdrawn() -> bool:
        return (await errands.totals(line.db, announcement_id)).remaining == 0

    await line.until(withdrawn)
    assert await errands.totals(line.db, announcement_id) == errands.Withdrawal(0, 1, 0)
    assert len(siti.messages) == 1


async def test_a_refused_notice_waits_until_the_person_writes(line: Line) -> None:
    """Outside her window with promotional messages off, Siti's verdict is not dropped: it
    waits (a week at most), and goes as text as soon as she writes."""
    siti = await line.person("Siti", "6281200000009", in_window=False)
    assert siti is not None
    user_id = line.user_ids["Siti"]
    await contacts.set_marketing_stopped(line.db, user_id, True)
    async with line.db.transaction() as conn:
        await notices.enqueue(conn, user_id, "<b>Hasil pemeriksaan</b> laporan Anda: hoaks.")
    await line.start()

    async def put_off() -> bool:
        later = line.clock.time() + 24 * 3600
        return bool(await line.db.fetchval("SELECT COUNT(*) FROM notices WHERE not_before > ?",
                                           (later,)))  # fmt: skip

    await line.until(put_off)
    assert siti.messages == []
    await siti.send("halo")  # as the webhook records it: her window opens, the notice is due
    now = line.clock.now()
    await contacts.remember(line.db, "6281200000009", "Siti", now, now.timestamp())
    assert await whatsapp_messages.release_followups(line.db, user_id) == 1
    assert line.dispatcher is not None
    line.dispatcher.wake()
    verdict = await siti.expect(kind=TextMessage)
    assert verdict.text == "*Hasil pemeriksaan* laporan Anda: hoaks."

    async def sent() -> bool:
        return bool(await line.db.fetchval("SELECT COUNT(*) FROM notices") == 0)

    await line.until(sent)  # recorded once, and gone
    await siti.expect_nothing(within=0.3)
