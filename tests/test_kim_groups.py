"""KIM groups as their admins and the office's operators live it: adding the bot, /daftarkim
by buttons and a reply, the operator's decision, /infokim, migration, removal, blocking."""

from __future__ import annotations

from datetime import datetime

from bot import audit, chats, kim, people
from bot.app import build_application, running
from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings
from bot.updates import PerChatUpdateProcessor
from botapi_sandbox import BotApiServer, ChatSession, FakeChat, FakeUser, SentMessage
from handlers.kim_groups import DesaPage

RACI = "35.14.14.2011"
BANGIL = "35.14.14"


async def _operator_chat(server: BotApiServer, user: FakeUser) -> ChatSession:
    """The private chat of staff who started the bot (so the bot can write to them)."""
    chat = server.private(user)
    await chat.send("/start")
    await chat.expect()
    return chat


async def _group_with_bot(server: BotApiServer, admin: FakeUser, title: str) -> FakeChat:
    group = server.new_group(title, admins=[admin])
    await server.add_bot_to(group, by=admin)
    await server.in_group(group, admin).expect(contains="/daftarkim")
    return group


async def _register_raci(g: ChatSession, name: str | None) -> SentMessage:
    """/daftarkim → Bangil → next page → Raci → a typed name (or the default button)."""
    await g.send("/daftarkim")
    menu = await g.expect(contains="kecamatan")
    await g.press(menu, "Bangil")
    page = await g.expect_edit(menu)
    assert "halaman 1 dari 2" in page.text
    assert "Raci" not in page.button_texts()
    await g.press(page, "›")
    page = await g.expect_edit(menu)
    await g.press(page, "Raci")
    chosen = await g.expect_edit(menu)
    assert "Desa Raci, Kecamatan Bangil" in chosen.text
    prompt = await g.expect(contains="Nama KIM")
    assert prompt.reply_markup is not None and prompt.reply_markup.get("force_reply") is True
    if name is None:
        await g.press(chosen, "Pakai nama 'KIM Raci'")
        return await g.expect_edit(menu)
    await g.send(name, reply_to=prompt)
    return await g.expect(contains="sudah dikirim")


