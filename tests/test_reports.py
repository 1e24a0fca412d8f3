"""Hoax reports and cases without Telegram: joining reports, limits, warnings, verdicts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import cases, privacy, regions, reports
from bot.claims import MATCH_THRESHOLD, similarity
from bot.hoax_search import search
from bot.hoaxes import Verdict
from bot.normalize import terms
from bot.reports import Content, Kind, Refusal, Via, WarningRule
from bot.storage import Database

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
RULE = WarningRule(reports=3, window=timedelta(hours=1))
BANGIL, BEJI = "35.14.14", "35.14.13"

RICE = "Bantuan beras 10 kg bisa diambil di balai desa dengan menunjukkan foto KTP. Sebarkan!"
RICE_TYPOS = "katanya bantuan berass 10 kg bs diambil di balai desa, cukup foto ktp aja"
WORK = "Besok kerja bakti bersih sungai jam tujuh, bawa cangkul sendiri"
SOCIAL = "Pendaftaran bantuan sosial di balai desa dibuka besok, bawa KTP dan KK"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def file(
    db: Database,
    content: Content | str,
    reporter: int = 1,
    *,
    at: datetime = NOW,
    kecamatan: str | None = None,
    per_hour: int = 5,
) -> reports.Filed:
    filed = await reports.file_report(
        db,
        Content(Kind.TEXT, content) if isinstance(content, str) else content,
        reporter_id=reporter,
        reporter_name=f"Warga {reporter}",
        via=Via.GROUP if kecamatan else Via.PRIVATE,
        now=at,
        per_hour=per_hour,
        rule=RULE,
        kecamatan_code=kecamatan,
    )
    assert filed is not None
    return filed


def test_similarity_joins_a_paraphrase_and_keeps_different_claims_apart() -> None:
    """A reworded copy with typos scores high; a claim sharing a few words does not."""
    assert similarity(terms(RICE), terms(RICE_TYPOS)) >= MATCH_THRESHOLD
    assert similarity(terms(RICE), terms(SOCIAL)) < MATCH_THRESHOLD
    assert similarity(terms(RICE), terms(WORK)) < 20
    assert similarity(["bantu", "desa"], ["bantu", "desa"]) == 0  # too short to judge


def test_links_are_compared_without_tracking_and_case() -> None:
    """The same link shared from two apps compares equal."""
    first = reports.normalize_link("https://WWW.Contoh.id/berita/123/?utm_source=wa")
    second = reports.normalize_link("contoh.id/berita/123".join(("http://", "")))
    assert first == second == "https://contoh.id/berita/123"
    assert Content(Kind.TEXT, "lihat www.contoh.id/berita/123.").link == first


def test_refusal_names_what_is_not_accepted() -> None:
    """Stickers and the like are unsupported; big files and long voice notes are too large."""
    assert reports.refusal(None, text="", size=None, duration=None) is Refusal.UNSUPPORTED
    big = reports.MAX_FILE_BYTES + 1
    assert reports.refusal(Kind.VIDEO, text="", size=big, duration=None) is Refusal.TOO_LARGE
    assert reports.refusal(Kind.VOICE, text="", size=10, duration=301) is Refusal.TOO_LARGE
    assert reports.refusal(Kind.TEXT, text="  ", size=None, duration=None) is Refusal.EMPTY
    assert reports.refusal(Kind.PHOTO, text="", size=10, duration=None) is None


def test_ticket_has_the_year_and_six_digits() -> None:
    """Tickets read like LPR-2026-000123."""
    assert reports.ticket(123, "2026-03-02T09:00:00+07:00") == "LPR-2026-000123"


async def test_same_claim_by_text_link_photo_or_paraphrase_joins_one_case(db: Database) -> None:
    """Exact text, same link, same photo and a paraphrase each join; others open new cases."""
    first = await file(db, RICE, 1)
    assert first.new_case and first.case_reports == 1
    again = await file(db, RICE.upper() + "!!!", 2)
    typos = await file(db, RICE_TYPOS, 3)
    assert not again.new_case and not typos.new_case
    assert {again.report.case_id, typos.report.case_id} == {first.report.case_id}
    assert typos.case_reports == 3
    assert (await file(db, SOCIAL, 4)).new_case

    linked = await file(db, "cek ini https://hoaks.contoh/beras?utm_source=fb", 5)
    same_link = await file(db, Content(Kind.TEXT, "wah", links=("https://hoaks.contoh/beras/",)), 6)
    assert same_link.report.case_id == linked.report.case_id
    photo = Content(Kind.PHOTO, "", file_id="F1", file_unique_id="U1")
    shot = await file(db, photo, 7)
    resent = await file(db, Content(Kind.PHOTO, "lihat", file_id="F2", file_unique_id="U1"), 8)
    assert resent.report.case_id == shot.report.case_id
    assert len(await cases.open_cases(db)) == 4


async def test_a_decided_case_takes_no_new_reports(db: Database) -> None:
    """Once decided, the same claim reported again opens a fresh case."""
    first = await file(db, RICE, 1)
    case_id = first.report.case_id
    assert await cases.set_explanation(
        db, case_id, verdict=Verdict.HOAKS, explanation="Tidak ada.", actor_id=9
    )
    assert await cases.decide(db, case_id, reference_url="", actor_id=9, now=NOW) is not None
    assert (await file(db, RICE, 2)).new_case


async def test_rate_limit_counts_the_last_hour_only(db: Database) -> None:
    """The N+1th report within an hour is refused; an hour later it is accepted."""
    for n in range(3):
        await file(db, f"{WORK} nomor {n}", 1, per_hour=3)
    refused = await reports.file_report(
        db,
        Content(Kind.TEXT, SOCIAL),
        reporter_id=1,
        reporter_name="Warga",
        via=Via.PRIVATE,
        now=NOW,
        per_hour=3,
        rule=RULE,
    )
    assert refused is None
    assert await reports.recent_count(db, 1, NOW) == 3
    later = NOW + timedelta(hours=1, seconds=1)
    assert (await file(db, SOCIAL, 1, at=later, per_hour=3)).report.reporter_id == 1


async def test_early_warning_once_per_case_and_window(db: Database) -> None:
    """The third report of a case in an hour alerts once; it alerts again in a new window."""
    await file(db, RICE, 1, kecamatan=BANGIL)
    assert (await file(db, RICE, 2, kecamatan=BEJI)).alerts == ()
    third = await file(db, RICE, 3, kecamatan=BANGIL, at=NOW + timedelta(minutes=5))
    [alert] = third.alerts
    assert not alert.is_area_wave
    assert alert.case_ids == (third.report.case_id,) and alert.reports == 3
    assert alert.areas == ("Bangil", "Beji")
    assert (await file(db, RICE, 4, at=NOW + timedelta(minutes=6))).alerts == ()
    later = NOW + timedelta(hours=2)
    for reporter in (5, 6):
        assert (await file(db, RICE, reporter, at=later)).alerts == ()
    assert len((await file(db, RICE, 7, at=later)).alerts) == 1


async def test_early_warning_for_a_wave_of_different_rumours_in_one_kecamatan(
    db: Database,
) -> None:
    """Three reports of different cases from Bangil within the window alert once for Bangil."""
    await file(db, RICE, 1, kecamatan=BANGIL)
    await file(db, WORK, 2, kecamatan=BANGIL)
    third = await file(db, SOCIAL, 3, kecamatan=BANGIL)
    [alert] = third.alerts
    assert alert.kecamatan == "Bangil" and alert.reports == 3 and len(alert.case_ids) == 3
    assert (
        await file(db, "Listrik padam tiga hari di seluruh kecamatan", 4, kecamatan=BANGIL)
    ).alerts == ()


async def test_area_is_answered_once_and_only_by_the_reporter(db: Database) -> None:
    """Someone else's report, or a second answer, changes nothing."""
    filed = await file(db, RICE, 1)
    report_id = filed.report.id
    assert (
        await reports.set_area(
            db, report_id, reporter_id=2, kecamatan_code=BANGIL, now=NOW, rule=RULE
        )
        is None
    )
    answered = await reports.set_area(
        db, report_id, reporter_id=1, kecamatan_code=BANGIL, now=NOW, rule=RULE
    )
    assert answered is not None and answered[0].kecamatan_code == BANGIL
    assert (
        await reports.set_area(
            db, report_id, reporter_id=1, kecamatan_code=BEJI, now=NOW, rule=RULE
        )
        is None
    )


