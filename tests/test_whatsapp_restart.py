"""A WhatsApp message Meta already had its 200 for, but that a stop or a crash left
unanswered, is answered at the next start, once."""

from __future__ import annotations

import io
from datetime import datetime

from bot.app import build_application, running
from bot.settings import Settings
from bot.storage import Database
from bot.whatsapp import contacts, inbound
from bot.whatsapp.replies import Incoming, Kind
from tests.conftest import WA_TEMPLATE_BODY
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import TextMessage

PHONE = "6281234567890"


async def test_a_message_left_unanswered_is_answered_after_the_restart(
    wa_settings: Settings, whatsapp: WhatsAppSandbox, log_output: io.StringIO
) -> None:
    """Siti's CEK was recorded and kept, as the webhook does before Meta's 200, and the bot
    went down before answering: the next start answers it; the one after, nothing more."""
    whatsapp.add_template(wa_settings.whatsapp_template_name, WA_TEMPLATE_BODY, header="{{1}}")
    siti = whatsapp.new_user("Siti", PHONE)
    siti.last_inbound = whatsapp.now()  # she wrote: her window is open
    db = await Database.open(wa_settings.database_path)
    try:
        now = datetime.now(wa_settings.tz)
        user_id = await contacts.remember(db, PHONE, "Siti", now, now.timestamp())
        assert await inbound.first_time(db, "wamid.before-the-stop", now)
        text = "CEK vaksin mengandung chip pelacak"
        await inbound.owe(db, Incoming(user_id, "wamid.before-the-stop", Kind.TEXT, text))
    finally:
        await db.close()

    for run in (1, 2):
        app = build_application(wa_settings)
        async with running(app):
            if run == 1:
                answer = await siti.expect(kind=TextMessage)
                assert "belum ada di basis data" in answer.text  # /cek's answer
                kept = await app.bot_data.db.fetchval(
                    "SELECT message FROM whatsapp_inbound WHERE wamid = 'wamid.before-the-stop'"
                )
                assert kept is None  # taken: the text is gone, the id stays
            else:
                await siti.expect_nothing(within=0.5)
