"""Where a message goes: a (channel, address) pair, told apart by the id alone.

Telegram gives users ids of at most 52 significant bits and groups negative ids. A WhatsApp
contact is a person in `people` too, under an id from `WHATSAPP_BASE` up, which Telegram
never gives; its phone number, the address WhatsApp needs, is kept once, in
`whatsapp_contacts` (bot/whatsapp/contacts.py). So a subscription, a report, a digest reader
or a forgotten person is the same row whatever the channel, and only delivery asks which
channel an id belongs to.
"""

from __future__ import annotations

from enum import StrEnum

WHATSAPP_BASE = 2**53


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


def channel_of(chat_or_user_id: int) -> Channel:
    return Channel.WHATSAPP if chat_or_user_id >= WHATSAPP_BASE else Channel.TELEGRAM


def on_whatsapp(user_id: int) -> bool:
    return user_id >= WHATSAPP_BASE
