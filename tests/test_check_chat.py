"""/cek in chat: anyone checks a forwarded claim against the hoax registry."""

from __future__ import annotations

from bot import hoax_search, hoaxes
from bot.hoaxes import Kind, NewEntry, Verdict
from bot.people import Role
from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser
from tests.network import Network

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
    NewEntry(
        "Pemerintah desa mewajibkan warga menanam pohon pisang di depan rumah",
        Verdict.MISINFORMASI,
        "Tulisan satire dari akun humor, bukan peraturan desa.",
        "https://cek.contoh.id/pisang",
        kind=Kind.SATIRE,
    ),
]


async def _registry(kimbot: KimApp) -> None:
    """The entries, and the thresholds calibrated for them, as `hoaks import` leaves them."""
    services = kimbot.bot_data
    async with services.db.transaction() as conn:
        await hoaxes.add_entries(conn, REGISTRY, source="test", now=services.clock.now())
    await hoax_search.calibrate(services.db, now=services.clock.now())


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
    assert reply.text.startswith("🔎 Hasil cek — kabar ini sudah diperiksa")
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


async def test_a_text_on_the_same_topic_gets_related_reading_not_a_verdict(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A question on a checked claim's topic is answered "mungkin terkait", without calling
    it a hoax, and can still be reported."""
    await _registry(kimbot)
    chat = server.private(server.new_user("Rina"))
    await chat.send("/cek anak saya suka makan mi instan pakai nasi, bahaya nggak ya?")
    reply = await chat.expect()
    assert reply.text.startswith("🔎 Mungkin terkait — baca dulu sebelum membagikan")
    assert "• Makan mi instan dengan nasi menyebabkan usus bocor" in reply.text
    assert "MENYESATKAN" not in reply.text and "HOAKS" not in reply.text
    assert "Jangan sebarkan dulu" in reply.text
    assert reply.button_texts() == ["📣 Laporkan"]


async def test_satire_is_answered_as_satire(server: BotApiServer, kimbot: KimApp) -> None:
    """A repeated satire post is labelled satire, not hoax."""
    await _registry(kimbot)
    chat = server.private(server.new_user("Dedi"))
    await chat.send("/cek pemerintah desa wajibkan warga tanam pohon pisang di depan rumah!")
    reply = await chat.expect()
    assert "🎭 SATIRE/PARODI: Pemerintah desa mewajibkan warga menanam pohon pisang" in reply.text


FORWARDED = (
    "INFO PENTING!! Mulai besok semua warga wajib setor fotokopi KK ke ketua RT untuk "
    "pendataan vaksin gratis, yang tidak setor namanya dicoret dari daftar bansos. "
    "Teruskan ke grup keluarga!"
)


async def test_a_reported_message_answers_cocok_once_the_office_has_decided(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Report, verdict, then the same forwarded text from another villager: /cek answers
    `cocok` with the office's verdict at once."""
    await _registry(kimbot)
    budi = await Network(server, kimbot).staff("Budi", Role.OPERATOR)
    dewi = server.private(server.new_user("Dewi"))
    await dewi.send(f"/cek {FORWARDED}")
    assert "belum ada di basis data kami" in (await dewi.expect()).text

    siti = server.private(server.new_user("Siti"))
    await siti.send("/lapor")
    await siti.expect()
    await siti.forward(FORWARDED, from_user=server.new_user("Penyebar"))
    ask = await siti.expect(contains="tercatat")
    await siti.press(ask, "Lewati")
    await siti.expect_edit(ask)

    operator = server.private(budi)
    await operator.expect(contains="Laporan hoaks baru")
    await operator.send("/antrian")
    queue = await operator.expect(contains="Antrian laporan hoaks")
    await operator.press(queue, "#1 · 1 laporan")
    panel = await operator.expect(contains="Pilih putusan")
    await operator.press(panel, "Hoaks")
    prompt = await operator.expect(contains="Tulis penjelasan untuk kasus #1")
    await operator.send("Tidak ada pendataan vaksin lewat ketua RT.", reply_to=prompt)
    link_prompt = await operator.expect(contains="Tautan rujukan")
    await operator.send("https://cek.contoh.id/kk-vaksin", reply_to=link_prompt)
    await operator.expect(contains="Kasus #1 diputus")
    await siti.expect(contains="Hasil pemeriksaan laporan")

    eko = server.private(server.new_user("Eko"))
    await eko.send(f"/cek {FORWARDED}")
    reply = await eko.expect()
    assert reply.text.startswith("🔎 Hasil cek — kabar ini sudah diperiksa")
    assert "1. ❌ HOAKS: INFO PENTING!! Mulai besok semua warga wajib setor" in reply.text
    assert "Tidak ada pendataan vaksin lewat ketua RT." in reply.text
    assert 'href="https://cek.contoh.id/kk-vaksin"' in str(reply.html)
