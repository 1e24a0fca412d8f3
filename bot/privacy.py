"""Forgetting a person, as the privacy note in the welcome message promises.

Rows that exist only because of the person (their profile, subscriptions, roles) are
deleted; rows that record something else they took part in (a chat they added, a
registration they requested or decided, audit entries) stay, with their id blanked, so the
office keeps its history without keeping them in it.

Every table that stores a Telegram user id adds its statement to `FORGET_STATEMENTS`;
tests/test_privacy.py scans every column of every table to catch one that was missed.
"""

from __future__ import annotations

from datetime import datetime

from bot import audit
from bot.storage import Database

# Each statement gets the named parameters :user_id (the integer id) and :user_text (the
# same id as text, the form audit_log.object_id stores). Order matters only for foreign
# keys: children before `people`.
FORGET_STATEMENTS: list[str] = [
    "DELETE FROM subscriptions WHERE user_id = :user_id",
    "DELETE FROM staff WHERE user_id = :user_id",
    "UPDATE staff SET added_by = NULL WHERE added_by = :user_id",
    "DELETE FROM people WHERE user_id = :user_id",
    "UPDATE audit_log SET actor_id = NULL WHERE actor_id = :user_id",
    "UPDATE audit_log SET object_id = NULL WHERE object_type = 'person' AND object_id = :user_text",
    "UPDATE registrations SET requested_by = NULL WHERE requested_by = :user_id",
    "UPDATE registrations SET decided_by = NULL WHERE decided_by = :user_id",
    "UPDATE chats SET added_by = NULL WHERE added_by = :user_id",
    # Hoax reports keep their content (the case needs it) but no longer name the reporter.
    "UPDATE hoax_reports SET reporter_id = NULL, reporter_name = NULL WHERE reporter_id = :user_id",
    "UPDATE hoax_cases SET decided_by = NULL WHERE decided_by = :user_id",
    "UPDATE hoax_cases SET pending_by = NULL WHERE pending_by = :user_id",
    # Blank-spot reports keep their place (the map needs it) but no longer name the reporter.
    "UPDATE blankspots SET reporter_id = NULL WHERE reporter_id = :user_id",
    # The keyboards left in their private chat: the chat is the person.
    "DELETE FROM keyboards WHERE chat_id = :user_id",
]


async def forget_person(db: Database, user_id: int, now: datetime) -> None:
    """Delete a person's own rows and blank their id everywhere else, in one transaction.

    Idempotent. The audit row it leaves says that someone was forgotten, not who. A person
    who writes to the bot again afterwards is recorded again, as anyone new would be.
    """
    params = {"user_id": user_id, "user_text": str(user_id)}
    async with db.transaction() as conn:
        for statement in FORGET_STATEMENTS:
            await conn.execute(statement, params)
        await audit.record(conn, at=now, actor_id=None, action="person.forgotten")
