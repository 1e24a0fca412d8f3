"""/riwayat, /statistik and withdrawing: what operators see about past announcements, and
taking one back from every chat Telegram still allows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot import audit, regions, texts
from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer, FakeChat, FakeUser, SentMessage
from broadcasts import announcements, approval, corrections
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets, Urgency
from tests.network import Network, desa, kecamatan

TEXT = "Vaksinasi gratis di puskesmas Bangil, Senin pukul 08.00."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Per-chat spacing ten times shorter, so a delete right after the send waits briefly."""
    return settings.model_copy(
        update={"broadcast_group_interval": 0.3, "broadcast_private_interval": 0.1}
    )


@dataclass
class Bangil:
    """Two KIM in Bangil (Raci and another desa), one in Gempol, and three villagers."""

    net: Network
    raci: FakeChat
    other: FakeChat
    other_desa: str
    gempol: FakeChat
    siti: FakeUser  # Raci, kesehatan
    joko: FakeUser  # Kecamatan Bangil, kesehatan
    wawan: FakeUser  # Gempol, kesehatan
    budi: FakeUser  # operator
    sari: FakeUser  # verifier


@pytest.fixture
async def bangil(server: BotApiServer, kimbot: KimApp) -> Bangil:
    net = Network(server, kimbot)
    db = kimbot.bot_data.db
    pak_rt = server.new_user("Pak RT")
    other = next(d for d in await regions.desa_of(db, "35.14.14") if d.name != "Raci")
    gempol = (await regions.desa_of(db, "35.14.12"))[0]
    return Bangil(
        net=net,
        raci=await net.kim_group("KIM Raci", "35.14.14.2011", pak_rt),
        other=await net.kim_group(f"KIM {other.name}", other.code, pak_rt),
        other_desa=other.display,
        gempol=await net.kim_group("KIM Gempol", gempol.code, pak_rt),
        siti=await net.villager("Siti", desa("35.14.14.2011"), "kesehatan"),
        joko=await net.villager("Joko", kecamatan("35.14.14"), "kesehatan"),
        wawan=await net.villager("Wawan", desa(gempol.code), "kesehatan"),
        budi=await net.staff("Budi", Role.OPERATOR),
        sari=await net.staff("Sari", Role.VERIFIER),
    )


async def deliver(
    kimbot: KimApp,
    server: BotApiServer,
    author: FakeUser,
    verifier: FakeUser,
    text: str = TEXT,
    targets: Targets | None = None,
) -> int:
    """An announcement composed and approved directly (the chat flow is tested in
    test_broadcasts), delivered to the end: returns its id once the author has the report."""
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    draft = await announcements.create_draft(
        db, author_id=author.id, body=Body(Kind.TEXT, text), now=now
    )
    await announcements.update_draft(
        db,
        draft,
        topic="kesehatan",
        urgency=Urgency.BIASA,
        targets=targets or Targets(kecamatan=("35.14.14",)),
    )
    assert await announcements.submit(db, draft, actor_id=author.id, now=now)
    result = await approval.approve(db, draft, verifier_id=verifier.id, now=now)
    assert result.result is approval.ApprovalResult.APPROVED
    kimbot.bot_data.delivery.wake()
    chat = server.private(author)
    report = await chat.expect(contains=f"Pengumuman #{draft} selesai dikirim")
    if "Gagal" in report.text:
        await chat.expect(contains="gagal")  # the CSV of failures
    return draft


def copy_in(server: BotApiServer, chat: FakeChat | FakeUser, text: str = TEXT) -> SentMessage:
    [message] = [m for m in server.sent_to(chat.id) if text in m.text]
    return message


