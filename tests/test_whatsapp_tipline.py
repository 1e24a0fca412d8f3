"""CEK and LAPOR on WhatsApp: /cek's answers in WhatsApp's marks, the tipline with its
ticket, quota and operator notes, and the verdict owed back on the WhatsApp channel."""

from __future__ import annotations

import re

import pytest

from bot import hoax_search, hoaxes, relay
from bot.people import Role
from bot.reports import ticket
from bot.services import KimApp, Services
from bot.whatsapp import contacts, tipline
from bot.whatsapp.contacts import Contact
from bot.whatsapp.replies import Incoming, Kind, Reply, Text
from botapi_sandbox import BotApiServer, FakeUser
from broadcasts.targets import Targets
from tests.faultkit import approve_announcement, decide_first_case
from tests.network import Network, desa
from tests.test_check_chat import REGISTRY

ORGANIZATION = "Diskominfo Kabupaten Pasuruan"
TEXT = (
    "Bantuan pupuk bersubsidi untuk petani Desa Raci dapat ditebus di balai desa mulai "
    "Senin, 2 Maret 2026 pukul 08.00.\n\nHarga tebus Rp 50.000 per karung. Bawa KTP dan "
    "kartu tani."
)
HOAX = "Bantuan beras 10 kg bisa diambil di balai desa dengan menunjukkan foto KTP. Sebarkan!"
EXPLANATION = "Tidak ada pembagian beras seperti itu; foto KTP dipakai untuk penipuan."


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    """Small limits, so a test reaches them in a few messages."""
    return {"REPORTS_PER_HOUR": "2", "EARLY_WARNING_REPORTS": "3"}


async def contact(services: Services, name: str, phone: str) -> Contact:
    """Someone who just wrote to the office's number (their window is open)."""
    now = services.clock.now()
    user_id = await contacts.remember(services.db, phone, name, now, now.timestamp())
    found = await contacts.find(services.db, user_id)
    assert found is not None
    return found


def body(replies: list[Reply]) -> str:
    [reply] = replies
    assert isinstance(reply, Text)
    assert "<" not in reply.body  # no Telegram HTML
    assert not re.search(r"(^|\s)/(cek|lapor)", reply.body)  # no Telegram command
    return reply.body


def text(user_id: int, words: str, *, forwarded: bool = False) -> Incoming:
    return Incoming(user_id, f"wamid.{hash(words)}", Kind.TEXT, words, forwarded=forwarded)


async def started(server: BotApiServer, user: FakeUser) -> None:
    chat = server.private(user)
    await chat.send("/start")
    await chat.expect()


# --- CEK ---------------------------------------------------------------------------------


async def test_a_registered_hoax_gets_its_verdict_in_whatsapp_marks(kimbot: KimApp) -> None:
    """A claim in the registry: the verdict bold as *…*, the reference as "label (url)"."""
    services = kimbot.bot_data
    async with services.db.transaction() as conn:
        await hoaxes.add_entries(conn, REGISTRY, source="test", now=services.clock.now())
    await hoax_search.calibrate(services.db, now=services.clock.now())
    siti = await contact(services, "Siti", "6281234567890")

    claim = "katanya bantuan berass 10 kg bs diambil di balai desa, cukup foto ktp aja"
    answer = body(await tipline.check(services, siti, claim))
    assert answer.startswith("🔎 *Hasil cek* — kabar ini sudah diperiksa:")
    assert "1. *❌ HOAKS*: Bantuan beras sepuluh kilogram" in answer
    assert "_Dinas Sosial tidak pernah mengumumkan" in answer
    assert "Baca selengkapnya (https://cek.contoh.id/beras-ktp)" in answer
    assert "LAPOR" not in answer  # checked already: nothing to report

    unknown = body(await tipline.check(services, siti, "besok kerja bakti bersih sungai jam 7"))
    assert "belum ada di basis data kami" in unknown
    assert "tulis *LAPOR*" in unknown


