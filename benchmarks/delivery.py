"""Delivering one kabupaten-wide announcement near Telegram's limits, and two baselines.

kim-bot runs for real: the Application from `bot.app.build_application`, polling the local
Bot API server, with its dispatcher, outbox and sender; the announcement is approved with
`broadcasts.announcements.approve` on a database prepared with bulk SQL (areas, KIM groups
and Forum KIM, people and their subscriptions). The server runs in its own process
(`benchmarks.apiserver`) and enforces Telegram's limits compressed by the speed-up S; each
request reaches it after a delay drawn from a realistic network (botapi_sandbox/latency.py:
lognormal, median 60 ms, in Telegram time, so divided by S), the same for every client.
Each case runs in a fresh process so that its peak RSS and CPU time are its own.

Rate: the binding limit for this mix is the overall one, 30×S messages per second: each
chat receives one message, far below 20/min per group and 1/s per private chat. The ratio is
(messages accepted by the server) / (seconds from approval to the last accepted send) /
(30×S).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import random
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from benchmarks.apiserver import STAFF_USERS, TOKEN, Population, ServerProcess, group_id, targets
from benchmarks.apiserver import user_id as subscriber_id
from benchmarks.waserver import (
    WaPopulation,
    WhatsAppProcess,
    free_port,
    in_window,
    phone,
    wa_figures,
)
from bot import regions
from bot.addresses import WHATSAPP_BASE
from bot.app import build_application, running
from bot.settings import load_settings
from bot.storage import Database
from bot.topics import BY_KEY, TOPICS
from botapi_sandbox.latency import REALISTIC, Latency
from broadcasts import announcements, approval, outbox
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets, Urgency

KIM_GROUPS = 365  # one per desa/kelurahan of Kabupaten Pasuruan
FORUMS = 25  # a Forum KIM per kecamatan (24) and one for the kabupaten
GROUPS = KIM_GROUPS + FORUMS
REGION = "35.14"
TOPIC = "bencana"
TEXT = (
    "Peringatan dini cuaca: hujan lebat disertai angin kencang diperkirakan terjadi di "
    "wilayah Kabupaten Pasuruan malam ini pukul 18.00-23.00 WIB. Warga di sekitar bantaran "
    "sungai diminta waspada dan menyimpan dokumen penting di tempat aman."
)
GLOBAL_PER_SECOND = 30  # Telegram's overall limit before the speed-up


@dataclass(frozen=True)
class Case:
    """One delivery run: how many subscribers, how fast the server's clock runs."""

    subscribers: int
    speedup: float
    network: Latency = REALISTIC
    groups: int = GROUPS
    rate_per_s: float = 30.0  # BROADCAST_RATE = rate_per_s × speedup
    probe: bool = False
    urgency: str = "penting"
    flooders: int = 0  # accounts sending /cek `flood_per_s` times a second during the broadcast
    flood_per_s: float = 25.0
    limit: int | None = None  # baselines on a capped run: the first `limit` chats only
    max_retries: int = 0  # the AIORateLimiter baseline's
    time_limit: float | None = None  # stop watching kim-bot's delivery after this long
    seed: int = 1
    whatsapp: int = 0  # WhatsApp subscribers beside the Telegram ones (benchmarks.waserver)
    whatsapp_tier: int = 10_000  # the number's messaging tier: templates per day

    @property
    def population(self) -> Population:
        return Population(self.groups, self.subscribers, self.speedup, self.network)

    @property
    def recipients(self) -> int:
        return self.groups + self.subscribers

    @property
    def wa_population(self) -> WaPopulation:
        return WaPopulation(self.whatsapp, self.speedup, self.network, self.whatsapp_tier)

    @property
    def binding_limit(self) -> float:
        """Messages per second the server allows overall (the binding limit for this mix)."""
        return GLOBAL_PER_SECOND * self.speedup


# --- the database ----------------------------------------------------------------------


