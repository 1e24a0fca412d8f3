"""Approval without Telegram: the send-now / hold / schedule decision, the checks both kinds of
approval share, one decision when two verifiers press at once, every write through the
transaction's own connection, and a schedule's rule picked with buttons."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import audit, people, regions, subscriptions
from bot.people import Person, Role
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.texts import jadwal as t
from bot.topics import BY_KEY
from broadcasts import announcements, approval, outbox, rules, schedules
from broadcasts.announcements import Status
from broadcasts.approval import ApprovalResult, Route
from broadcasts.content import Body, Kind
from broadcasts.picks import Pick, day_number
from broadcasts.rules import QuietHours, RuleKind, ScheduleError
from broadcasts.targets import Targets, Urgency

WIB = ZoneInfo("Asia/Jakarta")
QUIET = QuietHours(time(21), time(6))
AUTHOR, VERIFIER, VILLAGER = 1, 2, 500


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


@pytest.mark.parametrize(
    ("planned", "urgency", "now", "expected"),
    [
        (True, Urgency.BIASA, at(12), Route.SCHEDULE),
        (True, Urgency.DARURAT, at(23), Route.SCHEDULE),  # its own schedule, even at night
        (False, Urgency.BIASA, at(12), Route.NOW),
        (False, Urgency.PENTING, at(23), Route.HOLD),
        (False, Urgency.BIASA, at(5, 59), Route.HOLD),
        (False, Urgency.BIASA, at(6), Route.NOW),  # the quiet hours end at 06.00
        (False, Urgency.DARURAT, at(23), Route.NOW),  # darurat never waits
    ],
)
def test_the_route_of_an_approved_draft(
    planned: bool, urgency: Urgency, now: datetime, expected: Route
) -> None:
    """A plan starts its schedule; quiet hours hold all but darurat; the rest goes at once."""
    assert (
        approval.route(planned=planned, urgency=urgency, now=now, tz=WIB, quiet=QUIET) is expected
    )


def test_without_quiet_hours_nothing_is_held() -> None:
    """Quiet hours from 00.00 to 00.00 are switched off: a draft at midnight goes at once."""
    off = approval.NO_QUIET_HOURS
    assert approval.route(planned=False, urgency=None, now=at(0), tz=WIB, quiet=off) is Route.NOW


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """Kabupaten Pasuruan with one villager subscribed to Bangil's health news."""
    database = await Database.open(tmp_path / "kim-bot.sqlite3")
    await regions.load_regency(database, "35.14")
    await people.remember(database, Person(VILLAGER, "Siti"), at(8))
    area = await subscriptions.resolve(database, AreaRef(Scope.KECAMATAN, "35.14.14"))
    assert area is not None
    await subscriptions.subscribe(
        database, user_id=VILLAGER, area=area, topics=BY_KEY["kesehatan"].bit, now=at(8)
    )
    yield database
    await database.close()


async def pending(
    db: Database, *, urgency: Urgency = Urgency.PENTING, area: str = "35.14.14"
) -> int:
    draft = await announcements.create_draft(
        db, author_id=AUTHOR, body=Body(Kind.TEXT, "Posyandu"), now=at(8)
    )
    targets = Targets(kecamatan=(area,))
    await announcements.update_draft(db, draft, topic="kesehatan", urgency=urgency, targets=targets)
    return draft


async def submitted(db: Database, draft: int, plan: rules.Rule | None = None) -> int:
    if plan is None:
        assert await announcements.submit(db, draft, actor_id=AUTHOR, now=at(8))
    else:
        await schedules.save_plan(db, draft, author_id=AUTHOR, rule=plan, now=at(8))
        assert await schedules.submit(db, draft, actor_id=AUTHOR, now=at(8))
    return draft


async def approve(db: Database, draft: int, now: datetime, **options: Any) -> approval.Approval:
    return await approval.approve(
        db, draft, verifier_id=options.pop("verifier", VERIFIER), now=now, tz=WIB, quiet=QUIET,
        **options,
    )  # fmt: skip


