"""A decided hoax becomes one clarification draft, without Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import cases, regions, reports
from bot.cases import Case
from bot.hoaxes import Verdict
from bot.reports import Content, Kind, Via, WarningRule
from bot.storage import Database
from broadcasts import announcements, clarifications
from broadcasts.clarifications import Draft, Refusal
from broadcasts.targets import Targets

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
RICE = "Bantuan beras 10 kg bisa diambil di balai desa dengan menunjukkan foto KTP. Sebarkan!"
OPERATOR, OTHER = 9, 10


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def _decided(db: Database, verdict: Verdict, kecamatan: str | None = "35.14.14") -> Case:
    filed = await reports.file_report(
        db,
        Content(Kind.TEXT, RICE),
        reporter_id=1,
        reporter_name="Warga",
        via=Via.GROUP,
        now=NOW,
        per_hour=5,
        rule=WarningRule(reports=10, window=timedelta(hours=1)),
        kecamatan_code=kecamatan,
    )
    case_id = filed.report.case_id if filed else 0
    await cases.set_explanation(db, case_id, verdict=verdict, explanation="Tidak ada.", actor_id=9)
    assert await cases.decide(db, case_id, reference_url="", actor_id=OPERATOR, now=NOW)
    case = await cases.get(db, case_id)
    assert case is not None
    return case


async def test_a_hoax_is_clarified_to_the_kecamatan_where_it_spread(db: Database) -> None:
    """A decided hoax gets a new urgent draft to its kecamatan, attached to the case."""
    case = await _decided(db, Verdict.HOAKS)
    drafted = await clarifications.draft(db, case, author_id=OPERATOR, now=NOW)
    assert isinstance(drafted, Draft) and drafted.new
    draft = await announcements.get(db, drafted.id)
    assert draft is not None and draft.topic == "klarifikasi"
    assert draft.targets == Targets(kecamatan=("35.14.14",))
    attached = await cases.get(db, case.id)
    assert attached is not None and attached.clarification_id == drafted.id


async def test_a_case_without_kecamatan_is_clarified_to_the_whole_kabupaten(db: Database) -> None:
    """No reporter named a kecamatan: the clarification goes to the whole kabupaten."""
    case = await _decided(db, Verdict.DISINFORMASI, kecamatan=None)
    drafted = await clarifications.draft(db, case, author_id=OPERATOR, now=NOW)
    assert isinstance(drafted, Draft)
    draft = await announcements.get(db, drafted.id)
    assert draft is not None and draft.targets == Targets(kabupaten=True)


async def test_a_fact_needs_no_clarification(db: Database) -> None:
    """A claim found true is not clarified; nothing is drafted."""
    case = await _decided(db, Verdict.FAKTA)
    assert await clarifications.draft(db, case, author_id=OPERATOR, now=NOW) is Refusal.NOT_WANTED


async def test_one_clarification_per_case_until_it_is_cancelled(db: Database) -> None:
    """The author gets their draft back, another operator is refused, and a cancelled draft
    is replaced by a new one."""
    case = await _decided(db, Verdict.HOAKS)
    first = await clarifications.draft(db, case, author_id=OPERATOR, now=NOW)
    assert isinstance(first, Draft)
    case = await cases.get(db, case.id) or case
    assert await clarifications.draft(db, case, author_id=OPERATOR, now=NOW) == Draft(
        first.id, new=False
    )
    assert await clarifications.draft(db, case, author_id=OTHER, now=NOW) is Refusal.EXISTS
    await announcements.cancel(db, first.id, actor_id=OPERATOR, now=NOW)
    again = await clarifications.draft(db, case, author_id=OTHER, now=NOW)
    assert isinstance(again, Draft) and again.new and again.id != first.id