async def prepare(path: Path, case: Case) -> int:
    """Areas, approved KIM groups and forums, subscribed people, and one announcement
    waiting for its verifier; returns the announcement's id."""
    rng = random.Random(case.seed)
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    stamp = now.isoformat()
    db = await Database.open(path)
    try:
        await regions.load_regency(db, REGION)
        desa = [
            (str(r[0]), str(r[1]))
            for r in await db.fetchall("SELECT code, kecamatan_code FROM desa ORDER BY code")
        ]
        kecamatan = sorted({k for _, k in desa})
        places: list[tuple[str, str | None, str | None]] = [
            ("kim", d, k) for d, k in desa[: min(KIM_GROUPS, case.groups)]
        ]
        places += [("forum", None, k) for k in kecamatan]
        places += [("forum", None, None)]
        places = places[: case.groups]
        topic = BY_KEY[TOPIC].bit
        others = [t.bit for t in TOPICS if t.bit != topic]

        def subscription(index: int) -> tuple[object, ...]:
            draw = rng.random()
            bits = topic | sum(b for b in others if rng.random() < 0.3)
            if draw < 0.4:
                scope, area = "desa", rng.choice(desa)[0]
            elif draw < 0.7:
                scope, area = "kecamatan", rng.choice(kecamatan)
            else:
                scope, area = "kabupaten", REGION
            return (subscriber_id(index), scope, area, bits, stamp, stamp)

        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO chats(chat_id, type, title, status, first_seen, updated_at)"
                " VALUES (?, 'group', ?, 'active', ?, ?)",
                ((group_id(i), f"KIM {i}", stamp, stamp) for i in range(len(places))),
            )
            await conn.executemany(
                "INSERT INTO registrations(chat_id, kind, desa_code, kecamatan_code, name,"
                " status, requested_at, decided_at) VALUES (?, ?, ?, ?, ?, 'approved', ?, ?)",
                (
                    (group_id(i), kind, d, k, f"KIM {i}", stamp, stamp)
                    for i, (kind, d, k) in enumerate(places)
                ),
            )
            await conn.executemany(
                "INSERT INTO people(user_id, first_name, first_seen, last_seen, reachable)"
                " VALUES (?, ?, ?, ?, 1)",
                ((subscriber_id(i), f"Warga {i}", stamp, stamp) for i in range(case.subscribers)),
            )
            await conn.executemany(
                "INSERT INTO subscriptions(user_id, scope, area_code, topics, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (subscription(i) for i in range(case.subscribers)),
            )
            await conn.executemany(
                "INSERT INTO people(user_id, first_name, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?)",
                ((uid, "Staf", stamp, stamp) for uid in STAFF_USERS),
            )
            await _whatsapp_people(conn, case.whatsapp, topic, stamp)
        author, _ = STAFF_USERS
        draft = await announcements.create_draft(
            db, author_id=author, body=Body(Kind.TEXT, TEXT), now=now
        )
        await announcements.update_draft(
            db, draft, topic=TOPIC, urgency=Urgency(case.urgency), targets=Targets(kabupaten=True)
        )
        if not await announcements.submit(db, draft, actor_id=author, now=now):
            raise RuntimeError("the benchmark announcement could not be submitted")
        return draft
    finally:
        await db.close()


async def _whatsapp_people(conn: aiosqlite.Connection, count: int, topic: int, stamp: str) -> None:
    """WhatsApp subscribers of the whole kabupaten; every second one wrote an hour ago
    (inside the 24-hour window, in real time: the bot's clock is the system's)."""
    wrote = time.time() - 3600
    people = [(WHATSAPP_BASE + i, f"Warga WA {i}", stamp, stamp) for i in range(count)]
    await conn.executemany(
        "INSERT INTO people(user_id, first_name, first_seen, last_seen, reachable)"
        " VALUES (?, ?, ?, ?, 1)",
        people,
    )
    await conn.executemany(
        "INSERT INTO whatsapp_contacts(user_id, phone, last_inbound_at) VALUES (?, ?, ?)",
        ((WHATSAPP_BASE + i, phone(i), wrote if in_window(i) else None) for i in range(count)),
    )
    await conn.executemany(
        "INSERT INTO subscriptions(user_id, scope, area_code, topics, created_at, updated_at)"
        " VALUES (?, 'kabupaten', ?, ?, ?, ?)",
        ((WHATSAPP_BASE + i, REGION, topic, stamp, stamp) for i in range(count)),
    )


# --- kim-bot -----------------------------------------------------------------------------


