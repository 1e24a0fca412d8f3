"""Villagers' subscriptions: which areas and topics each person wants announcements for.

A person holds at most one subscription per area (the kabupaten, a kecamatan or a desa) and
may hold several areas. An area is named in buttons and deep links by a short token, the
area code without dots behind a scope letter: `r3514` (the kabupaten), `k351414`
(Kecamatan Bangil), `d3514142011` (Desa Raci). Tokens are only trusted after `resolve()`
has found the area in the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot import regions
from bot.clock import isoformat
from bot.storage import Database
from bot.topics import TOPICS, valid_bits


class Scope(StrEnum):
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"


_LETTER = {Scope.KABUPATEN: "r", Scope.KECAMATAN: "k", Scope.DESA: "d"}
_SCOPE_OF_LETTER = {letter: scope for scope, letter in _LETTER.items()}
# Kemendagri codes: 2 digits province, 2 regency, 2 kecamatan, 4 desa.
_DIGITS = {Scope.KABUPATEN: 4, Scope.KECAMATAN: 6, Scope.DESA: 10}
_TOKEN = re.compile(r"^([rkd])(\d{4}|\d{6}|\d{10})$")


@dataclass(frozen=True)
class AreaRef:
    """An area as named by a token: not yet checked against the database."""

    scope: Scope
    code: str

    @property
    def token(self) -> str:
        return _LETTER[self.scope] + self.code.replace(".", "")


def parse_token(token: str) -> AreaRef | None:
    """The area a token names, or None when it is malformed."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    scope = _SCOPE_OF_LETTER[match.group(1)]
    digits = match.group(2)
    if len(digits) != _DIGITS[scope]:
        return None
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:]]
    return AreaRef(scope, ".".join(part for part in parts if part))


@dataclass(frozen=True)
class Area:
    """An area that exists in this regency, with the names needed to show it."""

    scope: Scope
    code: str
    name: str
    kecamatan_code: str | None = None
    kecamatan_name: str | None = None
    is_kelurahan: bool = False

    @property
    def ref(self) -> AreaRef:
        return AreaRef(self.scope, self.code)

    @property
    def token(self) -> str:
        return self.ref.token


@dataclass(frozen=True)
class Subscription:
    area: Area
    topics: int


class SubscriptionError(ValueError):
    """A subscription that must not be stored (no topic, unknown topic bits)."""


async def resolve(db: Database, ref: AreaRef) -> Area | None:
    """The area behind a token, or None when it is not part of this regency."""
    if ref.scope is Scope.KABUPATEN:
        if ref.code != await db.fetchval("SELECT value FROM meta WHERE key = 'region_code'"):
            return None
        return Area(Scope.KABUPATEN, ref.code, regions.regency_name(ref.code) or ref.code)
    if ref.scope is Scope.KECAMATAN:
        kecamatan = await regions.get_kecamatan(db, ref.code)
        if kecamatan is None:
            return None
        return Area(Scope.KECAMATAN, kecamatan.code, kecamatan.display)
    desa = await regions.get_desa(db, ref.code)
    if desa is None:
        return None
    kecamatan = await regions.get_kecamatan(db, desa.kecamatan_code)
    return Area(
        Scope.DESA,
        desa.code,
        desa.display,
        desa.kecamatan_code,
        None if kecamatan is None else kecamatan.display,
        desa.is_kelurahan,
    )


async def area_of(db: Database, token: str) -> Area | None:
    """The area a button or link names, or None when the token is malformed or foreign."""
    ref = parse_token(token)
    return None if ref is None else await resolve(db, ref)


def _check_topics(topics: int) -> None:
    if not valid_bits(topics):
        raise SubscriptionError(f"unknown topic bits {topics}")
    if topics == 0:
        raise SubscriptionError("at least one topic is needed")


async def subscribe(db: Database, *, user_id: int, area: Area, topics: int, now: datetime) -> bool:
    """Subscribe to an area, or change the topics of an existing subscription to it.

    The person must be in `people` (every private sender is, see `people.remember`).
    Returns True when the subscription is new.
    """
    _check_topics(topics)
    stamp = isoformat(now)
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT 1 FROM subscriptions WHERE user_id = ? AND area_code = ?", (user_id, area.code)
        ) as cursor:
            is_new = await cursor.fetchone() is None
        await conn.execute(
            "INSERT INTO subscriptions(user_id, scope, area_code, topics, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(user_id, area_code) DO UPDATE SET topics = excluded.topics,"
            " updated_at = excluded.updated_at",
            (user_id, area.scope.value, area.code, topics, stamp, stamp),
        )
    return is_new


