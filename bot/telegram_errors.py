"""What a Telegram error means for the chat it was sent to: the one rule for every sender.

Broadcast delivery (`broadcasts.sender`) and the bot's own posts to groups and channels
(`handlers.kim_groups.post_to_chat`) both ask `classify`: wait (429), follow the chat to its
new id (a group became a supergroup), give the chat up (blocked, removed, deleted, no right to
post), try again later (network trouble, the message may have arrived), or drop the message
(Telegram refused it for good).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)


class Outcome(StrEnum):
    RATE_LIMITED = "rate_limited"
    MIGRATED = "migrated"
    UNREACHABLE = "unreachable"
    TRANSIENT = "transient"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Failure:
    """A classified error; `reason` is the word stored with a failed row or a lost chat."""

    outcome: Outcome
    reason: str
    detail: str
    retry_after: float = 0.0
    new_chat_id: int | None = None


def classify(exc: TelegramError) -> Failure:
    """python-telegram-bot's error → what to do about the chat."""
    text = exc.message
    lowered = text.lower()
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return Failure(Outcome.RATE_LIMITED, "rate_limited", text, retry_after=seconds)
    if isinstance(exc, ChatMigrated):
        return Failure(Outcome.MIGRATED, "migrated", text, new_chat_id=exc.new_chat_id)
    if isinstance(exc, Forbidden):
        reason = next((word for word in ("blocked", "kicked") if word in lowered), "forbidden")
        return Failure(Outcome.UNREACHABLE, reason, text)
    if isinstance(exc, BadRequest):
        if "chat not found" in lowered or "user not found" in lowered:
            return Failure(Outcome.UNREACHABLE, "chat_not_found", text)
        if "rights" in lowered or "not enough" in lowered:
            return Failure(Outcome.UNREACHABLE, "no_rights", text)
        return Failure(Outcome.REJECTED, "rejected", text)
    if isinstance(exc, NetworkError):  # includes TimedOut
        return Failure(Outcome.TRANSIENT, "network", text)
    return Failure(Outcome.REJECTED, "rejected", text)
