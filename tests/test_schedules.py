"""Schedule rules without Telegram: next runs in the regency's zone, day names across the three
weekday numberings, quiet hours, the missed-run rule, bad input, the migration, and exactly
one run when two schedulers share a database."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import people, regions, subscriptions
from bot.migrations import MIGRATIONS
from bot.people import Person
from bot.settings import load_settings
from bot.storage import Database, _split
from bot.subscriptions import AreaRef, Scope
from bot.texts import jadwal as t
from bot.topics import BY_KEY
from broadcasts import announcements, approval, rules, schedules
from broadcasts.content import Body, Kind
from broadcasts.rules import Limits, QuietHours, Rule, ScheduleError
from broadcasts.scheduler import Scheduler
from broadcasts.targets import Targets, Urgency

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
QUIET = QuietHours(time(21), time(6))
NO_QUIET = QuietHours(time(0), time(0))
HOUR = timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0, tz: ZoneInfo = WIB) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=tz)


def test_daily_weekly_and_monthly_next_runs() -> None:
    """Daily, weekly on named days and monthly rules give the next wall-clock run."""
    daily = rules.daily(time(7))
    assert daily.next_after(at(1, 6), WIB) == at(1, 7)
    assert daily.next_after(at(1, 7), WIB) == at(2, 7)  # strictly after
    weekly = rules.weekly(["kamis", "senin"], time(7, 30))
    assert weekly.days == ("senin", "kamis")
    assert weekly.next_after(at(1, 8), WIB) == at(3, 7, 30)  # Tuesday → Thursday
    assert weekly.next_after(at(3, 8), WIB) == at(7, 7, 30)  # Thursday → Monday


def test_monthly_31_falls_on_the_last_day_of_shorter_months() -> None:
    """Tanggal 31 runs on 28 February and 30 April, as the text promises."""
    rule = rules.monthly(31, time(9))
    after = datetime(2027, 1, 31, 10, tzinfo=WIB)
    february = rule.next_after(after, WIB)
    assert february == datetime(2027, 2, 28, 9, tzinfo=WIB)
    march = rule.next_after(february, WIB)
    assert march == datetime(2027, 3, 31, 9, tzinfo=WIB)
    assert rule.next_after(march, WIB) == datetime(2027, 4, 30, 9, tzinfo=WIB)
    assert "tanggal terakhirnya" in rule.describe(WIB)


def test_cron_weekdays_follow_cron_not_apscheduler() -> None:
    """Cron's 1 is Monday and 0/7 Sunday (APScheduler's from_crontab would make 1 Tuesday)."""
    monday = rules.cron("0 7 * * 1", now=at(1, 8), tz=WIB)
    assert monday.next_after(at(1, 8), WIB) == at(7, 7)
    for sunday in ("0 7 * * 0", "0 7 * * 7", "0 7 * * sun"):
        rule = rules.cron(sunday, now=at(1, 8), tz=WIB)
        assert rule.next_after(at(1, 8), WIB) == at(6, 7)
    workdays = rules.cron("30 6 * * 1-5", now=at(4, 8), tz=WIB)
    assert workdays.next_after(at(4, 8), WIB) == at(7, 6, 30)  # Friday → Monday
    weekend = rules.cron("0 9 * * 5-7", now=at(1, 8), tz=WIB)
    assert weekend.next_after(at(4, 10), WIB) == at(5, 9)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("0 7 * *", t.CRON_FIELDS),
        ("61 7 * * *", "tidak bisa dipakai"),
        ("0 7 * * 8", "hari '8'"),
        ("0 7 1 * 1", t.CRON_BOTH_DAYS),
        ("0 0 31 2 *", t.CRON_NEVER),
        ("nol tujuh", t.CRON_FIELDS),
    ],
)
def test_malformed_cron_is_explained(expression: str, reason: str) -> None:
    """Each bad cron expression gets an Indonesian reason and the format help."""
    with pytest.raises(ScheduleError) as raised:
        rules.cron(expression, now=at(1, 8), tz=WIB)
    assert reason in raised.value.message
    assert "menit jam tanggal bulan hari" in raised.value.message


def test_impossible_dates_past_times_and_bad_days_are_explained() -> None:
    """30 February, a moment already gone, day 32 and no weekday each say what is wrong."""
    with pytest.raises(ScheduleError, match="tidak ada di kalender"):
        rules.make_date(2027, 2, 30)
    with pytest.raises(ScheduleError, match="sudah lewat"):
        rules.once(date(2026, 12, 1), time(8), now=at(1, 9), tz=WIB)
    with pytest.raises(ScheduleError, match="antara 1 dan 31"):
        rules.monthly(32, time(7))
    with pytest.raises(ScheduleError, match="paling sedikit satu hari"):
        rules.weekly([], time(7))
    with pytest.raises(ScheduleError, match=r"00\.00 dan 23\.59"):
        rules.make_time(24, 0)


def test_quiet_hours_move_non_darurat_to_their_end() -> None:
    """22.00 → 06.00 the next day, 05.00 → 06.00 the same day; darurat and daytime stay."""
    assert QUIET.shift(at(1, 22), WIB, urgent=False) == at(2, 6)
    assert QUIET.shift(at(2, 5), WIB, urgent=False) == at(2, 6)
    assert QUIET.shift(at(1, 22), WIB, urgent=True) == at(1, 22)
    assert QUIET.shift(at(1, 12), WIB, urgent=False) == at(1, 12)
    assert QUIET.shift(at(2, 6), WIB, urgent=False) == at(2, 6)
    assert NO_QUIET.shift(at(1, 23), WIB, urgent=False) == at(1, 23)


def test_runs_in_other_zones_use_their_own_wall_clock() -> None:
    """07.00 WITA is 23.00 UTC the day before, and is shown as WITA."""
    rule = rules.daily(time(7))
    run = rule.next_after(at(1, 8, tz=WITA), WITA)
    assert run is not None
    assert run.astimezone(ZoneInfo("UTC")) == datetime(2026, 12, 1, 23, tzinfo=ZoneInfo("UTC"))
    assert t.when(run) == "Rabu, 2 Desember 2026 07.00 WITA"
    assert t.when(at(1, 7)) == "Selasa, 1 Desember 2026 07.00 WIB"
    assert t.zone(datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Jayapura"))) == "WIT"


def due(rule: Rule, slot: datetime, now: datetime, limits: Limits | None = None) -> rules.Due:
    return rules.plan_due(
        rule, slot, now, WIB, quiet=QUIET, urgent=False, grace=HOUR, limits=limits or Limits()
    )


def test_a_run_missed_inside_the_grace_is_sent_once() -> None:
    """Down from 06.50 to 07.40: the 07.00 run goes out on start, the next is tomorrow."""
    owed = due(rules.daily(time(7)), at(1, 7), at(1, 7, 40))
    assert owed.fire == at(1, 7)
    assert (owed.missed_count, owed.consumed, owed.next_slot) == (0, 1, at(2, 7))


def test_runs_missed_beyond_the_grace_are_skipped_and_listed() -> None:
    """Down three days: the two old runs are reported, today's (30 min late) is sent."""
    owed = due(rules.daily(time(7)), at(1, 7), at(3, 7, 30))
    assert owed.fire == at(3, 7)
    assert owed.missed == (at(1, 7), at(2, 7))
    assert owed.next_slot == at(4, 7)
    late = due(rules.daily(time(7)), at(1, 7), at(1, 9))
    assert late.fire is None and late.missed == (at(1, 7),)


