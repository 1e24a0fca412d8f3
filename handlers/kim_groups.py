"""KIM groups: the bot joining and leaving groups, /daftarkim, /daftarforum, /infokim, the
operators' decision (Setujui / Tolak, /pendaftaran), and supergroup migration.

The bot runs with group privacy mode on, so in a group it only sees commands, replies to its
own messages and service messages. The KIM name is therefore asked with a selective
ForceReply prompt; the admin's reply to it reaches the bot. A prompt is remembered in the
chat's `chat_data` (in memory): after a restart a reply to an old prompt is answered with
"start again", and the buttons, whose data carry the whole state, keep working.

The bot's own membership (`my_chat_member`) is handled here for groups and private chats (a
person blocking or unblocking the bot) and in `handlers.channels` for channels; the two
handlers select disjoint chat types, since the first matching handler of a group wins.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass

from telegram import (
    Chat,
    ChatMember,
    ChatMemberRestricted,
    ChatMemberUpdated,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import audit, chats, kim, people, regions, registrations
from bot.chats import ChatType
from bot.people import OPERATORS
from bot.services import KimApp, KimContext
from bot.texts import kim as t
from handlers.access import Callback, command, requires, stale_button
from handlers.prompts import answer_handlers

log = logging.getLogger(__name__)

PREFIX = "kg:"
PAGE_SIZE = 12
_PROMPTS_KEY = "kim_name_prompts"
# Commands of this module also answer in channels (as channel posts), to refuse them there.
_MESSAGES_AND_POSTS = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
_DECISION = re.compile(r"kg:(ok|no):(\d{1,12})")
_FLOW = re.compile(r"kg:(kec|pg|desa|name|back|x|fs):(\d{1,20})((?::[0-9.a-z]{1,20}){0,2})")
_NAME_PROMPT = re.compile(re.escape(t.NAME_PROMPT_MARK))


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


# --- talking to operators and groups --------------------------------------------------------


async def tell_operators(
    context: KimContext, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> int:
    """Send to the operators' group, or to every operator and admin; returns how many got it.

    Someone who never started the bot cannot be written to; they see pending items with
    /pendaftaran and /kanal instead.
    """
    services = context.bot_data
    destinations = await kim.operator_destinations(
        services.db, services.settings.admin_ids, services.settings.operator_chat_id
    )
    delivered = 0
    for chat_id in destinations:
        try:
            await context.bot.send_message(chat_id, text, reply_markup=keyboard)
        except TelegramError as exc:
            log.warning("operator notice to %s not sent: %s", chat_id, exc)
        else:
            delivered += 1
    return delivered


async def post_to_chat(
    context: KimContext, chat_id: int, text: str, *, follow_migration: bool = True
) -> bool:
    """Send to a group or channel, following a supergroup migration (once) and recording a
    chat that is gone for good; False when the message could not be delivered."""
    services = context.bot_data
    try:
        await context.bot.send_message(chat_id, text)
        return True
    except ChatMigrated as exc:
        if not follow_migration:
            log.warning("chat %s migrated twice in a row; message dropped", chat_id)
            return False
        await chats.migrate(services.db, chat_id, exc.new_chat_id, services.clock.now())
        return await post_to_chat(context, exc.new_chat_id, text, follow_migration=False)
    except Forbidden as exc:
        await chats.mark_unreachable(services.db, chat_id, exc.message, services.clock.now())
    except BadRequest as exc:
        if "not found" in exc.message.lower():
            await chats.mark_unreachable(services.db, chat_id, exc.message, services.clock.now())
        log.warning("message to chat %s not sent: %s", chat_id, exc)
    return False


def decision_keyboard(registration_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t.APPROVE, callback_data=f"{PREFIX}ok:{registration_id}"),
                InlineKeyboardButton(t.REJECT, callback_data=f"{PREFIX}no:{registration_id}"),
            ]
        ]
    )


# --- the bot's own membership -----------------------------------------------------------------


def _present(member: ChatMember) -> bool:
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in (
        ChatMemberStatus.OWNER,
        ChatMemberStatus.ADMINISTRATOR,
        ChatMemberStatus.MEMBER,
    )


class BotMembershipHandler(ChatMemberHandler[KimContext, None]):
    """`my_chat_member` updates of some chat types only."""

    def __init__(self, callback: Callback, chat_types: frozenset[str]) -> None:
        super().__init__(callback, ChatMemberHandler.MY_CHAT_MEMBER)
        self.chat_types = chat_types

    def check_update(self, update: object) -> bool:
        return (
            super().check_update(update)
            and isinstance(update, Update)
            and update.my_chat_member is not None
            and update.my_chat_member.chat.type in self.chat_types
        )


async def bot_status_changed(update: Update, context: KimContext) -> None:
    """The bot was added to or removed from a group, or a person blocked or unblocked it."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == Chat.PRIVATE:
        await _private_status(context, change.from_user, change.new_chat_member)
    else:
        await _group_status(context, change)


