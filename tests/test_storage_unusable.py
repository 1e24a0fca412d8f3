"""A database file the bot cannot use stops `kim-bot run` and `kim-bot check-config` with one
line naming the file and the cause, exit status 2, and no traceback, before anything is sent.

Three ways a file goes bad: read-only (a restored backup with the wrong owner, a full
filesystem remounted read-only), garbage in place of the database, and a path that cannot be
opened at all (a directory where the file should be). Permission bits do not bind root, so a
test run as root makes the file immutable (`chattr +i`) instead, which binds root too.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parent.parent


def _cli(command: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": "http://127.0.0.1:9/bot",  # never reached: the check comes first
        "DATABASE_PATH": str(database),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", command],
        env=env,
        cwd=database.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _migrated(database: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "DATABASE_PATH": str(database),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A migrated database nobody may write, root included."""
    database = _migrated(tmp_path / "kim-bot.sqlite3")
    database.chmod(0o444)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(database)], check=True)
    try:
        yield database
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(database)], check=True)
        database.chmod(0o644)


@pytest.fixture
def garbage(tmp_path: Path) -> Path:
    """Random bytes where the database should be (a truncated copy, a wrong file restored)."""
    database = tmp_path / "kim-bot.sqlite3"
    database.write_bytes(bytes(range(256)) * 32)
    return database


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """A directory in place of the file: SQLite cannot open it, for root as for anyone."""
    database = tmp_path / "kim-bot.sqlite3"
    database.mkdir()
    return database


CASES: dict[str, str] = {
    "read_only": "attempt to write a readonly database",
    "garbage": "file is not a database",
    "directory": "unable to open database file",
}


@pytest.mark.parametrize("command", ["run", "check-config"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_unusable_database_stops_with_one_line(
    case: str, command: str, request: pytest.FixtureRequest
) -> None:
    """Read-only, garbage or unopenable: one line naming the file and cause, exit status 2."""
    database: Path = request.getfixturevalue(case)
    before = _snapshot(database)
    result = _cli(command, database)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(database) in lines[0]
    assert CASES[case] in lines[0]
    assert _snapshot(database) == before  # the check changed nothing


def _snapshot(database: Path) -> bytes | None:
    return database.read_bytes() if database.is_file() else None


def test_read_only_file_is_refused_though_sqlite_opens_it(read_only: Path) -> None:
    """SQLite opens a read-only file without complaint and fails only at the first write: the
    reason the bot probes with a write it rolls back."""
    with sqlite3.connect(read_only) as db:
        assert db.execute("SELECT COUNT(*) FROM desa").fetchone()[0] == 365
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("UPDATE desa SET name = name")


def test_check_config_reports_a_usable_database(tmp_path: Path) -> None:
    """A good database is reported with its schema version; a missing one is not created."""
    missing = tmp_path / "belum-ada.sqlite3"
    result = _cli("check-config", missing)
    assert result.returncode == 0, result.stderr
    assert "belum ada" in result.stdout
    assert not missing.exists()
    database = _migrated(tmp_path / "kim-bot.sqlite3")
    result = _cli("check-config", database)
    assert result.returncode == 0, result.stderr
    assert "skema versi" in result.stdout
