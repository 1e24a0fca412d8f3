"""The typed shared state handlers receive as `context.bot_data`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.clock import Clock
from bot.settings import Settings
from bot.storage import Database


class Services:
    """Database, settings and clock for every handler.

    python-telegram-bot creates `bot_data` by calling this class with no arguments, so the
    attributes are filled by `build_application` (settings, clock) and `post_init` (db)
    before the first update is handled.
    """

    settings: Settings
    clock: Clock
    db: Database
    started_at: datetime
    last_error_alert: datetime | None = None


class KimContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], Services]):
    """The callback context of every kim-bot handler: `context.bot_data` is `Services`."""


KimApp = Application[
    ExtBot[int], KimContext, dict[Any, Any], dict[Any, Any], Services, JobQueue[KimContext]
]
