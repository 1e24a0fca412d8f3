"""/riwayat and /statistik: what became of past announcements, and taking one back.

Every button carries the announcement's id and is re-checked against the announcement's
current status when pressed. A correction starts from the "✏️ Ralat" button:
the operator answers a ForceReply prompt with the corrected text, which becomes a draft
previewed and submitted like any /siaran draft (its buttons are /siaran's own).
Announcements and months that used WhatsApp show its delivery too (broadcasts.channel_report);
the others read as they always did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, filters

from bot import reports
from bot.buttons import ButtonData
from bot.people import OPERATORS
from bot.services import KimApp, KimContext, Services
from bot.texts import lapor
from bot.texts import siaran as t
from bot.texts import siaran_whatsapp as wa
from broadcasts import announcements, channel_report, corrections, history, recipients, render
from broadcasts.corrections import CorrectionProblem
from broadcasts.history import Summary
from handlers import broadcast_verify
from handlers import siaran_buttons as siaran
from handlers.access import command, requires, stale_button
from handlers.layout import reply_view
from handlers.presses import Press, on_press
from handlers.prompts import answer_handlers, ask, prompt_answer

_CORRECTION_PROMPT = re.compile(re.escape(t.ASK_CORRECTION_PREFIX) + r" #(\d+)")


AnyDetails = TypeVar("AnyDetails", bound="Details")


@dataclass(frozen=True)
class HistoryList(ButtonData, prefix="rw"):
    pass


@dataclass(frozen=True)
class Details(ButtonData, prefix="rw"):
    announcement: int


class AskWithdraw(Details, prefix="rwx"): ...


class Withdraw(Details, prefix="rwy"): ...


class AskCorrection(Details, prefix="rwr"): ...


async def _entry(services: Services, item: Summary) -> str:
    entry = t.history_entry(item.number, item.topic, item.approved_at, item.status, item.sent,
                            item.total, item.failed, item.up, item.down, item.relays)  # fmt: skip
    price = services.settings.whatsapp_template_price
    channels = await channel_report.of_announcement(services.db, item.id, price)
    return entry if channels is None else entry + "\n" + wa.history_line(channels)


async def _history_view(context: KimContext) -> tuple[str, InlineKeyboardMarkup | None]:
    items = await history.recent(context.bot_data.db)
    if not items:
        return t.NO_HISTORY, None
    buttons = [Details(item.id).button(t.details_button(item.number)) for item in items]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    entries = [await _entry(context.bot_data, item) for item in items]
    return t.history(entries), InlineKeyboardMarkup(rows)


@command("riwayat")
async def show_history(update: Update, context: KimContext) -> None:
    """The recent announcements with their delivery and feedback."""
    await reply_view(update, await _history_view(context))


@command("statistik")
async def show_statistics(update: Update, context: KimContext) -> None:
    """This month's and last month's totals."""
    if update.effective_message is None:
        return
    services = context.bot_data
    months = await history.monthly(services.db, services.clock.now())
    tipline = await reports.statistics(services.db)
    stats = [(m.month, m.announcements, m.delivered, m.failed, m.up, m.down, m.relays)
             for m in months]  # fmt: skip
    tips = lapor.statistics(tipline.reports, tipline.cases, tipline.open, tipline.verdicts,
                            tipline.median_to_verdict)  # fmt: skip
    channels = await _channels_by_month(services, [m.month for m in months])
    await update.effective_message.reply_text(t.monthly_stats(stats, channels) + "\n\n" + tips)


async def _channels_by_month(services: Services, months: list[str]) -> dict[str, list[str]]:
    """Each month's delivery per channel, for the months that used WhatsApp."""
    found: dict[str, list[str]] = {}
    price = services.settings.whatsapp_template_price
    for month in months:
        report = await channel_report.of_month(services.db, month, price)
        if report is not None:
            found[month] = wa.delivery(report)
    return found


async def _details_view(context: KimContext, item: Summary) -> tuple[str, InlineKeyboardMarkup]:
    reach = await history.reach_by_desa(context.bot_data.db, item.id)
    text = t.details(
        await _entry(context.bot_data, item),
        [(r.kecamatan, r.desa, r.groups, r.delivered, r.relayed) for r in reach],
    )
    rows = []
    if item.status == "sent":
        rows.append(
            [AskWithdraw(item.id).button(t.WITHDRAW), AskCorrection(item.id).button(t.CORRECT)]
        )
    elif item.status == "withdrawn":  # finishes an interrupted withdrawal
        rows.append([AskWithdraw(item.id).button(t.WITHDRAW)])
    rows.append([HistoryList().button(t.BACK_TO_HISTORY)])
    return text, InlineKeyboardMarkup(rows)


