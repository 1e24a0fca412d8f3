"""/cek: anyone checks a claim against the hoax registry, in private or in a group.

The answer is `bot.checking`'s; here it is only placed: an answer that can be reported
quotes the checked message, so that "📣 Laporkan" (`handlers.reports.CheckedReport`) reads
it back from there.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.ext import CommandHandler

from bot import checking
from bot.services import KimApp, KimContext
from bot.texts import cek as texts
from handlers.access import command
from handlers.reports import CheckedReport, typed


def report_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[CheckedReport().button(texts.REPORT)]])


@command("cek")
async def check(update: Update, context: KimContext) -> None:
    """The registered claims closest to the text, with their verdicts, or "not known yet"."""
    message = update.effective_message
    if message is None:
        return
    words = typed(message)
    replied = message.reply_to_message
    claim = checking.claim(words, None if replied is None else replied.text or replied.caption)
    if not claim:
        await message.reply_text(texts.USAGE)
        return
    services = context.bot_data
    answer = await checking.answer_for(services.db, services.settings.organization_name, claim)
    checked = message if words is not None else (replied or message)
    await (checked if answer.quote else message).reply_text(
        answer.text,
        do_quote=True if answer.quote else None,  # None: the chat's usual way of replying
        reply_markup=report_keyboard() if answer.offer_report else None,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("cek", check))
