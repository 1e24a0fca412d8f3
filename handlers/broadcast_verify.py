"""The second pair of eyes: verifiers approve or reject drafts; approval starts delivery.

Whether an approved draft goes out at once, waits for the end of the quiet hours or starts
its schedule is decided in `broadcasts.approval` (one conditional update), so two verifiers
pressing at once decide once; the loser is told the draft was already decided. Where
WhatsApp is set up, the card shows the recipients per channel and what the templates cost;
an approval past the monthly budget asks the verifier once more (the rule is
`broadcasts.approval`'s), and "« Jangan" puts the card back as it was.
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
from bot.addresses import Channel
from bot.buttons import ButtonData
from bot.people import VERIFIERS
from bot.services import KimApp, KimContext, Services
from bot.texts import jadwal
from bot.texts import siaran as t
from bot.texts import siaran_whatsapp as wa
from broadcasts import (
    announcements,
    approval,
    recipients,
    render,
    rules,
    schedules,
    whatsapp_cost,
)
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


@dataclass(frozen=True)
class ApproveOverBudget(ButtonData, prefix="vb"):
    """The second "yes" of an approval past the monthly WhatsApp budget."""

    draft: int


@dataclass(frozen=True)
class KeepPending(ButtonData, prefix="vk"):
    draft: int


async def channel_lines(services: Services, found: recipients.Recipients) -> list[str]:
    """The recipients per channel and WhatsApp's cost; nothing where WhatsApp is not set up."""
    rules_ = whatsapp_cost.Rules.of(services.settings)
    if rules_ is None:
        return []
    people = found.whatsapp_people
    cost = None
    if people:
        cost = await whatsapp_cost.gather(services.db, people, rules_, services.clock.now())
    telegram, whatsapp = found.by_channel[Channel.TELEGRAM], found.by_channel[Channel.WHATSAPP]
    return wa.channels(telegram, whatsapp, found.counts["private"] - whatsapp, cost)


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
    assert draft is not None
    candidates = await approval.verifiers(
        services.db, draft.author_id, settings.admin_ids, allow_own=settings.allow_self_verify
    )
    parts = render.parts(draft, services.settings.organization_name, verified=False)
    request, buttons = await _request(services, draft)
    reached = False
    for verifier_id in candidates:
        try:
            await send_parts(context.bot, verifier_id, parts)
            await context.bot.send_message(verifier_id, request, reply_markup=buttons)
            reached = True
        except TelegramError as exc:  # a verifier who never opened the bot
            log.warning("verifier %s not reachable: %s", verifier_id, exc)
    return reached


async def _request(
    services: Services, draft: announcements.Announcement
) -> tuple[str, InlineKeyboardMarkup]:
    """The verifier's card: who wrote it, whom it reaches, its schedule; approve or reject."""
    assert draft.topic is not None
    author = await people.find(services.db, draft.author_id or 0)
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    plan = await schedules.plan_of(services.db, draft.id, (schedules.Status.PROPOSED,))
    approve = jadwal.APPROVE_SCHEDULE if plan else t.APPROVE
    buttons = InlineKeyboardMarkup(
        [[Approve(draft.id).button(approve), Reject(draft.id).button(t.REJECT)]]
    )
    request = t.verify_request(
        draft.number,
        author.display if author else "?",
        found.total,
        await channel_lines(services, found),
    )
    if plan is not None:
        end = jadwal.describe_end(plan.ends_on, plan.max_runs)
        rule = plan.rule.describe(services.settings.tz)
        request += "\n" + jadwal.verify_plan(rule, end, plan.rule.recurring)
    return request, buttons


async def on_approve(press: Press[Approve]) -> None:
    await _approve(press, confirmed=False)


async def on_approve_over_budget(press: Press[ApproveOverBudget]) -> None:
    await _approve(press, confirmed=True)


async def on_keep_pending(press: Press[KeepPending]) -> None:
    """Not over the budget after all: the card as it was, still waiting for a decision."""
    draft = await announcements.get(press.services.db, press.data.draft)
    if draft is None or draft.status is not announcements.Status.PENDING:
        await press.answer(t.ALREADY_DECIDED, alert=True)
        return
    await press.edit(*await _request(press.services, draft))


async def _approve(press: Press[Approve] | Press[ApproveOverBudget], *, confirmed: bool) -> None:
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
        whatsapp=whatsapp_cost.Rules.of(settings),
        over_budget_confirmed=confirmed,
    )
    if decided.result is ApprovalResult.OVER_BUDGET and decided.cost is not None:
        await _confirm_over_budget(press, decided.cost)
        return
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


async def _confirm_over_budget(
    press: Press[Approve] | Press[ApproveOverBudget], cost: whatsapp_cost.Estimate
) -> None:
    draft = await announcements.get(press.services.db, press.data.draft)
    assert draft is not None  # approve() just read it
    buttons = [
        [ApproveOverBudget(draft.id).button(wa.APPROVE_OVER_BUDGET)],
        [KeepPending(draft.id).button(wa.KEEP_PENDING)],
    ]
    await press.edit(wa.confirm_over_budget(draft.number, cost), InlineKeyboardMarkup(buttons))


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
    on_press(
        app, ApproveOverBudget, on_approve_over_budget, allowed=VERIFIERS, action="siaran.verify"
    )
    on_press(app, KeepPending, on_keep_pending, allowed=VERIFIERS, action="siaran.verify")
    replies = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _REASON_PROMPT, on_reason))