def test_several_missed_runs_coalesce_into_one() -> None:
    """Every 10 minutes, down for 50: one run, nothing reported."""
    rule = rules.cron("*/10 * * * *", now=at(1, 8), tz=WIB)
    owed = due(rule, at(1, 8, 10), at(1, 9, 0))
    assert owed.fire == at(1, 9, 0)
    assert (owed.missed_count, owed.consumed) == (0, 6)


def test_end_date_and_number_of_runs_end_a_schedule() -> None:
    """A schedule stops after its end date or its number of runs."""
    rule = rules.daily(time(7))
    ended = due(rule, at(1, 7), at(1, 7), Limits(ends_on=date(2026, 12, 1)))
    assert ended.fire == at(1, 7) and ended.next_slot is None
    counted = due(rule, at(2, 7), at(2, 7), Limits(max_runs=2, runs=1))
    assert counted.fire == at(2, 7) and counted.next_slot is None
    assert due(rule, at(2, 7), at(2, 7), Limits(max_runs=3, runs=1)).next_slot == at(3, 7)


def test_rules_survive_storage() -> None:
    """A rule read back from JSON is the same rule."""
    for rule in (
        rules.daily(time(7, 5)),
        rules.weekly(["jumat"], time(13)),
        rules.monthly(31, time(9)),
        rules.once(date(2026, 12, 4), time(7), now=at(1, 8), tz=WIB),
        rules.cron("0 7 * * 1-5", now=at(1, 8), tz=WIB),
    ):
        assert Rule.from_json(rule.to_json()) == rule


