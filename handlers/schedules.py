"""Scheduling announcements: the scheduling step of /siaran, and /jadwal to run schedules.

The step: at the preview the author presses "🗓 Jadwalkan lalu kirim ke verifikator", picks
once (a calendar of day buttons), daily, weekly (day toggles), monthly (a day) or a cron
expression (the only typed input, as a reply to the bot's prompt), then the hour and minute
by buttons, then for a repeating rule an end (a date, a number of runs, or none). Until the
rule is complete its state travels in the buttons (`jd:<draft>:<step>:…`), so nothing half
made is ever stored; a complete rule is saved with the draft and submitted with it. The
verifier's approval (handlers/broadcast_verify.py) then starts the schedule.

Rule codes in callback data: `d` daily, `o20261204` once on that date, `w<bits>` weekly
(bit i = DAYS[i]), `m<day>` monthly.

/jadwal lists running and paused schedules with pause / resume / run now / delete buttons
(`jw:<action>:<id>`).
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ExtBot, filters

from bot import people, texts
from bot.people import OPERATORS, Role
from bot.services import KimApp, KimContext, Services
from bot.texts import jadwal as t
from bot.texts import siaran as siaran_texts
from broadcasts import announcements, recipients, render, rules, schedules
from broadcasts.announcements import Announcement, Status
from broadcasts.rules import DAYS, Rule, ScheduleError
from broadcasts.scheduler import RunNow
from broadcasts.schedules import Schedule
from broadcasts.targets import Urgency
from handlers import broadcast_verify
from handlers.access import command, requires, stale_button
from handlers.prompts import answer_handlers

log = logging.getLogger(__name__)
STEP = "jd:"
LIST = "jw:"
MINUTES = tuple(range(0, 60, 5))
RUN_COUNTS = (4, 8, 12, 52)
MONTHS_AHEAD = 12
_CRON_PROMPT = re.compile(rf"^{re.escape(t.ASK_CRON_PREFIX)} #(\d+)")


def _button(label: str, draft_id: int, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=STEP + ":".join(str(p) for p in (draft_id, *parts))
    )


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


# --- rule codes ---------------------------------------------------------------------------


def _rule_from(code: str, hour: int, minute: int, now: datetime, services: Services) -> Rule:
    """The rule a complete set of buttons describes; ScheduleError explains bad input."""
    at = rules.make_time(hour, minute)
    tz = services.settings.tz
    if code == "d":
        return rules.daily(at)
    if code.startswith("o") and len(code) == 9 and code[1:].isdigit():
        on = rules.make_date(int(code[1:5]), int(code[5:7]), int(code[7:9]))
        return rules.once(on, at, now=now, tz=tz)
    if code.startswith("w") and code[1:].isdigit():
        return rules.weekly(_days(int(code[1:])), at)
    if code.startswith("m") and code[1:].isdigit():
        return rules.monthly(int(code[1:]), at)
    raise ValueError(code)


def _days(bits: int) -> list[str]:
    return [day for index, day in enumerate(DAYS) if bits & (1 << index)]


def _code_label(code: str, services: Services) -> str:
    """The rule so far, before the time is known (shown above the hour buttons)."""
    zone = rules.zone_name(services.settings.tz)
    if code.startswith("o"):
        on = rules.make_date(int(code[1:5]), int(code[5:7]), int(code[7:9]))
        return t.describe_rule("once", at=None, on=on, days=(), day=None, cron=None, zone_name=zone)
    if code.startswith("w"):
        days = _days(int(code[1:]))
        return t.describe_rule("weekly", at=None, on=None, days=days, day=None, cron=None,
                               zone_name=zone)  # fmt: skip
    if code.startswith("m"):
        return t.describe_rule("monthly", at=None, on=None, days=(), day=int(code[1:]),
                               cron=None, zone_name=zone)  # fmt: skip
    return t.describe_rule("daily", at=None, on=None, days=(), day=None, cron=None, zone_name=zone)


def _valid_code(code: str) -> bool:
    if code == "d":
        return True
    if code.startswith("o"):
        return len(code) == 9 and code[1:].isdigit()
    if code.startswith("w"):
        return code[1:].isdigit() and 0 < int(code[1:]) < 128
    if code.startswith("m"):
        return code[1:].isdigit() and 1 <= int(code[1:]) <= 31
    return False


# --- views --------------------------------------------------------------------------------

View = tuple[str, InlineKeyboardMarkup]


def _kind_view(draft: Announcement, services: Services) -> View:
    d = draft.id
    today = services.clock.now().astimezone(services.settings.tz).date()
    rows = [
        [
            _button(t.KIND_LABELS["once"], d, "c", f"{today:%Y%m}"),
            _button(t.KIND_LABELS["daily"], d, "H", "d"),
        ],
        [_button(t.KIND_LABELS["weekly"], d, "w", 0), _button(t.KIND_LABELS["monthly"], d, "md")],
        [_button(t.KIND_LABELS["cron"], d, "cr")],
        [_button(t.BACK_TO_PREVIEW, d, "bk")],
    ]
    zone = rules.zone_name(services.settings.tz)
    return t.choose_kind(draft.number, zone), InlineKeyboardMarkup(rows)


def _calendar_view(draft_id: int, month_text: str, purpose: str, services: Services) -> View | None:
    """A month of day buttons; days already past are dots that do nothing."""
    if len(month_text) != 6 or not month_text.isdigit():
        return None
    year, month = int(month_text[:4]), int(month_text[4:])
    today = services.clock.now().astimezone(services.settings.tz).date()
    index = (year - today.year) * 12 + month - today.month
    if not 1 <= month <= 12 or not 0 <= index <= MONTHS_AHEAD:
        return None
    pick = "o" if purpose == "o" else "E"
    header = [_button(t.DAY_SHORT[day], draft_id, "_") for day in DAYS]
    rows = [header]
    for week in calendar.Calendar().monthdayscalendar(year, month):
        row = []
        for day in week:
            if day == 0 or date(year, month, day) < today:
                row.append(_button(t.PAST_DAY if day else " ", draft_id, "_"))
            else:
                row.append(_button(str(day), draft_id, pick, f"{year:04d}{month:02d}{day:02d}"))
        rows.append(row)
    navigation = []
    if index > 0:
        previous = (year, month - 1) if month > 1 else (year - 1, 12)
        navigation.append(
            _button("‹", draft_id, "c", f"{previous[0]:04d}{previous[1]:02d}", purpose)
        )
    navigation.append(_button(f"{texts.MONTHS[month - 1]} {year}", draft_id, "_"))
    if index < MONTHS_AHEAD:
        following = (year, month + 1) if month < 12 else (year + 1, 1)
        navigation.append(
            _button("›", draft_id, "c", f"{following[0]:04d}{following[1]:02d}", purpose)
        )
    rows.append(navigation)
    rows.append([_button(texts.BACK, draft_id, "m" if purpose == "o" else "pl")])
    return (t.PICK_DATE if purpose == "o" else t.PICK_END_DATE), InlineKeyboardMarkup(rows)


def _weekly_view(draft_id: int, bits: int) -> View:
    toggles = [
        _button(
            ("✅ " if bits & (1 << i) else "") + t.DAY_NAMES[day], draft_id, "w", bits ^ (1 << i)
        )
        for i, day in enumerate(DAYS)
    ]
    rows = _rows(toggles, 3)
    rows.append([_button(texts.BACK, draft_id, "m"), _button(t.NEXT, draft_id, "H", f"w{bits}")])
    return t.PICK_DAYS, InlineKeyboardMarkup(rows)


def _month_day_view(draft_id: int) -> View:
    rows = _rows([_button(str(day), draft_id, "H", f"m{day}") for day in range(1, 32)], 7)
    rows.append([_button(texts.BACK, draft_id, "m")])
    return t.PICK_MONTH_DAY, InlineKeyboardMarkup(rows)


def _hour_view(draft_id: int, code: str, services: Services) -> View:
    rows = _rows([_button(f"{h:02d}", draft_id, "M", code, f"{h:02d}") for h in range(24)], 6)
    rows.append([_button(texts.BACK, draft_id, "m")])
    return t.pick_hour(_code_label(code, services)), InlineKeyboardMarkup(rows)


def _minute_view(draft_id: int, code: str, hour: int, services: Services) -> View:
    buttons = [
        _button(f"{hour:02d}.{m:02d}", draft_id, "T", code, f"{hour:02d}", f"{m:02d}")
        for m in MINUTES
    ]
    rows = _rows(buttons, 4)
    rows.append([_button(texts.BACK, draft_id, "H", code)])
    return t.pick_minute(_code_label(code, services)), InlineKeyboardMarkup(rows)


async def _plan_view(draft: Announcement, services: Services) -> View | None:
    plan = await schedules.plan_of(services.db, draft.id)
    if plan is None:
        return None
    tz = services.settings.tz
    quiet = rules.quiet_hours(services.settings)
    urgent = draft.urgency is Urgency.DARURAT
    started = rules.first_start(plan.rule, services.clock.now(), tz, quiet=quiet, urgent=urgent)
    first = None if started is None else t.when(started[1])
    moved = started is not None and started[0] != started[1]
    text = t.plan_summary(
        draft.number,
        plan.rule.describe(tz),
        t.describe_end(plan.ends_on, plan.max_runs),
        first,
        moved,
        plan.rule.recurring,
    )
    d = draft.id
    rows: list[list[InlineKeyboardButton]] = []
    if plan.rule.recurring:
        today = services.clock.now().astimezone(tz).date()
        rows.append(
            [_button(t.END_NEVER, d, "e"), _button(t.END_DATE, d, "c", f"{today:%Y%m}", "e")]
        )
        rows.append([_button(t.end_count(n), d, "n", n) for n in RUN_COUNTS])
    rows.append([_button(t.SUBMIT_PLAN, d, "ok")])
    rows.append([_button(t.CHANGE_PLAN, d, "m")])
    rows.append([InlineKeyboardButton(siaran_texts.CANCEL_DRAFT, callback_data=f"sd:{d}:x")])
    return text, InlineKeyboardMarkup(rows)


async def _summary_view(draft: Announcement, services: Services) -> View:
    """Back to the preview's summary, with its buttons (sending without a schedule)."""
    assert draft.topic is not None
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    parts = render.parts(draft, services.settings.organization_name, verified=False)
    d = draft.id
    rows = [
        [InlineKeyboardButton(siaran_texts.SUBMIT, callback_data=f"sd:{d}:ok")],
        [_button(t.SCHEDULE, d, "m")],
        [InlineKeyboardButton(siaran_texts.EDIT_TARGETS, callback_data=f"sd:{d}:g")],
        [InlineKeyboardButton(siaran_texts.CANCEL_DRAFT, callback_data=f"sd:{d}:x")],
    ]
    text = siaran_texts.preview_summary(draft.number, found.counts, found.total, len(parts))
    return text, InlineKeyboardMarkup(rows)


