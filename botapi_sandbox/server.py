"""A local Telegram Bot API server on aiohttp, running in the test's own event loop.

The bot under test talks to it over real HTTP exactly as it would to api.telegram.org;
tests act as people through :class:`BotApiServer` and :class:`ChatSession`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from botapi_sandbox.commands import scope_key
from botapi_sandbox.errors import (
    ApiError,
    chat_not_found,
    forbidden,
    server_error,
    too_many_requests,
)
from botapi_sandbox.faults import Fault, FaultInjector
from botapi_sandbox.latency import Latency, Sampler
from botapi_sandbox.limits import RateLimiter
from botapi_sandbox.methods_chat import CHAT_METHODS
from botapi_sandbox.methods_send import OTHER_MESSAGE_METHODS, SEND_METHODS, Handler, Params
from botapi_sandbox.models import (
    JSON,
    ApiRequest,
    FakeChat,
    FakeUser,
    MenuCommand,
    SentMessage,
    Stats,
)
from botapi_sandbox.params import loggable, read_params
from botapi_sandbox.people import MessageRef, People, message_id_of
from botapi_sandbox.session import ChatSession
from botapi_sandbox.state import World
from botapi_sandbox.webhook import Delivery, WebhookPusher
from botapi_sandbox.webhook import stop as stop_pusher

ChatRef = FakeChat | FakeUser | int
# Requests other than sends that Telegram's flood limits count, and how (see limits.py).
_LIMITED = {
    "editMessageText": "edit",
    "editMessageCaption": "edit",
    "editMessageMedia": "edit",
    "editMessageReplyMarkup": "edit",
    "answerCallbackQuery": "callback",
}
_JSON_TYPE = "application/json"


def _unused(people: People, p: Params) -> Any:
    raise AssertionError("getUpdates is served asynchronously")


class BotApiServer:
    """Fake api.telegram.org plus the people and chats around the bot.

    Use as ``async with BotApiServer() as server`` or ``await server.start()`` /
    ``await server.stop()``; then point PTB at :attr:`base_url` and :attr:`base_file_url`.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "kim_test_bot",
        *,
        bot_name: str = "KIM Test Bot",
        privacy_mode: bool = True,
    ) -> None:
        self.world = World(token, bot_username, bot_name)
        self.people = People(self.world, privacy_mode)
        self.faults = FaultInjector()
        self.latency = 0.0  # fixed, in this server's seconds; see enforce_limits for jitter
        self.network: Sampler | None = None
        self.limiter: RateLimiter | None = None
        self._methods: dict[str, tuple[str, Handler, bool]] = {
            "getupdates": ("getUpdates", _unused, False)
        }
        for table, is_send in (
            (SEND_METHODS, True),
            (OTHER_MESSAGE_METHODS, False),
            (CHAT_METHODS, False),
        ):
            for name, handler in table.items():
                self._methods[name.lower()] = (name, handler, is_send)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = asyncio.Event()
        self._sessions: dict[tuple[int, int], ChatSession] = {}
        self._pusher = WebhookPusher(self.world, self._stopping)
        self._pusher_task: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> BotApiServer:
        """Listen on 127.0.0.1 at a free port chosen by the OS."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._stopping = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._pusher = WebhookPusher(self.world, self._stopping)
        return self

    async def stop(self) -> None:
        """Release long polls and close the listener."""
        self._stopping.set()
        await stop_pusher(self._pusher_task)
        self._pusher_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------- identity and logs

    @property
    def token(self) -> str:
        """The only token the server accepts."""
        return self.world.token

    @property
    def bot(self) -> FakeUser:
        """The bot's account."""
        return self.world.bot

    @property
    def bot_user(self) -> JSON:
        """The bot's ``User`` object as getMe returns it."""
        return self.world.bot.to_api()

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``; PTB appends the token."""
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``Bot(base_file_url=...)``; PTB appends the token."""
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError(
                "BotApiServer is not started; use `async with` or `await server.start()`"
            )
        return self._port

    @property
    def requests(self) -> list[ApiRequest]:
        """Every API call received, in order."""
        return self.world.requests

    @property
    def stats(self) -> Stats:
        """Send/429/fault counters."""
        return self.world.stats

    @property
    def updates(self) -> list[JSON]:
        """Every update ever queued for the bot."""
        return self.world.updates.log

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        """Every POST of an update to the bot's webhook, with the status it answered."""
        return self._pusher.deliveries

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed with an offset yet."""
        return self.world.updates.pending

    @property
    def privacy_mode(self) -> bool:
        """Whether non-admin group bots only get commands, replies and service messages."""
        return self.people.privacy_mode

    @privacy_mode.setter
    def privacy_mode(self, value: bool) -> None:
        self.people.privacy_mode = value

    def calls(self, method: str) -> list[ApiRequest]:
        """Logged calls of one method (case-insensitive name)."""
        wanted = method.lower()
        return [r for r in self.world.requests if r.method.lower() == wanted]

    async def wait_for_call(
        self,
        method: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the natural name in test code
        where: Callable[[ApiRequest], bool] | None = None,
    ) -> ApiRequest:
        """The first logged call of ``method`` (matching ``where``), waiting for it if needed."""
        wanted = method.lower()

        def find() -> ApiRequest | None:
            for r in self.world.requests:
                if r.method.lower() == wanted and (where is None or where(r)):
                    return r
            return None

        if not await self.world.wait_until(lambda: find() is not None, timeout):
            raise AssertionError(
                f"no {method} call within {timeout}s; "
                f"last calls: {[r.method for r in self.requests][-20:]}"
            )
        found = find()
        assert found is not None
        return found

    # ----------------------------------------------------------------- limits

    def enforce_limits(self, speedup: float = 1.0, latency: Latency | None = None) -> RateLimiter:
        """Apply Telegram's flood limits to sends, edits and callback answers, time compressed
        by ``speedup``; with `latency`, each request reaches "Telegram" after a delay drawn
        from it (Telegram seconds, divided by ``speedup``) instead of the fixed `latency`."""
        self.limiter = RateLimiter(speedup)
        if latency is not None:
            self.network = latency.sampler(speedup)
        return self.limiter

    def disable_limits(self) -> None:
        """Back to unlimited sending."""
        self.limiter = None
        self.network = None

    # ----------------------------------------------------------------- HTTP

    def _log(
        self, method: str, params: Params, status: int, started: float, description: str | None
    ) -> None:
        self.world.requests.append(
            ApiRequest(method, loggable(params), status, started, description)
        )
        self.world.stats.methods[method] += 1
        if status != 200:
            self.world.stats.errors[status] += 1
        self.world.notify()

    def _fail(self, method: str, params: Params, err: ApiError, started: float) -> web.Response:
        self._log(method, params, err.status, started, err.description)
        return web.Response(
            status=err.status, text=json.dumps(err.payload()), content_type=_JSON_TYPE
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        # The limits judge a send when it reaches "Telegram": its delay after it left the
        # client. Taking that moment from the request, not from when this loop gets round to
        # it after the sleep, keeps the simulated network free of this process's own jitter;
        # sleeping until that moment handles requests in about the order they arrive.
        delay = self.network.draw() if self.network is not None else self.latency
        arrival = started + delay
        if delay > 0:
            await asyncio.sleep(max(0.0, arrival - time.monotonic()))
        name = request.match_info["method"]
        entry = self._methods.get(name.lower())
        method = entry[0] if entry else name
        try:
            params = await read_params(request)
        except ApiError as err:
            return self._fail(method, {}, err, started)
        if request.match_info["token"] != self.token:
            return self._fail(method, params, ApiError(401, "Unauthorized"), started)
        if entry is None:
            return self._fail(method, params, ApiError(404, "Not Found"), started)
        _, handler, is_send = entry
        delay_after = 0.0
        try:
            fault = self.faults.pick(method, params.get("chat_id"), is_send)
            if fault is not None:
                self.world.stats.faults[fault.kind] += 1
                delay_after = await self._apply_fault(fault, params)
            if method == "getUpdates":
                result = await self._get_updates(params)
            elif is_send:
                result = self._send(handler, params, arrival)
            elif self.limiter is not None and method in _LIMITED:
                result = self._limited(handler, params, arrival, _LIMITED[method])
            else:
                result = handler(self.people, params)
        except ApiError as err:
            return self._fail(method, params, err, started)
        self._log(method, params, 200, started, None)
        if method == "setWebhook" and self._pusher_task is None:
            # Only a bot in webhook mode gets its updates pushed; polling tests pay nothing.
            self._pusher_task = asyncio.create_task(self._pusher.run())
        if delay_after > 0:
            await asyncio.sleep(delay_after)
        return web.Response(
            text=json.dumps({"ok": True, "result": result}), content_type=_JSON_TYPE
        )

    def _send(self, handler: Handler, params: Params, arrival: float) -> Any:
        """A sending method: flood limits first, then count the delivery once."""
        chat = self.world.resolve(params.get("chat_id"))
        if self.limiter is not None:
            throttle = self.limiter.check(chat.id, arrival)
            if throttle is not None:
                self.world.stats.rate_limited += 1
                raise too_many_requests(throttle.retry_after)
        result = handler(self.people, params)
        if self.limiter is not None:
            self.limiter.record(chat.id, arrival)
        self.world.stats.sent_ok += 1
        self.world.stats.delivered[chat.id] += 1
        return result

    def _limited(self, handler: Handler, params: Params, arrival: float, kind: str) -> Any:
        """An edit (counted overall and in a group) or a callback answer (its own window)."""
        assert self.limiter is not None
        chat_id = 0
        if kind == "edit":
            if params.get("chat_id") is None:  # an inline message: no chat to count it in
                return handler(self.people, params)
            chat_id = self.world.resolve(params.get("chat_id")).id
        throttle = self.limiter.check(chat_id, arrival, kind=kind)
        if throttle is not None:
            self.world.stats.rate_limited += 1
            raise too_many_requests(throttle.retry_after)
        result = handler(self.people, params)
        self.limiter.record(chat_id, arrival, kind=kind)
        return result

    async def _apply_fault(self, fault: Fault, params: Params) -> float:
        """Fail or delay this request; returns a delay to add after handling it."""
        if fault.kind == "retry_after":
            default = (
                self.limiter.retry_after_value(1 / self.limiter.speedup) if self.limiter else 1
            )
            raise too_many_requests(fault.retry_after if fault.retry_after is not None else default)
        if fault.kind == "chat_not_found":
            raise chat_not_found()
        if fault.kind == "server_error":
            raise server_error(fault.status)
        if fault.kind == "blocked":
            self._block_target(params.get("chat_id"))
            return 0.0
        if fault.kind in ("slow", "timeout"):
            await asyncio.sleep(fault.delay)
            if fault.kind == "timeout":
                raise server_error(504)
            return 0.0
        return fault.delay  # timeout_after_delivery

    def _block_target(self, chat_id: Any) -> None:
        """Make the chat refuse the bot for good, so the handler answers the right 403."""
        try:
            chat = self.world.resolve(chat_id)
        except ApiError:
            raise forbidden("bot was blocked by the user") from None
        if chat.user is not None:
            if chat.bot_status != "kicked":
                self.people.set_private_status(chat.user, "kicked")
        elif chat.bot_present:
            owner = next((uid for uid, s in chat.members.items() if s == "creator"), None)
            actor = self.world.users[owner] if owner is not None else self.world.bot
            self.people.set_bot_status(chat, actor, "kicked")

    async def _get_updates(self, params: Params) -> list[JSON]:
        """Long polling: hold until an update arrives or ``timeout`` passes."""
        if self.world.settings.get("webhook"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        queue = self.world.updates
        allowed = params.get("allowed_updates")
        queue.set_allowed(allowed if isinstance(allowed, list) else None)
        offset = params.get("offset")
        if isinstance(offset, int):
            queue.confirm(offset)
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (float(timeout) if isinstance(timeout, int | float) else 0.0)
        while True:
            updates = queue.take(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self._stopping.is_set():
                return updates
            await queue.wait(remaining, self._stopping)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ----------------------------------------------------------------- people and chats

    def new_user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "id",
    ) -> FakeUser:
        """A person who has not started the bot yet."""
        return self.people.new_user(
            first_name, username=username, last_name=last_name, language_code=language_code
        )

    def new_group(
        self,
        title: str,
        *,
        admins: list[FakeUser] | None = None,
        members: list[FakeUser] | None = None,
        creator: FakeUser | None = None,
        supergroup: bool = False,
        username: str | None = None,
    ) -> FakeChat:
        """A group without the bot; the creator defaults to the first admin."""
        return self.people.new_group(
            title,
            admins=admins,
            members=members,
            creator=creator,
            supergroup=supergroup,
            username=username,
        )

    def new_channel(
        self,
        title: str,
        *,
        admins: list[FakeUser] | None = None,
        subscribers: list[FakeUser] | None = None,
        creator: FakeUser | None = None,
        username: str | None = None,
    ) -> FakeChat:
        """A channel without the bot."""
        return self.people.new_channel(
            title, admins=admins, subscribers=subscribers, creator=creator, username=username
        )

    def chat(self, ref: ChatRef) -> FakeChat:
        """A chat by id (a user's id gives their private chat with the bot)."""
        chat_id = ref if isinstance(ref, int) else ref.id
        try:
            return self.world.chats[chat_id]
        except KeyError:
            raise KeyError(f"no chat {chat_id}") from None

    def _session(self, chat: FakeChat, user: FakeUser) -> ChatSession:
        """One session (one read cursor) per person and chat, however often it is asked for."""
        key = (chat.id, user.id)
        session = self._sessions.get(key)
        if session is None:
            session = self._sessions[key] = ChatSession(self.people, chat, user)
        return session

    def private(self, user: FakeUser) -> ChatSession:
        """``user``'s private chat with the bot (the same session on every call)."""
        return self._session(self.world.chats[user.id], user)

    def in_group(self, chat: FakeChat, user: FakeUser) -> ChatSession:
        """``user`` acting inside a group they belong to."""
        if self.world.member_status(chat, user.id) not in (
            "creator",
            "administrator",
            "member",
            "restricted",
        ):
            raise ValueError(
                f"{user.first_name} is not a member of {chat.title!r}; use server.join() first"
            )
        return self._session(chat, user)

    async def join(self, chat: FakeChat, user: FakeUser, *, by: FakeUser | None = None) -> None:
        """``user`` joins (or is added by ``by``), with the service message."""
        self.people.set_member_status(chat, user, "member", by=by)

    async def set_member_status(
        self, chat: FakeChat, user: FakeUser, status: str, *, by: FakeUser | None = None
    ) -> None:
        """Promote/demote/restrict/ban/remove a person ("administrator", "left", "kicked", ...)."""
        self.people.set_member_status(chat, user, status, by=by)

    async def add_bot_to(self, chat: FakeChat, *, by: FakeUser, status: str = "member") -> JSON:
        """``by`` adds the bot to a group; returns the my_chat_member update."""
        if chat.type == "channel" and status != "administrator":
            raise ValueError(
                "bots join channels only as administrators; use make_bot_channel_admin()"
            )
        if status not in ("member", "administrator"):
            raise ValueError("status must be 'member' or 'administrator'")
        return self.people.set_bot_status(chat, by, status)

    async def remove_bot_from(
        self, chat: FakeChat, *, by: FakeUser, status: str = "kicked"
    ) -> JSON:
        """``by`` removes the bot ("kicked") or it is otherwise gone ("left")."""
        if status not in ("kicked", "left"):
            raise ValueError("status must be 'kicked' or 'left'")
        return self.people.set_bot_status(chat, by, status)

    async def make_bot_channel_admin(self, channel: FakeChat, *, by: FakeUser) -> JSON:
        """Channel admin ``by`` adds the bot as administrator."""
        return self.people.set_bot_status(channel, by, "administrator")

    async def revoke_bot_channel_admin(self, channel: FakeChat, *, by: FakeUser) -> JSON:
        """Demoting a bot removes it from the channel."""
        return self.people.set_bot_status(channel, by, "left")

    async def migrate_to_supergroup(self, group: FakeChat) -> int:
        """Upgrade a basic group; returns the supergroup's new id."""
        return self.people.migrate(group).id

    def block_bot(self, user: FakeUser) -> JSON:
        """``user`` blocks the bot (the bot gets my_chat_member "kicked")."""
        return self.people.set_private_status(user, "kicked")

    def unblock_bot(self, user: FakeUser) -> JSON:
        """``user`` unblocks the bot."""
        return self.people.set_private_status(user, "member")

    # ----------------------------------------------------------------- observing

    def sent_to(self, chat: ChatRef) -> list[SentMessage]:
        """Every bot message in a chat, current state (edits applied, deletions flagged)."""
        return list(self.world.sent.get(chat if isinstance(chat, int) else chat.id, []))

    def delivered(self, chat: ChatRef) -> int:
        """How many sending calls to a chat succeeded."""
        return self.world.stats.delivered[chat if isinstance(chat, int) else chat.id]

    def message(self, chat: ChatRef, message: MessageRef) -> SentMessage:
        """A bot message's live state."""
        key = (chat if isinstance(chat, int) else chat.id, message_id_of(message))
        return self.world.sent_index[key]

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[MenuCommand]:
        """Exactly what setMyCommands stored for one scope and language (no fallback)."""
        chat_id = 0
        if scope and "chat_id" in scope:
            chat_id = self.world.resolve(scope["chat_id"]).id
        return self.world.commands.get(scope_key(scope, chat_id), language_code)

    def menu_for(self, user: FakeUser, chat: FakeChat | None = None) -> list[MenuCommand]:
        """The command menu Telegram shows ``user`` in ``chat`` (their private chat if None)."""
        is_private = chat is None or chat.type == "private"
        return self.world.commands.effective(
            user_id=user.id,
            language_code=user.language_code or "",
            chat_id=None if is_private or chat is None else chat.id,
            is_admin=False if is_private or chat is None else self.world.is_admin(chat, user.id),
        )

    # ----------------------------------------------------------------- time

    def advance_clock(self, seconds: float) -> None:
        """Move the server's notion of now forward (message dates, the 48 h delete rule)."""
        self.world.clock_offset += seconds

    def age_message(self, message: SentMessage, seconds: float) -> None:
        """Pretend a bot message was sent ``seconds`` earlier."""
        message.date -= int(seconds)
