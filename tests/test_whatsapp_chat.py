"""Villagers on WhatsApp: the webhook's handshake and signature, each message handled once,
and the conversation (DAFTAR, BERHENTI, HAPUS DATA, help) through the local Cloud API."""

from __future__ import annotations

import io
import json

import aiohttp

from bot.services import KimApp
from bot.settings import Settings
from bot.topics import ALL_BITS, BY_KEY
from bot.whatsapp.api import CloudApi
from broadcasts import whatsapp_messages
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.errors import GraphError
from whatsapp_sandbox.models import (
    ButtonsMessage,
    ListMessage,
    ReplyButton,
    TemplateMessage,
    TextMessage,
)
from whatsapp_sandbox.people import WhatsAppUser
from whatsapp_sandbox.webhooks import SIGNATURE_HEADER, envelope, sign

PHONE = "6281234567890"


def _text_event(user: WhatsAppUser, wamid: str, text: str) -> bytes:
    """Meta's envelope of one text `user` wrote, as raw bytes to sign."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": "1"},
        "contacts": [{"profile": {"name": user.name}, "wa_id": user.wa_id}],
        "messages": [
            {
                "from": user.wa_id,
                "id": wamid,
                "timestamp": "1764460800",
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    return json.dumps(envelope("200000000000002", value)).encode()


async def _post(url: str, body: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as got:
        return got.status


async def _contacts(app: KimApp) -> int:
    return int(await app.bot_data.db.fetchval("SELECT COUNT(*) FROM whatsapp_contacts") or 0)


async def test_the_handshake_answers_the_challenge_only_with_the_verify_token(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """Meta's subscription GET gets its challenge back; a wrong verify token gets 403."""
    assert await whatsapp.verify_webhook() == (200, "1158201444")
    status, body = await whatsapp.verify_webhook(verify_token="someone-else")
    assert status == 403
    assert "1158201444" not in body


async def test_a_forged_webhook_changes_nothing(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox, log_output: io.StringIO
) -> None:
    """A POST signed with another secret, or unsigned, is refused: nobody recorded, no reply,
    a warning that shows neither the body nor the number."""
    siti = whatsapp.new_user("Siti", PHONE)
    siti.last_inbound = whatsapp.now()  # a reply could reach her, if one were sent
    url = whatsapp.webhook_url
    assert url is not None
    body = _text_event(siti, "wamid.forged-1", "DAFTAR")
    assert await _post(url, body, sign(body, "not-the-app-secret")) == 401
    assert await _post(url, body, None) == 401
    assert await _post(url, body, sign(body, whatsapp.app_secret)[:-2] + "00") == 401
    await siti.expect_nothing(within=0.5)
    assert await _contacts(wa_kimbot) == 0
    seen = await wa_kimbot.bot_data.db.fetchval("SELECT COUNT(*) FROM whatsapp_inbound")
    assert seen == 0
    logs = log_output.getvalue()
    assert "without a valid signature" in logs
    assert PHONE not in logs and "wamid.forged-1" not in logs