# --- the scheduling step ------------------------------------------------------------------


async def _draft_of(update: Update, context: KimContext, draft_id: int) -> Announcement | None:
    user = update.effective_user
    draft = await announcements.get(context.bot_data.db, draft_id)
    if user is None or draft is None or draft.author_id != user.id:
        return None
    if draft.status is not Status.DRAFT or draft.topic is None or draft.urgency is None:
        return None
    return draft


@requires(OPERATORS, "siaran.schedule")
async def on_step(update: Update, context: KimContext) -> None:
    """Every button of the scheduling step; the draft is re-read and checked each time."""
    query = update.callback_query
    assert query is not None and query.data is not None
    head, *args = query.data.removeprefix(STEP).split(":")
    draft = await _draft_of(update, context, int(head)) if head.isdigit() else None
    if draft is None or not args:
        await stale_button(update, context)
        return
    if args == ["_"]:  # calendar headings and past days
        await query.answer()
        return
    try:
        view = await _step(update, context, draft, args[0], args[1:])
    except ScheduleError as error:
        await query.answer(_plain(error.message), show_alert=True)
        return
    if view is None:
        await stale_button(update, context)
        return
    await query.answer()
    if isinstance(view, str):
        await query.edit_message_text(view)
        return
    text, keyboard = view
    await query.edit_message_text(text, reply_markup=keyboard)