async def test_admin_registers_raci_and_operator_approves(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Buttons and a replied name make a pending KIM of Raci; Setujui makes it official."""
    ops = await _operator_chat(server, admin)
    sari = server.new_user("Sari", username="sari_raci")
    group = await _group_with_bot(server, sari, "KIM Raci")
    g = server.in_group(group, sari)
    await g.expect_nothing(within=0.2)  # one greeting, not one more for the service message

    submitted = await _register_raci(g, "KIM Raci Maju")
    assert "KIM Raci Maju" in submitted.text

    card = await ops.expect(contains="Pendaftaran KIM")
    for expected in ("KIM Raci", "Bangil", "Raci", "KIM Raci Maju", "Diminta oleh: Sari"):
        assert expected in card.text
    assert card.button_texts() == ["✅ Setujui", "❌ Tolak"]
    await ops.press(card, "Setujui")
    decided = await ops.expect_edit(card)
    assert "Disetujui</b> oleh Rina Admin" in decided.html
    assert decided.buttons == []

    welcome = await g.expect(contains="resmi")
    assert "KIM Desa Raci, Kecamatan Bangil" in welcome.text

    db = kimbot.bot_data.db
    registration = await kim.live_for_chat(db, group.id)
    assert registration is not None
    assert (registration.status, registration.desa_code, registration.kecamatan_code) == (
        kim.Status.APPROVED,
        RACI,
        BANGIL,
    )
    assert registration.name == "KIM Raci Maju"
    assert [t.chat_id for t in await kim.active_groups(db, desa_codes=[RACI])] == [group.id]
    actions = [e.action for e in await audit.entries(db)]
    assert {"chat.join", "kim.request", "kim.approve"} <= set(actions)

    # the approved KIM now counts in the coverage the office reads
    await ops.send("/cakupan")
    table = await ops.expect(contains="Cakupan KIM")
    bangil = next(line for line in table.text.splitlines() if line.startswith("Bangil "))
    assert bangil.split()[:2] == ["Bangil", "1/15"]
    assert "1 dari 365 desa (0,3%)" in table.text
    await ops.press(table, "📊 Grafik")
    chart = await ops.expect()
    assert chart.kind == "photo"
    assert chart.photo is not None and chart.photo.startswith(b"\x89PNG")


async def test_refusals_non_admin_private_and_foreign_presses(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """A member's /daftarkim and a private /daftarkim are refused; others can't press the flow."""
    sari = server.new_user("Sari")
    joko = server.new_user("Joko")
    group = server.new_group("Warga Raci", admins=[sari], members=[joko])
    await server.add_bot_to(group, by=sari)
    member = server.in_group(group, joko)
    await member.expect(contains="/daftarkim")

    await member.send("/daftarkim")
    refusal = await member.expect()
    assert refusal.text == "Maaf, hanya admin grup ini yang bisa mendaftarkan grup. 🙏"
    assert refusal.buttons == []
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert [(e.actor_id, e.object_id) for e in denied] == [(joko.id, "/daftarkim")]

    private = server.private(sari)
    await private.send("/daftarkim")
    assert "dipakai di grup" in (await private.expect()).text
    await private.send("/infokim")
    assert "dipakai di grup" in (await private.expect()).text

    g = server.in_group(group, sari)
    await g.expect(contains="/daftarkim")  # the greeting
    await g.expect(contains="hanya admin")  # Joko's refusal
    await g.send("/daftarkim")
    menu = await g.expect(contains="kecamatan")
    await member.expect()  # the same message, seen by Joko
    answer = await member.press(menu, "Bangil")
    assert answer.text == "Hanya admin yang memulai pendaftaran ini yang bisa memilih."
    assert answer.show_alert
    forged = await g.press_data(menu, DesaPage(sari.id, "99.99.99", 0).encode())
    assert forged.text == "Pilihan ini sudah tidak berlaku."
    assert server.message(group, menu).edits == 0
    assert await kim.live_for_chat(kimbot.bot_data.db, group.id) is None


async def test_default_name_migration_infokim_and_removal(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """The default-name button registers; the registration follows the supergroup; removal
    keeps it but makes the chat inactive, and re-adding welcomes the group back."""
    ops = await _operator_chat(server, admin)
    sari = server.new_user("Sari")
    group = await _group_with_bot(server, sari, "KIM Raci")
    g = server.in_group(group, sari)
    done = await _register_raci(g, None)
    assert "KIM Raci" in done.text and "sudah dikirim" in done.text
    card = await ops.expect(contains="Nama KIM: KIM Raci")
    await ops.press(card, "Setujui")
    await g.expect(contains="resmi")

    await g.send("/daftarkim")
    again = await g.expect()
    assert "sudah terdaftar sebagai" in again.text and "Desa Raci" in again.text

    new_id = await server.migrate_to_supergroup(group)
    supergroup = server.chat(new_id)
    sg = server.in_group(supergroup, sari)
    await sg.send("/infokim")
    info = await sg.expect()
    for expected in ("Jenis: KIM", "Desa: Raci", "Kecamatan: Bangil", "Nama: KIM Raci"):
        assert expected in info.text
    assert "resmi terdaftar" in info.text and "Sejak:" in info.text
    db = kimbot.bot_data.db
    assert await chats.get(db, group.id) is None
    moved = await chats.get(db, new_id)
    assert moved is not None and moved.type == chats.ChatType.SUPERGROUP

    await server.remove_bot_from(supergroup, by=sari)
    gone = await ops.expect(contains="dikeluarkan")
    assert "KIM Raci" in gone.text
    removed = await chats.get(db, new_id)
    assert removed is not None and removed.status == chats.ChatStatus.INACTIVE
    registration = await kim.live_for_chat(db, new_id)
    assert registration is not None and registration.status == kim.Status.APPROVED
    assert await kim.active_groups(db, desa_codes=[RACI]) == []

    await server.add_bot_to(supergroup, by=sari)
    back = await sg.expect(contains="kembali")
    assert "KIM Desa Raci" in back.text
    assert [t.chat_id for t in await kim.active_groups(db, kecamatan_codes=[BANGIL])] == [new_id]


async def test_forum_kim_of_bangil_and_of_the_kabupaten(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """/daftarforum offers the whole kabupaten first; both forums are approved."""
    ops = await _operator_chat(server, admin)
    ketua = server.new_user("Hadi")
    forum_bangil = await _group_with_bot(server, ketua, "Forum KIM Bangil")
    forum_kab = await _group_with_bot(server, ketua, "Forum KIM Kab. Pasuruan")

    fb = server.in_group(forum_bangil, ketua)
    await fb.send("/daftarforum")
    menu = await fb.expect(contains="Forum KIM")
    assert menu.button_texts()[0] == "Seluruh kabupaten"
    await fb.press(menu, "Bangil")
    assert "Forum KIM Kecamatan Bangil" in (await fb.expect_edit(menu)).text

    fk = server.in_group(forum_kab, ketua)
    await fk.send("/daftarforum")
    menu = await fk.expect(contains="Forum KIM")
    await fk.press(menu, "Seluruh kabupaten")
    assert "Forum KIM Kabupaten Pasuruan" in (await fk.expect_edit(menu)).text

    await ops.expect(contains="Wilayah: Kecamatan Bangil")
    await ops.expect(contains="Wilayah: Kabupaten Pasuruan")
    await ops.send("/pendaftaran")
    assert "2 pendaftaran menunggu" in (await ops.expect()).text
    for card in [await ops.expect(), await ops.expect()]:
        assert "Pendaftaran Forum KIM" in card.text
        await ops.press(card, "Setujui")
    assert "Forum KIM Kecamatan Bangil" in (await fb.expect(contains="resmi")).text
    assert "Forum KIM Kabupaten Pasuruan" in (await fk.expect(contains="resmi")).text

    db = kimbot.bot_data.db
    assert [t.chat_id for t in await kim.forums(db, [BANGIL])] == [forum_bangil.id, forum_kab.id]
    assert [t.chat_id for t in await kim.forums(db, [BANGIL], include_kabupaten=False)] == [
        forum_bangil.id
    ]


async def test_second_operator_sees_sudah_diputuskan(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Every operator gets the card; after one decides, another's press changes nothing."""
    db = kimbot.bot_data.db
    budi = server.new_user("Budi")
    budi_chat = await _operator_chat(server, budi)
    await people.grant(db, user_id=budi.id, role=Role.OPERATOR, actor_id=None, now=_now())
    ops = await _operator_chat(server, admin)
    sari = server.new_user("Sari")
    group = await _group_with_bot(server, sari, "KIM Raci")
    await _register_raci(server.in_group(group, sari), "KIM Raci")

    mine = await ops.expect(contains="Pendaftaran KIM")
    theirs = await budi_chat.expect(contains="Pendaftaran KIM")
    await ops.press(mine, "Tolak")
    rejected = await server.in_group(group, sari).expect(contains="belum dapat disetujui")
    assert "/daftarkim" in rejected.text
    late = await budi_chat.press(theirs, "Setujui")
    assert late.text == "Pendaftaran ini sudah diputuskan."
    assert "Ditolak</b> oleh Rina Admin" in (await budi_chat.expect_edit(theirs)).html
    stale = await ops.press_data(mine, "kg:ok:999999")
    assert stale.text == "Pilihan ini sudah tidak berlaku."
    assert await kim.live_for_chat(db, group.id) is None
    assert [e.action for e in await audit.entries(db, action="kim.approve")] == []

    await server.in_group(group, sari).send("/daftarkim")
    assert "kecamatan" in (await server.in_group(group, sari).expect()).text


async def test_villager_in_the_operators_group_cannot_approve(
    server: BotApiServer, settings: Settings, admin: FakeUser
) -> None:
    """With OPERATOR_CHAT_ID the card goes to that group; a villager's Setujui is refused."""
    villager = server.new_user("Bambang")
    ops_group = server.new_group("Operator Diskominfo", admins=[admin], members=[villager])
    app = build_application(settings.model_copy(update={"operator_chat_id": ops_group.id}))
    async with running(app):
        await server.add_bot_to(ops_group, by=admin)
        sari = server.new_user("Sari")
        group = await _group_with_bot(server, sari, "KIM Raci")
        await _register_raci(server.in_group(group, sari), "KIM Raci")

        seen_by_villager = server.in_group(ops_group, villager)
        card = await seen_by_villager.expect(contains="Pendaftaran KIM")  # no greeting first
        answer = await seen_by_villager.press(card, "Setujui")
        assert answer.text == "Maaf, tombol ini hanya untuk petugas yang berwenang."
        assert answer.show_alert
        db = app.bot_data.db
        denied = await audit.entries(db, action="access.denied")
        assert [(e.actor_id, e.object_id) for e in denied] == [(villager.id, "kim.decide")]
        registration = await kim.live_for_chat(db, group.id)
        assert registration is not None and registration.status == kim.Status.PENDING
        assert server.message(ops_group, card).edits == 0

        by_admin = server.in_group(ops_group, admin)
        await by_admin.expect()
        await by_admin.press(card, "Setujui")
        assert "Disetujui" in (await by_admin.expect_edit(card)).text
        await server.in_group(group, sari).expect(contains="resmi")


async def test_blocking_the_bot_marks_the_person_unreachable(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Blocking makes a villager unreachable; writing again makes them reachable."""
    db = kimbot.bot_data.db
    villager = server.new_user("Wati")
    chat = server.private(villager)
    await chat.send("/start")
    await chat.expect()
    witness = server.private(admin)

    server.block_bot(villager)
    await witness.send("/start")  # fetched after the block ...
    await witness.expect()
    processor = kimbot.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    await processor.wait_idle()  # ... which is handled by now, in its own chat's queue
    assert await db.fetchval("SELECT reachable FROM people WHERE user_id = ?", (villager.id,)) == 0
    assert [e.actor_id for e in await audit.entries(db, action="person.blocked")] == [villager.id]

    await chat.send("/start")
    await chat.expect()
    assert await db.fetchval("SELECT reachable FROM people WHERE user_id = ?", (villager.id,)) == 1


def _now() -> datetime:
    return datetime.fromisoformat("2025-05-05T10:00:00+07:00")
