"""The composition root: builds the Application every entry point and every test uses."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot import regions
from bot.clock import Clock, SystemClock
from bot.services import KimApp, KimContext, Services
from bot.settings import Settings
from bot.storage import Database
from handlers import access, errors, menus, staff, start, status
from handlers import regions as region_handlers

log = logging.getLogger(__name__)


def file_url_for(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>; a self-hosted server does the same."""
    base = base_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file/bot"


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
        .base_file_url(settings.bot_api_base_file_url or file_url_for(settings.bot_api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        # A safety net for interactive replies (AIORateLimiter waits when Telegram says 429);
        # broadcasts pace themselves on top of it.
        .rate_limiter(AIORateLimiter(max_retries=2))
        .context_types(context_types)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()  # type: ignore[assignment]
    )
    services = app.bot_data
    services.settings = settings
    services.clock = clock or SystemClock(settings.tz)

    # Group -1 runs before every other handler and never stops them.
    app.add_handler(TypeHandler(Update, access.remember_sender), group=-1)
    for module in (start, region_handlers, status, staff):
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


async def _post_shutdown(app: KimApp) -> None:
    await app.bot_data.db.close()


@asynccontextmanager
async def running(app: KimApp, *, poll_timeout: float = 1.0) -> AsyncIterator[KimApp]:
    """Run the app with long polling inside the caller's event loop (tests, tools).

    The same steps as `Application.run_polling`, minus the signal handling that belongs to
    the process entry point.
    """
    await app.initialize()
    assert app.post_init is not None and app.post_shutdown is not None and app.updater is not None
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=int(poll_timeout) or 1)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)
