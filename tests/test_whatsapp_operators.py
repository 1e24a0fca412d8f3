"""What staff see of WhatsApp: recipients per channel and the template cost in the preview
and on the verifier's card, the daily tier, the monthly budget's second confirmation, and
delivery per channel in the report, /riwayat and /statistik."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from bot import audit, subscriptions
from bot.clock import isoformat
from bot.people import Role
from bot.services import KimApp
from bot.storage import Database
from bot.topics import BY_KEY
from bot.whatsapp import contacts
from botapi_sandbox import BotApiServer
from broadcasts import announcements, outbox, whatsapp_cost, whatsapp_messages
from tests.conftest import whatsapp_settings
from tests.network import Network
from tests.test_broadcasts import compose
from whatsapp_sandbox import WhatsAppSandbox

HOUR = 3600.0
BANGIL = "35.14.14"


@pytest.fixture
def whatsapp_limits() -> dict[str, str]:
    """Overridden per test (by parametrize) for a tier or a budget that is easy to pass."""
    return {}


@pytest.fixture
def settings_overrides(
    whatsapp: WhatsAppSandbox, whatsapp_limits: dict[str, str]
) -> dict[str, str]:
    """WhatsApp set up against the local stand-in, at 650 rupiah a template."""
    return {**whatsapp_settings(whatsapp), "WHATSAPP_TEMPLATE_PRICE": "650", **whatsapp_limits}


@pytest.fixture
async def network(server: BotApiServer, kimbot: KimApp) -> Network:
    """Raci's KIM group and one Telegram subscriber in Bangil, for Kesehatan."""
    net = Network(server, kimbot)
    await net.kim_group("KIM Raci", "35.14.14.2011", server.new_user("Pak RT"))
    await net.villager("Siti", _bangil(), "kesehatan")
    return net


def _bangil() -> subscriptions.AreaRef:
    return subscriptions.AreaRef(subscriptions.Scope.KECAMATAN, BANGIL)


async def whatsapp_subscriber(db: Database, phone: str, now: datetime, *, hours_ago: float) -> int:
    """A WhatsApp person subscribed to Bangil's Kesehatan, who last wrote `hours_ago`."""
    user_id = await contacts.remember(db, phone, "Warga", now, now.timestamp() - hours_ago * HOUR)
    area = await subscriptions.resolve(db, _bangil())
    assert area is not None
    topics = BY_KEY["kesehatan"].bit
    await subscriptions.subscribe(db, user_id=user_id, area=area, topics=topics, now=now)
    return user_id


async def two_inside_three_outside(db: Database, now: datetime) -> list[int]:
    """Two people inside their 24-hour window (free) and three outside (a template each)."""
    return [
        await whatsapp_subscriber(db, "6281200000001", now, hours_ago=1),
        await whatsapp_subscriber(db, "6281200000002", now, hours_ago=20),
        await whatsapp_subscriber(db, "6281200000003", now, hours_ago=30),
        await whatsapp_subscriber(db, "6281200000004", now, hours_ago=48),
        await whatsapp_subscriber(db, "6281200000005", now, hours_ago=24 * 9),
    ]


async def test_preview_and_card_show_both_channels_and_the_template_cost(
    server: BotApiServer, kimbot: KimApp, network: Network
) -> None:
    """The preview and the verifier's card split Telegram from WhatsApp and price the
    templates; within the budget one press approves."""
    db = kimbot.bot_data.db
    await two_inside_three_outside(db, network.now)
    budi = await network.staff("Budi", Role.OPERATOR)
    sari = await network.staff("Sari", Role.VERIFIER)

    summary = await compose(server, budi)
    assert "pelanggan: 6" in summary.text and "Jumlah: 7 chat" in summary.text
    assert "Lewat Telegram: 2 chat · lewat WhatsApp: 5 orang" in summary.text
    assert "Pelanggan: 1 di Telegram, 5 di WhatsApp" in summary.text
    assert "2 dalam jendela 24 jam (gratis), 3 lewat template (± Rp 1.950)" in summary.text
    assert "Biaya template bulan ini: Rp 0 dari anggaran Rp 500.000." in summary.text
    assert "besok" not in summary.text and "Melewati anggaran" not in summary.text

    await server.private(budi).press(summary, "📨 Kirim ke verifikator")
    verifier = server.private(sari)
    await verifier.expect()  # the draft itself
    card = await verifier.expect(contains="Perlu verifikasi")
    assert "Lewat Telegram: 2 chat · lewat WhatsApp: 5 orang" in card.text
    assert "3 lewat template (± Rp 1.950)" in card.text
    await verifier.press(card, "✅ Setujui & kirim")
    assert "disetujui oleh Sari" in (await verifier.expect_edit(card)).text


