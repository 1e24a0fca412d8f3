"""Verified announcements end to end: an operator composes, a verifier approves, and every
targeted chat (and nobody else) receives it exactly once."""

from __future__ import annotations

import pytest

from bot import regions
from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer, FakeUser, SentMessage
from broadcasts.content import utf16_len
from tests.network import Network, desa, kecamatan

TEXT = "Posyandu serentak hari Sabtu pukul 08.00 di balai desa. Bawa buku KIA."


def announcement_messages(server: BotApiServer, chat_id: int) -> list[SentMessage]:
    return [m for m in server.sent_to(chat_id) if "Posyandu serentak" in m.text]


async def compose(
    server: BotApiServer, author: FakeUser, *, kecamatan_button: str = "Bangil"
) -> SentMessage:
    """The operator's side of /siaran up to the preview summary."""
    chat = server.private(author)
    await chat.send("/siaran")
    await chat.expect(contains="Pengumuman baru")
    bold = {"type": "bold", "offset": 0, "length": 17}
    await chat.send(TEXT, formatting=[bold])
    topics = await chat.expect(contains="topik")
    await chat.press(topics, "Kesehatan")
    urgency = await chat.expect_edit(topics)
    await chat.press(urgency, "❗ Penting")
    panel = await chat.expect_edit(urgency)
    assert "belum dipilih" in panel.text
    await chat.press(panel, "Kecamatan… (0)")
    picker = await chat.expect_edit(panel)
    await chat.press(picker, kecamatan_button)
    picker = await chat.expect_edit(picker)
    assert f"✅ {kecamatan_button}" in picker.button_texts()
    await chat.press(picker, "Selesai ✓")
    panel = await chat.expect_edit(picker)
    assert f"Kec. {kecamatan_button}" in panel.text
    await chat.press(panel, "Lanjut ke pratinjau »")
    preview = await chat.expect()
    assert "Draf — belum diverifikasi" in preview.text
    return await chat.expect(contains="Pratinjau")


@pytest.fixture
async def network(server: BotApiServer, kimbot: KimApp) -> Network:
    """Two KIM in Bangil, one in Gempol, Bangil's forum, and five villagers."""
    net = Network(server, kimbot)
    pak_rt = server.new_user("Pak RT")
    bangil = await regions.desa_of(kimbot.bot_data.db, "35.14.14")
    other_bangil = next(d for d in bangil if d.name != "Raci")
    await net.kim_group("KIM Raci", "35.14.14.2011", pak_rt)
    await net.kim_group(f"KIM {other_bangil.name}", other_bangil.code, pak_rt)
    gempol = (await regions.desa_of(kimbot.bot_data.db, "35.14.12"))[0]
    await net.kim_group("KIM Gempol", gempol.code, pak_rt)
    await net.forum("Forum KIM Bangil", "35.14.14", pak_rt)
    await net.villager("Siti", desa("35.14.14.2011"), "kesehatan")
    await net.villager("Joko", kecamatan("35.14.14"), "kesehatan", "pertanian")
    await net.villager("Tini", kecamatan("35.14.14"), "pertanian")  # other topic
    await net.villager("Wawan", desa(gempol.code), "kesehatan")  # other kecamatan
    await net.villager("Rudi", desa("35.14.14.2011"), "kesehatan")
    net.groups["other"] = net.groups[f"KIM {other_bangil.name}"]
    return net


