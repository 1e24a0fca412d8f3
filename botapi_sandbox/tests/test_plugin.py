"""The pytest plugin: installed once through its entry point, usable by a project of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from telegram import Bot

import botapi_sandbox.plugin
from botapi_sandbox import BotApiServer

# A project that knows nothing of this repository: no conftest of ours, pytest-asyncio in its
# default strict mode, every warning an error.
PROJECT_INI = """\
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""
PROJECT_CONFTEST = """\
import pytest

@pytest.fixture
def botapi_token() -> str:
    return "4242:OWN-TOKEN"
"""
PROJECT_TESTS = """\
import pytest

@pytest.mark.asyncio
async def test_bot_talks_to_the_server(server, bot):
    me = await bot.get_me()
    assert (me.id, me.username) == (4242, "kim_test_bot")

@pytest.mark.asyncio
async def test_a_person_writes_to_the_bot(server, bot):
    villager = server.new_user("Siti")
    await server.private(villager).send("/start")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message.text == "/start"
"""


def test_plugin_is_registered_once_under_its_entry_point(pytestconfig: pytest.Config) -> None:
    """pytest found the plugin through the package's entry point, not through a conftest."""
    manager = pytestconfig.pluginmanager
    assert manager.get_plugin("botapi_sandbox") is botapi_sandbox.plugin
    names = [name for name, plugin in manager.list_name_plugin() if plugin is botapi_sandbox.plugin]
    assert names == ["botapi_sandbox"]


async def test_fixtures_give_a_server_and_a_bot_on_it(server: BotApiServer, bot: Bot) -> None:
    """`bot` is already initialised against `server`, with the plugin's default identity."""
    assert bot.username == server.bot.username == "kim_test_bot"
    assert server.token == bot.token


def test_a_project_outside_this_repository_gets_the_fixtures(tmp_path: Path) -> None:
    """Installing the package is enough: fixtures work, and a project's conftest renames the bot."""
    (tmp_path / "pytest.ini").write_text(PROJECT_INI)
    (tmp_path / "conftest.py").write_text(PROJECT_CONFTEST)
    (tmp_path / "test_own_bot.py").write_text(PROJECT_TESTS)
    env = {**os.environ, "PTB_TIMEDELTA": "true"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
