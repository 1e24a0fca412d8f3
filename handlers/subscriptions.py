"""/langganan, /profil, /berhenti, /hapusdata and the subscription deep link `/start <token>`.

Every step edits one message in place, and the whole state of a step travels in its
buttons' callback data (area token, chosen topics as a bitmask), so nothing is kept on the
server between taps and a restart loses nothing. Each kind of button is one class below:
the kecamatan list, a kecamatan's desa page, the topic toggles and their save (both knowing
whether they came from /langganan or /profil), a deep link's offer accepted or declined,
/profil's own buttons, and the confirmations of /berhenti and /hapusdata.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, filters

from bot import people, privacy, regions, subscriptions, texts
from bot.buttons import ButtonData
from bot.people import Role
from bot.services import KimApp, KimContext, Services
from bot.subscriptions import Area, AreaRef, Scope
from bot.texts import jadwal
from bot.texts import langganan as t
from bot.topics import DEFAULT_BITS, TOPICS, topics_in, valid_bits
from handlers import menus
from handlers.access import stale_button
from handlers.layout import PER_PAGE, grid, page_of, with_nav
from handlers.presses import Press, on_press

# "/start d3514142011": a token-shaped payload is ours; anything else is the plain /start's.
DEEP_LINK = filters.Regex(r"^/start(@\w+)?\s+[rkd]\d{4,10}\s*$")

D = TypeVar("D", bound=ButtonData)


class Origin(StrEnum):
    """Where the topic toggles were opened from, so « Kembali leads back there."""

    SUBSCRIBE = "l"
    PROFILE = "p"


@dataclass(frozen=True)
class KecamatanList(ButtonData, prefix="lgk"): ...


@dataclass(frozen=True)
class DesaPage(ButtonData, prefix="lgd"):
    kecamatan: str  # area token
    page: int


@dataclass(frozen=True)
class Topics(ButtonData, prefix="lgt"):
    origin: Origin
    area: str  # area token
    bits: int  # the topics chosen so far


class Save(Topics, prefix="lgs"): ...  # the area with the topics the toggles show


@dataclass(frozen=True)
class Accept(ButtonData, prefix="lgy"):
    area: str


@dataclass(frozen=True)
class Decline(ButtonData, prefix="lgn"): ...


@dataclass(frozen=True)
class ShowProfile(ButtonData, prefix="prf"): ...


@dataclass(frozen=True)
class Remove(ButtonData, prefix="prx"):
    area: str


@dataclass(frozen=True)
class Digest(ButtonData, prefix="prd"): ...


@dataclass(frozen=True)
class Stop(ButtonData, prefix="bhn"):
    confirmed: bool


@dataclass(frozen=True)
class Forget(ButtonData, prefix="hps"):
    confirmed: bool


@dataclass(frozen=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


# --- screens -----------------------------------------------------------------------------


async def _kecamatan_screen(services: Services) -> Screen:
    regency = services.settings.regency_name
    kecamatan = await regions.all_kecamatan(services.db)
    buttons = [
        DesaPage(AreaRef(Scope.KECAMATAN, k.code).token, 0).button(k.display) for k in kecamatan
    ]
    regency_token = AreaRef(Scope.KABUPATEN, services.settings.region_code).token
    whole = Topics(Origin.SUBSCRIBE, regency_token, DEFAULT_BITS)
    rows = [*grid(buttons, 3), [whole.button(t.whole_kabupaten_button(regency))]]
    return Screen(t.choose_kecamatan(regency), InlineKeyboardMarkup(rows))


async def _desa_screen(services: Services, token: str, page: int) -> Screen | None:
    db = services.db
    ref = subscriptions.parse_token(token)
    if ref is None or ref.scope is not Scope.KECAMATAN:
        return None
    kecamatan = await regions.get_kecamatan(db, ref.code)
    found = None if kecamatan is None else page_of(await regions.desa_of(db, ref.code), page)
    if kecamatan is None or found is None:
        return None
    desa, pages = found
    buttons = [
        Topics(Origin.SUBSCRIBE, AreaRef(Scope.DESA, d.code).token, DEFAULT_BITS).button(d.display)
        for d in desa
    ]
    rows = with_nav(grid(buttons, 2), page, pages, lambda n: DesaPage(token, n), t.PAGES)
    whole = Topics(Origin.SUBSCRIBE, token, DEFAULT_BITS)
    rows.append([whole.button(t.whole_kecamatan_button(kecamatan.display))])
    rows.append([KecamatanList().button(texts.BACK)])
    return Screen(t.choose_desa(kecamatan.display, page, pages), InlineKeyboardMarkup(rows))


async def _back_from_topics(services: Services, area: Area, origin: Origin) -> ButtonData:
    """Where « Kembali leads from the topic toggles: the list the area was picked from."""
    if origin is Origin.PROFILE:
        return ShowProfile()
    if area.scope is Scope.KABUPATEN:
        return KecamatanList()
    if area.scope is Scope.KECAMATAN:
        return DesaPage(area.token, 0)
    assert area.kecamatan_code is not None  # a desa always lies in a kecamatan
    codes = [d.code for d in await regions.desa_of(services.db, area.kecamatan_code)]
    page = codes.index(area.code) // PER_PAGE if area.code in codes else 0
    return DesaPage(AreaRef(Scope.KECAMATAN, area.kecamatan_code).token, page)


async def _topics_screen(services: Services, area: Area, origin: Origin, bits: int) -> Screen:
    toggles = [
        Topics(origin, area.token, bits ^ topic.bit).button(
            t.topic_button(topic.label, bool(bits & topic.bit))
        )
        for topic in TOPICS
    ]
    back = await _back_from_topics(services, area, origin)
    rows = [*grid(toggles, 2), [Save(origin, area.token, bits).button(t.SAVE)]]
    return Screen(t.choose_topics(area), InlineKeyboardMarkup([*rows, [back.button(texts.BACK)]]))


def _labels(bits: int) -> list[str]:
    return [topic.label for topic in topics_in(bits)]


async def _profile_screen(services: Services, user_id: int) -> Screen:
    held = await subscriptions.of_person(services.db, user_id)
    rows = [
        [
            Topics(Origin.PROFILE, s.area.token, s.topics).button(t.edit_button(s.area)),
            Remove(s.area.token).button(t.remove_button(s.area)),
        ]
        for s in held
    ]
    rows.append([KecamatanList().button(t.ADD_AREA)])
    if held:
        digest = await subscriptions.weekly_digest(services.db, user_id)
        rows.append([Digest().button(jadwal.DIGEST_ON if digest else jadwal.DIGEST_OFF)])
    text = t.profile([(s.area, _labels(s.topics)) for s in held])
    return Screen(text, InlineKeyboardMarkup(rows))


def _after_saving(area: Area, bits: int, *, is_new: bool) -> Screen:
    keyboard = InlineKeyboardMarkup(
        [
            [Topics(Origin.PROFILE, area.token, bits).button(t.CHOOSE_TOPICS)],
            [KecamatanList().button(t.ADD_AREA), ShowProfile().button(t.SHOW_PROFILE)],
        ]
    )
    return Screen(t.saved(area, _labels(bits), is_new=is_new), keyboard)


def _confirm(yes: ButtonData, label: str, no: ButtonData) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[yes.button(label), no.button(t.CANCEL)]])


# --- commands ----------------------------------------------------------------------------


async def _reply(update: Update, screen: Screen) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(screen.text, reply_markup=screen.keyboard)


async def subscribe_command(update: Update, context: KimContext) -> None:
    """/langganan: the first step, the kecamatan list."""
    await _reply(update, await _kecamatan_screen(context.bot_data))


async def profile_command(update: Update, context: KimContext) -> None:
    """/profil: the person's subscriptions with change and remove buttons."""
    if update.effective_user is not None:
        await _reply(update, await _profile_screen(context.bot_data, update.effective_user.id))


