"""The conversation's replies and a WhatsApp broadcast share the number's throughput: a
villager asking during a broadcast is answered, and Meta refuses nothing."""

from __future__ import annotations

import pytest

from bot import subscriptions
from bot.services import KimApp
from bot.subscriptions import AreaRef, Scope
from bot.topics import BY_KEY
from bot.whatsapp import contacts
from tests.conftest import whatsapp_settings
from tests.faultkit import approve_announcement
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import TextMessage

PEOPLE = 40
RATE = 10  # messages a second: the number's limit here, so a broadcast fills every second


@pytest.fixture
def settings_overrides(whatsapp: WhatsAppSandbox) -> dict[str, str]:
    return {**whatsapp_settings(whatsapp), "WHATSAPP_RATE": str(RATE)}


async def test_a_reply_during_a_broadcast_takes_its_place_in_the_budget(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """Forty subscribers at ten messages a second, and Joko writes CEK meanwhile: he gets
    his answer, everyone gets the announcement once, and no send meets 130429."""
    services = wa_kimbot.bot_data
    db, now = services.db, services.clock.now()
    whatsapp.enforce_limits(throughput=RATE, pair_interval=0.1, daily_recipients=None)
    area = await subscriptions.resolve(db, AreaRef(Scope.KABUPATEN, "35.14"))
    assert area is not None
    people = []
    for index in range(PEOPLE):
        phone = f"62812000{index:05d}"
        person = whatsapp.new_user(f"Warga {index}", phone)
        person.last_inbound = whatsapp.now()  # all wrote recently: texts, no templates
        people.append(person)
        user_id = await contacts.remember(db, phone, person.name, now, now.timestamp())
        bit = BY_KEY["kesehatan"].bit
        await subscriptions.subscribe(db, user_id=user_id, area=area, topics=bit, now=now)
    await approve_announcement(
        db, author=1, verifier=2, text="Posyandu serentak Sabtu pagi.", topic="kesehatan", now=now
    )
    services.delivery.wake()
    await people[0].expect(kind=TextMessage, contains="Posyandu serentak")  # it has begun

    joko = whatsapp.new_user("Joko", "6285700000001")
    await joko.send("CEK vaksin mengandung chip pelacak")
    await joko.expect(kind=TextMessage)
    for person in people[1:]:
        await person.expect(kind=TextMessage, contains="Posyandu serentak", timeout=15.0)
    assert all(len(person.messages) == 1 for person in people)
    assert whatsapp.stats.rate_limited == 0