async def subscribe_if_absent(
    db: Database, *, user_id: int, area: Area, topics: int, now: datetime
) -> int:
    """Subscribe with `topics` unless already subscribed; returns the topics in force.

    A second tap on a poster's link must not undo the topics the person chose since.
    """
    _check_topics(topics)
    stamp = isoformat(now)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT OR IGNORE INTO subscriptions"
            "(user_id, scope, area_code, topics, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, area.scope.value, area.code, topics, stamp, stamp),
        )
        async with conn.execute(
            "SELECT topics FROM subscriptions WHERE user_id = ? AND area_code = ?",
            (user_id, area.code),
        ) as cursor:
            row = await cursor.fetchone()
    assert row is not None  # inserted or already there, inside the same transaction
    return int(row[0])


async def unsubscribe(db: Database, *, user_id: int, area_code: str) -> bool:
    """Remove one subscription; False when there was none."""
    changed = await db.write(
        "DELETE FROM subscriptions WHERE user_id = ? AND area_code = ?", (user_id, area_code)
    )
    return changed > 0


async def unsubscribe_all(db: Database, *, user_id: int) -> int:
    """Remove every subscription of a person; returns how many there were."""
    return await db.write("DELETE FROM subscriptions WHERE user_id = ?", (user_id,))


async def topics_of(db: Database, *, user_id: int, area_code: str) -> int | None:
    """The topics of one subscription, or None when the person is not subscribed there."""
    value = await db.fetchval(
        "SELECT topics FROM subscriptions WHERE user_id = ? AND area_code = ?", (user_id, area_code)
    )
    return None if value is None else int(value)


async def of_person(db: Database, user_id: int) -> list[Subscription]:
    """A person's subscriptions, widest area first, then by name."""
    rows = await db.fetchall(
        "SELECT s.scope, s.area_code, s.topics,"
        " k.name AS kecamatan_name, d.name AS desa_name, d.kecamatan_code, d.is_kelurahan,"
        " dk.name AS desa_kecamatan_name"
        " FROM subscriptions s"
        " LEFT JOIN kecamatan k ON s.scope = 'kecamatan' AND k.code = s.area_code"
        " LEFT JOIN desa d ON s.scope = 'desa' AND d.code = s.area_code"
        " LEFT JOIN kecamatan dk ON dk.code = d.kecamatan_code"
        " WHERE s.user_id = ?"
        " ORDER BY CASE s.scope WHEN 'kabupaten' THEN 0 WHEN 'kecamatan' THEN 1 ELSE 2 END,"
        " s.created_at, s.id",
        (user_id,),
    )
    found: list[Subscription] = []
    for row in rows:
        scope = Scope(row["scope"])
        code = row["area_code"]
        if scope is Scope.KABUPATEN:
            area = Area(scope, code, regions.regency_name(code) or code)
        elif scope is Scope.KECAMATAN:
            area = Area(scope, code, regions.display_name(row["kecamatan_name"] or code))
        else:
            area = Area(
                scope,
                code,
                regions.display_name(row["desa_name"] or code),
                row["kecamatan_code"],
                regions.display_name(row["desa_kecamatan_name"] or ""),
                bool(row["is_kelurahan"]),
            )
        found.append(Subscription(area, int(row["topics"])))
    return found


# --- who receives an announcement -------------------------------------------------------

_KNOWN_BITS = frozenset(topic.bit for topic in TOPICS)

# The areas whose subscribers an announcement reaches, given what it is addressed to: the
# named kecamatan and desa, the desa inside the named kecamatan, the kecamatan around the
# named desa, and the kabupaten itself (a kabupaten subscription matches everything).
_TARGETS = """
    WITH kec(code) AS (SELECT value FROM json_each(?)),
         des(code) AS (SELECT value FROM json_each(?)),
         targets(code) AS (
             SELECT code FROM kec
             UNION SELECT code FROM des
             UNION SELECT d.kecamatan_code FROM desa d JOIN des ON des.code = d.code
             UNION SELECT d.code FROM desa d JOIN kec ON kec.code = d.kecamatan_code
             UNION SELECT value FROM meta WHERE key = 'region_code'
         )
"""

