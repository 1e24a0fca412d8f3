"""/cakupan: which desa have a KIM, per kecamatan, with chart, spreadsheet and gaps.

The command answers with a short table; the chart, the spreadsheet and the list of desa
without a KIM come by button, so a slow phone only downloads what the operator asks for.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from bot import commands, coverage
from bot.buttons import ButtonData
from bot.coverage import Coverage
from bot.services import KimApp, KimContext
from bot.texts import cakupan as texts
from handlers.access import command, stale_button
from handlers.layout import grid, reply_view
from handlers.presses import D, Press, PressCallback, on_press

ALLOWED = commands.spec("cakupan").allowed


@dataclass(frozen=True)
class CoverageTable(ButtonData, prefix="cakt"): ...


@dataclass(frozen=True)
class CoverageChart(ButtonData, prefix="cakc"): ...


@dataclass(frozen=True)
class CoverageExcel(ButtonData, prefix="cakx"): ...


@dataclass(frozen=True)
class GapPicker(ButtonData, prefix="cakg"):
    """The kecamatan, each with how many of its desa have no KIM yet."""


@dataclass(frozen=True)
class Gaps(ButtonData, prefix="cakd"):
    """The desa of one kecamatan without a KIM."""

    kecamatan: str


async def _coverage(context: KimContext) -> tuple[Coverage, date]:
    services, settings = context.bot_data, context.bot_data.settings
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
    files = [CoverageChart().button(texts.CHART_BUTTON), CoverageExcel().button(texts.EXCEL_BUTTON)]
    return text, InlineKeyboardMarkup([files, [GapPicker().button(texts.GAPS_BUTTON)]])


@command("cakupan")
async def show_coverage(update: Update, context: KimContext) -> None:
    """The table per kecamatan and the regency total, with buttons for the rest."""
    await reply_view(update, _summary(*await _coverage(context)))


async def on_table(press: Press[CoverageTable]) -> None:
    await press.edit(*_summary(*await _coverage(press.context)))


async def on_chart(press: Press[CoverageChart]) -> None:
    if press.chat is None:
        return
    await press.answer(texts.PREPARING)
    bot, chat_id = press.context.bot, press.chat.id
    await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    result, day = await _coverage(press.context)
    png = await asyncio.to_thread(coverage.render_chart, result, day)
    caption = texts.chart_caption(result.regency_name, day, coverage.total_line(result))
    await bot.send_photo(chat_id, png, caption=caption)


async def on_excel(press: Press[CoverageExcel]) -> None:
    if press.chat is None:
        return
    await press.answer(texts.PREPARING)
    bot, chat_id = press.context.bot, press.chat.id
    await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    result, day = await _coverage(press.context)
    workbook = await asyncio.to_thread(coverage.render_xlsx, result, day)
    await bot.send_document(
        chat_id,
        InputFile(workbook, filename=coverage.export_filename(result, day)),
        caption=texts.excel_caption(result.regency_name, day),
    )


async def on_gap_picker(press: Press[GapPicker]) -> None:
    result, _day = await _coverage(press.context)
    await press.edit(texts.PICK_KECAMATAN, _picker(result))


async def on_gaps(press: Press[Gaps]) -> None:
    result, _day = await _coverage(press.context)
    found = result.find(press.data.kecamatan)
    if found is None:
        await stale_button(press.update, press.context)
        return
    missing = [(d.desa.display, d.desa.is_kelurahan, d.subscribers) for d in found.without_kim]
    back = [
        GapPicker().button(texts.OTHER_KECAMATAN),
        CoverageTable().button(texts.BACK_TO_SUMMARY),
    ]
    text = texts.desa_without_kim(found.kecamatan.display, found.desa_total, missing)
    await press.edit(text, InlineKeyboardMarkup([back]))


def _picker(result: Coverage) -> InlineKeyboardMarkup:
    buttons = [
        Gaps(k.kecamatan.code).button(
            texts.kecamatan_button(k.kecamatan.display, len(k.without_kim))
        )
        for k in result.kecamatan
    ]
    return InlineKeyboardMarkup(
        [*grid(buttons, 2), [CoverageTable().button(texts.BACK_TO_SUMMARY)]]
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("cakupan", show_coverage))
    _button(app, CoverageTable, on_table)
    _button(app, CoverageChart, on_chart)
    _button(app, CoverageExcel, on_excel)
    _button(app, GapPicker, on_gap_picker)
    _button(app, Gaps, on_gaps)


def _button(app: KimApp, kind: type[D], callback: PressCallback[D]) -> None:
    on_press(app, kind, callback, allowed=ALLOWED, action="cakupan.button")
