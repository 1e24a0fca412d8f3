"""/langganan, /profil, /berhenti, /hapusdata and the subscription deep link `/start <token>`.

Every step edits one message in place, and the whole state of a step travels in its
buttons' callback data (area token, chosen topics as a bitmask), so nothing is kept on the
server between taps and a restart loses nothing:

    lgn:k                          kecamatan list (first screen)
    lgn:k:<kecamatan token>:<page> desa list of a kecamatan
    lgn:t:<origin>:<token>:<bits>  topic toggles; origin l = /langganan, p = /profil
    lgn:s:<origin>:<token>:<bits>  save
    lgn:y:<token> / lgn:n          accept / decline a deep link's offer
    prf:v / prf:x:<token>          show /profil / remove one subscription
    prf:d                          weekly digest on/off
    bhn:y / bhn:n                  /berhenti confirmed / cancelled
    hps:y / hps:n                  /hapusdata confirmed / cancelled
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import people, privacy, regions, subscriptions, texts
from bot.people import Role
from bot.services import KimApp, KimContext
from bot.subscriptions import Area, AreaRef, Scope
from bot.texts import jadwal
from bot.texts import langganan as t
from bot.topics import DEFAULT_BITS, TOPICS, topics_in, valid_bits
from handlers import menus
from handlers.access import stale_button

SUBSCRIBE = "lgn:"
PROFILE = "prf:"
STOP = "bhn:"
FORGET = "hps:"
PER_PAGE = 16
_ORIGINS = ("l", "p")
# "/start d3514142011": a token-shaped payload is ours; anything else is the plain /start's.
DEEP_LINK = filters.Regex(r"^/start(@\w+)?\s+[rkd]\d{4,10}\s*$")

Item = TypeVar("Item")


def page_of(items: Sequence[Item], page: int) -> tuple[Sequence[Item], int] | None:
    """Items on `page` and the number of pages, or None when the page does not exist."""
    pages = max(1, -(-len(items) // PER_PAGE))
    if not 0 <= page < pages:
        return None
    return items[page * PER_PAGE : (page + 1) * PER_PAGE], pages


def grid(buttons: Sequence[InlineKeyboardButton], columns: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]


def pager(prefix: str, token: str, page: int, pages: int) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(t.PREVIOUS_PAGE, callback_data=f"{prefix}k:{token}:{page - 1}")
        )
    if page + 1 < pages:
        row.append(InlineKeyboardButton(t.NEXT_PAGE, callback_data=f"{prefix}k:{token}:{page + 1}"))
    return row


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


@dataclass(frozen=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


# --- screens -----------------------------------------------------------------------------


async def _kecamatan_screen(context: KimContext) -> Screen:
    services = context.bot_data
    regency = services.settings.regency_name
    kecamatan = await regions.all_kecamatan(services.db)
    rows = grid(
        [
            _button(k.display, f"{SUBSCRIBE}k:{AreaRef(Scope.KECAMATAN, k.code).token}:0")
            for k in kecamatan
        ],
        3,
    )
    whole = AreaRef(Scope.KABUPATEN, services.settings.region_code).token
    rows.append(
        [_button(t.whole_kabupaten_button(regency), f"{SUBSCRIBE}t:l:{whole}:{DEFAULT_BITS}")]
    )
    return Screen(t.choose_kecamatan(regency), InlineKeyboardMarkup(rows))


async def _desa_screen(context: KimContext, token: str, page_text: str) -> Screen | None:
    db = context.bot_data.db
    ref = subscriptions.parse_token(token)
    if ref is None or ref.scope is not Scope.KECAMATAN or not page_text.isdigit():
        return None
    kecamatan = await regions.get_kecamatan(db, ref.code)
    if kecamatan is None:
        return None
    found = page_of(await regions.desa_of(db, kecamatan.code), int(page_text))
    if found is None:
        return None
    desa, pages = found
    page = int(page_text)
    rows = grid(
        [
            _button(
                d.display,
                f"{SUBSCRIBE}t:l:{AreaRef(Scope.DESA, d.code).token}:{DEFAULT_BITS}",
            )
            for d in desa
        ],
        2,
    )
    nav = pager(SUBSCRIBE, token, page, pages)
    if nav:
        rows.append(nav)
    rows.append(
        [
            _button(
                t.whole_kecamatan_button(kecamatan.display),
                f"{SUBSCRIBE}t:l:{token}:{DEFAULT_BITS}",
            )
        ]
    )
    rows.append([_button(texts.BACK, f"{SUBSCRIBE}k")])
    return Screen(t.choose_desa(kecamatan.display, page, pages), InlineKeyboardMarkup(rows))


async def _back_from_topics(context: KimContext, area: Area, origin: str) -> str:
    """Where « Kembali leads from the topic toggles: the list the area was picked from."""
    if origin == "p":
        return f"{PROFILE}v"
    if area.scope is Scope.KABUPATEN:
        return f"{SUBSCRIBE}k"
    if area.scope is Scope.KECAMATAN:
        return f"{SUBSCRIBE}k:{area.token}:0"
    assert area.kecamatan_code is not None  # a desa always lies in a kecamatan
    codes = [d.code for d in await regions.desa_of(context.bot_data.db, area.kecamatan_code)]
    page = codes.index(area.code) // PER_PAGE if area.code in codes else 0
    return f"{SUBSCRIBE}k:{AreaRef(Scope.KECAMATAN, area.kecamatan_code).token}:{page}"


async def _topics_screen(context: KimContext, area: Area, origin: str, bits: int) -> Screen:
    rows = grid(
        [
            _button(
                t.topic_button(topic.label, bool(bits & topic.bit)),
                f"{SUBSCRIBE}t:{origin}:{area.token}:{bits ^ topic.bit}",
            )
            for topic in TOPICS
        ],
        2,
    )
    rows.append([_button(t.SAVE, f"{SUBSCRIBE}s:{origin}:{area.token}:{bits}")])
    rows.append([_button(texts.BACK, await _back_from_topics(context, area, origin))])
    return Screen(t.choose_topics(area), InlineKeyboardMarkup(rows))


def _labels(bits: int) -> list[str]:
    return [topic.label for topic in topics_in(bits)]


async def _profile_screen(context: KimContext, user_id: int) -> Screen:
    held = await subscriptions.of_person(context.bot_data.db, user_id)
    rows = [
        [
            _button(t.edit_button(s.area), f"{SUBSCRIBE}t:p:{s.area.token}:{s.topics}"),
            _button(t.remove_button(s.area), f"{PROFILE}x:{s.area.token}"),
        ]
        for s in held
    ]
    rows.append([_button(t.ADD_AREA, f"{SUBSCRIBE}k")])
    if held:
        digest = await subscriptions.weekly_digest(context.bot_data.db, user_id)
        rows.append([_button(jadwal.DIGEST_ON if digest else jadwal.DIGEST_OFF, f"{PROFILE}d")])
    text = t.profile([(s.area, _labels(s.topics)) for s in held])
    return Screen(text, InlineKeyboardMarkup(rows))


def _after_saving(area: Area, bits: int, *, is_new: bool) -> Screen:
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t.CHOOSE_TOPICS, f"{SUBSCRIBE}t:p:{area.token}:{bits}")],
            [_button(t.ADD_AREA, f"{SUBSCRIBE}k"), _button(t.SHOW_PROFILE, f"{PROFILE}v")],
        ]
    )
    return Screen(t.saved(area, _labels(bits), is_new=is_new), keyboard)


async def _area(context: KimContext, token: str) -> Area | None:
    ref = subscriptions.parse_token(token)
    return None if ref is None else await subscriptions.resolve(context.bot_data.db, ref)


def _bits(text: str) -> int | None:
    if not text.isdigit() or len(text) > 6:
        return None
    bits = int(text)
    return bits if valid_bits(bits) else None


# --- commands ----------------------------------------------------------------------------


async def subscribe_command(update: Update, context: KimContext) -> None:
    """/langganan: the first step, the kecamatan list."""
    if update.effective_message is None:
        return
    screen = await _kecamatan_screen(context)
    await update.effective_message.reply_text(screen.text, reply_markup=screen.keyboard)


async def profile_command(update: Update, context: KimContext) -> None:
    """/profil: the person's subscriptions with change and remove buttons."""
    if update.effective_message is None or update.effective_user is None:
        return
    screen = await _profile_screen(context, update.effective_user.id)
    await update.effective_message.reply_text(screen.text, reply_markup=screen.keyboard)


