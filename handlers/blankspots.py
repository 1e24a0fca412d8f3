"""/blankspot for villagers (a point or an area, the operator, the problem: a ticket) and
/sinyal for operators (the summary per kecamatan, CSV and GeoJSON).

Telegram asks for a location only through a reply-keyboard button, so /blankspot sends two
messages: one with that button, one with the inline kecamatan picker. A shared location
continues with its own picker (the kecamatan may be skipped). The answers so far travel in
the buttons' data (`bot.blankspots.Draft`); the last answer replaces the picker with the
ticket, sent with the reply keyboard removed.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import blankspots, commands, regions
from bot.blankspots import Draft, Step
from bot.services import KimApp, KimContext
from bot.texts import blankspot as t
from handlers.access import command, requires, stale_button

PAGE_SIZE = 12
STAFF_PREFIX = "sn:"
CSV = STAFF_PREFIX + "csv"
GEOJSON = STAFF_PREFIX + "geo"


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _cancel_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t.CANCEL, callback_data=Draft().data(Step.CANCEL))]


async def _kecamatan_keyboard(context: KimContext, draft: Draft) -> InlineKeyboardMarkup:
    kecamatan = sorted(await regions.all_kecamatan(context.bot_data.db), key=lambda k: k.display)
    buttons = [
        InlineKeyboardButton(
            k.display, callback_data=draft.but(kecamatan_code=k.code).data(Step.KECAMATAN)
        )
        for k in kecamatan
    ]
    rows = _rows(buttons, 3)
    if draft.located:
        skip = draft.but(kecamatan_code=None, desa_code=None).data(Step.KECAMATAN)
        rows.append([InlineKeyboardButton(t.SKIP, callback_data=skip)])
    return InlineKeyboardMarkup([*rows, _cancel_row()])


async def _desa_page(
    context: KimContext, draft: Draft, page: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """One page of the draft's kecamatan's desa; None for a page that does not exist."""
    db = context.bot_data.db
    kecamatan = (
        None
        if draft.kecamatan_code is None
        else await regions.get_kecamatan(db, draft.kecamatan_code)
    )
    if kecamatan is None:
        return None
    desa = await regions.desa_of(db, kecamatan.code)
    pages = max(1, -(-len(desa) // PAGE_SIZE))
    if not 0 <= page < pages:
        return None
    shown = desa[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = _rows(
        [
            InlineKeyboardButton(
                d.display, callback_data=draft.but(desa_code=d.code).data(Step.DESA)
            )
            for d in shown
        ],
        3,
    )
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(t.PREVIOUS_PAGE, callback_data=draft.data(Step.PAGE, page - 1))
        )
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(t.NEXT_PAGE, callback_data=draft.data(Step.PAGE, page + 1)))
    if nav:
        rows.append(nav)
    rows.append([InlineKeyboardButton(t.DESA_UNKNOWN, callback_data=draft.data(Step.DESA))])
    back = draft.but(kecamatan_code=None, desa_code=None).data(Step.BACK)
    rows.append([InlineKeyboardButton(t.BACK, callback_data=back), *_cancel_row()])
    return t.pick_desa(kecamatan.display, page, pages), InlineKeyboardMarkup(rows)


async def _place(context: KimContext, draft: Draft) -> str:
    db = context.bot_data.db
    kecamatan = (
        None
        if draft.kecamatan_code is None
        else await regions.get_kecamatan(db, draft.kecamatan_code)
    )
    desa = None if draft.desa_code is None else await regions.get_desa(db, draft.desa_code)
    return t.where(
        None if kecamatan is None else kecamatan.display,
        None if desa is None else desa.display,
        draft.located,
    )


async def _operator_step(context: KimContext, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        InlineKeyboardButton(t.OPERATOR_LABELS[op.value], callback_data=data)
        for op, data in blankspots.operator_choices(draft)
    ]
    keyboard = InlineKeyboardMarkup([*_rows(buttons, 2), _cancel_row()])
    return t.pick_operator(await _place(context, draft)), keyboard


async def _problem_step(context: KimContext, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    assert draft.operator is not None  # only asked once the operator is known
    buttons = [
        [InlineKeyboardButton(t.PROBLEM_LABELS[problem.value].capitalize(), callback_data=data)]
        for problem, data in blankspots.problem_choices(draft)
    ]
    keyboard = InlineKeyboardMarkup([*buttons, _cancel_row()])
    return t.pick_problem(await _place(context, draft), draft.operator.value), keyboard


# --- the villager's report ------------------------------------------------------------


@command("blankspot")
async def start(update: Update, context: KimContext) -> None:
    """The location button below the text field, and the kecamatan picker."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type != Chat.PRIVATE:
        await message.reply_text(t.PRIVATE_ONLY)
        return
    if await _limited(update, context):
        return
    location = ReplyKeyboardMarkup(
        [[KeyboardButton(t.LOCATION_BUTTON, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await message.reply_text(t.START, reply_markup=location)
    await message.reply_text(
        t.PICK_KECAMATAN, reply_markup=await _kecamatan_keyboard(context, Draft())
    )


async def location(update: Update, context: KimContext) -> None:
    """A shared point: keep it and ask for its kecamatan (which may be skipped)."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    draft = blankspots.located_at(message.location.latitude, message.location.longitude)
    if draft is None or await _limited(update, context):
        return
    await message.reply_text(t.LOCATION_RECEIVED, reply_markup=ReplyKeyboardRemove())
    await message.reply_text(
        t.PICK_KECAMATAN_FOR_POINT, reply_markup=await _kecamatan_keyboard(context, draft)
    )


async def _limited(update: Update, context: KimContext) -> bool:
    """Say so when the person already filed BLANKSPOTS_PER_HOUR reports in the last hour."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return True
    services = context.bot_data
    per_hour = services.settings.blankspots_per_hour
    if await blankspots.recent_count(services.db, user.id, services.clock.now()) < per_hour:
        return False
    await message.reply_text(t.rate_limited(per_hour), reply_markup=ReplyKeyboardRemove())
    return True


async def _finish(message: Message, text: str) -> None:
    """Replace the picker by a new message that also removes the location keyboard."""
    with contextlib.suppress(TelegramError):
        await message.delete()
    await message.chat.send_message(text, reply_markup=ReplyKeyboardRemove())


async def on_button(update: Update, context: KimContext) -> None:
    """Every button of a report in progress; anything malformed is stale."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    services = context.bot_data
    parsed = blankspots.parse(query.data, services.settings.region_code)
    message = query.message
    if parsed is None or not isinstance(message, Message):
        await stale_button(update, context)
        return
    step, draft, page = parsed
    if not await blankspots.known_area(services.db, draft):
        await stale_button(update, context)
        return
    screen: tuple[str, InlineKeyboardMarkup] | None = None
    if step is Step.CANCEL:
        await query.answer()
        await _finish(message, t.CANCELLED)
        return
    if step is Step.PROBLEM and draft.complete:
        report = await blankspots.record(
            services.db,
            draft,
            reporter_id=user.id,
            flow_message_id=message.message_id,
            now=services.clock.now(),
            per_hour=services.settings.blankspots_per_hour,
        )
        await query.answer()
        if report is None:
            await _finish(message, t.rate_limited(services.settings.blankspots_per_hour))
            return
        assert draft.operator is not None and draft.problem is not None  # complete
        place = await _place(context, draft)
        await _finish(
            message, t.ticket(report.ticket, place, draft.operator.value, draft.problem.value)
        )
        return
    if step is Step.BACK:
        text = t.PICK_KECAMATAN_FOR_POINT if draft.located else t.PICK_KECAMATAN
        screen = text, await _kecamatan_keyboard(context, draft)
    elif step is Step.KECAMATAN and draft.kecamatan_code is not None:
        screen = await _desa_page(context, draft, 0)
    elif step is Step.KECAMATAN and draft.located:
        screen = await _operator_step(context, draft)
    elif step is Step.PAGE and page is not None:
        screen = await _desa_page(context, draft, page)
    elif step is Step.DESA and draft.kecamatan_code is not None:
        screen = await _operator_step(context, draft)
    elif step is Step.OPERATOR and draft.operator is not None:
        screen = await _problem_step(context, draft)
    if screen is None:
        await stale_button(update, context)
        return
    await query.answer()
    await query.edit_message_text(screen[0], reply_markup=screen[1])


# --- operators ---------------------------------------------------------------------------


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
        [
            [
                InlineKeyboardButton(t.CSV_BUTTON, callback_data=CSV),
                InlineKeyboardButton(t.GEOJSON_BUTTON, callback_data=GEOJSON),
            ]
        ]
    )
    text = t.summary(
        services.settings.regency_name,
        result.total,
        result.located,
        blankspots.summary_rows(result),
    )
    await message.reply_text(text, reply_markup=keyboard)


@requires(commands.spec("sinyal").allowed, "sinyal.export")
async def export(update: Update, context: KimContext) -> None:
    """The CSV (every report) or the GeoJSON (every point), as a document."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None or query.data not in (CSV, GEOJSON):
        await stale_button(update, context)
        return
    await query.answer(t.PREPARING)
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    services = context.bot_data
    settings = services.settings
    reports = await blankspots.all_reports(services.db)
    day = services.clock.now().date()
    if query.data == CSV:
        data = await asyncio.to_thread(blankspots.render_csv, reports)
        name = t.export_filename(settings.region_code, day, "csv")
        caption = t.csv_caption(settings.regency_name, day, len(reports))
    else:
        data = await asyncio.to_thread(blankspots.render_geojson, reports)
        name = t.export_filename(settings.region_code, day, "geojson")
        points = sum(1 for r in reports if r.located)
        caption = t.geojson_caption(settings.regency_name, day, points, len(reports))
    await context.bot.send_document(chat.id, InputFile(data, filename=name), caption=caption)


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("blankspot", start))
    app.add_handler(CommandHandler("sinyal", summary))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.LOCATION, location))
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{blankspots.PREFIX}"))
    app.add_handler(CallbackQueryHandler(export, pattern=f"^{STAFF_PREFIX}"))
