"""/jadwal: the running and paused schedules, with pause / resume / run now / delete buttons,
and what the scheduler tells people. Schedules are made in /siaran's scheduling step
(`handlers.schedule_step`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler, ExtBot, filters

from bot import people
from bot.buttons import ButtonData
from bot.people import OPERATORS, Role
from bot.services import KimApp, KimContext, Services
from bot.texts import jadwal as t
from broadcasts import rules, schedules
from broadcasts.scheduler import RunNow
from broadcasts.schedules import Schedule
from handlers.access import command, stale_button
from handlers.broadcast_progress import open_progress, tell
from handlers.layout import View, reply_view
from handlers.presses import Press, on_press

log = logging.getLogger(__name__)
L = TypeVar("L", bound="Listing")


@dataclass(frozen=True)
class Listing(ButtonData, prefix="jw"):
    """Back to the list (keeping the schedule); every /jadwal button names its schedule."""

    schedule: int


class Pause(Listing, prefix="jwp"): ...


class Resume(Listing, prefix="jwr"): ...


class RunExtra(Listing, prefix="jwn"): ...


class AskDelete(Listing, prefix="jwd"): ...


class Delete(Listing, prefix="jwx"): ...


# --- /jadwal ------------------------------------------------------------------------------


async def _list_view(services: Services) -> View:
    found = await schedules.listing(services.db)
    if not found:
        return t.NO_SCHEDULES, None
    tz = services.settings.tz
    entries = []
    keyboard = []
    for schedule in found:
        next_run = schedule.next_run_at(tz)
        recurring = schedule.rule.recurring
        entries.append(
            t.schedule_entry(
                schedule.id,
                f"#{schedule.announcement_id}",
                schedule.topic,
                None if schedule.urgency is None else schedule.urgency.value,
                schedule.rule.describe(tz),
                t.describe_end(schedule.ends_on, schedule.max_runs) if recurring else None,
                schedule.status.value,
                None if next_run is None else t.when(next_run),
                schedule.runs,
            )
        )
        n = schedule.id
        active = schedule.status is schedules.Status.ACTIVE
        toggle = (
            Pause(n).button(t.pause_button(n)) if active else Resume(n).button(t.resume_button(n))
        )
        keyboard.append([toggle, RunExtra(n).button(t.run_now_button(n))])
        keyboard.append([AskDelete(n).button(t.delete_button(n))])
    quiet = rules.quiet_hours(services.settings).describe()
    return t.schedule_list(entries, quiet), InlineKeyboardMarkup(keyboard)


@command("jadwal")
async def list_command(update: Update, context: KimContext) -> None:
    """/jadwal: every running and paused schedule with its next run and buttons."""
    await reply_view(update, await _list_view(context.bot_data))


async def _show_list(press: Press[L], done: bool, note: str | None = None) -> None:
    """After a change: its note as the answer and the list as it is now."""
    if not done:
        await stale_button(press.update, press.context)
        return
    await press.answer(note)
    text, keyboard = await _list_view(press.services)
    try:
        await press.query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:  # an extra run changes nothing the list shows
        if "not modified" not in error.message.lower():
            raise


async def on_list(press: Press[Listing]) -> None:
    await _show_list(press, True)


async def on_pause(press: Press[Pause]) -> None:
    services = press.services
    done = await schedules.pause(
        services.db, press.data.schedule, actor_id=press.user.id, now=services.clock.now()
    )
    await _show_list(press, done, t.PAUSED)


async def on_resume(press: Press[Resume]) -> None:
    services = press.services
    done = await schedules.resume(
        services.db,
        press.data.schedule,
        actor_id=press.user.id,
        now=services.clock.now(),
        tz=services.settings.tz,
        quiet=rules.quiet_hours(services.settings),
    )
    services.schedules.wake()
    await _show_list(press, done, t.RESUMED)


async def on_run_now(press: Press[RunExtra]) -> None:
    services = press.services
    result = await services.schedules.run_now(press.data.schedule, actor_id=press.user.id)
    if result == RunNow.QUIET:
        end = t.clock(services.settings.quiet_hours_end)
        await press.answer(t.quiet_now(end), alert=True)
        return
    note = t.RUN_STARTED if result == RunNow.STARTED else t.RUN_EMPTY
    await _show_list(press, result != RunNow.GONE, note)


async def on_ask_delete(press: Press[AskDelete]) -> None:
    schedule_id = press.data.schedule
    if await schedules.get(press.services.db, schedule_id) is None:
        await stale_button(press.update, press.context)
        return
    confirm = [Delete(schedule_id).button(t.CONFIRM_DELETE), Listing(schedule_id).button(t.KEEP)]
    await press.edit(t.confirm_delete(schedule_id), InlineKeyboardMarkup([confirm]))


async def on_delete(press: Press[Delete]) -> None:
    services = press.services
    done = await schedules.delete(
        services.db, press.data.schedule, actor_id=press.user.id, now=services.clock.now()
    )
    await _show_list(press, done, t.DELETED)


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
        await open_progress(self._bot, self._services.db, announcement_id, author, text)

    async def run_empty(self, schedule: Schedule) -> None:
        if schedule.author_id is not None:
            await tell(
                self._bot,
                schedule.author_id,
                t.run_empty(schedule.id, f"#{schedule.announcement_id}"),
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
            await tell(self._bot, chat_id, text)

    async def digest(self, user_id: int, text: str) -> None:
        await self._bot.send_message(user_id, text)

    async def _operators(self) -> list[int]:
        """The operators' group when there is one, otherwise every operator and admin."""
        settings = self._services.settings
        if settings.operator_chat_id is not None:
            return [settings.operator_chat_id]
        operators = await people.holders_of(self._services.db, Role.OPERATOR)
        return sorted(set(operators) | set(settings.admin_ids))


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("jadwal", list_command, filters.ChatType.PRIVATE))
    action = "jadwal.button"
    on_press(app, Listing, on_list, allowed=OPERATORS, action=action)
    on_press(app, Pause, on_pause, allowed=OPERATORS, action=action)
    on_press(app, Resume, on_resume, allowed=OPERATORS, action=action)
    on_press(app, RunExtra, on_run_now, allowed=OPERATORS, action=action)
    on_press(app, AskDelete, on_ask_delete, allowed=OPERATORS, action=action)
    on_press(app, Delete, on_delete, allowed=OPERATORS, action=action)
