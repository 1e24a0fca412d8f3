"""Is this announcement genuine? Forwarded or pasted "official" texts against the archive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from bot import genuine, hoax_search, hoaxes
from bot.genuine import Archived, Outcome
from bot.people import Role
from bot.services import KimApp
from bot.texts import MONTHS
from botapi_sandbox import BotApiServer, FakeUser
from broadcasts.targets import Targets
from tests.faultkit import approve_announcement
from tests.network import Network, desa

TEXT = (
    "Bantuan pupuk bersubsidi untuk petani Desa Raci dapat ditebus di balai desa mulai "
    "Senin, 2 Maret 2026 pukul 08.00.\n\nHarga tebus Rp 50.000 per karung. Bawa KTP dan "
    "kartu tani."
)
ORGANIZATION = "Diskominfo Kabupaten Pasuruan"


@dataclass
class Sent:
    number: int
    copy: str  # the announcement as Siti received it: header, body, footer
    sent_on: str  # "28 November 2026"
    reader: FakeUser


@pytest.fixture
async def sent(server: BotApiServer, kimbot: KimApp) -> Sent:
    """One announcement composed, verified and delivered to Siti in Raci."""
    net = Network(server, kimbot)
    siti = await net.villager("Siti", desa("35.14.14.2011"), "pertanian")
    budi = await net.staff("Budi", Role.OPERATOR)
    sari = await net.staff("Sari", Role.VERIFIER)
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    number = await approve_announcement(
        db,
        author=budi.id,
        verifier=sari.id,
        text=TEXT,
        topic="pertanian",
        now=now,
        targets=Targets(kecamatan=("35.14.14",)),
    )
    kimbot.bot_data.delivery.wake()
    copy = await server.private(siti).expect(contains="Harga tebus Rp 50.000")
    assert copy.text.endswith(f"— Pengumuman #{number} · ✅ Terverifikasi")
    day = now.date()
    return Sent(number, copy.text, f"{day.day} {MONTHS[day.month - 1]} {day.year}", siti)


async def _check_forward(server: BotApiServer, text: str, name: str) -> tuple[str, list[str]]:
    """Forward `text` to the bot, press "Cek": the card's new text and buttons."""
    chat = server.private(server.new_user(name))
    await chat.forward(text, from_user=server.bot)
    card = await chat.expect(contains="Anda meneruskan sebuah pesan")
    assert card.button_texts() == ["🔎 Cek keaslian/hoaks"]
    await chat.press(card, "🔎 Cek keaslian/hoaks")
    answer = await chat.expect_edit(card)
    return answer.text, answer.button_texts()


async def test_a_forwarded_copy_is_genuine(server: BotApiServer, sent: Sent) -> None:
    """The copy as delivered, forwarded to the bot: "asli", its number and the day it went out."""
    text, buttons = await _check_forward(server, sent.copy, "Joko")
    assert text.startswith(f"✅ ASLI — sama dengan Pengumuman #{sent.number} dari {ORGANIZATION}")
    assert f"dikirim {sent.sent_on}." in text
    assert buttons == []


async def test_a_changed_amount_is_altered_and_shows_the_change(
    server: BotApiServer, sent: Sent
) -> None:
    """Rp 50.000 → Rp 500.000 in an otherwise identical copy: "diubah", with that change."""
    forged = sent.copy.replace("Rp 50.000", "Rp 500.000")
    text, buttons = await _check_forward(server, forged, "Wati")
    assert text.startswith(f"⚠️ DIUBAH — mirip Pengumuman #{sent.number}")
    assert "• «Rp 50.000» → «Rp 500.000»" in text
    assert text.count("•") == 1
    assert f"/cek {sent.number}" in text
    assert buttons == ["📣 Laporkan"]


async def test_an_invented_number_is_not_found(
    server: BotApiServer, kimbot: KimApp, sent: Sent
) -> None:
    """A made-up "Pengumuman #999", pasted after /cek: "tidak ditemukan", with a report button."""
    chat = server.private(server.new_user("Rudi"))
    fake = (
        f"📢 {ORGANIZATION}\nPENGUMUMAN #999\nBantuan tunai Rp 2.000.000 untuk setiap KK, "
        "daftarkan diri lewat tautan berikut sebelum Jumat. Terverifikasi."
    )
    message = await chat.send(f"/cek {fake}")
    answer = await chat.expect()
    assert answer.text.startswith(
        f"❓ TIDAK DITEMUKAN — {ORGANIZATION} tidak pernah mengirim Pengumuman #999."
    )
    assert "Laporkan dengan /lapor" in answer.text
    assert answer.button_texts() == ["📣 Laporkan"]
    assert answer.reply_to_message_id == message["message_id"]


