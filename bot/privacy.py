"""Forgetting a person, as the privacy note in the welcome message promises.

`POLICY` decides, for every column of every table, what `/hapusdata` does to it:

- `Delete`: rows that exist only because of the person (profile, subscriptions, roles, a
  digest still owed to them) go, with all their columns;
- `Clear`: rows that record something else they took part in (a chat they added, a report,
  an announcement they wrote or verified) stay, with the columns that name them set to NULL,
  '' or an anonymous id, so counts and the office's history stay right without them in it;
- `Scrub`: text (or JSON) that may mention them among other things has their id, name and
  username taken out, wherever it is;
- `Keep`: the column never names a person, or stays for the reason given.

A table or column without a decision fails tests/test_privacy.py, which reads the live
schema: a new one cannot be forgotten by accident. Everything runs in one transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot import audit
from bot.storage import Database
from bot.texts import REDACTED

# Telegram ids have at most 52 significant bits, so no user or chat has an id at or below
# this. A row that must keep a non-NULL, unique id (a reaction, a private outbox row) gets
# ANONYMOUS - rowid: still counted, unique per row, linked to nobody, not even to the same
# forgotten person's other rows.
ANONYMOUS = -(2**60)


def is_anonymous(chat_or_user_id: int) -> bool:
    """True for an id `forget_person` put in place of a forgotten person's."""
    return chat_or_user_id <= ANONYMOUS


@dataclass(frozen=True)
class Delete:
    """Rows where `where` holds are deleted, with every column."""

    where: str


@dataclass(frozen=True)
class Clear:
    """In rows where `where` holds, the column becomes `value` (an SQL expression over the
    row's old values). Clears of one table with the same `where` run as one UPDATE."""

    value: str
    where: str


@dataclass(frozen=True)
class Scrub:
    """In every row, the person's id, full name and @username are removed from the text
    (for JSON, from its values); in `json` rows whose actor is the person, `actor_keys`
    (names recorded at the time, which may differ from today's) are dropped too."""

    json: bool = False
    actor_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Keep:
    reason: str


Decision = Delete | Clear | Scrub | Keep

# Statements get :user_id (the integer id), :user_text (the same as text, as
# audit_log.object_id stores ids) and :anonymous (ANONYMOUS).
PERSON = "user_id = :user_id"
NULL = "NULL"

WITH_ROW = Keep("only in rows deleted with the person, or in other people's rows")
NOT_A_PERSON = Keep("describes the row; names no person")
REFERENCE = Keep("reference data (areas, settings), names no person")
REGISTRY = Keep(
    "the published hoax registry (loaded files and operators' verdicts), written when a case"
    " is decided; it holds the circulating claim, never a reporter"
)
GROUP = Keep("a group or channel, never a private chat")
COUNTED = Keep("kept for the delivery report and statistics; no longer tied to the person")


def _same(decision: Decision, columns: str) -> dict[str, Decision]:
    """The same decision for each of the space-separated `columns`."""
    return dict.fromkeys(columns.split(), decision)


def _fts5(name: str, *columns: str) -> dict[str, dict[str, Decision]]:
    """An FTS5 index and the shadow tables SQLite keeps for it."""
    content = " ".join(f"c{i}" for i in range(len(columns)))
    return {
        name: _same(REGISTRY, " ".join(columns)),
        f"{name}_config": _same(REGISTRY, "k v"),
        f"{name}_content": _same(REGISTRY, f"id {content}"),
        f"{name}_data": _same(REGISTRY, "id block"),
        f"{name}_docsize": _same(REGISTRY, "id sz"),
        f"{name}_idx": _same(REGISTRY, "segid term pgno"),
    }


_OWN_REPORT = "reporter_id = :user_id"
_OWN_PRIVATE_CHAT = "kind = 'private' AND chat_id = :user_id"
_OWN_PROGRESS = "progress_chat_id = :user_id"
_OWN_BLANKSPOT = "reporter_id = :user_id"

