"""Operators triage hoax reports: new-case notices and early warnings, /antrian, the verdict
(button → explanation → optional link), answering every reporter, and the clarification.

Buttons carry the case id (`tr:<case>:<step>[:<arg>]`) and every press re-reads the case,
so a button of a case that was decided or merged meanwhile changes nothing. The explanation
and the link are typed as replies to the bot's own prompts, which name the case (and the
verdict), the same way /siaran's rejection reason is asked: in the operators' group the bot
sees replies to its messages even with privacy mode on.

Reporters are named in the case panel only in a private chat with an operator, never in the
operators' group or anywhere else.
"""

from __future__ import annotations

import logging
import re

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import cases, kim, texts
from bot.cases import Case
from bot.hoax_search import search
from bot.hoaxes import Verdict
from bot.people import OPERATORS
from bot.reports import Alert, Filed, Kind, Report
from bot.services import KimApp, KimContext
from bot.texts import lapor as t
from broadcasts import announcements
from broadcasts.announcements import Status
from broadcasts.content import Body
from broadcasts.content import Kind as BodyKind
from broadcasts.targets import Targets, Urgency
from handlers import broadcast_compose
from handlers.access import command, requires, stale_button
from handlers.prompts import answer_handlers

log = logging.getLogger(__name__)

PREFIX = "tr:"
QUEUE_SIZE = 10
DUPLICATE_CHOICES = 12
EXPLANATION_LIMIT = 1500
LINK_LIMIT = 500
VERDICT_CODES: dict[str, Verdict] = {
    "h": Verdict.HOAKS,
    "d": Verdict.DISINFORMASI,
    "m": Verdict.MISINFORMASI,
    "f": Verdict.FAKTA,
    "u": Verdict.TIDAK_DAPAT_DIVERIFIKASI,
}
_CODE_OF = {verdict: code for code, verdict in VERDICT_CODES.items()}
_DATA = re.compile(r"tr:(\d{1,12}):(o|v|d|m|b|s|k)(?::([a-z]|\d{1,12}))?")
_EXPLAIN = re.compile(t.EXPLAIN_PATTERN)
_LINK = re.compile(t.LINK_PATTERN)
_URL = re.compile(r"https?://\S+")


def _button(label: str, case_id: int, step: str, arg: object = None) -> InlineKeyboardButton:
    suffix = "" if arg is None else f":{arg}"
    return InlineKeyboardButton(label, callback_data=f"{PREFIX}{case_id}:{step}{suffix}")


# --- telling operators ---------------------------------------------------------------------


async def _send_to_operators(
    context: KimContext, text: str, case: Case | None = None, *, with_open: bool = False
) -> None:
    """To the operators' group, or to every operator and admin privately; a case with a
    picture or file is sent as that media with the text as caption."""
    services = context.bot_data
    keyboard = (
        InlineKeyboardMarkup([[_button(t.OPEN_CASE, case.id, "o")]])
        if case is not None and with_open
        else None
    )
    for chat_id in await kim.operator_destinations(
        services.db, services.settings.admin_ids, services.settings.operator_chat_id
    ):
        try:
            if case is not None and case.file_id:
                await _send_media(context, chat_id, case.kind, case.file_id, text, keyboard)
            else:
                await context.bot.send_message(chat_id, text, reply_markup=keyboard)
        except TelegramError as exc:  # someone who never opened the bot
            log.warning("operator notice to %s not sent: %s", chat_id, exc)


async def _send_media(
    context: KimContext,
    chat_id: int,
    kind: Kind,
    file_id: str,
    caption: str | None,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    bot = context.bot
    if kind is Kind.PHOTO:
        await bot.send_photo(chat_id, file_id, caption=caption, reply_markup=keyboard)
    elif kind is Kind.VIDEO:
        await bot.send_video(chat_id, file_id, caption=caption, reply_markup=keyboard)
    elif kind is Kind.VOICE:
        await bot.send_voice(chat_id, file_id, caption=caption, reply_markup=keyboard)
    else:
        await bot.send_document(chat_id, file_id, caption=caption, reply_markup=keyboard)


async def announce(context: KimContext, filed: Filed) -> None:
    """A report was filed: operators hear of a new case, and of any early warning."""
    if filed.new_case:
        case = await cases.get(context.bot_data.db, filed.report.case_id)
        if case is not None:
            text = t.new_case(
                case.number, case.kind, case.text, case.origins, case.reports, case.areas
            )
            await _send_to_operators(context, text, case, with_open=True)
    await send_alerts(context, filed.alerts)


async def send_alerts(context: KimContext, alerts: tuple[Alert, ...]) -> None:
    for alert in alerts:
        numbers = [f"#{case_id}" for case_id in alert.case_ids]
        await _send_to_operators(
            context, t.alert(numbers, alert.reports, alert.areas, alert.kecamatan)
        )


# --- /antrian ---------------------------------------------------------------------------------


async def _entry(context: KimContext, case: Case) -> str:
    matches = await search(context.bot_data.db, case.text, limit=2) if case.text else []
    return t.queue_entry(
        case.number,
        case.kind,
        case.text,
        case.reports,
        case.areas,
        [(m.entry.claim, m.score) for m in matches],
    )


@command("antrian")
async def show_queue(update: Update, context: KimContext) -> None:
    """Open cases, most-reported first, with their closest registry entries."""
    message = update.effective_message
    if message is None:
        return
    db = context.bot_data.db
    found = await cases.open_cases(db, limit=QUEUE_SIZE)
    if not found:
        await message.reply_text(t.EMPTY_QUEUE)
        return
    entries = [await _entry(context, case) for case in found]
    buttons = [_button(t.case_button(c.number, c.reports), c.id, "o") for c in found]
    await message.reply_text(
        t.queue(entries, await cases.count_open(db)),
        reply_markup=InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)]),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


