"""The operators' decision on a group's registration: Setujui / Tolak under the card that
`handlers.kim_groups` sends them, and /pendaftaran for the cards still waiting."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler

from bot import kim, registrations
from bot.buttons import ButtonData
from bot.people import OPERATORS
from bot.services import KimApp, KimContext
from bot.texts import kim as t
from handlers.access import command, stale_button
from handlers.memberships import post_to_chat
from handlers.presses import Press, on_press


class Verdict(StrEnum):
    APPROVE = "ok"
    REJECT = "no"


@dataclass(frozen=True)
class Decide(ButtonData, prefix="kg"):
    """An operator's Setujui / Tolak under a registration card."""

    verdict: Verdict
    registration: int


def decision_keyboard(registration_id: int) -> InlineKeyboardMarkup:
    approve, reject = (Decide(verdict, registration_id) for verdict in Verdict)
    return InlineKeyboardMarkup([[approve.button(t.APPROVE), reject.button(t.REJECT)]])


async def on_decide(press: Press[Decide]) -> None:
    """Setujui / Tolak: the first decision counts; the group is told the outcome."""
    services, actor = press.services, press.user
    decision = await registrations.decide(
        services.db,
        press.data.registration,
        approve=press.data.verdict is Verdict.APPROVE,
        actor_id=actor.id,
        now=services.clock.now(),
    )
    if decision is None:
        await stale_button(press.update, press.context)
        return
    registration = decision.registration
    regency = services.settings.regency_name
    card = t.registration_card(registration, regency)
    if not decision.changed:
        await press.answer(t.ALREADY_DECIDED, alert=True)
        with contextlib.suppress(BadRequest):
            await press.query.edit_message_text(card + t.decided_note(registration))
        return
    approved = registration.status == kim.Status.APPROVED
    await press.answer(t.APPROVED_ANSWER if approved else t.REJECTED_ANSWER)
    with contextlib.suppress(BadRequest):
        await press.query.edit_message_text(card + t.decided_note(registration, actor.full_name))
    outcome = t.group_approved if approved else t.group_rejected
    await post_to_chat(press.context, registration.chat_id, outcome(registration, regency))


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
    app.add_handler(CommandHandler("pendaftaran", list_pending))
    on_press(app, Decide, on_decide, allowed=OPERATORS, action="kim.decide")