@pytest.mark.parametrize("whatsapp_limits", [{"WHATSAPP_DAILY_LIMIT": "3"}])
async def test_preview_says_how_many_templates_go_tomorrow_past_the_daily_tier(
    server: BotApiServer, kimbot: KimApp, network: Network
) -> None:
    """A tier of 3 people a day, two already reached today (one of them a recipient, who
    needs no new slot): of three templates, one goes today and one waits for tomorrow."""
    db, now = kimbot.bot_data.db, network.now
    people = await two_inside_three_outside(db, now)
    elsewhere = await contacts.remember(db, "6289900000001", "Lain", now, now.timestamp())
    for n, person in enumerate((elsewhere, people[2])):
        await whatsapp_messages.record_sent(
            db, wamid=f"wamid.today.{n}", user_id=person, now=now, template=True
        )
    budi = await network.staff("Budi", Role.OPERATOR)

    summary = await compose(server, budi)
    assert "3 lewat template" in summary.text
    assert "Batas harian WhatsApp tercapai: 1 template sisanya dikirim besok." in summary.text


@pytest.mark.parametrize("whatsapp_limits", [{"WHATSAPP_MONTHLY_BUDGET": "2000"}])
async def test_an_approval_past_the_monthly_budget_needs_a_second_yes_and_is_audited(
    server: BotApiServer, kimbot: KimApp, network: Network
) -> None:
    """Rp 650 spent and Rp 1.950 more past a Rp 2.000 budget: the verifier is asked again
    with the amounts, "« Jangan" leaves the draft pending, and the second yes is audited."""
    db, now = kimbot.bot_data.db, network.now
    await two_inside_three_outside(db, now)
    earlier = await contacts.remember(db, "6289900000002", "Lain", now, now.timestamp())
    await whatsapp_messages.record_sent(
        db, wamid="wamid.month", user_id=earlier, now=now, template=True
    )
    budi = await network.staff("Budi", Role.OPERATOR)
    sari = await network.staff("Sari", Role.VERIFIER)
    summary = await compose(server, budi)
    assert "Melewati anggaran bulan ini: Rp 650 + Rp 1.950 > Rp 2.000" in summary.text
    await server.private(budi).press(summary, "📨 Kirim ke verifikator")
    verifier = server.private(sari)
    await verifier.expect()
    card = await verifier.expect(contains="Perlu verifikasi")
    draft = await announcements.get(db, 1)
    assert draft is not None

    await verifier.press(card, "✅ Setujui & kirim")
    question = await verifier.expect_edit(card)
    assert "Lewati anggaran bulan ini?" in question.text
    assert "3 template WhatsApp, ± Rp 1.950" in question.text
    assert "Terpakai bulan ini: Rp 650 dari anggaran Rp 2.000; setelah ini ± Rp 2.600" in (
        question.text
    )
    assert (await announcements.get(db, draft.id)) == draft  # still pending, nothing owed
    assert (await outbox.progress(db, draft.id)).total == 0

    await verifier.press(question, "« Jangan")
    card = await verifier.expect_edit(question)
    assert "Perlu verifikasi" in card.text
    await verifier.press(card, "✅ Setujui & kirim")
    question = await verifier.expect_edit(card)
    await verifier.press(question, "✅ Ya, lewati anggaran")
    assert "disetujui oleh Sari" in (await verifier.expect_edit(question)).text

    [entry] = await audit.entries(db, action="announcement.approve")
    assert entry.actor_id == sari.id
    assert entry.detail["over_budget"] == {
        "templates": 3,
        "cost": 1950.0,
        "spent": 650.0,
        "budget": 2000.0,
    }
    assert (await outbox.progress(db, draft.id)).total == 7


async def _delivered_announcement(
    db: Database, author: int, now: datetime, rows: list[tuple[int, str, str]]
) -> int:
    """An announcement approved now whose outbox already holds these (chat, status, reason)
    results, as the dispatchers leave them."""
    stamp = isoformat(now)
    await db.write(
        "INSERT INTO announcements(author_id, status, kind, body, topic, urgency, created_at,"
        " verified_at) VALUES (?, 'sending', 'text', 'Posyandu', 'kesehatan', 'biasa', ?, ?)",
        (author, stamp, stamp),
    )
    announcement_id = int(await db.fetchval("SELECT MAX(id) FROM announcements") or 0)
    async with db.transaction() as conn:
        await outbox.enqueue(
            conn, announcement_id, [(c, "private") for c, _, _ in rows], priority=1
        )
        for chat_id, status, reason in rows:
            await conn.execute(
                "UPDATE outbox SET status = ?, reason = ?, last_error = ?"
                " WHERE announcement_id = ? AND chat_id = ?",
                (status, reason or None, reason, announcement_id, chat_id),
            )
    return announcement_id


