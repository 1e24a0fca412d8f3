"""The broadcast sender's aiohttp transport, through a real python-telegram-bot `Bot`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.error import BadRequest, NetworkError, TimedOut

from botapi_sandbox import BotApiServer, FakeUser
from broadcasts.http import AiohttpRequest

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def api() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(token=TOKEN, bot_username="kim_test_bot") as server:
        yield server


@pytest.fixture
async def bot(api: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, request=AiohttpRequest(timeout=0.2)) as bot:
        yield bot


@pytest.fixture
async def siti(api: BotApiServer) -> FakeUser:
    user = api.new_user("Siti")
    await api.private(user).send("/start")
    return user


async def test_text_with_entities_and_buttons_arrives_as_sent(
    api: BotApiServer, bot: Bot, siti: FakeUser
) -> None:
    sent = await bot.send_message(
        siti.id,
        "Info penting",
        entities=[MessageEntity(MessageEntity.BOLD, 0, 4)],
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("👍", callback_data="r:1")]]),
    )
    [got] = api.sent_to(siti)
    assert got.message_id == sent.message_id
    assert got.html == "<b>Info</b> penting"
    assert [[b.text for b in row] for row in got.buttons] == [["👍"]]


async def test_an_uploaded_document_keeps_its_name_and_bytes(
    api: BotApiServer, bot: Bot, siti: FakeUser
) -> None:
    await bot.send_document(siti.id, b"a;b\n1;2\n", filename="gagal.csv", caption="Laporan")
    [got] = api.sent_to(siti)
    assert (got.document, got.filename, got.text) == (b"a;b\n1;2\n", "gagal.csv", "Laporan")


async def test_telegram_errors_and_timeouts_become_ptb_errors(
    api: BotApiServer, bot: Bot, siti: FakeUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(987654321, "ke mana?")
    api.faults.add("timeout", delay=0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(siti.id, "tidak sampai")
    assert api.sent_to(siti) == []


async def test_an_unreachable_server_is_a_network_error_without_the_token() -> None:
    request = AiohttpRequest(timeout=0.5)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp") as raised:
            await request.post(f"http://127.0.0.1:9/bot{TOKEN}/getMe")
        assert TOKEN not in str(raised.value)  # the text is kept in the outbox and its CSV
    finally:
        await request.shutdown()
