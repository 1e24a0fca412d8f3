"""/blankspot for villagers: a point or an area, the operator, the problem, and a ticket
(what operators read of the reports is /sinyal, `handlers.signal_reports`).

Telegram asks for a location only through a reply-keyboard button, so /blankspot sends two
messages: one with that button, one with the inline kecamatan picker. A shared location
continues with its own picker (the kecamatan may be skipped). The answers so far travel in
the buttons' data as typed fields (`Place` and the classes built on it), read back as a
`bot.blankspots.Draft`; the last answer replaces the picker with the ticket, sent with the
reply keyboard removed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Self

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import blankspots, regions
from bot.blankspots import Draft, Operator, Problem
from bot.buttons import ButtonData
from bot.services import KimApp, KimContext
from bot.storage import Database
from bot.texts import blankspot as t
from handlers.access import command, stale_button
from handlers.layout import grid, page_of, with_nav
from handlers.presses import Press, on_press

PAGE_SIZE = 12
SCALE = 10**blankspots.COORDINATE_DECIMALS  # coordinates travel as whole 1e-5 degrees


@dataclass(frozen=True)
class Place:
    """The report's place so far, as the buttons carry it: a point in 1e-5 degrees, a
    kecamatan code and the desa's own number in it ("2011"), so the data stay short."""

    latitude: int | None
    longitude: int | None
    kecamatan: str | None
    desa: str | None

    @classmethod
    def at(cls, draft: Draft, **more: Any) -> Self:
        """The button for `draft`'s place (and `more`, the fields of the button's own)."""
        return cls(
            latitude=None if draft.latitude is None else round(draft.latitude * SCALE),
            longitude=None if draft.longitude is None else round(draft.longitude * SCALE),
            kecamatan=draft.kecamatan_code,
            desa=None if draft.desa_code is None else draft.desa_code.rsplit(".", 1)[1],
            **more,
        )


@dataclass(frozen=True)
class PickKecamatan(ButtonData, Place, prefix="bsk"):
    """A kecamatan picked: show its desa."""


@dataclass(frozen=True)
class SkipKecamatan(ButtonData, Place, prefix="bss"):
    """A point's kecamatan skipped: ask the operator."""


@dataclass(frozen=True)
class DesaPage(ButtonData, Place, prefix="bsg"):
    page: int


@dataclass(frozen=True)
class PickDesa(ButtonData, Place, prefix="bsd"):
    """A desa picked (or, without one, "don't know"): ask the operator."""


@dataclass(frozen=True)
class BackToKecamatan(ButtonData, Place, prefix="bsb"):
    pass


@dataclass(frozen=True)
class PickOperator(ButtonData, Place, prefix="bso"):
    operator: Operator


@dataclass(frozen=True)
class PickProblem(ButtonData, Place, prefix="bsp"):
    """The last answer: record the report."""

    operator: Operator
    problem: Problem


@dataclass(frozen=True)
class Cancel(ButtonData, prefix="bsx"): ...


def draft_of(data: Place) -> Draft | None:
    """The place a button carries, as a draft; None for half a point, a point off Earth or
    a desa without its kecamatan (whether the area exists is `blankspots.known_area`'s)."""
    if (data.latitude is None) != (data.longitude is None):
        return None
    if data.desa is not None and data.kecamatan is None:
        return None
    draft = Draft()
    if data.latitude is not None and data.longitude is not None:
        point = blankspots.located_at(data.latitude / SCALE, data.longitude / SCALE)
        if point is None:
            return None
        draft = point
    desa = None if data.desa is None else f"{data.kecamatan}.{data.desa}"
    return draft.but(kecamatan_code=data.kecamatan, desa_code=desa)


def _cancel_row() -> list[InlineKeyboardButton]:
    return [Cancel().button(t.CANCEL)]


async def _kecamatan_keyboard(context: KimContext, draft: Draft) -> InlineKeyboardMarkup:
    kecamatan = sorted(await regions.all_kecamatan(context.bot_data.db), key=lambda k: k.display)
    point = draft.but(kecamatan_code=None, desa_code=None)
    buttons = [
        PickKecamatan.at(point.but(kecamatan_code=k.code)).button(k.display) for k in kecamatan
    ]
    rows = grid(buttons, 3)
    if draft.located:
        rows.append([SkipKecamatan.at(point).button(t.SKIP)])
    return InlineKeyboardMarkup([*rows, _cancel_row()])


async def _kecamatan(db: Database, draft: Draft) -> regions.Kecamatan | None:
    code = draft.kecamatan_code
    return None if code is None else await regions.get_kecamatan(db, code)


