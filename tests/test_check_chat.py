"""/cek in chat: anyone checks a forwarded claim against the hoax registry."""

from __future__ import annotations

from bot import hoaxes
from bot.hoaxes import NewEntry, Verdict
from bot.services import KimApp
from tests.botapi import BotApiServer, FakeUser

# Invented claims, written for these tests.
REGISTRY = [
    NewEntry(
        "Bantuan beras sepuluh kilogram bisa diambil di balai desa dengan menunjukkan foto KTP",
        Verdict.HOAKS,
        "Dinas Sosial tidak pernah mengumumkan pembagian beras lewat pesan berantai.",
        "https://cek.contoh.id/beras-ktp",
    ),
    NewEntry(
        "Jadwal pemadaman listrik bergilir di Bangil selama tiga hari",
        Verdict.FAKTA,
        "PLN mengumumkan perbaikan gardu.",
        "https://cek.contoh.id/listrik",
    ),
    NewEntry(
        "Makan mi instan dengan nasi menyebabkan usus bocor",
        Verdict.MISINFORMASI,
        "",
        "https://cek.contoh.id/mi",
    ),
]


async def _registry(kimbot: KimApp) -> None:
    services = kimbot.bot_data
    async with services.db.transaction() as conn:
        await hoaxes.add_entries(conn, REGISTRY, source="test", now=services.clock.now())


async def test_villager_checks_a_paraphrase_with_typos(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Reworded with slang and typos, the claim is found first with its verdict and link."""
    await _registry(kimbot)
    chat = server.private(server.new_user("Siti"))
    await chat.send(
        "/cek katanya bantuan berass 10 kg bs diambil di balai desa, cukup foto ktp aja"
    )
    reply = await chat.expect()
    first = reply.text.split("\n\n")[1]
    assert first.startswith("1. ❌ HOAKS: Bantuan beras sepuluh kilogram")
    assert "Dinas Sosial tidak pernah mengumumkan" in first
    assert "Baca selengkapnya" in first
    assert 'href="https://cek.contoh.id/beras-ktp"' in str(reply.html)


async def test_unrelated_text_is_not_in_the_registry(server: BotApiServer, kimbot: KimApp) -> None:
    """A text the registry does not know gets "belum ada di basis data kami"."""
    await _registry(kimbot)
    chat = server.private(server.new_user("Joko"))
    await chat.send("/cek besok kerja bakti bersih sungai jam tujuh, bawa cangkul sendiri")
    reply = await chat.expect()
    assert "belum ada di basis data kami" in reply.text


async def test_cek_without_text_explains_itself(server: BotApiServer, kimbot: KimApp) -> None:
    """/cek alone says how to use it."""
    chat = server.private(server.new_user("Wati"))
    await chat.send("/cek")
    reply = await chat.expect()
    assert "Ketik /cek lalu isi pesan" in reply.text
    assert "balas (reply)" in reply.text


async def test_reply_with_cek_in_a_group_checks_the_replied_message(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """In a KIM group, replying /cek to a forwarded rumour checks that rumour."""
    await _registry(kimbot)
    ketua = server.new_user("Pak Harto")
    group = server.new_group("KIM Raci", admins=[ketua])
    await server.add_bot_to(group, by=ketua)
    g = server.in_group(group, ketua)
    await g.expect()  # the bot's greeting to the group
    rumour = await g.send("makan mie instan sama nasi bikin usus boocor!!")
    await g.send("/cek", reply_to=rumour)
    reply = await g.expect()
    assert "⚠️ MENYESATKAN: Makan mi instan dengan nasi" in reply.text
