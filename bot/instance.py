"""One running bot per database.

Two instances on one database would both poll Telegram (each getting half of the updates)
and both drain the outbox (sending every announcement twice). The lock is an OS file lock
next to the database: the kernel releases it when the process ends, even by SIGKILL, so a
crash never leaves a stale lock behind.

The lock sits next to the resolved path: a symlink, `..` or a relative path that names the
same database takes the same lock.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process holds the database's lock."""


@contextmanager
def exclusive(database_path: Path) -> Iterator[None]:
    database_path = database_path.resolve()
    lock_path = Path(f"{database_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise AlreadyRunning(
                f"kim-bot lain (PID {holder}) sudah berjalan dengan basis data {database_path} / "
                f"another kim-bot (PID {holder}) is already running on {database_path}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
