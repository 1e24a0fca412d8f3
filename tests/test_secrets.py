"""The bot token never reaches a log: not through the production formatter at DEBUG, and not
even in a raw log record, whatever happens (replies, buttons, a broadcast through 429s, 5xx
answers and timeouts, a handler that fails with a traceback). The whole process as it runs
in production is covered by tests/test_process.py and tests/test_fault_crash.py, which read
the logs of `python -m bot` itself."""

from __future__ import annotations

import io
import logging

import pytest

from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer, FakeUser
from broadcasts import outbox
from tests.conftest import TOKEN
from tests.faultkit import approve_announcement
from tests.network import Network, kecamatan

SECRET = TOKEN.split(":", 1)[1]  # the part that must never show, even without the bot id


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Broadcast timeouts short enough for a test to run into them."""
    return settings.model_copy(update={"broadcast_timeout": 0.5, "broadcast_rate": 100.0})


async def test_a_debug_run_full_of_failures_logs_no_token(
    server: BotApiServer,
    kimbot: KimApp,
    admin: FakeUser,
    log_output: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At DEBUG, through replies, errors and faults: no line, record or traceback has the token."""
    caplog.set_level(logging.DEBUG)
    net = Network(server, kimbot)
    siti = await net.villager("Siti <b>", kecamatan("35.14.14"), "bencana")
    budi = await net.staff("Budi", Role.OPERATOR)
    sari = await net.staff("Sari", Role.VERIFIER)
    chat = server.private(siti)
    await chat.send("/langganan")
    picker = await chat.expect()
    await chat.press(picker, "Bangil")
    await chat.press_data(picker, "sd:1:forged")  # a forged staff button: refused
    await chat.send("/cek vaksin mengandung chip")
    await chat.expect()

    # A reply that fails: the error handler logs the traceback and apologises.
    server.faults.add("chat_not_found", method="sendMessage", chat_id=siti, times=1)
    await chat.send("/bantuan")
    await chat.expect(contains="Maaf, terjadi gangguan")
    await server.private(admin).send("/operator")
    await server.private(admin).expect()

    # A broadcast through a 429, a 5xx and a timeout to the same villager.
    for kind in ("retry_after", "server_error", "timeout"):
        server.faults.add(kind, chat_id=siti, delay=1.0, retry_after=0.1)
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    announcement = await approve_announcement(
        db, author=budi.id, verifier=sari.id, text="Banjir", topic="bencana", now=now
    )
    kimbot.bot_data.delivery.wake()
    await server.private(budi).expect(contains="selesai dikirim", timeout=20)
    assert (await outbox.progress(db, announcement)).sent == 1
    assert {"retry_after", "server_error", "timeout"} <= set(server.stats.faults)

    formatted = log_output.getvalue()
    assert "sendMessage" in formatted  # DEBUG really logged the API calls ...
    assert "error while handling an update" in formatted  # ... and a traceback
    assert "Traceback" in formatted
    assert TOKEN not in formatted and SECRET not in formatted
    raw = [
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''} {record.exc_info!r}"
        for record in caplog.records
    ]
    assert len(raw) > 100
    leaks = [line[:300] for line in raw if SECRET in line]
    assert not leaks, leaks
    assert SECRET not in caplog.text
