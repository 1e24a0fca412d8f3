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


class _Keeper(logging.Handler):
    """Keeps the records it is given, as another handler beside the production one would."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_library_debug_arguments_are_hidden_but_the_record_is_not_changed() -> None:
    """A library's DEBUG arguments become <hidden> in the line; INFO and kim-bot's own pass."""
    stream = io.StringIO()
    handler = logsetup.configure("DEBUG", [TOKEN], stream)
    keeper = _Keeper()
    logging.getLogger().addHandler(keeper)
    try:
        webhook = logging.getLogger("telegram.ext._utils.webhookhandler")
        webhook.debug("Webhook received data: %s", '{"text": "rahasia"}')
        webhook.debug("%(body)s for update %(id)s", {"body": "rahasia", "id": 7})
        logging.getLogger("telegram.ext.Updater").info("started with %s", "polling")
        logging.getLogger("handlers.reports").debug("report %s filed", "LPR-2026-000001")
        lines = stream.getvalue().splitlines()
        assert lines[0].endswith("Webhook received data: <hidden>")
        assert lines[1].endswith("<hidden> for update 7")
        assert lines[2].endswith("started with polling")
        assert lines[3].endswith("report LPR-2026-000001 filed")
        assert keeper.records[0].args == ('{"text": "rahasia"}',)  # other handlers see the original
    finally:
        logging.getLogger().removeHandler(keeper)
        logging.getLogger().removeHandler(handler)
