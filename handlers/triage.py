"""Operators triage hoax reports: new-case notices and early warnings, /antrian, the verdict
(button → explanation → optional link), answering every reporter, and the clarification.

Buttons carry the case id (one small class per step below) and every press re-reads the
case, so a button of a case that was decided or merged meanwhile changes nothing. The explanation
and the link are typed as replies to the bot's own prompts, which name the case (and the
verdict), the same way /siaran's rejection reason is asked: in the operators' group the bot
sees replies to its messages even with privacy mode on.

Reporters are named in the case panel only in a private chat with an operator, never in the
operators' group or anywhere else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot import cases, kim, operator_notes, texts
from bot.buttons import ButtonData
from bot.cases import Case
from bot.hoax_search import search
from bot.hoaxes import Verdict
from bot.people import OPERATORS
from bot.reports import Alert, Filed, Kind, Report
from bot.services import KimApp, KimContext
from bot.texts import lapor as t
from broadcasts import announcements, clarifications
from handlers import broadcast_compose
from handlers.access import command, requires, stale_button
from handlers.layout import grid
from handlers.presses import Press, on_press
from handlers.prompts import answer_handlers, ask, prompt_answer

log = logging.getLogger(__name__)

BUTTONS = "antrian.button"  # the audit name of a refused triage button
QUEUE_SIZE = 10
DUPLICATE_CHOICES = 12
_EXPLAIN = re.compile(t.EXPLAIN_PATTERN)  # both built from the prompts' own texts
_LINK = re.compile(t.LINK_PATTERN)


@dataclass(frozen=True)
class CaseButton(ButtonData, prefix="tr"):
    """What every triage button carries: its case."""

    case: int


class OpenCase(CaseButton, prefix="tro"): ...


@dataclass(frozen=True)
class VerdictChoice(CaseButton, prefix="trv"):
    verdict: Verdict


class Duplicates(CaseButton, prefix="trd"): ...  # the open cases this one may duplicate


@dataclass(frozen=True)
class MergeInto(CaseButton, prefix="trm"):
    into: int


class BackToPanel(CaseButton, prefix="trb"): ...


class SkipLink(CaseButton, prefix="trs"): ...  # decide without a reference link


class Clarify(CaseButton, prefix="trk"): ...


C = TypeVar("C", bound=CaseButton)


# --- telling operators ---------------------------------------------------------------------


async def _send_to_operators(
    context: KimContext, text: str, case: Case | None = None, *, with_open: bool = False
) -> None:
    """To the operators' group, or to every operator and admin privately; a case with a
    picture or file is sent as that media with the text as caption."""
    services = context.bot_data
    keyboard = (
        InlineKeyboardMarkup([[OpenCase(case.id).button(t.OPEN_CASE)]])
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
    sends: dict[Kind, Callable[..., Awaitable[object]]]
    sends = {Kind.PHOTO: bot.send_photo, Kind.VIDEO: bot.send_video, Kind.VOICE: bot.send_voice}
    send = sends.get(kind, bot.send_document)
    await send(chat_id, file_id, caption=caption, reply_markup=keyboard)


async def announce(context: KimContext, filed: Filed) -> None:
    """A report was filed: operators hear of a new case, and of any early warning."""
    for note in await operator_notes.for_filed(context.bot_data.db, filed):
        await _send_to_operators(context, note.text, note.case, with_open=note.case is not None)


async def send_alerts(context: KimContext, alerts: tuple[Alert, ...]) -> None:
    for text in operator_notes.alert_texts(alerts):
        await _send_to_operators(context, text)


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
    buttons = [OpenCase(c.id).button(t.case_button(c.number, c.reports)) for c in found]
    await message.reply_text(
        t.queue(entries, await cases.count_open(db)),
        reply_markup=InlineKeyboardMarkup(grid(buttons, 2)),
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
    verdicts = [VerdictChoice(case.id, v).button(t.VERDICT_NAMES[v]) for v in Verdict]
    rows = [*grid(verdicts, 2), [Duplicates(case.id).button(t.DUPLICATE)]]
    return text, InlineKeyboardMarkup(rows)


# --- buttons ------------------------------------------------------------------------------------


async def _case(press: Press[C], *, open_only: bool = True) -> Case | None:
    """The case the button names, re-read; None (and the press answered) when it is gone,
    or, with `open_only`, decided or merged meanwhile."""
    case = await cases.get(press.services.db, press.data.case)
    if case is None or press.message is None:
        await stale_button(press.update, press.context)
        return None
    if open_only and not case.is_open:
        await press.answer(t.CASE_CLOSED, alert=True)
        return None
    return case


def _private(press: Press[C]) -> bool:
    return press.chat is not None and press.chat.type == press.chat.PRIVATE


async def on_open(press: Press[OpenCase]) -> None:
    """The case panel, after the reported picture or file itself."""
    case = await _case(press)
    if case is None or press.chat is None:
        return
    await press.answer()
    if case.file_id:
        await _send_media(press.context, press.chat.id, case.kind, case.file_id, None)
    text, keyboard = await _panel(press.context, case, private=_private(press))
    await press.context.bot.send_message(
        press.chat.id,
        text,
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


async def on_verdict(press: Press[VerdictChoice]) -> None:
    """Ask for the explanation of the chosen verdict, as a reply to a prompt naming both."""
    case = await _case(press)
    if case is None or press.chat is None:
        return
    await ask(press, t.ask_explanation(case.number, press.data.verdict), t.EXPLANATION_PLACEHOLDER)


async def on_duplicates(press: Press[Duplicates]) -> None:
    """The other open cases this one can be merged into."""
    case = await _case(press)
    if case is None:
        return
    others = [c for c in await cases.open_cases(press.services.db, limit=50) if c.id != case.id]
    if not others:
        await press.answer(t.NO_OTHER_CASES, alert=True)
        return
    buttons = [
        MergeInto(case.id, o.id).button(t.case_button(o.number, o.reports))
        for o in others[:DUPLICATE_CHOICES]
    ]
    rows = [*grid(buttons, 2), [BackToPanel(case.id).button(texts.BACK)]]
    await press.edit(t.pick_duplicate(case.number), InlineKeyboardMarkup(rows))


async def on_merge(press: Press[MergeInto]) -> None:
    case = await _case(press)
    if case is None:
        return
    services, into = press.services, press.data.into
    count = await cases.merge(
        services.db, case.id, into=into, actor_id=press.user.id, now=services.clock.now()
    )
    if count is None:
        await stale_button(press.update, press.context)
        return
    await press.edit(t.merged(case.number, f"#{into}", count))


async def on_back(press: Press[BackToPanel]) -> None:
    case = await _case(press)
    if case is None:
        return
    await press.answer()
    text, keyboard = await _panel(press.context, case, private=_private(press))
    await press.query.edit_message_text(
        text, reply_markup=keyboard, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )


async def on_skip_link(press: Press[SkipLink]) -> None:
    """Decide with the explanation alone."""
    case = await _case(press)
    if case is None or press.chat is None:
        return
    if case.pending_verdict is None:
        await stale_button(press.update, press.context)
        return
    await press.answer()
    await press.query.edit_message_reply_markup(None)
    await _decide(press.context, press.chat.id, case.id, "", press.user.id)


# --- explanation and link -----------------------------------------------------------------------


@requires(OPERATORS, "antrian.verdict")
async def on_explanation(update: Update, context: KimContext) -> None:
    """The explanation for the verdict named in the prompt; then ask for the link."""
    message, user, match = prompt_answer(update, _EXPLAIN)
    verdict = t.verdict_named(match.group(2))
    assert verdict is not None  # answer_handlers guarantees it
    explanation = cases.explanation_of(message.text)
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
        reply_markup=InlineKeyboardMarkup([[SkipLink(case_id).button(t.SKIP)]]),
    )


@requires(OPERATORS, "antrian.verdict")
async def on_link(update: Update, context: KimContext) -> None:
    """The reference link: the verdict is decided with it."""
    message, user, match = prompt_answer(update, _LINK)
    link = cases.reference_link(message.text)
    if link is None:
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
        InlineKeyboardMarkup([[Clarify(case.id).button(t.CLARIFY)]])
        if case.verdict in cases.CLARIFY
        else None
    )
    await context.bot.send_message(
        chat_id,
        t.decided(case.number, case.verdict, reachable, len(decision.reports)),
        reply_markup=keyboard,
    )


# --- the clarification ------------------------------------------------------------------------


async def on_clarify(press: Press[Clarify]) -> None:
    """Draft a clarification to the case's kecamatan (or the whole kabupaten) and show
    /siaran's own targets panel: the operator previews, submits, a verifier approves."""
    case = await _case(press, open_only=False)
    if case is None or press.chat is None:
        return
    services = press.services
    drafted = await clarifications.draft(
        services.db, case, author_id=press.user.id, now=services.clock.now()
    )
    if drafted is clarifications.Refusal.NOT_WANTED:
        await stale_button(press.update, press.context)
    elif drafted is clarifications.Refusal.EXISTS:
        await press.answer(t.CLARIFICATION_EXISTS, alert=True)
    else:
        await press.answer()
        if drafted.new:
            await press.query.edit_message_reply_markup(None)
        await _show_targets(press.context, press.chat.id, drafted.id)


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
    # Every triage button is for operators; a refusal is audited as "antrian.button".
    on_press(app, OpenCase, on_open, allowed=OPERATORS, action=BUTTONS)
    on_press(app, VerdictChoice, on_verdict, allowed=OPERATORS, action=BUTTONS)
    on_press(app, Duplicates, on_duplicates, allowed=OPERATORS, action=BUTTONS)
    on_press(app, MergeInto, on_merge, allowed=OPERATORS, action=BUTTONS)
    on_press(app, BackToPanel, on_back, allowed=OPERATORS, action=BUTTONS)
    on_press(app, SkipLink, on_skip_link, allowed=OPERATORS, action=BUTTONS)
    on_press(app, Clarify, on_clarify, allowed=OPERATORS, action=BUTTONS)
    replies = filters.TEXT & ~filters.COMMAND & where
    app.add_handlers(answer_handlers(app, replies, _EXPLAIN, on_explanation))
    app.add_handlers(answer_handlers(app, replies, _LINK, on_link))