async def kimbot(
    case: Case, server: ServerProcess, folder: Path, wa: WhatsAppProcess | None = None
) -> dict[str, Any]:
    """Approve the announcement on a running kim-bot and wait until the outbox is drained
    (with `wa`, WhatsApp's rows too)."""
    database = folder / "kim-bot.sqlite3"
    announcement_id = await prepare(database, case)
    whatsapp = {} if wa is None else {**wa.settings(), "WHATSAPP_WEBHOOK_PORT": str(free_port())}
    settings = load_settings(
        {
            **whatsapp,
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": server.base_url,
            "BOT_API_BASE_FILE_URL": server.base_file_url,
            "DATABASE_PATH": str(database),
            "REGION_CODE": REGION,
            "LOG_LEVEL": "WARNING",
            "BROADCAST_RATE": str(case.rate_per_s * case.speedup),
            "BROADCAST_WINDOW": str(1.0 / case.speedup),
            "BROADCAST_GROUP_INTERVAL": str(3.0 / case.speedup),
            "BROADCAST_PRIVATE_INTERVAL": str(1.0 / case.speedup),
        }
    )
    app = build_application(settings)
    async with running(app):
        db = app.bot_data.db
        if wa is not None:  # statuses come back to the bot, as Meta sends them
            port, path = settings.whatsapp_webhook_port, settings.whatsapp_webhook_path
            await wa.ask("webhook", f"http://127.0.0.1:{port}{path}")
        if case.probe:
            await server.probe_start()
        if case.flooders:
            await server.flood_start(case.flooders, case.flood_per_s)
        _, verifier = STAFF_USERS
        cpu = time.process_time()
        started = time.monotonic()
        result = await approval.approve(
            db, announcement_id, verifier_id=verifier, now=app.bot_data.clock.now()
        )
        approve_s = time.monotonic() - started
        if result.result is not approval.ApprovalResult.APPROVED:
            raise RuntimeError(f"approval failed: {result}")
        app.bot_data.delivery.wake()
        deadline = started + 120 + 5 * case.recipients / case.binding_limit
        if case.time_limit is not None:
            deadline = min(deadline, started + case.time_limit)
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            if await db.fetchone("SELECT 1 FROM outbox WHERE status = 'pending' LIMIT 1") is None:
                break
        drained_s = time.monotonic() - started
        cpu_s = time.process_time() - cpu
        probe = await server.probe_stop() if case.probe else None
        flood = await server.flood_stop() if case.flooders else None
        state = await outbox.progress(db, announcement_id)
    summary = await server.summary()
    out = _figures(case, summary, started)
    if wa is not None:
        out["whatsapp"] = wa_figures(await wa.summary(), started, case.speedup)
    if state.pending:  # stopped by the time limit: only what was measured is reported
        for unmeasured in (
            "lost",
            "duplicates",
            "ratio",
            "ratio_of_limit",
            "seconds",
            "binding_limit_per_s",
        ):
            out[unmeasured] = None
        out["stopped_after_s"] = round(drained_s, 1)
    out.update(
        {
            "outbox_write_s": round(approve_s, 3),
            "drained_s": round(drained_s, 2),
            "outbox": {
                "sent": state.sent,
                "failed": state.failed,
                "pending": state.pending,
                "failed_by_reason": state.failed_by_reason,
            },
            "cpu_s": round(cpu_s, 2),
            "cpu_ms_per_1000": _per_thousand(cpu_s, summary["messages"]),
            "broadcast_rate": case.rate_per_s * case.speedup,
            "config": (
                f"kim-bot, BROADCAST_RATE={case.rate_per_s:g}×S, BROADCAST_WINDOW=1/S, "
                "group and private spacing ÷S"
            ),
        }
    )
    if probe is not None:
        out["probe"] = probe
    if flood is not None:
        out["flood"] = flood
    return out


# --- baselines ---------------------------------------------------------------------------


async def sequential(case: Case, server: ServerProcess, folder: Path) -> dict[str, Any]:
    """A plain loop of `await bot.send_message(...)`; errors are counted, not retried. It
    meets the same network as everyone (its rate is one send per answer time)."""
    chats = targets(case.population, case.limit)
    errors = 0
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        cpu = time.process_time()
        started = time.monotonic()
        for chat_id in chats:
            try:
                await bot.send_message(chat_id, TEXT)
            except TelegramError:
                errors += 1
        cpu_s = time.process_time() - cpu
    summary = await server.summary(case.limit)
    out = _figures(case, summary, started)
    out.update(
        {
            "errors": errors,
            "cpu_ms_per_1000": _per_thousand(cpu_s, summary["messages"]),
            "config": "one send at a time, errors not retried",
        }
    )
    return out


