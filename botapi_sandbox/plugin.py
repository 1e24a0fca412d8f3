"""pytest fixtures for a bot under test: a fresh local Bot API server per test, and a bot on it.

Registered through the ``pytest11`` entry point, so installing the package is enough. A
project names its bot by overriding ``botapi_token`` / ``botapi_username`` in its conftest and
builds its own application on top of ``server``; ``bot`` is a plain python-telegram-bot
``Bot`` for tests that only need to call the API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from botapi_sandbox.server import BotApiServer

if TYPE_CHECKING:
    from telegram import Bot


@pytest.fixture
def botapi_token() -> str:
    """The token the server accepts; its number before the colon is the bot's user id."""
    return "123456:TEST-TOKEN"


@pytest.fixture
def botapi_username() -> str:
    """The bot's @username, as getMe and deep links show it."""
    return "kim_test_bot"


# pytest_asyncio.fixture, not pytest.fixture: the fixtures must work in projects that run
# pytest-asyncio in strict mode too.
@pytest_asyncio.fixture
async def server(botapi_token: str, botapi_username: str) -> AsyncIterator[BotApiServer]:
    """A server listening on a free local port for the length of one test."""
    async with BotApiServer(token=botapi_token, bot_username=botapi_username) as api:
        yield api


@pytest_asyncio.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    """An initialised ``telegram.Bot`` that talks to ``server`` over HTTP."""
    # Imported here so that projects on another client can use the server without PTB.
    from telegram import Bot

    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client
