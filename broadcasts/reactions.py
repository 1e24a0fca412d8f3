"""Recipients' feedback: one vote per person per announcement (changeable), and one
"passed on to the villagers" confirmation per KIM group.

On Telegram a vote is a 👍/👎 button; on WhatsApp, which has no buttons under a broadcast,
it is the emoji the person reacts with: 👎 (any skin tone) counts as "kurang jelas", any
other emoji as "bermanfaat", and taking the reaction back leaves the vote as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.buttons import ButtonData
from bot.clock import isoformat
from bot.storage import Database


class Choice(StrEnum):
    UP = "u"
    DOWN = "d"

    @property
    def word(self) -> str:
        """How the vote is stored and counted: "up" or "down"."""
        return self.name.lower()


@dataclass(frozen=True)
class Vote(ButtonData, prefix="rx"):
    """👍/👎 under an announcement, pressed by anyone who received it."""

    announcement: int
    choice: Choice


@dataclass(frozen=True)
class Relay(ButtonData, prefix="rl"):
    """ "Passed on to the villagers", under an announcement in a KIM group."""

    announcement: int


class VoteResult(StrEnum):
    RECORDED = "recorded"
    UNCHANGED = "unchanged"
    UNKNOWN = "unknown"  # no such sent announcement


@dataclass(frozen=True)
class Feedback:
    up: int
    down: int
    relays: int


async def vote(
    db: Database, announcement_id: int, user_id: int, choice: Choice, now: datetime
) -> VoteResult:
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT (SELECT status FROM announcements WHERE id = ?),"
            " (SELECT vote FROM reactions WHERE announcement_id = ? AND user_id = ?)",
            (announcement_id, announcement_id, user_id),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        if row[0] not in ("sending", "sent"):
            return VoteResult.UNKNOWN
        if row[1] == choice.word:
            return VoteResult.UNCHANGED
        await conn.execute(
            "INSERT INTO reactions(announcement_id, user_id, vote, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(announcement_id, user_id) DO UPDATE SET vote = excluded.vote,"
            " at = excluded.at",
            (announcement_id, user_id, choice.word, isoformat(now)),
        )
    return VoteResult.RECORDED


async def whatsapp_reaction(
    db: Database, user_id: int, wamid: str, emoji: str, now: datetime
) -> VoteResult:
    """A WhatsApp reaction on one of the bot's messages, as a vote when that message
    carried an announcement to this person."""
    if not emoji:
        return VoteResult.UNCHANGED
    announcement_id = await db.fetchval(
        "SELECT o.announcement_id FROM whatsapp_messages m JOIN outbox o ON o.id = m.outbox_id"
        " WHERE m.wamid = ? AND m.user_id = ?",
        (wamid, user_id),
    )
    if announcement_id is None:
        return VoteResult.UNKNOWN
    choice = Choice.DOWN if emoji.startswith("👎") else Choice.UP
    return await vote(db, int(announcement_id), user_id, choice, now)


async def relay(
    db: Database, announcement_id: int, chat_id: int, user_id: int, now: datetime
) -> VoteResult:
    """Counted once per group: the first member's press records it."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT 1 FROM outbox WHERE announcement_id = ? AND chat_id = ? AND kind = 'kim'",
            (announcement_id, chat_id),
        ) as cursor:
            if await cursor.fetchone() is None:
                return VoteResult.UNKNOWN
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO relays(announcement_id, chat_id, user_id, at)"
            " VALUES (?, ?, ?, ?)",
            (announcement_id, chat_id, user_id, isoformat(now)),
        )
        return VoteResult.RECORDED if cursor.rowcount else VoteResult.UNCHANGED


async def feedback(db: Database, announcement_id: int) -> Feedback:
    row = await db.fetchone(
        "SELECT (SELECT COUNT(*) FROM reactions WHERE announcement_id = ? AND vote = 'up'),"
        " (SELECT COUNT(*) FROM reactions WHERE announcement_id = ? AND vote = 'down'),"
        " (SELECT COUNT(*) FROM relays WHERE announcement_id = ?)",
        (announcement_id, announcement_id, announcement_id),
    )
    assert row is not None
    return Feedback(int(row[0]), int(row[1]), int(row[2]))
