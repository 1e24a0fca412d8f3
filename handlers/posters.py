"""/poster: operators pick a kecamatan and a desa and get the desa's QR poster as a photo
(the list stays for the next one)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CommandHandler

from bot import commands, posters, regions, subscriptions, texts
from bot.buttons import ButtonData
from bot.services import KimApp, KimContext
from bot.subscriptions import AreaRef, Scope
from bot.texts import langganan as t
from handlers.access import command, stale_button
from handlers.layout import grid, page_of, reply_view, with_nav
from handlers.presses import D, Press, PressCallback, on_press


@dataclass(frozen=True)
class PosterKecamatan(ButtonData, prefix="pst"):
    """Back to the kecamatan list."""


@dataclass(frozen=True)
class PosterDesaPage(ButtonData, prefix="pstk"):
    kecamatan: str
    page: int


@dataclass(frozen=True)
class Poster(ButtonData, prefix="pstd"):
    desa: str


async def _kecamatan_keyboard(context: KimContext) -> InlineKeyboardMarkup:
    kecamatan = await regions.all_kecamatan(context.bot_data.db)
    buttons = [PosterDesaPage(k.code, 0).button(k.display) for k in kecamatan]
    return InlineKeyboardMarkup(grid(buttons, 3))


@command("poster")
async def poster_command(update: Update, context: KimContext) -> None:
    """The kecamatan list."""
    await reply_view(update, (t.POSTER_CHOOSE_KECAMATAN, await _kecamatan_keyboard(context)))


async def on_kecamatan(press: Press[PosterKecamatan]) -> None:
    await press.edit(t.POSTER_CHOOSE_KECAMATAN, await _kecamatan_keyboard(press.context))


async def on_desa_page(press: Press[PosterDesaPage]) -> None:
    db, page = press.services.db, press.data.page
    kecamatan = await regions.get_kecamatan(db, press.data.kecamatan)
    found = None if kecamatan is None else page_of(await regions.desa_of(db, kecamatan.code), page)
    if kecamatan is None or found is None:
        await stale_button(press.update, press.context)
        return
    desa, pages = found
    rows = grid([Poster(d.code).button(d.display) for d in desa], 2)
    rows = with_nav(rows, page, pages, lambda n: PosterDesaPage(kecamatan.code, n), t.PAGES)
    rows.append([PosterKecamatan().button(texts.BACK)])
    text = t.poster_choose_desa(kecamatan.display, page, pages)
    await press.edit(text, InlineKeyboardMarkup(rows))


async def on_poster(press: Press[Poster]) -> None:
    """Send that desa's poster."""
    area = await subscriptions.resolve(press.services.db, AreaRef(Scope.DESA, press.data.desa))
    if area is None or press.chat is None:
        await stale_button(press.update, press.context)
        return
    await press.answer()
    link = posters.deep_link(press.context.bot.username, area.ref)
    # A few milliseconds of pure-Python PNG encoding: kept off the event loop anyway.
    png = await asyncio.to_thread(posters.qr_png, link)
    await press.context.bot.send_photo(
        press.chat.id,
        InputFile(png, filename=posters.file_name(area.code, area.name)),
        caption=t.poster_caption(area, link),
    )
    settings = press.services.settings
    number = settings.whatsapp_display_number
    if settings.whatsapp_enabled and number:
        # The same desa on the office's WhatsApp number: a second QR, printed beside the first.
        chat_link = posters.whatsapp_link(number, area.ref)
        png = await asyncio.to_thread(posters.qr_png, chat_link)
        words = posters.whatsapp_words(area.ref)
        await press.context.bot.send_photo(
            press.chat.id,
            InputFile(png, filename=posters.file_name(area.code, area.name, whatsapp=True)),
            caption=t.poster_whatsapp_caption(area, number, words, chat_link),
        )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("poster", poster_command))
    _button(app, PosterKecamatan, on_kecamatan)
    _button(app, PosterDesaPage, on_desa_page)
    _button(app, Poster, on_poster)


def _button(app: KimApp, kind: type[D], callback: PressCallback[D]) -> None:
    on_press(app, kind, callback, allowed=commands.spec("poster").allowed, action="/poster")