async def test_a_retried_webhook_is_answered_once(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """Meta delivering the same message id twice gets 200 both times and one answer."""
    siti = whatsapp.new_user("Siti", PHONE)
    siti.last_inbound = whatsapp.now()
    url = whatsapp.webhook_url
    assert url is not None
    body = _text_event(siti, "wamid.retried-1", "halo")
    assert await _post(url, body, sign(body, whatsapp.app_secret)) == 200
    assert await _post(url, body, sign(body, whatsapp.app_secret)) == 200
    await siti.expect(contains="DAFTAR")
    await siti.expect_nothing(within=0.5)
    assert await _contacts(wa_kimbot) == 1


async def test_anything_else_gets_the_help_with_the_words(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox, log_output: io.StringIO
) -> None:
    """A greeting is answered with the words the bot understands; the logs show neither the
    number nor the access token."""
    siti = whatsapp.new_user("Siti", PHONE)
    await siti.send("Assalamualaikum, ini layanan apa?")
    help_text = await siti.expect(kind=TextMessage)
    for word in ("DAFTAR", "CEK", "LAPOR", "BERHENTI", "HAPUS DATA"):
        assert word in help_text.text
    logs = log_output.getvalue()
    assert "WhatsApp webhook listening" in logs
    assert PHONE not in logs and whatsapp.access_token not in logs


async def test_daftar_by_list_and_by_typed_name_subscribes(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """DAFTAR through the kecamatan list's page 2, a desa picked and one typed with a typo,
    chosen topics and the weekly digest: the subscriptions are stored and summed up."""
    db = wa_kimbot.bot_data.db
    siti = whatsapp.new_user("Siti", PHONE)
    await siti.send("daftar")
    first = await siti.expect(kind=ListMessage, contains="kecamatan")
    assert len(first.rows) == 10  # type: ignore[attr-defined]
    await siti.pick_row(first, "Berikutnya ›")
    second = await siti.expect(kind=ListMessage, contains="halaman 2")
    await siti.pick_row(second, "Bangil")
    desa = await siti.expect(kind=ListMessage, contains="Kecamatan Bangil")
    await siti.pick_row(desa, "Kauman")
    topics = await siti.expect(kind=ButtonsMessage, contains="Kauman")
    await siti.reply_button(topics, "Pilih topik")
    menu = await siti.expect(kind=ListMessage, contains="belum ada")
    await siti.pick_row(menu, "⬜ Kesehatan")
    menu = await siti.expect(kind=ListMessage, contains="Dipilih: Kesehatan")
    await siti.pick_row(menu, "✔ Selesai")
    digest = await siti.expect(kind=ButtonsMessage, contains="Tersimpan")
    await siti.reply_button(digest, "Ringkasan mingguan")
    summary = await siti.expect(kind=TextMessage, contains="Langganan Anda")
    assert "Kauman (Kec. Bangil): Kesehatan" in summary.text
    assert "ringkasan mingguan" in summary.text

    await siti.send("DAFTAR")
    await siti.pick_row(await siti.expect(kind=ListMessage), "Berikutnya ›")
    await siti.pick_row(await siti.expect(kind=ListMessage), "Bangil")
    await siti.expect(kind=ListMessage, contains="ketik")
    await siti.send("desa kalirjo")
    topics = await siti.expect(kind=ButtonsMessage, contains="Kalirejo (Kec. Bangil)")
    await siti.reply_button(topics, "Semua topik")
    await siti.reply_button(await siti.expect(kind=ButtonsMessage), "Langsung")
    summary = await siti.expect(kind=TextMessage, contains="Langganan Anda")
    assert "Kalirejo" in summary.text and "Kauman" in summary.text

    rows = await db.fetchall(
        "SELECT s.area_code, s.topics, p.weekly_digest FROM subscriptions s"
        " JOIN whatsapp_contacts c USING (user_id) JOIN people p USING (user_id)"
        " WHERE c.phone = ? ORDER BY s.area_code",
        (PHONE,),
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("35.14.14.1004", BY_KEY["kesehatan"].bit),
        ("35.14.14.1014", ALL_BITS),
    ]
    assert {r[2] for r in rows} == {0}  # "Langsung" chosen last


async def test_a_forged_choice_is_stale_and_changes_nothing(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """A list row whose id names no real area is answered "sudah tidak berlaku"."""
    siti = whatsapp.new_user("Siti", PHONE)
    await siti.send("DAFTAR 35.14.14.2011")
    topics = await siti.expect(kind=ButtonsMessage, contains="Desa Raci")
    assert topics.buttons[0].id.startswith("wtall:d3514142011")
    forged = ButtonsMessage(
        topics.id, siti.wa_id, 0.0, reply_buttons=(ReplyButton("wtall:d3514149999", "Semua"),)
    )
    await siti.reply_button(forged, "Semua")
    await siti.expect(contains="sudah tidak berlaku")
    subscribed = await wa_kimbot.bot_data.db.fetchval("SELECT COUNT(*) FROM subscriptions")
    assert subscribed == 0


async def test_berhenti_ends_every_subscription(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """BERHENTI (or STOP) removes every subscription at once and says so."""
    siti = whatsapp.new_user("Siti", PHONE)
    await siti.send("DAFTAR d3514142011")
    await siti.reply_button(await siti.expect(kind=ButtonsMessage), "Semua topik")
    await siti.reply_button(await siti.expect(kind=ButtonsMessage), "Langsung")
    await siti.expect(contains="Langganan Anda")
    await siti.send("stop")
    await siti.expect(contains="sudah dihentikan")
    assert await wa_kimbot.bot_data.db.fetchval("SELECT COUNT(*) FROM subscriptions") == 0
    await siti.send("BERHENTI")
    await siti.expect(contains="belum berlangganan")


async def test_hapus_data_forgets_the_phone_number(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """HAPUS DATA, confirmed: the person, the phone number and the subscriptions are gone."""
    db = wa_kimbot.bot_data.db
    siti = whatsapp.new_user("Siti", PHONE)
    await siti.send("DAFTAR d3514142011")
    await siti.reply_button(await siti.expect(kind=ButtonsMessage), "Semua topik")
    await siti.expect(kind=ButtonsMessage)
    await siti.send("Hapus data")
    ask = await siti.expect(kind=ButtonsMessage, contains="Hapus data Anda?")
    await siti.reply_button(ask, "Ya, hapus")
    await siti.expect(contains="sudah dihapus")
    assert await _contacts(wa_kimbot) == 0
    assert await db.fetchval("SELECT COUNT(*) FROM people WHERE user_id >= ?", (2**53,)) == 0
    assert await db.fetchval("SELECT COUNT(*) FROM subscriptions") == 0
    assert (
        await db.fetchval("SELECT COUNT(*) FROM whatsapp_contacts WHERE phone = ?", (PHONE,)) == 0
    )


async def test_a_status_webhook_updates_the_message(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """ "read" and "failed" statuses from Meta reach the message's row, with the error."""
    db = wa_kimbot.bot_data.db
    siti = whatsapp.new_user("Siti", PHONE)
    await siti.send("halo")
    first = await siti.expect()
    await siti.send("halo lagi")
    second = await siti.expect()
    user_id = await db.fetchval("SELECT user_id FROM whatsapp_contacts")
    now = wa_kimbot.bot_data.clock.now()
    for message in (first, second):
        await whatsapp_messages.record_sent(db, wamid=message.id, user_id=user_id, now=now)
    siti.read(first)
    whatsapp.set_status(second, "failed", GraphError(131026))
    assert await whatsapp.wait_until(lambda: whatsapp.pending_webhooks == 0, 5.0)
    rows = await db.fetchall("SELECT wamid, status, error FROM whatsapp_messages ORDER BY id")
    assert [(r[1], r[2]) for r in rows] == [("read", None), ("failed", "131026 " + _title(131026))]


def _title(code: int) -> str:
    return GraphError(code).title


async def test_read_more_on_a_template_releases_the_full_text_without_a_stale_answer(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox, wa_settings: Settings
) -> None:
    """Tapping the template's "Baca selengkapnya" brings the owed full text, once, and is not
    answered as a stale choice."""
    db = wa_kimbot.bot_data.db
    siti = whatsapp.new_user("Siti", PHONE)
    await siti.send("halo")
    await siti.expect(contains="DAFTAR")
    api = CloudApi(
        wa_settings.whatsapp_api_base_url, whatsapp.phone_number_id, whatsapp.access_token
    )
    await api.start()
    try:
        wamid = await api.template(
            PHONE, "pengumuman_kim", "id", header=["Pengumuman Kesehatan"], body=["Vaksin…"]
        )
    finally:
        await api.stop()
    user_id = await db.fetchval("SELECT user_id FROM whatsapp_contacts")
    await whatsapp_messages.record_sent(
        db,
        wamid=wamid,
        user_id=user_id,
        now=wa_kimbot.bot_data.clock.now(),
        template=True,
        follow_text="Vaksinasi gratis di Puskesmas Bangil, Senin 08.00.",
    )
    template = await siti.expect(kind=TemplateMessage, contains="Pengumuman Kesehatan")
    await siti.reply_button(template, "Baca selengkapnya")
    full = await siti.expect(kind=TextMessage)
    assert full.text == "Vaksinasi gratis di Puskesmas Bangil, Senin 08.00."
    await siti.expect_nothing(within=0.5)
    assert await db.fetchval("SELECT COUNT(*) FROM notices") == 0
    assert await db.fetchval("SELECT follow_text FROM whatsapp_messages") is None
