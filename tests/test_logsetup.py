"""Logging never shows the token, not even in a traceback."""

from __future__ import annotations

import io
import logging

from bot import logsetup

TOKEN = "123456:SECRET-token"


def test_token_is_redacted_everywhere() -> None:
    """Messages, arguments and tracebacks that contain the token are redacted."""
    stream = io.StringIO()
    handler = logsetup.configure("DEBUG", [TOKEN], stream)
    try:
        logging.getLogger("httpx").warning("HTTP Request: POST https://x/bot%s/getMe", TOKEN)
        try:
            raise ValueError(f"bad url https://x/bot{TOKEN}/getUpdates")
        except ValueError:
            logging.getLogger("kim").exception("failed")
        output = stream.getvalue()
        assert TOKEN not in output
        assert output.count(logsetup.REDACTED) == 2  # the log line and the exception text
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        logging.getLogger().removeHandler(handler)
