"""One budget for Telegram's 30 messages a second, shared by replies and broadcasts.

The interactive bot's messages (replies to villagers, operators' cards, progress reports)
go through python-telegram-bot's AIORateLimiter as before; this subclass also tells the
broadcast pacer about each message and edit it lets through (each attempt, retries after a
429 too) and when its answer is back; the pacer leaves that slot out of its own schedule and
holds its place like one of its own sends, so the two together stay within the limit.
Without it each reply during a broadcast was one message too many in a full window and,
with a little jitter, a 429 that paused the whole broadcast.

While a broadcast is sending, replies get only the part of the budget the broadcast's share
leaves over (BROADCAST_SHARE, 80% by default; see broadcasts/pacing.py): a reply beyond it
waits here, a fraction of a second, rather than taking a broadcast's slot. Without that
bound one account sending /cek 25 times a second cut a darurat broadcast to a sixth of its
speed. The per-person limit (bot/flood.py) keeps such waits short and rare.

Being the one hook python-telegram-bot offers around every request and its answer, it also
hands each answer to `on_answer`: that is how the keyboard ledger (bot/keyboards.py) learns
which buttons the bot left on which message, whatever code sent it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

# Methods that put a message into a chat (the ones Telegram's flood limits count).
_SENDING_PREFIX = "send"
_NOT_A_MESSAGE = frozenset({"sendChatAction", "sendInvoice"})
_ALSO_MESSAGES = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
# Edits count like messages in Telegram's limits (a progress report edited in place).
_EDITS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup"}
)

log = logging.getLogger(__name__)

AnswerHook = Callable[[str, dict[str, Any], object], Awaitable[None]]


def is_message(endpoint: str) -> bool:
    if endpoint in _ALSO_MESSAGES or endpoint in _EDITS:
        return True
    return endpoint.startswith(_SENDING_PREFIX) and endpoint not in _NOT_A_MESSAGE


class SharedRateLimiter(AIORateLimiter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Set once broadcasting runs: returns when the message may leave (and the moment it
        # left, handed back to `on_landed` once its answer is back, whatever the answer).
        self.on_message: Callable[[], Awaitable[float]] | None = None
        self.on_landed: Callable[[float], None] | None = None
        self.on_answer: AnswerHook | None = None  # set once the database is open

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        notify, landed = self.on_message, self.on_landed
        if notify is not None and is_message(endpoint):
            request = callback

            async def counted(*args: Any, **kwargs: Any) -> bool | JSONDict | list[JSONDict]:
                since = await notify()  # as each attempt leaves, after this limiter's waits
                try:
                    return await request(*args, **kwargs)
                finally:
                    if landed is not None:
                        landed(since)

            callback = counted
        answer = await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
        observe = self.on_answer
        if observe is not None:
            try:
                await observe(endpoint, data, answer)
            except Exception:  # the message is out: a failed note about it must not undo that
                log.warning("could not record the answer to %s", endpoint, exc_info=True)
        return answer
