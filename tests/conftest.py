"""Shared fixtures: kim-bot running over HTTP against the local Bot API server (`server`).

A test reads like a conversation: `chat = server.private(villager)`, `await chat.send("/start")`,
`reply = await chat.expect()`. Nothing inside the bot is patched.
"""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot import logsetup
from bot.app import build_application, running
from bot.services import KimApp
from bot.settings import Settings, load_settings
from botapi_sandbox import BotApiServer, FakeUser
from whatsapp_sandbox.server import WhatsAppSandbox

TOKEN = "7000001:TEST-kimbot-secret-token"


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB warns on int time periods (RetryAfter) unless opted in, as the bot does."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def botapi_token() -> str:
    """The `server` fixture's token: one the log tests can search for, shared with `settings`."""
    return TOKEN


@pytest.fixture
def botapi_username() -> str:
    """Named here, not left to the plugin's default, because tests read it in deep links."""
    return "kim_test_bot"


@pytest.fixture
def admin(server: BotApiServer) -> FakeUser:
    """The office's admin, listed in ADMIN_IDS."""
    return server.new_user("Rina", last_name="Admin", username="rina_kominfo")


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the bot logs during the test, at DEBUG, through the production formatter."""
    stream = io.StringIO()
    handler = logsetup.configure("DEBUG", [TOKEN], stream)
    yield stream
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    """What a test module (or a parametrized test) sets differently from `settings` below."""
    return {}


@pytest.fixture
def settings(
    server: BotApiServer, admin: FakeUser, tmp_path: Path, settings_overrides: dict[str, str]
) -> Settings:
    return load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": server.base_url,
            "BOT_API_BASE_FILE_URL": server.base_file_url,
            "DATABASE_PATH": str(tmp_path / "kim-bot.sqlite3"),
            "ADMIN_IDS": str(admin.id),
            "REGION_CODE": "35.14",
            # Progress reports and retries at test speed; the pacing itself stays real.
            "PROGRESS_INTERVAL": "0.2",
            "BROADCAST_RETRY_BACKOFF": "0.05",
            **settings_overrides,
        }
    )


@pytest.fixture
async def kimbot(settings: Settings, log_output: io.StringIO) -> AsyncIterator[KimApp]:
    """kim-bot, built by the same factory as production, polling the local server."""
    app = build_application(settings)
    async with running(app):
        yield app


WA_TEMPLATE_BODY = "{{1}}\n\nBalas pesan ini untuk membaca selengkapnya."


def free_port() -> int:
    """A port nothing listens on now, for a listener the test starts next."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def whatsapp_settings(whatsapp: WhatsAppSandbox) -> dict[str, str]:
    """The WHATSAPP_* settings of a bot on the local Cloud API, its webhook on a free port."""
    return {
        "WHATSAPP_ACCESS_TOKEN": whatsapp.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": whatsapp.phone_number_id,
        "WHATSAPP_DISPLAY_NUMBER": whatsapp.display_phone_number,
        "WHATSAPP_APP_SECRET": whatsapp.app_secret,
        "WHATSAPP_VERIFY_TOKEN": whatsapp.verify_token,
        "WHATSAPP_API_BASE_URL": whatsapp.base_url + "/v21.0",
        "WHATSAPP_WEBHOOK_PORT": str(free_port()),
        # One message per person every 6 s is Meta's; tests send a few in a row.
        "WHATSAPP_PAIR_INTERVAL": "0.2",
    }


@pytest.fixture
def wa_settings(settings: Settings, whatsapp: WhatsAppSandbox) -> Settings:
    """The test settings plus WhatsApp through the local Cloud API."""
    added = {name.lower(): value for name, value in whatsapp_settings(whatsapp).items()}
    return Settings.model_validate({**settings.model_dump(), **added})


@pytest.fixture
async def wa_kimbot(
    wa_settings: Settings, whatsapp: WhatsAppSandbox, log_output: io.StringIO
) -> AsyncIterator[KimApp]:
    """kim-bot running with WhatsApp: the sandbox's webhooks reach it, the announcement
    template is approved."""
    whatsapp.add_template(
        wa_settings.whatsapp_template_name,
        WA_TEMPLATE_BODY,
        language=wa_settings.whatsapp_template_language,
        header="{{1}}",
        quick_replies=("Baca selengkapnya",),
    )
    app = build_application(wa_settings)
    async with running(app):
        whatsapp.webhook_url = (
            f"http://127.0.0.1:{wa_settings.whatsapp_webhook_port}"
            f"{wa_settings.whatsapp_webhook_path}"
        )
        yield app
