"""/cakupan: which desa have a KIM, per kecamatan, with chart, spreadsheet and gaps.

The command answers with a short table; the chart, the spreadsheet and the list of desa
without a KIM come by button, so a slow phone only downloads what the operator asks for.
"""

from __future__ import annotations

import asyncio
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import commands, coverage
from bot.coverage import Coverage
from bot.services import KimApp, KimContext
from bot.texts import cakupan as texts
from handlers.access import command, requires, stale_button

PREFIX = "cak:"
SUMMARY = PREFIX + "sum"
CHART = PREFIX + "png"
EXCEL = PREFIX + "xlsx"
GAPS = PREFIX + "gap"  # + ":" + kecamatan code for one kecamatan's list


async def _coverage(context: KimContext) -> tuple[Coverage, date]:
    services = context.bot_data
    settings = services.settings
    result = await coverage.compute(
        services.db, region_code=settings.region_code, regency_name=settings.regency_name
    )
    return result, services.clock.now().date()


def _summary(result: Coverage, day: date) -> tuple[str, InlineKeyboardMarkup]:
    text = texts.summary(
        result.regency_name,
        day,
        coverage.render_table(result),
        coverage.total_line(result),
        result.kim_not_active,
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.CHART_BUTTON, callback_data=CHART),
                InlineKeyboardButton(texts.EXCEL_BUTTON, callback_data=EXCEL),
            ],
            [InlineKeyboardButton(texts.GAPS_BUTTON, callback_data=GAPS)],
        ]
    )
    return text, keyboard


@command("cakupan")
async def show_coverage(update: Update, context: KimContext) -> None:
    """The table per kecamatan and the regency total, with buttons for the rest."""
    if update.effective_message is None:
        return
    text, keyboard = _summary(*await _coverage(context))
    await update.effective_message.reply_text(text, reply_markup=keyboard)


_guard = requires(commands.spec("cakupan").allowed, "cakupan.button")


@_guard
async def on_button(update: Update, context: KimContext) -> None:
    """Chart, spreadsheet, kecamatan picker, one kecamatan's gaps, or back to the table."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    data = query.data
    if data == SUMMARY:
        text, keyboard = _summary(*await _coverage(context))
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)
    elif data == CHART:
        await query.answer(texts.PREPARING)
        await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
        result, day = await _coverage(context)
        png = await asyncio.to_thread(coverage.render_chart, result, day)
        await context.bot.send_photo(
            chat.id,
            png,
            caption=texts.chart_caption(result.regency_name, day, coverage.total_line(result)),
        )
    elif data == EXCEL:
        await query.answer(texts.PREPARING)
        await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
        result, day = await _coverage(context)
        workbook = await asyncio.to_thread(coverage.render_xlsx, result, day)
        await context.bot.send_document(
            chat.id,
            InputFile(workbook, filename=coverage.export_filename(result, day)),
            caption=texts.excel_caption(result.regency_name, day),
        )
    elif data == GAPS:
        result, _day = await _coverage(context)
        await query.answer()
        await query.edit_message_text(texts.PICK_KECAMATAN, reply_markup=_picker(result))
    elif data.startswith(GAPS + ":"):
        result, _day = await _coverage(context)
        found = result.find(data.removeprefix(GAPS + ":"))
        if found is None:
            await stale_button(update, context)
            return
        missing = [(d.desa.display, d.desa.is_kelurahan, d.subscribers) for d in found.without_kim]
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(texts.OTHER_KECAMATAN, callback_data=GAPS),
                    InlineKeyboardButton(texts.BACK_TO_SUMMARY, callback_data=SUMMARY),
                ]
            ]
        )
        await query.answer()
        await query.edit_message_text(
            texts.desa_without_kim(found.kecamatan.display, found.desa_total, missing),
            reply_markup=keyboard,
        )
    else:
        await stale_button(update, context)


def _picker(result: Coverage) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            texts.kecamatan_button(k.kecamatan.display, len(k.without_kim)),
            callback_data=f"{GAPS}:{k.kecamatan.code}",
        )
        for k in result.kecamatan
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(texts.BACK_TO_SUMMARY, callback_data=SUMMARY)])
    return InlineKeyboardMarkup(rows)


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("cakupan", show_coverage))
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
