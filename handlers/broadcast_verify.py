"""The second pair of eyes: verifiers approve or reject drafts; approval starts delivery.

Approval is decided in `broadcasts.announcements.approve` (one conditional update), so two
verifiers pressing at once send once; the loser is told the draft was already decided.
"""

from __future__ import annotations

import logging
import re

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ExtBot, filters

from bot import people
from bot.people import VERIFIERS, Role
from bot.services import KimApp, KimContext
from bot.texts import jadwal
from bot.texts import siaran as t
from broadcasts import announcements, recipients, render, rules, schedules
from broadcasts.announcements import ApprovalResult
from broadcasts.content import Part
from broadcasts.sender import keyboard, post
from broadcasts.targets import Urgency
from handlers.access import requires, stale_button
from handlers.prompts import answer_handlers

log = logging.getLogger(__name__)
PREFIX = "vf:"
_REASON_PROMPT = re.compile(r"Tulis alasan penolakan pengumuman #(\d+)")


async def show(
    context: KimContext,
    chat_id: int,
    parts: list[Part],
    buttons: tuple[tuple[tuple[str, str], ...], ...] = (),
) -> None:
    """Send an announcement's parts to one person as they will look to recipients."""
    await send_parts(context.bot, chat_id, parts, buttons)


async def send_parts(
    bot: ExtBot[int],
    chat_id: int,
    parts: list[Part],
    buttons: tuple[tuple[tuple[str, str], ...], ...] = (),
) -> Message | None:
    """The parts as recipients get them (buttons under the last one)."""
    last: Message | None = None
    for index, part in enumerate(parts):
        markup = keyboard(buttons) if index == len(parts) - 1 else None
        last = await post(bot, chat_id, part, markup)
    return last


async def ask_verifiers(context: KimContext, draft_id: int) -> bool:
    """Send the draft to every verifier who may approve it; False if there is none."""
    services = context.bot_data
    draft = await announcements.get(services.db, draft_id)
    assert draft is not None and draft.topic is not None
    author = await people.find(services.db, draft.author_id or 0)
    candidates = set(services.settings.admin_ids) | set(
        await people.holders_of(services.db, Role.VERIFIER)
    )
    if not services.settings.allow_self_verify:
        candidates.discard(draft.author_id or 0)
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    parts = render.parts(draft, services.settings.organization_name, verified=False)
    plan = await schedules.plan_of(services.db, draft_id, (schedules.Status.PROPOSED,))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    jadwal.APPROVE_SCHEDULE if plan else t.APPROVE,
                    callback_data=f"{PREFIX}{draft_id}:ok",
                ),
                InlineKeyboardButton(t.REJECT, callback_data=f"{PREFIX}{draft_id}:no"),
            ]
        ]
    )
    request = t.verify_request(draft.number, author.display if author else "?", found.total)
    if plan is not None:
        end = jadwal.describe_end(plan.ends_on, plan.max_runs)
        rule = plan.rule.describe(services.settings.tz)
        request += "\n" + jadwal.verify_plan(rule, end, plan.rule.recurring)
    reached = False
    for verifier_id in sorted(candidates):
        try:
            await send_parts(context.bot, verifier_id, parts)
            await context.bot.send_message(verifier_id, request, reply_markup=keyboard)
            reached = True
        except TelegramError as exc:  # a verifier who never opened the bot
            log.warning("verifier %s not reachable: %s", verifier_id, exc)
    return reached


def _draft_id(data: str) -> int | None:
    try:
        return int(data.removeprefix(PREFIX).split(":")[0])
    except ValueError:
        return None


@requires(VERIFIERS, "siaran.verify")
async def on_approve(update: Update, context: KimContext) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    draft_id = _draft_id(query.data)
    if draft_id is None:
        await stale_button(update, context)
        return
    services = context.bot_data
    if await _approve_as_schedule(update, context, draft_id):
        return
    result = await announcements.approve(
        services.db,
        draft_id,
        verifier_id=user.id,
        now=services.clock.now(),
        allow_own=services.settings.allow_self_verify,
    )
    if result is ApprovalResult.OWN_DRAFT:
        await query.answer(t.OWN_DRAFT, show_alert=True)
        return
    if result is ApprovalResult.NOT_PENDING:
        await query.answer(t.ALREADY_DECIDED, show_alert=True)
        return
    if result is ApprovalResult.NO_RECIPIENTS:
        await query.answer(t.NO_RECIPIENTS, show_alert=True)
        return
    services.delivery.wake()
    await query.answer()
    draft = await announcements.get(services.db, draft_id)
    assert draft is not None
    verifier = user.full_name
    await query.edit_message_text(t.approved_by(draft.number, verifier))
    if draft.author_id is not None:
        await _start_progress(
            context, draft_id, draft.author_id, t.approved_by(draft.number, verifier)
        )