# --- with a database ----------------------------------------------------------------------


async def test_migration_keeps_announcements_and_their_outbox(tmp_path: Path) -> None:
    """Rebuilding announcements for 'scheduled' keeps every row, id and reference."""
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    for version, script in enumerate(MIGRATIONS[:4], start=1):
        async with db.transaction() as conn:
            for statement in _split(script):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {version}")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO announcements(id, status, kind, body, created_at)"
            " VALUES (7, 'sent', 'text', 'lama', '2026-11-01T08:00:00+07:00')"
        )
        await conn.execute(
            "INSERT INTO outbox(announcement_id, chat_id, kind, priority) VALUES (7, 1, 'kim', 1)"
        )
    await db.migrate()
    assert await db.fetchval("SELECT body FROM announcements WHERE id = 7") == "lama"
    assert await db.fetchall("PRAGMA foreign_key_check") == []
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO announcements(status, kind, body, created_at)"
            " VALUES ('scheduled', 'text', 'baru', 'x')"
        )
        assert cursor.lastrowid == 8
    await db.close()


class Quiet:
    """A waker and notifier that only count."""

    def __init__(self) -> None:
        self.started: list[int] = []

    def wake(self) -> None:
        pass

    async def run_started(self, schedule: object, announcement_id: int, planned: datetime) -> None:
        self.started.append(announcement_id)

    async def run_empty(self, schedule: object) -> None:
        pass

    async def runs_missed(self, schedule: object, missed: Sequence[datetime], count: int) -> None:
        pass

    async def digest(self, user_id: int, text: str) -> None:
        pass


async def test_two_schedulers_on_one_database_fire_a_run_once(tmp_path: Path) -> None:
    """Two instances ticking at the same moment start the due run exactly once."""
    path = tmp_path / "kim-bot.sqlite3"
    settings = load_settings({"DATABASE_PATH": str(path), "REGION_CODE": "35.14"})
    now = at(1, 6, 55)
    db = await Database.open(path)
    await regions.load_regency(db, "35.14")
    await people.remember(db, Person(500, "Siti"), now)
    area = await subscriptions.resolve(db, AreaRef(Scope.KECAMATAN, "35.14.14"))
    assert area is not None
    await subscriptions.subscribe(
        db, user_id=500, area=area, topics=BY_KEY["kesehatan"].bit, now=now
    )
    draft = await announcements.create_draft(
        db, author_id=1, body=Body(Kind.TEXT, "Posyandu"), now=now
    )
    await announcements.update_draft(
        db,
        draft,
        topic="kesehatan",
        urgency=Urgency.PENTING,
        targets=Targets(kecamatan=("35.14.14",)),
    )
    await schedules.save_plan(db, draft, author_id=1, rule=rules.daily(time(7)), now=now)
    assert await schedules.submit(db, draft, actor_id=1, now=now)
    approved = await approval.approve(db, draft, verifier_id=2, now=now, tz=WIB, quiet=QUIET)
    assert approved.first_run == at(1, 7)

    class Clock:
        def now(self) -> datetime:
            return at(1, 7, 0)

    first, second = Quiet(), Quiet()
    other = await Database.open(path)
    a = Scheduler(db, settings, Clock(), first, first)
    b = Scheduler(other, settings, Clock(), second, second)
    await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    assert len(first.started) + len(second.started) == 1
    runs = await db.fetchall("SELECT announcement_id FROM schedule_runs")
    assert len(runs) == 1
    assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE chat_id = 500") == 1
    copy = await announcements.get(db, runs[0][0])
    assert copy is not None and copy.status is announcements.Status.SENDING
    assert copy.verified_by == 2 and copy.body.text == "Posyandu"
    template = await announcements.get(db, draft)
    assert template is not None and template.status is announcements.Status.SCHEDULED
    await other.close()
    await db.close()
