"""Villagers' subscriptions: /langganan, /profil, /berhenti, poster deep links, and who
receives an announcement (`subscriptions.recipients`)."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import people, regions, subscriptions, texts
from bot.people import Person
from bot.services import KimApp
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.topics import ALL_BITS, BY_KEY, DEFAULT_BITS
from botapi_sandbox import BotApiServer
from botapi_sandbox.models import SentMessage
from botapi_sandbox.session import ChatSession

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
RACI = "35.14.14.2011"
MASANGAN = "35.14.14.2010"
BANGIL = "35.14.14"
GEMPOL = "35.14.12"
KESEHATAN = BY_KEY["kesehatan"].bit
KLARIFIKASI = BY_KEY["klarifikasi"].bit
PENDIDIKAN = BY_KEY["pendidikan"].bit


async def _held(kimbot: KimApp, user_id: int) -> dict[str, int]:
    return {
        s.area.code: s.topics for s in await subscriptions.of_person(kimbot.bot_data.db, user_id)
    }


def _assert_small_callback_data(message: SentMessage) -> None:
    for row in message.buttons:
        for button in row:
            assert button.callback_data is not None
            assert len(button.callback_data.encode()) <= 64, button.callback_data


async def _subscribe_to_raci(chat: ChatSession) -> SentMessage:
    await chat.send("/langganan")
    step = await chat.expect()
    await chat.press(step, "Bangil")
    step = await chat.expect_edit(step)
    await chat.press(step, "Raci")
    return await chat.expect_edit(step)


# --- through the chat ------------------------------------------------------------------


async def test_villager_subscribes_to_a_desa_and_then_a_whole_kecamatan(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Bangil → Raci → Kesehatan → Simpan, then all of Gempol; /profil shows both."""
    villager = server.new_user("Siti")
    chat = server.private(villager)
    await chat.send("/langganan")
    first = await chat.expect()
    assert "Pilih kecamatan" in first.text
    assert "Bangil" in first.button_texts()
    assert "🏛 Seluruh Kabupaten Pasuruan" in first.button_texts()
    assert len(first.button_texts()) == 25
    _assert_small_callback_data(first)

    await chat.press(first, "Bangil")
    desa = await chat.expect_edit(first)
    assert "Kecamatan Bangil" in desa.text
    assert {"Raci", "Masangan", "📍 Seluruh Kecamatan Bangil", "« Kembali"} <= set(
        desa.button_texts()
    )
    _assert_small_callback_data(desa)

    await chat.press(desa, "Raci")
    topics = await chat.expect_edit(desa)
    assert "Desa Raci (Kec. Bangil)" in topics.text
    assert "✅ Klarifikasi Hoaks" in topics.button_texts()
    assert "⬜ Kesehatan" in topics.button_texts()
    assert len([b for b in topics.button_texts() if b[0] in "✅⬜"]) == 8
    _assert_small_callback_data(topics)

    await chat.press(topics, "Kesehatan")
    topics = await chat.expect_edit(topics)
    assert "✅ Kesehatan" in topics.button_texts()
    await chat.press(topics, "Simpan")
    done = await chat.expect_edit(topics)
    assert "Anda sekarang berlangganan" in done.text
    assert "Desa Raci (Kec. Bangil)" in done.text
    assert await _held(kimbot, villager.id) == {RACI: KESEHATAN | KLARIFIKASI}

    await chat.send("/langganan")
    again = await chat.expect()
    await chat.press(again, "Gempol")
    gempol = await chat.expect_edit(again)
    await chat.press(gempol, "Seluruh Kecamatan Gempol")
    topics = await chat.expect_edit(gempol)
    assert "Kecamatan Gempol" in topics.text
    await chat.press(topics, "Simpan")
    assert "Kecamatan Gempol" in (await chat.expect_edit(topics)).text

    await chat.send("/profil")
    profile = await chat.expect()
    assert "Desa Raci (Kec. Bangil)\n    Topik: Kesehatan, Klarifikasi Hoaks" in profile.text
    assert "Kecamatan Gempol\n    Topik: Klarifikasi Hoaks" in profile.text
    assert {"✏️ Raci", "✖ Raci", "✏️ Kec. Gempol", "✖ Kec. Gempol"} <= set(profile.button_texts())
    assert await _held(kimbot, villager.id) == {
        RACI: KESEHATAN | KLARIFIKASI,
        GEMPOL: KLARIFIKASI,
    }


