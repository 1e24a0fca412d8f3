"""The scheduling step of /siaran.

At the preview the author presses "🗓 Jadwalkan lalu kirim ke verifikator", picks once (a
calendar of day buttons), daily, weekly (day toggles), monthly (a day) or a cron expression
(the only typed input, as a reply to the bot's prompt), then the hour and minute by buttons,
then for a repeating rule an end (a date, a number of runs, or none). Until the rule is
complete it travels in the buttons (`handlers.siaran_buttons`, `broadcasts.picks`); a
complete rule is saved with the draft and submitted with it. The verifier's approval
(`broadcasts.approval`) then starts the schedule.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import filters

from bot import texts
from bot.people import OPERATORS
from bot.services import KimApp, KimContext, Services
from bot.texts import jadwal as t
from bot.texts import siaran as siaran_texts
from broadcasts import announcements, approval, rules, schedules
from broadcasts.announcements import Announcement
from broadcasts.picks import Pick, day_number, day_of
from broadcasts.rules import DAYS, RuleKind, ScheduleError
from handlers import broadcast_verify
from handlers import siaran_buttons as b
from handlers.access import requires
from handlers.broadcast_compose import on_draft_press, rows, summary
from handlers.layout import View
from handlers.presses import Press
from handlers.prompts import answer_handlers, prompt_answer

MINUTES = tuple(range(0, 60, 5))
RUN_COUNTS = (4, 8, 12, 52)
MONTHS_AHEAD = 12
ACTION = "siaran.schedule"
_CRON_PROMPT = re.compile(rf"^{re.escape(t.ASK_CRON_PREFIX)} #(\d+)")


def _today(services: Services) -> date:
    return services.clock.now().astimezone(services.settings.tz).date()


async def on_kinds(press: Press[b.PlanKinds], draft: Announcement) -> View:
    d, services = draft.id, press.services
    this_month = _today(services).year * 100 + _today(services).month
    keyboard = [
        [
            b.Calendar(d, this_month, False).button(t.KIND_LABELS["once"]),
            b.Time(d, RuleKind.DAILY, 0).button(t.KIND_LABELS["daily"]),
        ],
        [
            b.WeekDays(d, 0).button(t.KIND_LABELS["weekly"]),
            b.MonthDays(d).button(t.KIND_LABELS["monthly"]),
        ],
        [b.AskCron(d).button(t.KIND_LABELS["cron"])],
        [b.BackToSummary(d).button(t.BACK_TO_PREVIEW)],
    ]
    zone = rules.zone_name(services.settings.tz)
    return t.choose_kind(draft.number, zone), InlineKeyboardMarkup(keyboard)


async def on_back(press: Press[b.BackToSummary], draft: Announcement) -> View:
    """Back to the preview's summary, with its buttons (sending without a schedule)."""
    return await summary(press.services, draft)


async def on_inert(press: Press[b.Inert], draft: Announcement) -> str:
    return ""  # answered, nothing shown


async def on_calendar(press: Press[b.Calendar], draft: Announcement) -> View | None:
    """A month of day buttons; days already past are dots that do nothing."""
    d, month, for_end = draft.id, press.data.month, press.data.for_end
    year, number = divmod(month, 100)
    today = _today(press.services)
    index = (year - today.year) * 12 + number - today.month
    if not 1 <= number <= 12 or not 0 <= index <= MONTHS_AHEAD:
        return None
    keyboard = [[b.Inert(d).button(t.DAY_SHORT[day]) for day in DAYS]]
    for week in calendar.Calendar().monthdayscalendar(year, number):
        keyboard.append([_day_button(d, date(year, number, day) if day else None, today, for_end)
                         for day in week])  # fmt: skip
    navigation = []
    if index > 0:
        navigation.append(b.Calendar(d, _month_after(month, -1), for_end).button("‹"))
    navigation.append(b.Inert(d).button(f"{texts.MONTHS[number - 1]} {year}"))
    if index < MONTHS_AHEAD:
        navigation.append(b.Calendar(d, _month_after(month, 1), for_end).button("›"))
    keyboard.append(navigation)
    back = b.ShowPlan(d) if for_end else b.PlanKinds(d)
    keyboard.append([back.button(texts.BACK)])
    return (t.PICK_END_DATE if for_end else t.PICK_DATE), InlineKeyboardMarkup(keyboard)


