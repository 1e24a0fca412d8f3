"""The composition root: builds the Application every entry point and every test uses."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot import regions
from bot.clock import Clock, SystemClock
from bot.flood import FloodGate
from bot.ratelimits import SharedRateLimiter
from bot.services import KimApp, KimContext, Services
from bot.settings import Settings
from bot.storage import Database
from bot.updates import PerChatUpdateProcessor
from broadcasts.scheduler import Scheduler
from broadcasts.service import Broadcasting
from handlers import (
    access,
    blankspots,
    broadcast_compose,
    broadcast_history,
    broadcast_progress,
    broadcast_verify,
    channels,
    check,
    coverage,
    errors,
    flood,
    forwarded,
    guard,
    kim_groups,
    menus,
    posters,
    reactions,
    reports,
    schedules,
    staff,
    start,
    status,
    subscriptions,
    triage,
)
from handlers import regions as region_handlers

log = logging.getLogger(__name__)

CONCURRENT_CHATS = 16  # chats whose updates are handled at the same moment


def build_application(settings: Settings, *, clock: Clock | None = None) -> KimApp:
    """A ready, not yet running Application; the database opens in post_init."""
    # Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after and
    # friends); the old int/float form is deprecated and warns on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    context_types = ContextTypes(context=KimContext, bot_data=Services)
    # The builder's generics cannot follow ContextTypes into the JobQueue parameter.
    app: KimApp = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.resolved_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        # A safety net for interactive replies (AIORateLimiter waits when Telegram says 429)
        # that also lets the broadcast pacer count them (bot/ratelimits.py).
        .rate_limiter(SharedRateLimiter(max_retries=2))
        # Chats side by side, each chat's updates in order: one busy chat holds up no other.
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_CHATS))
        .context_types(context_types)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()  # type: ignore[assignment]
    )
    services = app.bot_data
    services.settings = settings
    services.clock = clock or SystemClock(settings.tz)
    services.flood = FloodGate(settings.answers_per_minute, settings.staff_answers_per_minute)

    # Group -2, first of all: an update past its sender's limit goes no further.
    flood.register(app)
    # Group -1 runs before every other handler and never stops them.
    app.add_handler(TypeHandler(Update, access.remember_sender), group=-1)
    # subscriptions first: its deep-link /start <payload> must win over the plain /start.
    # reports too (its /start lpr<n>), and before any handler of plain private messages:
    # a message sent after /lapor is the report.
    for module in (
        subscriptions,
        reports,
        triage,
        start,
        region_handlers,
        kim_groups,
        channels,
        coverage,
        posters,
        broadcast_compose,
        broadcast_verify,
        broadcast_progress,
        broadcast_history,
        schedules,
        reactions,
        check,
        blankspots,
        guard,  # its group watcher runs in a handler group of its own, beside these
        status,
        staff,
        # After every conversation: a forwarded message nobody is waiting for.
        forwarded,
    ):
        module.register(app)
    # Last in group 0: buttons no module recognised (old keyboards, forged data).
    app.add_handler(CallbackQueryHandler(access.stale_button))
    errors.register(app)
    return app


async def _post_init(app: KimApp) -> None:
    services = app.bot_data
    services.db = await Database.open(services.settings.database_path)
    kecamatan, desa = await regions.load_regency(services.db, services.settings.region_code)
    services.started_at = services.clock.now()
    log.info(
        "ready for %s: %d kecamatan, %d desa/kelurahan",
        services.settings.regency_name,
        kecamatan,
        desa,
    )
    await menus.refresh_all(app.bot, services)
    broadcasting = Broadcasting(services, broadcast_progress.TelegramNotifier(app.bot))
    await broadcasting.start()
    services.delivery = broadcasting
    if isinstance(app.bot.rate_limiter, SharedRateLimiter):
        app.bot.rate_limiter.on_message = broadcasting.dispatcher.reserve
    # After delivery: catching up on missed runs at start writes outboxes and wakes it.
    scheduler = Scheduler(
        services.db,
        services.settings,
        services.clock,
        broadcasting,
        schedules.TelegramRunNotifier(app.bot, services),
    )
    services.schedules = scheduler
    await scheduler.start()


async def _post_stop(app: KimApp) -> None:
    # Sends in flight finish and are recorded while the bot and the database are still open.
    await app.bot_data.schedules.stop()
    await app.bot_data.delivery.stop()


async def _post_shutdown(app: KimApp) -> None:
    await app.bot_data.db.close()


@asynccontextmanager
async def running(app: KimApp, *, poll_timeout: float = 1.0) -> AsyncIterator[KimApp]:
    """Run the app with long polling inside the caller's event loop (tests, tools).

    The same steps as `Application.run_polling`, minus the signal handling that belongs to
    the process entry point.
    """
    await app.initialize()
    assert app.post_init and app.post_stop and app.post_shutdown and app.updater
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=int(poll_timeout) or 1)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)
