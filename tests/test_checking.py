"""The rules behind /cek, /lapor's limit, triage's typed answers and /profil, without Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import cases, checking, hoax_search, hoaxes, people, regions, reports, subscriptions
from bot.hoaxes import NewEntry, Verdict
from bot.people import Person
from bot.reports import Content, Kind, Via, WarningRule
from bot.storage import Database
from bot.subscriptions import Scope
from bot.texts import cek
from bot.texts import genuine as genuine_texts

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
ORGANIZATION = "Diskominfo Kabupaten Pasuruan"
CLAIM = "Bantuan beras sepuluh kilogram bisa diambil di balai desa dengan menunjukkan foto KTP"
PARAPHRASE = "katanya bantuan berass 10 kg bs diambil di balai desa, cukup foto ktp aja"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def _register(db: Database) -> None:
    entries = [
        NewEntry(CLAIM, Verdict.HOAKS, "Dinas Sosial tidak pernah mengumumkannya.", ""),
        NewEntry("Jadwal pemadaman listrik bergilir di Bangil tiga hari", Verdict.FAKTA, "", ""),
        NewEntry(
            "Makan mi instan dengan nasi menyebabkan usus bocor", Verdict.MISINFORMASI, "", ""
        ),
    ]
    async with db.transaction() as conn:
        await hoaxes.add_entries(conn, entries, source="test", now=NOW)
    await hoax_search.calibrate(db, now=NOW)


def test_the_claim_is_the_typed_words_before_the_replied_message() -> None:
    """Words after /cek win; without them the replied message is checked; else nothing."""
    assert checking.claim("  beras gratis ", "pesan lain") == "beras gratis"
    assert checking.claim(None, " pesan yang dibalas ") == "pesan yang dibalas"
    assert checking.claim("   ", None) == ""


async def test_a_registered_claim_is_answered_without_a_report_button(db: Database) -> None:
    """A paraphrase of a registered hoax gets its verdict, and nothing to report or quote."""
    await _register(db)
    answer = await checking.answer_for(db, ORGANIZATION, PARAPHRASE)
    assert answer.text.startswith("🔎 <b>Hasil cek</b> — kabar ini sudah diperiksa")
    assert "❌ HOAKS</b>: " + CLAIM in answer.text
    assert not answer.offer_report and not answer.quote


async def test_an_unknown_claim_can_be_reported_from_the_answer(db: Database) -> None:
    """A text the registry does not know: "not known yet", quoting it, with "📣 Laporkan"."""
    await _register(db)
    answer = await checking.answer_for(db, ORGANIZATION, "Besok kerja bakti di sungai jam tujuh")
    assert answer == checking.Answer(cek.NOT_FOUND, offer_report=True, quote=True)


async def test_an_announcement_number_is_looked_up_in_the_archive(db: Database) -> None:
    """`/cek 12` asks about announcement 12, which was never sent: nothing to report."""
    answer = await checking.answer_for(db, ORGANIZATION, "12")
    assert answer.text == genuine_texts.no_such_number(ORGANIZATION, 12)
    assert not answer.offer_report


async def test_reporting_stops_at_the_hourly_limit(db: Database) -> None:
    """Two reports in the hour with a limit of two: no third one until the hour has passed."""
    rule = WarningRule(reports=10, window=timedelta(hours=1))
    for text in ("kabar pertama yang aneh sekali", "kabar kedua yang lain lagi"):
        await reports.file_report(
            db,
            Content(Kind.TEXT, text),
            reporter_id=7,
            reporter_name="Warga",
            via=Via.PRIVATE,
            now=NOW,
            per_hour=2,
            rule=rule,
        )
    assert not await reports.may_report(db, 7, NOW, per_hour=2)
    assert await reports.may_report(db, 7, NOW, per_hour=3)
    assert await reports.may_report(db, 7, NOW + timedelta(hours=1, seconds=1), per_hour=2)


def test_a_reference_link_is_one_web_address() -> None:
    """Only a single http(s) address of reasonable length is taken as the verdict's link."""
    assert cases.reference_link("  https://cek.contoh.id/beras \n") == "https://cek.contoh.id/beras"
    assert cases.reference_link("cek.contoh.id/beras") is None
    assert cases.reference_link("https://a.id/x dan https://b.id/y") is None
    assert cases.reference_link("https://a.id/" + "x" * cases.LINK_LIMIT) is None
    assert cases.reference_link(None) is None


def test_an_explanation_is_trimmed_and_cut() -> None:
    """Blank space around an explanation goes, and a long one is cut to what a case keeps."""
    assert cases.explanation_of("  Tidak benar.  ") == "Tidak benar."
    assert len(cases.explanation_of("a" * 5000)) == cases.EXPLANATION_LIMIT
    assert cases.explanation_of(None) == ""


async def test_an_area_token_names_an_area_of_this_regency_only(db: Database) -> None:
    """Tokens of a real desa resolve; malformed ones and those of another regency do not."""
    raci = await subscriptions.area_of(db, "d3514142011")
    assert raci is not None and raci.scope is Scope.DESA and raci.kecamatan_code == "35.14.14"
    assert await subscriptions.area_of(db, "d3578010001") is None  # Surabaya
    assert await subscriptions.area_of(db, "x351414") is None
    assert await subscriptions.area_of(db, "k35141") is None


async def test_the_weekly_digest_switches_each_way(db: Database) -> None:
    """Each switch turns the digest the other way and says which way it now is."""
    await people.remember(db, Person(7, "Warga"), NOW)
    assert await subscriptions.toggle_weekly_digest(db, 7) is True
    assert await subscriptions.weekly_digest(db, 7) is True
    assert await subscriptions.toggle_weekly_digest(db, 7) is False
    assert await subscriptions.weekly_digest(db, 7) is False
