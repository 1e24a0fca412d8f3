"""People who talk to the bot, and the roles of the office's staff.

Admins come from `ADMIN_IDS` (so a lost database never locks the office out); operators and
verifiers are granted by admins and stored in `staff`. An admin may do everything an
operator or a verifier may do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass
from datetime import datetime
from enum import StrEnum

from bot import audit
from bot.clock import isoformat
from bot.storage import Database, from_row


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VERIFIER = "verifikator"
    WARGA = "warga"


GRANTABLE = (Role.OPERATOR, Role.VERIFIER)
EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.OPERATOR, Role.VERIFIER})
OPERATORS = frozenset({Role.ADMIN, Role.OPERATOR})
VERIFIERS = frozenset({Role.ADMIN, Role.VERIFIER})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Person:
    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def display(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or (f"@{self.username}" if self.username else f"ID {self.user_id}")


@dataclass(frozen=True)
class StaffMember:
    person: Person
    roles: frozenset[Role]


async def remember(db: Database, person: Person, now: datetime) -> bool:
    """Record that a person wrote to the bot; they are reachable again from now on.

    Returns True the first time the bot hears from them.
    """
    async with db.transaction() as conn:
        async with conn.execute("SELECT 1 FROM people WHERE user_id = ?", (person.user_id,)) as cur:
            is_new = await cur.fetchone() is None
        await conn.execute(
            "INSERT INTO people(user_id, first_name, last_name, username, language_code,"
            " first_seen, last_seen, reachable) VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
            " ON CONFLICT(user_id) DO UPDATE SET first_name = excluded.first_name,"
            " last_name = excluded.last_name, username = excluded.username,"
            " language_code = excluded.language_code, last_seen = excluded.last_seen,"
            " reachable = 1",
            (*astuple(person), isoformat(now), isoformat(now)),  # Person's fields in order
        )
    return is_new


async def set_reachable(db: Database, user_id: int, reachable: bool, now: datetime) -> bool:
    """Record that the person blocked (False) or unblocked (True) the bot; audited.

    Only people already known are updated (a block always follows a first message).
    Returns False when nothing changed.
    """
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE people SET reachable = ? WHERE user_id = ? AND reachable != ?",
            (int(reachable), user_id, int(reachable)),
        )
        return await audit.record_if(
            conn,
            cursor.rowcount > 0,
            at=now,
            actor_id=user_id,
            action="person.unblocked" if reachable else "person.blocked",
            object_type="person",
            object_id=user_id,
        )


async def find(db: Database, user_id: int) -> Person | None:
    row = await db.fetchone(
        "SELECT user_id, first_name, last_name, username, language_code FROM people"
        " WHERE user_id = ?",
        (user_id,),
    )
    return None if row is None else from_row(Person, row)


async def roles_of(db: Database, admin_ids: Iterable[int], user_id: int) -> frozenset[Role]:
    """Every role the person holds; everyone is at least WARGA."""
    roles = {Role.WARGA}
    if user_id in set(admin_ids):
        roles.add(Role.ADMIN)
    rows = await db.fetchall("SELECT role FROM staff WHERE user_id = ?", (user_id,))
    roles.update(Role(row["role"]) for row in rows)
    return frozenset(roles)


def may(roles: frozenset[Role], allowed: frozenset[Role]) -> bool:
    return not roles.isdisjoint(allowed)


async def grant(
    db: Database, *, user_id: int, role: Role, actor_id: int | None, now: datetime
) -> bool:
    """Give a role; False when the person already had it (nothing changes then)."""
    if role not in GRANTABLE:
        raise ValueError(f"role {role} cannot be granted")
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO staff(user_id, role, added_by, added_at) VALUES (?, ?, ?, ?)",
            (user_id, role.value, actor_id, isoformat(now)),
        )
        return await audit.record_if(
            conn,
            cursor.rowcount > 0,
            at=now,
            actor_id=actor_id,
            action="role.grant",
            object_type="person",
            object_id=user_id,
            detail={"role": role.value},
        )


async def revoke(
    db: Database, *, user_id: int, role: Role, actor_id: int | None, now: datetime
) -> bool:
    """Take a role away; False when the person did not have it."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM staff WHERE user_id = ? AND role = ?", (user_id, role.value)
        )
        return await audit.record_if(
            conn,
            cursor.rowcount > 0,
            at=now,
            actor_id=actor_id,
            action="role.revoke",
            object_type="person",
            object_id=user_id,
            detail={"role": role.value},
        )


async def staff(db: Database) -> list[StaffMember]:
    """Operators and verifiers, by name; people who never wrote to the bot show by id."""
    rows = await db.fetchall(
        "SELECT s.user_id, s.role, p.first_name, p.last_name, p.username"
        " FROM staff s LEFT JOIN people p ON p.user_id = s.user_id ORDER BY s.added_at, s.user_id"
    )
    members: dict[int, tuple[Person, set[Role]]] = {}
    for row in rows:
        person = Person(row["user_id"], row["first_name"] or "", row["last_name"], row["username"])
        members.setdefault(row["user_id"], (person, set()))[1].add(Role(row["role"]))
    return [StaffMember(person, frozenset(roles)) for person, roles in members.values()]


async def holders_of(db: Database, role: Role) -> list[int]:
    rows = await db.fetchall("SELECT user_id FROM staff WHERE role = ?", (role.value,))
    return [int(row["user_id"]) for row in rows]


async def counts(db: Database) -> tuple[int, int]:
    """(people who wrote to the bot, staff members)."""
    row = await db.fetchone(
        "SELECT (SELECT COUNT(*) FROM people), (SELECT COUNT(DISTINCT user_id) FROM staff)"
    )
    assert row is not None  # an aggregate query always returns a row
    return int(row[0]), int(row[1])