async def stop_command(update: Update, context: KimContext) -> None:
    """/berhenti: ask before removing every subscription."""
    if update.effective_user is None:
        return
    held = await subscriptions.of_person(context.bot_data.db, update.effective_user.id)
    if not held:
        await _reply(update, Screen(t.NOTHING_TO_STOP))
        return
    keyboard = _confirm(Stop(confirmed=True), t.CONFIRM_STOP, Stop(confirmed=False))
    await _reply(update, Screen(t.ask_stop(len(held)), keyboard))


async def forget_command(update: Update, context: KimContext) -> None:
    """/hapusdata: ask before forgetting the person."""
    keyboard = _confirm(Forget(confirmed=True), t.CONFIRM_FORGET, Forget(confirmed=False))
    await _reply(update, Screen(t.ASK_FORGET, keyboard))


async def deep_link(update: Update, context: KimContext) -> None:
    """`/start d3514142011` from a poster: offer that area, or say the link is outdated."""
    user = update.effective_user
    if user is None or not context.args:
        return
    db = context.bot_data.db
    area = await subscriptions.area_of(db, context.args[0])
    if area is None:
        await _reply(update, Screen(t.LINK_NOT_VALID))
        return
    current = await subscriptions.topics_of(db, user_id=user.id, area_code=area.code)
    if current is not None:
        keyboard = InlineKeyboardMarkup(
            [
                [Topics(Origin.PROFILE, area.token, current).button(t.CHOOSE_TOPICS)],
                [ShowProfile().button(t.SHOW_PROFILE)],
            ]
        )
        await _reply(update, Screen(t.already_subscribed(area, _labels(current)), keyboard))
        return
    keyboard = _confirm(Accept(area.token), t.CONFIRM_SUBSCRIBE, Decline())
    await _reply(update, Screen(t.offer(area, _labels(DEFAULT_BITS)), keyboard))