async def _desa_page(
    context: KimContext, draft: Draft, page: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """One page of the draft's kecamatan's desa; None for a page that does not exist."""
    db = context.bot_data.db
    kecamatan = await _kecamatan(db, draft)
    if kecamatan is None:
        return None
    found = page_of(await regions.desa_of(db, kecamatan.code), page, PAGE_SIZE)
    if found is None:
        return None
    shown, pages = found
    area = draft.but(desa_code=None)
    rows = grid([PickDesa.at(area.but(desa_code=d.code)).button(d.display) for d in shown], 3)
    rows = with_nav(rows, page, pages, lambda n: DesaPage.at(area, page=n), t.PAGES)
    rows.append([PickDesa.at(area).button(t.DESA_UNKNOWN)])
    back = BackToKecamatan.at(draft.but(kecamatan_code=None, desa_code=None))
    rows.append([back.button(t.BACK), *_cancel_row()])
    return t.pick_desa(kecamatan.display, page, pages), InlineKeyboardMarkup(rows)


async def _place(context: KimContext, draft: Draft) -> str:
    db = context.bot_data.db
    kecamatan = await _kecamatan(db, draft)
    desa = None if draft.desa_code is None else await regions.get_desa(db, draft.desa_code)
    return t.where(
        None if kecamatan is None else kecamatan.display,
        None if desa is None else desa.display,
        draft.located,
    )


async def _operator_step(context: KimContext, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        PickOperator.at(draft, operator=op).button(t.OPERATOR_LABELS[op.value]) for op in Operator
    ]
    keyboard = InlineKeyboardMarkup([*grid(buttons, 2), _cancel_row()])
    return t.pick_operator(await _place(context, draft)), keyboard


async def _problem_step(
    context: KimContext, draft: Draft, operator: Operator
) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        [
            PickProblem.at(draft, operator=operator, problem=problem).button(
                t.PROBLEM_LABELS[problem.value].capitalize()
            )
        ]
        for problem in Problem
    ]
    keyboard = InlineKeyboardMarkup([*buttons, _cancel_row()])
    return t.pick_problem(await _place(context, draft), operator.value), keyboard


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
    if await blankspots.QUOTA.used(services.db, user.id, services.clock.now()) < per_hour:
        return False
    await message.reply_text(t.rate_limited(per_hour), reply_markup=ReplyKeyboardRemove())
    return True


async def _finish(message: Message, text: str) -> None:
    """Replace the picker by a new message that also removes the location keyboard."""
    with contextlib.suppress(TelegramError):
        await message.delete()
    await message.chat.send_message(text, reply_markup=ReplyKeyboardRemove())


async def _draft(press: Press[Any]) -> Draft | None:
    """The draft a pressed button carries, when its area exists (else: stale)."""
    draft = draft_of(press.data)
    if draft is None or not await blankspots.known_area(press.services.db, draft):
        await stale_button(press.update, press.context)
        return None
    return draft


async def _show(press: Press[Any], screen: tuple[str, InlineKeyboardMarkup] | None) -> None:
    if screen is None:
        await stale_button(press.update, press.context)
    else:
        await press.edit(*screen)


async def on_kecamatan(press: Press[PickKecamatan]) -> None:
    draft = await _draft(press)
    if draft is not None:
        await _show(press, await _desa_page(press.context, draft, 0))


async def on_desa_page(press: Press[DesaPage]) -> None:
    draft = await _draft(press)
    if draft is not None:
        await _show(press, await _desa_page(press.context, draft, press.data.page))


async def on_skip(press: Press[SkipKecamatan]) -> None:
    draft = await _draft(press)
    if draft is not None:
        located = draft.located and draft.kecamatan_code is None
        await _show(press, await _operator_step(press.context, draft) if located else None)


async def on_desa(press: Press[PickDesa]) -> None:
    draft = await _draft(press)
    if draft is not None:
        placed = draft.kecamatan_code is not None
        await _show(press, await _operator_step(press.context, draft) if placed else None)


async def on_operator(press: Press[PickOperator]) -> None:
    draft = await _draft(press)
    if draft is not None:
        await _show(press, await _problem_step(press.context, draft, press.data.operator))


async def on_back(press: Press[BackToKecamatan]) -> None:
    draft = await _draft(press)
    if draft is not None:
        text = t.PICK_KECAMATAN_FOR_POINT if draft.located else t.PICK_KECAMATAN
        await _show(press, (text, await _kecamatan_keyboard(press.context, draft)))


async def on_cancel(press: Press[Cancel]) -> None:
    if press.message is not None:
        await press.answer()
        await _finish(press.message, t.CANCELLED)


async def on_problem(press: Press[PickProblem]) -> None:
    """The last answer records the report (once per flow message) and shows the ticket."""
    place = await _draft(press)
    message = press.message
    if place is None or message is None:
        return
    draft = place.but(operator=press.data.operator, problem=press.data.problem)
    if not draft.complete:
        await stale_button(press.update, press.context)
        return
    services = press.services
    per_hour = services.settings.blankspots_per_hour
    report = await blankspots.record(
        services.db,
        draft,
        reporter_id=press.user.id,
        flow_message_id=message.message_id,
        now=services.clock.now(),
        per_hour=per_hour,
    )
    await press.answer()
    if report is None:
        await _finish(message, t.rate_limited(per_hour))
        return
    where = await _place(press.context, draft)
    operator, problem = press.data.operator.value, press.data.problem.value
    await _finish(message, t.ticket(report.ticket, where, operator, problem))


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("blankspot", start))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.LOCATION, location))
    on_press(app, PickKecamatan, on_kecamatan)
    on_press(app, SkipKecamatan, on_skip)
    on_press(app, DesaPage, on_desa_page)
    on_press(app, PickDesa, on_desa)
    on_press(app, PickOperator, on_operator)
    on_press(app, PickProblem, on_problem)
    on_press(app, BackToKecamatan, on_back)
    on_press(app, Cancel, on_cancel)
