"""/lapor: anyone reports a suspected hoax, in private or by replying to it in a group.

In private the bot asks for the message (sent or forwarded), files it, gives the ticket and
asks in which kecamatan it circulates (`AreaChoice`, with no kecamatan for "Lewati").
In a group, `/lapor` as a reply reports the replied message with the group's registered
kecamatan; the group is told briefly, without naming the reporter, and the reporter is
written to privately, or, if they never started the bot, offered a deep link
(`/start lpr<report>`) to continue there. "📣 Laporkan" under a /cek answer
(`CheckedReport`) reports the checked message: /cek's answer quotes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import (
    Animation,
    Chat,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    PhotoSize,
    Update,
    User,
    Video,
    Voice,
)
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import kim, regions
from bot import reports as store
from bot.buttons import ButtonData
from bot.reports import Content, Filed, Kind, Refusal, Via, WarningRule
from bot.services import KimApp, KimContext
from bot.texts import lapor as t
from handlers import triage, waiting
from handlers.access import command, stale_button
from handlers.presses import Press, on_press

log = logging.getLogger(__name__)

_File = PhotoSize | Video | Animation | Document | Voice

DEEP_LINK = "lpr"
STEP = "lapor"  # the waiting step for the message to report
_REFUSALS = {
    Refusal.UNSUPPORTED: t.UNSUPPORTED,
    Refusal.TOO_LARGE: t.TOO_LARGE,
    Refusal.EMPTY: t.EMPTY,
}


@dataclass(frozen=True)
class AreaChoice(ButtonData, prefix="lp"):
    """Where the reported message circulates; no kecamatan: the reporter skipped."""

    report: int
    kecamatan: str | None


@dataclass(frozen=True)
class CheckedReport(
    ButtonData, prefix="lpc"
): ...  # "📣 Laporkan" under an answer quoting what to report


# --- reading a message ------------------------------------------------------------------------


def content_of(message: Message, *, text: str | None = None) -> Content | Refusal:
    """What a message reports; `text` replaces its own (the words after /lapor or /cek)."""
    own = message.text if message.text is not None else message.caption or ""
    words = own if text is None else text
    entities = message.entities or message.caption_entities
    links = tuple(e.url for e in entities if e.type == MessageEntity.TEXT_LINK and e.url)
    kind, file = (Kind.TEXT, None) if message.text is not None else _media(message)
    size = None if file is None else file.file_size
    length = message.voice.duration if kind is Kind.VOICE and message.voice else None
    duration = int(length.total_seconds()) if isinstance(length, timedelta) else length
    problem = store.refusal(kind, text=words, size=size, duration=duration)
    if problem is not None or kind is None:
        return problem or Refusal.UNSUPPORTED
    source, date = _origin(message)
    file_id, unique_id = (None, None) if file is None else (file.file_id, file.file_unique_id)
    return Content(kind, words.strip(), file_id, unique_id, links, source, date)


def _media(message: Message) -> tuple[Kind | None, _File | None]:
    """The kind and the file of a message that carries one we take (None, None: no such)."""
    for kind, file in (
        (Kind.PHOTO, message.photo[-1] if message.photo else None),  # the largest size
        (Kind.VIDEO, message.video or message.animation),
        (Kind.DOCUMENT, message.document),
        (Kind.VOICE, message.voice),
    ):
        if file is not None:
            return kind, file
    return None, None


def _origin(message: Message) -> tuple[str | None, datetime | None]:
    origin = message.forward_origin
    if origin is None:
        return None, None
    if isinstance(origin, MessageOriginUser):
        return t.origin("user", _name(origin.sender_user)), origin.date
    if isinstance(origin, MessageOriginHiddenUser):
        return t.origin("hidden_user", origin.sender_user_name), origin.date
    if isinstance(origin, MessageOriginChat):
        return t.origin("chat", origin.sender_chat.title or ""), origin.date
    if isinstance(origin, MessageOriginChannel):
        handle = f" (@{origin.chat.username})" if origin.chat.username else ""
        return t.origin("channel", (origin.chat.title or "") + handle), origin.date
    return None, origin.date


def typed(message: Message) -> str | None:
    """The words after the command, if any."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 and parts[1].strip() else None


