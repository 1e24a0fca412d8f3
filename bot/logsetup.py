"""Logging that never shows the bot token.

httpx logs every request URL at INFO and the URL contains the token; PTB's own debug output
can too. Two layers: httpx is kept at WARNING, and every formatted line (tracebacks
included) has the token replaced, whatever logger produced it.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

REDACTED = "<BOT_TOKEN>"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure(level: str, secrets: list[str], stream: TextIO | None = None) -> logging.Handler:
    """Route all logging through one redacting handler; returns it (tests read its output)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
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