async def test_sent_at_once_with_its_whole_outbox(db: Database) -> None:
    """In the day a draft goes out at once: sending, its outbox written, the approval audited."""
    draft = await submitted(db, await pending(db))
    decided = await approve(db, draft, at(10))
    assert (decided.result, decided.route) == (ApprovalResult.APPROVED, Route.NOW)
    found = await announcements.get(db, draft)
    assert found is not None and found.status is Status.SENDING and found.verified_by == VERIFIER
    assert (await outbox.progress(db, draft)).total == 1
    [entry] = await audit.entries(db, action="announcement.approve")
    assert entry.actor_id == VERIFIER and entry.detail == {"recipients": 1}


async def test_approved_at_night_waits_for_the_morning(db: Database) -> None:
    """At 23.00 a penting draft becomes a one-off schedule at 06.00, with no outbox yet."""
    draft = await submitted(db, await pending(db))
    decided = await approve(db, draft, at(23))
    assert (decided.result, decided.route) == (ApprovalResult.APPROVED, Route.HOLD)
    assert decided.first_run == at(6, day=2)
    found = await announcements.get(db, draft)
    assert found is not None and found.status is Status.SCHEDULED
    held = await schedules.plan_of(db, draft, (schedules.Status.ACTIVE,))
    assert held is not None and held.rule.kind is RuleKind.ONCE and held.id == decided.schedule_id
    assert (await outbox.progress(db, draft)).total == 0


async def test_a_darurat_draft_goes_out_at_night(db: Database) -> None:
    """Darurat is never held."""
    draft = await submitted(db, await pending(db, urgency=Urgency.DARURAT))
    decided = await approve(db, draft, at(23))
    assert (decided.result, decided.route) == (ApprovalResult.APPROVED, Route.NOW)


async def test_a_planned_draft_starts_its_schedule(db: Database) -> None:
    """A draft submitted with a plan makes that plan active, at its first slot."""
    draft = await submitted(db, await pending(db), rules.daily(time(7)))
    decided = await approve(db, draft, at(10))
    assert (decided.result, decided.route) == (ApprovalResult.APPROVED, Route.SCHEDULE)
    assert decided.first_run == at(7, day=2)
    active = await schedules.plan_of(db, draft, (schedules.Status.ACTIVE,))
    assert active is not None and active.id == decided.schedule_id


@pytest.mark.parametrize("plan", [None, rules.daily(time(7))])
async def test_the_shared_checks(db: Database, plan: rules.Rule | None) -> None:
    """Either way: one's own draft is refused unless allowed; a draft not pending (never
    submitted, or already decided) is refused; nothing changes on a refusal."""
    draft = await pending(db)
    assert (await approve(db, draft, at(10))).result is ApprovalResult.NOT_PENDING
    await submitted(db, draft, plan)
    own = await approve(db, draft, at(10), verifier=AUTHOR)
    assert own.result is ApprovalResult.OWN_DRAFT
    found = await announcements.get(db, draft)
    assert found is not None and found.status is Status.PENDING
    allowed = await approve(db, draft, at(10), verifier=AUTHOR, allow_own=True)
    assert allowed.result is ApprovalResult.APPROVED
    assert (await approve(db, draft, at(10))).result is ApprovalResult.NOT_PENDING


async def test_nobody_to_send_to_is_refused(db: Database) -> None:
    """A draft whose areas reach nobody stays pending."""
    draft = await submitted(db, await pending(db, area="35.14.01"))
    assert (await approve(db, draft, at(10))).result is ApprovalResult.NO_RECIPIENTS
    found = await announcements.get(db, draft)
    assert found is not None and found.status is Status.PENDING


async def test_two_verifiers_at_once_decide_once(db: Database) -> None:
    """Pressed at the same moment, one approval wins; the other is told it was decided."""
    draft = await submitted(db, await pending(db))
    first, second = await asyncio.gather(
        approve(db, draft, at(10)), approve(db, draft, at(10), verifier=3)
    )
    assert sorted([first.result, second.result]) == sorted(
        [ApprovalResult.APPROVED, ApprovalResult.NOT_PENDING]
    )
    assert (await outbox.progress(db, draft)).total == 1
    assert len(await audit.entries(db, action="announcement.approve")) == 1


