"""Webhook mode: the real PTB listener, fed by the local server as Telegram would feed it.

Updates reach the bot only on the path of WEBHOOK_URL and only with WEBHOOK_SECRET in
`X-Telegram-Bot-Api-Secret-Token`; anything else is refused before a handler runs, so a
forged update carrying an admin's user id does nothing at all.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import build_application, running
from bot.services import KimApp
from bot.settings import Settings, SettingsError, load_settings
from botapi_sandbox import BotApiServer, FakeUser
from botapi_sandbox.webhook import SECRET_HEADER
from tests.conftest import TOKEN, free_port
from tests.faultkit import bot_command

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Kim-webhook_secret-0123456789-abcdefghijklmnop"
HOOK_PATH = "/telegram/kim.webhook"  # the dot must match itself only


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    """The test settings plus a webhook on a free local port (the reverse proxy's target)."""
    port = free_port()
    return Settings.model_validate(
        {
            **settings.model_dump(),
            "webhook_url": f"http://127.0.0.1:{port}{HOOK_PATH}",
            "webhook_secret": SECRET,
            "webhook_port": port,
        }
    )


@pytest.fixture
async def webhook_bot(webhook_settings: Settings, log_output: io.StringIO) -> AsyncIterator[KimApp]:
    """kim-bot listening for Telegram's POSTs, started the way `kim-bot run` starts it."""
    app = build_application(webhook_settings)
    async with running(app, webhook=True):
        yield app


def _command(user: FakeUser, text: str, update_id: int) -> dict[str, Any]:
    """A private-chat command from ``user``'s id, written by hand under another name."""
    command = text.split()[0]
    name = f"{user.first_name} (palsu)"
    sender = {**user.to_api(), "first_name": name}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": name},
            "from": sender,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def _post(url: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=json.dumps(update), headers=headers) as answer,
    ):
        return answer.status


