"""The second pair of eyes: verifiers approve or reject drafts; approval starts delivery.

Whether an approved draft goes out at once, waits for the end of the quiet hours or starts
its schedule is decided in `broadcasts.approval` (one conditional update), so two verifiers
pressing at once decide once; the loser is told the draft was already decided.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import tzinfo

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot, filters

from bot import people
from bot.buttons import ButtonData
from bot.people import VERIFIERS
from bot.services import KimApp, KimContext
from bot.texts import jadwal
from bot.texts import siaran as t
from broadcasts import announcements, approval, recipients, render, rules, schedules
from broadcasts.approval import Approval, ApprovalResult, Route
from broadcasts.content import Part
from broadcasts.sender import keyboard, post
from handlers.access import requires
from handlers.broadcast_progress import open_progress, tell
from handlers.presses import Press, on_press
from handlers.prompts import answer_handlers, ask, prompt_answer

log = logging.getLogger(__name__)
_REASON_PROMPT = re.compile(re.escape(t.ASK_REJECT_REASON_PREFIX) + r" #(\d+)")
_REFUSALS = {
    ApprovalResult.OWN_DRAFT: t.OWN_DRAFT,
    ApprovalResult.NOT_PENDING: t.ALREADY_DECIDED,
    ApprovalResult.NO_RECIPIENTS: t.NO_RECIPIENTS,
}


@dataclass(frozen=True)
class Approve(ButtonData, prefix="va"):
    draft: int


@dataclass(frozen=True)
class Reject(ButtonData, prefix="vr"):
    draft: int


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
    services, settings = context.bot_data, context.bot_data.settings
    draft = await announcements.get(services.db, draft_id)
    assert draft is not None and draft.topic is not None
    author = await people.find(services.db, draft.author_id or 0)
    candidates = await approval.verifiers(
        services.db, draft.author_id, settings.admin_ids, allow_own=settings.allow_self_verify
    )
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    parts = render.parts(draft, services.settings.organization_name, verified=False)
    plan = await schedules.plan_of(services.db, draft_id, (schedules.Status.PROPOSED,))
    approve = jadwal.APPROVE_SCHEDULE if plan else t.APPROVE
    buttons = InlineKeyboardMarkup(
        [[Approve(draft_id).button(approve), Reject(draft_id).button(t.REJECT)]]
    )
    request = t.verify_request(draft.number, author.display if author else "?", found.total)
    if plan is not None:
        end = jadwal.describe_end(plan.ends_on, plan.max_runs)
        rule = plan.rule.describe(services.settings.tz)
        request += "\n" + jadwal.verify_plan(rule, end, plan.rule.recurring)
    reached = False
    for verifier_id in candidates:
        try:
            await send_parts(context.bot, verifier_id, parts)
            await context.bot.send_message(verifier_id, request, reply_markup=buttons)
            reached = True
        except TelegramError as exc:  # a verifier who never opened the bot
            log.warning("verifier %s not reachable: %s", verifier_id, exc)
    return reached


async def on_approve(press: Press[Approve]) -> None:
    services = press.services
    settings = services.settings
    decided = await approval.approve(
        services.db,
        press.data.draft,
        verifier_id=press.user.id,
        now=services.clock.now(),
        tz=settings.tz,
        quiet=rules.quiet_hours(settings),
        allow_own=settings.allow_self_verify,
    )
    refusal = _REFUSALS.get(decided.result)
    if refusal is not None:
        await press.answer(refusal, alert=True)
        return
    draft = await announcements.get(services.db, press.data.draft)
    assert draft is not None
    note = _approved_note(decided, draft.number, press.user.full_name, settings.tz)
    if decided.route is Route.NOW:
        services.delivery.wake()
    else:
        services.schedules.wake()
    await press.edit(note)
    bot, author = press.context.bot, draft.author_id
    if author is not None and decided.route is Route.NOW:
        await open_progress(bot, services.db, draft.id, author, note)
    elif author is not None:
        await tell(bot, author, note)


def _approved_note(decided: Approval, number: str, verifier: str, tz: tzinfo) -> str:
    if decided.route is Route.NOW or decided.first_run is None:
        return t.approved_by(number, verifier)
    first = jadwal.when(decided.first_run.astimezone(tz))
    if decided.route is Route.SCHEDULE:
        return jadwal.approved_scheduled(number, verifier, first)
    return jadwal.held_for_quiet_hours(number, verifier, first)


async def on_reject(press: Press[Reject]) -> None:
    """Ask for the reason; the verifier answers by replying to the prompt."""
    draft = await announcements.get(press.services.db, press.data.draft)
    if draft is None or draft.status is not announcements.Status.PENDING or press.chat is None:
        await press.answer(t.ALREADY_DECIDED, alert=True)
        return
    await ask(press, t.ask_reject_reason(draft.number), t.REJECT_REASON_PLACEHOLDER)


@requires(VERIFIERS, "siaran.verify")
async def on_reason(update: Update, context: KimContext) -> None:
    """A reply to the reason prompt rejects the draft and tells its author."""
    message, user, match = prompt_answer(update, _REASON_PROMPT)
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
        await tell(
            context.bot, draft.author_id, t.rejected_by(draft.number, user.full_name, reason)
        )


def register(app: KimApp) -> None:
    on_press(app, Approve, on_approve, allowed=VERIFIERS, action="siaran.verify")
    on_press(app, Reject, on_reject, allowed=VERIFIERS, action="siaran.verify")
    replies = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _REASON_PROMPT, on_reason))
