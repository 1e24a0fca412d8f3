"""Steps that wait for a typed answer expire after WAITING_STEP_TIMEOUT and say so; a command
always wins over a waiting step; a newer step replaces an older one."""

from __future__ import annotations

from bot import texts
from bot.people import Role
from bot.services import KimApp
from bot.texts import kim as kim_texts
from bot.texts import siaran
from botapi_sandbox import BotApiServer, ChatSession, FakeUser
from tests.network import Network
from tests.test_kim_groups import _group_with_bot

RUMOUR = "Bantuan beras 10 kg bisa diambil di balai desa dengan menunjukkan foto KTP. Sebarkan!"
LATE = 10 * 60 + 5  # seconds: just past the default ten minutes
IN_TIME = 10 * 60 - 5


async def _started(server: BotApiServer, user: FakeUser) -> ChatSession:
    chat = server.private(user)
    await chat.send("/start")
    await chat.expect()
    return chat


async def _count(kimbot: KimApp, table: str) -> int:
    found = await kimbot.bot_data.db.fetchval(f"SELECT COUNT(*) FROM {table}")
    assert isinstance(found, int)
    return found


async def test_unfinished_lapor_expires_and_says_so(server: BotApiServer, kimbot: KimApp) -> None:
    """/lapor answered after ten minutes: "expired", nothing filed, and the step is over."""
    chat = await _started(server, server.new_user("Siti"))
    await chat.send("/lapor")
    await chat.expect(contains="Laporkan kabar mencurigakan")
    server.advance_clock(LATE)
    await chat.send(RUMOUR)
    expired = await chat.expect(contains="/lapor tadi sudah lewat 10 menit")
    assert "ketik /lapor untuk mulai lagi" in expired.text
    assert await _count(kimbot, "hoax_reports") == 0
    await chat.send(RUMOUR)
    await chat.expect(contains=texts.OUTSIDE_FLOW)
    assert await _count(kimbot, "hoax_reports") == 0


async def test_lapor_answered_in_time_is_filed(server: BotApiServer, kimbot: KimApp) -> None:
    """Just under ten minutes after /lapor, the message is still the report."""
    chat = await _started(server, server.new_user("Joko"))
    await chat.send("/lapor")
    await chat.expect()
    server.advance_clock(IN_TIME)
    await chat.forward(RUMOUR, from_user=server.new_user("Penyebar"))
    await chat.expect(contains="Laporan Anda tercatat")
    assert await _count(kimbot, "hoax_reports") == 1


async def test_a_command_ends_the_waiting_step(server: BotApiServer, kimbot: KimApp) -> None:
    """/cek after /lapor runs /cek, and the next text is no longer taken as the report."""
    chat = await _started(server, server.new_user("Wati"))
    await chat.send("/lapor")
    await chat.expect()
    await chat.send(f"/cek {RUMOUR}")
    await chat.expect(contains="belum ada di basis data")
    await chat.send(RUMOUR)
    await chat.expect(contains=texts.OUTSIDE_FLOW)
    assert await _count(kimbot, "hoax_reports") == 0


async def test_batal_ends_the_step_once(server: BotApiServer, kimbot: KimApp) -> None:
    """/batal during /lapor cancels it; a second /batal says nothing is running."""
    chat = await _started(server, server.new_user("Rudi"))
    await chat.send("/lapor")
    await chat.expect()
    await chat.send("/batal")
    assert (await chat.expect()).text == texts.CANCELLED
    await chat.send("/batal")
    assert (await chat.expect()).text == texts.NOTHING_TO_CANCEL
    await chat.send(RUMOUR)
    await chat.expect(contains=texts.OUTSIDE_FLOW)
    assert await _count(kimbot, "hoax_reports") == 0


