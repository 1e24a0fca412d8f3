"""A local Telegram Bot API server, to drive a real bot over HTTP in tests and benchmarks.

A bot cannot be tested against api.telegram.org: real accounts, real limits and no way to
make Telegram fail on purpose. This server plays Telegram and the people around the bot,
enforces the Bot API's content rules and (on request) its flood limits, a jittery network
and injected faults, and records what reaches every chat. See README.md in this folder.

    async with BotApiServer() as server:          # Bot(base_url=server.base_url, ...)
        siti = server.new_user("Siti")
        chat = server.private(siti)
        await chat.send("/start")
        menu = await chat.expect(contains="Selamat datang")
        answer = await chat.press(menu, "Bangil")

Installed, it is also a pytest plugin (`botapi_sandbox.plugin`) with `server` and `bot`
fixtures.
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
