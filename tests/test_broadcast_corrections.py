"""Corrections (ralat) and the four-eyes rule under pressure: a correction reaches exactly the
original's chats, as a reply to it, only once a verifier approves; two verifiers approving at
the same moment send once."""

from __future__ import annotations

import asyncio

from bot import audit
from bot.people import Role
from bot.services import KimApp
from botapi_sandbox import BotApiServer
from broadcasts import outbox
from tests.network import kecamatan
from tests.test_broadcast_history import Bangil, bangil, copy_in, deliver, settings
from tests.test_broadcasts import compose

__all__ = ["bangil", "settings"]  # fixtures shared with test_broadcast_history

RALAT = "Ralat: vaksinasi dipindah ke hari Selasa pukul 09.00."


async def test_a_correction_replies_to_the_original_in_exactly_its_chats_after_approval(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """✏️ Ralat → text → verifier approves → each original chat gets it as a reply."""
    await deliver(kimbot, server, bangil.budi, bangil.sari)
    originals = {c.id: copy_in(server, c) for c in (bangil.raci, bangil.other, bangil.siti)}
    originals[bangil.joko.id] = copy_in(server, bangil.joko)
    newcomer = await bangil.net.villager("Baru", kecamatan("35.14.14"), "kesehatan")

    operator = server.private(bangil.budi)
    await operator.send("/riwayat")
    listing = await operator.expect(contains="Riwayat")
    await operator.press(listing, "🔎 #1")
    details = await operator.expect_edit(listing)
    await operator.press(details, "✏️ Ralat")
    prompt = await operator.expect(contains="Tulis teks ralat untuk pengumuman #1")
    await operator.send(RALAT, reply_to=prompt)
    preview = await operator.expect(contains=RALAT)
    assert "Ralat atas pengumuman #1" in preview.text
    assert "Draf — belum diverifikasi" in preview.text
    summary = await operator.expect(contains="Pratinjau ralat #2")
    assert "Penerima: 4 chat" in summary.text
    await operator.press(summary, "📨 Kirim ke verifikator")
    assert "sudah dikirim ke verifikator" in (await operator.expect_edit(summary)).text

    everyone = [*originals, newcomer.id, bangil.gempol.id, bangil.wawan.id]
    assert not any(RALAT in m.text for chat in everyone for m in server.sent_to(chat))

    verifier = server.private(bangil.sari)
    await verifier.expect(contains=RALAT)
    request = await verifier.expect(contains="Perlu verifikasi: pengumuman #2")
    assert "penerima: 4 chat" in request.text
    await verifier.press(request, "✅ Setujui & kirim")
    await operator.expect(contains="#2 disetujui")
    await operator.expect(contains="Pengumuman #2 selesai dikirim")

    for chat_id, original in originals.items():
        [correction] = [m for m in server.sent_to(chat_id) if RALAT in m.text]
        assert correction.reply_to_message_id == original.message_id
        assert "Ralat atas pengumuman #1 · Pengumuman #2 · ✅ Terverifikasi" in correction.text
    for chat_id in (newcomer.id, bangil.gempol.id, bangil.wawan.id):
        assert not any(RALAT in m.text for m in server.sent_to(chat_id))


async def test_a_withdrawn_announcement_cannot_be_corrected(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """A ralat prompt answered after the original was withdrawn creates no draft."""
    from broadcasts import corrections

    await deliver(kimbot, server, bangil.budi, bangil.sari)
    operator = server.private(bangil.budi)
    await operator.send("/riwayat")
    listing = await operator.expect(contains="Riwayat")
    await operator.press(listing, "🔎 #1")
    await operator.press(await operator.expect_edit(listing), "✏️ Ralat")
    prompt = await operator.expect(contains="teks ralat")
    db = kimbot.bot_data.db
    assert await corrections.begin_withdrawal(
        db, 1, actor_id=bangil.budi.id, now=kimbot.bot_data.clock.now()
    )
    await operator.send(RALAT, reply_to=prompt)
    assert "belum ditarik" in (await operator.expect()).text
    assert await db.fetchval("SELECT COUNT(*) FROM announcements") == 1


async def test_two_verifiers_approving_at_once_send_once(
    server: BotApiServer, kimbot: KimApp, bangil: Bangil
) -> None:
    """Both press "Setujui" together: one approval, one outbox, one copy per chat."""
    dewi = await bangil.net.staff("Dewi", Role.VERIFIER)
    summary = await compose(server, bangil.budi)
    operator = server.private(bangil.budi)
    await operator.press(summary, "📨 Kirim ke verifikator")
    requests = []
    for person in (bangil.sari, dewi):
        chat = server.private(person)
        await chat.expect()  # the draft itself
        requests.append((chat, await chat.expect(contains="Perlu verifikasi")))

    answers = await asyncio.gather(
        *(chat.press(request, "✅ Setujui & kirim") for chat, request in requests)
    )
    assert sorted(a.text or "" for a in answers) == ["", "Draf ini sudah diputuskan."]
    await operator.expect(contains="disetujui")
    await operator.expect(contains="selesai dikirim")

    db = kimbot.bot_data.db
    assert len(await audit.entries(db, action="announcement.approve")) == 1
    state = await outbox.progress(db, 1)
    assert state.total == state.sent == 4
    for target in (bangil.raci, bangil.other, bangil.siti, bangil.joko):
        assert len([m for m in server.sent_to(target.id) if "Posyandu" in m.text]) == 1
