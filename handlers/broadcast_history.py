"""/riwayat and /statistik: what became of past announcements, and taking one back.

Every button carries the announcement's id (`rw:<id>[:<step>]`) and is re-checked against the
announcement's current status when pressed. A correction starts from the "✏️ Ralat" button:
the operator answers a ForceReply prompt with the corrected text, which becomes a draft
previewed and submitted like any /siaran draft (its buttons are /siaran's own).
"""

from __future__ import annotations

import re

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import reports
from bot.people import OPERATORS
from bot.services import KimApp, KimContext
from bot.texts import lapor
from bot.texts import siaran as t
from broadcasts import announcements, corrections, history, recipients, render
from broadcasts.corrections import CorrectionProblem
from broadcasts.history import Summary
from handlers import broadcast_compose, broadcast_verify
from handlers.access import command, requires, stale_button
from handlers.prompts import answer_handlers

PREFIX = "rw:"
DRAFT = broadcast_compose.PREFIX  # a correction draft is submitted by /siaran's own buttons
_CORRECTION_PROMPT = re.compile(re.escape(t.ASK_CORRECTION_PREFIX) + r" #(\d+)")


def _entry(item: Summary) -> str:
    return t.history_entry(
        item.number,
        item.topic,
        item.approved_at,
        item.status,
        item.sent,
        item.total,
        item.failed,
        item.up,
        item.down,
        item.relays,
    )


async def _history_view(context: KimContext) -> tuple[str, InlineKeyboardMarkup | None]:
    items = await history.recent(context.bot_data.db)
    if not items:
        return t.NO_HISTORY, None
    buttons = [
        InlineKeyboardButton(t.details_button(item.number), callback_data=f"{PREFIX}{item.id}")
        for item in items
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    return t.history([_entry(item) for item in items]), InlineKeyboardMarkup(rows)


@command("riwayat")
async def show_history(update: Update, context: KimContext) -> None:
    """The recent announcements with their delivery and feedback."""
    if update.effective_message is None:
        return
    text, keyboard = await _history_view(context)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


@command("statistik")
async def show_statistics(update: Update, context: KimContext) -> None:
    """This month's and last month's totals."""
    if update.effective_message is None:
        return
    services = context.bot_data
    months = await history.monthly(services.db, services.clock.now())
    tipline = await reports.statistics(services.db)
    await update.effective_message.reply_text(
        t.monthly_stats(
            [
                (m.month, m.announcements, m.delivered, m.failed, m.up, m.down, m.relays)
                for m in months
            ]
        )
        + "\n\n"
        + lapor.statistics(
            tipline.reports,
            tipline.cases,
            tipline.open,
            tipline.verdicts,
            tipline.median_to_verdict,
        )
    )


def _button(label: str, announcement_id: int, step: str = "") -> InlineKeyboardButton:
    suffix = f":{step}" if step else ""
    return InlineKeyboardButton(label, callback_data=f"{PREFIX}{announcement_id}{suffix}")


async def _details_view(context: KimContext, item: Summary) -> tuple[str, InlineKeyboardMarkup]:
    reach = await history.reach_by_desa(context.bot_data.db, item.id)
    text = t.details(
        _entry(item),
        [(r.kecamatan, r.desa, r.groups, r.delivered, r.relayed) for r in reach],
    )
    rows = []
    if item.status == "sent":
        rows.append([_button(t.WITHDRAW, item.id, "w"), _button(t.CORRECT, item.id, "r")])
    elif item.status == "withdrawn":
        rows.append([_button(t.WITHDRAW, item.id, "w")])  # finishes an interrupted withdrawal
    rows.append([InlineKeyboardButton(t.BACK_TO_HISTORY, callback_data=f"{PREFIX}list")])
    return text, InlineKeyboardMarkup(rows)


@requires(OPERATORS, "riwayat.button")
async def on_button(update: Update, context: KimContext) -> None:
    """Details, the withdraw confirmation, and the correction prompt."""
    query = update.callback_query
    assert query is not None and query.data is not None
    services = context.bot_data
    head, _, step = query.data.removeprefix(PREFIX).partition(":")
    if head == "list" and not step:
        text, keyboard = await _history_view(context)
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)
        return
    item = await history.summary(services.db, int(head)) if head.isdigit() else None
    if item is None or step not in ("", "w", "wy", "r"):
        await stale_button(update, context)
        return
    if step == "":
        text, keyboard = await _details_view(context, item)
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)
    elif step == "w" and item.status in ("sent", "withdrawn"):
        await query.answer()
        await query.edit_message_text(
            t.confirm_withdraw(item.number),
            reply_markup=InlineKeyboardMarkup(
                [[_button(t.CONFIRM_WITHDRAW, item.id, "wy"), _button(t.KEEP, item.id)]]
            ),
        )
    elif step == "wy":
        await _withdraw(update, context, item)
    elif step == "r" and item.status == "sent":
        await query.answer()
        assert query.message is not None
        await context.bot.send_message(
            query.message.chat.id,
            t.ask_correction(item.number),
            reply_markup=ForceReply(selective=True, input_field_placeholder="Teks ralat"),
        )
    else:
        await query.answer(t.CANNOT_WITHDRAW, show_alert=True)


async def _withdraw(update: Update, context: KimContext, item: Summary) -> None:
    """Owe the deletions and the summary, and return: the dispatcher deletes from every chat
    (minutes for thousands) and sends the summary here when done, after a restart too."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.message is not None and user is not None
    services = context.bot_data
    if not await corrections.begin_withdrawal(
        services.db,
        item.id,
        actor_id=user.id,
        now=services.clock.now(),
        report_to=query.message.chat.id,
    ):
        await query.answer(t.CANNOT_WITHDRAW, show_alert=True)
        return
    services.delivery.wake()
    await query.answer()
    await query.edit_message_text(t.withdrawing(item.number))


@requires(OPERATORS, "riwayat.ralat")
async def on_correction(update: Update, context: KimContext) -> None:
    """The corrected text: a draft for the original's chats, previewed, ready to submit."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    match = _CORRECTION_PROMPT.search(message.reply_to_message.text or "")
    assert match is not None  # ReplyToCorrectionPrompt guarantees it
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
    await broadcast_verify.show(context, message.chat.id, parts, preview.buttons)
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    await message.reply_text(
        t.correction_summary(draft.number, f"#{draft.correction_of}", found.total, len(parts)),
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(t.SUBMIT, callback_data=f"{DRAFT}{draft.id}:ok")],
                [InlineKeyboardButton(t.CANCEL_DRAFT, callback_data=f"{DRAFT}{draft.id}:x")],
            ]
        ),
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("riwayat", show_history, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("statistik", show_statistics, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
    replies = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _CORRECTION_PROMPT, on_correction))
