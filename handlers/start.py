"""/start and /bantuan: the first things a villager sees."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import commands, texts
from bot.commands import Where
from bot.services import KimApp, KimContext
from handlers.access import roles


async def start(update: Update, context: KimContext) -> None:
    """Welcome with what the bot does and the privacy note."""
    if update.effective_message is None:
        return
    settings = context.bot_data.settings
    await update.effective_message.reply_text(
        texts.welcome(settings.organization_name, settings.regency_name)
    )


async def help_command(update: Update, context: KimContext) -> None:
    """Only the commands this person may use."""
    if update.effective_message is None:
        return
    held = await roles(update, context)
    chat = update.effective_chat
    where = Where.PRIVATE if chat is None or chat.type == chat.PRIVATE else Where.GROUP
    available = [(c.name, c.description) for c in commands.available_to(held, where)]
    await update.effective_message.reply_text(texts.help_text(available, held))


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler(["bantuan", "help"], help_command))
