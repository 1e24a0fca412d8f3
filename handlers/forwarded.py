"""A message forwarded to the bot in private, without a command: offer to check it.

Registered after every flow in handler group 0, so any step that waits for a forwarded
message (an announcement being drafted, a /lapor report) takes it first; this only answers
forwards nobody is waiting for (`handlers.answers` takes the other messages after it).
The card replies to the forwarded message, and the check reads it back from there: nothing
is kept in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.ext import MessageHandler, filters

from bot import checking
from bot.buttons import ButtonData
from bot.services import KimApp, KimContext
from bot.texts import genuine as t
from handlers.check import report_keyboard
from handlers.presses import Press, on_press


@dataclass(frozen=True)
class CheckQuoted(ButtonData, prefix="fw"): ...  # "🔎 Cek" under a card quoting what to check


async def forwarded(update: Update, context: KimContext) -> None:
    """A short card with "🔎 Cek keaslian/hoaks"."""
    message = update.effective_message
    if message is None:
        return
    keyboard = InlineKeyboardMarkup([[CheckQuoted().button(t.CHECK_BUTTON)]])
    await message.reply_text(t.FORWARDED, do_quote=True, reply_markup=keyboard)


async def on_check(press: Press[CheckQuoted]) -> None:
    """Check the forwarded message the card replies to; the card becomes the answer."""
    card = press.message
    source = None if card is None else card.reply_to_message
    text = "" if source is None else (source.text or source.caption or "").strip()
    if card is None or not text:
        await press.answer(t.NOTHING_TO_CHECK, alert=True)
        return
    await press.answer()
    services = press.services
    answer = await checking.answer_for(services.db, services.settings.organization_name, text)
    await card.edit_text(
        answer.text,
        reply_markup=report_keyboard() if answer.offer_report else None,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def register(app: KimApp) -> None:
    forwards = filters.ChatType.PRIVATE & filters.FORWARDED & (filters.TEXT | filters.CAPTION)
    app.add_handler(MessageHandler(forwards & ~filters.COMMAND, forwarded))
    on_press(app, CheckQuoted, on_check)
