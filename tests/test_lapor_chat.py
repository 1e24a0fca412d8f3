"""/lapor in chat: villagers report suspected hoaxes in private and from KIM groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import audit, reports
from bot.services import KimApp
from bot.settings import Settings, load_settings
from botapi_sandbox import BotApiServer, FakeUser
from tests.network import Network
from tests.test_privacy import cells_naming

HOAX = "Bantuan beras 10 kg bisa diambil di balai desa dengan menunjukkan foto KTP. Sebarkan!"


@pytest.fixture
def settings(server: BotApiServer, admin: FakeUser, tmp_path: Path) -> Settings:
    """Small limits, so a test reaches them in a few messages."""
    return load_settings(
        {
            "BOT_TOKEN": server.token,
            "BOT_API_BASE_URL": server.base_url,
            "BOT_API_BASE_FILE_URL": server.base_file_url,
            "DATABASE_PATH": str(tmp_path / "kim-bot.sqlite3"),
            "ADMIN_IDS": str(admin.id),
            "REPORTS_PER_HOUR": "3",
            "EARLY_WARNING_REPORTS": "3",
        }
    )


async def started(server: BotApiServer, user: FakeUser) -> None:
    chat = server.private(user)
    await chat.send("/start")
    await chat.expect()


async def test_forwarded_message_is_reported_with_its_origin_and_area(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """/lapor, forward from a channel, pick Bangil: a ticket, and operators see the origin."""
    await started(server, admin)
    siti = server.new_user("Siti")
    chat = server.private(siti)
    await chat.send("/lapor")
    assert "Kirim atau teruskan" in (await chat.expect()).text
    channel = server.new_channel("Info Warga Viral", username="infowargaviral")
    await chat.forward(HOAX, from_chat=channel)
    ask = await chat.expect(contains="Laporan Anda tercatat dengan nomor")
    [report] = await kimbot.bot_data.db.fetchall("SELECT id, created_at FROM hoax_reports")
    ticket = reports.ticket(report["id"], report["created_at"])
    assert ticket.startswith("LPR-20") and ticket in ask.text
    assert "Lewati" in ask.button_texts()
    await chat.press(ask, "Bangil")
    done = await chat.expect_edit(ask)
    assert f"Laporan {ticket} (Kec. Bangil) sudah kami terima" in done.text
    assert done.buttons == []

    notice = await server.private(admin).expect(contains="Laporan hoaks baru")
    assert "Bantuan beras 10 kg" in notice.text
    assert "Diteruskan dari: kanal Info Warga Viral (@infowargaviral)" in notice.text
    assert "Siti" not in notice.text
    stored = await reports.get(kimbot.bot_data.db, report["id"])
    assert stored is not None and stored.kecamatan_code == "35.14.14"
    assert stored.origin == "kanal Info Warga Viral (@infowargaviral)"


async def test_stickers_are_refused_with_what_is_accepted_then_a_photo_is_taken(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Unsupported content is answered with the accepted kinds; the next photo is reported."""
    joko = server.new_user("Joko")
    chat = server.private(joko)
    await chat.send("/lapor")
    await chat.expect()
    sticker: dict[str, object] = {"file_id": "STK", "file_unique_id": "USTK", "type": "regular"}
    sticker |= {"width": 512, "height": 512, "is_animated": False, "is_video": False}
    server.people.message(chat.chat, joko, {"sticker": sticker})
    refusal = await chat.expect(contains="belum bisa dilaporkan")
    assert "teks, tautan, foto, video, dokumen" in refusal.text
    await chat.send_photo(caption="Foto surat edaran palsu")
    ask = await chat.expect(contains="Laporan Anda tercatat")
    await chat.press(ask, "Lewati")
    assert "sudah kami terima" in (await chat.expect_edit(ask)).text
    [row] = await kimbot.bot_data.db.fetchall(
        "SELECT kind, text, file_unique_id, kecamatan_code, area_done FROM hoax_reports"
    )
    assert tuple(row)[:2] == ("photo", "Foto surat edaran palsu")
    assert row["file_unique_id"] and row["kecamatan_code"] is None and row["area_done"] == 1


