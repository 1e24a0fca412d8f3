"""The WhatsApp Cloud API stand-in in a process of its own, driven over a pipe.

As `benchmarks.apiserver` does for Telegram: the bot's CPU time stays its own. The people
(`phone(i)`) are made here and in the bot's database from the same index, half of them with a
customer-service window open (they "wrote" an hour ago), so both sides agree without
sending lists. Arrival times are `time.monotonic()`, one system-wide clock on Linux.
"""

from __future__ import annotations

import asyncio
import gc
import resource
import socket
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.piped import PipedProcess
from botapi_sandbox.latency import Latency
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import TemplateMessage

PHONE_BASE = 6281_000_000_000
THROUGHPUT = 80  # messages a second: the number's limit before the speed-up
TEMPLATE = "pengumuman_kim"
TEMPLATE_BODY = "{{1}}\n\nBalas pesan ini untuk membaca selengkapnya."


def phone(index: int) -> str:
    return str(PHONE_BASE + index)


def free_port() -> int:
    """A port nothing listens on now, for the bot's WhatsApp webhook."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def in_window(index: int) -> bool:
    """Every second person wrote within the last 24 hours."""
    return index % 2 == 0


@dataclass(frozen=True)
class WaPopulation:
    users: int
    speedup: float
    network: Latency
    daily_recipients: int  # the number's messaging tier


async def _serve(conn: Connection, world: WaPopulation) -> None:
    sandbox = WhatsAppSandbox()
    await sandbox.start()
    sandbox.add_template(
        TEMPLATE, TEMPLATE_BODY, header="{{1}}", quick_replies=("Baca selengkapnya",)
    )
    people = [sandbox.new_user(f"Warga WA {i}", phone(i)) for i in range(world.users)]
    hour_ago = sandbox.now() - 3600 / world.speedup
    for index, person in enumerate(people):
        if in_window(index):
            person.last_inbound = hour_ago
    sandbox.status_batch = 50  # Meta groups statuses under load; one POST per status otherwise
    gc.collect()
    gc.freeze()
    gc.disable()  # see benchmarks.apiserver: no stalls that would be judged as bursts
    sandbox.enforce_limits(
        world.speedup, daily_recipients=world.daily_recipients, latency=world.network
    )
    loop = asyncio.get_running_loop()
    conn.send(
        {
            "base_url": sandbox.base_url,
            "access_token": sandbox.access_token,
            "phone_number_id": sandbox.phone_number_id,
            "display_phone_number": sandbox.display_phone_number,
            "app_secret": sandbox.app_secret,
            "verify_token": sandbox.verify_token,
        }
    )
    try:
        while True:
            command, argument = await loop.run_in_executor(None, conn.recv)
            if command == "webhook":
                sandbox.webhook_url = argument
                conn.send(None)
            elif command == "summary":
                conn.send(_summary(sandbox, people))
            elif command == "stop":
                break
    finally:
        await sandbox.stop()
        conn.send(None)


def _summary(sandbox: WhatsAppSandbox, people: list[Any]) -> dict[str, Any]:
    inboxes = [sandbox.inbox(person) for person in people]
    arrivals = [message.at for inbox in inboxes for message in inbox]
    outside = [i for i in range(len(people)) if not in_window(i)]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "recipients": len(people),
        "messages": len(arrivals),
        "lost": sum(1 for inbox in inboxes if not inbox),
        "duplicates": sum(1 for inbox in inboxes if len(inbox) > 1),
        "templates": sum(isinstance(m, TemplateMessage) for inbox in inboxes for m in inbox),
        "templates_outside_window": sum(
            isinstance(m, TemplateMessage) for i in outside for m in inboxes[i]
        ),
        "outside_window": len(outside),
        "rate_limited": sandbox.stats.rate_limited,
        "errors": {str(code): count for code, count in sandbox.stats.errors.items()},
        "first_send": min(arrivals, default=None),
        "last_send": max(arrivals, default=None),
        "server_cpu_s": usage.ru_utime + usage.ru_stime,
    }


def _child(conn: Connection, world: WaPopulation) -> None:
    asyncio.run(_serve(conn, world))


class WhatsAppProcess(PipedProcess):
    """`with WhatsAppProcess(world) as wa:` then `wa.settings()`, `await wa.summary()`."""

    def __init__(self, world: WaPopulation) -> None:
        super().__init__(_child, world, "wa-api", start_s=120)
        self.world = world

    def __enter__(self) -> WhatsAppProcess:
        super().__enter__()
        return self

    def settings(self, template_excerpt: int = 600) -> dict[str, str]:
        """The bot's WHATSAPP_* settings for this stand-in."""
        ready = self.ready
        limits = self.world
        return {
            "WHATSAPP_ACCESS_TOKEN": ready["access_token"],
            "WHATSAPP_PHONE_NUMBER_ID": ready["phone_number_id"],
            "WHATSAPP_DISPLAY_NUMBER": ready["display_phone_number"],
            "WHATSAPP_APP_SECRET": ready["app_secret"],
            "WHATSAPP_VERIFY_TOKEN": ready["verify_token"],
            "WHATSAPP_API_BASE_URL": ready["base_url"] + "/v21.0",
            "WHATSAPP_TEMPLATE_NAME": TEMPLATE,
            "WHATSAPP_TEMPLATE_EXCERPT": str(template_excerpt),
            "WHATSAPP_RATE": str(THROUGHPUT * limits.speedup),
            "WHATSAPP_PAIR_INTERVAL": str(6 / limits.speedup),
            "WHATSAPP_DAILY_LIMIT": str(limits.daily_recipients),
        }

    async def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.ask("summary")
        return result


def wa_figures(summary: dict[str, Any], started: float, speedup: float) -> dict[str, Any]:
    """WhatsApp's numbers beside Telegram's: the ratio is to the number's throughput."""
    last = summary["last_send"]
    seconds = (last - started) if last is not None else None
    limit = THROUGHPUT * speedup
    rate = summary["messages"] / seconds if seconds else 0.0
    return {
        **summary,
        "seconds": round(seconds, 2) if seconds is not None else None,
        "rate_per_s": round(rate, 1),
        "binding_limit_per_s": limit,
        "ratio": round(rate / limit, 3),
        "first_send_s": (
            round(summary["first_send"] - started, 3) if summary["first_send"] is not None else None
        ),
    }