async def test_an_empty_cek_explains_how_to_ask(kimbot: KimApp) -> None:
    """`CEK` with nothing after it: how to check, in WhatsApp's words."""
    services = kimbot.bot_data
    siti = await contact(services, "Siti", "6281234567890")
    answer = body(await tipline.check(services, siti, "   "))
    assert "Tulis *CEK* lalu isi pesan" in answer


@pytest.fixture
async def announced(server: BotApiServer, kimbot: KimApp) -> tuple[int, str]:
    """One announcement approved and delivered to Siti in Raci: its number and her copy."""
    net = Network(server, kimbot)
    siti = await net.villager("Siti", desa("35.14.14.2011"), "pertanian")
    budi = await net.staff("Budi", Role.OPERATOR)
    sari = await net.staff("Sari", Role.VERIFIER)
    number = await approve_announcement(
        kimbot.bot_data.db,
        author=budi.id,
        verifier=sari.id,
        text=TEXT,
        topic="pertanian",
        now=net.now,
        targets=Targets(kecamatan=("35.14.14",)),
    )
    kimbot.bot_data.delivery.wake()
    copy = await server.private(siti).expect(contains="Harga tebus Rp 50.000")
    return number, copy.text


async def test_an_official_copy_is_genuine_and_a_changed_one_altered(
    kimbot: KimApp, announced: tuple[int, str]
) -> None:
    """The copy as sent: *ASLI*; Rp 50.000 → Rp 500.000: *DIUBAH* naming that change, with
    the words to read the original and to report it."""
    number, copy = announced
    services = kimbot.bot_data
    joko = await contact(services, "Joko", "6285712345678")

    genuine = body(await tipline.check(services, joko, copy))
    assert genuine.startswith(f"✅ *ASLI* — sama dengan *Pengumuman #{number}* dari {ORGANIZATION}")

    forged = copy.replace("Rp 50.000", "Rp 500.000")
    altered = body(await tipline.check(services, joko, forged))
    assert altered.startswith(f"⚠️ *DIUBAH* — mirip *Pengumuman #{number}*")
    assert "• «Rp 50.000» → «Rp 500.000»" in altered
    assert f"Pakai versi aslinya saja: tulis *CEK {number}*" in altered
    assert "tulis *LAPOR*" in altered

    original = body(await tipline.check(services, joko, f"{number}"))
    assert original.startswith(f"✅ *Pengumuman #{number}* dari {ORGANIZATION}")


async def test_a_relayed_text_with_a_wrong_code_is_altered(
    kimbot: KimApp, announced: tuple[int, str]
) -> None:
    """The relay text KIM members share, with its right code *ASLI*, with another code the
    code is the change."""
    number, _ = announced
    services = kimbot.bot_data
    secret = await relay.key(services.db)
    shared = relay.text(secret, number, ORGANIZATION, TEXT, ())
    eko = await contact(services, "Eko", "6289912345678")

    assert body(await tipline.check(services, eko, shared)).startswith(
        f"✅ *ASLI* — salinan resmi *Pengumuman #{number}*"
    )
    right = shared[-9:]
    wrong = ("AAAA-AAAA", "BBBB-BBBB")[right == "AAAA-AAAA"]
    answer = body(await tipline.check(services, eko, shared[:-9] + wrong))
    assert answer.startswith(f"⚠️ *DIUBAH* — mirip *Pengumuman #{number}*")
    assert f"• «kode {right}» → «kode {wrong}»" in answer


# --- LAPOR -------------------------------------------------------------------------------