async def test_verdict_becomes_a_registry_entry_and_counts_in_statistics(db: Database) -> None:
    """Deciding writes the registry entry (with the paraphrases) and the time to verdict."""
    first = await file(db, RICE, 1, kecamatan=BANGIL)
    await file(db, RICE_TYPOS, 2, at=NOW + timedelta(minutes=10))
    other = await file(db, SOCIAL, 3)
    case_id = first.report.case_id
    assert await cases.decide(db, case_id, reference_url="", actor_id=9, now=NOW) is None
    await cases.set_explanation(
        db, case_id, verdict=Verdict.HOAKS, explanation="Dinsos membantah.", actor_id=9
    )
    decided_at = NOW + timedelta(hours=2)
    decision = await cases.decide(
        db, case_id, reference_url="https://cek.contoh/beras", actor_id=9, now=decided_at
    )
    assert decision is not None
    assert [r.reporter_id for r in decision.reports] == [1, 2]
    assert decision.case.verdict is Verdict.HOAKS and not decision.case.is_open
    assert await cases.decide(db, case_id, reference_url="", actor_id=9, now=decided_at) is None
    [match] = await search(db, RICE_TYPOS, limit=1)
    assert match.entry.verdict is Verdict.HOAKS and match.entry.source == f"verdict:{case_id}"
    assert match.entry.url == "https://cek.contoh/beras"
    assert match.entry.explanation == "Dinsos membantah."
    statistics = await reports.statistics(db)
    assert (statistics.reports, statistics.cases, statistics.open, statistics.verdicts) == (
        3,
        2,
        1,
        1,
    )
    assert statistics.median_to_verdict == timedelta(hours=2)
    assert other.report.case_id != case_id


async def test_merge_moves_reports_and_keeps_the_earliest_first_report(db: Database) -> None:
    """A duplicate's reports join the other case, whose first-report time goes back."""
    early = await file(db, WORK, 1)
    late = await file(db, RICE, 2, at=NOW + timedelta(hours=1))
    count = await cases.merge(
        db, late.report.case_id, into=early.report.case_id, actor_id=9, now=NOW
    )
    assert count == 2
    assert (
        await cases.merge(db, late.report.case_id, into=early.report.case_id, actor_id=9, now=NOW)
        is None
    )
    target = await cases.get(db, early.report.case_id)
    assert target is not None and target.reports == 2
    statistics = await reports.statistics(db)
    assert (statistics.reports, statistics.cases, statistics.open) == (2, 1, 1)


async def test_forgetting_a_reporter_keeps_the_report_without_them(db: Database) -> None:
    """/hapusdata blanks the reporter and their words; the report stays in its case."""
    filed = await file(db, RICE, 712345678)
    await privacy.forget_person(db, 712345678, NOW)
    report = await reports.get(db, filed.report.id)
    assert report is not None
    assert (report.reporter_id, report.reporter_name, report.text) == (None, None, "")
    assert report.case_id == filed.report.case_id