async def private_only(update: Update, context: KimContext) -> None:
    """Subscriptions are personal: in a group the commands only point to the private chat."""
    await _reply(update, Screen(texts.PRIVATE_ONLY))


# --- buttons -----------------------------------------------------------------------------


async def _show(press: Press[D], screen: Screen | None) -> None:
    """The step's screen in place of the pressed message; None: the button is stale."""
    if screen is None:
        await stale_button(press.update, press.context)
    else:
        await press.edit(screen.text, screen.keyboard)


async def on_kecamatan_list(press: Press[KecamatanList]) -> None:
    await _show(press, await _kecamatan_screen(press.services))


async def on_desa_page(press: Press[DesaPage]) -> None:
    await _show(press, await _desa_screen(press.services, press.data.kecamatan, press.data.page))


async def on_topics(press: Press[Topics]) -> None:
    """A topic toggled: the same screen with that topic flipped."""
    services, data = press.services, press.data
    area = await subscriptions.area_of(services.db, data.area)
    if area is None or not valid_bits(data.bits):
        await _show(press, None)
        return
    await _show(press, await _topics_screen(services, area, data.origin, data.bits))


async def on_save(press: Press[Save]) -> None:
    """Save the area with the chosen topics; at least one topic is needed."""
    services, data = press.services, press.data
    area = await subscriptions.area_of(services.db, data.area)
    if area is None or not valid_bits(data.bits):
        await _show(press, None)
        return
    if data.bits == 0:
        await press.answer(t.NEED_TOPIC, alert=True)
        return
    is_new = await subscriptions.subscribe(
        services.db, user_id=press.user.id, area=area, topics=data.bits, now=services.clock.now()
    )
    await _show(press, _after_saving(area, data.bits, is_new=is_new))