async def test_a_report_gets_a_ticket_and_operators_hear_of_the_case(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """LAPOR, then a forwarded text: a ticket, a report by the contact, and operators get
    the new case on Telegram; a sticker is explained and files nothing."""
    await started(server, admin)
    services = kimbot.bot_data
    siti = await contact(services, "Siti", "6281234567890")

    assert "Kirim, tempel, atau teruskan" in body(await tipline.report_prompt(services, siti))
    sticker = Incoming(siti.user_id, "wamid.sticker", Kind.OTHER)
    assert "baru teks yang bisa dilaporkan" in body(await tipline.report(services, siti, sticker))
    assert await services.db.fetchval("SELECT COUNT(*) FROM hoax_reports") == 0

    answer = body(await tipline.report(services, siti, text(siti.user_id, HOAX, forwarded=True)))
    [row] = await services.db.fetchall("SELECT * FROM hoax_reports")
    number = ticket(row["id"], row["created_at"])
    assert answer.startswith(f"✅ Laporan Anda tercatat dengan nomor *{number}*")
    assert row["reporter_id"] == siti.user_id
    assert row["reporter_name"] == "Siti (WhatsApp)"
    assert (row["text"], row["origin"], row["via"]) == (HOAX, "WhatsApp", "private")

    operator = server.private(admin)
    note = await operator.expect(contains="Laporan hoaks baru — kasus #1")
    assert "Diteruskan dari: WhatsApp" in note.text
    assert note.text.endswith("Periksa lewat /antrian.")
    assert "6281234567890" not in note.text


async def test_the_hourly_quota_and_the_early_warning(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """Two reports an hour each (REPORTS_PER_HOUR=2): the third is refused, and LAPOR says
    so at once; three people reporting one claim raise the early warning."""
    await started(server, admin)
    services = kimbot.bot_data
    siti = await contact(services, "Siti", "6281234567890")
    for words in (HOAX, "Pendaftaran bansos lewat tautan bit.ly/bansos-desa, kirim kode OTP"):
        assert "tercatat" in body(await tipline.report(services, siti, text(siti.user_id, words)))
    third = body(await tipline.report(services, siti, text(siti.user_id, "Air PDAM beracun")))
    assert third.startswith("Maaf, Anda sudah mengirim 2 laporan dalam satu jam terakhir.")
    assert third == body(await tipline.report_prompt(services, siti))
    assert await services.db.fetchval("SELECT COUNT(*) FROM hoax_reports") == 2

    for name, phone in (("Joko", "6285712345678"), ("Wati", "6287812345678")):
        person = await contact(services, name, phone)
        await tipline.report(services, person, text(person.user_id, HOAX))
    operator = server.private(admin)  # notices to one chat may arrive in any order
    notes = sorted([(await operator.expect()).text for _ in range(3)])
    assert [note.split("\n")[0] for note in notes[:2]] == [
        "🆕 Laporan hoaks baru — kasus #1",
        "🆕 Laporan hoaks baru — kasus #2",
    ]
    warning = notes[2]
    assert warning.startswith("🚨 Peringatan dini")
    assert "kasus #1 dilaporkan 3 kali" in warning
    await operator.expect_nothing(within=0.2)


async def test_the_verdict_is_owed_to_the_whatsapp_reporter_in_whatsapp_marks(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """An operator decides the case on Telegram: the WhatsApp reporter's answer is a
    notice on the WhatsApp channel, bold as *…*, the link written out, no Telegram HTML."""
    await started(server, admin)
    services = kimbot.bot_data
    siti = await contact(services, "Siti", "6281234567890")
    await tipline.report(services, siti, text(siti.user_id, HOAX))
    [report] = await services.db.fetchall("SELECT id, created_at FROM hoax_reports")

    panel, decided = await decide_first_case(
        server, admin, EXPLANATION, "https://cek.contoh.id/beras-2026"
    )
    assert "Siti (WhatsApp)" in panel.text
    assert "Hasil sedang dikirim ke 1 dari 1 pelapor" in decided.text

    [notice] = await services.db.fetchall("SELECT chat_id, channel, text, report_id FROM notices")
    assert (notice["chat_id"], notice["channel"]) == (siti.user_id, "whatsapp")
    assert notice["report_id"] == report["id"]
    assert notice["text"] == (
        f"📣 *Hasil pemeriksaan laporan {ticket(report['id'], report['created_at'])}*\n\n"
        f"*❌ HOAKS*\n{EXPLANATION}\nBaca rujukannya (https://cek.contoh.id/beras-2026)\n\n"
        "Terima kasih sudah melapor! 🙏"
    )
