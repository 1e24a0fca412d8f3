"""The local Bot API server in a process of its own, driven over a pipe.

The benchmarks measure the bot's CPU time and memory; with the server in the same process
its JSON parsing and bookkeeping would count as the bot's. `ServerProcess` starts
`botapi_sandbox.BotApiServer` in a spawned process, fills its world with the benchmark's chats
(ids follow `group_id()` / `user_id()`, so both sides agree without sending lists), and
answers a few commands: start/stop the responsiveness probe and the /cek flood, and
summarise what reached whom.

Both processes read `time.monotonic()`, which on Linux is one system-wide clock, so a time
taken in the bot process can be compared with one taken here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.piped import PipedProcess
from botapi_sandbox import BotApiServer, FakeChat, FakeUser
from botapi_sandbox.latency import Latency
from botapi_sandbox.methods_send import Handler, Params

TOKEN = "7000001:BENCH-kimbot-token"
GROUP_BASE = 4_100_000_000
USER_BASE = 800_000_000
# Well-behaved villagers taking turns: each writes every 4 s or less often, well under the
# bot's per-person limit (ANSWERS_PER_MINUTE, 20 by default).
PROBE_USERS = (USER_BASE - 1, USER_BASE - 4, USER_BASE - 5, USER_BASE - 6)
STAFF_USERS = (USER_BASE - 2, USER_BASE - 3)  # the announcement's author and verifier
FLOODERS = tuple(USER_BASE - 20 - i for i in range(10))  # accounts that flood /cek
FLOOD_TEXT = "/cek vaksin mengandung chip pelacak"


def group_id(index: int) -> int:
    return -(GROUP_BASE + index)


def user_id(index: int) -> int:
    return USER_BASE + index


@dataclass(frozen=True)
class Population:
    """What the server holds: groups (KIM and forums) and subscribers the bot may write to."""

    groups: int
    users: int
    speedup: float
    network: Latency  # each request's delay, in Telegram seconds (÷ speedup here)


class _TimedServer(BotApiServer):
    """Remembers when the first and last accepted send to a benchmark chat happened, and
    when every other request counted against the overall limit arrived (replies, edits)."""

    def __init__(self, world: Population) -> None:
        super().__init__(token=TOKEN, bot_username="kim_bench_bot")
        self.bench = world
        self.first_send: float | None = None
        self.last_send: float | None = None
        self.others: list[float] = []

    def is_target(self, chat_id: object) -> bool:
        if not isinstance(chat_id, int | str) or not str(chat_id).lstrip("-").isdigit():
            return False
        value = int(chat_id)
        if value < 0:
            return 0 <= -value - GROUP_BASE < self.bench.groups
        return 0 <= value - USER_BASE < self.bench.users

    def _send(self, handler: Handler, params: Params, arrival: float) -> Any:
        result = super()._send(handler, params, arrival)
        if self.is_target(params.get("chat_id")):
            if self.first_send is None:
                self.first_send = arrival
            self.last_send = arrival
        else:
            self.others.append(arrival)
        return result

    def _limited(self, handler: Handler, params: Params, arrival: float, kind: str) -> Any:
        result = super()._limited(handler, params, arrival, kind)
        if kind == "edit" and params.get("chat_id") is not None:
            self.others.append(arrival)
        return result


class _Probe:
    """Villagers who, in turn, send /start every `interval` seconds; latency = update
    queued → the bot's reply accepted by the server."""

    def __init__(self, server: BotApiServer, interval: float) -> None:
        self._server = server
        self._interval = interval
        self.latencies: list[float] = []
        self.unanswered = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> dict[str, Any]:
        """The /start still awaiting its reply is waited for: a reply stuck behind other
        updates when the broadcast ends is the slowest one, not one to leave out."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        return {"latencies": self.latencies, "unanswered": self.unanswered}

    def _replied_after(self, user_id: int, count: int) -> Callable[[], bool]:
        return lambda: len(self._server.sent_to(user_id)) > count

    async def _run(self) -> None:
        for turn in itertools.count():
            if self._stopping.is_set():
                return
            user_id = PROBE_USERS[turn % len(PROBE_USERS)]
            chat = self._server.private(self._server.world.users[user_id])
            before = len(self._server.sent_to(user_id))
            started = time.monotonic()
            await chat.send("/start")
            replied = self._replied_after(user_id, before)
            answered = await self._server.world.wait_until(replied, 10.0)
            if answered:
                self.latencies.append(time.monotonic() - started)
            else:
                self.unanswered += 1
            pause = max(0.0, self._interval - (time.monotonic() - started))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), pause)


class _Flood:
    """Accounts that each send /cek `per_second` times a second, for as long as it runs."""

    def __init__(self, server: BotApiServer) -> None:
        self._server = server
        self._tasks: list[asyncio.Task[None]] = []
        self._accounts: tuple[int, ...] = ()
        self.sent = 0

    def start(self, accounts: int, per_second: float) -> None:
        self._accounts = FLOODERS[:accounts]
        self._tasks = [
            asyncio.create_task(self._run(user_id, per_second)) for user_id in self._accounts
        ]

    async def stop(self) -> dict[str, Any]:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        replies = sum(len(self._server.sent_to(user_id)) for user_id in self._accounts)
        return {"sent": self.sent, "replies": replies}

    async def _run(self, user_id: int, per_second: float) -> None:
        chat = self._server.private(self._server.world.users[user_id])
        started = time.monotonic()
        for number in itertools.count(1):
            await chat.send(FLOOD_TEXT)
            self.sent += 1
            await asyncio.sleep(max(0.0, started + number / per_second - time.monotonic()))


def _populate(server: BotApiServer, world: Population) -> None:
    """Chats the bot is already in, written straight into the world: no updates are queued."""
    people = server.world
    admin = FakeUser(USER_BASE - 10, "Admin KIM")
    people.users[admin.id] = admin
    for index in range(world.groups):
        chat = FakeChat(id=group_id(index), type="group", title=f"KIM {index}")
        chat.members[admin.id] = "creator"
        chat.bot_status = "member"
        people.add_chat(chat)
    ids = [user_id(i) for i in range(world.users)]
    for uid in [*ids, *PROBE_USERS, *STAFF_USERS, *FLOODERS]:
        user = FakeUser(uid, f"Warga {uid - USER_BASE}")
        people.users[uid] = user
        people.add_chat(FakeChat(id=uid, type="private", user=user, bot_status="member"))


def targets(world: Population, limit: int | None = None) -> list[int]:
    """Every benchmark chat, groups first; the first `limit` of them when a run is capped."""
    ids = [group_id(i) for i in range(world.groups)] + [user_id(i) for i in range(world.users)]
    return ids if limit is None else ids[:limit]


def _summary(server: _TimedServer, world: Population, limit: int | None) -> dict[str, Any]:
    delivered = server.stats.delivered
    chosen = targets(world, limit)
    counts = [delivered.get(chat_id, 0) for chat_id in chosen]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "targets": len(chosen),
        "messages": sum(counts),
        "lost": sum(1 for c in counts if c == 0),
        "duplicates": sum(1 for c in counts if c > 1),
        "rate_limited": server.stats.rate_limited,
        "first_send": server.first_send,
        "last_send": server.last_send,
        "others": server.others,
        "server_cpu_s": usage.ru_utime + usage.ru_stime,
    }


async def _serve(conn: Connection, world: Population) -> None:
    server = _TimedServer(world)
    await server.start()
    _populate(server, world)
    # The server keeps every request and message; a full collection over that heap stalls
    # its loop for tens of milliseconds, and the backlog it then handles at once would be
    # judged as a burst. Telegram's servers do not stall like that, so this one does not
    # collect cycles during a run.
    gc.collect()
    gc.freeze()
    gc.disable()
    server.enforce_limits(speedup=world.speedup, latency=world.network)
    # Every second; at S=1 every 1.5 s, as replies a second apart meet this server's strict
    # one-message-a-second window per private chat half the time (Telegram is more lenient).
    probe = _Probe(server, interval=max(1.0, 1.5 / world.speedup))
    flood = _Flood(server)
    loop = asyncio.get_running_loop()
    conn.send({"base_url": server.base_url, "base_file_url": server.base_file_url})
    try:
        while True:
            command, argument = await loop.run_in_executor(None, conn.recv)
            if command == "probe_start":
                probe.start()
                conn.send(None)
            elif command == "probe_stop":
                conn.send(await probe.stop())
            elif command == "flood_start":
                flood.start(*argument)
                conn.send(None)
            elif command == "flood_stop":
                conn.send(await flood.stop())
            elif command == "summary":
                conn.send(_summary(server, world, argument))
            elif command == "stop":
                break
    finally:
        await server.stop()
        conn.send(None)


def _child(conn: Connection, world: Population) -> None:
    asyncio.run(_serve(conn, world))


class ServerProcess(PipedProcess):
    """`with ServerProcess(world) as server:` then `server.base_url`, `server.summary()`."""

    def __init__(self, world: Population) -> None:
        super().__init__(_child, world, "bot-api", start_s=60)
        self.world = world
        self.base_url = ""
        self.base_file_url = ""

    def __enter__(self) -> ServerProcess:
        super().__enter__()
        self.base_url, self.base_file_url = self.ready["base_url"], self.ready["base_file_url"]
        return self

    async def probe_start(self) -> None:
        await self.ask("probe_start")

    async def probe_stop(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.ask("probe_stop")
        return result

    async def flood_start(self, accounts: int, per_second: float) -> None:
        await self.ask("flood_start", (accounts, per_second))

    async def flood_stop(self) -> dict[str, Any]:
        """How many /cek the flooders sent and how many replies they got."""
        result: dict[str, Any] = await self.ask("flood_stop")
        return result

    async def summary(self, limit: int | None = None) -> dict[str, Any]:
        """Lost, duplicates, 429s and send times over the first `limit` targets (all)."""
        result: dict[str, Any] = await self.ask("summary", limit)
        return result
