"""/cek: anyone checks a claim against the hoax registry, in private or in a group.

A text that presents itself as the office's announcement ("Pengumuman #12", the office's
name, "Terverifikasi"), or a bare announcement number (`/cek 12`), is compared with the
archive of sent announcements instead (`bot.genuine`); one that is not found there is also
looked up in the registry, since fake official letters get registered as hoaxes too.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.ext import CommandHandler

from bot import genuine
from bot.genuine import Outcome
from bot.hoax_search import Tier, search
from bot.services import KimApp, KimContext, Services
from bot.texts import cek as texts
from bot.texts import genuine as genuine_texts
from handlers import reports
from handlers.access import command


def _claim_of(message: Message) -> str:
    """The text after /cek, or else the text or caption of the message it replies to."""
    typed = (message.text or "").split(maxsplit=1)
    if len(typed) == 2 and typed[1].strip():
        return typed[1].strip()
    replied = message.reply_to_message
    if replied is not None:
        return (replied.text or replied.caption or "").strip()
    return ""


@dataclass(frozen=True)
class Answer:
    text: str
    offer_report: bool  # with "📣 Laporkan", replying to the checked message


def report_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.REPORT, callback_data=reports.CHECKED)]]
    )


async def genuine_answer(services: Services, text: str) -> Answer | None:
    """asli / diubah / tidak ditemukan for an announcement or its number; None for any
    other text (that is the registry's)."""
    db, organization = services.db, services.settings.organization_name
    number = genuine.number_query(text)
    if number is not None:
        sent = await genuine.lookup(db, number, organization)
        if sent is None:
            return Answer(genuine_texts.no_such_number(organization, number), offer_report=False)
        return Answer(
            genuine_texts.announcement(
                organization, sent.id, sent.sent_on, sent.body, sent.withdrawn
            ),
            offer_report=False,
        )
    if not genuine.looks_official(text, organization):
        return None
    finding = await genuine.check(db, text, organization)
    found = finding.announcement
    if finding.outcome is Outcome.GENUINE and found is not None:
        reply = genuine_texts.genuine(organization, found.id, found.sent_on, found.withdrawn)
        return Answer(reply, offer_report=False)
    if finding.outcome is Outcome.ALTERED and found is not None:
        changes = [(change.before, change.after) for change in finding.changes]
        reply = genuine_texts.altered(
            found.id, found.sent_on, changes, finding.more_changes, found.withdrawn
        )
        return Answer(reply, offer_report=True)
    reply = genuine_texts.not_found(organization, finding.claimed, finding.claimed_exists)
    matches = await search(db, text, limit=3)
    if matches:
        reply += "\n\n" + texts.results(matches)
    return Answer(reply, offer_report=True)


async def answer_for(services: Services, text: str) -> Answer:
    """What /cek says about any text: the archive for announcements, else the registry."""
    official = await genuine_answer(services, text)
    if official is not None:
        return official
    return await registry_answer(services, text)


async def registry_answer(services: Services, text: str) -> Answer:
    """`cocok` matches, `terkait` ones (reportable), or "not in the registry yet"."""
    matches = await search(services.db, text, limit=3)
    if matches:
        # Only related fact-checks: the text itself is still unchecked, so it can be reported.
        same = any(m.tier is Tier.COCOK for m in matches)
        return Answer(texts.results(matches), offer_report=not same)
    return Answer(texts.NOT_FOUND, offer_report=True)


@command("cek")
async def check(update: Update, context: KimContext) -> None:
    """The registered claims closest to the text, with their verdicts, or "not known yet"."""
    message = update.effective_message
    if message is None:
        return
    claim = _claim_of(message)
    if not claim:
        await message.reply_text(texts.USAGE)
        return
    typed = len((message.text or "").split(maxsplit=1)) == 2
    checked = message if typed else (message.reply_to_message or message)
    official = await genuine_answer(context.bot_data, claim)
    if official is not None:
        await checked.reply_text(
            official.text,
            do_quote=True,
            reply_markup=report_keyboard() if official.offer_report else None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return
    answer = await registry_answer(context.bot_data, claim)
    if not answer.offer_report:
        await message.reply_text(
            answer.text, link_preview_options=LinkPreviewOptions(is_disabled=True)
        )
        return
    # The answer quotes the checked message, so that "📣 Laporkan" knows what to report.
    await checked.reply_text(
        answer.text,
        do_quote=True,
        reply_markup=report_keyboard(),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("cek", check))
