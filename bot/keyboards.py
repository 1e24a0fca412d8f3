"""Which buttons the bot really offered on a message: the rule every button press passes first.

Third-party Telegram clients can send any `callback_data` on any message that has an inline
keyboard, in any chat they are in; Telegram does not check it against the keyboard. So before
any handler runs, a press must carry data that the pressed message's own keyboard holds:

1. Telegram's copy first. A callback query carries the pressed message with its current
   `reply_markup`, and only the bot can set that. Data not among its buttons is forged, or
   left over from a keyboard the bot has since replaced.
2. Our own record second. For older messages Telegram sends only an `InaccessibleMessage`
   (chat, id, date 0), without the keyboard. The ledger below keeps the callback data of
   every keyboard the interactive bot sent or edited, per (chat, message); broadcasts are
   covered by the outbox, which knows which announcement went to which message.

Data copied from another message of the same chat therefore fails too, because it is not on
the pressed message. Flows that belong to one person in a group (a registration started by a
group admin) still check the presser themselves; in a private chat the chat is the person.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.clock import isoformat
from bot.storage import Database

# Endpoints whose answer is the message as it now stands in the chat.
_SENDS_OR_EDITS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendAudio",
        "sendVoice",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendSticker",
        "copyMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "stopMessageLiveLocation",
    }
)

# A ledger entry older than this is forgotten at start: by then any flow it belonged to has
# long expired, and announcements are looked up in the outbox instead.
KEEP_FOR = timedelta(days=30)


def callback_data(markup: Mapping[str, Any] | None) -> list[str]:
    """The callback data of an inline keyboard in its Bot API (JSON) form."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or []
    return [
        str(button["callback_data"])
        for row in rows
        for button in row
        if isinstance(button, Mapping) and button.get("callback_data") is not None
    ]


def offered(data: str | None, on_message: Iterable[str]) -> bool:
    """Whether a press with `data` is one of the buttons `on_message` holds."""
    return data is not None and data in set(on_message)


async def record_answer(
    db: Database, endpoint: str, params: Mapping[str, Any], answer: object, now: datetime
) -> None:
    """Keep the keyboard of the message a Bot API call left in a chat (or forget it).

    Called with every request the interactive bot makes and Telegram's answer to it; calls
    that neither send nor edit nor delete a message are ignored.
    """
    if endpoint == "deleteMessage":
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        if chat_id is not None and message_id is not None:
            await forget(db, int(chat_id), int(message_id))
        return
    if endpoint not in _SENDS_OR_EDITS or not isinstance(answer, Mapping):
        return
    chat = answer.get("chat")
    message_id = answer.get("message_id")
    if not isinstance(chat, Mapping) or not isinstance(message_id, int):
        return
    buttons = callback_data(answer.get("reply_markup"))
    if buttons:
        await db.write(
            "INSERT INTO keyboards (chat_id, message_id, data, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat_id, message_id)"
            " DO UPDATE SET data = excluded.data, at = excluded.at",
            (int(chat["id"]), message_id, json.dumps(buttons), isoformat(now)),
        )
    elif endpoint.startswith("edit"):
        await forget(db, int(chat["id"]), message_id)


async def forget(db: Database, chat_id: int, message_id: int) -> None:
    await db.write(
        "DELETE FROM keyboards WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )


async def recorded(db: Database, chat_id: int, message_id: int) -> list[str]:
    """The callback data the bot last left on that message (empty when none is known)."""
    raw = await db.fetchval(
        "SELECT data FROM keyboards WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )
    return [] if raw is None else [str(item) for item in json.loads(raw)]


async def prune(db: Database, now: datetime) -> int:
    """Forget entries older than `KEEP_FOR`; returns how many."""
    return await db.write("DELETE FROM keyboards WHERE at < ?", (isoformat(now - KEEP_FOR),))
