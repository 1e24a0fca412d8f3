"""/hapusdata and `privacy.forget_person`: afterwards no row in any table names the person,
and every column of the live schema has a declared decision."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import audit, kim, people, privacy, regions, subscriptions
from bot.people import Person, Role
from bot.services import KimApp
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.texts import kim as kim_texts
from bot.topics import DEFAULT_BITS
from botapi_sandbox import BotApiServer, ChatSession, FakeUser, SentMessage
from broadcasts import reactions
from handlers import menus
from tests.network import Network
from tests.test_blankspots import LATITUDE, LONGITUDE, _report_with_location

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


async def cells_naming(db: Database, user_id: int) -> list[str]:
    """`table.column` of every cell, in every table, that contains the id (as number or text)."""
    found = []
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for table in (row["name"] for row in tables):
        for column in await db.fetchall(f'PRAGMA table_info("{table}")'):
            name = column["name"]
            count = await db.fetchval(
                f'SELECT COUNT(*) FROM "{table}" WHERE instr(CAST("{name}" AS TEXT), ?) > 0',
                (str(user_id),),
            )
            if count:
                found.append(f"{table}.{name}")
    return found


async def schema_columns(db: Database) -> set[tuple[str, str]]:
    """(table, column) of every table in the live schema but SQLite's own."""
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {
        (table["name"], column["name"])
        for table in tables
        for column in await db.fetchall(f'PRAGMA table_info("{table["name"]}")')
    }


async def cells_holding(db: Database, *needles: str) -> dict[str, set[str]]:
    """needle → `table.column` of every cell, in every table, whose text contains it
    (ignoring case; numbers are read as text, so an id inside JSON counts too)."""
    found: dict[str, set[str]] = {}
    for table, column in sorted(await schema_columns(db)):
        for needle in needles:
            count = await db.fetchval(
                f'SELECT COUNT(*) FROM "{table}"'
                f' WHERE instr(lower(CAST("{column}" AS TEXT)), lower(?)) > 0',
                (needle,),
            )
            if count:
                found.setdefault(needle, set()).add(f"{table}.{column}")
    return found


async def leave_traces(db: Database, user_id: int, other_id: int) -> None:
    """Rows in every table that refers to a person: as subscriber, staff, actor, adder."""
    area = await subscriptions.resolve(db, AreaRef(Scope.DESA, "35.14.14.2011"))
    assert area is not None
    await subscriptions.subscribe(db, user_id=user_id, area=area, topics=DEFAULT_BITS, now=NOW)
    await people.grant(db, user_id=user_id, role=Role.OPERATOR, actor_id=other_id, now=NOW)
    await people.grant(db, user_id=other_id, role=Role.VERIFIER, actor_id=user_id, now=NOW)
    await audit.log(
        db,
        at=NOW,
        actor_id=user_id,
        action="access.denied",
        object_type="command",
        object_id="/poster",
    )
    stamp = NOW.isoformat()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats(chat_id, type, title, added_by, first_seen, updated_at)"
            " VALUES (-100123, 'supergroup', 'KIM Raci', ?, ?, ?)",
            (user_id, stamp, stamp),
        )
        await conn.execute(
            "INSERT INTO registrations(chat_id, kind, desa_code, name, status, requested_by,"
            " requested_at, decided_by, decided_at)"
            " VALUES (-100123, 'kim', '35.14.14.2011', 'KIM Raci', 'approved', ?, ?, ?, ?)",
            (user_id, stamp, other_id, stamp),
        )
        await conn.execute(
            "INSERT INTO registrations(chat_id, kind, desa_code, name, status, requested_by,"
            " requested_at, decided_by, decided_at)"
            " VALUES (-100123, 'kim', '35.14.14.2011', 'KIM Raci', 'ended', ?, ?, ?, ?)",
            (other_id, stamp, user_id, stamp),
        )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def test_forget_person_leaves_no_cell_naming_them(db: Database) -> None:
    """Their rows go, their id is blanked elsewhere, someone else's rows stay intact."""
    user_id, other_id = 712345678, 798765432
    for person in (user_id, other_id):
        await people.remember(db, Person(person, f"Warga {person}", username="w"), NOW)
    await leave_traces(db, user_id, other_id)
    assert {
        "people.user_id",
        "subscriptions.user_id",
        "staff.user_id",
        "staff.added_by",
        "audit_log.actor_id",
        "audit_log.object_id",
        "chats.added_by",
        "registrations.requested_by",
        "registrations.decided_by",
    } <= set(await cells_naming(db, user_id))
    other_before = await cells_naming(db, other_id)

    await privacy.forget_person(db, user_id, NOW)

    assert await cells_naming(db, user_id) == []
    # The other person's own rows stay; only the role they had granted went with its holder.
    assert await cells_naming(db, other_id) == [c for c in other_before if c != "staff.added_by"]
    assert await people.find(db, other_id) is not None
    assert await db.fetchval("SELECT COUNT(*) FROM chats") == 1
    assert await db.fetchval("SELECT COUNT(*) FROM registrations") == 2
    forgotten = await audit.entries(db, action="person.forgotten")
    assert [(e.actor_id, e.object_type, e.object_id) for e in forgotten] == [(None, None, None)]

    await privacy.forget_person(db, user_id, NOW)  # idempotent
    assert await cells_naming(db, user_id) == []


