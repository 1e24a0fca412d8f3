"""A message forwarded to the bot in private, without a command: offer to check it.

Registered after every flow in handler group 0, so any step that waits for a forwarded
message (an announcement being drafted, a /lapor report) takes it first; this only answers
forwards nobody is waiting for (`handlers.answers` takes the other messages after it).
The card replies to the forwarded message, and the check reads it back from there: nothing
is kept in between.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.services import KimApp, KimContext
from bot.texts import genuine as t
from handlers import check
from handlers.access import stale_button

CHECK = "fw:cek"


async def forwarded(update: Update, context: KimContext) -> None:
    """A short card with "🔎 Cek keaslian/hoaks"."""
    message = update.effective_message
    if message is None:
        return
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(t.CHECK_BUTTON, callback_data=CHECK)]])
    await message.reply_text(t.FORWARDED, do_quote=True, reply_markup=keyboard)


async def on_check(update: Update, context: KimContext) -> None:
    """Check the forwarded message the card replies to; the card becomes the answer."""
    query = update.callback_query
    card = None if query is None else query.message
    if query is None or not isinstance(card, Message) or query.data != CHECK:
        await stale_button(update, context)
        return
    source = card.reply_to_message
    text = "" if source is None else (source.text or source.caption or "").strip()
    if not text:
        await query.answer(t.NOTHING_TO_CHECK, show_alert=True)
        return
    await query.answer()
    answer = await check.answer_for(context.bot_data, text)
    await card.edit_text(
        answer.text,
        reply_markup=check.report_keyboard() if answer.offer_report else None,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def register(app: KimApp) -> None:
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & filters.FORWARDED
            & (filters.TEXT | filters.CAPTION)
            & ~filters.COMMAND,
            forwarded,
        )
    )
    app.add_handler(CallbackQueryHandler(on_check, pattern=f"^{CHECK}$"))
