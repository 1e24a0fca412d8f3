"""The operator's view of a running broadcast: the progress message, the final report with a
CSV of failures, and /batal_siaran to stop one.

An announcement that also went to WhatsApp subscribers gets its delivery per channel in the
report, and a CSV whose rows say their channel and show a WhatsApp person by a masked
number, never the number or the internal id."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CommandHandler, ExtBot

from bot import exports, privacy
from bot.addresses import Channel, channel_of
from bot.buttons import ButtonData
from bot.people import OPERATORS
from bot.services import KimApp, KimContext, Services
from bot.storage import Database
from bot.texts import siaran as t
from bot.texts import siaran_whatsapp as wa
from broadcasts import announcements, channel_report, outbox
from broadcasts.announcements import Announcement, Status
from handlers.access import command, stale_button
from handlers.presses import Press, on_press

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stop(ButtonData, prefix="stop"):
    announcement: int


async def tell(bot: ExtBot[int], chat_id: int, text: str) -> Message | None:
    """A message to someone who may never have opened the bot, or blocked it (then logged)."""
    try:
        return await bot.send_message(chat_id, text)
    except TelegramError as exc:
        log.warning("%s not reachable: %s", chat_id, exc)
        return None


async def open_progress(
    bot: ExtBot[int], db: Database, announcement_id: int, chat_id: int, text: str
) -> None:
    """Tell `chat_id` that a broadcast is on its way; that message then shows its progress."""
    message = await tell(bot, chat_id, text)
    if message is not None:
        await announcements.set_progress_message(db, announcement_id, chat_id, message.message_id)


class TelegramNotifier:
    """`broadcasts.progress.Notifier` that edits the author's progress message."""

    def __init__(self, bot: ExtBot[int], services: Services) -> None:
        self._bot = bot
        self._services = services

    async def progress(self, announcement: Announcement, progress: outbox.Progress) -> None:
        await self._edit(announcement, await self._progress_text(announcement, progress))

    async def finished(
        self,
        announcement: Announcement,
        progress: outbox.Progress,
        failures: list[tuple[int, str, str, str, int]],
    ) -> None:
        await self._edit(announcement, await self._progress_text(announcement, progress))
        chat_id = announcement.progress_chat_id or announcement.author_id
        if chat_id is None:
            return
        db, price = self._services.db, self._services.settings.whatsapp_template_price
        channels = await channel_report.of_announcement(db, announcement.id, price)
        report = t.final_report(
            announcement.number,
            progress.sent,
            progress.total,
            progress.failed_by_reason,
            progress.skipped,
            wa.delivery(channels) if channels else (),
        )
        phones = None
        if channels is not None:
            phones = await channel_report.masked_phones(db, (row[0] for row in failures))
        try:
            await self._bot.send_message(chat_id, report)
            if failures:
                await self._bot.send_document(
                    chat_id,
                    InputFile(
                        _csv(failures, phones), filename=f"gagal-pengumuman-{announcement.id}.csv"
                    ),
                    caption=t.FAILURES_CSV_CAPTION,
                )
        except TelegramError as exc:
            log.warning("final report for %s not delivered: %s", announcement.number, exc)

    async def _progress_text(self, announcement: Announcement, progress: outbox.Progress) -> str:
        """The bar over every recipient, and each channel's count where WhatsApp has some."""
        text = t.progress(announcement.number, progress.done, progress.total, progress.failed)
        db, price = self._services.db, self._services.settings.whatsapp_template_price
        channels = await channel_report.of_announcement(db, announcement.id, price)
        return text if channels is None else f"{text}\n{wa.progress_line(channels)}"

    async def _edit(self, announcement: Announcement, text: str) -> None:
        if announcement.progress_chat_id is None or announcement.progress_message_id is None:
            return
        try:
            await self._bot.edit_message_text(
                text, announcement.progress_chat_id, announcement.progress_message_id
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.warning("progress message not updated: %s", exc)
        except TelegramError as exc:
            log.warning("progress message not updated: %s", exc)


def _csv(failures: list[tuple[int, str, str, str, int]], phones: dict[int, str] | None) -> bytes:
    """`phones`: masked numbers of WhatsApp people, when the announcement used WhatsApp (then
    every row says its channel); None keeps the Telegram-only columns."""
    rows = (
        [
            _address(chat_id, phones),
            *([] if phones is None else [wa.CHANNEL_NAMES[channel_of(chat_id)]]),
            t.KIND_LABELS.get(kind, kind),
            t.FAILURE_REASONS.get(reason, reason),
            error,
            attempts,
        ]
        for chat_id, kind, reason, error, attempts in failures
    )
    first = ["chat_id"] if phones is None else ["chat_id_atau_nomor", wa.CHANNEL_COLUMN]
    return exports.csv_bytes(
        [*first, "jenis", "alasan", "pesan_galat", "percobaan"], rows, bom=False
    )


def _address(chat_id: int, phones: dict[int, str] | None) -> str | int:
    if privacy.is_anonymous(chat_id):  # a forgotten person
        return ""
    if phones is not None and channel_of(chat_id) is Channel.WHATSAPP:
        return phones.get(chat_id, "")  # never the number in full, nor the internal id
    return chat_id


@command("batal_siaran")
async def choose_to_stop(update: Update, context: KimContext) -> None:
    """List running broadcasts with a stop button each."""
    if update.effective_message is None:
        return
    running = await announcements.in_status(context.bot_data.db, Status.SENDING)
    if not running:
        await update.effective_message.reply_text(t.NOTHING_SENDING)
        return
    keyboard = InlineKeyboardMarkup([[Stop(a.id).button(t.stop_button(a.number))] for a in running])
    await update.effective_message.reply_text(t.CHOOSE_TO_STOP, reply_markup=keyboard)


async def stop(press: Press[Stop]) -> None:
    """Skip every row not yet sent; the final report follows as usual."""
    services = press.services
    announcement_id = press.data.announcement
    announcement = await announcements.get(services.db, announcement_id)
    if announcement is None or announcement.status is not Status.SENDING:
        await stale_button(press.update, press.context)
        return
    services.delivery.cancel(announcement_id)
    skipped = await outbox.cancel(services.db, announcement_id)
    services.delivery.wake()
    await press.edit(t.stopped(announcement.number, skipped))


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("batal_siaran", choose_to_stop))
    on_press(app, Stop, stop, allowed=OPERATORS, action="siaran.stop")
