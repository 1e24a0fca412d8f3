"""The chat registry and KIM registrations as plain functions over a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import audit, chats, kim, people, regions, registrations
from bot.chats import ChatStatus, ChatType
from bot.people import Person
from bot.storage import Database
from bot.texts import kim as t

NOW = datetime(2026, 5, 5, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
RACI, KAUMAN = "35.14.14.2011", "35.14.14.1004"
BANGIL, PURWODADI = "35.14.14", "35.14.01"
GROUP, OTHER, SUPERGROUP, CHANNEL = -4001, -4002, -1001, -1002


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def _kim(
    db: Database, chat_id: int, desa: str = RACI, *, approve: bool = True
) -> kim.Registration:
    await chats.joined(
        db,
        chat_id=chat_id,
        chat_type=ChatType.GROUP,
        title=f"Grup {chat_id}",
        bot_is_admin=False,
        added_by=7,
        now=NOW,
    )
    registration = await registrations.request_kim(
        db,
        chat_id=chat_id,
        chat_type=ChatType.GROUP,
        chat_title=f"Grup {chat_id}",
        desa_code=desa,
        name="KIM Uji",
        requested_by=7,
        requested_by_name="Sari",
        now=NOW,
    )
    if approve:
        decision = await registrations.decide(
            db, registration.id, approve=True, actor_id=1, now=NOW
        )
        assert decision is not None
        return decision.registration
    return registration


async def _channel(db: Database, chat_id: int) -> None:
    await chats.joined(
        db,
        chat_id=chat_id,
        chat_type=ChatType.CHANNEL,
        title=f"Kanal {chat_id}",
        bot_is_admin=True,
        added_by=9,
        now=NOW,
    )


async def test_chat_lifecycle_keeps_the_row_and_reactivates(db: Database) -> None:
    """Removed → inactive, failed sends → unreachable, re-added → active; never deleted."""
    before, after = await chats.joined(
        db,
        chat_id=GROUP,
        chat_type=ChatType.GROUP,
        title="KIM Raci",
        bot_is_admin=False,
        added_by=7,
        now=NOW,
    )
    assert before is None and after.is_active and after.added_by == 7
    assert await chats.mark_inactive(db, GROUP, "dikeluarkan", NOW, actor_id=7)
    assert not await chats.mark_inactive(db, GROUP, "dikeluarkan", NOW, actor_id=7)
    stored = await chats.get(db, GROUP)
    assert stored is not None and stored.status == ChatStatus.INACTIVE
    assert stored.status_reason == "dikeluarkan"

    assert await chats.mark_unreachable(db, GROUP, "chat not found", NOW)
    assert not await chats.mark_unreachable(db, 12345, "chat not found", NOW)
    later = NOW + timedelta(days=1)
    before, after = await chats.joined(
        db,
        chat_id=GROUP,
        chat_type=ChatType.GROUP,
        title="KIM Raci",
        bot_is_admin=False,
        added_by=8,
        now=later,
    )
    assert before is not None and before.status == ChatStatus.UNREACHABLE
    assert after.is_active and after.status_reason is None and after.added_by == 8
    assert after.first_seen == NOW.isoformat()
    assert await chats.retitle(db, GROUP, "KIM Raci Maju", later)
    renamed = await chats.get(db, GROUP)
    assert renamed is not None and renamed.title == "KIM Raci Maju"
    actions = [e.action for e in await audit.entries(db)]
    assert actions == ["chat.join", "chat.unreachable", "chat.inactive", "chat.join"]


async def test_migrate_moves_the_chat_and_its_registration(db: Database) -> None:
    """The registration follows the supergroup id; the second service message changes nothing."""
    registration = await _kim(db, GROUP)
    await chats.mark_inactive(db, GROUP, "keluar", NOW)  # the old group reported as left
    assert await chats.migrate(db, GROUP, SUPERGROUP, NOW)
    assert not await chats.migrate(db, GROUP, SUPERGROUP, NOW)
    assert await chats.get(db, GROUP) is None
    moved = await chats.get(db, SUPERGROUP)
    assert moved is not None and moved.type == ChatType.SUPERGROUP and moved.is_active
    followed = await kim.get(db, registration.id)
    assert followed is not None and followed.chat_id == SUPERGROUP
    assert [target.chat_id for target in await kim.active_groups(db)] == [SUPERGROUP]


async def test_migrate_into_an_already_seen_supergroup_merges(db: Database) -> None:
    """No chat is left twice; the approved registration wins over the new chat's pending one."""
    approved = await _kim(db, GROUP)
    pending = await _kim(db, SUPERGROUP, KAUMAN, approve=False)
    assert await chats.migrate(db, GROUP, SUPERGROUP, NOW)
    rows = await db.fetchall(
        "SELECT chat_id FROM chats WHERE chat_id IN (?, ?)", (GROUP, SUPERGROUP)
    )
    assert [row["chat_id"] for row in rows] == [SUPERGROUP]
    live = await kim.live_for_chat(db, SUPERGROUP)
    assert live is not None and live.id == approved.id and live.desa_code == RACI
    ended = await kim.get(db, pending.id)
    assert ended is not None and ended.status == kim.Status.ENDED and ended.reason == "migrasi"
    merged = await chats.get(db, SUPERGROUP)
    assert merged is not None and merged.added_by == 7