async def stop_command(update: Update, context: KimContext) -> None:
    """/berhenti: ask before removing every subscription."""
    if update.effective_message is None or update.effective_user is None:
        return
    held = await subscriptions.of_person(context.bot_data.db, update.effective_user.id)
    if not held:
        await update.effective_message.reply_text(t.NOTHING_TO_STOP)
        return
    keyboard = InlineKeyboardMarkup(
        [[_button(t.CONFIRM_STOP, f"{STOP}y"), _button(t.CANCEL, f"{STOP}n")]]
    )
    await update.effective_message.reply_text(t.ask_stop(len(held)), reply_markup=keyboard)


async def forget_command(update: Update, context: KimContext) -> None:
    """/hapusdata: ask before forgetting the person."""
    if update.effective_message is None:
        return
    keyboard = InlineKeyboardMarkup(
        [[_button(t.CONFIRM_FORGET, f"{FORGET}y"), _button(t.CANCEL, f"{FORGET}n")]]
    )
    await update.effective_message.reply_text(t.ASK_FORGET, reply_markup=keyboard)


async def deep_link(update: Update, context: KimContext) -> None:
    """`/start d3514142011` from a poster: offer that area, or say the link is outdated."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not context.args:
        return
    area = await _area(context, context.args[0])
    if area is None:
        await message.reply_text(t.LINK_NOT_VALID)
        return
    db = context.bot_data.db
    current = await subscriptions.topics_of(db, user_id=user.id, area_code=area.code)
    if current is not None:
        keyboard = InlineKeyboardMarkup(
            [
                [_button(t.CHOOSE_TOPICS, f"{SUBSCRIBE}t:p:{area.token}:{current}")],
                [_button(t.SHOW_PROFILE, f"{PROFILE}v")],
            ]
        )
        await message.reply_text(
            t.already_subscribed(area, _labels(current)), reply_markup=keyboard
        )
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(t.CONFIRM_SUBSCRIBE, f"{SUBSCRIBE}y:{area.token}"),
                _button(t.CANCEL, f"{SUBSCRIBE}n"),
            ]
        ]
    )
    await message.reply_text(t.offer(area, _labels(DEFAULT_BITS)), reply_markup=keyboard)


async def private_only(update: Update, context: KimContext) -> None:
    """Subscriptions are personal: in a group the commands only point to the private chat."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.PRIVATE_ONLY)