async def _private_status(context: KimContext, user: User, new: ChatMember) -> None:
    """A person who blocks the bot cannot be reached until they unblock it or write again."""
    services = context.bot_data
    if new.status == ChatMemberStatus.BANNED:
        await people.set_reachable(services.db, user.id, False, services.clock.now())
    elif new.status == ChatMemberStatus.MEMBER:
        await people.set_reachable(services.db, user.id, True, services.clock.now())


async def _group_status(context: KimContext, change: ChatMemberUpdated) -> None:
    """Added: record, greet once per add. Removed: inactive, registration kept."""
    chat, actor = change.chat, change.from_user
    services = context.bot_data
    now = services.clock.now()
    was_present = _present(change.old_chat_member)
    if _present(change.new_chat_member):
        await chats.joined(
            services.db,
            chat_id=chat.id,
            chat_type=ChatType(chat.type),
            title=chat.title or "",
            bot_is_admin=change.new_chat_member.status == ChatMemberStatus.ADMINISTRATOR,
            added_by=None if was_present else actor.id,
            now=now,
        )
        if was_present or chat.id == services.settings.operator_chat_id:
            return  # promoted inside the group, or the office's own group: nothing to say
        live = await kim.live_for_chat(services.db, chat.id)
        settings = services.settings
        text = (
            t.group_welcome_back(live, settings.regency_name)
            if live is not None
            else t.group_greeting(settings.organization_name)
        )
        await post_to_chat(context, chat.id, text)
        return
    banned = change.new_chat_member.status == ChatMemberStatus.BANNED
    changed = await chats.mark_inactive(
        services.db, chat.id, "dikeluarkan" if banned else "keluar", now, actor_id=actor.id
    )
    live = await kim.live_for_chat(services.db, chat.id)
    if changed and live is not None:
        await tell_operators(
            context, t.group_left(live, services.settings.regency_name, chat.title or "")
        )


async def retitled(update: Update, context: KimContext) -> None:
    """Keep the title operators read in cards and lists current."""
    message = update.effective_message
    if message is None or message.new_chat_title is None:
        return
    services = context.bot_data
    await chats.retitle(services.db, message.chat.id, message.new_chat_title, services.clock.now())


