"""KIM groups: /daftarkim, /daftarforum and /infokim; the operators' decision (Setujui /
Tolak, /pendaftaran, in `handlers.kim_decisions`). The bot's membership and migrations are
`handlers.memberships`.

The bot runs with group privacy mode on, so in a group it only sees commands, replies to its
own messages and service messages. The KIM name is therefore asked with a selective
ForceReply prompt; the admin's reply to it reaches the bot. A prompt is remembered in the
chat's `chat_data` (in memory): after a restart a reply to an old prompt is answered with
"start again", and the buttons, whose data carry the whole state, keep working.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Chat, ForceReply, InlineKeyboardMarkup, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot import kim, regions, registrations
from bot.buttons import ButtonData
from bot.chats import ChatType
from bot.kim import Registration
from bot.registrations import request_forum, request_kim
from bot.services import KimApp, KimContext
from bot.texts import kim as t
from handlers.access import log_refusal, stale_button
from handlers.kim_decisions import decision_keyboard
from handlers.layout import grid, page_of, with_nav
from handlers.memberships import is_group_admin, tell_operators
from handlers.presses import Press, on_press
from handlers.prompts import answer_handlers

log = logging.getLogger(__name__)

PAGE_SIZE = 12
_PROMPTS_KEY = "kim_name_prompts"
# Commands of this module also answer in channels (as channel posts), to refuse them there.
_MESSAGES_AND_POSTS = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
_NAME_PROMPT = re.compile(re.escape(t.NAME_PROMPT_MARK))


# The registration flow's buttons: each carries the admin who started it (`starter`), the
# only one who may press it, and everything chosen so far.


@dataclass(frozen=True)
class DesaPage(ButtonData, prefix="kgk"):
    starter: int
    kecamatan: str
    page: int


@dataclass(frozen=True)
class PickDesa(ButtonData, prefix="kgd"):
    starter: int
    desa: str


@dataclass(frozen=True)
class DefaultName(ButtonData, prefix="kgn"):
    starter: int
    desa: str


@dataclass(frozen=True)
class BackToKecamatan(ButtonData, prefix="kgb"):
    starter: int


@dataclass(frozen=True)
class Cancel(ButtonData, prefix="kgx"):
    starter: int


@dataclass(frozen=True)
class ForumScope(ButtonData, prefix="kgf"):
    starter: int
    kecamatan: str | None  # None: the Forum KIM of the whole kabupaten


@dataclass(frozen=True)
class NamePrompt:
    """A ForceReply prompt waiting for the KIM name of `desa_code`."""

    starter_id: int
    desa_code: str
    choice_message_id: int


def _prompts(context: KimContext) -> dict[int, NamePrompt]:
    """Open name prompts of this chat by prompt message id."""
    if context.chat_data is None:
        return {}
    prompts: dict[int, NamePrompt] = context.chat_data.setdefault(_PROMPTS_KEY, {})
    return prompts


# --- /daftarkim and /daftarforum in the group ---------------------------------------------------


def _misplaced(chat: Chat, message: Message) -> str | None:
    """Why a registration command cannot be used here, if it cannot."""
    if chat.type == Chat.CHANNEL:
        return t.NOT_IN_CHANNEL
    if chat.type == Chat.PRIVATE:
        return t.GROUP_ONLY
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return t.ANONYMOUS_ADMIN
    return None


async def _admin_in_group(update: Update, context: KimContext, name: str) -> User | None:
    """The group admin using a registration command, or None after a refusal."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return None
    refusal = _misplaced(chat, message)
    if refusal is not None:
        await message.reply_text(refusal)
        return None
    services = context.bot_data
    if user is None or not await is_group_admin(context, chat.id, user.id):
        await log_refusal(context, user, f"/{name}", chat_id=chat.id)
        await message.reply_text(t.NOT_GROUP_ADMIN)
        return None
    existing = await kim.live_for_chat(services.db, chat.id)
    if existing is not None:
        await message.reply_text(t.already_registered(existing, services.settings.regency_name))
        return None
    return user


async def _kecamatan_keyboard(
    context: KimContext, starter: int, *, forum: bool = False
) -> InlineKeyboardMarkup:
    kecamatan = sorted(await regions.all_kecamatan(context.bot_data.db), key=lambda k: k.display)
    buttons = [
        ForumScope(starter, k.code).button(k.display)
        if forum
        else DesaPage(starter, k.code, 0).button(k.display)
        for k in kecamatan
    ]
    rows = grid(buttons, 3)
    if forum:
        rows.insert(0, [ForumScope(starter, None).button(t.WHOLE_KABUPATEN)])
    return InlineKeyboardMarkup([*rows, [Cancel(starter).button(t.CANCEL)]])


