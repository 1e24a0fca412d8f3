"""kim-bot with WhatsApp set up: a second dispatcher beside Telegram's, each at its own pace;
a resting WhatsApp number slows nothing on Telegram and the operators hear of it once."""

from __future__ import annotations

import pytest

from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser
from tests.conftest import whatsapp_settings
from tests.faultkit import approve_announcement, started, subscribe_all
from tests.whatsapp_line import Line, register_template
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import TextMessage


@pytest.fixture
def settings_overrides(whatsapp: WhatsAppSandbox) -> dict[str, str]:
    """The WhatsApp number on the stand-in, its template approved."""
    register_template(whatsapp)
    return whatsapp_settings(whatsapp)


async def test_one_announcement_reaches_both_channels(
    kimbot: KimApp, server: BotApiServer, whatsapp: WhatsAppSandbox
) -> None:
    """A Telegram subscriber and a WhatsApp subscriber both get the approved announcement."""
    services = kimbot.bot_data
    ani = server.new_user("Ani")
    started(server, [ani])
    await subscribe_all(services.db, [ani], "kesehatan", services.clock.now())
    siti = await Line(services.db, whatsapp).person("Siti", "6281200000001")
    assert siti is not None
    await approve_announcement(
        services.db,
        author=1,
        verifier=2,
        text="Vaksinasi Sabtu.",
        topic="kesehatan",
        now=services.clock.now(),
    )
    services.delivery.wake()
    await server.private(ani).expect(contains="Vaksinasi Sabtu.")
    assert "Vaksinasi Sabtu." in (await siti.expect(kind=TextMessage)).text


async def test_a_resting_whatsapp_number_does_not_hold_telegram_back(
    kimbot: KimApp, server: BotApiServer, whatsapp: WhatsAppSandbox, admin: FakeUser
) -> None:
    """WhatsApp's spam limit pauses WhatsApp only: Telegram subscribers get the announcement,
    the admin hears once that WhatsApp rests."""
    services = kimbot.bot_data
    villagers = [server.new_user(f"Warga {n}") for n in range(3)]
    started(server, [admin, *villagers])
    await subscribe_all(services.db, villagers, "kesehatan", services.clock.now())
    line = Line(services.db, whatsapp)
    for n in range(3):
        await line.person(f"WA {n}", f"62812000004{n:02d}")
    whatsapp.faults.add(131048, times=None)
    await approve_announcement(
        services.db,
        author=1,
        verifier=2,
        text="Jalan ditutup.",
        topic="kesehatan",
        now=services.clock.now(),
    )
    services.delivery.wake()
    alert = await server.private(admin).expect(contains="WhatsApp dijeda")
    assert "6 jam" in alert.text
    for villager in villagers:
        await server.private(villager).expect(contains="Jalan ditutup.")
    await server.private(admin).expect_nothing(0.3)
    assert all(not p.messages for p in whatsapp.users.values())
