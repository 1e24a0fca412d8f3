"""The global error handler: an apology for the person, the traceback for the log, and a
short alert for the operators' group at most once a minute (an error storm must not become
a message storm). `OperatorAlarm` tells the same people when the database refuses writes
and when a channel (WhatsApp) has to rest or stop."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.services import KimApp, KimContext, Services

log = logging.getLogger(__name__)
ALERT_INTERVAL = timedelta(minutes=1)


async def on_error(update: object, context: KimContext) -> None:
    error = context.error
    if isinstance(error, BadRequest) and "message is not modified" in error.message.lower():
        # A double tap on a slow phone: the second tap asks for the screen the first one
        # already put there. Nothing failed, so no apology and no alert.
        log.debug("message already up to date: %s", error)
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update):
        await _apologise(update, context)
    await _alert_operators(update, context, type(error).__name__)


async def _apologise(update: Update, context: KimContext) -> None:
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR_APOLOGY, show_alert=True)
        elif update.effective_chat is not None and update.effective_chat.type == "private":
            await context.bot.send_message(update.effective_chat.id, texts.ERROR_APOLOGY)
    except TelegramError as exc:
        log.warning("could not apologise: %s", exc)


async def _alert_operators(update: object, context: KimContext, error_name: str) -> None:
    services = context.bot_data
    chat_id = services.settings.operator_chat_id
    now = services.clock.now()
    if chat_id is None:
        return
    if services.last_error_alert is not None and now - services.last_error_alert < ALERT_INTERVAL:
        return
    services.last_error_alert = now
    kind = "update" if not isinstance(update, Update) else _kind(update)
    try:
        await context.bot.send_message(chat_id, texts.error_alert(error_name, kind))
    except TelegramError as exc:
        log.warning("could not alert operators: %s", exc)


def _kind(update: Update) -> str:
    if update.callback_query is not None:
        return "tombol"
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        return f"perintah {message.text.split()[0]}"
    return "pesan"


class OperatorAlarm:
    """`broadcasts.backlog.Alarm`: the operators' group, or each admin when there is none
    (someone must hear that broadcasting stopped; the dispatcher calls once per outage)."""

    def __init__(self, bot: ExtBot[int], services: Services) -> None:
        self._bot = bot
        self._services = services

    async def storage_refused(self, reason: str) -> None:
        await self._tell(texts.storage_refused(reason))

    async def storage_recovered(self, seconds: float, recorded: int) -> None:
        await self._tell(texts.storage_recovered(seconds, recorded))

    async def channel_paused(self, channel: str, seconds: float, detail: str) -> None:
        await self._tell(texts.channel_paused(channel, seconds, detail))

    async def channel_halted(self, channel: str, detail: str) -> None:
        await self._tell(texts.channel_halted(channel, detail))

    async def _tell(self, text: str) -> None:
        settings = self._services.settings
        chat_ids = (
            [settings.operator_chat_id]
            if settings.operator_chat_id is not None
            else sorted(settings.admin_ids)
        )
        for chat_id in chat_ids:
            try:
                await self._bot.send_message(chat_id, text)
            except TelegramError as exc:
                log.warning("could not alert operators: %s", exc)


def register(app: KimApp) -> None:
    app.add_error_handler(on_error)
