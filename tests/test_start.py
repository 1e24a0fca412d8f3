"""A villager's first contact: /start and /bantuan, through the Bot API as Telegram would."""

from __future__ import annotations

import io

from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser
from tests.conftest import TOKEN


async def test_villager_starts_and_asks_for_help(
    server: BotApiServer, kimbot: KimApp, log_output: io.StringIO
) -> None:
    """/start welcomes with the office's name and a privacy note; /bantuan lists public commands."""
    villager = server.new_user("Siti", username="siti_raci")
    chat = server.private(villager)

    await chat.send("/start")
    welcome = await chat.expect()
    assert "Diskominfo Kabupaten Pasuruan" in welcome.text
    assert "Kabupaten Pasuruan" in welcome.text
    assert "Privasi" in welcome.text

    await chat.send("/bantuan")
    help_message = await chat.expect()
    assert "/start" in help_message.text
    assert "/bantuan" in help_message.text
    assert "/wilayah" in help_message.text
    assert "/operator" not in help_message.text
    assert "/status" not in help_message.text
    assert "Peran Anda" not in help_message.text

    assert TOKEN not in log_output.getvalue()


async def test_menus_are_set_per_role(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Telegram's command menu: public commands for villagers, more for the admin."""
    admin_chat = server.private(admin)
    await admin_chat.send("/start")
    await admin_chat.expect()
    villager = server.new_user("Joko")
    villager_menu = {c.command for c in server.menu_for(villager)}
    assert {"start", "bantuan", "wilayah"} <= villager_menu
    assert "operator" not in villager_menu
    admin_menu = {c.command for c in server.menu_for(admin)}
    assert {"operator", "status", "start"} <= admin_menu


async def test_deep_link_payload_still_welcomes(server: BotApiServer, kimbot: KimApp) -> None:
    """/start with a payload the bot does not know still greets the person."""
    chat = server.private(server.new_user("Ani"))
    await chat.send("/start kode-tidak-dikenal")
    assert "selamat datang" in (await chat.expect()).text
