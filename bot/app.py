"""The composition root: builds the Application every entry point and every test uses."""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot import keyboards, regions
from bot.clock import DeliveryClock, SystemClock
from bot.flood import FloodGate
from bot.ratelimits import SharedRateLimiter
from bot.services import KimApp, KimContext, Services
from bot.settings import Settings, SettingsError
from bot.storage import Database
from bot.updates import PerChatUpdateProcessor
from bot.waiting import Waiting
from broadcasts.scheduler import Scheduler
from broadcasts.service import Broadcasting
from handlers import (
    access,
    answers,
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
    kim_decisions,
    kim_groups,
    memberships,
    menus,
    posters,
    reactions,
    reports,
    schedule_step,
    schedules,
    signal_reports,
    staff,
    start,
    status,
    subscriptions,
    triage,
    waiting,
    whatsapp,
)
from handlers import regions as region_handlers

log = logging.getLogger(__name__)

CONCURRENT_CHATS = 16  # chats whose updates are handled at the same moment


def build_application(settings: Settings, *, clock: DeliveryClock | None = None) -> KimApp:
    """A ready, not yet running Application; the database opens in post_init."""
    # Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after and
    # friends); the old int/float form is deprecated and warns on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    context_types = ContextTypes(context=KimContext, bot_data=Services)
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
        # PTB builds its own APScheduler whenever APScheduler is installed; schedules run in
        # broadcasts/scheduler.py (our table, our misfire rule), so there is no second one.
        .job_queue(None)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    services = app.bot_data
    services.settings = settings
    services.clock = clock or SystemClock(settings.tz)
    services.waiting = Waiting(settings.waiting_step_timeout)
    services.flood = FloodGate(settings.answers_per_minute, settings.staff_answers_per_minute)
    _register(app)
    return app


def _register(app: KimApp) -> None:
    """Every handler in one place, because their order decides which one takes an update."""
    # Groups below 0 run before every other handler, in this order, one handler per group:
    # an update past its sender's limit goes no further (-3); a button press whose data is
    # not on the pressed message (forged or stale) goes no further (-2); the sender of a
    # private message is remembered (-1).
    flood.register(app, group=-3)
    app.add_handler(CallbackQueryHandler(access.genuine_button), group=-2)
    app.add_handler(TypeHandler(Update, access.remember_sender), group=-1)
    # First in group 0, before any module: edited messages stop here (nothing runs twice),
    # and staff commands sent in a group are answered privately, never in the group.
    answers.register_first(app)
    # subscriptions first: its deep-link /start <payload> must win over the plain /start.
    # reports too (its /start lpr<n>), and before any handler of plain private messages:
    # a message sent after /lapor is the report.
    for module in (
        subscriptions,
        reports,
        triage,
        start,
        region_handlers,
        memberships,  # the bot added to or removed from a chat, before the commands there
        kim_decisions,
        kim_groups,
        channels,
        coverage,
        posters,
        broadcast_compose,
        broadcast_verify,
        broadcast_progress,
        broadcast_history,
        schedules,
        schedule_step,
        reactions,
        check,
        blankspots,
        signal_reports,
        guard,  # its group watcher runs in a handler group of its own, beside these
        status,
        staff,
        # After every flow's own step handlers: /batal, answers that came too late, and
        # (in a group after group 0) any command ends the step it finds open.
        waiting,
        # After every conversation: a forwarded message nobody is waiting for.
        forwarded,
    ):
        module.register(app)
    # After everything else that reads messages: a private message or command nobody took.
    answers.register_last(app)
    # Last in group 0: buttons no module recognised (old keyboards, forged data).
    app.add_handler(CallbackQueryHandler(access.stale_button))
    errors.register(app)


async def _post_init(app: KimApp) -> None:
    services = app.bot_data
    services.db = await Database.open(services.settings.database_path)
    kecamatan, desa = await regions.load_regency(services.db, services.settings.region_code)
    services.started_at = services.clock.now()
    await keyboards.prune(services.db, services.started_at)
    log.info(
        "ready for %s: %d kecamatan, %d desa/kelurahan",
        services.settings.regency_name,
        kecamatan,
        desa,
    )
    await menus.refresh_all(app.bot, services)
    broadcasting = Broadcasting(
        services,
        broadcast_progress.TelegramNotifier(app.bot, services),
        alarm=errors.OperatorAlarm(app.bot, services),
    )
    await broadcasting.start()
    services.delivery = broadcasting
    if isinstance(app.bot.rate_limiter, SharedRateLimiter):
        app.bot.rate_limiter.on_message = broadcasting.dispatcher.pacer.reserve
        app.bot.rate_limiter.on_landed = broadcasting.dispatcher.pacer.landed
        app.bot.rate_limiter.on_answer = functools.partial(_record_keyboard, services)
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
    if services.settings.whatsapp_enabled:
        # Last: a villager's first message may already need the dispatcher and the database.
        channel = broadcasting.whatsapp
        receiver = whatsapp.WhatsAppWebhook(
            services, budget=channel.pacer if channel is not None else None
        )
        await receiver.start()
        services.whatsapp = receiver


async def _record_keyboard(
    services: Services, endpoint: str, params: dict[str, Any], answer: object
) -> None:
    await keyboards.record_answer(services.db, endpoint, params, answer, services.clock.now())


async def _post_stop(app: KimApp) -> None:
    # WhatsApp first: no new messages while the rest stops, its replies still go out.
    receiver = app.bot_data.whatsapp
    if receiver is not None:
        app.bot_data.whatsapp = None
        await receiver.stop()
    # Sends in flight finish and are recorded while the bot and the database are still open.
    await app.bot_data.schedules.stop()
    await app.bot_data.delivery.stop()


async def _post_shutdown(app: KimApp) -> None:
    # PTB runs this even when start-up failed before post_init opened the database.
    db: Database | None = getattr(app.bot_data, "db", None)
    if db is not None:
        await db.close()


class WebhookArguments(TypedDict):
    """What `Application.run_webhook` and `Updater.start_webhook` both take, by name."""

    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str


def webhook_arguments(settings: Settings) -> WebhookArguments:
    """The webhook listener as settings describe it; production and tests start the same one.

    The listener answers only on the path of WEBHOOK_URL (PTB reads `url_path` as a regular
    expression, hence the escape) and only to requests carrying WEBHOOK_SECRET; the token
    appears in neither, so no proxy or access log can leak it.
    """
    if settings.webhook_url is None or settings.webhook_secret is None:  # load_settings checks
        raise SettingsError("WEBHOOK_URL dan WEBHOOK_SECRET wajib diisi untuk webhook")
    return WebhookArguments(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=re.escape(settings.webhook_path),
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
    )


@asynccontextmanager
async def running(
    app: KimApp, *, poll_timeout: float = 1.0, webhook: bool = False
) -> AsyncIterator[KimApp]:
    """Run the app inside the caller's event loop (tests, tools): polling, or the webhook.

    The same steps as `Application.run_polling` / `run_webhook`, minus the signal handling
    that belongs to the process entry point.
    """
    await app.initialize()
    assert app.post_init and app.post_stop and app.post_shutdown and app.updater
    await app.post_init(app)
    if webhook:
        await app.updater.start_webhook(
            **webhook_arguments(app.bot_data.settings), allowed_updates=Update.ALL_TYPES
        )
    else:
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