async def _approve_as_schedule(update: Update, context: KimContext, draft_id: int) -> bool:
    """A draft with a schedule starts it; one approved in the quiet hours (not darurat) waits
    for their end as a one-off schedule. False when neither applies: send at once."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    services = context.bot_data
    draft = await announcements.get(services.db, draft_id)
    if draft is None:
        return False
    planned = await schedules.plan_of(services.db, draft_id, (schedules.Status.PROPOSED,))
    now, tz = services.clock.now(), services.settings.tz
    quiet = rules.quiet_hours(services.settings)
    held = draft.urgency is not Urgency.DARURAT and quiet.contains(now, tz)
    if planned is None and not held:
        return False
    approval = await schedules.approve(
        services.db,
        draft_id,
        verifier_id=user.id,
        now=now,
        tz=tz,
        quiet=quiet,
        allow_own=services.settings.allow_self_verify,
        hold=planned is None,
    )
    if approval.result is ApprovalResult.OWN_DRAFT:
        await query.answer(t.OWN_DRAFT, show_alert=True)
        return True
    if approval.result is not ApprovalResult.APPROVED or approval.first_run is None:
        await query.answer(t.ALREADY_DECIDED, show_alert=True)
        return True
    services.schedules.wake()
    await query.answer()
    first = jadwal.when(approval.first_run.astimezone(tz))
    note = (
        jadwal.approved_scheduled(draft.number, user.full_name, first)
        if planned is not None
        else jadwal.held_for_quiet_hours(draft.number, user.full_name, first)
    )
    await query.edit_message_text(note)
    if draft.author_id is not None:
        try:
            await context.bot.send_message(draft.author_id, note)
        except TelegramError as exc:
            log.warning("author %s not reachable: %s", draft.author_id, exc)
    return True


async def _start_progress(context: KimContext, draft_id: int, author_id: int, note: str) -> None:
    """Tell the author and open the message that shows delivery progress."""
    try:
        message = await context.bot.send_message(author_id, note)
    except TelegramError as exc:
        log.warning("author %s not reachable: %s", author_id, exc)
        return
    await announcements.set_progress_message(
        context.bot_data.db, draft_id, author_id, message.message_id
    )


@requires(VERIFIERS, "siaran.verify")
async def on_reject(update: Update, context: KimContext) -> None:
    """Ask for the reason; the verifier answers by replying to the prompt."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    draft_id = _draft_id(query.data)
    draft = None if draft_id is None else await announcements.get(context.bot_data.db, draft_id)
    if draft is None or draft.status is not announcements.Status.PENDING:
        await query.answer(t.ALREADY_DECIDED, show_alert=True)
        return
    await query.answer()
    await context.bot.send_message(
        query.message.chat.id,
        t.ask_reject_reason(draft.number),
        reply_markup=ForceReply(selective=True, input_field_placeholder="Alasan penolakan"),
    )


@requires(VERIFIERS, "siaran.verify")
async def on_reason(update: Update, context: KimContext) -> None:
    """A reply to the reason prompt rejects the draft and tells its author."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    match = _REASON_PROMPT.search(message.reply_to_message.text or "")
    assert match is not None  # ReplyToReasonPrompt guarantees it
    services = context.bot_data
    draft_id = int(match.group(1))
    reason = (message.text or "").strip()[:500]
    if not await announcements.reject(
        services.db, draft_id, verifier_id=user.id, reason=reason, now=services.clock.now()
    ):
        await message.reply_text(t.ALREADY_DECIDED)
        return
    draft = await announcements.get(services.db, draft_id)
    assert draft is not None
    await message.reply_text(t.rejected_ack(draft.number))
    if draft.author_id is not None:
        try:
            await context.bot.send_message(
                draft.author_id, t.rejected_by(draft.number, user.full_name, reason)
            )
        except TelegramError as exc:
            log.warning("author %s not reachable: %s", draft.author_id, exc)


def register(app: KimApp) -> None:
    app.add_handler(CallbackQueryHandler(on_approve, pattern=rf"^{PREFIX}\d+:ok$"))
    app.add_handler(CallbackQueryHandler(on_reject, pattern=rf"^{PREFIX}\d+:no$"))
    replies = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _REASON_PROMPT, on_reason))