POLICY: dict[str, dict[str, Decision]] = {
    "meta": _same(REFERENCE, "key value"),
    "kecamatan": _same(REFERENCE, "code name"),
    "desa": _same(REFERENCE, "code kecamatan_code name is_kelurahan"),
    "people": {
        "user_id": Delete(PERSON),
        **_same(WITH_ROW, "first_name last_name username language_code first_seen last_seen"),
        **_same(WITH_ROW, "reachable weekly_digest"),
    },
    "staff": {
        "user_id": Delete(PERSON),
        "added_by": Clear(NULL, "added_by = :user_id"),
        **_same(WITH_ROW, "role added_at"),
    },
    "subscriptions": {
        "user_id": Delete(PERSON),
        **_same(WITH_ROW, "id scope area_code topics created_at updated_at"),
    },
    "audit_log": {
        "actor_id": Clear(NULL, "actor_id = :user_id"),
        "object_id": Clear(NULL, "object_type = 'person' AND object_id = :user_text"),
        # A registration request records the requester's name as it was then.
        "detail": Scrub(json=True, actor_keys=("requested_by_name",)),
        **_same(NOT_A_PERSON, "id at action object_type"),
    },
    "chats": {
        "added_by": Clear(NULL, "added_by = :user_id"),
        "chat_id": GROUP,
        "title": GROUP,
        **_same(NOT_A_PERSON, "type status status_reason bot_is_admin first_seen updated_at"),
    },
    "registrations": {
        "requested_by": Clear(NULL, "requested_by = :user_id"),
        "decided_by": Clear(NULL, "decided_by = :user_id"),
        "chat_id": GROUP,
        "name": Keep("the KIM's name, chosen for the group"),
        "reason": Keep("why the office ended it, about the group"),
        **_same(NOT_A_PERSON, "id kind desa_code kecamatan_code topic status"),
        **_same(NOT_A_PERSON, "requested_at decided_at"),
    },
    "hoaxes": _same(
        REGISTRY, "id claim verdict explanation url date narrative source created_at claim_key kind"
    ),
    **_fts5("hoax_claim_index", "terms"),
    **_fts5("hoax_explanation_index", "terms"),
    **_fts5("hoax_narrative_index", "terms"),
    "hoax_thresholds": _same(REGISTRY, "tier score registry at"),
    "hoax_terms": _same(REGISTRY, "id term docs"),
    **_fts5("hoax_terms_index", "term"),
    "announcements": {
        "author_id": Clear(NULL, "author_id = :user_id"),
        "verified_by": Clear(NULL, "verified_by = :user_id"),
        # The live progress message sits in the author's private chat.
        "progress_chat_id": Clear(NULL, _OWN_PROGRESS),
        "progress_message_id": Clear(NULL, _OWN_PROGRESS),
        # A correction goes to the chats of the original: drop the person from the list.
        "targets": Scrub(json=True),
        "body": Keep("the office's official text"),
        "entities": Keep("formatting of the office's official text"),
        "file_id": Keep("the office's official picture or document"),
        **_same(NOT_A_PERSON, "id status kind topic urgency correction_of"),
        **_same(NOT_A_PERSON, "created_at submitted_at verified_at reject_reason"),
        "finished_at": NOT_A_PERSON,
    },
    "outbox": {
        # The row stays for the delivery report and the monthly statistics (its status and
        # reason count), but no longer says whose chat it was, nor where to find the message
        # (a withdrawal or correction cannot reach a forgotten chat). One still owed is
        # skipped: the person unsubscribed by being forgotten.
        "chat_id": Clear(":anonymous - id", _OWN_PRIVATE_CHAT),
        "message_ids": Clear(NULL, _OWN_PRIVATE_CHAT),
        "reply_to": Clear(NULL, _OWN_PRIVATE_CHAT),
        "last_error": Clear(NULL, _OWN_PRIVATE_CHAT),
        "status": Clear(
            "CASE status WHEN 'pending' THEN 'skipped' ELSE status END", _OWN_PRIVATE_CHAT
        ),
        "reason": Clear(
            "CASE status WHEN 'pending' THEN 'forgotten' ELSE reason END", _OWN_PRIVATE_CHAT
        ),
        **_same(COUNTED, "id announcement_id kind priority attempts not_before sent_at withdrawn"),
        **_same(NOT_A_PERSON, "withdraw_after withdraw_tries channel"),
    },
    "notices": {
        # A verdict or summary still owed to their chat is not sent any more.
        "chat_id": Delete("chat_id = :user_id"),
        "text": Scrub(),
        **_same(WITH_ROW, "id report_id after_withdrawal attempts not_before channel"),
    },
    "reactions": {
        # An anonymous vote: 👍/👎 counts per announcement stay right.
        "user_id": Clear(":anonymous - rowid", PERSON),
        **_same(COUNTED, "announcement_id vote at"),
    },
    "relays": {
        # Counted once per group; which member pressed is not needed for that.
        "user_id": Clear(NULL, PERSON),
        "chat_id": GROUP,
        **_same(COUNTED, "announcement_id at"),
    },
    "schedules": {
        "created_by": Clear(NULL, "created_by = :user_id"),
        "verified_by": Clear(NULL, "verified_by = :user_id"),
        **_same(NOT_A_PERSON, "id kind announcement_id rule status slot"),
        **_same(NOT_A_PERSON, "next_run ends_on max_runs runs created_at verified_at updated_at"),
    },
    "schedule_runs": _same(NOT_A_PERSON, "id schedule_id slot outcome announcement_id at"),
    "digest_outbox": {
        # A digest owed to them is not sent; sent ones are counted nowhere.
        "user_id": Delete(PERSON),
        **_same(WITH_ROW, "id run_id text status claimed_at sent_at"),
    },
    "hoax_cases": {
        "decided_by": Clear(NULL, "decided_by = :user_id"),
        "pending_by": Clear(NULL, "pending_by = :user_id"),
        "explanation": Keep("the office's verdict, written by an operator about the claim"),
        "pending_explanation": Keep("the same, before a second look"),
        **_same(NOT_A_PERSON, "id status first_reported_at verdict reference_url"),
        **_same(NOT_A_PERSON, "decided_at merged_into hoax_id clarification_id"),
        "pending_verdict": NOT_A_PERSON,
    },
    "hoax_reports": {
        # The report stays in its case (the count, the area and the verdict serve the other
        # reporters); what the person wrote and who they are goes.
        "reporter_id": Clear(NULL, _OWN_REPORT),
        "reporter_name": Clear(NULL, _OWN_REPORT),
        "text": Clear("''", _OWN_REPORT),
        "text_key": Clear("''", _OWN_REPORT),
        "terms": Clear("''", _OWN_REPORT),
        "link": Clear("''", _OWN_REPORT),
        "file_id": Clear(NULL, _OWN_REPORT),
        # Where someone else's report was forwarded from may be the person.
        "origin": Scrub(),
        "file_unique_id": Keep(
            "an opaque fingerprint of the forwarded picture (it cannot fetch the file): the"
            " same picture reported again joins the case by it"
        ),
        "group_chat_id": GROUP,
        **_same(NOT_A_PERSON, "id case_id via kind origin_date kecamatan_code"),
        **_same(NOT_A_PERSON, "area_done created_at answered_at"),
    },
    "hoax_alerts": _same(NOT_A_PERSON, "key warned_at"),
    "blankspots": {
        # The place stays on the map, to about a kilometre: a street, not a house.
        "reporter_id": Clear(NULL, _OWN_BLANKSPOT),
        "flow_message_id": Clear(NULL, _OWN_BLANKSPOT),
        "latitude": Clear("round(latitude, 2)", _OWN_BLANKSPOT),
        "longitude": Clear("round(longitude, 2)", _OWN_BLANKSPOT),
        **_same(NOT_A_PERSON, "id kecamatan_code desa_code operator problem"),
        "created_at": NOT_A_PERSON,
    },
    "keyboards": {
        # The keyboards left in their private chat go; a button elsewhere that named them (a
        # staff card's "remove" button) loses the id and, pressed later, is merely stale.
        "chat_id": Delete("chat_id = :user_id"),
        "message_id": WITH_ROW,
        "data": Scrub(json=True),
        "at": NOT_A_PERSON,
    },
    "whatsapp_contacts": {
        # The phone number lives only here: deleting the row forgets it.
        "user_id": Delete(PERSON),
        **_same(WITH_ROW, "phone last_inbound_at marketing_stopped step step_at"),
    },
    "whatsapp_messages": {
        # Delivery statuses of messages to them, and full texts still owed after a template.
        "user_id": Delete(PERSON),
        **_same(WITH_ROW, "id wamid outbox_id template status error follow_text at"),
    },
    "whatsapp_inbound": {
        # A message not answered yet (kept across a restart) goes; the ids stay, so a
        # retried webhook is still not handled twice (they name nobody, cannot be looked up).
        "user_id": Clear(NULL, PERSON),
        "message": Clear(NULL, PERSON),
        **_same(Keep("Meta's opaque ids of messages already handled"), "wamid at"),
    },
    "guard_chats": _same(GROUP, "chat_id enabled_at"),
    "guard_notices": _same(GROUP, "chat_id hoax_id last_at"),
}