async def test_one_live_registration_per_group_and_one_decision(db: Database) -> None:
    """A second request is refused; the first decision counts; a rejected group may retry."""
    first = await _kim(db, GROUP, approve=False)
    assert first.status == kim.Status.PENDING and first.requested_by_name == "Sari"
    assert first.kecamatan_code == BANGIL and first.desa_display == "Raci"
    with pytest.raises(registrations.AlreadyRegistered) as refused:
        await registrations.request_forum(
            db,
            chat_id=GROUP,
            chat_type=ChatType.GROUP,
            chat_title="x",
            kecamatan_code=None,
            name="Forum",
            requested_by=7,
            requested_by_name="Sari",
            now=NOW,
        )
    assert refused.value.existing.id == first.id
    rejected = await registrations.decide(db, first.id, approve=False, actor_id=1, now=NOW)
    assert rejected is not None and rejected.changed
    late = await registrations.decide(db, first.id, approve=True, actor_id=2, now=NOW)
    assert late is not None and not late.changed
    assert late.registration.status == kim.Status.REJECTED and late.registration.decided_by == 1
    assert await registrations.decide(db, 999, approve=True, actor_id=1, now=NOW) is None
    assert await kim.live_for_chat(db, GROUP) is None
    again = await _kim(db, GROUP)
    assert again.status == kim.Status.APPROVED
    with pytest.raises(LookupError):
        await registrations.request_kim(
            db,
            chat_id=OTHER,
            chat_type=ChatType.GROUP,
            chat_title="x",
            desa_code="99.99.99.9999",
            name="x",
            requested_by=7,
            requested_by_name="x",
            now=NOW,
        )
    assert [e.action for e in await audit.entries(db, action="kim.reject")] == ["kim.reject"]


async def test_active_groups_filters_and_reachability(db: Database) -> None:
    """Only approved KIM of active chats; None means every area, an empty list means none."""
    raci = await _kim(db, GROUP)
    await _kim(db, OTHER, KAUMAN)
    await _kim(db, -4003, RACI, approve=False)
    assert [g.chat_id for g in await kim.active_groups(db)] == [GROUP, OTHER]
    assert [g.chat_id for g in await kim.active_groups(db, desa_codes=[RACI])] == [GROUP]
    assert await kim.active_groups(db, desa_codes=[]) == []
    assert await kim.active_groups(db, kecamatan_codes=[PURWODADI]) == []
    both = await kim.active_groups(db, kecamatan_codes=[BANGIL], desa_codes=[KAUMAN])
    assert [g.chat_id for g in both] == [OTHER]
    assert (await kim.active_groups(db, desa_codes=[RACI]))[0].name == raci.name

    await chats.mark_inactive(db, GROUP, "dikeluarkan", NOW)
    assert [g.chat_id for g in await kim.active_groups(db)] == [OTHER]
    assert await kim.desa_with_kim(db) == {RACI, KAUMAN}
    ended = await registrations.end(db, raci.id, actor_id=1, reason="bubar", now=NOW)
    assert ended is not None and ended.status == kim.Status.ENDED
    assert await registrations.end(db, raci.id, actor_id=1, reason="bubar", now=NOW) is None
    assert await kim.desa_with_kim(db) == {KAUMAN}


