"""Roles: admins from settings, operators and verifiers granted and revoked with an audit trail."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import audit, commands, people
from bot.people import Person, Role
from bot.storage import Database

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


async def test_roles_grant_and_revoke_with_audit(tmp_path: Path) -> None:
    """Granting twice changes nothing; every change is audited with its actor."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    await people.remember(db, Person(42, "Budi"), NOW)
    assert await people.roles_of(db, {1}, 42) == {Role.WARGA}
    assert await people.roles_of(db, {1}, 1) == {Role.WARGA, Role.ADMIN}
    assert await people.grant(db, user_id=42, role=Role.OPERATOR, actor_id=1, now=NOW)
    assert not await people.grant(db, user_id=42, role=Role.OPERATOR, actor_id=1, now=NOW)
    assert await people.grant(db, user_id=42, role=Role.VERIFIER, actor_id=1, now=NOW)
    assert await people.roles_of(db, {1}, 42) == {Role.WARGA, Role.OPERATOR, Role.VERIFIER}
    [member] = await people.staff(db)
    assert member.person.display == "Budi"
    assert await people.revoke(db, user_id=42, role=Role.OPERATOR, actor_id=1, now=NOW)
    assert not await people.revoke(db, user_id=42, role=Role.OPERATOR, actor_id=1, now=NOW)
    log = await audit.entries(db)
    assert [(e.action, e.actor_id, e.object_id, e.detail["role"]) for e in log] == [
        ("role.revoke", 1, "42", "operator"),
        ("role.grant", 1, "42", "verifikator"),
        ("role.grant", 1, "42", "operator"),
    ]
    await db.close()


def test_commands_by_role() -> None:
    """Villagers see the public commands; admins see everything."""
    warga = {c.name for c in commands.available_to(frozenset({Role.WARGA}))}
    operator = {c.name for c in commands.available_to(frozenset({Role.WARGA, Role.OPERATOR}))}
    admin = {c.name for c in commands.available_to(frozenset({Role.WARGA, Role.ADMIN}))}
    assert "operator" not in warga and "status" not in warga
    assert "status" in operator and "operator" not in operator
    assert admin == {c.name for c in commands.COMMANDS if c.where != commands.Where.GROUP}
    in_groups = {
        c.name for c in commands.available_to(frozenset({Role.WARGA}), commands.Where.GROUP)
    }
    assert in_groups >= {"bantuan", "daftarkim", "daftarforum", "infokim"}
    assert not in_groups & {"operator", "siaran", "langganan", "start"}
