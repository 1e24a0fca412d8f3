"""/hapusdata and `privacy.forget_person`: afterwards no row in any table names the person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import audit, people, privacy, regions, subscriptions
from bot.people import Person, Role
from bot.services import KimApp
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.topics import DEFAULT_BITS
from handlers import menus
from tests.botapi import BotApiServer, FakeUser

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


async def cells_naming(db: Database, user_id: int) -> list[str]:
    """`table.column` of every cell, in every table, that contains the id (as number or text)."""
    found = []
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for table in (row["name"] for row in tables):
        for column in await db.fetchall(f'PRAGMA table_info("{table}")'):
            name = column["name"]
            count = await db.fetchval(
                f'SELECT COUNT(*) FROM "{table}" WHERE instr(CAST("{name}" AS TEXT), ?) > 0',
                (str(user_id),),
            )
            if count:
                found.append(f"{table}.{name}")
    return found


async def leave_traces(db: Database, user_id: int, other_id: int) -> None:
    """Rows in every table that refers to a person: as subscriber, staff, actor, adder."""
    area = await subscriptions.resolve(db, AreaRef(Scope.DESA, "35.14.14.2011"))
    assert area is not None
    await subscriptions.subscribe(db, user_id=user_id, area=area, topics=DEFAULT_BITS, now=NOW)
    await people.grant(db, user_id=user_id, role=Role.OPERATOR, actor_id=other_id, now=NOW)
    await people.grant(db, user_id=other_id, role=Role.VERIFIER, actor_id=user_id, now=NOW)
    await audit.log(
        db,
        at=NOW,
        actor_id=user_id,
        action="access.denied",
        object_type="command",
        object_id="/poster",
    )
    stamp = NOW.isoformat()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats(chat_id, type, title, added_by, first_seen, updated_at)"
            " VALUES (-100123, 'supergroup', 'KIM Raci', ?, ?, ?)",
            (user_id, stamp, stamp),
        )
        await conn.execute(
            "INSERT INTO registrations(chat_id, kind, desa_code, name, status, requested_by,"
            " requested_at, decided_by, decided_at)"
            " VALUES (-100123, 'kim', '35.14.14.2011', 'KIM Raci', 'approved', ?, ?, ?, ?)",
            (user_id, stamp, other_id, stamp),
        )
        await conn.execute(
            "INSERT INTO registrations(chat_id, kind, desa_code, name, status, requested_by,"
            " requested_at, decided_by, decided_at)"
            " VALUES (-100123, 'kim', '35.14.14.2011', 'KIM Raci', 'ended', ?, ?, ?, ?)",
            (other_id, stamp, user_id, stamp),
        )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def test_forget_person_leaves_no_cell_naming_them(db: Database) -> None:
    """Their rows go, their id is blanked elsewhere, someone else's rows stay intact."""
    user_id, other_id = 712345678, 798765432
    for person in (user_id, other_id):
        await people.remember(db, Person(person, f"Warga {person}", username="w"), NOW)
    await leave_traces(db, user_id, other_id)
    assert {
        "people.user_id",
        "subscriptions.user_id",
        "staff.user_id",
        "staff.added_by",
        "audit_log.actor_id",
        "audit_log.object_id",
        "chats.added_by",
        "registrations.requested_by",
        "registrations.decided_by",
    } <= set(await cells_naming(db, user_id))
    other_before = await cells_naming(db, other_id)

    await privacy.forget_person(db, user_id, NOW)

    assert await cells_naming(db, user_id) == []
    # The other person's own rows stay; only the role they had granted went with its holder.
    assert await cells_naming(db, other_id) == [c for c in other_before if c != "staff.added_by"]
    assert await people.find(db, other_id) is not None
    assert await db.fetchval("SELECT COUNT(*) FROM chats") == 1
    assert await db.fetchval("SELECT COUNT(*) FROM registrations") == 2
    forgotten = await audit.entries(db, action="person.forgotten")
    assert [(e.actor_id, e.object_type, e.object_id) for e in forgotten] == [(None, None, None)]

    await privacy.forget_person(db, user_id, NOW)  # idempotent
    assert await cells_naming(db, user_id) == []


async def test_hapusdata_after_confirm_forgets_the_person(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """/hapusdata → "Ya, hapus data saya": no table names them, even after that very tap."""
    villager = server.new_user("Sri", username="sri_raci")
    chat = server.private(villager)
    await chat.send("/start d3514142011")
    offer = await chat.expect()
    await chat.press(offer, "Ya, berlangganan")
    await chat.expect_edit(offer)
    db = kimbot.bot_data.db
    await leave_traces(db, villager.id, admin.id)
    assert await cells_naming(db, villager.id)
    await menus.set_menu_for(kimbot.bot, villager.id, frozenset({Role.OPERATOR, Role.WARGA}))
    assert "poster" in {c.command for c in server.menu_for(villager)}

    await chat.send("/hapusdata")
    ask = await chat.expect()
    assert "Hapus data Anda" in ask.text
    await chat.press(ask, "Ya, hapus data saya")
    done = await chat.expect_edit(ask)
    assert "sudah dihapus" in done.text
    assert done.buttons == []

    assert await cells_naming(db, villager.id) == []
    assert await people.roles_of(db, set(), villager.id) == {Role.WARGA}
    assert "poster" not in {c.command for c in server.menu_for(villager)}


async def test_hapusdata_cancelled_keeps_everything(server: BotApiServer, kimbot: KimApp) -> None:
    """Batal leaves the profile and the subscriptions as they were."""
    villager = server.new_user("Yanto")
    chat = server.private(villager)
    await chat.send("/start k351414")
    offer = await chat.expect()
    await chat.press(offer, "Ya, berlangganan")
    await chat.expect_edit(offer)
    await chat.send("/hapusdata")
    ask = await chat.expect()
    await chat.press(ask, "Batal")
    assert "tidak dihapus" in (await chat.expect_edit(ask)).text
    db = kimbot.bot_data.db
    assert await people.find(db, villager.id) is not None
    assert len(await subscriptions.of_person(db, villager.id)) == 1
