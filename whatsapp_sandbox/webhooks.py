"""Meta's side of the webhook: every event is POSTed, signed, until the bot answers 200.

Each incoming message and each status change is one POST of Meta's envelope
(``{"object": "whatsapp_business_account", "entry": [{"id": <waba>, "changes": [{"field":
"messages", "value": {...}}]}]}``), its raw body signed with the app secret in
``X-Hub-Signature-256: sha256=<hex hmac>``. Events go one at a time, in order; an answer
other than 200, a timeout or a dead listener leaves the event at the head of the queue and
it is sent again after ``retry_delay`` (Meta keeps retrying, less and less often, for up to
seven days), so a bot sees the same message id more than once and must handle it once.
Meta may put several statuses in one POST: with ``status_batch`` > 1, consecutive queued
statuses go together in one ``value.statuses`` array (a benchmark's thousands of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from whatsapp_sandbox.models import JSON

SIGNATURE_HEADER = "X-Hub-Signature-256"
RETRY_DELAY = 0.1  # Meta waits longer; tests only need "later"


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value of a raw body."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def envelope(waba_id: str, value: JSON) -> JSON:
    """Meta's wrapping of one ``messages`` change."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": value, "field": "messages"}]}],
    }


@dataclass
class Delivery:
    """One POST to the webhook and the bot's answer (0: no answer at all)."""

    event: str  # the message id or "<wamid>:<status>"
    status: int
    signature: str


@dataclass
class WebhookPusher:
    """Sends queued events to ``url()`` while the sandbox runs; one task per sandbox."""

    url: Callable[[], str | None]
    app_secret: Callable[[], str]
    changed: Callable[[], None]
    waba_id: str = ""
    status_batch: int = 1
    retry_delay: float = RETRY_DELAY
    timeout: float = 10.0
    deliveries: list[Delivery] = field(default_factory=list)
    _queue: deque[tuple[str, JSON]] = field(default_factory=deque)  # (event, change value)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _stopping: bool = False

    def push(self, event: str, value: JSON) -> None:
        """Queue one change value (a message or a status) for delivery."""
        self._queue.append((event, value))
        self._wake.set()

    @property
    def pending(self) -> int:
        """Events not yet answered with 200."""
        return len(self._queue)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Deliver until stopped."""
        client_timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=client_timeout) as http:
            while not self._stopping:
                url = self.url()
                if not self._queue or not url:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), 0.2)
                    continue
                event, value = self._queue[0]
                taken = 1
                if "statuses" in value and self.status_batch > 1:
                    value = {**value, "statuses": list(value["statuses"])}
                    while taken < min(self.status_batch, len(self._queue)):
                        more = self._queue[taken][1]
                        if "statuses" not in more:
                            break
                        value["statuses"].extend(more["statuses"])
                        taken += 1
                if await self._post(http, url, event, envelope(self.waba_id, value)):
                    for _ in range(taken):
                        self._queue.popleft()
                else:
                    await asyncio.sleep(self.retry_delay)

    async def _post(self, http: aiohttp.ClientSession, url: str, event: str, payload: JSON) -> bool:
        body = json.dumps(payload).encode()
        signature = sign(body, self.app_secret())
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
        try:
            async with http.post(url, data=body, headers=headers) as answer:
                status = answer.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        self.deliveries.append(Delivery(event, status, signature))
        self.changed()
        return status == 200


async def stop(pusher: WebhookPusher, task: asyncio.Task[None] | None) -> None:
    """End a pusher task."""
    pusher.stop()
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
