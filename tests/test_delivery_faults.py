"""Delivery under Telegram's limits and faults: every reachable chat gets the announcement
once, unreachable chats are marked, and the report matches what the server recorded."""

from __future__ import annotations

import pytest

from bot import chats, people
from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer, FakeChat, FakeUser
from botapi_sandbox.latency import REALISTIC
from broadcasts import outbox
from broadcasts.targets import Urgency
from tests.faultkit import approve_announcement
from tests.network import Network, kecamatan

SPEEDUP = 10


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The bot paced for a server running Telegram's limits ten times faster."""
    return settings.model_copy(
        update={
            "broadcast_rate": 30.0 * SPEEDUP,
            "broadcast_window": 1.0 / SPEEDUP,
            "broadcast_group_interval": 3.0 / SPEEDUP,
            "broadcast_private_interval": 1.0 / SPEEDUP,
        }
    )


async def _approved(kimbot: KimApp, author: FakeUser, verifier: FakeUser, text: str) -> int:
    """A kabupaten-wide announcement, composed and approved (the chat flow is tested elsewhere)."""
    draft = await approve_announcement(
        kimbot.bot_data.db,
        author=author.id,
        verifier=verifier.id,
        text=text,
        topic="bencana",
        urgency=Urgency.DARURAT,
        now=kimbot.bot_data.clock.now(),
    )
    kimbot.bot_data.delivery.wake()
    return draft


def received(server: BotApiServer, chat: FakeChat | FakeUser | int, text: str) -> int:
    chat_id = chat if isinstance(chat, int) else chat.id
    return sum(1 for m in server.sent_to(chat_id) if text in m.text)


async def test_limits_and_faults_deliver_once_and_mark_the_unreachable(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """429s, a blocked villager, a vanished group, 5xx answers and a migration."""
    net = Network(server, kimbot)
    pak_rt = server.new_user("Pak RT")
    groups = [
        await net.kim_group(f"KIM {i}", code, pak_rt)
        for i, code in enumerate(
            ("35.14.14.2011", "35.14.14.2010", "35.14.12.2001", "35.14.01.2001")
        )
    ]
    villagers = [
        await net.villager(f"Warga {i}", kecamatan("35.14.14"), "bencana") for i in range(12)
    ]
    budi = await net.staff("Budi", Role.OPERATOR)
    sari = await net.staff("Sari", Role.VERIFIER)

    blocked, vanished, flaky, throttled = villagers[0], groups[1], villagers[1], groups[2]
    server.faults.add("blocked", chat_id=blocked, times=None)
    server.faults.add("chat_not_found", chat_id=vanished, times=None)
    server.faults.add("server_error", chat_id=flaky, times=2)
    server.faults.add("retry_after", chat_id=throttled, times=1, retry_after=0.2)
    server.enforce_limits(speedup=SPEEDUP, latency=REALISTIC)

    text = "Waspada banjir malam ini"
    announcement_id = await _approved(kimbot, budi, sari, text)
    new_id = await server.migrate_to_supergroup(groups[3])

    report = await server.private(budi).expect(contains="selesai dikirim", timeout=15)
    db = kimbot.bot_data.db
    state = await outbox.progress(db, announcement_id)
    assert state.pending == 0
    reachable = [g for g in groups if g is not vanished] + [
        v for v in villagers if v is not blocked
    ]
    for chat in reachable:
        chat_id = new_id if chat is groups[3] else chat.id
        assert received(server, chat_id, text) == 1, chat
    assert received(server, blocked, text) == 0
    assert received(server, vanished, text) == 0
    assert state.sent == len(reachable)
    assert state.failed_by_reason == {"blocked": 1, "chat_not_found": 1}
    assert f"Terkirim: {len(reachable)} dari {len(reachable) + 2}" in report.text
    assert "memblokir bot: 1" in report.text
    assert "chat tidak ditemukan: 1" in report.text
    assert server.stats.faults["retry_after"] == 1  # the 429 happened and was retried

    person = await people.find(db, blocked.id)
    assert person is not None
    assert await db.fetchval("SELECT reachable FROM people WHERE user_id = ?", (blocked.id,)) == 0
    vanished_chat = await chats.get(db, vanished.id)
    assert vanished_chat is not None and vanished_chat.status == "unreachable"
