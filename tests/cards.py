"""Keyboards the bot really showed someone, for tests of what a press on them may do."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import KimApp


async def card_with(app: KimApp, chat_id: int, *data: str) -> int:
    """Have the bot send a message with one button per `data` into the chat; its id.

    Stands for a keyboard that did reach this person earlier: a staff card from before their
    role was taken away, or a card forwarded with its buttons. Forged data on some other
    message is refused earlier, by the keyboard check, and has tests of its own.
    """
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])
    sent = await app.bot.send_message(chat_id, "Kartu lama", reply_markup=markup)
    return sent.message_id
