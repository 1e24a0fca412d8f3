"""Logging that never shows the bot token, nor, unless asked, what people wrote.

httpx logs every request URL at INFO and the URL contains the token; PTB's own debug output
can too. Two layers: httpx is kept at WARNING, and every formatted line (tracebacks
included) has the token replaced, whatever logger produced it.

At DEBUG the libraries log the data itself: PTB every Bot API call with its parameters and
result and every update it processes, aiosqlite every statement with its parameters, PTB's
webhook server every request body. That is villagers' messages, names and phone numbers in
a file the office keeps for months. So the formatter keeps what a library's debug line says
happened and hides its arguments: a Bot API call keeps its endpoint, a statement its SQL
(placeholders, never values), an update its id; numbers, enums and tuples of them stay, any
other argument becomes `<hidden>`. kim-bot's own loggers never log message text, so their
lines pass unchanged. `LOG_PRIVATE_DATA=true` shows everything, for a developer chasing a
bug on a test bot; the token stays redacted even then.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Mapping
from enum import Enum
from typing import TextIO

REDACTED = "<BOT_TOKEN>"
HIDDEN = "<hidden>"
OWN_LOGGERS = ("bot", "broadcasts", "handlers")
# PTB's debug lines about Bot API calls (telegram/_bot.py): the endpoint is worth keeping.
_API_CALLS = (
    "Calling Bot API endpoint `%s` with parameters `%s`",
    "Call to Bot API endpoint `%s` finished with return value `%s`",
)


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str, *, private_data: bool = False) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]
        self._private_data = private_data

    def format(self, record: logging.LogRecord) -> str:
        if not self._private_data and _may_hold_private_data(record):
            # A copy: other handlers (and the caller's record) keep the original arguments.
            record = logging.makeLogRecord(record.__dict__)
            record.args = _hide(record)
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def _may_hold_private_data(record: logging.LogRecord) -> bool:
    own = record.name.split(".", 1)[0] in OWN_LOGGERS
    return record.levelno <= logging.DEBUG and not own and bool(record.args)


def _hide(record: logging.LogRecord) -> tuple[object, ...] | Mapping[str, object]:
    if isinstance(record.args, Mapping):
        return {key: _plain(value) for key, value in record.args.items()}
    args = record.args or ()
    if record.msg in _API_CALLS:
        return (args[0], HIDDEN)
    if record.name == "aiosqlite":
        return tuple(_statement(arg) for arg in args)
    return tuple(_plain(arg) for arg in args)


def _plain(value: object) -> object:
    """Numbers, enums, classes and tuples of them as they are; an update by its id; the rest
    hidden."""
    if value is None or isinstance(value, bool | int | float | Enum):
        return value
    if isinstance(value, tuple | list):
        return tuple(_plain(item) for item in value)
    if isinstance(value, type):
        return value.__name__
    update_id = getattr(value, "update_id", None)
    return update_id if isinstance(update_id, int) else HIDDEN


def _statement(value: object) -> object:
    """aiosqlite logs `functools.partial(conn.execute, sql, parameters)`: the SQL alone."""
    if isinstance(value, functools.partial):
        name = getattr(value.func, "__name__", "call")
        sql = next((arg for arg in value.args if isinstance(arg, str)), "")
        return f"{name} {sql}".strip()
    return _plain(value)


def configure(
    level: str, secrets: list[str], stream: TextIO | None = None, *, private_data: bool = False
) -> logging.Handler:
    """Route all logging through one redacting handler; returns it (tests read its output)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        RedactingFormatter(
            secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s", private_data=private_data
        )
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(max(logging.getLevelName(level), logging.INFO))
    return handler