async def _panel(
    context: KimContext, case: Case, *, private: bool
) -> tuple[str, InlineKeyboardMarkup]:
    names = await cases.reporters(context.bot_data.db, case.id) if private else None
    pending = None if case.pending_verdict is None else t.VERDICT_NAMES[case.pending_verdict]
    text = t.case_panel(
        await _entry(context, case),
        first_reported=case.first_reported_at,
        origins=case.origins,
        reporters=names,
        pending=pending,
    )
    labels = [(t.VERDICT_NAMES[v], code) for code, v in VERDICT_CODES.items()]
    rows = [
        [_button(labels[0][0], case.id, "v", "h"), _button(labels[1][0], case.id, "v", "d")],
        [_button(labels[2][0], case.id, "v", "m"), _button(labels[3][0], case.id, "v", "f")],
        [_button(labels[4][0], case.id, "v", "u")],
        [_button(t.DUPLICATE, case.id, "d")],
    ]
    return text, InlineKeyboardMarkup(rows)


# --- buttons ------------------------------------------------------------------------------------


@requires(OPERATORS, "antrian.button")
async def on_button(update: Update, context: KimContext) -> None:
    """Every triage button; the case is re-read and must still be in the right state."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    match = _DATA.fullmatch(query.data)
    case = None if match is None else await cases.get(context.bot_data.db, int(match.group(1)))
    if match is None or case is None or query.message is None:
        await stale_button(update, context)
        return
    step, arg = match.group(2), match.group(3)
    chat = query.message.chat
    if step == "k":
        await _clarify(update, context, case)
        return
    if not case.is_open:
        await query.answer(t.CASE_CLOSED, show_alert=True)
        return
    if step == "o" and arg is None:
        await query.answer()
        if case.file_id:
            await _send_media(context, chat.id, case.kind, case.file_id, None)
        text, keyboard = await _panel(context, case, private=chat.type == chat.PRIVATE)
        await context.bot.send_message(
            chat.id,
            text,
            reply_markup=keyboard,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    elif step == "v" and arg in VERDICT_CODES:
        await query.answer()
        await context.bot.send_message(
            chat.id,
            t.ask_explanation(case.number, VERDICT_CODES[arg]),
            reply_markup=ForceReply(selective=True, input_field_placeholder="Penjelasan"),
        )
    elif step == "d" and arg is None:
        others = [
            c for c in await cases.open_cases(context.bot_data.db, limit=50) if c.id != case.id
        ]
        if not others:
            await query.answer(t.NO_OTHER_CASES, show_alert=True)
            return
        buttons = [
            _button(t.case_button(o.number, o.reports), case.id, "m", o.id)
            for o in others[:DUPLICATE_CHOICES]
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([_button(texts.BACK, case.id, "b")])
        await query.answer()
        await query.edit_message_text(
            t.pick_duplicate(case.number), reply_markup=InlineKeyboardMarkup(rows)
        )
    elif step == "m" and arg is not None and arg.isdigit():
        await _merge(update, context, case, int(arg))
    elif step == "b" and arg is None:
        await query.answer()
        text, keyboard = await _panel(context, case, private=chat.type == chat.PRIVATE)
        await query.edit_message_text(
            text, reply_markup=keyboard, link_preview_options=LinkPreviewOptions(is_disabled=True)
        )
    elif step == "s" and arg is None:
        if case.pending_verdict is None:
            await stale_button(update, context)
            return
        await query.answer()
        await query.edit_message_reply_markup(None)
        await _decide(context, chat.id, case.id, "", user.id)
    else:
        await stale_button(update, context)


async def _merge(update: Update, context: KimContext, case: Case, into: int) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    services = context.bot_data
    count = await cases.merge(
        services.db, case.id, into=into, actor_id=user.id, now=services.clock.now()
    )
    if count is None:
        await stale_button(update, context)
        return
    await query.answer()
    await query.edit_message_text(t.merged(case.number, f"#{into}", count))


# --- explanation and link -----------------------------------------------------------------------


@requires(OPERATORS, "antrian.verdict")
async def on_explanation(update: Update, context: KimContext) -> None:
    """The explanation for the verdict named in the prompt; then ask for the link."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    match = _EXPLAIN.match(message.reply_to_message.text or "")
    verdict = None if match is None else t.verdict_named(match.group(2))
    assert match is not None and verdict is not None  # answer_handlers guarantees it
    explanation = (message.text or "").strip()[:EXPLANATION_LIMIT]
    if not explanation:
        await message.reply_text(t.EMPTY_EXPLANATION)
        return
    case_id = int(match.group(1))
    if not await cases.set_explanation(
        context.bot_data.db, case_id, verdict=verdict, explanation=explanation, actor_id=user.id
    ):
        await message.reply_text(t.CASE_CLOSED)
        return
    await message.reply_text(
        t.ask_link(f"#{case_id}"),
        reply_markup=InlineKeyboardMarkup([[_button(t.SKIP, case_id, "s")]]),
    )


