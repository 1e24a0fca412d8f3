"""Typed answers without conversation state: the bot asks with a ForceReply prompt whose
wording identifies it (and carries the object's id), and the person's reply to that prompt is
the answer. This also works in groups with privacy mode on, where the bot sees replies to its
own messages but not ordinary chat, and it survives a restart.
"""

from __future__ import annotations

import re

from telegram import Message
from telegram.ext import filters


class ReplyToPrompt(filters.MessageFilter):
    """A reply to one of the bot's own messages whose text matches `pattern` at its start."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def filter(self, message: Message) -> bool:
        return prompt_match(message, self.pattern) is not None


def prompt_match(message: Message, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The match of `pattern` in the bot prompt `message` replies to, if it is one."""
    prompt = message.reply_to_message
    if prompt is None or prompt.from_user is None or not prompt.from_user.is_bot:
        return None
    return pattern.match(prompt.text or "")