async def test_history_shows_delivery_votes_relays_and_reach_per_desa(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """/riwayat counts sent/total, failures, votes and relays; details show reach per desa."""
    server.faults.add("blocked", chat_id=bangil.joko, times=None)
    await deliver(kimbot, server, bangil.budi, bangil.sari)
    siti = server.private(bangil.siti)
    await siti.press(copy_in(server, bangil.siti), "👍 Bermanfaat")
    member = server.new_user("Anggota")
    await server.join(bangil.raci, member)
    await server.in_group(bangil.raci, member).press(
        copy_in(server, bangil.raci), "✅ Sudah diteruskan ke warga"
    )

    operator = server.private(bangil.budi)
    await operator.send("/riwayat")
    listing = await operator.expect(contains="Riwayat pengumuman")
    assert "#1 · Kesehatan · " in listing.text
    assert "✅ terkirim" in listing.text
    assert "Terkirim 3/4 · gagal 1 · 👍 1 · 👎 0 · ✅ diteruskan 1 grup" in listing.text

    await operator.press(listing, "🔎 #1")
    details = await operator.expect_edit(listing)
    assert "Raci (Kec. Bangil): 1/1 terkirim · 1 diteruskan" in details.text
    assert f"{bangil.other_desa} (Kec. Bangil): 1/1 terkirim · 0 diteruskan" in details.text
    assert "Gempol" not in details.text  # not targeted
    assert details.button_texts() == ["🗑 Tarik", "✏️ Ralat", "« Riwayat"]
    await operator.press(details, "« Riwayat")
    assert "Riwayat pengumuman" in (await operator.expect_edit(details)).text


async def test_statistics_show_this_and_last_month(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """/statistik totals the month's announcements, deliveries, failures and feedback."""
    server.faults.add("blocked", chat_id=bangil.joko, times=None)
    await deliver(kimbot, server, bangil.budi, bangil.sari)
    await server.private(bangil.siti).press(copy_in(server, bangil.siti), "👎 Kurang jelas")
    await server.join(bangil.raci, bangil.siti)
    await server.in_group(bangil.raci, bangil.siti).press(
        copy_in(server, bangil.raci), "✅ Sudah diteruskan ke warga"
    )
    now = kimbot.bot_data.clock.now()
    this_month = f"{texts.MONTHS[now.month - 1]} {now.year}"
    last = (now.month - 2) % 12
    last_month = f"{texts.MONTHS[last]} {now.year if now.month > 1 else now.year - 1}"

    staff = server.private(bangil.sari)  # a verifier is staff too
    await staff.send("/statistik")
    stats = await staff.expect(contains="Statistik pengumuman")
    current, previous = stats.text.split(last_month)
    assert this_month in current
    assert "Pengumuman dikirim: 1" in current
    assert "Pesan terkirim: 3 · gagal: 1" in current
    assert "Tanggapan: 👍 0 · 👎 1" in current
    assert "Diteruskan grup KIM: 1" in current
    assert "Pengumuman dikirim: 0" in previous
    assert "Pesan terkirim: 0 · gagal: 0" in previous


async def test_villagers_cannot_see_history_or_statistics(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """/riwayat is for operators and /statistik for staff; refusals are audited."""
    siti = server.private(bangil.siti)
    await siti.send("/riwayat")
    assert (await siti.expect()).text == texts.NOT_ALLOWED
    await siti.send("/statistik")
    assert (await siti.expect()).text == texts.NOT_ALLOWED
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert {entry.object_id for entry in denied} >= {"/riwayat", "/statistik"}


async def test_withdraw_deletes_everywhere_still_allowed_and_reports_the_rest(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """Withdrawal deletes from groups and subscribers; a message over 48 h old stays."""
    announcement_id = await deliver(kimbot, server, bangil.budi, bangil.sari)
    server.age_message(copy_in(server, bangil.other), 49 * 3600)

    operator = server.private(bangil.budi)
    await operator.send("/riwayat")
    listing = await operator.expect(contains="Riwayat")
    await operator.press(listing, "🔎 #1")
    details = await operator.expect_edit(listing)
    await operator.press(details, "🗑 Tarik")
    confirm = await operator.expect_edit(details)
    assert "Tarik pengumuman #1?" in confirm.text
    await operator.press(confirm, "✅ Ya, tarik")
    assert "Menarik pengumuman #1" in (await operator.expect_edit(confirm)).text
    summary = await operator.expect(contains="ditarik")
    assert "dihapus dari 3 chat, 1 sudah lewat 48 jam / tidak bisa dihapus" in summary.text

    for chat in (bangil.raci, bangil.siti, bangil.joko):
        assert copy_in(server, chat).deleted, chat
    assert not copy_in(server, bangil.other).deleted
    db = kimbot.bot_data.db
    withdrawn = await announcements.get(db, announcement_id)
    assert withdrawn is not None and withdrawn.status is announcements.Status.WITHDRAWN
    [entry] = await audit.entries(db, action="announcement.withdraw")
    assert entry.actor_id == bangil.budi.id

    # Pressing it again (as after an interruption) reports the same and deletes nothing twice.
    calls = len(server.calls("deleteMessage"))
    await operator.send("/riwayat")
    listing = await operator.expect(contains="Riwayat")
    await operator.press(listing, "🔎 #1")
    details = await operator.expect_edit(listing)
    await operator.press(details, "🗑 Tarik")
    await operator.press(await operator.expect_edit(details), "✅ Ya, tarik")
    again = await operator.expect(contains="ditarik")
    assert "dihapus dari 3 chat, 1 sudah lewat 48 jam" in again.text
    assert len(server.calls("deleteMessage")) == calls


async def test_an_interrupted_withdrawal_resumes_with_the_rows_not_done(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """Rows already withdrawn are skipped; the dispatcher deletes the rest by itself."""
    announcement_id = await deliver(kimbot, server, bangil.budi, bangil.sari)
    db = kimbot.bot_data.db
    async with db.transaction() as conn:  # as if the bot stopped after the first two rows
        await conn.execute(
            "UPDATE announcements SET status = 'withdrawn' WHERE id = ?", (announcement_id,)
        )
        await conn.execute(
            "UPDATE outbox SET withdrawn = 1 WHERE id IN"
            " (SELECT id FROM outbox WHERE announcement_id = ? ORDER BY priority, id LIMIT 2)",
            (announcement_id,),
        )
    assert await corrections.begin_withdrawal(
        db,
        announcement_id,
        actor_id=bangil.budi.id,
        now=kimbot.bot_data.clock.now(),
        report_to=bangil.budi.id,
    )
    kimbot.bot_data.delivery.wake()
    summary = await server.private(bangil.budi).expect(contains="ditarik")
    assert "dihapus dari 4 chat, 0 sudah lewat 48 jam" in summary.text
    assert len(server.calls("deleteMessage")) == 2
    assert (
        sum(copy_in(server, c).deleted for c in (bangil.raci, bangil.other))
        + sum(copy_in(server, v).deleted for v in (bangil.siti, bangil.joko))
        == 2
    )
