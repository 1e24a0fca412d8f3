"""One bot per database: the lock follows the database file, whatever path names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import instance


def test_a_second_holder_of_the_same_path_is_refused(tmp_path: Path) -> None:
    """While the lock is held, taking it again names the holder's PID; after it, it is free."""
    database = tmp_path / "kim-bot.sqlite3"
    with (
        instance.exclusive(database),
        pytest.raises(instance.AlreadyRunning, match="sudah berjalan"),
        instance.exclusive(database),
    ):
        pass
    with instance.exclusive(database):
        pass


def test_a_symlink_or_relative_detour_names_the_same_database(tmp_path: Path) -> None:
    """A symlinked directory, a symlinked file and a `..` detour all meet the same lock."""
    data = tmp_path / "data"
    data.mkdir()
    database = data / "kim-bot.sqlite3"
    (tmp_path / "link-dir").symlink_to(data)
    (tmp_path / "link-file.sqlite3").symlink_to(database)
    aliases = [
        tmp_path / "link-dir" / "kim-bot.sqlite3",
        tmp_path / "link-file.sqlite3",
        data / ".." / "data" / "kim-bot.sqlite3",
    ]
    with instance.exclusive(database):
        for alias in aliases:
            with pytest.raises(instance.AlreadyRunning), instance.exclusive(alias):
                pass