async def on_accept(press: Press[Accept]) -> None:
    """A deep link's offer accepted: the area with the default topics, unless already held."""
    services = press.services
    area = await subscriptions.area_of(services.db, press.data.area)
    if area is None:
        await _show(press, None)
        return
    bits = await subscriptions.subscribe_if_absent(
        services.db, user_id=press.user.id, area=area, topics=DEFAULT_BITS, now=services.clock.now()
    )
    await _show(press, _after_saving(area, bits, is_new=True))


async def on_decline(press: Press[Decline]) -> None:
    await _show(press, Screen(t.NOT_SUBSCRIBED))


async def on_show_profile(press: Press[ShowProfile]) -> None:
    await _show(press, await _profile_screen(press.services, press.user.id))


async def on_digest(press: Press[Digest]) -> None:
    """The weekly digest switched; the toast says which way, the list shows it."""
    services = press.services
    on = await subscriptions.toggle_weekly_digest(services.db, press.user.id)
    await press.answer(jadwal.DIGEST_NOW_ON if on else jadwal.DIGEST_NOW_OFF)
    screen = await _profile_screen(services, press.user.id)
    await press.query.edit_message_text(screen.text, reply_markup=screen.keyboard)


async def on_remove(press: Press[Remove]) -> None:
    """One subscription removed from /profil."""
    services = press.services
    area = await subscriptions.area_of(services.db, press.data.area)
    if area is None or not await subscriptions.unsubscribe(
        services.db, user_id=press.user.id, area_code=area.code
    ):
        await _show(press, None)
        return
    await press.answer(t.removed(area))
    screen = await _profile_screen(services, press.user.id)
    await press.query.edit_message_text(screen.text, reply_markup=screen.keyboard)


async def on_stop(press: Press[Stop]) -> None:
    """/berhenti's confirm and cancel buttons."""
    if press.data.confirmed:
        await subscriptions.unsubscribe_all(press.services.db, user_id=press.user.id)
    await _show(press, Screen(t.STOPPED if press.data.confirmed else t.KEPT))


async def on_forget(press: Press[Forget]) -> None:
    """/hapusdata's confirm and cancel buttons.

    `access.remember_sender` has already recorded this tap (it runs first, in group -1), so
    forgetting now leaves nothing behind.
    """
    if not press.data.confirmed:
        await _show(press, Screen(t.NOT_FORGOTTEN))
        return
    services, user_id = press.services, press.user.id
    held = await people.roles_of(services.db, services.settings.admin_ids, user_id)
    await privacy.forget_person(services.db, user_id, services.clock.now())
    if held & {Role.OPERATOR, Role.VERIFIER}:
        after = await people.roles_of(services.db, services.settings.admin_ids, user_id)
        await menus.set_menu_for(press.context.bot, user_id, after)
    await _show(press, Screen(t.FORGOTTEN))


def register(app: KimApp) -> None:
    private = filters.ChatType.PRIVATE
    # Before handlers/start.py: a poster's /start <token> is answered here, not welcomed.
    app.add_handler(CommandHandler("start", deep_link, filters=private & DEEP_LINK))
    app.add_handler(CommandHandler("langganan", subscribe_command, filters=private))
    app.add_handler(CommandHandler("profil", profile_command, filters=private))
    app.add_handler(CommandHandler("berhenti", stop_command, filters=private))
    app.add_handler(CommandHandler("hapusdata", forget_command, filters=private))
    personal = ["langganan", "profil", "berhenti", "hapusdata"]
    app.add_handler(CommandHandler(personal, private_only, filters=~private))
    on_press(app, KecamatanList, on_kecamatan_list)
    on_press(app, DesaPage, on_desa_page)
    on_press(app, Topics, on_topics)
    on_press(app, Save, on_save)
    on_press(app, Accept, on_accept)
    on_press(app, Decline, on_decline)
    on_press(app, ShowProfile, on_show_profile)
    on_press(app, Digest, on_digest)
    on_press(app, Remove, on_remove)
    on_press(app, Stop, on_stop)
    on_press(app, Forget, on_forget)