@contextlib.contextmanager
def reads_outside_the_transaction(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any read through the shared handle while a transaction of `db` is open."""
    opened = db.transaction
    inside: list[bool] = []

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[Any]:
        async with opened() as conn:
            inside.append(True)
            try:
                yield conn
            finally:
                inside.pop()

    def guarded(read: Any) -> Any:
        async def check(*args: Any, **kwargs: Any) -> Any:
            assert not inside, "read through the shared handle inside a transaction"
            return await read(*args, **kwargs)

        return check

    monkeypatch.setattr(db, "transaction", transaction)
    for name in ("fetchone", "fetchall", "fetchval"):
        monkeypatch.setattr(db, name, guarded(getattr(db, name)))
    yield


@pytest.mark.parametrize("plan", [None, rules.daily(time(7))])
@pytest.mark.parametrize("hour", [10, 23])
async def test_inside_its_transaction_approval_uses_its_connection(
    db: Database, monkeypatch: pytest.MonkeyPatch, plan: rules.Rule | None, hour: int
) -> None:
    """Sent, held or scheduled: nothing is read through the shared handle mid-transaction."""
    draft = await submitted(db, await pending(db), plan)
    with reads_outside_the_transaction(db, monkeypatch):
        decided = await approve(db, draft, at(hour))
    assert decided.result is ApprovalResult.APPROVED


def test_a_pick_becomes_its_rule() -> None:
    """Each kind of pick, with its time, is the rule the buttons showed."""
    now, today = at(10), date(2026, 12, 1)
    weekly = Pick(RuleKind.WEEKLY, 0b0001001)  # senin and kamis
    assert weekly.check(today)
    assert weekly.rule(7, 30, now=now, tz=WIB) == rules.weekly(["senin", "kamis"], time(7, 30))
    once = Pick(RuleKind.ONCE, day_number(date(2026, 12, 24)))
    assert once.check(today) and "24" in once.describe(WIB)
    assert once.rule(9, 0, now=now, tz=WIB).on == date(2026, 12, 24)
    assert Pick(RuleKind.MONTHLY, 31).rule(9, 0, now=now, tz=WIB) == rules.monthly(31, time(9))
    assert Pick(RuleKind.DAILY, 0).rule(6, 5, now=now, tz=WIB) == rules.daily(time(6, 5))


@pytest.mark.parametrize(
    "pick",
    [
        Pick(RuleKind.DAILY, 1),
        Pick(RuleKind.MONTHLY, 32),
        Pick(RuleKind.WEEKLY, 128),
        Pick(RuleKind.ONCE, 202612),
        Pick(RuleKind.CRON, 0),
    ],
)
def test_a_pick_no_button_carries_is_refused(pick: Pick) -> None:
    """Values outside what the buttons offer are not a pick (the press is stale)."""
    assert not pick.check(date(2026, 12, 1))


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (Pick(RuleKind.WEEKLY, 0), t.NO_DAYS),
        (Pick(RuleKind.ONCE, 20261130), t.PAST_TIME),
        (Pick(RuleKind.ONCE, 20261231 + 1), t.IMPOSSIBLE_DATE),
    ],
)
def test_a_pick_the_person_can_correct_says_why(pick: Pick, message: str) -> None:
    """No weekday, a past day or an impossible date: explained, not ignored."""
    with pytest.raises(ScheduleError) as error:
        pick.check(date(2026, 12, 1))
    assert error.value.message == message


async def test_who_is_asked_to_verify(db: Database) -> None:
    """The admins and the verifiers; the author only where verifying one's own is allowed."""
    await people.grant(db, user_id=VERIFIER, role=Role.VERIFIER, actor_id=None, now=at(8))
    await people.grant(db, user_id=AUTHOR, role=Role.VERIFIER, actor_id=None, now=at(8))
    asked = await approval.verifiers(db, AUTHOR, {7}, allow_own=False)
    assert asked == [VERIFIER, 7]
    assert await approval.verifiers(db, AUTHOR, {7}, allow_own=True) == [AUTHOR, VERIFIER, 7]
