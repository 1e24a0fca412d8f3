"""When something breaks: the person gets an apology, operators one alert a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer, FakeChat, FakeUser
from tests.clock import FakeClock
from tests.settle import all_handled


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


@pytest.fixture
def clock(kimbot: KimApp) -> FakeClock:
    """Time stands still unless the test moves it."""
    fake = FakeClock(kimbot.bot_data.clock.now())
    kimbot.bot_data.clock = fake
    return fake


async def test_failure_is_apologised_and_operators_alerted_once(
    server: BotApiServer,
    kimbot: KimApp,
    operators: FakeChat,
    kepala: FakeUser,
    clock: FakeClock,
) -> None:
    """Two failures within a minute: two apologies, one alert; a minute on, a second alert."""
    await server.add_bot_to(operators, by=kepala)
    chat = server.private(server.new_user("Rudi"))

    def alerts() -> list[str]:
        return [m.text for m in server.sent_to(operators.id) if "galat" in m.text]

    async def failure() -> None:
        server.faults.add("chat_not_found", method="sendMessage", chat_id=chat.chat_id, times=1)
        await chat.send("/start")
        apology = await chat.expect()
        assert apology.text.startswith("Maaf, terjadi gangguan")
        await all_handled(kimbot)  # the error handler has finished: any alert is out

    await failure()
    assert len(alerts()) == 1 and "perintah /start" in alerts()[0]
    clock.advance(timedelta(seconds=59))
    await failure()
    assert len(alerts()) == 1  # within the minute: no second alert
    clock.advance(timedelta(seconds=2))
    await failure()
    assert len(alerts()) == 2  # a minute after the first: the operators hear again
