"""Broadcasting as one running service: sender, dispatcher and progress reports together,
started after the database opens and stopped before it closes."""

from __future__ import annotations

from bot import relay
from bot.services import Services
from broadcasts import announcements, render
from broadcasts.backlog import Alarm
from broadcasts.directory import NetworkDirectory
from broadcasts.dispatcher import Dispatcher
from broadcasts.progress import Notifier, ProgressReporter
from broadcasts.sender import Outgoing, Sender, TelegramSender
from broadcasts.turns import Pacing


class Renderer:
    """Renders each announcement once per kind of chat; announcements don't change once
    approved, so the cache never goes stale (it is bounded all the same)."""

    def __init__(self, services: Services, size: int = 64) -> None:
        self._services = services
        self._size = size
        self._cache: dict[tuple[int, str], Outgoing] = {}
        self._relay_key: bytes | None = None

    async def __call__(self, announcement_id: int, chat_kind: str) -> Outgoing | None:
        key = (announcement_id, chat_kind)
        if key not in self._cache:
            announcement = await announcements.get(self._services.db, announcement_id)
            if announcement is None:
                return None
            if self._relay_key is None:  # read (or made) once: it never changes
                self._relay_key = await relay.key(self._services.db)
            if len(self._cache) >= self._size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = render.outgoing(
                announcement,
                self._services.settings.organization_name,
                chat_kind,
                self._relay_key,
            )
        return self._cache[key]


class Broadcasting:
    def __init__(
        self,
        services: Services,
        notifier: Notifier,
        sender: Sender | None = None,
        alarm: Alarm | None = None,
    ):
        settings = services.settings
        self.sender: Sender = sender or TelegramSender(
            settings.token(),
            settings.bot_api_base_url,
            settings.resolved_file_url,
            timeout=settings.broadcast_timeout,
        )
        self.dispatcher = Dispatcher(
            services.db,
            self.sender,
            Renderer(services),
            NetworkDirectory(services.db, services.clock),
            services.clock,
            Pacing(
                per_second=settings.broadcast_rate,
                window=settings.broadcast_window,
                group_interval=settings.broadcast_group_interval,
                private_interval=settings.broadcast_private_interval,
                backoff=settings.broadcast_retry_backoff,
                max_in_flight=settings.broadcast_max_in_flight,
                storage_backoff=settings.storage_retry_backoff,
                broadcast_share=settings.broadcast_share,
            ),
            alarm,
        )
        self.progress = ProgressReporter(
            services.db, services.clock, notifier, interval=settings.progress_interval
        )
        self.dispatcher.listeners.append(self.progress.touch)

    async def start(self) -> None:
        clock = self.dispatcher.clock
        started = clock.monotonic()
        await self.sender.start()  # one request (getMe): a first measure of the answer time
        self.dispatcher.guess_answer_time(clock.monotonic() - started)
        self.dispatcher.start()
        self.progress.start()

    async def stop(self) -> None:
        await self.dispatcher.stop()
        await self.progress.stop()
        await self.sender.stop()

    def wake(self) -> None:
        self.dispatcher.wake()

    def cancel(self, announcement_id: int) -> None:
        self.dispatcher.cancel(announcement_id)