async def gather_ratelimiter(case: Case, server: ServerProcess, folder: Path) -> dict[str, Any]:
    """Every send gathered at once behind python-telegram-bot's AIORateLimiter, configured
    exactly like the server's windows: each count Telegram's, each period divided by S.
    AIORateLimiter has no per-private-chat limit; here each chat gets one message, so that
    limit never binds. `case.max_retries`: 0 is its default (a 429 loses the message)."""
    chats = targets(case.population, case.limit)
    limiter: AIORateLimiter = AIORateLimiter(
        overall_max_rate=GLOBAL_PER_SECOND,
        overall_time_period=1 / case.speedup,
        group_max_rate=20,
        group_time_period=60 / case.speedup,
        max_retries=case.max_retries,
    )
    request = HTTPXRequest(connection_pool_size=256, pool_timeout=30.0)
    # Every refused send is logged with its traceback; they are counted below instead.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    bot: ExtBot[int] = ExtBot(
        TOKEN,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=request,
        rate_limiter=limiter,
    )
    async with bot:
        cpu = time.process_time()
        started = time.monotonic()
        results = await asyncio.gather(
            *(bot.send_message(chat_id, TEXT) for chat_id in chats), return_exceptions=True
        )
        cpu_s = time.process_time() - cpu
    summary = await server.summary(case.limit)
    out = _figures(case, summary, started)
    out.update(
        {
            "errors": sum(1 for r in results if isinstance(r, BaseException)),
            "cpu_ms_per_1000": _per_thousand(cpu_s, summary["messages"]),
            "config": (
                f"AIORateLimiter(overall_max_rate=30, overall_time_period=1/{case.speedup:g}, "
                f"group_max_rate=20, group_time_period=60/{case.speedup:g}, "
                f"max_retries={case.max_retries}); per private chat: none in AIORateLimiter"
            ),
        }
    )
    return out


# --- shared ------------------------------------------------------------------------------


def _per_thousand(cpu_s: float, messages: int) -> float | None:
    return round(cpu_s * 1000 / messages * 1000, 1) if messages else None


def _figures(case: Case, summary: dict[str, Any], started: float) -> dict[str, Any]:
    """The numbers every run reports, from the server's record."""
    last = summary["last_send"]
    seconds = (last - started) if last is not None else None
    messages = summary["messages"]
    rate = messages / seconds if seconds else 0.0
    first = summary["first_send"]
    # Replies and progress edits share Telegram's overall budget with the broadcast.
    others = sum(1 for at in summary["others"] if last is not None and started <= at <= last)
    return {
        "first_send_s": round(first - started, 3) if first is not None else None,
        "recipients": summary["targets"],
        "messages": messages,
        "seconds": round(seconds, 2) if seconds is not None else None,
        "rate_per_s": round(rate, 1),
        "binding_limit_per_s": case.binding_limit,
        "ratio": round(rate / case.binding_limit, 3),
        "other_counted": others,
        "ratio_of_limit": (
            round((messages + others) / seconds / case.binding_limit, 3) if seconds else None
        ),
        "lost": summary["lost"],
        "duplicates": summary["duplicates"],
        "rate_limited": summary["rate_limited"],
        "server_cpu_s": round(summary["server_cpu_s"], 1),
        "speedup": case.speedup,
    }


async def kimbot_whatsapp(case: Case, server: ServerProcess, folder: Path) -> dict[str, Any]:
    """kim-bot with WhatsApp subscribers too, the Cloud API stand-in in its own process."""
    with WhatsAppProcess(case.wa_population) as wa:
        return await kimbot(case, server, folder, wa)


Runner = Callable[[Case, ServerProcess, Path], Awaitable[dict[str, Any]]]
RUNNERS: dict[str, Runner] = {
    "kimbot": kimbot,
    "kimbot_whatsapp": kimbot_whatsapp,
    "sequential": sequential,
    "gather_ratelimiter": gather_ratelimiter,
    "gather_ratelimiter_retry3": gather_ratelimiter,  # with Case.max_retries=3
}


async def run_here(name: str, case: Case) -> dict[str, Any]:
    """Run one case in this process against a fresh server process."""
    with tempfile.TemporaryDirectory() as folder, ServerProcess(case.population) as server:
        result = await RUNNERS[name](case, server, Path(folder))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _child(conn: Connection, name: str, case: Case) -> None:
    try:
        conn.send(("ok", asyncio.run(run_here(name, case))))
    except BaseException as error:  # reported to the parent, which raises it
        conn.send(("error", f"{type(error).__name__}: {error}"))
        raise


def run_isolated(name: str, case: Case) -> dict[str, Any]:
    """Run one case in a fresh process: its peak RSS and CPU time are the case's alone."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_child, args=(child, name, case), name=f"bench-{name}")
    process.start()
    try:
        status, payload = parent.recv()
    except EOFError:
        status, payload = "error", f"the {name} process died (exit code {process.exitcode})"
    finally:
        process.join(30)
        with contextlib.suppress(Exception):
            if process.is_alive():
                process.terminate()
    if status != "ok":
        raise RuntimeError(f"{name} benchmark failed: {payload}")
    result: dict[str, Any] = payload
    result["case"] = asdict(case)
    return result