# --- buttons -----------------------------------------------------------------------------


async def _subscribe_step(
    context: KimContext, user_id: int, parts: list[str]
) -> Screen | str | None:
    """The screen a /langganan button leads to; a str is an alert that changes nothing."""
    services = context.bot_data
    match parts:
        case ["k"]:
            return await _kecamatan_screen(context)
        case ["k", token, page]:
            return await _desa_screen(context, token, page)
        case ["t" | "s" as step, origin, token, bits_text] if origin in _ORIGINS:
            area = await _area(context, token)
            bits = _bits(bits_text)
            if area is None or bits is None:
                return None
            if step == "t":
                return await _topics_screen(context, area, origin, bits)
            if bits == 0:
                return t.NEED_TOPIC
            is_new = await subscriptions.subscribe(
                services.db, user_id=user_id, area=area, topics=bits, now=services.clock.now()
            )
            return _after_saving(area, bits, is_new=is_new)
        case ["y", token]:
            area = await _area(context, token)
            if area is None:
                return None
            bits = await subscriptions.subscribe_if_absent(
                services.db,
                user_id=user_id,
                area=area,
                topics=DEFAULT_BITS,
                now=services.clock.now(),
            )
            return _after_saving(area, bits, is_new=True)
        case ["n"]:
            return Screen(t.NOT_SUBSCRIBED)
    return None