@requires(OPERATORS, "antrian.verdict")
async def on_link(update: Update, context: KimContext) -> None:
    """The reference link: the verdict is decided with it."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    match = _LINK.match(message.reply_to_message.text or "")
    assert match is not None  # answer_handlers guarantees it
    link = (message.text or "").strip()
    if not _URL.fullmatch(link) or len(link) > LINK_LIMIT:
        await message.reply_text(t.BAD_LINK)
        return
    await _decide(context, message.chat.id, int(match.group(1)), link, user.id)


async def _decide(
    context: KimContext, chat_id: int, case_id: int, link: str, actor_id: int
) -> None:
    """Decide, owe every reporter their answer, and offer a clarification where it fits.

    The answers go out through the dispatcher, paced like a broadcast (a case may have
    hundreds of reporters): the operator hears back at once."""
    services = context.bot_data

    def tell(report: Report, verdict: Verdict, explanation: str) -> str:
        return t.verdict_for_reporter(report.ticket, verdict, explanation, link)

    decision = await cases.decide(
        services.db,
        case_id,
        reference_url=link,
        actor_id=actor_id,
        now=services.clock.now(),
        tell=tell,
    )
    if decision is None:
        await context.bot.send_message(chat_id, t.CASE_CLOSED)
        return
    services.delivery.wake()
    case = decision.case
    assert case.verdict is not None
    reachable = sum(report.reporter_id is not None for report in decision.reports)
    keyboard = (
        InlineKeyboardMarkup([[_button(t.CLARIFY, case.id, "k")]])
        if case.verdict in cases.CLARIFY
        else None
    )
    await context.bot.send_message(
        chat_id,
        t.decided(case.number, case.verdict, reachable, len(decision.reports)),
        reply_markup=keyboard,
    )


# --- the clarification ------------------------------------------------------------------------


async def _clarify(update: Update, context: KimContext, case: Case) -> None:
    """Draft a clarification to the case's kecamatan (or the whole kabupaten) and show
    /siaran's own targets panel: the operator previews, submits, a verifier approves."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.message is not None and user is not None
    if case.status != "decided" or case.verdict not in cases.CLARIFY:
        await stale_button(update, context)
        return
    services = context.bot_data
    replacing: int | None = None
    if case.clarification_id is not None:
        existing = await announcements.get(services.db, case.clarification_id)
        if (
            existing is not None
            and existing.status is Status.DRAFT
            and existing.author_id == user.id
        ):
            await query.answer()
            await _show_targets(context, query.message.chat.id, existing.id)
            return
        if existing is None or existing.status not in (Status.CANCELLED, Status.REJECTED):
            await query.answer(t.CLARIFICATION_EXISTS, show_alert=True)
            return
        replacing = existing.id
    assert case.verdict is not None
    now = services.clock.now()
    body = Body(
        BodyKind.TEXT,
        t.clarification_body(case.text, case.verdict, case.explanation, case.reference_url),
    )
    draft_id = await announcements.create_draft(services.db, author_id=user.id, body=body, now=now)
    targets = (
        Targets(kecamatan=case.kecamatan_codes) if case.kecamatan_codes else Targets(kabupaten=True)
    )
    await announcements.update_draft(
        services.db, draft_id, topic="klarifikasi", urgency=Urgency.PENTING, targets=targets
    )
    if not await cases.attach_clarification(services.db, case.id, draft_id, replacing=replacing):
        await announcements.cancel(services.db, draft_id, actor_id=user.id, now=now)
        await query.answer(t.CLARIFICATION_EXISTS, show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _show_targets(context, query.message.chat.id, draft_id)


async def _show_targets(context: KimContext, chat_id: int, draft_id: int) -> None:
    draft = await announcements.get(context.bot_data.db, draft_id)
    assert draft is not None
    text, keyboard = await broadcast_compose.targets_panel(context.bot_data.db, draft)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)


def register(app: KimApp) -> None:
    where: filters.BaseFilter = filters.ChatType.PRIVATE
    operator_chat = app.bot_data.settings.operator_chat_id
    if operator_chat is not None:
        where = where | filters.Chat(operator_chat)
    app.add_handler(CommandHandler("antrian", show_queue, where))
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
    replies = filters.TEXT & ~filters.COMMAND & where
    app.add_handlers(answer_handlers(app, replies, _EXPLAIN, on_explanation))
    app.add_handlers(answer_handlers(app, replies, _LINK, on_link))