def _month_after(month: int, step: int) -> int:
    """The YYYYMM number `step` months after `month`."""
    year, index = divmod(month // 100 * 12 + month % 100 - 1 + step, 12)
    return year * 100 + index + 1


def _day_button(d: int, day: date | None, today: date, for_end: bool) -> InlineKeyboardButton:
    if day is None or day < today:
        return b.Inert(d).button(t.PAST_DAY if day else " ")
    if for_end:
        return b.End(d, day_number(day), None).button(str(day.day))
    return b.Time(d, RuleKind.ONCE, day_number(day)).button(str(day.day))


async def on_week_days(press: Press[b.WeekDays], draft: Announcement) -> View | None:
    d, bits = draft.id, press.data.bits
    if not 0 <= bits < 1 << len(DAYS):
        return None
    toggles = [
        b.WeekDays(d, bits ^ (1 << i)).button(("✅ " if bits & (1 << i) else "") + t.DAY_NAMES[day])
        for i, day in enumerate(DAYS)
    ]
    keyboard = rows(toggles, 3)
    next_step = b.Time(d, RuleKind.WEEKLY, bits).button(t.NEXT)
    keyboard.append([b.PlanKinds(d).button(texts.BACK), next_step])
    return t.PICK_DAYS, InlineKeyboardMarkup(keyboard)


async def on_month_days(press: Press[b.MonthDays], draft: Announcement) -> View:
    d = draft.id
    keyboard = rows([b.Time(d, RuleKind.MONTHLY, n).button(str(n)) for n in range(1, 32)], 7)
    keyboard.append([b.PlanKinds(d).button(texts.BACK)])
    return t.PICK_MONTH_DAY, InlineKeyboardMarkup(keyboard)


async def on_time(press: Press[b.Time], draft: Announcement) -> View | None:
    """The hours of a picked rule, then its minutes; with both, the rule is saved."""
    data = press.data
    d, kind, value, hour, minute = data.draft, data.kind, data.value, data.hour, data.minute
    pick, services = Pick(kind, value), press.services
    if not pick.check(_today(services)) or not 0 <= (hour or 0) <= 23:
        return None
    label, now = pick.describe(services.settings.tz), services.clock.now()
    if hour is None:
        hours = [b.Time(d, kind, value, h).button(f"{h:02d}") for h in range(24)]
        keyboard = [*rows(hours, 6), [b.PlanKinds(d).button(texts.BACK)]]
        return t.pick_hour(label), InlineKeyboardMarkup(keyboard)
    if minute is None:
        minutes = [b.Time(d, kind, value, hour, m).button(f"{hour:02d}.{m:02d}") for m in MINUTES]
        keyboard = [*rows(minutes, 4), [b.Time(d, kind, value).button(texts.BACK)]]
        return t.pick_minute(label), InlineKeyboardMarkup(keyboard)
    rule = pick.rule(hour, minute, now=now, tz=services.settings.tz)
    await schedules.save_plan(services.db, d, author_id=press.user.id, rule=rule, now=now)
    return await _plan_view(draft, services)


async def on_plan(press: Press[b.ShowPlan], draft: Announcement) -> View | None:
    return await _plan_view(draft, press.services)


async def on_end(press: Press[b.End], draft: Announcement) -> View | None:
    on, runs = press.data.on, press.data.runs
    if on is not None and (runs is not None or not 10000101 <= on <= 99991231):
        return None
    services = press.services
    if not await schedules.set_plan_end(
        services.db,
        draft.id,
        ends_on=None if on is None else day_of(on),
        max_runs=runs,
        now=services.clock.now(),
        tz=services.settings.tz,
    ):
        return None
    return await _plan_view(draft, services)


async def _plan_view(draft: Announcement, services: Services) -> View | None:
    plan = await schedules.plan_of(services.db, draft.id)
    if plan is None:
        return None
    tz, now = services.settings.tz, services.clock.now()
    quiet = rules.quiet_hours(services.settings)
    started = approval.first_run(plan.rule, draft.urgency, now, tz, quiet)
    first = None if started is None else t.when(started[1])
    moved = started is not None and started[0] != started[1]
    end = t.describe_end(plan.ends_on, plan.max_runs)
    rule = plan.rule.describe(tz)
    text = t.plan_summary(draft.number, rule, end, first, moved, plan.rule.recurring)
    d = draft.id
    keyboard: list[list[InlineKeyboardButton]] = []
    if plan.rule.recurring:
        today = now.astimezone(tz).date()
        until = b.Calendar(d, today.year * 100 + today.month, True)
        keyboard.append([b.End(d, None, None).button(t.END_NEVER), until.button(t.END_DATE)])
        keyboard.append([b.End(d, None, n).button(t.end_count(n)) for n in RUN_COUNTS])
    keyboard.append([b.SubmitPlan(d).button(t.SUBMIT_PLAN)])
    keyboard.append([b.PlanKinds(d).button(t.CHANGE_PLAN)])
    keyboard.append([b.Cancel(d).button(siaran_texts.CANCEL_DRAFT)])
    return text, InlineKeyboardMarkup(keyboard)


async def on_submit(press: Press[b.SubmitPlan], draft: Announcement) -> View | None:
    services = press.services
    if not await schedules.submit(
        services.db, draft.id, actor_id=press.user.id, now=services.clock.now()
    ):
        return None
    reached = await broadcast_verify.ask_verifiers(press.context, draft.id)
    note = siaran_texts.submitted(draft.number)
    return note + ("" if reached else "\n\n" + siaran_texts.NO_OTHER_VERIFIER), None


async def on_ask_cron(press: Press[b.AskCron], draft: Announcement) -> View | None:
    if press.chat is None:
        return None
    await press.context.bot.send_message(
        press.chat.id, t.ask_cron(draft.number), reply_markup=_cron_field()
    )
    return t.CRON_WAITING, None


def _cron_field() -> ForceReply:
    return ForceReply(selective=True, input_field_placeholder=t.CRON_PLACEHOLDER)


@requires(OPERATORS, ACTION)
async def on_cron(update: Update, context: KimContext) -> None:
    """The typed cron expression: checked, then the plan is shown with its buttons."""
    message, user, match = prompt_answer(update, _CRON_PROMPT)
    services = context.bot_data
    draft_id = int(match.group(1))
    draft = await announcements.draft_of(services.db, draft_id, user.id, complete=True)
    if draft is None:
        await message.reply_text(siaran_texts.NOT_A_DRAFT)
        return
    now = services.clock.now()
    try:
        rule = rules.cron(message.text or "", now=now, tz=services.settings.tz)
    except ScheduleError as error:
        await message.reply_text(error.message)
        await message.reply_text(t.ask_cron(draft.number), reply_markup=_cron_field())
        return
    await schedules.save_plan(services.db, draft.id, author_id=user.id, rule=rule, now=now)
    view = await _plan_view(draft, services)
    assert view is not None  # just saved
    await message.reply_text(view[0], reply_markup=view[1])


def register(app: KimApp) -> None:
    on_draft_press(app, b.PlanKinds, on_kinds, action=ACTION)
    on_draft_press(app, b.BackToSummary, on_back, action=ACTION)
    on_draft_press(app, b.Inert, on_inert, action=ACTION)
    on_draft_press(app, b.Calendar, on_calendar, action=ACTION)
    on_draft_press(app, b.WeekDays, on_week_days, action=ACTION)
    on_draft_press(app, b.MonthDays, on_month_days, action=ACTION)
    on_draft_press(app, b.Time, on_time, action=ACTION)
    on_draft_press(app, b.ShowPlan, on_plan, action=ACTION)
    on_draft_press(app, b.End, on_end, action=ACTION)
    on_draft_press(app, b.SubmitPlan, on_submit, action=ACTION)
    on_draft_press(app, b.AskCron, on_ask_cron, action=ACTION)
    replies = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    app.add_handlers(answer_handlers(app, replies, _CRON_PROMPT, on_cron))