async def test_forums_and_channels_for(db: Database) -> None:
    """Forum and channel lookups follow their documented area and topic rules."""
    for chat_id, kecamatan in ((-4010, BANGIL), (-4011, None), (-4012, PURWODADI)):
        await chats.joined(
            db,
            chat_id=chat_id,
            chat_type=ChatType.SUPERGROUP,
            title="Forum",
            bot_is_admin=False,
            added_by=7,
            now=NOW,
        )
        forum = await registrations.request_forum(
            db,
            chat_id=chat_id,
            chat_type=ChatType.SUPERGROUP,
            chat_title="Forum",
            kecamatan_code=kecamatan,
            name="Forum KIM",
            requested_by=7,
            requested_by_name="Hadi",
            now=NOW,
        )
        await registrations.decide(db, forum.id, approve=True, actor_id=1, now=NOW)
    assert [f.chat_id for f in await kim.forums(db, [BANGIL])] == [-4010, -4011]
    assert [f.chat_id for f in await kim.forums(db, [BANGIL], include_kabupaten=False)] == [-4010]
    assert [f.chat_id for f in await kim.forums(db)] == [-4010, -4011, -4012]
    assert [f.chat_id for f in await kim.forums(db, [])] == [-4011]

    for chat_id in (-1101, -1102, -1103):
        await _channel(db, chat_id)
    await registrations.register_channel(
        db, chat_id=-1101, kecamatan_code=None, topic=None, actor_id=1, now=NOW
    )
    await registrations.register_channel(
        db, chat_id=-1102, kecamatan_code=BANGIL, topic=None, actor_id=1, now=NOW
    )
    await registrations.register_channel(
        db, chat_id=-1103, kecamatan_code=None, topic="kesehatan", actor_id=1, now=NOW
    )
    assert [c.chat_id for c in await kim.channels_for(db, [BANGIL], None)] == [-1101, -1102]
    assert [c.chat_id for c in await kim.channels_for(db, [PURWODADI], "kesehatan")] == [
        -1101,
        -1103,
    ]
    assert [c.chat_id for c in await kim.channels_for(db, None, None)] == [-1101, -1102]
    with pytest.raises(registrations.AlreadyRegistered):
        await registrations.register_channel(
            db, chat_id=-1101, kecamatan_code=BANGIL, topic=None, actor_id=1, now=NOW
        )
    with pytest.raises(LookupError):
        await registrations.register_channel(
            db, chat_id=-1104, kecamatan_code=None, topic=None, actor_id=1, now=NOW
        )
    await chats.mark_inactive(db, -1101, "bukan admin lagi", NOW)
    assert [c.chat_id for c in await kim.channels_for(db, [BANGIL], None)] == [-1102]
    assert [c.chat_id for c in await kim.unregistered_channels(db)] == []


async def test_blocking_and_unblocking_a_person(db: Database) -> None:
    """set_reachable flips the flag once per change, audited; unknown people are ignored."""
    await people.remember(db, Person(42, "Wati"), NOW)
    assert await people.set_reachable(db, 42, False, NOW)
    assert not await people.set_reachable(db, 42, False, NOW)
    assert await db.fetchval("SELECT reachable FROM people WHERE user_id = 42") == 0
    assert await people.set_reachable(db, 42, True, NOW)
    assert not await people.set_reachable(db, 43, False, NOW)
    actions = [e.action for e in await audit.entries(db)]
    assert actions == ["person.unblocked", "person.blocked"]


def test_names_and_dates_people_read() -> None:
    """KIM names are tidied and bounded; dates read the Indonesian way."""
    assert kim.default_name("GONDANG WETAN") == "KIM Gondang Wetan"
    assert kim.clean_name("  KIM   Raci\nMaju ") == "KIM Raci Maju"
    assert kim.clean_name("   ") is None
    assert kim.clean_name("x" * 65) is None
    assert t.date("2026-05-05T10:00:00+07:00") == "5 Mei 2026"
    assert t.date_time("2026-12-31T23:59:00+07:00") == "31 Desember 2026, 23.59"
