"""Telegram's side of a webhook: pending updates are POSTed to the URL setWebhook gave.

Like Telegram, the server sends one update at a time, in order, with the secret from
setWebhook in `X-Telegram-Bot-Api-Secret-Token`, and forgets an update only once the bot
answered 2xx; a refusal or a dead listener is noted for getWebhookInfo and retried shortly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from botapi_sandbox.state import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_DELAY = 0.1  # Telegram waits longer; tests only need "later"


@dataclass
class Delivery:
    """One POST to the webhook and the bot's answer (0: no answer at all)."""

    update_id: int
    status: int


@dataclass
class WebhookPusher:
    """Delivers the update queue while a webhook is set; run as one task per server."""

    world: World
    stopping: asyncio.Event
    deliveries: list[Delivery] = field(default_factory=list)

    async def run(self) -> None:
        """Until the server stops."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            while not self.stopping.is_set():
                url = str(self.world.settings.get("webhook") or "")
                if not url:
                    await self.world.wait_until(self._wake, within=1.0)
                    continue
                updates = self.world.updates.take(1)
                if not updates:
                    await self.world.updates.wait(1.0, self.stopping)
                    continue
                secret = self.world.settings.get("webhook_secret_token")
                if await self._post(http, url, secret, updates[0]):
                    self.world.updates.confirm(updates[0]["update_id"] + 1)
                else:
                    await asyncio.sleep(RETRY_DELAY)

    def _wake(self) -> bool:
        return self.stopping.is_set() or bool(self.world.settings.get("webhook"))

    async def _post(
        self, http: aiohttp.ClientSession, url: str, secret: object, update: dict[str, Any]
    ) -> bool:
        headers = {"Content-Type": "application/json"}
        if isinstance(secret, str) and secret:
            headers[SECRET_HEADER] = secret
        update_id = int(update["update_id"])
        try:
            async with http.post(url, data=json.dumps(update), headers=headers) as answer:
                status = answer.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.world.settings["webhook_last_error"] = f"Connection failed: {type(exc).__name__}"
            self.deliveries.append(Delivery(update_id, 0))
            self.world.notify()
            return False
        self.deliveries.append(Delivery(update_id, status))
        self.world.notify()
        if 200 <= status < 300:
            return True
        self.world.settings["webhook_last_error"] = f"Wrong response from the webhook: {status}"
        return False


async def stop(task: asyncio.Task[None] | None) -> None:
    """End a pusher task started with ``asyncio.create_task(pusher.run())``."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
