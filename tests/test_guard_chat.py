"""The group guard: /penjaga by group admins, and the clarification card in the group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import guard, hoax_search, hoaxes
from bot.hoax_search import Tier, search
from bot.hoaxes import NewEntry, Verdict
from bot.services import KimApp
from bot.storage import Database
from botapi_sandbox import BotApiServer, FakeChat
from botapi_sandbox.session import ChatSession
from tests.clock import FakeClock

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Invented claims, written for these tests.
REGISTRY = [
    NewEntry(
        "Air kelapa dicampur garam menyembuhkan demam berdarah dalam satu malam",
        Verdict.HOAKS,
        "Tidak ada bukti ilmiah. Demam berdarah harus ditangani tenaga kesehatan di puskesmas "
        "atau rumah sakit; cairan tubuh memang penting, tetapi air kelapa dan garam tidak "
        "menyembuhkan infeksi virus dengue, apalagi dalam satu malam seperti klaim pesan "
        "berantai yang beredar di grup-grup warga sejak awal musim hujan.",
        "https://cek.contoh.id/kelapa",
    ),
    NewEntry(
        "Makan mi instan dengan nasi menyebabkan usus bocor",
        Verdict.MISINFORMASI,
        "Tidak sehat bila sering, tetapi tidak membuat usus bocor.",
        "https://cek.contoh.id/mi",
    ),
    NewEntry(
        "Pendaftaran kartu prakerja gelombang baru lewat tautan whatsapp berhadiah uang tunai",
        Verdict.HOAKS,
        "Pendaftaran Kartu Prakerja hanya di situs resminya.",
        "https://cek.contoh.id/prakerja",
    ),
    NewEntry(
        "Jadwal pemadaman listrik bergilir di Bangil selama tiga hari",
        Verdict.FAKTA,
        "PLN mengumumkan perbaikan gardu.",
        "https://cek.contoh.id/listrik",
    ),
]
# Reworded copies of registered claims: the guard speaks up.
PARAPHRASES = [
    "air kelapa campur garam bisa nyembuhin demam berdarah semalam lho",
    "Air kelapa dicampur garam menyembuhkan demam berdarah dalam satu malam, sebarkan!",
    "makan mi instan sama nasi menyebabkan usus bocor, hati2",
    "daftar kartu prakerja gelombang baru lewat link wa ini, dapat uang tunai",
]
# Everyday group talk, some of it about the same topics: the guard stays quiet.
ORDINARY = [
    "selamat pagi semua, hari ini ada kerja bakti di RT 3",
    "air kelapa muda bagus untuk yang kena demam berdarah, minum banyak air ya",
    "anak saya suka makan mi instan, bahaya nggak ya?",
    "pendaftaran kartu prakerja dibuka kapan ya?",
    "demam berdarah lagi musim, jangan lupa 3M dan periksa ke puskesmas",
    "listrik padam lagi di bangil, ada yang tahu sampai kapan?",
    "terima kasih atas informasinya pak",
]


@pytest.fixture
def server_sees_all(server: BotApiServer) -> BotApiServer:
    """Group privacy mode off, as the README asks for the guard."""
    server.privacy_mode = False
    return server


@dataclass
class Group:
    chat: FakeChat
    admin: ChatSession
    member: ChatSession
    clock: FakeClock


@pytest.fixture
async def group(server_sees_all: BotApiServer, kimbot: KimApp) -> Group:
    """KIM Raci with its admin Pak Harto and member Bu Sri; the registry above; a fake clock."""
    server = server_sees_all
    services = kimbot.bot_data
    clock = FakeClock(services.clock.now())
    services.clock = clock
    async with services.db.transaction() as conn:
        await hoaxes.add_entries(conn, REGISTRY, source="test", now=clock.now())
    await hoax_search.calibrate(services.db, now=clock.now())  # as `hoaks import` does
    harto, sri = server.new_user("Pak Harto"), server.new_user("Bu Sri")
    chat = server.new_group("KIM Raci", admins=[harto], members=[sri])
    await server.add_bot_to(chat, by=harto)
    admin, member = server.in_group(chat, harto), server.in_group(chat, sri)
    await admin.expect()  # the bot's greeting
    await member.expect()
    return Group(chat, admin, member, clock)


async def _switch_on(group: Group) -> None:
    await group.admin.send("/penjaga on")
    await group.admin.expect(contains="Penjaga kabar dinyalakan")
    await group.member.expect(contains="Penjaga kabar dinyalakan")


async def test_a_reworded_hoax_gets_the_card_once_an_hour(group: Group) -> None:
    """The card replies to the message: verdict, claim, short explanation, link; once an hour."""
    await _switch_on(group)
    rumour = await group.member.send(PARAPHRASES[0])
    card = await group.member.expect(contains="Penjaga kabar")
    assert card.reply_to_message_id == rumour["message_id"]
    assert "❌ HOAKS: Air kelapa dicampur garam menyembuhkan demam berdarah" in card.text
    assert "Tidak ada bukti ilmiah." in card.text
    assert card.text.count("…") == 1 and "sejak awal musim hujan" not in card.text
    assert 'href="https://cek.contoh.id/kelapa"' in card.html

    await group.member.send(PARAPHRASES[1])  # the same hoax again, minutes later
    await group.member.send(PARAPHRASES[2])  # another hoax: its own card
    card = await group.member.expect(contains="MENYESATKAN: Makan mi instan")
    await group.member.expect_nothing(within=0.3)

    group.clock.advance(timedelta(minutes=61))
    await group.member.send(PARAPHRASES[0])
    await group.member.expect(contains="HOAKS: Air kelapa")


async def test_ordinary_talk_and_facts_get_nothing(group: Group) -> None:
    """Everyday messages on the same topics, and a claim rated true, get no card."""
    await _switch_on(group)
    for text in [*ORDINARY, "jadwal pemadaman listrik bergilir di Bangil selama tiga hari"]:
        await group.member.send(text)
    await group.member.expect_nothing(within=0.5)


async def test_off_by_default_and_after_penjaga_off(group: Group) -> None:
    """Without /penjaga on, or after /penjaga off, a hoax passes without a card."""
    await group.member.send(PARAPHRASES[0])
    await group.member.expect_nothing(within=0.3)
    await _switch_on(group)
    await group.admin.send("/penjaga off")
    await group.admin.expect(contains="Penjaga kabar dimatikan")
    await group.member.expect(contains="Penjaga kabar dimatikan")
    await group.member.send(PARAPHRASES[0])
    await group.member.expect_nothing(within=0.3)


async def test_members_who_are_not_admins_cannot_switch_it(group: Group, kimbot: KimApp) -> None:
    """/penjaga on and the Nyalakan button are refused for a member; the guard stays off."""
    await group.member.send("/penjaga on")
    await group.member.expect(contains="hanya admin grup")
    await group.member.send("/penjaga")
    status = await group.member.expect(contains="tidak aktif")
    answer = await group.member.press(status, "🛡 Nyalakan")
    assert answer.show_alert and answer.text is not None and "hanya admin" in answer.text
    assert not await guard.is_on(kimbot.bot_data.db, group.chat.id)
    denied = await kimbot.bot_data.db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND object_id = '/penjaga'"
    )
    assert denied == 2

    answer = await group.admin.press(status, "🛡 Nyalakan")
    assert not answer.show_alert
    edited = await group.admin.expect_edit(status)
    assert "Penjaga kabar <b>aktif</b>" in edited.html
    assert await guard.is_on(kimbot.bot_data.db, group.chat.id)


async def test_penjaga_in_private_points_to_groups(server: BotApiServer, kimbot: KimApp) -> None:
    """In a private chat /penjaga explains that it belongs in a group."""
    chat = server.private(server.new_user("Rini"))
    await chat.send("/penjaga on")
    await chat.expect(contains="dipakai di grup")


async def test_the_calibrated_cocok_tier_separates_paraphrases_from_ordinary_talk(
    tmp_path: Path,
) -> None:
    """Once calibrated, every paraphrase is `cocok` and no ordinary message is."""
    db = await Database.open(tmp_path / "guard.sqlite3")
    try:
        async with db.transaction() as conn:
            await hoaxes.add_entries(conn, REGISTRY, source="test", now=NOW)
        await hoax_search.calibrate(db, now=NOW)
        for text in PARAPHRASES:
            best = await search(db, text, limit=1)
            assert best and best[0].tier is Tier.COCOK, (text, best)
        for text in ORDINARY:
            best = await search(db, text, limit=1)
            assert not best or best[0].tier is Tier.TERKAIT, (text, best)
    finally:
        await db.close()


async def test_a_message_edited_into_a_hoax_gets_the_card(group: Group) -> None:
    """The guard reads edits too: a harmless message rewritten into a hoax gets the card."""
    await _switch_on(group)
    said = await group.member.send(ORDINARY[0])
    await group.member.expect_nothing(within=0.3)
    await group.member.edit(said, PARAPHRASES[0])
    card = await group.member.expect(contains="HOAKS: Air kelapa")
    assert card.reply_to_message_id == said["message_id"]


def test_penjaga_words_switch_on_or_off_and_nothing_else() -> None:
    """Indonesian and English words switch the guard; anything else is a usage question."""
    assert [guard.wanted_state([w]) for w in ("on", "Nyalakan", "aktif")] == [True] * 3
    assert [guard.wanted_state([w]) for w in ("OFF", "matikan", "nonaktif")] == [False] * 3
    assert guard.wanted_state(["nanti"]) is None
    assert guard.wanted_state(["on", "off"]) is None
    assert guard.wanted_state([]) is None