def declared_columns() -> set[tuple[str, str]]:
    """Every (table, column) `POLICY` has decided."""
    return {(table, column) for table, columns in POLICY.items() for column in columns}


@dataclass(frozen=True)
class _Names:
    """How the person may appear in text: their id, full name and @username, each matched
    as a whole word (a short name must not eat the middle of another)."""

    user_id: int
    texts: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        longest_first = sorted(self.texts, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")

    def scrub_text(self, value: str) -> str:
        return self.pattern.sub(REDACTED, value)

    def scrub_json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value if not self.is_them(item)]
        if self.is_them(value):
            return None
        if isinstance(value, str):
            return self.scrub_text(value)
        return value

    def is_them(self, value: Any) -> bool:
        return (type(value) is int and value == self.user_id) or value == str(self.user_id)


async def _names(conn: aiosqlite.Connection, user_id: int) -> _Names:
    """Read before the profile goes: the names to take out of texts elsewhere."""
    texts = [str(user_id)]
    async with conn.execute(
        "SELECT first_name, last_name, username FROM people WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is not None:
        full = " ".join(part for part in (row[0], row[1]) if part)
        texts += [full] if full else []
        texts += [f"@{row[2]}", row[2]] if row[2] else []
    return _Names(user_id, tuple(texts))


async def _scrub(
    conn: aiosqlite.Connection, table: str, column: str, rule: Scrub, names: _Names
) -> None:
    # Only rows that contain one of the texts, or (for actor_keys) whose actor is the person.
    found = " OR ".join(f'instr("{column}", ?) > 0' for _ in names.texts)
    params: list[Any] = list(names.texts)
    if rule.actor_keys:
        found += " OR actor_id = ?"
        params.append(names.user_id)
    async with conn.execute(
        f'SELECT rowid, "{column}"{", actor_id" if rule.actor_keys else ""}'
        f' FROM "{table}" WHERE "{column}" IS NOT NULL AND ({found})',
        params,
    ) as cursor:
        rows = list(await cursor.fetchall())
    for row in rows:
        if rule.json:
            value = names.scrub_json(json.loads(row[1]))
            if rule.actor_keys and row[2] == names.user_id and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k not in rule.actor_keys}
            new = json.dumps(value, ensure_ascii=False)
        else:
            new = names.scrub_text(str(row[1]))
        await conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (new, row[0]))


