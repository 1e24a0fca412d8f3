"""One classification of Telegram's errors, for broadcasts and for the bot's own posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.telegram_errors import Outcome, classify
from broadcasts.sender import Migrated, RateLimited, Rejected, Transient, Unreachable, _translate


@pytest.mark.parametrize(
    ("error", "outcome", "reason"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Outcome.UNREACHABLE, "blocked"),
        (Forbidden("Forbidden: bot was kicked from the group chat"), Outcome.UNREACHABLE, "kicked"),
        (Forbidden("Forbidden: bot is not a member"), Outcome.UNREACHABLE, "forbidden"),
        (BadRequest("Bad Request: chat not found"), Outcome.UNREACHABLE, "chat_not_found"),
        (BadRequest("Bad Request: user not found"), Outcome.UNREACHABLE, "chat_not_found"),
        (BadRequest("Not enough rights to send text"), Outcome.UNREACHABLE, "no_rights"),
        (BadRequest("Bad Request: message is too long"), Outcome.REJECTED, "rejected"),
        (TimedOut(), Outcome.TRANSIENT, "network"),
        (NetworkError("connection reset"), Outcome.TRANSIENT, "network"),
        (TelegramError("something new"), Outcome.REJECTED, "rejected"),
    ],
)
def test_each_error_has_one_meaning(error: TelegramError, outcome: Outcome, reason: str) -> None:
    """Blocked, removed, missing and rightless chats are given up; the rest are not."""
    failure = classify(error)
    assert (failure.outcome, failure.reason) == (outcome, reason)
    assert failure.detail == error.message


def test_a_wait_and_a_new_chat_id_travel_with_the_failure() -> None:
    """429 carries its wait in seconds; a migration carries the supergroup's id."""
    assert classify(RetryAfter(timedelta(seconds=7))).retry_after == 7.0
    waiting = _translate(RetryAfter(timedelta(seconds=3)))
    assert isinstance(waiting, RateLimited) and waiting.retry_after == 3.0
    moved = classify(ChatMigrated(-1001234))
    assert (moved.outcome, moved.new_chat_id) == (Outcome.MIGRATED, -1001234)


@pytest.mark.parametrize(
    ("error", "kind", "reason"),
    [
        (ChatMigrated(-100987), Migrated, "migrated"),
        (Forbidden("bot was blocked by the user"), Unreachable, "blocked"),
        (BadRequest("chat not found"), Unreachable, "chat_not_found"),
        (TimedOut(), Transient, "network"),
        (BadRequest("can't parse entities"), Rejected, "rejected"),
    ],
)
def test_the_broadcast_sender_follows_the_classification(
    error: TelegramError, kind: type[Exception], reason: str
) -> None:
    """The delivery categories the dispatcher acts on come from the same rule."""
    translated = _translate(error)
    assert isinstance(translated, kind)
    assert translated.reason == reason