async def on_subscribe_button(update: Update, context: KimContext) -> None:
    """Every /langganan and deep-link button."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    result = await _subscribe_step(context, user.id, query.data.split(":")[1:])
    await _show(update, context, result)


async def _show(update: Update, context: KimContext, result: Screen | str | None) -> None:
    query = update.callback_query
    assert query is not None  # only called for buttons
    if result is None:
        await stale_button(update, context)
    elif isinstance(result, str):
        await query.answer(result, show_alert=True)
    else:
        await query.answer()
        await query.edit_message_text(result.text, reply_markup=result.keyboard)


async def on_profile_button(update: Update, context: KimContext) -> None:
    """/profil's buttons: show the list again, or remove one subscription."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    match query.data.split(":")[1:]:
        case ["v"]:
            await _show(update, context, await _profile_screen(context, user.id))
        case ["d"]:
            db = context.bot_data.db
            on = not await subscriptions.weekly_digest(db, user.id)
            await subscriptions.set_weekly_digest(db, user.id, on)
            await query.answer(jadwal.DIGEST_NOW_ON if on else jadwal.DIGEST_NOW_OFF)
            screen = await _profile_screen(context, user.id)
            await query.edit_message_text(screen.text, reply_markup=screen.keyboard)
        case ["x", token]:
            area = await _area(context, token)
            if area is None or not await subscriptions.unsubscribe(
                context.bot_data.db, user_id=user.id, area_code=area.code
            ):
                await stale_button(update, context)
                return
            await query.answer(t.removed(area))
            screen = await _profile_screen(context, user.id)
            await query.edit_message_text(screen.text, reply_markup=screen.keyboard)
        case _:
            await stale_button(update, context)


async def on_stop_button(update: Update, context: KimContext) -> None:
    """/berhenti's confirm and cancel buttons."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    if query.data == f"{STOP}y":
        await subscriptions.unsubscribe_all(context.bot_data.db, user_id=user.id)
        await _show(update, context, Screen(t.STOPPED))
    elif query.data == f"{STOP}n":
        await _show(update, context, Screen(t.KEPT))
    else:
        await stale_button(update, context)


async def on_forget_button(update: Update, context: KimContext) -> None:
    """/hapusdata's confirm and cancel buttons.

    `access.remember_sender` has already recorded this tap (it runs first, in group -1), so
    forgetting now leaves nothing behind.
    """
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    if query.data == f"{FORGET}n":
        await _show(update, context, Screen(t.NOT_FORGOTTEN))
        return
    if query.data != f"{FORGET}y":
        await stale_button(update, context)
        return
    services = context.bot_data
    held = await people.roles_of(services.db, services.settings.admin_ids, user.id)
    await privacy.forget_person(services.db, user.id, services.clock.now())
    if held & {Role.OPERATOR, Role.VERIFIER}:
        after = await people.roles_of(services.db, services.settings.admin_ids, user.id)
        await menus.set_menu_for(context.bot, user.id, after)
    await _show(update, context, Screen(t.FORGOTTEN))


def register(app: KimApp) -> None:
    private = filters.ChatType.PRIVATE
    # Before handlers/start.py: a poster's /start <token> is answered here, not welcomed.
    app.add_handler(CommandHandler("start", deep_link, filters=private & DEEP_LINK))
    app.add_handler(CommandHandler("langganan", subscribe_command, filters=private))
    app.add_handler(CommandHandler("profil", profile_command, filters=private))
    app.add_handler(CommandHandler("berhenti", stop_command, filters=private))
    app.add_handler(CommandHandler("hapusdata", forget_command, filters=private))
    app.add_handler(
        CommandHandler(
            ["langganan", "profil", "berhenti", "hapusdata"], private_only, filters=~private
        )
    )
    app.add_handler(CallbackQueryHandler(on_subscribe_button, pattern=f"^{SUBSCRIBE}"))
    app.add_handler(CallbackQueryHandler(on_profile_button, pattern=f"^{PROFILE}"))
    app.add_handler(CallbackQueryHandler(on_stop_button, pattern=f"^{STOP}"))
    app.add_handler(CallbackQueryHandler(on_forget_button, pattern=f"^{FORGET}"))
