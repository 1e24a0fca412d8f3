"""/poster: operators pick a kecamatan and a desa and get the desa's QR poster as a photo.

Callback data: `pst:k` (kecamatan list), `pst:k:<kecamatan token>:<page>` (its desa),
`pst:d:<desa token>` (send that desa's poster; the list stays for the next one).
"""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import posters, regions, subscriptions, texts
from bot.services import KimApp, KimContext
from bot.subscriptions import AreaRef, Scope
from bot.texts import langganan as t
from handlers.access import command, stale_button
from handlers.subscriptions import grid, page_of, pager

PREFIX = "pst:"


async def _kecamatan_keyboard(context: KimContext) -> InlineKeyboardMarkup:
    kecamatan = await regions.all_kecamatan(context.bot_data.db)
    buttons = [
        InlineKeyboardButton(
            k.display, callback_data=f"{PREFIX}k:{AreaRef(Scope.KECAMATAN, k.code).token}:0"
        )
        for k in kecamatan
    ]
    return InlineKeyboardMarkup(grid(buttons, 3))


@command("poster")
async def poster_command(update: Update, context: KimContext) -> None:
    """The kecamatan list."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        t.POSTER_CHOOSE_KECAMATAN, reply_markup=await _kecamatan_keyboard(context)
    )


async def _desa_list(update: Update, context: KimContext, token: str, page_text: str) -> None:
    query = update.callback_query
    assert query is not None  # only called for buttons
    db = context.bot_data.db
    ref = subscriptions.parse_token(token)
    kecamatan = (
        await regions.get_kecamatan(db, ref.code)
        if ref is not None and ref.scope is Scope.KECAMATAN
        else None
    )
    found = (
        page_of(await regions.desa_of(db, kecamatan.code), int(page_text))
        if kecamatan is not None and page_text.isdigit()
        else None
    )
    if kecamatan is None or found is None:
        await stale_button(update, context)
        return
    desa, pages = found
    page = int(page_text)
    buttons = [
        InlineKeyboardButton(
            d.display, callback_data=f"{PREFIX}d:{AreaRef(Scope.DESA, d.code).token}"
        )
        for d in desa
    ]
    rows = grid(buttons, 2)
    nav = pager(PREFIX, token, page, pages)
    if nav:
        rows.append(nav)
    rows.append([InlineKeyboardButton(texts.BACK, callback_data=f"{PREFIX}k")])
    await query.answer()
    await query.edit_message_text(
        t.poster_choose_desa(kecamatan.display, page, pages),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def _send_poster(update: Update, context: KimContext, token: str) -> None:
    query = update.callback_query
    assert query is not None  # only called for buttons
    ref = subscriptions.parse_token(token)
    area = (
        await subscriptions.resolve(context.bot_data.db, ref)
        if ref is not None and ref.scope is Scope.DESA
        else None
    )
    if area is None or query.message is None:
        await stale_button(update, context)
        return
    await query.answer()
    link = posters.deep_link(context.bot.username, area.ref)
    # A few milliseconds of pure-Python PNG encoding: kept off the event loop anyway.
    png = await asyncio.to_thread(posters.qr_png, link)
    await context.bot.send_photo(
        query.message.chat.id,
        InputFile(png, filename=posters.file_name(area.code, area.name)),
        caption=t.poster_caption(area, link),
    )


@command("poster")
async def on_button(update: Update, context: KimContext) -> None:
    """Every /poster button."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    match query.data.removeprefix(PREFIX).split(":"):
        case ["k"]:
            await query.answer()
            await query.edit_message_text(
                t.POSTER_CHOOSE_KECAMATAN, reply_markup=await _kecamatan_keyboard(context)
            )
        case ["k", token, page]:
            await _desa_list(update, context, token, page)
        case ["d", token]:
            await _send_poster(update, context, token)
        case _:
            await stale_button(update, context)


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("poster", poster_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
