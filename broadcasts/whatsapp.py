"""Delivering on WhatsApp: the `Sender` for the WhatsApp dispatcher, over the Cloud API.

Inside the person's 24-hour window (bot/whatsapp/contacts.py) the full text goes; outside
it the approved template (settings: name and language; header = the topic, body = the
first WHATSAPP_TEMPLATE_EXCERPT characters cut at a word), and the full text is kept as the
message's `follow_text`, to follow as a notice when the person writes
(broadcasts/whatsapp_messages.py). Each accepted message is a `whatsapp_messages` row,
whose id is what the outbox records.

Meta's answers become the dispatcher's kinds (sender.py):
- 131047 (the window closed after all): the template, at once, for the same row;
- 131026 / 131051 (not on WhatsApp / cannot receive it): `Unreachable`, "bukan_whatsapp" /
  "tidak_didukung";
- 131050 (the person turned marketing off): marked on the contact, `Refused`
  "menolak_pemasaran"; later templates to them fail the same way without a request;
- 130429 (throughput) `RateLimited` for every send, 131056 (pair limit) for that person only;
- 131048 (spam limit) `Paused` for SPAM_PAUSE; 190 (token) `Halted`;
- a 5xx or no answer `Transient` (retried: a lost answer may have been a delivery, the
  outbox's rule of never losing a message over never repeating one);
- anything else `Rejected`.
The messaging tier: templates reach at most `daily_limit` different people per WIB day (a
text inside the window does not count); one more person's template is `Later`, at the next
midnight. The count is kept in memory, read from `whatsapp_messages` once a day and at start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from bot.clock import DeliveryClock
from bot.settings import Settings
from bot.storage import Database
from bot.texts import siaran as t
from bot.whatsapp import contacts
from bot.whatsapp.api import ApiError, CloudApi, NetworkError
from bot.whatsapp.contacts import Contact
from broadcasts import whatsapp_messages
from broadcasts.sender import (
    Halted,
    Later,
    Outgoing,
    Paused,
    RateLimited,
    Refused,
    Rejected,
    Transient,
    Unreachable,
)
from broadcasts.whatsapp_messages import (
    MARKETING_STOPPED,
    OUTSIDE_WINDOW,
    UNREACHABLE,
    failed_reason,
)
from broadcasts.whatsapp_render import excerpt

log = logging.getLogger(__name__)

SPAM_PAUSE = 6 * 3600.0  # Meta does not say how long; a working day's rest is what others use
THROUGHPUT_PAUSE = 1.0  # 130429: the number's second (a window) is full


class _WindowClosed(Exception):
    """Meta refused a text as outside the window: the template goes instead."""


@dataclass
class WhatsAppSender:
    db: Database
    api: CloudApi
    clock: DeliveryClock
    tz: tzinfo
    organization: str
    template_name: str = "pengumuman_kim"
    template_language: str = "id"
    excerpt_length: int = 600
    daily_limit: int = 1000
    pair_interval: float = 6.0
    window: float = 1.0  # the second Meta counts in (BROADCAST_WINDOW)
    _day: date | None = field(default=None, init=False)
    _reached: set[int] = field(default_factory=set, init=False)  # by templates, today

    @classmethod
    def from_settings(
        cls, settings: Settings, db: Database, clock: DeliveryClock
    ) -> WhatsAppSender:
        return cls(
            db,
            CloudApi.of(settings),
            clock,
            settings.tz,
            settings.organization_name,
            template_name=settings.whatsapp_template_name,
            template_language=settings.whatsapp_template_language,
            excerpt_length=settings.whatsapp_template_excerpt,
            daily_limit=settings.whatsapp_daily_limit,
            pair_interval=settings.whatsapp_pair_interval,
            window=settings.broadcast_window,
        )

    async def start(self) -> None:
        await self.api.start()

    async def stop(self) -> None:
        await self.api.stop()

    async def send_part(self, chat_id: int, message: Outgoing, index: int) -> int:
        text = message.parts[index].text
        headline = message.topic or t.whatsapp_notice_headline(self.organization)
        return await self._send(chat_id, text, headline, message.teaser or text, message.outbox_id)

    async def send_text(self, chat_id: int, text: str) -> int:
        """A notice, already in WhatsApp's marks (bot/notices.py)."""
        headline = t.whatsapp_notice_headline(self.organization)
        return await self._send(chat_id, text, headline, text, None)

    async def delete(self, chat_id: int, message_id: int) -> bool:
        raise Rejected("WhatsApp cannot delete a message a business sent")

    async def _send(
        self, user_id: int, text: str, headline: str, teaser: str, outbox_id: int | None
    ) -> int:
        contact = await contacts.find(self.db, user_id)
        if contact is None:  # forgotten since the row was written
            raise Rejected("no WhatsApp contact for this person any more")
        if contact.in_window(self.clock.time()):
            try:
                wamid = await self._call(contact, self.api.text(contact.phone, text))
            except _WindowClosed:
                log.info("window closed for %s: sending the template", contact.masked)
                async with self.db.transaction() as conn:
                    await whatsapp_messages.close_window(conn, user_id, self.clock.time())
            else:
                return await whatsapp_messages.record_sent(
                    self.db, wamid=wamid, user_id=user_id, now=self.clock.now(), outbox_id=outbox_id
                )
        return await self._template(contact, text, headline, teaser, outbox_id)

    async def _template(
        self, contact: Contact, text: str, headline: str, teaser: str, outbox_id: int | None
    ) -> int:
        if contact.marketing_stopped:
            raise Refused(failed_reason(MARKETING_STOPPED), "the person stopped marketing messages")
        first_today = await self._count_today(contact.user_id)
        request = self.api.template(
            contact.phone,
            self.template_name,
            self.template_language,
            header=[headline],
            body=[excerpt(teaser, self.excerpt_length)],
        )
        try:
            wamid = await self._call(contact, request)
        except BaseException as exc:
            if first_today:  # not reached after all: the place is free again
                self._reached.discard(contact.user_id)
            if isinstance(exc, _WindowClosed):  # no template should ever be answered so
                raise Rejected(f"({OUTSIDE_WINDOW}) template refused as outside") from None
            raise
        return await whatsapp_messages.record_sent(
            self.db,
            wamid=wamid,
            user_id=contact.user_id,
            now=self.clock.now(),
            outbox_id=outbox_id,
            template=True,
            follow_text=text,
        )

    async def _count_today(self, user_id: int) -> bool:
        """Count the person against today's tier (True if they are new today), or raise
        `Later` when the day's allowance of people is used up."""
        today = self.clock.now().astimezone(self.tz).date()
        if self._day != today:
            midnight = datetime.combine(today, time(), self.tz)
            self._reached = await whatsapp_messages.template_recipients_since(self.db, midnight)
            self._day = today
        if user_id in self._reached:
            return False
        if len(self._reached) >= self.daily_limit:
            tomorrow = datetime.combine(today + timedelta(days=1), time(), self.tz)
            raise Later(tomorrow.timestamp(), f"{self.daily_limit} people reached by templates")
        self._reached.add(user_id)
        return True

    async def _call(self, contact: Contact, request: Awaitable[str]) -> str:
        """The request's wamid, or Meta's refusal as a `DeliveryError` (module docstring)."""
        try:
            return await request
        except NetworkError as exc:
            raise Transient(f"no answer: {exc}") from None
        except ApiError as exc:
            detail = f"({exc.code}) {exc.message}"
            if exc.server_side:
                raise Transient(detail) from None
            if exc.code == OUTSIDE_WINDOW:
                raise _WindowClosed from None
            if exc.code in UNREACHABLE:
                raise Unreachable(UNREACHABLE[exc.code], detail) from None
            if exc.code == MARKETING_STOPPED:
                await contacts.set_marketing_stopped(self.db, contact.user_id, True)
                raise Refused(failed_reason(MARKETING_STOPPED), detail) from None
            if exc.code == 130429:
                raise RateLimited(THROUGHPUT_PAUSE * self.window) from None
            if exc.code == 131056:
                raise RateLimited(self.pair_interval, chat_only=True) from None
            if exc.code == 131048:
                raise Paused(SPAM_PAUSE, detail) from None
            if exc.code == 190:
                raise Halted(detail) from None
            raise Rejected(detail) from None