async def test_hapusdata_after_confirm_forgets_the_person(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """/hapusdata → "Ya, hapus data saya": no table names them, even after that very tap."""
    villager = server.new_user("Sri", username="sri_raci")
    chat = server.private(villager)
    await chat.send("/start d3514142011")
    offer = await chat.expect()
    await chat.press(offer, "Ya, berlangganan")
    await chat.expect_edit(offer)
    db = kimbot.bot_data.db
    await leave_traces(db, villager.id, admin.id)
    assert await cells_naming(db, villager.id)
    await menus.set_menu_for(kimbot.bot, villager.id, frozenset({Role.OPERATOR, Role.WARGA}))
    assert "poster" in {c.command for c in server.menu_for(villager)}

    await chat.send("/hapusdata")
    ask = await chat.expect()
    assert "Hapus data Anda" in ask.text
    await chat.press(ask, "Ya, hapus data saya")
    done = await chat.expect_edit(ask)
    assert "sudah dihapus" in done.text
    assert done.buttons == []

    assert await cells_naming(db, villager.id) == []
    assert await people.roles_of(db, set(), villager.id) == {Role.WARGA}
    assert "poster" not in {c.command for c in server.menu_for(villager)}


async def test_hapusdata_cancelled_keeps_everything(server: BotApiServer, kimbot: KimApp) -> None:
    """Batal leaves the profile and the subscriptions as they were."""
    villager = server.new_user("Yanto")
    chat = server.private(villager)
    await chat.send("/start k351414")
    offer = await chat.expect()
    await chat.press(offer, "Ya, berlangganan")
    await chat.expect_edit(offer)
    await chat.send("/hapusdata")
    ask = await chat.expect()
    await chat.press(ask, "Batal")
    assert "tidak dihapus" in (await chat.expect_edit(ask)).text
    db = kimbot.bot_data.db
    assert await people.find(db, villager.id) is not None
    assert len(await subscriptions.of_person(db, villager.id)) == 1


async def test_every_column_of_the_schema_has_a_decision(db: Database) -> None:
    """A table or column without a decision in bot/privacy.POLICY (or a stale one) fails."""
    live = await schema_columns(db)
    declared = privacy.declared_columns()
    assert sorted(live - declared) == [], "decide in bot/privacy.POLICY what forgetting does"
    assert sorted(declared - live) == [], "bot/privacy.POLICY names columns that are gone"


# --- one person, everywhere, through the chats -------------------------------------------

PHONE = "081234567890"
OWN_REPORT = f"Ada arisan online bodong, uang saya hilang. Hubungi saya di {PHONE}"
CHAIN_LETTER = "Pesan berantai: air PAM tercemar, jangan diminum tiga hari"
ANNOUNCEMENT = "Imunisasi campak gratis di puskesmas Bangil hari Kamis."
CHECKED = "Kerja bakti membersihkan saluran air hari Minggu pagi."
SCHEDULED = "Senam lansia setiap pagi di lapangan desa."


async def until(chat: ChatSession, text: str, timeout: float = 10.0) -> SentMessage:  # noqa: ASYNC109
    """The next message containing `text`, passing over the notices in between."""
    while True:
        message = await chat.expect(timeout=timeout)
        if text in message.text:
            return message


async def compose(chat: ChatSession, text: str) -> SentMessage:
    """/siaran up to the preview summary: Kesehatan, Penting, Kecamatan Bangil."""
    await chat.send("/siaran")
    await until(chat, "Pengumuman baru")
    await chat.send(text)
    topics = await until(chat, "topik")
    await chat.press(topics, "Kesehatan")
    urgency = await chat.expect_edit(topics)
    await chat.press(urgency, "❗ Penting")
    panel = await chat.expect_edit(urgency)
    await chat.press(panel, "Kecamatan… (0)")
    picker = await chat.expect_edit(panel)
    await chat.press(picker, "Bangil")
    picker = await chat.expect_edit(picker)
    await chat.press(picker, "Selesai ✓")
    panel = await chat.expect_edit(picker)
    await chat.press(panel, "Lanjut ke pratinjau »")
    return await until(chat, "Pratinjau")


async def approve(verifier: ChatSession, button: str = "✅ Setujui & kirim") -> None:
    request = await until(verifier, "Perlu verifikasi")
    await verifier.press(request, button)
    await verifier.expect_edit(request)


def delivered_copy(server: BotApiServer, chat_id: int, text: str) -> SentMessage:
    [copy] = [m for m in server.sent_to(chat_id) if text in m.text and "Terverifikasi" in m.text]
    return copy


async def test_hapusdata_forgets_a_villager_who_is_also_kim_admin_and_operator(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Someone who reported, mapped a blank spot, registered a KIM, subscribed, voted, relayed,
    drafted, verified and scheduled: after /hapusdata no cell holds their id, name, username or
    the phone number they wrote, and the counts stay."""
    db = kimbot.bot_data.db
    network = Network(server, kimbot)
    nur = server.new_user("Nurzaitun", last_name="Qoriyah", username="nurzai_q")
    mine = server.private(nur)
    ops = server.private(admin)
    await ops.send("/start")
    await ops.expect()

    # As a villager: a blank spot, a report, a forwarded message of theirs reported by Siti.
    await _report_with_location(server, nur)
    await mine.send(f"/lapor {OWN_REPORT}")
    await until(mine, "Laporan Anda tercatat")
    siti = server.private(server.new_user("Siti"))
    await siti.send("/lapor")
    await until(siti, "Kirim atau teruskan")
    await siti.forward(CHAIN_LETTER, from_user=nur)
    await until(siti, "Laporan Anda tercatat")

    # As the admin of a village group: the KIM of Raci, approved by the office.
    group = server.new_group("KIM Raci", admins=[nur])
    await server.add_bot_to(group, by=nur)
    in_group = server.in_group(group, nur)
    await in_group.expect(contains="/daftarkim")
    await in_group.send("/daftarkim")
    menu = await in_group.expect(contains="kecamatan")
    await in_group.press(menu, "Bangil")
    page = await in_group.expect_edit(menu)
    await in_group.press(page, "›")
    page = await in_group.expect_edit(menu)
    await in_group.press(page, "Raci")
    chosen = await in_group.expect_edit(menu)
    await in_group.expect(contains="Nama KIM")
    await in_group.press(chosen, "Pakai nama 'KIM Raci'")
    await in_group.expect_edit(menu)
    card = await until(ops, "Pendaftaran KIM")
    assert "Diminta oleh: Nurzaitun Qoriyah" in card.text
    await ops.press(card, "Setujui")
    await ops.expect_edit(card)
    await in_group.expect(contains="resmi")

    # As a subscriber of Raci.
    await mine.send("/langganan")
    step = await mine.expect()
    await mine.press(step, "Bangil")
    step = await mine.expect_edit(step)
    await mine.press(step, "Raci")
    step = await mine.expect_edit(step)
    await mine.press(step, "Kesehatan")
    step = await mine.expect_edit(step)
    await mine.press(step, "Simpan")
    assert "Anda sekarang berlangganan" in (await mine.expect_edit(step)).text

    # As an operator and verifier: a draft of theirs sent, another's verified, a schedule.
    now = kimbot.bot_data.clock.now()
    for role in (Role.OPERATOR, Role.VERIFIER):
        await people.grant(db, user_id=nur.id, role=role, actor_id=admin.id, now=now)
    budi = server.private(await network.staff("Budi", Role.OPERATOR))
    sari = server.private(await network.staff("Sari", Role.VERIFIER))
    summary = await compose(mine, ANNOUNCEMENT)
    await mine.press(summary, "📨 Kirim ke verifikator")
    await approve(sari)
    await until(mine, "selesai dikirim")
    summary = await compose(budi, CHECKED)
    await budi.press(summary, "📨 Kirim ke verifikator")
    await approve(mine)
    await until(budi, "selesai dikirim")
    await until(sari, "Perlu verifikasi")  # the same request, already decided by Nurzaitun
    summary = await compose(mine, SCHEDULED)
    await mine.press(summary, "🗓 Jadwalkan lalu kirim ke verifikator")
    kinds = await mine.expect_edit(summary)
    await mine.press(kinds, "Setiap hari")
    hours = await mine.expect_edit(kinds)
    await mine.press(hours, "07")
    minutes = await mine.expect_edit(hours)
    await mine.press(minutes, "07.00")
    plan = await mine.expect_edit(minutes)
    await mine.press(plan, "📨 Kirim ke verifikator")
    await approve(sari, "✅ Setujui & jadwalkan")

    # As a reader: a vote in private, a relay in the group.
    await mine.press(delivered_copy(server, nur.id, ANNOUNCEMENT), "👍 Bermanfaat")
    await in_group.press(
        delivered_copy(server, group.id, ANNOUNCEMENT), "✅ Sudah diteruskan ke warga"
    )

    needles = (str(nur.id), "Nurzaitun", "Qoriyah", "nurzai_q", PHONE)
    before = await cells_holding(db, *needles)
    assert {
        "outbox.chat_id",
        "reactions.user_id",
        "relays.user_id",
        "announcements.author_id",
        "announcements.verified_by",
        "announcements.progress_chat_id",
        "schedules.created_by",
        "registrations.requested_by",
        "hoax_reports.reporter_id",
        "blankspots.reporter_id",
        "subscriptions.user_id",
        "staff.user_id",
        "audit_log.actor_id",
    } <= before[str(nur.id)]
    assert {"audit_log.detail", "hoax_reports.origin", "hoax_reports.reporter_name"} <= before[
        "Nurzaitun"
    ]
    assert before[PHONE] == {"hoax_reports.text"}
    counts = "SELECT (SELECT COUNT(*) FROM hoax_reports), (SELECT COUNT(*) FROM outbox"
    counts += " WHERE status = 'sent'), (SELECT COUNT(*) FROM blankspots)"
    counted = tuple(await db.fetchone(counts) or ())

    await mine.send("/hapusdata")
    ask = await until(mine, "Hapus data Anda")
    await mine.press(ask, "Ya, hapus data saya")
    assert "sudah dihapus" in (await mine.expect_edit(ask)).text

    assert await cells_holding(db, *needles) == {}
    assert tuple(await db.fetchone(counts) or ()) == counted
    feedback = await reactions.feedback(db, 1)
    assert (feedback.up, feedback.down, feedback.relays) == (1, 0, 1)
    spot = await db.fetchone("SELECT latitude, longitude FROM blankspots")
    assert spot is not None and tuple(spot) == (round(LATITUDE, 2), round(LONGITUDE, 2))
    registration = await kim.live_for_chat(db, group.id)
    assert registration is not None
    card_now = kim_texts.registration_card(registration, "Pasuruan")
    assert "Diminta oleh: (dihapus)" in card_now
