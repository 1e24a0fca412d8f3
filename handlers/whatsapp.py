"""The WhatsApp webhook: Meta's POSTs in, the conversation's replies out through the Cloud API.

Served by the bot's own process (aiohttp, on WHATSAPP_WEBHOOK_LISTEN/PORT, only at
WHATSAPP_WEBHOOK_PATH), behind the same reverse proxy as Telegram's webhook.

One POST: the signature is checked before anything else (a bad or missing one is 401,
nothing recorded, nothing answered); then, for each message, its id is recorded (a retried
delivery stops there), the sender is remembered (their 24-hour window opens) and full texts
owed after templates are released to the dispatcher; statuses update their messages. Only
then does Meta get its 200, a few quick writes after the POST arrived: Meta retries slow
answers. The conversation (and its replies, which wait on the Cloud API) runs afterwards,
one task per message, each person's messages strictly in the order they came.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from aiohttp import web

from bot.flood import Verdict
from bot.services import Services
from bot.texts import whatsapp as t
from bot.whatsapp import contacts, conversation, inbound, webhook
from bot.whatsapp.api import ApiError, CloudApi, WhatsAppError
from bot.whatsapp.contacts import Contact
from bot.whatsapp.replies import Buttons, Choices, Incoming, Kind, Reply, Text
from broadcasts import reactions, whatsapp_messages

log = logging.getLogger(__name__)

SLOW_DOWN = frozenset({130429, 131056})  # throughput or pair limit: wait, then once more
_HANDLING_GRACE = 10.0  # seconds a stop waits for messages being answered


class Budget(Protocol):
    """The number's throughput, shared with the WhatsApp dispatcher (broadcasts/pacing.py
    `Pacer`): a reply takes its place in the same windows as a broadcast's sends, so replies
    during a broadcast are neither refused (130429) nor able to crowd the broadcast out."""

    async def reserve(self) -> float: ...

    def landed(self, since: float, answered: bool = True) -> None: ...


class WhatsAppWebhook:
    """The listener, the client its replies go through, and the messages being answered."""

    def __init__(self, services: Services, budget: Budget | None = None) -> None:
        settings = services.settings
        secret, verify = settings.whatsapp_app_secret, settings.whatsapp_verify_token
        if secret is None or verify is None:
            raise ValueError("WhatsApp is not configured")  # load_settings checks the set
        self.services = services
        self._budget = budget
        self.api = CloudApi.of(settings)
        self._app_secret = secret.get_secret_value()
        self._verify_token = verify.get_secret_value()
        self._runner: web.AppRunner | None = None
        self._last: dict[int, asyncio.Task[None]] = {}  # each person's latest message task
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        settings = self.services.settings
        await self.api.start()
        await self._answer_owed()
        app = web.Application()
        app.router.add_get(settings.whatsapp_webhook_path, self._handshake)
        app.router.add_post(settings.whatsapp_webhook_path, self._receive)
        # No access log: the proxy keeps one, and a query string holds the verify token.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, settings.whatsapp_webhook_listen, settings.whatsapp_webhook_port
        )
        await site.start()
        log.info(
            "WhatsApp webhook listening on %s:%d",
            settings.whatsapp_webhook_listen,
            settings.whatsapp_webhook_port,
        )

    async def _answer_owed(self) -> None:
        """What a stop or a crash left unanswered is answered first (bot/whatsapp/inbound.py)."""
        db = self.services.db
        for message in await inbound.owed(db, self.services.clock.now()):
            contact = await contacts.find(db, message.user_id)
            if contact is None:  # forgotten meanwhile
                await inbound.taken(db, message.wamid)
            else:
                log.info("answering WhatsApp message %s from before the restart", message.wamid)
                self._handle_later(contact, message)

    async def stop(self) -> None:
        """No new POSTs; messages being answered get a short grace, then the client closes."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=_HANDLING_GRACE)
            for task in pending:
                task.cancel()
        await self.api.stop()

    # --- HTTP ---------------------------------------------------------------------------

    async def _handshake(self, request: web.Request) -> web.Response:
        challenge = webhook.handshake(request.query, self._verify_token)
        if challenge is None:
            log.warning("WhatsApp webhook: a subscription with a wrong verify token refused")
            return web.Response(status=403)
        return web.Response(text=challenge)

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not webhook.signed(
            body, request.headers.get(webhook.SIGNATURE_HEADER), self._app_secret
        ):
            log.warning("WhatsApp webhook: a POST without a valid signature refused")
            return web.Response(status=401)
        events = webhook.parse(body)
        for status in events.statuses:
            await whatsapp_messages.apply_status(
                self.services.db, status.wamid, status.status, error=status.error
            )
        for message in events.messages:
            arrived = await self._arrived(message)
            if arrived is not None:
                self._handle_later(*arrived)
        return web.Response(text="ok")

    async def _arrived(self, message: webhook.Message) -> tuple[Contact, Incoming] | None:
        """Record a message before Meta gets its 200, kept until it is answered; None when
        it was handled before."""
        services = self.services
        db, now = services.db, services.clock.now()
        if not await inbound.first_time(db, message.wamid, now):
            log.info("WhatsApp message %s arrived again: already handled", message.wamid)
            return None
        at = message.at or services.clock.time()
        user_id = await contacts.remember(db, message.phone, message.name, now, at)
        if await whatsapp_messages.release_followups(db, user_id):
            services.delivery.wake()
        incoming = message.incoming(user_id)
        await inbound.owe(db, incoming)
        contact = await contacts.find(db, user_id)
        return None if contact is None else (contact, incoming)

    # --- answering ----------------------------------------------------------------------

    def _handle_later(self, contact: Contact, message: Incoming) -> None:
        before = self._last.get(contact.user_id)
        task = asyncio.create_task(self._handle(contact, message, before))
        self._last[contact.user_id] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._done(contact.user_id, done))

    def _done(self, user_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._last.get(user_id) is task:
            del self._last[user_id]

    async def _handle(
        self, contact: Contact, message: Incoming, before: asyncio.Task[None] | None
    ) -> None:
        if before is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(before)
        replies = await self._replies(contact, message)
        # Taken (its effects are stored): after a crash from here on only the reply is lost,
        # never a report filed twice.
        await inbound.taken(self.services.db, message.wamid)
        await self._send(contact, replies)

    async def _replies(self, contact: Contact, message: Incoming) -> list[Reply]:
        """The flood gate first, then the conversation (a reaction is counted as a vote)."""
        services = self.services
        verdict = await services.flood.admit(contact.user_id, services.clock.monotonic(), _nobody)
        if verdict is Verdict.DROP:
            return []
        if verdict is Verdict.TOO_FAST:
            return [Text(t.TOO_FAST)]
        if message.kind is Kind.REACTION:
            await reactions.whatsapp_reaction(
                services.db,
                contact.user_id,
                message.choice or "",
                message.text,
                services.clock.now(),
            )
        with contextlib.suppress(WhatsAppError):
            await self.api.mark_read(message.wamid)
        try:
            return await conversation.answer(services, contact, message)
        except Exception:
            log.exception("WhatsApp message from %s could not be answered", contact.masked)
            return [Text(t.SORRY)]

    async def _send(self, contact: Contact, replies: list[Reply]) -> None:
        for reply in replies:
            try:
                await self._send_paced(contact.phone, reply)
            except WhatsAppError as exc:
                log.warning("WhatsApp reply to %s not sent: %s", contact.masked, exc)
                return

    async def _send_paced(self, phone: str, reply: Reply) -> None:
        """One reply; when Meta says too fast (for the number, or for this person), once
        more after the pair interval."""
        try:
            await self._send_one(phone, reply)
        except ApiError as exc:
            if exc.code not in SLOW_DOWN:
                raise
            await self.services.clock.sleep(self.services.settings.whatsapp_pair_interval)
            await self._send_one(phone, reply)

    async def _send_one(self, phone: str, reply: Reply) -> str:
        if self._budget is None:
            return await self._request(phone, reply)
        since = await self._budget.reserve()
        try:
            return await self._request(phone, reply)
        finally:
            self._budget.landed(since)

    async def _request(self, phone: str, reply: Reply) -> str:
        match reply:
            case Text(body=body):
                return await self.api.text(phone, body)
            case Buttons(body=body, choices=choices):
                return await self.api.buttons(phone, body, choices)
            case Choices(body=body, button=label, rows=rows):
                return await self.api.choices(phone, body, label, rows)
        raise TypeError(f"not a reply: {reply!r}")


async def _nobody() -> bool:
    """Staff work on Telegram: nobody on WhatsApp gets the staff's bigger flood bucket."""
    return False
