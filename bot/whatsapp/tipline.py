"""`CEK …`, forwarded texts and `LAPOR` on WhatsApp: /cek's answer and /lapor's tipline.

Nothing is decided here: the answer is `bot.checking`'s and the report is filed by
`bot.reports.file_report` (the same hourly quota, cases and early warnings as a private
Telegram report), under the contact's `user_id`. The verdict comes back by itself:
`bot.cases.decide` owes every reporter a notice, and `bot.notices.enqueue` routes a
WhatsApp reporter's to the WhatsApp channel in WhatsApp's marks.

WhatsApp differs in two ways. There are no buttons under an answer, so "📣 Laporkan"
becomes the word LAPOR; and only text can be reported (a photo's caption counts), since a
WhatsApp media id cannot be shown to operators on Telegram. The kecamatan question of
Telegram is not asked: the ticket is the whole answer.
"""

from __future__ import annotations

import logging

from bot import checking, operator_notes
from bot import reports as store
from bot.reports import Content, Kind, Refusal, Via, WarningRule
from bot.services import Services
from bot.texts import lapor
from bot.texts import wa_tipline as t
from bot.whatsapp import replies
from bot.whatsapp.contacts import Contact
from bot.whatsapp.replies import Incoming, Reply, Text

log = logging.getLogger(__name__)

ORIGIN = lapor.origin("whatsapp", "")  # a forwarded message's source, as operators read it


async def check(services: Services, contact: Contact, text: str) -> list[Reply]:
    """What /cek says about `text`; an empty one gets how to ask."""
    claim = text.strip()
    if not claim:
        return [Text(t.USAGE)]
    answer = await checking.answer_for(services.db, services.settings.organization_name, claim)
    body = t.from_catalog(answer.text)
    if answer.offer_report and "*LAPOR*" not in body:
        body += "\n\n" + t.REPORT_OFFER
    return [Text(body)]


async def report_prompt(services: Services, contact: Contact) -> list[Reply]:
    """Ask for the message to report, unless the person's hourly quota is used up."""
    per_hour = services.settings.reports_per_hour
    if not await store.may_report(services.db, contact.user_id, services.clock.now(), per_hour):
        return [Text(t.from_catalog(lapor.rate_limited(per_hour)))]
    return [Text(t.ASK_CONTENT)]


async def report(services: Services, contact: Contact, message: Incoming) -> list[Reply]:
    """File the message as the contact's report; the ticket, or why it cannot be filed."""
    content = _content(message)
    if content is Refusal.TOO_LARGE:
        return [Text(t.TOO_LONG)]
    if isinstance(content, Refusal):
        return [Text(t.NOT_TEXT)]
    settings = services.settings
    filed = await store.file_report(
        services.db,
        content,
        reporter_id=contact.user_id,
        reporter_name=f"{contact.name} (WhatsApp)",
        via=Via.PRIVATE,
        now=services.clock.now(),
        per_hour=settings.reports_per_hour,
        rule=WarningRule(settings.early_warning_reports, settings.early_warning_window),
    )
    if filed is None:
        return [Text(t.from_catalog(lapor.rate_limited(settings.reports_per_hour)))]
    if await operator_notes.enqueue(services.db, settings, filed):
        services.delivery.wake()
    log.info("report %s filed from WhatsApp %s", filed.report.ticket, contact.masked)
    return [Text(t.accepted(filed.report.ticket))]


def _content(message: Incoming) -> Content | Refusal:
    """A text (or a caption) is a report; a sticker, a bare photo or a pressed button is not."""
    if message.kind is not replies.Kind.TEXT:
        return Refusal.UNSUPPORTED
    problem = store.refusal(Kind.TEXT, text=message.text, size=None, duration=None)
    if problem is not None:
        return problem
    return Content(Kind.TEXT, message.text.strip(), origin=ORIGIN if message.forwarded else None)
