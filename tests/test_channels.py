"""Telegram channels: made admin, registered by an operator, listed in /kanal, demoted."""

from __future__ import annotations

from bot import audit, chats, kim
from bot.services import KimApp
from botapi_sandbox import BotApiServer, ChatSession, FakeUser
from handlers.channels import Assign, End

BANGIL = "35.14.14"


async def _operator_chat(server: BotApiServer, user: FakeUser) -> ChatSession:
    chat = server.private(user)
    await chat.send("/start")
    await chat.expect()
    return chat


async def test_channel_registered_for_bangil_then_demoted(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Made admin → the operator picks Kecamatan Bangil → demoted → inactive, operator told."""
    ops = await _operator_chat(server, admin)
    camat = server.new_user("Pak Camat")
    channel = server.new_channel("Info Bangil", admins=[camat])
    await server.make_bot_channel_admin(channel, by=camat)

    notice = await ops.expect(contains="Info Bangil")
    assert "Pak Camat" in notice.text
    assert notice.button_texts() == ["Kanal kabupaten", "Kanal kecamatan…", "Kanal topik…"]
    await ops.press(notice, "Kanal kecamatan…")
    picker = await ops.expect_edit(notice)
    assert len(picker.button_texts()) == 24 + 1
    await ops.press(picker, "Bangil")
    done = await ops.expect_edit(notice)
    assert "terdaftar sebagai kanal Kecamatan Bangil oleh Rina Admin" in done.text
    assert done.buttons == []

    db = kimbot.bot_data.db
    assert [t.chat_id for t in await kim.channels_for(db, [BANGIL], None)] == [channel.id]
    assert await kim.channels_for(db, ["35.14.01"], None) == []
    registered = await audit.entries(db, action="channel.register")
    assert [e.actor_id for e in registered] == [admin.id]

    await ops.send("/kanal")
    listing = await ops.expect()
    assert "Info Bangil" in listing.text and "kanal Kecamatan Bangil · aktif" in listing.text
    assert listing.button_texts() == ["✖ Akhiri: Info Bangil"]

    await server.revoke_bot_channel_admin(channel, by=camat)
    gone = await ops.expect(contains="bukan admin lagi")
    assert "Info Bangil" in gone.text
    stored = await chats.get(db, channel.id)
    assert stored is not None and stored.status == chats.ChatStatus.INACTIVE
    assert await kim.channels_for(db, [BANGIL], None) == []
    await ops.send("/kanal")
    assert "tidak aktif" in (await ops.expect()).text


async def test_operator_ends_a_channel_and_registers_it_for_a_topic(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """/kanal ends a registration after confirming; the channel can then serve a topic."""
    ops = await _operator_chat(server, admin)
    owner = server.new_user("Dinkes")
    channel = server.new_channel("Kabar Sehat", admins=[owner])
    await server.make_bot_channel_admin(channel, by=owner)
    notice = await ops.expect(contains="Kabar Sehat")
    await ops.press(notice, "Kanal kabupaten")
    assert "kanal Kabupaten Pasuruan" in (await ops.expect_edit(notice)).text
    db = kimbot.bot_data.db
    assert [t.chat_id for t in await kim.channels_for(db, [BANGIL], "kesehatan")] == [channel.id]

    await ops.send("/kanal")
    listing = await ops.expect()
    await ops.press(listing, "Akhiri: Kabar Sehat")
    confirm = await ops.expect_edit(listing)
    assert "Akhiri pendaftaran kanal" in confirm.text
    answer = await ops.press(confirm, "Ya, akhiri")
    assert answer.text == "Pendaftaran kanal Kabar Sehat diakhiri."
    after = await ops.expect_edit(listing)
    assert "Belum ada kanal terdaftar" in after.text
    assert after.button_texts() == ["➕ Daftarkan: Kabar Sehat"]
    assert await kim.channels_for(db, [BANGIL], "kesehatan") == []

    await ops.press(after, "Daftarkan: Kabar Sehat")
    menu = await ops.expect_edit(listing)
    await ops.press(menu, "Kanal topik…")
    topics_menu = await ops.expect_edit(listing)
    await ops.press(topics_menu, "Kesehatan")
    assert "kanal topik Kesehatan" in (await ops.expect_edit(listing)).text
    assert [t.chat_id for t in await kim.channels_for(db, None, "kesehatan")] == [channel.id]
    assert await kim.channels_for(db, None, "pertanian") == []


async def test_forged_channel_buttons_change_nothing(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Forged button data are answered as stale; /daftarkim and /kanal are refused where due."""
    ops = await _operator_chat(server, admin)
    owner = server.new_user("Admin Kanal")
    channel = server.new_channel("Kanal Uji", admins=[owner])
    await server.make_bot_channel_admin(channel, by=owner)
    notice = await ops.expect(contains="Kanal Uji")
    for data in (
        Assign(-100999).encode(),
        Assign(channel.id, kecamatan="99.99.99").encode(),
        Assign(channel.id, topic="gosip").encode(),
        End(424242).encode(),
        "kna:bogus",
    ):
        answer = await ops.press_data(notice, data)
        assert answer.text == "Pilihan ini sudah tidak berlaku.", data
    assert server.message(admin.id, notice).edits == 0
    assert await kim.live_for_chat(kimbot.bot_data.db, channel.id) is None

    in_channel = server.in_group(channel, owner)
    await in_channel.send("/daftarkim")
    assert "Operator Diskominfo mendaftarkan kanal" in (await in_channel.expect()).text

    villager = server.new_user("Warga")
    await server.private(villager).send("/kanal")
    assert "hanya untuk petugas" in (await server.private(villager).expect()).text