async def test_composed_verified_and_delivered_once_to_exactly_the_targets(
    server: BotApiServer, kimbot: KimApp, network: Network
) -> None:
    """Bangil's KIM, forum and Kesehatan subscribers get it once, with buttons; no one else."""
    budi = await network.staff("Budi", Role.OPERATOR)
    sari = await network.staff("Sari", Role.VERIFIER)
    summary = await compose(server, budi)
    assert "grup KIM: 2" in summary.text
    assert "Forum KIM: 1" in summary.text
    assert "pelanggan: 3" in summary.text
    assert "Jumlah: 6 chat" in summary.text
    # nothing goes out before verification
    assert announcement_messages(server, network.groups["KIM Raci"].id) == []

    author = server.private(budi)
    await author.press(summary, "📨 Kirim ke verifikator")
    assert "sudah dikirim ke verifikator" in (await author.expect_edit(summary)).text

    verifier = server.private(sari)
    draft = await verifier.expect()
    assert TEXT in draft.text
    request = await verifier.expect(contains="Perlu verifikasi")
    assert "penerima: 6 chat" in request.text
    await verifier.press(request, "✅ Setujui & kirim")
    assert "disetujui oleh Sari" in (await verifier.expect_edit(request)).text

    await author.expect(contains="disetujui oleh Sari")
    report = await author.expect(contains="selesai dikirim", timeout=10)
    assert "Terkirim: 6 dari 6" in report.text

    targeted = [
        network.groups["KIM Raci"],
        network.groups["other"],
        network.groups["Forum KIM Bangil"],
    ]
    for group in targeted:
        [message] = announcement_messages(server, group.id)
        assert message.text.startswith("📢 Diskominfo Kabupaten Pasuruan\n❗ PENTING · Kesehatan")
        assert "✅ Terverifikasi" in message.text
        start = utf16_len(message.text[: message.text.index("Posyandu")])  # 📢 counts twice
        assert {"type": "bold", "offset": start, "length": 17} in [
            {k: e[k] for k in ("type", "offset", "length")} for e in message.entities
        ]
        assert message.button_texts()[:2] == ["👍 Bermanfaat", "👎 Kurang jelas"]
    kim_buttons = announcement_messages(server, network.groups["KIM Raci"].id)[0].button_texts()
    assert "✅ Sudah diteruskan ke warga" in kim_buttons
    forum_buttons = announcement_messages(server, network.groups["Forum KIM Bangil"].id)[0]
    assert "✅ Sudah diteruskan ke warga" not in forum_buttons.button_texts()
    for name in ("Siti", "Joko", "Rudi"):
        assert len(announcement_messages(server, network.villagers[name].id)) == 1
    for name in ("Tini", "Wawan"):
        assert announcement_messages(server, network.villagers[name].id) == []
    assert announcement_messages(server, network.groups["KIM Gempol"].id) == []


async def test_reactions_and_relay_are_counted_once(
    server: BotApiServer, kimbot: KimApp, network: Network
) -> None:
    """A vote can change but counts once; a group's relay counts once."""
    from broadcasts import reactions

    budi = await network.staff("Budi", Role.OPERATOR)
    sari = await network.staff("Sari", Role.VERIFIER)
    summary = await compose(server, budi)
    await server.private(budi).press(summary, "📨 Kirim ke verifikator")
    verifier = server.private(sari)
    await verifier.expect()  # the draft itself
    request = await verifier.expect(contains="Perlu verifikasi")
    await verifier.press(request, "✅ Setujui & kirim")
    author = server.private(budi)
    await author.expect(contains="disetujui")
    await author.expect(contains="selesai dikirim", timeout=10)

    siti = server.private(network.villagers["Siti"])
    [message] = announcement_messages(server, siti.chat_id)
    assert (await siti.press(message, "👍 Bermanfaat")).text == "Terima kasih! 👍"
    assert (await siti.press(message, "👍 Bermanfaat")).text == "Pilihan Anda sudah tercatat."
    await siti.press(message, "👎 Kurang jelas")

    raci = network.groups["KIM Raci"]
    [group_message] = announcement_messages(server, raci.id)
    anggota, lain = server.new_user("Anggota"), server.new_user("Lain")
    await server.join(raci, anggota)
    await server.join(raci, lain)
    first = await server.in_group(raci, anggota).press(
        group_message, "✅ Sudah diteruskan ke warga"
    )
    assert "Terima kasih" in (first.text or "")
    again = await server.in_group(raci, lain).press(group_message, "✅ Sudah diteruskan ke warga")
    assert "sudah tercatat" in (again.text or "")
    assert group_message.edits == 0
    feedback = await reactions.feedback(kimbot.bot_data.db, 1)
    assert (feedback.up, feedback.down, feedback.relays) == (0, 1, 1)


async def test_an_author_cannot_approve_their_own_draft(
    server: BotApiServer, kimbot: KimApp, network: Network, admin: FakeUser
) -> None:
    """An admin who writes a draft gets it for verification only if someone else can verify."""
    admin_chat = server.private(admin)
    await admin_chat.send("/start")
    await admin_chat.expect()
    summary = await compose(server, admin)
    await admin_chat.press(summary, "📨 Kirim ke verifikator")
    note = await admin_chat.expect_edit(summary)
    assert "Belum ada verifikator lain" in note.text
    assert announcement_messages(server, network.groups["KIM Raci"].id) == []


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings
