"""/sinyal for operators: the blank-spot reports per kecamatan, by operator and problem, with
every report as CSV and every point as GeoJSON by button."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from bot import blankspots, commands
from bot.blankspots import Report
from bot.buttons import ButtonData
from bot.services import KimApp, KimContext
from bot.texts import blankspot as t
from handlers.access import command
from handlers.presses import Press, on_press

Caption = Callable[[str, date, list[Report]], str]  # (regency, day, reports) → caption


@dataclass(frozen=True)
class SignalCsv(ButtonData, prefix="snc"): ...


@dataclass(frozen=True)
class SignalGeoJson(ButtonData, prefix="sng"): ...


@command("sinyal")
async def summary(update: Update, context: KimContext) -> None:
    """Counts per kecamatan by operator and problem, with the two exports as buttons."""
    message = update.effective_message
    if message is None:
        return
    services = context.bot_data
    result = blankspots.summarize(await blankspots.all_reports(services.db))
    if result.total == 0:
        await message.reply_text(t.NO_REPORTS)
        return
    keyboard = InlineKeyboardMarkup(
        [[SignalCsv().button(t.CSV_BUTTON), SignalGeoJson().button(t.GEOJSON_BUTTON)]]
    )
    regency = services.settings.regency_name
    text = t.summary(regency, result.total, result.located, blankspots.summary_rows(result))
    await message.reply_text(text, reply_markup=keyboard)


async def _send_export(
    press: Press[Any], ext: str, render: Callable[[list[Report]], bytes], caption: Caption
) -> None:
    """Answer the press, show the upload, send every report rendered as one document."""
    if press.chat is None:
        return
    await press.answer(t.PREPARING)
    bot, chat_id, services = press.context.bot, press.chat.id, press.services
    await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    reports = await blankspots.all_reports(services.db)
    day = services.clock.now().date()
    data = await asyncio.to_thread(render, reports)
    name = t.export_filename(services.settings.region_code, day, ext)
    text = caption(services.settings.regency_name, day, reports)
    await bot.send_document(chat_id, InputFile(data, filename=name), caption=text)


async def on_csv(press: Press[SignalCsv]) -> None:
    """Every report, as a CSV document."""
    await _send_export(
        press,
        "csv",
        blankspots.render_csv,
        lambda regency, day, reports: t.csv_caption(regency, day, len(reports)),
    )


async def on_geojson(press: Press[SignalGeoJson]) -> None:
    """Every point, as a GeoJSON document."""
    await _send_export(
        press,
        "geojson",
        blankspots.render_geojson,
        lambda regency, day, reports: t.geojson_caption(
            regency, day, sum(1 for r in reports if r.located), len(reports)
        ),
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("sinyal", summary))
    allowed = commands.spec("sinyal").allowed
    on_press(app, SignalCsv, on_csv, allowed=allowed, action="sinyal.export")
    on_press(app, SignalGeoJson, on_geojson, allowed=allowed, action="sinyal.export")