def _updates() -> Iterable[tuple[str, str, list[tuple[str, str]]]]:
    """(table, where, [(column, value)]) for each UPDATE the Clear decisions make."""
    for table, columns in POLICY.items():
        grouped: dict[str, list[tuple[str, str]]] = {}
        for column, decision in columns.items():
            if isinstance(decision, Clear):
                grouped.setdefault(decision.where, []).append((column, decision.value))
        for where, sets in grouped.items():
            yield table, where, sets


async def forget_person(db: Database, user_id: int, now: datetime) -> None:
    """Apply `POLICY` for one person, in one transaction.

    Order: names are read first (the profile is about to go), then texts are scrubbed, then
    the columns cleared, then the rows deleted. Idempotent. The audit row it leaves says
    that someone was forgotten, not who. A person who writes to the bot again afterwards is
    recorded again, as anyone new would be.
    """
    params = {"user_id": user_id, "user_text": str(user_id), "anonymous": ANONYMOUS}
    async with db.transaction() as conn:
        names = await _names(conn, user_id)
        for table, columns in POLICY.items():
            for column, decision in columns.items():
                if isinstance(decision, Scrub):
                    await _scrub(conn, table, column, decision, names)
        for table, where, sets in _updates():
            assignments = ", ".join(f'"{column}" = {value}' for column, value in sets)
            await conn.execute(f'UPDATE "{table}" SET {assignments} WHERE {where}', params)
        for table, columns in POLICY.items():
            for decision in columns.values():
                if isinstance(decision, Delete):
                    await conn.execute(f'DELETE FROM "{table}" WHERE {decision.where}', params)
        await audit.record(conn, at=now, actor_id=None, action="person.forgotten")
