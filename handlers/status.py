"""/status for staff: is the bot healthy and set up for the right regency?"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import people, regions, texts
from bot.services import KimApp, KimContext
from handlers.access import command


@command("status")
async def status(update: Update, context: KimContext) -> None:
    """Region counts, people, staff and schema version at a glance."""
    if update.effective_message is None:
        return
    services = context.bot_data
    db = services.db
    kecamatan, desa = await regions.counts(db)
    people_count, staff_count = await people.counts(db)
    await update.effective_message.reply_text(
        texts.status(
            organization=services.settings.organization_name,
            regency=services.settings.regency_name,
            kecamatan=kecamatan,
            desa=desa,
            people=people_count,
            staff=staff_count,
            schema=await db.schema_version(),
            started=services.started_at.strftime("%d-%m-%Y %H.%M %Z"),
        )
    )


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("status", status))