async def test_a_fake_official_letter_is_answered_from_the_registry_in_two_tiers(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A fake "Diskominfo" letter that repeats a checked hoax gets "not sent by us" and the
    verdict (`cocok`); one that only shares its topic gets "mungkin terkait", no verdict."""
    services = kimbot.bot_data
    async with services.db.transaction() as conn:
        await hoaxes.add_entries(
            conn,
            [
                hoaxes.NewEntry(
                    "Surat edaran Diskominfo meminta warga mendaftar ulang nomor ponsel lewat "
                    "tautan dengan mengirim kode OTP",
                    hoaxes.Verdict.HOAKS,
                    "Surat palsu: pendaftaran ulang nomor tidak pernah meminta kode OTP.",
                    "https://cek.contoh.id/otp",
                )
            ],
            source="test",
            now=services.clock.now(),
        )
    await hoax_search.calibrate(services.db, now=services.clock.now())
    chat = server.private(server.new_user("Rudi"))
    await chat.send(
        "/cek SURAT EDARAN DISKOMINFO: warga diminta mendaftar ulang nomor ponsel lewat "
        "tautan ini dan mengirim kode OTP, batas akhir besok."
    )
    answer = await chat.expect()
    assert answer.text.startswith("❓ TIDAK DITEMUKAN")
    assert "🔎 Hasil cek — kabar ini sudah diperiksa" in answer.text
    assert "1. ❌ HOAKS: Surat edaran Diskominfo meminta warga" in answer.text

    await chat.send("/cek Diskominfo: nomor ponsel saya kok belum terdaftar ulang ya?")
    answer = await chat.expect()
    assert answer.text.startswith("❓ TIDAK DITEMUKAN")
    assert "🔎 Mungkin terkait — baca dulu sebelum membagikan" in answer.text
    assert "HOAKS" not in answer.text
    assert answer.button_texts() == ["📣 Laporkan"]


async def test_cek_with_a_number_shows_what_was_really_sent(
    server: BotApiServer, sent: Sent
) -> None:
    """/cek #N and /cek N show the original; an unknown number is not found."""
    chat = server.private(server.new_user("Ani"))
    await chat.send(f"/cek #{sent.number}")
    answer = await chat.expect()
    assert answer.text.startswith(f"✅ Pengumuman #{sent.number} dari {ORGANIZATION} dikirim")
    assert "Harga tebus Rp 50.000 per karung" in answer.text
    await chat.send(f"/cek {sent.number + 41}")
    answer = await chat.expect()
    assert f"tidak pernah mengirim Pengumuman #{sent.number + 41}" in answer.text


async def test_a_forward_during_lapor_is_the_report_not_a_check(
    server: BotApiServer, sent: Sent
) -> None:
    """While /lapor waits for the message, a forward is filed; the check card stays away."""
    chat = server.private(server.new_user("Dewi"))
    await chat.send("/lapor")
    await chat.expect()
    await chat.forward(sent.copy.replace("Rp 50.000", "Rp 75.000"), from_user=server.bot)
    filed = await chat.expect()
    assert "Anda meneruskan sebuah pesan" not in filed.text
    assert "LPR-" in filed.text
    await chat.expect_nothing(within=0.3)


# --- the comparison itself --------------------------------------------------------------


def _archived(number: int, body: str, status: str = "sent") -> Archived:
    return Archived(
        id=number,
        body=body,
        status=status,
        header=f"📢 {ORGANIZATION}\nPertanian",
        footer=f"— Pengumuman #{number} · ✅ Terverifikasi",
        sent_at="2026-03-01T10:00:00+07:00",
    )


ARCHIVE = [
    _archived(7, TEXT),
    _archived(8, "Posyandu balita Desa Raci hari Kamis pukul 09.00 di balai desa.", "withdrawn"),
]


def test_formatting_case_and_punctuation_do_not_count() -> None:
    """A pasted body with other line breaks, case and punctuation is still the same text."""
    pasted = TEXT.upper().replace("\n\n", " ").replace(",", "")
    finding = genuine.compare(pasted, ARCHIVE)
    assert finding.outcome is Outcome.GENUINE
    assert finding.announcement is not None and finding.announcement.id == 7
    assert finding.announcement.sent_on == date(2026, 3, 1)


def test_numbers_are_whole_tokens() -> None:
    """A changed time and date are changes, even where the letters barely differ."""
    forged = TEXT.replace("pukul 08.00", "pukul 06.00").replace("2 Maret", "12 Maret")
    finding = genuine.compare(forged, ARCHIVE)
    assert finding.outcome is Outcome.ALTERED
    assert [(c.before, c.after) for c in finding.changes] == [
        ("Senin 2", "Senin 12"),
        ("pukul 08.00", "pukul 06.00"),
    ]


def test_a_wrong_number_on_a_true_text_is_a_change() -> None:
    """The body of #7 under the footer of #8 is not announcement #8."""
    finding = genuine.compare(f"{TEXT}\n\n— Pengumuman #8 · ✅ Terverifikasi", ARCHIVE)
    assert finding.outcome is Outcome.ALTERED
    assert finding.changes[0].before == "Pengumuman #7"
    assert finding.changes[0].after == "Pengumuman #8"


def test_other_texts_are_not_found_and_a_withdrawn_one_is_still_genuine() -> None:
    """An unrelated text finds nothing (noting an existing number); a withdrawn one matches."""
    other = genuine.compare("Pengumuman #7: lomba tujuh belasan di lapangan desa", ARCHIVE)
    assert other.outcome is Outcome.NOT_FOUND
    assert other.claimed == 7 and other.claimed_exists
    withdrawn = genuine.compare(ARCHIVE[1].body, ARCHIVE)
    assert withdrawn.outcome is Outcome.GENUINE
    assert withdrawn.announcement is not None and withdrawn.announcement.withdrawn


@pytest.mark.parametrize(
    ("text", "official"),
    [
        ("Pengumuman #12 dari desa", True),
        ("info dari DISKOMINFO: besok libur", True),
        ("✅ Terverifikasi", True),
        (f"Kata {ORGANIZATION.lower()} bansos cair", True),
        ("📢 Perhatian warga", True),
        ("vaksin mengandung chip pelacak", False),
        ("pengumuman lomba 17an di balai desa", False),
    ],
)
def test_what_looks_like_the_office(text: str, official: bool) -> None:
    """The office's name, an announcement number or the verified mark route to the archive."""
    assert genuine.looks_official(text, ORGANIZATION) is official


def test_number_queries() -> None:
    """`12`, `#12`, `pengumuman #12` ask for one announcement; a sentence does not."""
    assert [genuine.number_query(q) for q in ("12", " #12 ", "Pengumuman #12", "12 Maret")] == [
        12,
        12,
        12,
        None,
    ]