async def test_back_buttons_walk_the_steps_in_one_message(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """« Kembali from the topics goes to the desa list, from there to the kecamatan list."""
    chat = server.private(server.new_user("Joko"))
    topics = await _subscribe_to_raci(chat)
    await chat.press(topics, "« Kembali")
    desa = await chat.expect_edit(topics)
    assert "Kecamatan Bangil" in desa.text
    await chat.press(desa, "« Kembali")
    first = await chat.expect_edit(desa)
    assert "Pilih kecamatan" in first.text
    assert len(chat.messages) == 1


async def test_whole_kabupaten_from_the_first_screen(server: BotApiServer, kimbot: KimApp) -> None:
    """The first screen's kabupaten button subscribes to everything in the regency."""
    villager = server.new_user("Rudi")
    chat = server.private(villager)
    await chat.send("/langganan")
    first = await chat.expect()
    await chat.press(first, "Seluruh Kabupaten Pasuruan")
    topics = await chat.expect_edit(first)
    assert "Kabupaten Pasuruan" in topics.text
    await chat.press(topics, "Simpan")
    await chat.expect_edit(topics)
    assert await _held(kimbot, villager.id) == {"35.14": KLARIFIKASI}


async def test_saving_without_a_topic_is_refused(server: BotApiServer, kimbot: KimApp) -> None:
    """Unticking every topic and pressing Simpan says a topic is needed and saves nothing."""
    villager = server.new_user("Tini")
    chat = server.private(villager)
    topics = await _subscribe_to_raci(chat)
    await chat.press(topics, "Klarifikasi Hoaks")
    topics = await chat.expect_edit(topics)
    assert "⬜ Klarifikasi Hoaks" in topics.button_texts()
    answer = await chat.press(topics, "Simpan")
    assert answer.text == "Pilih minimal satu topik dulu."
    assert answer.show_alert
    await chat.expect_nothing(within=0.3)
    assert await _held(kimbot, villager.id) == {}


async def test_profile_changes_topics_and_removes_one_area(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """From /profil: a second save of the same area updates it; ✖ removes just that area."""
    villager = server.new_user("Wulan")
    chat = server.private(villager)
    topics = await _subscribe_to_raci(chat)
    await chat.press(topics, "Simpan")
    await chat.expect_edit(topics)
    await chat.send("/langganan")
    first = await chat.expect()
    await chat.press(first, "Seluruh Kabupaten Pasuruan")
    topics = await chat.expect_edit(first)
    await chat.press(topics, "Simpan")
    await chat.expect_edit(topics)

    await chat.send("/profil")
    profile = await chat.expect()
    await chat.press(profile, "✏️ Raci")
    topics = await chat.expect_edit(profile)
    assert "✅ Klarifikasi Hoaks" in topics.button_texts()
    await chat.press(topics, "Pendidikan")
    topics = await chat.expect_edit(topics)
    await chat.press(topics, "Simpan")
    saved = await chat.expect_edit(topics)
    assert "Langganan diperbarui" in saved.text
    assert await _held(kimbot, villager.id) == {
        RACI: PENDIDIKAN | KLARIFIKASI,
        "35.14": KLARIFIKASI,
    }

    await chat.press(saved, "Langganan saya")
    profile = await chat.expect_edit(saved)
    answer = await chat.press(profile, "✖ Raci")
    assert answer.text == "Langganan Raci dihapus."
    profile = await chat.expect_edit(profile)
    assert "Raci" not in profile.text
    assert "Kabupaten Pasuruan" in profile.text
    assert await _held(kimbot, villager.id) == {"35.14": KLARIFIKASI}


async def test_empty_profile_offers_to_subscribe(server: BotApiServer, kimbot: KimApp) -> None:
    """/profil without subscriptions says so and offers a button to start."""
    chat = server.private(server.new_user("Agus"))
    await chat.send("/profil")
    profile = await chat.expect()
    assert "belum berlangganan" in profile.text
    await chat.press(profile, "Tambah wilayah")
    assert "Pilih kecamatan" in (await chat.expect_edit(profile)).text


async def test_subscribing_through_a_desa_deep_link(server: BotApiServer, kimbot: KimApp) -> None:
    """A poster's `/start d3514142011` offers Desa Raci; confirming subscribes with the defaults."""
    villager = server.new_user("Lastri")
    chat = server.private(villager)
    await chat.send("/start d3514142011")
    offer = await chat.expect()
    assert "Desa Raci (Kec. Bangil)" in offer.text
    assert "Klarifikasi Hoaks" in offer.text
    assert await _held(kimbot, villager.id) == {}

    await chat.press(offer, "Ya, berlangganan")
    done = await chat.expect_edit(offer)
    assert "Anda sekarang berlangganan" in done.text
    assert await _held(kimbot, villager.id) == {RACI: DEFAULT_BITS}

    await chat.press(done, "Pilih topik")
    topics = await chat.expect_edit(done)
    await chat.press(topics, "Kesehatan")
    topics = await chat.expect_edit(topics)
    await chat.press(topics, "Simpan")
    await chat.expect_edit(topics)
    assert await _held(kimbot, villager.id) == {RACI: KESEHATAN | KLARIFIKASI}

    # Scanning the poster again keeps the chosen topics.
    await chat.send("/start d3514142011")
    again = await chat.expect()
    assert "sudah berlangganan" in again.text
    assert "Kesehatan" in again.text
    assert await _held(kimbot, villager.id) == {RACI: KESEHATAN | KLARIFIKASI}


async def test_kecamatan_deep_link_and_declining(server: BotApiServer, kimbot: KimApp) -> None:
    """A kecamatan link offers the kecamatan; Batal subscribes to nothing."""
    villager = server.new_user("Eka")
    chat = server.private(villager)
    await chat.send("/start k351412")
    offer = await chat.expect()
    assert "Kecamatan Gempol" in offer.text
    await chat.press(offer, "Batal")
    assert "tidak jadi" in (await chat.expect_edit(offer)).text
    assert await _held(kimbot, villager.id) == {}


async def test_deep_link_to_an_unknown_area_says_it_is_no_longer_valid(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A well-formed link naming no desa of this regency is outdated, not a welcome."""
    chat = server.private(server.new_user("Dewi"))
    await chat.send("/start d3514149999")
    reply = await chat.expect()
    assert "tidak berlaku" in reply.text
    assert "/langganan" in reply.text


async def test_berhenti_asks_then_removes_everything(server: BotApiServer, kimbot: KimApp) -> None:
    """/berhenti: Batal keeps the subscriptions, Ya, berhenti removes all of them."""
    villager = server.new_user("Hadi")
    chat = server.private(villager)
    await chat.send("/berhenti")
    assert "belum berlangganan" in (await chat.expect()).text

    db = kimbot.bot_data.db
    for ref in (AreaRef(Scope.DESA, RACI), AreaRef(Scope.KECAMATAN, GEMPOL)):
        area = await subscriptions.resolve(db, ref)
        assert area is not None
        await subscriptions.subscribe(
            db, user_id=villager.id, area=area, topics=KLARIFIKASI, now=NOW
        )

    await chat.send("/berhenti")
    ask = await chat.expect()
    assert "2 wilayah" in ask.text
    await chat.press(ask, "Batal")
    assert "tetap berjalan" in (await chat.expect_edit(ask)).text
    assert len(await _held(kimbot, villager.id)) == 2

    await chat.send("/berhenti")
    ask = await chat.expect()
    await chat.press(ask, "Ya, berhenti")
    stopped = await chat.expect_edit(ask)
    assert "sudah dihentikan" in stopped.text
    assert stopped.buttons == []
    assert await _held(kimbot, villager.id) == {}


FORGED = [
    "lgd:k351499:0",  # no such kecamatan
    "lgd:k351414:5",  # no such page
    "lgd:d3514142011:0",  # a desa where a kecamatan belongs
    "lgt:l:d3514149999:128",  # no such desa
    "lgs:l:d3514149999:128",
    "lgt:l:d3514142011:999",  # bits beyond the known topics
    "lgs:l:d3514142011:999",
    "lgs:l:d3514142011:-1",
    "lgs:l:d3514142011:abc",
    "lgs:x:d3514142011:128",  # unknown origin
    "lgy:d35141420",  # malformed token
    "lgy:r9999",  # another regency
    "lgq:d3514142011",  # unknown step
    "lgk:",
    "prx:d3514142011",  # not subscribed there
    "prf:q",
    "bhn:q",
    "hps:q",
]


async def test_forged_or_stale_buttons_change_nothing(server: BotApiServer, kimbot: KimApp) -> None:
    """Forged or outdated callback data is answered as no longer valid; nothing changes."""
    villager = server.new_user("Iwan")
    chat = server.private(villager)
    await chat.send("/langganan")
    first = await chat.expect()
    for data in FORGED:
        answer = await chat.press_data(first, data)
        assert answer.text == texts.STALE_BUTTON, data
    await chat.expect_nothing(within=0.1)
    assert server.message(chat.chat_id, first).edits == 0
    assert await _held(kimbot, villager.id) == {}
    assert await people.find(kimbot.bot_data.db, villager.id) is not None


# --- area tokens -----------------------------------------------------------------------


def test_area_tokens_round_trip_and_reject_malformed_ones() -> None:
    """Tokens are the dotless code behind a scope letter; anything else parses to None."""
    for ref in (
        AreaRef(Scope.DESA, RACI),
        AreaRef(Scope.KECAMATAN, BANGIL),
        AreaRef(Scope.KABUPATEN, "35.14"),
    ):
        assert subscriptions.parse_token(ref.token) == ref
    assert AreaRef(Scope.DESA, RACI).token == "d3514142011"
    for bad in ("d351414201", "d35141420111", "k3514", "r351414", "x351414", "k35141a", ""):
        assert subscriptions.parse_token(bad) is None


# --- recipients --------------------------------------------------------------------------


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def _subscriber(db: Database, user_id: int, *areas: tuple[Scope, str, int]) -> None:
    await people.remember(db, Person(user_id, f"Warga {user_id}"), NOW)
    for scope, code, topics in areas:
        area = await subscriptions.resolve(db, AreaRef(scope, code))
        assert area is not None
        await subscriptions.subscribe(db, user_id=user_id, area=area, topics=topics, now=NOW)


@pytest.fixture
async def network(db: Database) -> Database:
    """1 Raci, 2 Masangan (Bangil), 3 Bangil, 4 kabupaten, 5 a Gempol desa, 6 Gempol."""
    gempol_desa = (await regions.desa_of(db, GEMPOL))[0].code
    await _subscriber(db, 1, (Scope.DESA, RACI, KLARIFIKASI))
    await _subscriber(db, 2, (Scope.DESA, MASANGAN, KLARIFIKASI))
    await _subscriber(db, 3, (Scope.KECAMATAN, BANGIL, KLARIFIKASI))
    await _subscriber(db, 4, (Scope.KABUPATEN, "35.14", KLARIFIKASI))
    await _subscriber(db, 5, (Scope.DESA, gempol_desa, KLARIFIKASI))
    await _subscriber(db, 6, (Scope.KECAMATAN, GEMPOL, KLARIFIKASI))
    return db


async def test_recipients_of_a_desa_announcement(network: Database) -> None:
    """To Desa Raci: Raci's, Bangil's and the kabupaten's subscribers, no other desa's."""
    found = await subscriptions.recipients(network, desa_codes=[RACI], topic_bit=KLARIFIKASI)
    assert found == [1, 3, 4]
    assert (
        await subscriptions.count_recipients(network, desa_codes=[RACI], topic_bit=KLARIFIKASI) == 3
    )


async def test_recipients_of_a_kecamatan_announcement(network: Database) -> None:
    """To Kecamatan Bangil: every Bangil desa's subscribers, Bangil's and the kabupaten's."""
    found = await subscriptions.recipients(network, kecamatan_codes=[BANGIL], topic_bit=KLARIFIKASI)
    assert found == [1, 2, 3, 4]


async def test_recipients_of_mixed_and_whole_kabupaten_announcements(network: Database) -> None:
    """Desa and kecamatan targets add up; the whole kabupaten reaches every subscriber."""
    mixed = await subscriptions.recipients(
        network, kecamatan_codes=[GEMPOL], desa_codes=[RACI], topic_bit=KLARIFIKASI
    )
    assert mixed == [1, 3, 4, 5, 6]
    whole = await subscriptions.recipients(network, whole_kabupaten=True, topic_bit=KLARIFIKASI)
    assert whole == [1, 2, 3, 4, 5, 6]
    assert await subscriptions.recipients(network, topic_bit=KLARIFIKASI) == []
    assert await subscriptions.count_recipients(network, topic_bit=KLARIFIKASI) == 0


async def test_recipients_need_the_topic(network: Database) -> None:
    """Only subscriptions that include the announcement's topic count."""
    await _subscriber(network, 7, (Scope.DESA, RACI, KESEHATAN | KLARIFIKASI))
    await _subscriber(network, 8, (Scope.KABUPATEN, "35.14", KESEHATAN))
    found = await subscriptions.recipients(network, desa_codes=[RACI], topic_bit=KESEHATAN)
    assert found == [7, 8]
    with pytest.raises(ValueError, match="topic_bit"):
        await subscriptions.recipients(network, desa_codes=[RACI], topic_bit=ALL_BITS)


async def test_recipients_skip_unreachable_people_and_count_each_person_once(
    network: Database,
) -> None:
    """A person who blocked the bot is skipped; two matching areas still mean one message."""
    await _subscriber(
        network, 9, (Scope.DESA, RACI, KLARIFIKASI), (Scope.KECAMATAN, BANGIL, KLARIFIKASI)
    )
    async with network.transaction() as conn:
        await conn.execute("UPDATE people SET reachable = 0 WHERE user_id = 3")
    found = await subscriptions.recipients(network, desa_codes=[RACI], topic_bit=KLARIFIKASI)
    assert found == [1, 4, 9]
    assert (
        await subscriptions.count_recipients(network, desa_codes=[RACI], topic_bit=KLARIFIKASI) == 3
    )


async def test_recipients_among_100000_subscribers(db: Database) -> None:
    """100,000 subscribers: the same answer as the rules applied by hand, in well under 1 s."""
    rng = random.Random(14)
    desa = [
        (d.code, d.kecamatan_code)
        for k in await regions.all_kecamatan(db)
        for d in await regions.desa_of(db, k.code)
    ]
    kecamatan = sorted({k for _, k in desa})
    rows = []
    for user_id in range(1, 100_001):
        roll = rng.random()
        if roll < 0.7:
            scope, code = "desa", rng.choice(desa)[0]
        elif roll < 0.95:
            scope, code = "kecamatan", rng.choice(kecamatan)
        else:
            scope, code = "kabupaten", "35.14"
        rows.append((user_id, scope, code, rng.randint(1, ALL_BITS), int(rng.random() > 0.05)))
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO people(user_id, first_seen, last_seen, reachable) VALUES (?, '', '', ?)",
            [(r[0], r[4]) for r in rows],
        )
        await conn.executemany(
            "INSERT INTO subscriptions(user_id, scope, area_code, topics, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, '', '')",
            [r[:4] for r in rows],
        )

    def matches(scope: str, code: str) -> bool:
        return (
            scope == "kabupaten"
            or (scope == "kecamatan" and code == BANGIL)
            or (scope == "desa" and (code == RACI or code.startswith(GEMPOL + ".")))
            or (scope == "desa" and code.startswith(BANGIL + "."))
            or (scope == "kecamatan" and code == GEMPOL)
        )

    expected = [
        user_id
        for user_id, scope, code, topics, reachable in rows
        if reachable and topics & KESEHATAN and matches(scope, code)
    ]
    started = time.perf_counter()
    found = await subscriptions.recipients(
        db, kecamatan_codes=[BANGIL, GEMPOL], desa_codes=[RACI], topic_bit=KESEHATAN
    )
    elapsed = time.perf_counter() - started
    assert found == expected
    assert elapsed < 1.0