def _name(user: User) -> str:
    return user.full_name + (f" (@{user.username})" if user.username else "")


async def _file(
    context: KimContext,
    user: User,
    content: Content,
    via: Via,
    *,
    group_chat_id: int | None = None,
    kecamatan_code: str | None = None,
) -> Filed | None:
    services = context.bot_data
    filed = await store.file_report(
        services.db,
        content,
        reporter_id=user.id,
        reporter_name=_name(user),
        via=via,
        now=services.clock.now(),
        per_hour=services.settings.reports_per_hour,
        rule=_rule(context),
        group_chat_id=group_chat_id,
        kecamatan_code=kecamatan_code,
    )
    if filed is not None:
        await triage.announce(context, filed)
    return filed


def _rule(context: KimContext) -> WarningRule:
    settings = context.bot_data.settings
    return WarningRule(settings.early_warning_reports, settings.early_warning_window)


async def _area_keyboard(context: KimContext, report_id: int) -> InlineKeyboardMarkup:
    buttons = [
        AreaChoice(report_id, k.code).button(k.display)
        for k in await regions.all_kecamatan(context.bot_data.db)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([AreaChoice(report_id, None).button(t.SKIP)])
    return InlineKeyboardMarkup(rows)


# --- in private -------------------------------------------------------------------------------


@command("lapor")
async def start_private(update: Update, context: KimContext) -> None:
    """/lapor with words or as a reply files at once; alone, it asks for the message."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    words = typed(message)
    source = message if words is not None else message.reply_to_message
    if source is not None:
        await _file_private(context, user, message, content_of(source, text=words))
        return
    services = context.bot_data
    per_hour = services.settings.reports_per_hour
    if not await store.may_report(services.db, user.id, services.clock.now(), per_hour):
        await message.reply_text(t.rate_limited(per_hour))
        return
    question = await message.reply_text(t.ASK_CONTENT)
    waiting.open_step(update, context, question, STEP)


async def receive(update: Update, context: KimContext) -> None:
    """The suspected message: file it, or say what can be reported and wait for another."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    content = content_of(message)
    if isinstance(content, Refusal):
        await message.reply_text(_REFUSALS[content])
        return
    waiting.close(update, context)
    await _file_private(context, user, message, content)


async def _file_private(
    context: KimContext, user: User, reply_to: Message, content: Content | Refusal
) -> None:
    """File a report made in private; the ticket and the kecamatan question answer `reply_to`."""
    if isinstance(content, Refusal):
        await reply_to.reply_text(_REFUSALS[content])
        return
    filed = await _file(context, user, content, Via.PRIVATE)
    if filed is None:
        await reply_to.reply_text(t.rate_limited(context.bot_data.settings.reports_per_hour))
        return
    await reply_to.reply_text(
        t.ask_area(filed.report.ticket), reply_markup=await _area_keyboard(context, filed.report.id)
    )


async def on_area(press: Press[AreaChoice]) -> None:
    """The kecamatan where the reported message circulates, or "Lewati"."""
    services, code = press.services, press.data.kecamatan
    kecamatan = None if code is None else await regions.get_kecamatan(services.db, code)
    answered = None
    if code is None or kecamatan is not None:
        answered = await store.set_area(
            services.db,
            press.data.report,
            reporter_id=press.user.id,
            kecamatan_code=code,
            now=services.clock.now(),
            rule=_rule(press.context),
        )
    if answered is None:
        await stale_button(press.update, press.context)
        return
    report, alerts = answered
    await press.edit(t.area_saved(report.ticket, None if kecamatan is None else kecamatan.display))
    await triage.send_alerts(press.context, alerts)


async def deep_link(update: Update, context: KimContext) -> None:
    """`/start lpr<report>` from a group's "Lanjut di chat pribadi" button."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not context.args:
        return
    number = context.args[0].removeprefix(DEEP_LINK)
    report = await store.get(context.bot_data.db, int(number)) if number.isdigit() else None
    if report is None or report.reporter_id != user.id:
        await message.reply_text(t.LINK_NOT_VALID)
        return
    keyboard = None if report.area_done else await _area_keyboard(context, report.id)
    await message.reply_text(
        t.continued_privately(report.ticket, None, ask_area=not report.area_done),
        reply_markup=keyboard,
    )


# --- in groups --------------------------------------------------------------------------------


async def report_in_group(update: Update, context: KimContext) -> None:
    """`/lapor` as a reply: report the replied message under the group's kecamatan."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    replied = message.reply_to_message
    if replied is None:
        await message.reply_text(t.GROUP_USAGE)
        return
    await _group_report(update, context, content_of(replied), replied)


async def _group_report(
    update: Update, context: KimContext, content: Content | Refusal, reported: Message
) -> None:
    """File a report from a group, tell the reporter privately if possible, confirm briefly
    in the group (a reply to the reported message, not to the reporter)."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    if isinstance(content, Refusal):
        await reported.reply_text(t.GROUP_UNSUPPORTED)
        return
    registration = await kim.live_for_chat(context.bot_data.db, chat.id)
    area = None if registration is None else registration.kecamatan_code
    filed = await _file(
        context, user, content, Via.GROUP, group_chat_id=chat.id, kecamatan_code=area
    )
    if filed is None:
        await reported.reply_text(t.GROUP_RATE_LIMITED)
        return
    report = filed.report
    try:
        await context.bot.send_message(
            user.id,
            t.continued_privately(report.ticket, chat.title, ask_area=area is None),
            reply_markup=None if area is not None else await _area_keyboard(context, report.id),
        )
        reachable = True
    except TelegramError as exc:  # never started the bot, or blocked it
        log.info("reporter of %s not reachable privately: %s", report.ticket, exc)
        reachable = False
    link = f"https://t.me/{context.bot.username}?start={DEEP_LINK}{report.id}"
    await reported.reply_text(
        t.group_received(report.ticket, reachable=reachable),
        reply_markup=None
        if reachable
        else InlineKeyboardMarkup([[InlineKeyboardButton(t.CONTINUE_PRIVATELY, url=link)]]),
    )


# --- "📣 Laporkan" under a /cek answer ---------------------------------------------------------


async def on_checked(press: Press[CheckedReport]) -> None:
    """Report the message a /cek answer quotes (the /cek text itself, or the replied one)."""
    answer = press.message
    source = None if answer is None else answer.reply_to_message
    command_text = source is not None and (source.text or "").startswith("/")
    words = typed(source) if source is not None and command_text else None
    if answer is None or source is None or (command_text and words is None):
        await press.answer(t.NOTHING_TO_REPORT, alert=True)
        return
    content = content_of(source, text=words)
    await press.answer()
    await answer.edit_reply_markup(None)
    if answer.chat.type == Chat.PRIVATE:
        await _file_private(press.context, press.user, answer, content)
    else:
        await _group_report(press.update, press.context, content, source)


def register(app: KimApp) -> None:
    private = filters.ChatType.PRIVATE
    # Before handlers/start.py: the group's "Lanjut di chat pribadi" link is answered here.
    link = filters.Regex(rf"^/start(@\w+)?\s+{DEEP_LINK}\d{{1,12}}\s*$")
    app.add_handler(CommandHandler("start", deep_link, filters=private & link))
    app.add_handler(CommandHandler("lapor", start_private, private))
    answer = private & ~filters.COMMAND & waiting.waiting_for(app, STEP)
    app.add_handler(MessageHandler(answer, receive))
    app.add_handler(CommandHandler("lapor", report_in_group, filters.ChatType.GROUPS))
    on_press(app, CheckedReport, on_checked)
    on_press(app, AreaChoice, on_area)