async def start_kim(update: Update, context: KimContext) -> None:
    """/daftarkim: a group admin starts registering the group as the KIM of a desa."""
    user = await _admin_in_group(update, context, "daftarkim")
    if user is not None and update.effective_message is not None:
        keyboard = await _kecamatan_keyboard(context, user.id)
        await update.effective_message.reply_text(t.PICK_KECAMATAN, reply_markup=keyboard)


async def start_forum(update: Update, context: KimContext) -> None:
    """/daftarforum: a group admin registers the group as a Forum KIM."""
    user = await _admin_in_group(update, context, "daftarforum")
    if user is not None and update.effective_message is not None:
        keyboard = await _kecamatan_keyboard(context, user.id, forum=True)
        await update.effective_message.reply_text(t.PICK_FORUM_SCOPE, reply_markup=keyboard)


async def _desa_page(
    context: KimContext, starter: int, kecamatan: regions.Kecamatan | None, page: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """One page of a kecamatan's desa; None for an unknown kecamatan or page."""
    if kecamatan is None:
        return None
    found = page_of(await regions.desa_of(context.bot_data.db, kecamatan.code), page, PAGE_SIZE)
    if found is None:
        return None
    shown, pages = found
    rows = grid([PickDesa(starter, d.code).button(d.display) for d in shown], 3)
    rows = with_nav(rows, page, pages, lambda n: DesaPage(starter, kecamatan.code, n), t.PAGES)
    rows.append(
        [BackToKecamatan(starter).button(t.BACK_TO_KECAMATAN), Cancel(starter).button(t.CANCEL)]
    )
    return t.pick_desa(kecamatan.display, page, pages), InlineKeyboardMarkup(rows)


async def _choice_message(press: Press[Any], starter: int) -> Message | None:
    """The flow's message in its group, when the presser is the admin who started it."""
    message = press.message
    if message is None or message.chat.type == Chat.PRIVATE:
        await stale_button(press.update, press.context)
        return None
    if press.user.id != starter:
        await press.answer(t.ONLY_STARTER, alert=True)
        return None
    return message


async def on_cancel(press: Press[Cancel]) -> None:
    message = await _choice_message(press, press.data.starter)
    if message is not None:
        await press.answer()
        await _drop_prompts(press.context, message)
        await message.edit_text(t.CANCELLED)


async def on_back(press: Press[BackToKecamatan]) -> None:
    if await _choice_message(press, press.data.starter) is not None:
        await press.edit(t.PICK_KECAMATAN, await _kecamatan_keyboard(press.context, press.user.id))


async def on_desa_page(press: Press[DesaPage]) -> None:
    if await _choice_message(press, press.data.starter) is None:
        return
    kecamatan = await regions.get_kecamatan(press.services.db, press.data.kecamatan)
    page = await _desa_page(press.context, press.user.id, kecamatan, press.data.page)
    if page is None:
        await stale_button(press.update, press.context)
        return
    await press.edit(*page)


async def _drop_prompts(context: KimContext, message: Message) -> None:
    """Forget (and delete) the name prompt that belongs to this choice message."""
    prompts = _prompts(context)
    for prompt_id, prompt in list(prompts.items()):
        if prompt.choice_message_id == message.message_id:
            del prompts[prompt_id]
            with contextlib.suppress(TelegramError):
                await context.bot.delete_message(message.chat.id, prompt_id)


async def on_desa(press: Press[PickDesa]) -> None:
    """Ask for the name: a ForceReply prompt, plus a button for the default name."""
    message = await _choice_message(press, press.data.starter)
    if message is None:
        return
    db, user = press.services.db, press.user
    desa = await regions.get_desa(db, press.data.desa)
    kecamatan = None if desa is None else await regions.get_kecamatan(db, desa.kecamatan_code)
    if desa is None or kecamatan is None:
        await stale_button(press.update, press.context)
        return
    default = kim.default_name(desa.name)
    keyboard = InlineKeyboardMarkup(
        [
            [DefaultName(user.id, desa.code).button(t.use_default_name(default))],
            [Cancel(user.id).button(t.CANCEL)],
        ]
    )
    await press.edit(t.desa_chosen(desa.display, kecamatan.display, default), keyboard)
    prompt = await press.context.bot.send_message(
        message.chat.id,
        t.name_prompt(user.mention_html()),
        reply_markup=ForceReply(selective=True, input_field_placeholder=t.NAME_PLACEHOLDER),
    )
    _prompts(press.context)[prompt.message_id] = NamePrompt(user.id, desa.code, message.message_id)


async def _submit(
    context: KimContext,
    chat: Chat,
    user: User,
    request: Callable[..., Awaitable[Registration]],
    **choice: str | None,
) -> str:
    """Re-check the admin, `request` the registration with the `choice` (the desa or
    kecamatan, and the name), ask the operators; the text for the group."""
    services = context.bot_data
    regency = services.settings.regency_name
    if not await is_group_admin(context, chat.id, user.id):
        return t.NOT_GROUP_ADMIN
    try:
        registration = await request(
            services.db,
            chat_id=chat.id,
            chat_type=ChatType(chat.type),
            chat_title=chat.title or "",
            requested_by=user.id,
            requested_by_name=user.full_name,
            now=services.clock.now(),
            **choice,
        )
    except registrations.AlreadyRegistered as exc:
        return t.already_registered(exc.existing, regency)
    except LookupError:
        return t.STALE_FLOW
    card = t.registration_card(registration, regency)
    await tell_operators(context, card, decision_keyboard(registration.id))
    return t.submitted(registration, regency)


async def on_default_name(press: Press[DefaultName]) -> None:
    message = await _choice_message(press, press.data.starter)
    if message is None:
        return
    desa = await regions.get_desa(press.services.db, press.data.desa)
    if desa is None:
        await stale_button(press.update, press.context)
        return
    await press.answer()
    name = kim.default_name(desa.name)
    text = await _submit(
        press.context, message.chat, press.user, request_kim, desa_code=desa.code, name=name
    )
    await _drop_prompts(press.context, message)
    await message.edit_text(text)


async def on_forum(press: Press[ForumScope]) -> None:
    message = await _choice_message(press, press.data.starter)
    if message is None:
        return
    services, code = press.services, press.data.kecamatan
    kecamatan = None if code is None else await regions.get_kecamatan(services.db, code)
    if code is not None and kecamatan is None:
        await stale_button(press.update, press.context)
        return
    await press.answer()
    name = kim.forum_name(services.settings.regency_name, kecamatan)
    text = await _submit(
        press.context, message.chat, press.user, request_forum, kecamatan_code=code, name=name
    )
    await message.edit_text(text)


async def name_reply(update: Update, context: KimContext) -> None:
    """The admin's reply with the KIM name completes the registration."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.reply_to_message is None:
        return
    prompts = _prompts(context)
    prompt = prompts.get(message.reply_to_message.message_id)
    if prompt is None:
        await message.reply_text(t.STALE_FLOW)
        return
    if user.id != prompt.starter_id:
        await message.reply_text(t.ONLY_STARTER_REPLY)
        return
    name = kim.clean_name(message.text or "")
    if name is None:
        await message.reply_text(t.NAME_INVALID)
        return
    text = await _submit(
        context, message.chat, user, request_kim, desa_code=prompt.desa_code, name=name
    )
    del prompts[message.reply_to_message.message_id]
    desa = await regions.get_desa(context.bot_data.db, prompt.desa_code)
    with contextlib.suppress(TelegramError):
        await context.bot.edit_message_text(
            t.name_taken(desa.display if desa else prompt.desa_code, name),
            chat_id=message.chat.id,
            message_id=prompt.choice_message_id,
        )
    await message.reply_text(text)


async def info(update: Update, context: KimContext) -> None:
    """/infokim: this group's registration, or how to register."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type in (Chat.PRIVATE, Chat.CHANNEL):
        await message.reply_text(t.GROUP_ONLY)
        return
    services = context.bot_data
    registration = await kim.live_for_chat(services.db, chat.id)
    if registration is None:
        await message.reply_text(t.NOT_REGISTERED)
        return
    await message.reply_text(t.info(registration, services.settings.regency_name))


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("daftarkim", start_kim, filters=_MESSAGES_AND_POSTS))
    app.add_handler(CommandHandler("daftarforum", start_forum, filters=_MESSAGES_AND_POSTS))
    app.add_handler(CommandHandler("infokim", info, filters=_MESSAGES_AND_POSTS))
    replies = filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _NAME_PROMPT, name_reply))
    on_press(app, DesaPage, on_desa_page)
    on_press(app, PickDesa, on_desa)
    on_press(app, DefaultName, on_default_name)
    on_press(app, BackToKecamatan, on_back)
    on_press(app, Cancel, on_cancel)
    on_press(app, ForumScope, on_forum)
