"""At DEBUG the log holds no villager's words, names or SQL values, unless LOG_PRIVATE_DATA asks.

PTB logs every Bot API call with its parameters and every update, aiosqlite every statement
with its values: the production formatter must hide them, and show them when asked to.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import logsetup
from bot.services import KimApp
from bot.settings import load_settings
from botapi_sandbox import BotApiServer, FakeUser
from tests.conftest import TOKEN

SECRET = "nomor saya 0812-3456-7890 rahasia"
NAME = "Kartini Wulandari"
TRACES = (SECRET, "0812-3456-7890", "Kartini", "Wulandari")


@pytest.fixture(params=["false", "true"], ids=["hidden", "shown"])
def private_data(request: pytest.FixtureRequest) -> bool:
    """LOG_PRIVATE_DATA as the environment gives it: off, then on."""
    return load_settings({"LOG_PRIVATE_DATA": request.param}).log_private_data


@pytest.fixture
def log_output(private_data: bool) -> Iterator[io.StringIO]:
    """The production formatter at DEBUG, as `kim-bot run` sets it up."""
    stream = io.StringIO()
    handler = logsetup.configure("DEBUG", [TOKEN], stream, private_data=private_data)
    yield stream
    logging.getLogger().removeHandler(handler)


async def test_a_villagers_words_stay_out_of_the_debug_log(
    server: BotApiServer,
    kimbot: KimApp,
    admin: FakeUser,
    log_output: io.StringIO,
    private_data: bool,
) -> None:
    """/lapor, /cek and a plain message with a phone number: absent from the log unless asked."""
    operators = server.private(admin)
    await operators.send("/start")
    await operators.expect()
    first, last = NAME.split()
    villager = server.new_user(first, last_name=last)
    chat = server.private(villager)
    await chat.send("/start")
    await chat.expect()
    await chat.send("/lapor")
    await chat.expect(contains="Kirim atau teruskan")
    await chat.send(SECRET)
    await chat.expect(contains="tercatat")
    await operators.expect(contains="Laporan hoaks baru")  # the report text went out again
    await chat.send(f"/cek {SECRET}")
    await chat.expect()
    await chat.send(SECRET)
    # Updates are handled in order: once /bantuan is answered, the plain message was handled.
    await chat.send("/bantuan")
    await server.wait_for_call(
        "sendMessage",
        where=lambda r: r.params.get("chat_id") == villager.id and "/bantuan" in r.params["text"],
    )

    log = log_output.getvalue()
    assert "Calling Bot API endpoint `sendMessage`" in log  # DEBUG really logged the calls...
    assert "INSERT INTO hoax_reports" in log  # ...and the statements
    assert TOKEN not in log
    shown = [trace for trace in TRACES if trace in log]
    assert shown == (list(TRACES) if private_data else [])