async def test_siaran_content_step_expires(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """An announcement typed ten minutes after /siaran is not a draft; "expired" says why."""
    chat = await _started(server, admin)
    await chat.send("/siaran")
    await chat.expect(contains="Pengumuman baru")
    server.advance_clock(LATE)
    await chat.send("Posyandu Desa Raci buka Sabtu pukul 08.00.")
    await chat.expect(contains="/siaran tadi sudah lewat 10 menit")
    assert await _count(kimbot, "announcements") == 0


async def test_second_siaran_restarts_the_flow(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """A second /siaran asks for the content again, and one draft follows one content."""
    chat = await _started(server, admin)
    await chat.send("/siaran")
    await chat.expect(contains="Pengumuman baru")
    server.advance_clock(IN_TIME)
    await chat.send("/siaran")
    await chat.expect(contains="Pengumuman baru")
    server.advance_clock(IN_TIME)  # the time counts from the second question
    await chat.send("Posyandu Desa Raci buka Sabtu pukul 08.00.")
    await chat.expect(contains=siaran.ASK_TOPIC.split("<b>")[0])
    assert await _count(kimbot, "announcements") == 1


async def test_verifier_id_after_siaran_is_not_taken_as_a_draft(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """/siaran, then "➕ Verifikator" on an older list, then a typed id minutes later: the id
    appoints the verifier and no draft is made."""
    sari = server.new_user("Sari")
    await _started(server, sari)
    chat = await _started(server, admin)
    await chat.send("/operator")
    listing = await chat.expect(contains="Belum ada operator")
    await chat.send("/siaran")
    await chat.expect(contains="Pengumuman baru")
    await chat.press(listing, "➕ Verifikator")
    await chat.expect(contains="verifikator")
    server.advance_clock(3 * 60)
    await chat.send(str(sari.id))
    assert (await chat.expect()).text == "✅ Sari sekarang verifikator."
    assert await _count(kimbot, "announcements") == 0


async def test_staff_picker_step_expires(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """An id typed ten minutes after "➕ Operator" appoints nobody and removes the picker."""
    budi = server.new_user("Budi")
    chat = await _started(server, admin)
    await chat.send("/operator")
    listing = await chat.expect()
    await chat.press(listing, "➕ Operator")
    await chat.expect()
    server.advance_clock(LATE)
    await chat.send(str(budi.id))
    expired = await chat.expect(contains="/operator tadi sudah lewat 10 menit")
    assert expired.reply_markup == {"remove_keyboard": True}
    assert await _count(kimbot, "staff") == 0


async def test_late_reply_to_the_explanation_prompt_decides_nothing(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """The verdict's explanation typed ten minutes after its prompt is refused as expired."""
    net = Network(server, kimbot)
    budi = await net.staff("Budi", Role.OPERATOR)
    villager = await _started(server, server.new_user("Siti"))
    await villager.send(f"/lapor {RUMOUR}")
    await villager.expect(contains="tercatat")
    operator = server.private(budi)
    await operator.expect(contains="Laporan hoaks baru")
    await operator.send("/antrian")
    queue = await operator.expect(contains="Antrian laporan hoaks")
    await operator.press(queue, "#1 · 1 laporan")
    panel = await operator.expect(contains="Pilih putusan")
    await operator.press(panel, "Hoaks")
    prompt = await operator.expect(contains="Tulis penjelasan untuk kasus #1")
    server.advance_clock(LATE)
    await operator.send("Bantuan beras tidak dibagikan dengan foto KTP.", reply_to=prompt)
    expired = await operator.expect(contains="Pertanyaan ini sudah lewat 10 menit")
    assert "tidak dipakai" in expired.text
    await operator.expect_nothing(within=0.3)
    explanation = await kimbot.bot_data.db.fetchval("SELECT pending_explanation FROM hoax_cases")
    assert not explanation


async def test_late_kim_name_reply_registers_nothing(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """A KIM name replied ten minutes after the group's name prompt is refused as expired."""
    sari = server.new_user("Sari")
    group = await _group_with_bot(server, sari, "KIM Raci")
    g = server.in_group(group, sari)
    await g.send("/daftarkim")
    menu = await g.expect(contains="kecamatan")
    await g.press(menu, "Bangil")
    page = await g.expect_edit(menu)
    await g.press(page, "›")
    page = await g.expect_edit(menu)
    await g.press(page, "Raci")
    await g.expect_edit(menu)
    prompt = await g.expect(contains=kim_texts.NAME_PROMPT_MARK)
    server.advance_clock(LATE)
    await g.send("KIM Raci Maju", reply_to=prompt)
    await g.expect(contains="Pertanyaan ini sudah lewat 10 menit")
    assert await _count(kimbot, "registrations") == 0


async def test_picker_used_after_a_command_appoints_nobody(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """ "➕ Operator", then /status, then a person from the picker: no one is appointed, the
    picker gets a short answer and goes away."""
    budi = server.new_user("Budi")
    chat = await _started(server, admin)
    await chat.send("/operator")
    listing = await chat.expect()
    await chat.press(listing, "➕ Operator")
    await chat.expect()
    await chat.send("/status")
    await chat.expect(contains="kecamatan")
    await chat.share_users([budi])
    stale = await chat.expect()
    assert stale.text == texts.STALE_BUTTON
    assert stale.reply_markup == {"remove_keyboard": True}
    assert await _count(kimbot, "staff") == 0