async def migrated(update: Update, context: KimContext) -> None:
    """A basic group became a supergroup: its chat row and registration follow the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = context.bot_data
    await chats.migrate(services.db, old_id, new_id, services.clock.now())
    if old_id in context.application.chat_data:
        context.application.migrate_chat_data(old_chat_id=old_id, new_chat_id=new_id)


# --- /daftarkim and /daftarforum in the group ---------------------------------------------------


async def _is_group_admin(context: KimContext, chat_id: int, user_id: int) -> bool:
    """Asked from Telegram at the moment of use, never trusted from the message."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("admin check in %s failed: %s", chat_id, exc)
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def _admin_in_group(
    update: Update, context: KimContext, name: str
) -> tuple[Message, Chat, User] | None:
    """The message, group and admin for a registration command, or None after a refusal."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None:
        return None
    if chat.type == Chat.CHANNEL:
        await message.reply_text(t.NOT_IN_CHANNEL)
        return None
    if chat.type == Chat.PRIVATE:
        await message.reply_text(t.GROUP_ONLY)
        return None
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        await message.reply_text(t.ANONYMOUS_ADMIN)
        return None
    services = context.bot_data
    if user is None or not await _is_group_admin(context, chat.id, user.id):
        await audit.log(
            services.db,
            at=services.clock.now(),
            actor_id=None if user is None else user.id,
            action="access.denied",
            object_type="command",
            object_id=f"/{name}",
            detail={"chat_id": chat.id},
        )
        await message.reply_text(t.NOT_GROUP_ADMIN)
        return None
    existing = await kim.live_for_chat(services.db, chat.id)
    if existing is not None:
        await message.reply_text(t.already_registered(existing, services.settings.regency_name))
        return None
    return message, chat, user


def _rows(buttons: list[InlineKeyboardButton], width: int = 3) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _cancel_row(starter: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t.CANCEL, callback_data=f"{PREFIX}x:{starter}")]


async def _kecamatan_keyboard(context: KimContext, starter: int, op: str) -> InlineKeyboardMarkup:
    kecamatan = sorted(await regions.all_kecamatan(context.bot_data.db), key=lambda k: k.display)
    buttons = [
        InlineKeyboardButton(k.display, callback_data=f"{PREFIX}{op}:{starter}:{k.code}")
        for k in kecamatan
    ]
    rows = _rows(buttons)
    if op == "fs":
        whole = f"{PREFIX}fs:{starter}:all"
        rows.insert(0, [InlineKeyboardButton(t.WHOLE_KABUPATEN, callback_data=whole)])
    return InlineKeyboardMarkup([*rows, _cancel_row(starter)])


async def start_kim(update: Update, context: KimContext) -> None:
    """/daftarkim: a group admin starts registering the group as the KIM of a desa."""
    found = await _admin_in_group(update, context, "daftarkim")
    if found is None:
        return
    message, _, user = found
    keyboard = await _kecamatan_keyboard(context, user.id, "kec")
    await message.reply_text(t.PICK_KECAMATAN, reply_markup=keyboard)


async def start_forum(update: Update, context: KimContext) -> None:
    """/daftarforum: a group admin registers the group as a Forum KIM."""
    found = await _admin_in_group(update, context, "daftarforum")
    if found is None:
        return
    message, _, user = found
    keyboard = await _kecamatan_keyboard(context, user.id, "fs")
    await message.reply_text(t.PICK_FORUM_SCOPE, reply_markup=keyboard)


async def _desa_page(
    context: KimContext, starter: int, kecamatan: regions.Kecamatan | None, page: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """One page of a kecamatan's desa; None for an unknown kecamatan or page."""
    if kecamatan is None:
        return None
    desa = await regions.desa_of(context.bot_data.db, kecamatan.code)
    pages = max(1, -(-len(desa) // PAGE_SIZE))
    if not 0 <= page < pages:
        return None
    shown = desa[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = _rows(
        [
            InlineKeyboardButton(d.display, callback_data=f"{PREFIX}desa:{starter}:{d.code}")
            for d in shown
        ]
    )
    nav = []
    if page > 0:
        data = f"{PREFIX}pg:{starter}:{kecamatan.code}:{page - 1}"
        nav.append(InlineKeyboardButton(t.PREVIOUS_PAGE, callback_data=data))
    if page + 1 < pages:
        data = f"{PREFIX}pg:{starter}:{kecamatan.code}:{page + 1}"
        nav.append(InlineKeyboardButton(t.NEXT_PAGE, callback_data=data))
    if nav:
        rows.append(nav)
    back = InlineKeyboardButton(t.BACK_TO_KECAMATAN, callback_data=f"{PREFIX}back:{starter}")
    rows.append([back, *_cancel_row(starter)])
    return t.pick_desa(kecamatan.display, page, pages), InlineKeyboardMarkup(rows)


async def flow_button(update: Update, context: KimContext) -> None:
    """Every button of a registration in progress; only the admin who started it may press."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    match = _FLOW.fullmatch(query.data)
    message = query.message
    if match is None or not isinstance(message, Message) or message.chat.type == Chat.PRIVATE:
        await stale_button(update, context)
        return
    op, starter, args = match[1], int(match[2]), match[3].split(":")[1:]
    if user.id != starter:
        await query.answer(t.ONLY_STARTER, show_alert=True)
        return
    db = context.bot_data.db
    if op == "x" and not args:
        await query.answer()
        await _drop_prompts(context, message)
        await message.edit_text(t.CANCELLED)
    elif op == "back" and not args:
        await query.answer()
        keyboard = await _kecamatan_keyboard(context, starter, "kec")
        await message.edit_text(t.PICK_KECAMATAN, reply_markup=keyboard)
    elif (op == "kec" and len(args) == 1) or (op == "pg" and len(args) == 2):
        number = args[1] if op == "pg" else "0"
        index = int(number) if number.isdigit() else -1  # -1: no such page, answered as stale
        kecamatan = await regions.get_kecamatan(db, args[0])
        page = await _desa_page(context, starter, kecamatan, index)
        if page is None:
            await stale_button(update, context)
            return
        await query.answer()
        await message.edit_text(page[0], reply_markup=page[1])
    elif op == "desa" and len(args) == 1:
        await _desa_chosen(update, context, message, user, args[0])
    elif op == "name" and len(args) == 1:
        await _default_name(update, context, message, user, args[0])
    elif op == "fs" and len(args) == 1:
        await _forum_chosen(update, context, message, user, args[0])
    else:
        await stale_button(update, context)


async def _drop_prompts(context: KimContext, message: Message) -> None:
    """Forget (and delete) the name prompt that belongs to this choice message."""
    prompts = _prompts(context)
    for prompt_id, prompt in list(prompts.items()):
        if prompt.choice_message_id == message.message_id:
            del prompts[prompt_id]
            with contextlib.suppress(TelegramError):
                await context.bot.delete_message(message.chat.id, prompt_id)


async def _desa_chosen(
    update: Update, context: KimContext, message: Message, user: User, desa_code: str
) -> None:
    """Ask for the name: a ForceReply prompt, plus a button for the default name."""
    query = update.callback_query
    assert query is not None  # only called for a button
    db = context.bot_data.db
    desa = await regions.get_desa(db, desa_code)
    kecamatan = None if desa is None else await regions.get_kecamatan(db, desa.kecamatan_code)
    if desa is None or kecamatan is None:
        await stale_button(update, context)
        return
    await query.answer()
    default = kim.default_name(desa.name)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.use_default_name(default),
                    callback_data=f"{PREFIX}name:{user.id}:{desa.code}",
                )
            ],
            _cancel_row(user.id),
        ]
    )
    await message.edit_text(
        t.desa_chosen(desa.display, kecamatan.display, default), reply_markup=keyboard
    )
    prompt = await context.bot.send_message(
        message.chat.id,
        t.name_prompt(user.mention_html()),
        reply_markup=ForceReply(selective=True, input_field_placeholder=t.NAME_PLACEHOLDER),
    )
    _prompts(context)[prompt.message_id] = NamePrompt(user.id, desa.code, message.message_id)


async def _submit_kim(
    context: KimContext, chat: Chat, user: User, desa_code: str, name: str
) -> str:
    """Re-check the admin, record the request, ask the operators; the text for the group."""
    services = context.bot_data
    regency = services.settings.regency_name
    if not await _is_group_admin(context, chat.id, user.id):
        return t.NOT_GROUP_ADMIN
    try:
        registration = await registrations.request_kim(
            services.db,
            chat_id=chat.id,
            chat_type=ChatType(chat.type),
            chat_title=chat.title or "",
            desa_code=desa_code,
            name=name,
            requested_by=user.id,
            requested_by_name=user.full_name,
            now=services.clock.now(),
        )
    except registrations.AlreadyRegistered as exc:
        return t.already_registered(exc.existing, regency)
    except LookupError:
        return t.STALE_FLOW
    await tell_operators(
        context, t.registration_card(registration, regency), decision_keyboard(registration.id)
    )
    return t.submitted(registration, regency)


async def _default_name(
    update: Update, context: KimContext, message: Message, user: User, desa_code: str
) -> None:
    query = update.callback_query
    assert query is not None  # only called for a button
    desa = await regions.get_desa(context.bot_data.db, desa_code)
    if desa is None:
        await stale_button(update, context)
        return
    await query.answer()
    text = await _submit_kim(context, message.chat, user, desa.code, kim.default_name(desa.name))
    await _drop_prompts(context, message)
    await message.edit_text(text)


async def _forum_chosen(
    update: Update, context: KimContext, message: Message, user: User, scope: str
) -> None:
    query = update.callback_query
    assert query is not None  # only called for a button
    services = context.bot_data
    regency = services.settings.regency_name
    kecamatan = None if scope == "all" else await regions.get_kecamatan(services.db, scope)
    if scope != "all" and kecamatan is None:
        await stale_button(update, context)
        return
    await query.answer()
    chat = message.chat
    if not await _is_group_admin(context, chat.id, user.id):
        await message.edit_text(t.NOT_GROUP_ADMIN)
        return
    name = f"Forum KIM {regency}" if kecamatan is None else f"Forum KIM {kecamatan.display}"
    try:
        registration = await registrations.request_forum(
            services.db,
            chat_id=chat.id,
            chat_type=ChatType(chat.type),
            chat_title=chat.title or "",
            kecamatan_code=None if kecamatan is None else kecamatan.code,
            name=name,
            requested_by=user.id,
            requested_by_name=user.full_name,
            now=services.clock.now(),
        )
    except registrations.AlreadyRegistered as exc:
        await message.edit_text(t.already_registered(exc.existing, regency))
        return
    await tell_operators(
        context, t.registration_card(registration, regency), decision_keyboard(registration.id)
    )
    await message.edit_text(t.submitted(registration, regency))


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
    text = await _submit_kim(context, message.chat, user, prompt.desa_code, name)
    del prompts[message.reply_to_message.message_id]
    desa = await regions.get_desa(context.bot_data.db, prompt.desa_code)
    with contextlib.suppress(TelegramError):
        await context.bot.edit_message_text(
            t.name_taken(desa.display if desa else prompt.desa_code, name),
            chat_id=message.chat.id,
            message_id=prompt.choice_message_id,
        )
    await message.reply_text(text)


# --- /infokim --------------------------------------------------------------------------------


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


# --- operators decide ----------------------------------------------------------------------------


@requires(OPERATORS, "registrations.decide")
async def decide(update: Update, context: KimContext) -> None:
    """Setujui / Tolak: the first decision counts; the group is told the outcome."""
    query = update.callback_query
    actor = update.effective_user
    if query is None or query.data is None or actor is None:
        return
    match = _DECISION.fullmatch(query.data)
    services = context.bot_data
    decision = (
        None
        if match is None
        else await registrations.decide(
            services.db,
            int(match[2]),
            approve=match[1] == "ok",
            actor_id=actor.id,
            now=services.clock.now(),
        )
    )
    if decision is None:
        await stale_button(update, context)
        return
    registration = decision.registration
    regency = services.settings.regency_name
    card = t.registration_card(registration, regency)
    if not decision.changed:
        await query.answer(t.ALREADY_DECIDED, show_alert=True)
        with contextlib.suppress(BadRequest):
            await query.edit_message_text(card + t.decided_note(registration))
        return
    approved = registration.status == kim.Status.APPROVED
    await query.answer(t.APPROVED_ANSWER if approved else t.REJECTED_ANSWER)
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(card + t.decided_note(registration, actor.full_name))
    outcome = t.group_approved if approved else t.group_rejected
    await post_to_chat(context, registration.chat_id, outcome(registration, regency))


@command("pendaftaran")
async def list_pending(update: Update, context: KimContext) -> None:
    """/pendaftaran: the waiting registrations, each with its Setujui / Tolak buttons."""
    message = update.effective_message
    if message is None:
        return
    services = context.bot_data
    total = await kim.count_pending(services.db)
    if total == 0:
        await message.reply_text(t.NO_PENDING)
        return
    shown = await kim.pending(services.db, limit=10)
    await message.reply_text(t.pending_header(total, len(shown)))
    regency = services.settings.regency_name
    for registration in shown:
        await message.reply_text(
            t.registration_card(registration, regency),
            reply_markup=decision_keyboard(registration.id),
        )


def register(app: KimApp) -> None:
    """Add this module's handlers."""
    app.add_handler(
        BotMembershipHandler(
            bot_status_changed, frozenset({Chat.PRIVATE, Chat.GROUP, Chat.SUPERGROUP})
        )
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_TITLE, retitled))
    app.add_handler(CommandHandler("daftarkim", start_kim, filters=_MESSAGES_AND_POSTS))
    app.add_handler(CommandHandler("daftarforum", start_forum, filters=_MESSAGES_AND_POSTS))
    app.add_handler(CommandHandler("infokim", info, filters=_MESSAGES_AND_POSTS))
    app.add_handler(CommandHandler("pendaftaran", list_pending))
    replies = filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _NAME_PROMPT, name_reply))
    app.add_handler(CallbackQueryHandler(decide, pattern=r"^kg:(ok|no):"))
    app.add_handler(CallbackQueryHandler(flow_button, pattern=f"^{PREFIX}"))