async def on_list(press: Press[HistoryList]) -> None:
    text, keyboard = await _history_view(press.context)
    await press.edit(text, keyboard)


async def _summary(press: Press[AnyDetails]) -> Summary | None:
    """The pressed announcement's summary, or None (answered as a stale button)."""
    item = await history.summary(press.services.db, press.data.announcement)
    if item is None:
        await stale_button(press.update, press.context)
    return item


async def on_details(press: Press[Details]) -> None:
    item = await _summary(press)
    if item is not None:
        await press.edit(*await _details_view(press.context, item))


async def on_ask_withdraw(press: Press[AskWithdraw]) -> None:
    item = await _summary(press)
    if item is None:
        return
    if item.status not in ("sent", "withdrawn"):
        await press.answer(t.CANNOT_WITHDRAW, alert=True)
        return
    confirm = [Withdraw(item.id).button(t.CONFIRM_WITHDRAW), Details(item.id).button(t.KEEP)]
    await press.edit(t.confirm_withdraw(item.number), InlineKeyboardMarkup([confirm]))


async def on_withdraw(press: Press[Withdraw]) -> None:
    """Owe the deletions and the summary, and return: the dispatcher deletes from every chat
    (minutes for thousands) and sends the summary here when done, after a restart too."""
    item = await _summary(press)
    if item is None or press.chat is None:
        return
    services = press.services
    if not await corrections.begin_withdrawal(
        services.db,
        item.id,
        actor_id=press.user.id,
        now=services.clock.now(),
        report_to=press.chat.id,
    ):
        await press.answer(t.CANNOT_WITHDRAW, alert=True)
        return
    services.delivery.wake()
    await press.edit(t.withdrawing(item.number))


async def on_ask_correction(press: Press[AskCorrection]) -> None:
    item = await _summary(press)
    if item is None or press.chat is None:
        return
    if item.status != "sent":
        await press.answer(t.CANNOT_WITHDRAW, alert=True)
        return
    await ask(press, t.ask_correction(item.number), t.CORRECTION_PLACEHOLDER)


@requires(OPERATORS, "riwayat.ralat")
async def on_correction(update: Update, context: KimContext) -> None:
    """The corrected text: a draft for the original's chats, previewed, ready to submit."""
    message, user, match = prompt_answer(update, _CORRECTION_PROMPT)
    services = context.bot_data
    created = await corrections.create_correction(
        services.db,
        int(match.group(1)),
        author_id=user.id,
        text=message.text or "",
        entities=message.entities,
        now=services.clock.now(),
    )
    if isinstance(created, CorrectionProblem):
        await message.reply_text(t.CORRECTION_NOT_POSSIBLE)
        return
    draft = await announcements.get(services.db, created)
    assert draft is not None and draft.topic is not None and draft.correction_of is not None
    organization = services.settings.organization_name
    preview = render.outgoing(draft, organization, "kim")
    parts = render.parts(draft, organization, verified=False)
    await broadcast_verify.send_parts(context.bot, message.chat.id, parts, preview.buttons)
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    await message.reply_text(
        t.correction_summary(draft.number, f"#{draft.correction_of}", found.total, len(parts)),
        reply_markup=InlineKeyboardMarkup(
            [
                [siaran.Submit(draft.id).button(t.SUBMIT)],
                [siaran.Cancel(draft.id).button(t.CANCEL_DRAFT)],
            ]
        ),
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("riwayat", show_history, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("statistik", show_statistics, filters.ChatType.PRIVATE))
    guard = "riwayat.button"
    on_press(app, HistoryList, on_list, allowed=OPERATORS, action=guard)
    on_press(app, Details, on_details, allowed=OPERATORS, action=guard)
    on_press(app, AskWithdraw, on_ask_withdraw, allowed=OPERATORS, action=guard)
    on_press(app, Withdraw, on_withdraw, allowed=OPERATORS, action=guard)
    on_press(app, AskCorrection, on_ask_correction, allowed=OPERATORS, action=guard)
    replies = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _CORRECTION_PROMPT, on_correction))
