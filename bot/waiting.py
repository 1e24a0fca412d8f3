"""Who the bot is waiting on for a typed answer, and since when.

One rule for every step that waits for a person's next message (the message after /lapor or
/siaran, the person picked for "➕ Operator"): a person has at most one open step per chat, so
a newer step replaces an older one instead of both waiting for the same message; and a step
is over once `within` has passed between the bot's question and the answer, both measured in
Telegram's message timestamps, so a late answer is never taken for the step. Steps are kept
in memory: after a restart nothing is waiting, and the next message gets an ordinary answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


def is_late(asked_at: datetime, answered_at: datetime, within: timedelta) -> bool:
    """Whether an answer came after the question's time ran out."""
    return answered_at - asked_at > within


@dataclass(frozen=True)
class Step:
    """An open question: `name` is the command whose flow asked, `detail` what that flow
    needs back, `opened_by` the update that asked."""

    name: str
    asked_at: datetime
    opened_by: int
    detail: str = ""


class Waiting:
    """The open steps by (chat, person)."""

    def __init__(self, within: timedelta) -> None:
        self.within = within
        self._steps: dict[tuple[int, int], Step] = {}

    def open(self, chat_id: int, user_id: int, step: Step) -> None:
        """Wait for this person's next message here; any older step of theirs here is over."""
        self._steps[(chat_id, user_id)] = step

    def get(self, chat_id: int, user_id: int) -> Step | None:
        return self._steps.get((chat_id, user_id))

    def close(self, chat_id: int, user_id: int) -> Step | None:
        """End the step, if one is open; returns it."""
        return self._steps.pop((chat_id, user_id), None)

    def fresh(self, chat_id: int, user_id: int, name: str, at: datetime) -> Step | None:
        """The open step if it is `name` and an answer sent `at` is still in time."""
        step = self.get(chat_id, user_id)
        if step is None or step.name != name or is_late(step.asked_at, at, self.within):
            return None
        return step

    def expired(self, chat_id: int, user_id: int, at: datetime) -> Step | None:
        """The open step if an answer sent `at` comes too late for it."""
        step = self.get(chat_id, user_id)
        return None if step is None or not is_late(step.asked_at, at, self.within) else step