def _plain(message: str) -> str:
    """Alerts show plain text: drop the HTML the catalog uses in messages."""
    return re.sub(r"</?\w+>", "", message)[:200]


async def _step(
    update: Update, context: KimContext, draft: Announcement, step: str, args: list[str]
) -> View | str | None:
    services = context.bot_data
    db = services.db
    d = draft.id
    now = services.clock.now()
    tz = services.settings.tz
    match step, args:
        case "m", []:
            return _kind_view(draft, services)
        case "bk", []:
            return await _summary_view(draft, services)
        case "c", [month]:
            return _calendar_view(d, month, "o", services)
        case "c", [month, purpose] if purpose in ("o", "e"):
            return _calendar_view(d, month, purpose, services)
        case "o", [day] if _valid_code(f"o{day}"):
            chosen = rules.make_date(int(day[:4]), int(day[4:6]), int(day[6:]))
            if chosen < now.astimezone(tz).date():
                raise ScheduleError(t.PAST_TIME)
            return _hour_view(d, f"o{day}", services)
        case "w", [bits] if bits.isdigit() and int(bits) < 128:
            return _weekly_view(d, int(bits))
        case "md", []:
            return _month_day_view(d)
        case "H", ["w0"]:
            raise ScheduleError(t.NO_DAYS)
        case "H", [code] if _valid_code(code):
            return _hour_view(d, code, services)
        case "M", [code, hour] if _valid_code(code) and hour.isdigit():
            return _minute_view(d, code, int(hour), services)
        case "T", [code, hour, minute] if _valid_code(code) and (hour + minute).isdigit():
            rule = _rule_from(code, int(hour), int(minute), now, services)
            await schedules.save_plan(db, d, author_id=draft.author_id or 0, rule=rule, now=now)
            return await _plan_view(draft, services)
        case "cr", []:
            await _ask_cron(update, context, draft)
            return t.CRON_WAITING
        case "pl", []:
            return await _plan_view(draft, services)
        case "e", []:
            if not await schedules.set_plan_end(db, d, ends_on=None, max_runs=None, now=now, tz=tz):
                return None
            return await _plan_view(draft, services)
        case "E", [day] if _valid_code(f"o{day}"):
            ends_on = rules.make_date(int(day[:4]), int(day[4:6]), int(day[6:]))
            if not await schedules.set_plan_end(
                db, d, ends_on=ends_on, max_runs=None, now=now, tz=tz
            ):
                return None
            return await _plan_view(draft, services)
        case "n", [count] if count.isdigit():
            if not await schedules.set_plan_end(
                db, d, ends_on=None, max_runs=int(count), now=now, tz=tz
            ):
                return None
            return await _plan_view(draft, services)
        case "ok", []:
            return await _submit(context, draft)
    return None


