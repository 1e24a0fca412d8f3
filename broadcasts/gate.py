"""Whether a channel may send at all: open, resting for a while, or stopped until a restart.

Telegram never closes the whole channel, but WhatsApp does: past its spam limit (131048) the
number must rest for hours, and with an expired or revoked token (190) nothing goes until an
admin puts a new one in the settings and restarts. The dispatcher asks the gate before it
takes any row; the operators hear once per pause and once per stop, not once per row (every
send in flight meets the same refusal). A rest outlives a restart: its end is kept in the
database (`meta`) and read again when the dispatcher starts; a stop does not, since a restart
is how an admin brings a new token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from bot.clock import Seconds
from bot.storage import Database
from broadcasts.backlog import Alarm

log = logging.getLogger(__name__)


class Gate:
    def __init__(
        self, channel: str, alarm: Alarm | None, clock: Seconds, db: Database | None = None
    ) -> None:
        self.channel = channel
        self._alarm = alarm
        self._clock = clock
        self._db = db
        self._paused_until = 0.0  # monotonic
        self.halted = False

    @property
    def _key(self) -> str:
        return f"rest_until:{self.channel}"

    async def restore(self) -> None:
        """Take up a rest a previous process began (unannounced: the operators were told)."""
        if self._db is None:
            return
        until = await self._db.fetchval("SELECT value FROM meta WHERE key = ?", (self._key,))
        left = float(until) - self._clock.time() if until is not None else 0.0
        if left > 0:
            self._paused_until = max(self._paused_until, self._clock.monotonic() + left)
            log.warning("%s still resting for %.0f s", self.channel, left)

    def open(self) -> bool:
        return not self.halted and self._clock.monotonic() >= self._paused_until

    async def pause(self, seconds: float, detail: str) -> None:
        """Rest `seconds` from now; a pause already running is only lengthened, unannounced."""
        now = self._clock.monotonic()
        resting = now < self._paused_until
        self._paused_until = max(self._paused_until, now + seconds)
        if self._db is not None:
            until = self._clock.time() + (self._paused_until - now)
            await self._db.write(
                "INSERT INTO meta(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (self._key, repr(until)),
            )
        if resting:
            return
        log.error("%s paused for %.0f s: %s", self.channel, seconds, detail)
        if self._alarm is not None:
            await self._tell(self._alarm.channel_paused(self.channel, seconds, detail))

    async def halt(self, detail: str) -> None:
        """Send nothing more on this channel until the process restarts."""
        if self.halted:
            return
        self.halted = True
        log.error("%s stopped until a restart: %s", self.channel, detail)
        if self._alarm is not None:
            await self._tell(self._alarm.channel_halted(self.channel, detail))

    async def _tell(self, message: Awaitable[None]) -> None:
        try:
            await message
        except Exception:  # telling the operators must never stop the dispatcher
            log.exception("could not tell the operators about the %s channel", self.channel)
