"""Running the bot as a process: updates in, signals, and a stop that always ends.

python-telegram-bot's `run_polling` turns every SIGINT/SIGTERM into a `SystemExit` raised
inside the loop, so a second signal while it stops interrupts the stopping itself: the
`post_shutdown` that closes the database is skipped, and aiosqlite's worker thread (not a
daemon) then keeps the interpreter alive for ever. kim-bot therefore runs its own loop:

1. The first SIGTERM/SIGINT starts the stop: no new updates, the update being handled
   finishes, the scheduler and the dispatcher stop, all within `STOP_TIMEOUT` seconds. Sends
   still unanswered by then are cancelled and stay pending in the outbox (sent after the
   restart, see broadcasts/outbox.py); long work from handlers is durable already
   (broadcasts/errands.py), so nothing has to be waited for.
2. Another signal less than a second after the first is the same request delivered twice
   (GNU make forwards the group's SIGTERM to the child of `make run`) and is ignored; a later
   one cuts the stopping steps short at once.
3. Whatever happened, the database is closed last (SQLite checkpoints and removes the WAL)
   and the process exits with status 0. Should even that hang (a bug), a watchdog thread
   ends the process `STOP_TIMEOUT` + 3 seconds after the first signal, with status 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update

from bot.app import webhook_arguments
from bot.services import KimApp
from bot.settings import Settings

log = logging.getLogger(__name__)

SAME_REQUEST = 1.0  # seconds: a repeated signal within this is a duplicate delivery
CLOSE_TIMEOUT = 2.0
WATCHDOG_MARGIN = 3.0


class StopRequests:
    """What the signals asked for: `stop` after the first, `hurry` after a later one."""

    def __init__(self, on_first: Callable[[], None] = lambda: None) -> None:
        self.stop = asyncio.Event()
        self.hurry = asyncio.Event()
        self._first: float | None = None
        self._on_first = on_first

    def __call__(self, signum: int) -> None:
        name = signal.Signals(signum).name
        now = time.monotonic()
        if self._first is None:
            self._first = now
            log.info("%s received: stopping", name)
            self.stop.set()
            self._on_first()
        elif now - self._first < SAME_REQUEST:
            log.info("%s received again at once: the same request", name)
        else:
            log.warning("%s received while stopping: cutting the stop short", name)
            self.hurry.set()


@dataclass
class _Progress:
    """How far the start got, so the stop undoes exactly that."""

    initialized: bool = False
    ready: bool = False  # post_init done: database, dispatcher and scheduler running


def serve(app: KimApp, settings: Settings) -> None:
    """Polling, or a webhook when WEBHOOK_URL is set, until SIGINT/SIGTERM."""
    asyncio.run(_serve(app, settings))


async def _serve(app: KimApp, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    requests = StopRequests(on_first=lambda: _watchdog(settings.stop_timeout + WATCHDOG_MARGIN))
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, requests, signum)
    progress = _Progress()
    starting = asyncio.create_task(_start(app, settings, progress), name="kim-start")
    stop_requested = asyncio.create_task(requests.stop.wait())
    try:
        await asyncio.wait({starting, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # a failed start ends here, after the stop below
            await stop_requested
    finally:
        starting.cancel()
        stop_requested.cancel()
        await _stop(app, settings, progress, requests)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _start(app: KimApp, settings: Settings, progress: _Progress) -> None:
    """The steps of `Application.run_polling`/`run_webhook`, minus their signal handling."""
    assert app.updater is not None and app.post_init is not None
    await app.initialize()
    progress.initialized = True
    await app.post_init(app)
    progress.ready = True
    if settings.webhook_url:
        await app.updater.start_webhook(
            **webhook_arguments(settings), allowed_updates=Update.ALL_TYPES
        )
    else:
        await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
    await app.start()


async def _stop(
    app: KimApp, settings: Settings, progress: _Progress, requests: StopRequests
) -> None:
    steps = asyncio.create_task(_stopping_steps(app, progress), name="kim-stop")
    hurry = asyncio.create_task(requests.hurry.wait())
    done, _ = await asyncio.wait(
        {steps, hurry}, timeout=settings.stop_timeout, return_when=asyncio.FIRST_COMPLETED
    )
    hurry.cancel()
    if steps in done and steps.exception() is not None:
        log.error("stopping failed", exc_info=steps.exception())
    elif steps not in done:
        log.warning("stopping cut short: what is not sent yet stays in the outbox")
        steps.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await steps
    await _close_database(app)


async def _stopping_steps(app: KimApp, progress: _Progress) -> None:
    assert app.updater is not None and app.post_stop is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if progress.ready:
        await app.post_stop(app)  # scheduler, then dispatcher: sends in flight are recorded
    if progress.initialized:
        await app.shutdown()


async def _close_database(app: KimApp) -> None:
    db = vars(app.bot_data).get("db")  # absent when the start ended before opening it
    if db is None:
        return
    try:
        await asyncio.wait_for(db.close(), CLOSE_TIMEOUT)
    except Exception:
        log.exception("database %s not closed cleanly", db.path)
    else:
        log.info("database %s closed", db.path)


def _watchdog(seconds: float) -> None:
    """End the process if the stop (a bug) outlasts `seconds`; a daemon thread, so it never
    keeps the process alive itself."""

    def expire() -> None:
        os.write(2, f"kim-bot: stopping took over {seconds:g}s, exiting\n".encode())
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