async def _submit(context: KimContext, draft: Announcement) -> str | None:
    services = context.bot_data
    assert draft.author_id is not None
    if not await schedules.submit(
        services.db, draft.id, actor_id=draft.author_id, now=services.clock.now()
    ):
        return None
    reached = await broadcast_verify.ask_verifiers(context, draft.id)
    return siaran_texts.submitted(draft.number) + (
        "" if reached else "\n\n" + siaran_texts.NO_OTHER_VERIFIER
    )


async def _ask_cron(update: Update, context: KimContext, draft: Announcement) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await context.bot.send_message(
        query.message.chat.id,
        t.ask_cron(draft.number),
        reply_markup=ForceReply(selective=True, input_field_placeholder="0 7 * * 1-5"),
    )


@requires(OPERATORS, "siaran.schedule")
async def on_cron(update: Update, context: KimContext) -> None:
    """The typed cron expression: checked, then the plan is shown with its buttons."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    match = _CRON_PROMPT.match(message.reply_to_message.text or "")
    assert match is not None  # ReplyToCronPrompt guarantees it
    draft = await _draft_of(update, context, int(match.group(1)))
    if draft is None:
        await message.reply_text(siaran_texts.NOT_A_DRAFT)
        return
    services = context.bot_data
    now = services.clock.now()
    try:
        rule = rules.cron(message.text or "", now=now, tz=services.settings.tz)
    except ScheduleError as error:
        await message.reply_text(error.message)
        await message.reply_text(
            t.ask_cron(draft.number),
            reply_markup=ForceReply(selective=True, input_field_placeholder="0 7 * * 1-5"),
        )
        return
    await schedules.save_plan(
        services.db, draft.id, author_id=draft.author_id or 0, rule=rule, now=now
    )
    view = await _plan_view(draft, services)
    assert view is not None  # just saved
    await message.reply_text(view[0], reply_markup=view[1])


# --- /jadwal ------------------------------------------------------------------------------


async def _list_view(services: Services) -> View | str:
    found = await schedules.listing(services.db)
    if not found:
        return t.NO_SCHEDULES
    tz = services.settings.tz
    entries = []
    rows: list[list[InlineKeyboardButton]] = []
    for schedule in found:
        next_run = schedule.next_run_at(tz)
        entries.append(
            t.schedule_entry(
                schedule.id,
                f"#{schedule.announcement_id}",
                schedule.topic,
                None if schedule.urgency is None else schedule.urgency.value,
                schedule.rule.describe(tz),
                t.describe_end(schedule.ends_on, schedule.max_runs)
                if schedule.rule.recurring
                else None,
                schedule.status.value,
                None if next_run is None else t.when(next_run),
                schedule.runs,
            )
        )
        toggle = (
            InlineKeyboardButton(
                t.pause_button(schedule.id), callback_data=f"{LIST}p:{schedule.id}"
            )
            if schedule.status is schedules.Status.ACTIVE
            else InlineKeyboardButton(
                t.resume_button(schedule.id), callback_data=f"{LIST}r:{schedule.id}"
            )
        )
        rows.append([toggle, InlineKeyboardButton(
            t.run_now_button(schedule.id), callback_data=f"{LIST}n:{schedule.id}"
        )])  # fmt: skip
        rows.append(
            [
                InlineKeyboardButton(
                    t.delete_button(schedule.id), callback_data=f"{LIST}d:{schedule.id}"
                )
            ]
        )
    quiet = rules.quiet_hours(services.settings).describe()
    return t.schedule_list(entries, quiet), InlineKeyboardMarkup(rows)


@command("jadwal")
async def list_command(update: Update, context: KimContext) -> None:
    """/jadwal: every running and paused schedule with its next run and buttons."""
    if update.effective_message is None:
        return
    view = await _list_view(context.bot_data)
    if isinstance(view, str):
        await update.effective_message.reply_text(view)
    else:
        await update.effective_message.reply_text(view[0], reply_markup=view[1])


@requires(OPERATORS, "jadwal.button")
async def on_list_button(update: Update, context: KimContext) -> None:
    """Pause, resume, run now, delete (after a confirmation), back to the list."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    action, _, number = query.data.removeprefix(LIST).partition(":")
    if not number.isdigit() or action not in {"p", "r", "n", "d", "D", "l"}:
        await stale_button(update, context)
        return
    services = context.bot_data
    schedule_id = int(number)
    now = services.clock.now()
    note: str | None = None
    if action == "d":
        if await schedules.get(services.db, schedule_id) is None:
            await stale_button(update, context)
            return
        confirm = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t.CONFIRM_DELETE, callback_data=f"{LIST}D:{schedule_id}"),
                    InlineKeyboardButton(t.KEEP, callback_data=f"{LIST}l:{schedule_id}"),
                ]
            ]
        )
        await query.answer()
        await query.edit_message_text(t.confirm_delete(schedule_id), reply_markup=confirm)
        return
    if action == "p":
        done = await schedules.pause(services.db, schedule_id, actor_id=user.id, now=now)
        note = t.PAUSED
    elif action == "r":
        done = await schedules.resume(
            services.db,
            schedule_id,
            actor_id=user.id,
            now=now,
            tz=services.settings.tz,
            quiet=rules.quiet_hours(services.settings),
        )
        services.schedules.wake()
        note = t.RESUMED
    elif action == "D":
        done = await schedules.delete(services.db, schedule_id, actor_id=user.id, now=now)
        note = t.DELETED
    elif action == "n":
        result = await services.schedules.run_now(schedule_id, actor_id=user.id)
        done = result != RunNow.GONE
        if result == RunNow.QUIET:
            end = t.clock(services.settings.quiet_hours_end)
            await query.answer(t.quiet_now(end), show_alert=True)
            return
        note = t.RUN_STARTED if result == RunNow.STARTED else t.RUN_EMPTY
    else:
        done = True
    if not done:
        await stale_button(update, context)
        return
    await query.answer(note)
    view = await _list_view(services)
    keyboard: InlineKeyboardMarkup | None = None
    text = view if isinstance(view, str) else view[0]
    if not isinstance(view, str):
        keyboard = view[1]
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:  # an extra run changes nothing the list shows
        if "not modified" not in error.message.lower():
            raise


