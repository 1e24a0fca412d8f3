"""/wilayah: browse the regency's kecamatan and desa by buttons."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot import regions, texts
from bot.buttons import ButtonData
from bot.services import KimApp, KimContext
from handlers.access import command, stale_button
from handlers.layout import grid, reply_view
from handlers.presses import Press, on_press


@dataclass(frozen=True)
class RegionsOverview(ButtonData, prefix="wil"): ...


@dataclass(frozen=True)
class KecamatanDesa(ButtonData, prefix="wilk"):
    kecamatan: str


async def _overview(context: KimContext) -> tuple[str, InlineKeyboardMarkup]:
    db = context.bot_data.db
    kecamatan = await regions.all_kecamatan(db)
    _, desa_count = await regions.counts(db)
    buttons = [KecamatanDesa(k.code).button(k.display) for k in kecamatan]
    regency = context.bot_data.settings.regency_name
    text = texts.regions_overview(regency, len(kecamatan), desa_count)
    return text, InlineKeyboardMarkup(grid(buttons, 3))


@command("wilayah")
async def show_regions(update: Update, context: KimContext) -> None:
    """The kecamatan of the regency as buttons."""
    await reply_view(update, await _overview(context))


async def on_overview(press: Press[RegionsOverview]) -> None:
    await press.edit(*await _overview(press.context))


async def on_kecamatan(press: Press[KecamatanDesa]) -> None:
    """A kecamatan's desa, with the way back to the overview."""
    db = press.services.db
    kecamatan = await regions.get_kecamatan(db, press.data.kecamatan)
    if kecamatan is None:
        await stale_button(press.update, press.context)
        return
    desa = await regions.desa_of(db, kecamatan.code)
    back = InlineKeyboardMarkup([[RegionsOverview().button(texts.BACK)]])
    await press.edit(texts.desa_list(kecamatan.display, (d.display for d in desa)), back)


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("wilayah", show_regions))
    on_press(app, RegionsOverview, on_overview)
    on_press(app, KecamatanDesa, on_kecamatan)
