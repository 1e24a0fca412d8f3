"""A fake Telegram Bot API server for driving the real bot over HTTP in tests.

async with BotApiServer() as server:          # Bot(base_url=server.base_url, ...)
    siti = server.new_user("Siti")
    chat = server.private(siti)
    await chat.send("/start")
    menu = await chat.expect(contains="Selamat datang")
    answer = await chat.press(menu, "Bangil")
"""

from tests.botapi.errors import ApiError
from tests.botapi.faults import Fault, FaultInjector, FaultKind
from tests.botapi.limits import RateLimiter
from tests.botapi.models import (
    ApiRequest,
    Button,
    CallbackAnswer,
    FakeChat,
    FakeUser,
    MenuCommand,
    SentMessage,
    Stats,
    StoredFile,
)
from tests.botapi.server import BotApiServer
from tests.botapi.session import ChatSession

__all__ = [
    "ApiError",
    "ApiRequest",
    "BotApiServer",
    "Button",
    "CallbackAnswer",
    "ChatSession",
    "FakeChat",
    "FakeUser",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "MenuCommand",
    "RateLimiter",
    "SentMessage",
    "Stats",
    "StoredFile",
]
