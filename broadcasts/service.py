"""Broadcasting as one running service: senders, dispatchers and progress reports together,
started after the database opens and stopped before it closes.

One dispatcher per channel: Telegram's always, WhatsApp's when it is set up. Each has its
own sender, pacing and gate, and takes only its channel's rows, so a WhatsApp pause, a
pair limit or a day's tier never slows Telegram, nor the other way round.
"""

from __future__ import annotations

import asyncio

from bot import relay
from bot.addresses import Channel
from bot.services import Services
from broadcasts import announcements, render, whatsapp_render
from broadcasts.backlog import Alarm
from broadcasts.directory import NetworkDirectory
from broadcasts.dispatcher import Dispatcher
from broadcasts.progress import Notifier, ProgressReporter
from broadcasts.sender import Outgoing, Sender, TelegramSender
from broadcasts.turns import Pacing
from broadcasts.whatsapp import WhatsAppSender


class Renderer:
    """Renders each announcement once per kind of chat; announcements don't change once
    approved, so the cache never goes stale (it is bounded all the same)."""

    def __init__(
        self, services: Services, size: int = 64, channel: Channel = Channel.TELEGRAM
    ) -> None:
        self._services = services
        self._size = size
        self._channel = channel
        self._cache: dict[tuple[int, str], Outgoing] = {}
        self._relay_key: bytes | None = None

    async def __call__(self, announcement_id: int, chat_kind: str) -> Outgoing | None:
        key = (announcement_id, chat_kind)
        if key not in self._cache:
            announcement = await announcements.get(self._services.db, announcement_id)
            if announcement is None:
                return None
            if len(self._cache) >= self._size:
                self._cache.pop(next(iter(self._cache)))
            organization = self._services.settings.organization_name
            if self._channel is Channel.WHATSAPP:
                self._cache[key] = whatsapp_render.outgoing(announcement, organization)
                return self._cache[key]
            if self._relay_key is None:  # read (or made) once: it never changes
                self._relay_key = await relay.key(self._services.db)
            self._cache[key] = render.outgoing(
                announcement, organization, chat_kind, self._relay_key
            )
        return self._cache[key]


class Broadcasting:
    def __init__(
        self,
        services: Services,
        notifier: Notifier,
        sender: Sender | None = None,
        alarm: Alarm | None = None,
        whatsapp_sender: Sender | None = None,
    ):
        settings = services.settings
        self.sender: Sender = sender or TelegramSender(
            settings.token(),
            settings.bot_api_base_url,
            settings.resolved_file_url,
            timeout=settings.broadcast_timeout,
        )
        directory = NetworkDirectory(services.db, services.clock)
        self.dispatcher = Dispatcher(
            services.db,
            self.sender,
            Renderer(services),
            directory,
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
        self.whatsapp: Dispatcher | None = None
        self.whatsapp_sender: Sender | None = None
        if whatsapp_sender is not None or settings.whatsapp_enabled:
            self.whatsapp_sender = whatsapp_sender or WhatsAppSender.from_settings(
                settings, services.db, services.clock
            )
            self.whatsapp = _whatsapp(services, self.whatsapp_sender, directory, alarm)
            self.whatsapp.listeners.append(self.progress.touch)

    @property
    def dispatchers(self) -> list[Dispatcher]:
        return [self.dispatcher, *([self.whatsapp] if self.whatsapp is not None else [])]

    async def start(self) -> None:
        clock = self.dispatcher.clock
        started = clock.monotonic()
        await self.sender.start()  # one request (getMe): a first measure of the answer time
        self.dispatcher.guess_answer_time(clock.monotonic() - started)
        if self.whatsapp is not None and self.whatsapp_sender is not None:
            await self.whatsapp_sender.start()
        for dispatcher in self.dispatchers:
            dispatcher.start()
        self.progress.start()

    async def stop(self) -> None:
        await asyncio.gather(*(dispatcher.stop() for dispatcher in self.dispatchers))
        await self.progress.stop()
        await self.sender.stop()
        if self.whatsapp_sender is not None:
            await self.whatsapp_sender.stop()

    def wake(self) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.wake()

    def cancel(self, announcement_id: int) -> None:
        for dispatcher in self.dispatchers:
            dispatcher.cancel(announcement_id)


WHATSAPP_BROADCAST_SHARE = 0.9  # replies get the rest while broadcasting: 8 of 80 a second


def _whatsapp(
    services: Services, sender: Sender, directory: NetworkDirectory, alarm: Alarm | None
) -> Dispatcher:
    """The WhatsApp dispatcher: the number's throughput and pair limit. The conversation's
    replies share the throughput (handlers/whatsapp.py reserves through this pacer), at most
    a tenth of each window while a broadcast runs."""
    settings = services.settings
    return Dispatcher(
        services.db,
        sender,
        Renderer(services, channel=Channel.WHATSAPP),
        directory,
        services.clock,
        Pacing(
            per_second=settings.whatsapp_rate,
            window=settings.broadcast_window,  # Meta counts per second too
            private_interval=settings.whatsapp_pair_interval,
            backoff=settings.broadcast_retry_backoff,
            max_in_flight=settings.broadcast_max_in_flight,
            storage_backoff=settings.storage_retry_backoff,
            broadcast_share=WHATSAPP_BROADCAST_SHARE,
        ),
        alarm,
        channel=Channel.WHATSAPP,
    )
