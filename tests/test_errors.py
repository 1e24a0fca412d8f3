"""When something breaks: the person gets an apology, operators one alert a minute."""

from __future__ import annotations

import pytest

from bot.services import KimApp
from bot.settings import Settings
from tests.botapi import BotApiServer, FakeChat, FakeUser


@pytest.fixture
def kepala(server: BotApiServer) -> FakeUser:
    return server.new_user("Kepala")


@pytest.fixture
def operators(server: BotApiServer, kepala: FakeUser) -> FakeChat:
    return server.new_group("Operator Diskominfo", admins=[kepala])


@pytest.fixture
def settings(settings: Settings, operators: FakeChat) -> Settings:
    """The same settings, with an operators' group for alerts."""
    return settings.model_copy(update={"operator_chat_id": operators.id})


async def test_failure_is_apologised_and_operators_alerted_once(
    server: BotApiServer, kimbot: KimApp, operators: FakeChat, kepala: FakeUser
) -> None:
    """Two failures in a row: two apologies, one alert in the operators' group."""
    await server.add_bot_to(operators, by=kepala)
    chat = server.private(server.new_user("Rudi"))
    for _ in range(2):
        server.faults.add("chat_not_found", method="sendMessage", chat_id=chat.chat_id, times=1)
        await chat.send("/start")
        apology = await chat.expect()
        assert apology.text.startswith("Maaf, terjadi gangguan")
    alerts = [m for m in server.sent_to(operators.id) if "galat" in m.text]
    assert len(alerts) == 1
    assert "perintah /start" in alerts[0].text
