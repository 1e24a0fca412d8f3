"""/wilayah: browse the regency's kecamatan and desa by buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import regions, texts
from bot.services import KimApp, KimContext
from handlers.access import command, stale_button

PREFIX = "wil:"


async def _overview(context: KimContext) -> tuple[str, InlineKeyboardMarkup]:
    db = context.bot_data.db
    kecamatan = await regions.all_kecamatan(db)
    _, desa_count = await regions.counts(db)
    buttons = [InlineKeyboardButton(k.display, callback_data=PREFIX + k.code) for k in kecamatan]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    text = texts.regions_overview(
        context.bot_data.settings.regency_name, len(kecamatan), desa_count
    )
    return text, InlineKeyboardMarkup(rows)


@command("wilayah")
async def show_regions(update: Update, context: KimContext) -> None:
    """The kecamatan of the regency as buttons."""
    if update.effective_message is None:
        return
    text, keyboard = await _overview(context)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def pick(update: Update, context: KimContext) -> None:
    """A kecamatan's desa, or back to the overview."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    code = query.data.removeprefix(PREFIX)
    if not code:
        text, keyboard = await _overview(context)
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)
        return
    kecamatan = await regions.get_kecamatan(context.bot_data.db, code)
    if kecamatan is None:
        await stale_button(update, context)
        return
    desa = await regions.desa_of(context.bot_data.db, code)
    back = InlineKeyboardMarkup([[InlineKeyboardButton(texts.BACK, callback_data=PREFIX)]])
    await query.answer()
    await query.edit_message_text(
        texts.desa_list(kecamatan.display, (d.display for d in desa)), reply_markup=back
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("wilayah", show_regions))
    app.add_handler(CallbackQueryHandler(pick, pattern=f"^{PREFIX}"))