async def test_report_history_and_statistics_count_each_channel(
    server: BotApiServer, kimbot: KimApp, network: Network
) -> None:
    """With WhatsApp rows the report, /riwayat and /statistik show sent, failed, pending per
    channel, and WhatsApp's delivered, read and templates; the CSV masks the number."""
    db, now = kimbot.bot_data.db, network.now
    budi = await network.staff("Budi", Role.OPERATOR)
    siti = network.villagers["Siti"]
    phones = ["6281311110001", "6281311110002", "6281311110003", "6281311119999"]
    people = [await whatsapp_subscriber(db, phone, now, hours_ago=1) for phone in phones]
    rows = [
        (network.groups["KIM Raci"].id, "sent", ""),
        (siti.id, "failed", "blocked"),
        *((person, "sent", "") for person in people[:3]),
        (people[3], "failed", "undeliverable"),
    ]
    announcement_id = await _delivered_announcement(db, budi.id, now, rows)
    ids = {int(r[1]): int(r[0]) for r in await db.fetchall("SELECT id, chat_id FROM outbox")}
    for n, (person, status, template) in enumerate(
        [(people[0], "read", True), (people[1], "delivered", False), (people[2], "sent", True)]
    ):
        await whatsapp_messages.record_sent(
            db, wamid=f"wamid.{n}", user_id=person, now=now, outbox_id=ids[person],
            template=template,
        )  # fmt: skip
        await whatsapp_messages.apply_status(db, f"wamid.{n}", status)

    chat = server.private(budi)
    report = await chat.expect(contains="selesai dikirim")
    assert "• Telegram: terkirim 1 · gagal 1 · menunggu 0" in report.text
    assert "• WhatsApp: terkirim 3 · gagal 1 · menunggu 0" in report.text
    assert "sampai di HP 2 · dibaca 1 · template 2 (± Rp 1.300)" in report.text
    sheet = await chat.expect(contains="gagal")
    assert sheet.document is not None
    failed = list(csv.DictReader(io.StringIO(sheet.document.decode("utf-8"))))
    assert [(r["chat_id_atau_nomor"], r["saluran"]) for r in failed] == [
        (str(siti.id), "Telegram"),
        (contacts.mask(phones[3]), "WhatsApp"),
    ]
    assert b"6281311119999" not in sheet.document and str(people[3]).encode() not in sheet.document

    await chat.send("/riwayat")
    history = await chat.expect(contains="Riwayat")
    assert f"#{announcement_id}" in history.text
    assert "WhatsApp: terkirim 3 · gagal 1 · dibaca 1 · template 2 (± Rp 1.300)" in history.text

    await chat.send("/statistik")
    stats = await chat.expect(contains="Statistik")
    assert "• Telegram: terkirim 1 · gagal 1" in stats.text
    assert "• WhatsApp: terkirim 3 · gagal 1" in stats.text


async def test_a_telegram_only_announcement_reads_as_before(
    server: BotApiServer, kimbot: KimApp, network: Network
) -> None:
    """No WhatsApp row, no channel lines: the report, its CSV and /statistik are unchanged."""
    db, now = kimbot.bot_data.db, network.now
    budi = await network.staff("Budi", Role.OPERATOR)
    siti = network.villagers["Siti"]
    rows = [(network.groups["KIM Raci"].id, "sent", ""), (siti.id, "failed", "blocked")]
    await _delivered_announcement(db, budi.id, now, rows)

    chat = server.private(budi)
    report = await chat.expect(contains="selesai dikirim")
    assert "saluran" not in report.text and "WhatsApp" not in report.text
    sheet = await chat.expect(contains="gagal")
    assert sheet.document is not None
    assert sheet.document.decode("utf-8").startswith("chat_id,jenis,")
    await chat.send("/statistik")
    assert "WhatsApp" not in (await chat.expect(contains="Statistik")).text


def test_people_who_turned_marketing_off_are_neither_free_nor_paid() -> None:
    """A template to someone who stopped marketing messages is refused, so it costs nothing;
    inside the window they still get the text free."""
    now = 1_800_000_000.0
    people = [
        whatsapp_cost.Reach(1, now - HOUR, marketing_stopped=True),
        whatsapp_cost.Reach(2, now - 30 * HOUR, marketing_stopped=True),
        whatsapp_cost.Reach(3, None, marketing_stopped=False),
        whatsapp_cost.Reach(4, now - 23.9 * HOUR, marketing_stopped=False),  # past the margin
    ]
    parts = whatsapp_cost.split(people, now)
    assert (parts.in_window, parts.templates, parts.stopped) == ([1], [3, 4], [2])
    rules = whatsapp_cost.Rules(price=650, budget=1000, daily_limit=1000, tz=UTC)
    cost = whatsapp_cost.estimate(parts, rules, spent_templates=0, reached_today=set())
    assert (cost.recipients, cost.cost, cost.over_budget) == (4, 1300, True)
