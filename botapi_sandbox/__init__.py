"""A fake Telegram Bot API server for driving the real bot over HTTP in tests.

async with BotApiServer() as server:          # Bot(base_url=server.base_url, ...)
    siti = server.new_user("Siti")
    chat = server.private(siti)
    await chat.send("/start")
    menu = await chat.expect(contains="Selamat datang")
    answer = await chat.press(menu, "Bangil")
"""

from botapi_sandbox.errors import ApiError
from botapi_sandbox.faults import Fault, FaultInjector, FaultKind
from botapi_sandbox.limits import RateLimiter
from botapi_sandbox.models import (
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
from botapi_sandbox.server import BotApiServer
from botapi_sandbox.session import ChatSession

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