async def test_reply_in_a_group_reports_that_message_without_naming_the_reporter(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """In a KIM of Bangil, /lapor as a reply files the replied message under Bangil; someone
    who never started the bot is offered to continue privately."""
    net = Network(server, kimbot)
    pak_rt = server.new_user("Pak RT")
    group = await net.kim_group("KIM Raci", "35.14.14.2011", pak_rt)
    tono = server.new_user("Tono", username="tono_raci")
    await server.join(group, tono)
    rumour = await server.in_group(group, pak_rt).send(HOAX)
    member = server.in_group(group, tono)
    await member.expect(contains="Halo semuanya")  # the bot's greeting when it joined
    await member.send("/lapor", reply_to=rumour)
    confirm = await member.expect(contains="Laporan diterima petugas")
    assert confirm.reply_to_message_id == rumour["message_id"]
    assert "Tono" not in confirm.text and "tono_raci" not in confirm.text
    [button] = [b for row in confirm.buttons for b in row]
    assert button.text == "Lanjut di chat pribadi"
    [report] = await kimbot.bot_data.db.fetchall("SELECT * FROM hoax_reports")
    assert (report["text"], report["via"], report["kecamatan_code"]) == (HOAX, "group", "35.14.14")
    assert button.url == f"https://t.me/kim_test_bot?start=lpr{report['id']}"

    private = server.private(tono)
    await private.send(f"/start lpr{report['id']}")
    follow = await private.expect(contains="tercatat dengan nomor")
    assert reports.ticket(report["id"], report["created_at"]) in follow.text
    stranger = server.private(server.new_user("Orang Lain"))
    await stranger.send(f"/start lpr{report['id']}")
    assert "tidak berlaku" in (await stranger.expect()).text

    await member.send("/lapor")
    assert "balas (reply) pesan yang mencurigakan" in (await member.expect()).text


async def test_rate_limit_refuses_then_hapusdata_leaves_reports_anonymous(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """The 4th report within an hour is refused politely; /hapusdata keeps the reports in
    their cases, without the id or the text."""
    await started(server, admin)
    wati = server.new_user("Wati")
    chat = server.private(wati)
    claims = [
        "Listrik padam tiga hari di seluruh kabupaten mulai besok pagi",
        "Sekolah diliburkan sebulan karena wabah penyakit baru",
        "Pendaftaran bantuan sosial dibuka lewat tautan berhadiah pulsa",
    ]
    for claim in claims:
        await chat.send(f"/lapor {claim}")
        await chat.expect(contains="Laporan Anda tercatat")
    await chat.send("/lapor Air PDAM tercemar bahan kimia berbahaya")
    refusal = await chat.expect()
    assert "sudah mengirim 3 laporan dalam satu jam terakhir" in refusal.text
    await chat.send("/lapor")
    assert "sudah mengirim 3 laporan" in (await chat.expect()).text
    db = kimbot.bot_data.db
    assert await db.fetchval("SELECT COUNT(*) FROM hoax_reports") == 3

    await chat.send("/hapusdata")
    ask = await chat.expect()
    await chat.press(ask, "Ya, hapus data saya")
    await chat.expect_edit(ask)
    rows = await db.fetchall("SELECT reporter_id, reporter_name, text, case_id FROM hoax_reports")
    # The reports still count in their cases; what Wati wrote goes with her.
    assert [tuple(r)[:3] for r in rows] == [(None, None, "")] * len(claims)
    assert len({r["case_id"] for r in rows}) == len(claims)
    assert await cells_naming(db, wati.id) == []


async def test_many_reports_of_one_claim_warn_operators_once(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Three reports of one claim within the hour: one early warning naming case and areas."""
    await started(server, admin)
    operator = server.private(admin)
    for name, wording in (
        ("A", HOAX),
        ("B", "katanya bantuan berass 10 kg bs diambil di balai desa, cukup foto ktp aja"),
        ("C", HOAX.lower()),
        ("D", HOAX),
    ):
        chat = server.private(server.new_user(f"Warga {name}"))
        await chat.send(f"/lapor {wording}")
        ask = await chat.expect(contains="tercatat")
        await chat.press(ask, "Bangil" if name != "B" else "Beji")
        await chat.expect_edit(ask)
    await operator.expect(contains="Laporan hoaks baru")
    warning = await operator.expect(contains="Peringatan dini")
    assert "dilaporkan 3 kali" in warning.text
    assert "Wilayah: Bangil, Beji" in warning.text
    await operator.expect_nothing(within=0.3)


async def test_cek_offers_to_report_an_unknown_claim(server: BotApiServer, kimbot: KimApp) -> None:
    """ "📣 Laporkan" under "belum ada di basis data kami" files the checked text."""
    rudi = server.new_user("Rudi")
    chat = server.private(rudi)
    await chat.send("/cek Jembatan Kedungringin ambruk tadi malam, jalan ditutup total")
    answer = await chat.expect(contains="belum ada di basis data kami")
    await chat.press(answer, "📣 Laporkan")
    ask = await chat.expect(contains="Laporan Anda tercatat")
    assert ask.buttons
    [text] = await kimbot.bot_data.db.fetchall("SELECT text FROM hoax_reports")
    assert text[0] == "Jembatan Kedungringin ambruk tadi malam, jalan ditutup total"
    answer_now = server.message(rudi, answer)
    assert answer_now.buttons == []
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert denied == []
