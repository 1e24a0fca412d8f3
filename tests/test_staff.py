"""Roles in practice: refusals are polite and audited; an admin appoints operators by chat."""

from __future__ import annotations

from bot import audit
from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser
from tests.cards import card_with


async def test_villager_is_refused_operator_and_it_is_audited(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """/operator from a villager: a polite refusal, an audit row, nothing else."""
    villager = server.new_user("Bambang")
    chat = server.private(villager)
    await chat.send("/operator")
    refusal = await chat.expect()
    assert "hanya untuk petugas" in refusal.text
    assert refusal.buttons == []
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert [(e.actor_id, e.object_id) for e in denied] == [(villager.id, "/operator")]


async def test_admin_adds_an_operator_who_then_sees_operator_commands(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """The admin picks a person by typed id; that person's /bantuan and menu grow."""
    budi = server.new_user("Budi", last_name="Santoso")
    budi_chat = server.private(budi)
    await budi_chat.send("/start")
    await budi_chat.expect()
    await budi_chat.send("/bantuan")
    assert "/status" not in (await budi_chat.expect()).text

    admin_chat = server.private(admin)
    await admin_chat.send("/operator")
    listing = await admin_chat.expect()
    assert "Belum ada operator" in listing.text
    await admin_chat.press(listing, "➕ Operator")
    question = await admin_chat.expect()
    assert "operator" in question.text
    assert "Pilih orang" in str(question.reply_markup)
    await admin_chat.send(str(budi.id))
    done = await admin_chat.expect()
    assert done.text == "✅ Budi Santoso sekarang operator."

    told = await budi_chat.expect()
    assert "operator" in told.text
    await budi_chat.send("/bantuan")
    help_text = (await budi_chat.expect()).text
    assert "/status" in help_text
    assert "/operator" not in help_text
    assert "Peran Anda: operator" in help_text
    assert "status" in {c.command for c in server.menu_for(budi)}

    await budi_chat.send("/status")
    status = await budi_chat.expect()
    assert "24 kecamatan, 365 desa/kelurahan" in status.text

    grants = await audit.entries(kimbot.bot_data.db, action="role.grant")
    assert [(e.actor_id, e.object_id) for e in grants] == [(admin.id, str(budi.id))]


async def test_admin_removes_an_operator_by_button(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """A remove button takes the role away; the person's menu shrinks back."""
    sari = server.new_user("Sari")
    await server.private(sari).send("/start")
    admin_chat = server.private(admin)
    await admin_chat.send("/operator")
    listing = await admin_chat.expect()
    await admin_chat.press(listing, "➕ Verifikator")
    await admin_chat.expect()
    await admin_chat.send(f" {sari.id} ")
    assert (await admin_chat.expect()).text == "✅ Sari sekarang verifikator."

    await admin_chat.send("/operator")
    listing = await admin_chat.expect()
    assert "Sari — verifikator" in listing.text
    answer = await admin_chat.press(listing, "✖ Sari (verifikator)")
    assert answer.text == "✅ Sari bukan verifikator lagi."
    edited = await admin_chat.expect_edit(listing)
    assert "Belum ada operator" in edited.text
    assert "status" not in {c.command for c in server.menu_for(sari)}


async def test_admin_picks_a_verifier_with_the_user_picker(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Telegram's user picker button: the shared person becomes verifikator."""
    wati = server.new_user("Wati", last_name="Lestari")
    admin_chat = server.private(admin)
    await admin_chat.send("/operator")
    await admin_chat.press(await admin_chat.expect(), "➕ Verifikator")
    question = await admin_chat.expect()
    picker = question.reply_markup["keyboard"][0][0]  # type: ignore[index]
    assert picker["text"] == "👤 Pilih orang"
    assert picker["request_users"]["user_is_bot"] is False
    await admin_chat.share_users([wati], request_id=picker["request_users"]["request_id"])
    done = await admin_chat.expect()
    assert done.text == "✅ Wati Lestari sekarang verifikator."
    assert done.reply_markup == {"remove_keyboard": True}

    # Wati has never opened the bot: her menu follows at her first message.
    wati_chat = server.private(wati)
    await wati_chat.send("/bantuan")
    assert "Peran Anda: verifikator" in (await wati_chat.expect()).text
    assert "status" in {c.command for c in server.menu_for(wati)}


async def test_bad_person_id_is_explained_and_cancel_works(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Typed nonsense gets a hint and changes nothing; /batal ends the step."""
    admin_chat = server.private(admin)
    await admin_chat.send("/operator")
    await admin_chat.press(await admin_chat.expect(), "➕ Operator")
    await admin_chat.expect()
    await admin_chat.send("pak budi")
    assert "bukan ID Telegram" in (await admin_chat.expect()).text
    await admin_chat.send("/batal")
    assert (await admin_chat.expect()).text == "Baik, dibatalkan."
    assert await audit.entries(kimbot.bot_data.db, action="role.grant") == []


async def test_villager_pressing_an_admin_button_is_refused(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """A staff button forwarded into a villager's hands does nothing."""
    villager = server.new_user("Eko")
    chat = server.private(villager)
    await chat.send("/start")
    await chat.expect()
    card = await card_with(kimbot, villager.id, "stfa:operator")
    await chat.expect()
    answer = await chat.press_data(card, "stfa:operator")
    assert "hanya untuk petugas" in (answer.text or "")
    await chat.expect_nothing(within=0.3)
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert [(e.actor_id, e.object_id) for e in denied] == [(villager.id, "staff.add")]