# --- what the scheduler tells people ------------------------------------------------------


class TelegramRunNotifier:
    """`broadcasts.scheduler.RunNotifier` over the bot."""

    def __init__(self, bot: ExtBot[int], services: Services) -> None:
        self._bot = bot
        self._services = services

    async def run_started(
        self, schedule: Schedule, announcement_id: int, planned: datetime
    ) -> None:
        author = schedule.author_id
        if author is None:
            return
        text = t.run_started(
            schedule.id,
            f"#{announcement_id}",
            f"#{schedule.announcement_id}",
            t.when(planned.astimezone(self._services.settings.tz)),
        )
        try:
            message = await self._bot.send_message(author, text)
        except TelegramError as exc:
            log.warning("author %s not reachable: %s", author, exc)
            return
        await announcements.set_progress_message(
            self._services.db, announcement_id, author, message.message_id
        )

    async def run_empty(self, schedule: Schedule) -> None:
        if schedule.author_id is not None:
            await self._send(
                schedule.author_id, t.run_empty(schedule.id, f"#{schedule.announcement_id}")
            )

    async def runs_missed(self, schedule: Schedule, missed: Sequence[datetime], count: int) -> None:
        tz = self._services.settings.tz
        text = t.runs_missed(
            schedule.id,
            f"#{schedule.announcement_id}",
            [t.when(moment.astimezone(tz)) for moment in missed],
            count - len(missed),
        )
        for chat_id in await self._operators():
            await self._send(chat_id, text)

    async def digest(self, user_id: int, text: str) -> None:
        await self._bot.send_message(user_id, text)

    async def _operators(self) -> list[int]:
        """The operators' group when there is one, otherwise every operator and admin."""
        settings = self._services.settings
        if settings.operator_chat_id is not None:
            return [settings.operator_chat_id]
        operators = await people.holders_of(self._services.db, Role.OPERATOR)
        return sorted(set(operators) | set(settings.admin_ids))

    async def _send(self, chat_id: int, text: str) -> None:
        try:
            await self._bot.send_message(chat_id, text)
        except TelegramError as exc:
            log.warning("schedule notice to %s not delivered: %s", chat_id, exc)


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("jadwal", list_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_step, pattern=f"^{STEP}"))
    app.add_handler(CallbackQueryHandler(on_list_button, pattern=f"^{LIST}"))
    replies = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _CRON_PROMPT, on_cron))