def _database_lines(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return set(db.iterdump())


async def test_telegram_updates_with_the_secret_on_the_path_are_handled(
    server: BotApiServer, admin: FakeUser, webhook_settings: Settings, webhook_bot: KimApp
) -> None:
    """setWebhook carries the URL and secret; updates posted with them get answers."""
    registered = await server.wait_for_call("setWebhook")
    assert registered.params["url"] == webhook_settings.webhook_url
    assert registered.params["secret_token"] == SECRET

    villager = server.private(server.new_user("Lastri"))
    await villager.send("/start")
    assert "selamat datang" in (await villager.expect(timeout=10)).text.lower()
    office = server.private(admin)
    await office.send("/operator")
    staff = await office.expect(timeout=10)
    assert "➕ Operator" in staff.button_texts()
    assert server.webhook_deliveries
    assert {delivery.status for delivery in server.webhook_deliveries} == {200}


@pytest.mark.parametrize(
    ("path", "secret", "refused_with"),
    [
        pytest.param(HOOK_PATH, None, 403, id="no-secret"),
        pytest.param(HOOK_PATH, "Kim-webhook_secret-0123456789-abcdefghijklmnoX", 403, id="wrong"),
        pytest.param(HOOK_PATH, "", 403, id="empty"),
        pytest.param(HOOK_PATH, TOKEN, 403, id="bot-token"),
        pytest.param("/", SECRET, 404, id="root-path"),
        pytest.param(HOOK_PATH + "x", SECRET, 404, id="longer-path"),
        pytest.param(HOOK_PATH.replace(".", "x"), SECRET, 404, id="path-as-pattern"),
    ],
)
async def test_forged_updates_are_refused_and_change_nothing(
    server: BotApiServer,
    admin: FakeUser,
    webhook_settings: Settings,
    webhook_bot: KimApp,
    path: str,
    secret: str | None,
    refused_with: int,
) -> None:
    """An admin's /operator and /siaran posted without the secret or elsewhere: refused, inert."""
    office = server.private(admin)
    await office.send("/start")  # the admin has used the bot, so a reply could reach them
    await office.expect(timeout=10)
    seen_by_admin = len(server.sent_to(admin))
    database = webhook_settings.database_path
    before = _database_lines(database)

    base = f"http://127.0.0.1:{webhook_settings.webhook_port}"
    for update_id, text in enumerate(("/operator", "/siaran", "/start"), start=9000):
        assert await _post(base + path, _command(admin, text, update_id), secret) == refused_with

    # Updates are handled one at a time, in order: once this answer arrives, anything the
    # forged posts had set going would have shown.
    lastri = server.new_user("Lastri")
    villager = server.private(lastri)
    await villager.send("/start")
    assert "selamat datang" in (await villager.expect(timeout=10)).text.lower()

    assert len(server.sent_to(admin)) == seen_by_admin
    assert set(server.stats.delivered) == {admin.id, lastri.id}
    assert server.delivered(admin) == seen_by_admin
    changed = _database_lines(database) ^ before
    assert changed  # the villager's /start was recorded...
    assert all(str(lastri.id) in line for line in changed)  # ...and nothing else


# ---------------------------------------------------------------- settings


def test_webhook_url_without_secret_is_one_clear_line() -> None:
    """WEBHOOK_URL alone is refused: the message names WEBHOOK_SECRET and how to make one."""
    with pytest.raises(SettingsError) as caught:
        load_settings({"WEBHOOK_URL": "https://bot.example.go.id/telegram/webhook"})
    message = str(caught.value)
    assert "WEBHOOK_SECRET" in message
    assert "secrets.token_urlsafe(32)" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param("rahasia kantor", id="space"),
        pytest.param("rahasia:kantor", id="colon"),
        pytest.param("rahasia!", id="punctuation"),
        pytest.param("x" * 257, id="too-long"),
    ],
)
def test_a_secret_telegram_would_refuse_is_one_clear_line(secret: str) -> None:
    """Only 1–256 of A-Z a-z 0-9 _ - pass, as setWebhook requires."""
    with pytest.raises(SettingsError) as caught:
        load_settings({"WEBHOOK_URL": "https://bot.example.go.id/hook", "WEBHOOK_SECRET": secret})
    assert "WEBHOOK_SECRET" in str(caught.value)
    assert secret not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_webhook_defaults_listen_locally_on_the_url_path() -> None:
    """A good secret passes; the listener is local and serves the path of WEBHOOK_URL."""
    settings = load_settings(
        {"WEBHOOK_URL": "https://bot.example.go.id/telegram/webhook/", "WEBHOOK_SECRET": "a" * 256}
    )
    assert settings.webhook_listen == "127.0.0.1"
    assert settings.webhook_path == "/telegram/webhook"
    assert load_settings({"WEBHOOK_LISTEN": " "}).webhook_listen == "127.0.0.1"  # .env left blank


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("bot.example.go.id/hook", id="no-scheme"),
        pytest.param("https:///hook", id="no-host"),
        pytest.param(f"https://bot.example.go.id/{TOKEN}", id="token-in-path"),
    ],
)
def test_a_webhook_url_that_cannot_work_safely_is_refused(url: str) -> None:
    """A relative URL or one holding the token stops with one line that does not echo the token."""
    with pytest.raises(SettingsError) as caught:
        load_settings({"BOT_TOKEN": TOKEN, "WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET})
    assert "WEBHOOK_URL" in str(caught.value)
    assert TOKEN not in str(caught.value)


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {**keep, "PYTHONPATH": str(ROOT), **extra}


def test_run_with_webhook_url_and_no_secret_stops_with_exit_2(tmp_path: Path) -> None:
    """`kim-bot run` refuses an unprotected webhook before opening anything: one line, exit 2."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=_clean_env({"BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.go.id/hook"}),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "WEBHOOK_SECRET" in result.stderr
    assert not (tmp_path / "data").exists()


# ---------------------------------------------------------------- the real process


async def test_kim_bot_run_serves_the_webhook_and_stops_on_sigterm(
    server: BotApiServer, admin: FakeUser, tmp_path: Path
) -> None:
    """`kim-bot run` with WEBHOOK_URL: refuses forgery, answers Telegram, exits 0, leaks nothing."""
    port = free_port()
    database = tmp_path / "kim-bot.sqlite3"
    env = _clean_env(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": server.base_url,
            "DATABASE_PATH": str(database),
            "ADMIN_IDS": str(admin.id),
            "LOG_LEVEL": "DEBUG",
            "WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK_PATH}",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_PORT": str(port),
        }
    )
    process = await bot_command("run", env=env, cwd=tmp_path)
    try:
        await server.wait_for_call("setWebhook", timeout=30)
        # Like Telegram, the server retries until the listener (started right after) answers.
        chat = server.private(server.new_user("Lastri"))
        await chat.send("/start")
        assert "selamat datang" in (await chat.expect(timeout=15)).text.lower()
        url = f"http://127.0.0.1:{port}{HOOK_PATH}"
        assert await _post(url, _command(admin, "/operator", 9000), None) == 403
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stdout.decode() + stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert "setWebhook" in log  # DEBUG logged the call that carries the secret...
    assert SECRET not in log  # ...without it
    assert TOKEN.split(":")[1] not in log
    assert server.sent_to(admin) == []
