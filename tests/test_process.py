"""The real program: `python -m bot` as its own process, talking to the local server over HTTP.

Covers what only a whole process shows: a full run's log never contains the token, SIGTERM
stops it cleanly, and the command-line tools work on the database it leaves behind.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from botapi_sandbox import BotApiServer, FakeUser
from tests.conftest import TOKEN
from tests.faultkit import bot_command

ROOT = Path(__file__).resolve().parent.parent


def _env(server: BotApiServer, admin: FakeUser, database: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {
        **keep,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": server.base_url,
        "DATABASE_PATH": str(database),
        "ADMIN_IDS": str(admin.id),
        "LOG_LEVEL": "DEBUG",
    }


async def test_full_run_logs_no_token_and_stops_cleanly_on_sigterm(
    server: BotApiServer, admin: FakeUser, tmp_path: Path
) -> None:
    """Start, serve a villager, SIGTERM: exit 0, intact database, token absent from the log."""
    database = tmp_path / "kim-bot.sqlite3"
    process = await bot_command("run", env=_env(server, admin, database), cwd=tmp_path)
    try:
        await server.wait_for_call("deleteWebhook", timeout=30)  # polling begins next
        chat = server.private(server.new_user("Lastri"))
        await chat.send("/start")
        assert "selamat datang" in (await chat.expect(timeout=15)).text
        # The same database through a symlink in another directory is the same database.
        (tmp_path / "elsewhere").mkdir()
        alias = tmp_path / "elsewhere" / "alias.sqlite3"
        alias.symlink_to(database)
        greetings = len(server.calls("getMe"))
        second = await bot_command("run", env=_env(server, admin, alias), cwd=tmp_path)
        _, refused = await asyncio.wait_for(second.communicate(), timeout=30)
        assert second.returncode == 2  # one bot per database: the second refuses to start
        assert "sudah berjalan" in refused.decode()
        assert len(server.calls("getMe")) == greetings  # ...before it asks Telegram anything
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stdout.decode() + stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert "sendMessage" in log  # DEBUG really logged the API calls...
    assert TOKEN not in log  # ...without the token
    assert TOKEN.split(":")[1] not in log
    assert "365 desa/kelurahan" in log
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT first_name FROM people").fetchall() == [("Lastri",)]


async def test_a_token_telegram_rejects_gives_one_line_and_exit_2(
    server: BotApiServer, admin: FakeUser, tmp_path: Path
) -> None:
    """A wrong token (401 from the Bot API): one line on stderr, no token, no traceback, exit 2."""
    wrong = "7000001:WRONG-kimbot-secret-token"
    env = {**_env(server, admin, tmp_path / "kim-bot.sqlite3"), "BOT_TOKEN": wrong}
    env["LOG_LEVEL"] = "INFO"
    process = await bot_command("run", env=env, cwd=tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    lines = stderr.decode().splitlines()
    assert len(lines) == 1, stderr.decode()[-2000:]
    assert "BOT_TOKEN ditolak Telegram" in lines[0]
    assert "Telegram rejected BOT_TOKEN" in lines[0]
    for output in (stdout, stderr):
        assert wrong.encode() not in output and b"WRONG-kimbot" not in output
        assert b"Traceback" not in output
    assert [call.method for call in server.requests] == ["getMe"]  # and nothing after it


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.usefixtures("server")
def test_command_line_migrate_operators_and_backup(tmp_path: Path) -> None:
    """migrate, operator add/list/remove and backup, without a token."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DATABASE_PATH": str(tmp_path / "kim.sqlite3"),
        "ADMIN_IDS": "5",
    }
    migrated = _cli(["migrate"], env, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "24 kecamatan, 365 desa/kelurahan" in migrated.stdout

    added = _cli(["operator", "add", "4242", "--role", "verifikator"], env, tmp_path)
    assert added.returncode == 0, added.stderr
    assert "4242 ditambahkan sebagai verifikator" in added.stdout
    listed = _cli(["operator", "list"], env, tmp_path)
    assert "4242\tID 4242\tverifikator" in listed.stdout
    assert "5\t(ADMIN_IDS)\tadmin" in listed.stdout

    backup = _cli(["backup", str(tmp_path / "copy.sqlite3")], env, tmp_path)
    assert backup.returncode == 0, backup.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT user_id, role FROM staff").fetchall() == [(4242, "verifikator")]
        assert copy.execute("SELECT COUNT(*) FROM desa").fetchone()[0] == 365

    removed = _cli(["operator", "remove", "4242", "--role", "verifikator"], env, tmp_path)
    assert "4242 dihapus dari verifikator" in removed.stdout
    assert "4242" not in _cli(["operator", "list"], env, tmp_path).stdout