# CROSS JOIN fixes the loop order (SQLite never reorders it): from the few target codes
# through the area index to their subscribers, instead of from every reachable person.
_TARGETED_WHERE = """
    FROM targets t
    CROSS JOIN subscriptions s ON s.area_code = t.code
    CROSS JOIN people p ON p.user_id = s.user_id
    WHERE p.reachable = 1 AND (s.topics & ?) != 0
"""

_WHOLE_WHERE = """
    FROM subscriptions s
    JOIN people p ON p.user_id = s.user_id
    WHERE p.reachable = 1 AND (s.topics & ?) != 0
"""


def _query(
    select: str,
    kecamatan_codes: Iterable[str],
    desa_codes: Iterable[str],
    whole_kabupaten: bool,
    topic_bit: int,
    digest: bool | None = None,
) -> tuple[str, tuple[object, ...]] | None:
    if topic_bit not in _KNOWN_BITS:
        raise ValueError(f"topic_bit must be one topic's bit, not {topic_bit}")
    kecamatan = sorted(set(kecamatan_codes))
    desa = sorted(set(desa_codes))
    readers = "" if digest is None else " AND p.weekly_digest = ?"
    reader_params: tuple[object, ...] = () if digest is None else (int(digest),)
    if whole_kabupaten:
        return f"SELECT {select} {_WHOLE_WHERE}{readers}", (topic_bit, *reader_params)
    if not kecamatan and not desa:
        return None
    params = (json.dumps(kecamatan), json.dumps(desa), topic_bit, *reader_params)
    return f"{_TARGETS} SELECT {select} {_TARGETED_WHERE}{readers}", params


async def recipients(
    db: Database,
    *,
    kecamatan_codes: Iterable[str] = (),
    desa_codes: Iterable[str] = (),
    whole_kabupaten: bool = False,
    topic_bit: int,
    digest: bool | None = None,
) -> list[int]:
    """User ids of the reachable subscribers an announcement on `topic_bit` should reach.

    An announcement addressed to some kecamatan and/or desa (or to the whole kabupaten)
    reaches a desa subscription for that desa, its kecamatan or the kabupaten; a kecamatan
    subscription for that kecamatan, any of its desa or the kabupaten; and every kabupaten
    subscription. Only subscriptions whose topics include `topic_bit` count, and only
    people still reachable (`people.reachable = 1`; delivery clears it when Telegram says
    the person blocked the bot). Each person appears once, however many of their areas
    match, in ascending id order so a resumed delivery can continue after the last id.

    The matching runs in SQL over the `subscriptions_by_area` index: a few hundred area
    codes are looked up, not every subscription, so 100,000 subscribers cost milliseconds
    and one list of ints. An announcement addressed to nothing reaches nobody.

    `digest` narrows to the readers of the weekly digest (True) or to everyone else (False,
    individual sends); None counts both.
    """
    query = _query(
        "DISTINCT s.user_id", kecamatan_codes, desa_codes, whole_kabupaten, topic_bit, digest
    )
    if query is None:
        return []
    sql, params = query
    rows = await db.fetchall(sql + " ORDER BY s.user_id", params)
    return [int(row[0]) for row in rows]


async def count_recipients(
    db: Database,
    *,
    kecamatan_codes: Iterable[str] = (),
    desa_codes: Iterable[str] = (),
    whole_kabupaten: bool = False,
    topic_bit: int,
) -> int:
    """How many people `recipients()` would return, without fetching them (for previews)."""
    query = _query(
        "COUNT(DISTINCT s.user_id)", kecamatan_codes, desa_codes, whole_kabupaten, topic_bit
    )
    if query is None:
        return 0
    sql, params = query
    return int(await db.fetchval(sql, params) or 0)


# --- the weekly digest ------------------------------------------------------------------


async def weekly_digest(db: Database, user_id: int) -> bool:
    """Whether the person reads a weekly digest instead of each announcement."""
    return bool(await db.fetchval("SELECT weekly_digest FROM people WHERE user_id = ?", (user_id,)))


async def toggle_weekly_digest(db: Database, user_id: int) -> bool:
    """Switch the weekly digest on or off; the new setting."""
    on = not await weekly_digest(db, user_id)
    await db.write("UPDATE people SET weekly_digest = ? WHERE user_id = ?", (int(on), user_id))
    return on
