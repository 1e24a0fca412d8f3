"""A local WhatsApp Cloud API (Graph API) on aiohttp, running in the test's own event loop.

The bot talks to it over real HTTP as it would to graph.facebook.com; tests act as people
through :class:`WhatsAppUser`, and every message they write reaches the bot as a signed
webhook POST (see webhooks.py).

A send is judged in this order, as Meta answers: the token (190), the phone number id,
the body's shape and content rules (100, 131008, 131009, 132000, 132001), scripted faults,
the recipient (131026), the 24-hour customer-service window for anything but a template
(131047), a stopped marketing subscription for marketing templates (131050), then, with
limits enforced, throughput (130429) and the pair limit (131056). An accepted message gets
a ``wamid``, reaches the person's inbox, and ``sent`` then ``delivered`` statuses follow by
webhook; a template to someone outside their window counts against the messaging tier and
fails by status beyond it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from types import TracebackType

import aiohttp
from aiohttp import web

from botapi_sandbox.latency import Latency, Sampler
from whatsapp_sandbox.content import parse
from whatsapp_sandbox.errors import TIER_LIMIT, GraphError, bad_param, server_error
from whatsapp_sandbox.faults import Fault, FaultInjector
from whatsapp_sandbox.limits import DAY, Limits
from whatsapp_sandbox.models import (
    JSON,
    ApiCall,
    Received,
    Stats,
    Status,
    Template,
    TemplateMessage,
)
from whatsapp_sandbox.people import WhatsAppUser
from whatsapp_sandbox.webhooks import Delivery, WebhookPusher
from whatsapp_sandbox.webhooks import stop as stop_pusher

WINDOW = DAY  # the customer-service window, in WhatsApp seconds
_VERSION = re.compile(r"^v\d+\.\d+$")
_STATUS_ORDER: dict[str, int] = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3}
_TICK = 0.05  # seconds between re-checks of a time-bound condition


class _Dropped(Exception):
    """The connection is to be cut without an answer."""


class WhatsAppSandbox:
    """Fake graph.facebook.com for one business number, plus the people who write to it.

    Use as ``async with WhatsAppSandbox() as wa``; point the bot at :attr:`base_url`
    (``{base_url}/{version}/{phone_number_id}/messages``) with :attr:`access_token`, and
    set :attr:`webhook_url` to the bot's webhook.
    """

    def __init__(
        self,
        *,
        access_token: str = "TEST-WA-TOKEN",
        phone_number_id: str = "100000000000001",
        waba_id: str = "200000000000002",
        display_phone_number: str = "6281100000000",
        app_secret: str = "test-app-secret",
        verify_token: str = "test-verify-token",
    ) -> None:
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.webhook_url: str | None = None
        self.auto_statuses = True  # "sent" and "delivered" follow every accepted message
        self.deferred_errors = False  # 131026/131047/131050/131051: 200, then a failed status
        self.token_expired = False
        self.faults = FaultInjector()
        self.limits: Limits | None = None
        self.speedup = 1.0
        self.latency = 0.0  # fixed, in sandbox seconds; see enforce_limits for jitter
        self.network: Sampler | None = None
        self.stats = Stats()
        self.calls: list[ApiCall] = []
        self.users: dict[str, WhatsAppUser] = {}
        self.templates: dict[tuple[str, str], Template] = {}
        self.messages: dict[str, Received] = {}  # every wamid the business sent, failed too
        self.inbound_messages: dict[str, JSON] = {}  # every wamid a person sent
        self._inboxes: dict[str, list[Received]] = {}
        self._ids = itertools.count(1)
        self._clock_offset = 0.0
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._pusher = self._new_pusher()
        self._pusher_task: asyncio.Task[None] | None = None

    def _new_pusher(self) -> WebhookPusher:
        return WebhookPusher(
            lambda: self.webhook_url, lambda: self.app_secret, self.notify, self.waba_id
        )

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> WhatsAppSandbox:
        """Listen on 127.0.0.1 at a free port and start delivering webhooks."""
        app = web.Application()
        app.router.add_post("/{version}/{phone_number_id}/messages", self._handle_messages)
        app.router.add_get("/{version}/{waba_id}/message_templates", self._handle_templates)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._pusher_task = asyncio.create_task(self._pusher.run())
        return self

    async def stop(self) -> None:
        """Stop delivering webhooks and close the listener."""
        await stop_pusher(self._pusher, self._pusher_task)
        self._pusher_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> WhatsAppSandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What the bot uses instead of ``https://graph.facebook.com``."""
        if self._port is None:
            raise RuntimeError("WhatsAppSandbox is not started; use `async with` or start()")
        return f"http://127.0.0.1:{self._port}"

    def messages_url(self, version: str = "v21.0") -> str:
        """The messages endpoint of the business number."""
        return f"{self.base_url}/{version}/{self.phone_number_id}/messages"

    # ----------------------------------------------------------------- time and waiting

    def now(self) -> float:
        """Sandbox seconds (monotonic, moved by :meth:`advance_clock`)."""
        return time.monotonic() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Let ``seconds`` of WhatsApp time pass (divided by the speed-up), e.g. to close
        a customer-service window: ``advance_clock(25 * 3600)``."""
        self._clock_offset += seconds / self.speedup
        self.notify()

    def _timestamp(self) -> str:
        return str(int(time.time() + self._clock_offset * self.speedup))

    def notify(self) -> None:
        """Wake everyone waiting in :meth:`wait_until`."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], within: float) -> bool:
        """Re-check ``predicate`` on every change until true or ``within`` seconds pass;
        at least every ``_TICK`` too, since a window closes without any event."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, _TICK))
        return True

    # ----------------------------------------------------------------- limits

    def enforce_limits(
        self,
        speedup: float = 1.0,
        *,
        throughput: int = 80,
        pair_interval: float = 6.0,
        daily_recipients: int | None = 1000,
        latency: Latency | None = None,
    ) -> Limits:
        """Apply the number's throughput, the pair limit and the messaging tier, time
        compressed by ``speedup`` (which also shortens the 24-hour window); with
        ``latency``, each request reaches "Meta" after a delay drawn from it."""
        self.speedup = speedup
        self.limits = Limits(speedup, throughput, pair_interval, daily_recipients)
        if latency is not None:
            self.network = latency.sampler(speedup)
        return self.limits

    def disable_limits(self) -> None:
        """Back to unlimited sending (the window and content rules still apply)."""
        self.limits = None
        self.network = None

    # ----------------------------------------------------------------- people and templates

    def new_user(self, name: str, phone: str) -> WhatsAppUser:
        """A person with WhatsApp on ``phone`` (any format; the wa_id keeps the digits)."""
        wa_id = re.sub(r"\D", "", phone)
        if not wa_id:
            raise ValueError(f"no digits in phone number {phone!r}")
        if wa_id in self.users:
            raise ValueError(f"{phone} already has WhatsApp in this sandbox")
        user = self.users[wa_id] = WhatsAppUser(self, name, wa_id)
        self._inboxes[wa_id] = []
        return user

    def add_template(
        self,
        name: str,
        body: str,
        *,
        language: str = "id",
        category: str = "MARKETING",
        header: str | None = None,
        footer: str | None = None,
        quick_replies: tuple[str, ...] = (),
        status: str = "APPROVED",
    ) -> Template:
        """Register a template as WhatsApp Manager would after review (``{{1}}`` variables)."""
        template = Template(
            name,
            body,
            language,
            category.upper(),
            header,
            footer,
            tuple(quick_replies),
            status,
            str(900_000_000_000_000 + next(self._ids)),
        )
        self.templates[(name, language)] = template
        return template

    def window_open(self, user: WhatsAppUser) -> bool:
        """Whether ``user`` wrote within the last 24 hours (compressed by the speed-up)."""
        last = user.last_inbound
        return last is not None and self.now() - last < WINDOW / self.speedup

    def inbox(self, user: WhatsAppUser | str) -> list[Received]:
        """What reached a person, in order (the live list: read it, do not change it)."""
        wa_id = user if isinstance(user, str) else user.wa_id
        return self._inboxes[wa_id]

    # ----------------------------------------------------------------- webhooks

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        """Every POST to the bot's webhook, with the status it answered."""
        return self._pusher.deliveries

    @property
    def status_batch(self) -> int:
        """How many queued statuses may share one POST (1, the default: one each)."""
        return self._pusher.status_batch

    @status_batch.setter
    def status_batch(self, value: int) -> None:
        if value < 1:
            raise ValueError("status_batch must be at least 1")
        self._pusher.status_batch = value

    @property
    def pending_webhooks(self) -> int:
        """Events the bot has not answered with 200 yet."""
        return self._pusher.pending

    def _metadata(self) -> JSON:
        return {
            "display_phone_number": self.display_phone_number,
            "phone_number_id": self.phone_number_id,
        }

    def inbound(
        self, user: WhatsAppUser, kind: str, content: JSON, *, context: JSON | None = None
    ) -> str:
        """``user`` sends a message of ``kind``; it opens their window and goes to the
        webhook. Returns its message id."""
        wamid = self._wamid()
        message: JSON = {"from": user.wa_id, "id": wamid, "timestamp": self._timestamp()}
        if context:
            message["context"] = context
        message.update({"type": kind, **content})
        user.last_inbound = self.now()
        self.inbound_messages[wamid] = message
        value = {
            "messaging_product": "whatsapp",
            "metadata": self._metadata(),
            "contacts": [{"profile": {"name": user.name}, "wa_id": user.wa_id}],
            "messages": [message],
        }
        self._pusher.push(wamid, value)
        self.notify()
        return wamid

    def set_status(
        self, message: Received, status: Status, error: GraphError | None = None
    ) -> None:
        """Move ``message`` to ``status`` and tell the bot (statuses never go backwards)."""
        if status != "failed" and _STATUS_ORDER.get(message.status, 9) >= _STATUS_ORDER[status]:
            return
        message.status = status
        event: JSON = {
            "id": message.id,
            "status": status,
            "timestamp": self._timestamp(),
            "recipient_id": message.wa_id,
        }
        if status in ("sent", "delivered"):
            event["pricing"] = {
                "billable": message.billable,
                "pricing_model": "PMP",
                "category": message.category,
            }
        if error is not None:
            message.error_code = error.code
            event["errors"] = [error.webhook_error()]
            self.stats.failed += 1
            self.stats.errors[error.code] += 1
        value = {"messaging_product": "whatsapp", "metadata": self._metadata(), "statuses": [event]}
        self._pusher.push(f"{message.id}:{status}", value)
        self.notify()

    async def verify_webhook(
        self,
        url: str | None = None,
        *,
        verify_token: str | None = None,
        challenge: str = "1158201444",
    ) -> tuple[int, str]:
        """Meta's subscription handshake: GET ``?hub.mode=subscribe&hub.verify_token=..&
        hub.challenge=..``; a bot that accepts answers 200 with the challenge as its body."""
        target = url or self.webhook_url
        if not target:
            raise ValueError("no webhook URL: set sandbox.webhook_url or pass url")
        query = {
            "hub.mode": "subscribe",
            "hub.verify_token": self.verify_token if verify_token is None else verify_token,
            "hub.challenge": challenge,
        }
        async with aiohttp.ClientSession() as http, http.get(target, params=query) as answer:
            return answer.status, await answer.text()

    # ----------------------------------------------------------------- HTTP

    def _wamid(self) -> str:
        raw = f"{self.display_phone_number}:{next(self._ids):016d}".encode()
        return "wamid." + base64.b64encode(raw).decode()

    def _log(self, request: web.Request, body: JSON | None, status: int, code: int | None) -> None:
        self.calls.append(ApiCall(request.method, request.path, body, status, code, self.now()))
        self.notify()

    def _fail(self, request: web.Request, body: JSON | None, err: GraphError) -> web.Response:
        self.stats.errors[err.code] += 1
        if err.code in (130429, 131056):
            self.stats.rate_limited += 1
        self._log(request, body, err.status, err.code)
        return web.json_response(err.payload(), status=err.status)

    def _authorize(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise GraphError(190, "An active access token must be used to query information.")
        if header.removeprefix("Bearer ").strip() != self.access_token:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_expired:
            raise GraphError(190, "Error validating access token: Session has expired.")

    async def _arrive(self) -> None:
        """Wait out this request's network delay: limits judge it when it reaches "Meta"."""
        delay = self.network.draw() if self.network is not None else self.latency
        if delay > 0:
            await asyncio.sleep(delay)

    async def _handle_templates(self, request: web.Request) -> web.Response:
        await self._arrive()
        try:
            self._authorize(request)
            if request.match_info["waba_id"] != self.waba_id or not _VERSION.match(
                request.match_info["version"]
            ):
                raise bad_param(f"Object with ID '{request.match_info['waba_id']}' does not exist")
        except GraphError as err:
            return self._fail(request, None, err)
        query = request.query
        found = [
            t.to_api()
            for t in self.templates.values()
            if query.get("name") in (None, t.name)
            and query.get("language") in (None, t.language)
            and query.get("status", t.status).upper() == t.status
        ]
        self._log(request, None, 200, None)
        return web.json_response(
            {"data": found, "paging": {"cursors": {"before": "", "after": ""}}}
        )

    async def _handle_messages(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        await self._arrive()
        payload = body if isinstance(body, dict) else None
        try:
            self._authorize(request)
            if request.match_info["phone_number_id"] != self.phone_number_id or not _VERSION.match(
                request.match_info["version"]
            ):
                raise bad_param(
                    f"Unsupported post request. Object with ID "
                    f"'{request.match_info['phone_number_id']}' does not exist"
                )
            if payload is None:
                raise bad_param("The request body must be a JSON object.")
            if payload.get("messaging_product") != "whatsapp":
                raise bad_param("The parameter messaging_product is required.")
            if payload.get("status") == "read":
                return self._mark_read(request, payload)
            result, after = await self._send(payload)
        except GraphError as err:
            return self._fail(request, payload, err)
        except _Dropped:
            self._log(request, payload, 0, None)
            return self._drop(request)
        self._log(request, payload, 200, None)
        if after == "disconnect_after_delivery":
            return self._drop(request)
        return web.json_response(result)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Cut the connection: the client gets no answer at all."""
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=200)

    def _mark_read(self, request: web.Request, payload: JSON) -> web.Response:
        wamid = payload.get("message_id")
        if not isinstance(wamid, str) or wamid not in self.inbound_messages:
            raise bad_param(f"Invalid parameter: message_id {wamid!r} is not a received message")
        self.inbound_messages[wamid]["read"] = True
        self.stats.reads += 1
        self._log(request, payload, 200, None)
        return web.json_response({"success": True})

    async def _send(self, payload: JSON) -> tuple[JSON, str | None]:
        """Judge one send; returns Meta's answer and what to do after it (a fault kind)."""
        given = payload.get("to")
        if not isinstance(given, str | int) or not re.sub(r"\D", "", str(given)):
            raise GraphError(131008, "The parameter to is required.")
        wa_id = re.sub(r"\D", "", str(given))
        record = parse(payload, wa_id, self.templates)
        fault = self.faults.pick(wa_id)
        after: str | None = None
        deferred: GraphError | None = None
        if fault is not None:
            self.stats.faults[str(fault.kind)] += 1
            after, deferred = await self._apply(fault)
        user = self.users.get(wa_id)
        refusal = self._refusal(record, user) if deferred is None else None
        if refusal is not None and not self.deferred_errors:
            raise refusal
        deferred = deferred or refusal
        if self.limits is not None:
            at = self.now()
            if self.limits.throughput_full(at):
                raise GraphError(130429)
            if self.limits.pair_busy(wa_id, at):
                raise GraphError(131056)
            self.limits.record(wa_id, at)
            if (
                deferred is None
                and user is not None
                and isinstance(record, TemplateMessage)
                and not self.window_open(user)
                and not self.limits.tier_allows(wa_id, at)
            ):
                deferred = GraphError(
                    TIER_LIMIT,
                    "This message was not delivered to maintain healthy ecosystem engagement: "
                    f"the messaging limit of {self.limits.daily_recipients} unique recipients "
                    "in 24 hours is reached.",
                )
        record.id, record.at = self._wamid(), self.now()
        self.messages[record.id] = record
        self.stats.sent += 1
        if isinstance(record, TemplateMessage):
            self.stats.templates += 1
        if record.billable:
            self.stats.billable += 1
        if deferred is not None:
            self.set_status(record, "failed", deferred)
        else:
            self._inboxes[wa_id].append(record)
            if self.auto_statuses:
                self.set_status(record, "sent")
                self.set_status(record, "delivered")
        self.notify()
        message: JSON = {"id": record.id}
        if isinstance(record, TemplateMessage):
            message["message_status"] = "accepted"
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": str(given), "wa_id": wa_id}],
            "messages": [message],
        }
        return answer, after

    def _refusal(self, record: Received, user: WhatsAppUser | None) -> GraphError | None:
        """The rule the message breaks for this recipient, if any."""
        if user is None:
            return GraphError(131026)
        if not isinstance(record, TemplateMessage) and not self.window_open(user):
            return GraphError(131047)
        if (
            isinstance(record, TemplateMessage)
            and record.category == "marketing"
            and user.marketing_stopped
        ):
            return GraphError(131050)
        return None

    async def _apply(self, fault: Fault) -> tuple[str | None, GraphError | None]:
        """Fail or delay a send; returns a kind to act on after handling it, or a deferred
        error (a code that is to fail by status)."""
        kind = fault.kind
        if isinstance(kind, int):
            error = GraphError(kind)
            if fault.deferred and kind != 190:
                return None, error
            raise error
        if kind == "server_error":
            raise server_error(fault.status)
        if kind == "disconnect":
            raise _Dropped
        if kind == "slow":
            await asyncio.sleep(fault.delay)
            return None, None
        return kind, None  # disconnect_after_delivery
