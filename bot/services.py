"""The typed shared state handlers receive as `context.bot_data`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import DeliveryClock
from bot.flood import FloodGate
from bot.settings import Settings
from bot.storage import Database
from bot.waiting import Waiting


class Delivery(Protocol):
    """The running dispatcher, as handlers see it."""

    def wake(self) -> None:
        """New outbox rows were written: start sending now."""

    def cancel(self, announcement_id: int) -> None:
        """Drop that announcement's rows that are about to be sent."""

    async def stop(self) -> None:
        """Finish the sends in flight and stop (cancel it not to wait: the outbox keeps
        whatever is still owed)."""


class Timetable(Protocol):
    """The running scheduler, as handlers see it."""

    def wake(self) -> None:
        """Schedules changed: look for due runs now."""

    async def run_now(self, schedule_id: int, *, actor_id: int) -> str:
        """Start one extra run; returns what happened (see broadcasts.scheduler.RunNow)."""

    async def stop(self) -> None:
        """No new runs; a check in progress finishes first."""


class WhatsAppReceiver(Protocol):
    """The running WhatsApp webhook, as the composition root sees it."""

    async def stop(self) -> None:
        """No new webhook POSTs; messages being answered finish first (briefly)."""


class Services:
    """Database, settings and clock for every handler.

    python-telegram-bot creates `bot_data` by calling this class with no arguments, so the
    attributes are filled by `build_application` (settings, clock, waiting, flood) and
    `post_init` (db) before the first update is handled.
    """

    settings: Settings
    clock: DeliveryClock
    flood: FloodGate
    db: Database
    delivery: Delivery
    schedules: Timetable
    waiting: Waiting
    started_at: datetime
    whatsapp: WhatsAppReceiver | None = None  # with the WHATSAPP_* settings, from post_init
    last_error_alert: datetime | None = None


class KimContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], Services]):
    """The callback context of every kim-bot handler: `context.bot_data` is `Services`."""


# No JobQueue: the project's own scheduler (broadcasts/scheduler.py) runs every schedule.
KimApp = Application[ExtBot[int], KimContext, dict[Any, Any], dict[Any, Any], Services, None]
