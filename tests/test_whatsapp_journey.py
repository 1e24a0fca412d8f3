"""A villager's whole life on WhatsApp, end to end: she subscribes with DAFTAR, receives a
verified announcement as text inside her 24-hour window (her 👍 on it counts as a vote) and
as the template outside it (the full text following her reply), checks a forwarded copy,
reports a hoax and gets the verdict, stops, and is forgotten. Staff work on Telegram as
always; nothing is patched."""

from __future__ import annotations

from bot.people import Role
from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser
from tests.faultkit import decide_first_case
from tests.network import Network
from tests.test_broadcasts import TEXT, compose
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.models import ButtonsMessage, TemplateMessage, TextMessage
from whatsapp_sandbox.people import WhatsAppUser

PHONE = "6281234567890"
HOAX = "Bantuan beras 10 kg bisa diambil di balai desa dengan menunjukkan foto KTP. Sebarkan!"
EXPLANATION = "Tidak ada pembagian beras seperti itu; foto KTP dipakai untuk penipuan."
DAY = 24 * 3600


async def _announce(server: BotApiServer, budi: FakeUser, sari: FakeUser) -> None:
    """Budi drafts Bangil's Kesehatan announcement on Telegram, Sari approves it."""
    summary = await compose(server, budi)
    assert "lewat WhatsApp: 1 orang" in summary.text
    await server.private(budi).press(summary, "📨 Kirim ke verifikator")
    verifier = server.private(sari)
    await verifier.expect()  # the draft itself
    card = await verifier.expect(contains="Perlu verifikasi")
    await verifier.press(card, "✅ Setujui & kirim")
    await verifier.expect_edit(card)


async def _subscribe(siti: WhatsAppUser) -> None:
    """The poster's link: DAFTAR with Raci's code, every topic, straight away."""
    await siti.send("DAFTAR d3514142011")
    topics = await siti.expect(kind=ButtonsMessage, contains="Raci")
    await siti.reply_button(topics, "Semua topik")
    await siti.reply_button(await siti.expect(kind=ButtonsMessage), "Langsung")
    await siti.expect(kind=TextMessage, contains="Langganan Anda")


async def test_a_villager_on_whatsapp_from_daftar_to_forgotten(
    server: BotApiServer, wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """Subscribe, receive (text, then template + full text), react, check, report and hear
    the verdict, stop, be forgotten: each step as it reaches her phone."""
    db = wa_kimbot.bot_data.db
    net = Network(server, wa_kimbot)
    budi = await net.staff("Budi", Role.OPERATOR)
    sari = await net.staff("Sari", Role.VERIFIER)
    siti = whatsapp.new_user("Siti", PHONE)
    await _subscribe(siti)

    await _announce(server, budi, sari)  # she wrote a moment ago: the text itself, free
    first = await siti.expect(kind=TextMessage, contains="Posyandu serentak")
    assert "*Posyandu serentak*" in first.text  # the operator's bold, in WhatsApp's marks
    author = server.private(budi)  # his progress message counts each channel
    assert await server.world.wait_until(
        lambda: any("Telegram 0/0 · WhatsApp 1/1" in m.text for m in author.messages), 5.0
    )
    assert whatsapp.stats.templates == 0
    await siti.react(first, "👍")  # WhatsApp's way to say "bermanfaat": no reply, a vote
    await siti.expect_nothing(within=0.3)
    votes = await db.fetchall("SELECT announcement_id, vote FROM reactions")
    assert [tuple(row) for row in votes] == [(1, "up")]

    whatsapp.advance_clock(DAY + 3600)  # a day passes without a word from her
    await db.write("UPDATE whatsapp_contacts SET last_inbound_at = last_inbound_at - ?", (DAY,))
    await _announce(server, await net.staff("Dewi", Role.OPERATOR), sari)
    template = await siti.expect(kind=TemplateMessage)
    assert isinstance(template, TemplateMessage) and template.name == "pengumuman_kim"
    assert "Posyandu serentak" in template.text
    assert whatsapp.stats.templates == 1
    await siti.reply_button(template, "Baca selengkapnya")
    full = await siti.expect(kind=TextMessage, contains="Posyandu serentak")
    assert TEXT.split(".")[1].strip() in full.text  # the whole text, not the excerpt
    await siti.expect_nothing(within=0.3)

    await siti.forward(full.text)
    genuine = await siti.expect(kind=TextMessage)
    assert genuine.text.startswith("✅ *ASLI*")

    tono = await net.staff("Tono", Role.OPERATOR)  # hears of the report first thing
    await siti.send("LAPOR")
    await siti.expect(contains="Laporkan kabar mencurigakan")
    await siti.forward(HOAX)
    filed = await siti.expect(contains="tercatat dengan nomor")
    panel, _ = await decide_first_case(server, tono, EXPLANATION)
    assert "Siti (WhatsApp)" in panel.text
    verdict = await siti.expect(kind=TextMessage, contains="Hasil pemeriksaan laporan")
    assert "HOAKS" in verdict.text and EXPLANATION in verdict.text
    assert filed.text.split("*")[1] in verdict.text  # the ticket she was given

    await siti.send("BERHENTI")
    await siti.expect(kind=TextMessage)
    assert await db.fetchval("SELECT COUNT(*) FROM subscriptions") == 0

    await siti.send("HAPUS DATA")
    await siti.reply_button(await siti.expect(kind=ButtonsMessage), "Ya, hapus")
    await siti.expect(contains="sudah dihapus")
    assert await db.fetchval("SELECT COUNT(*) FROM whatsapp_contacts") == 0
    tables = [
        r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    for table in tables:  # her number is nowhere any more
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            assert not any(PHONE in str(cell) for cell in row), table
