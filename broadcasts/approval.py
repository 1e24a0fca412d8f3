"""The verifier's "yes", and what it means for when an announcement goes out.

One decision (`route`), taken here and nowhere else:
- a draft submitted with a schedule starts that schedule;
- one approved during the quiet hours, unless darurat, is held: a one-off run at their end;
- anything else is sent at once.

`approve` checks the draft (still pending; not the verifier's own unless that is allowed),
takes the route and writes everything in one transaction, through that transaction's
connection: the announcement's status by one conditional UPDATE (two verifiers pressing at
once approve once; the second is told it was already decided) with its whole outbox, or with
its active schedule. The recipients are read just before, from committed data: a chat that
changes in between is handled at delivery like any other.

Where WhatsApp is set up, the templates an approval would pay for are estimated first
(broadcasts/whatsapp_cost.py): past this month's budget the verifier must say so again
(`over_budget_confirmed`), and the audit records the amounts they accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from enum import StrEnum
from typing import Any

import aiosqlite

from bot import audit, people
from bot.clock import isoformat
from bot.people import Role
from bot.storage import Database
from broadcasts import announcements, outbox, recipients, schedules, whatsapp_cost
from broadcasts.announcements import Announcement, Status
from broadcasts.rules import QuietHours, Rule, RuleKind, first_start
from broadcasts.targets import Urgency

NO_QUIET_HOURS = QuietHours(time(0), time(0))


class ApprovalResult(StrEnum):
    APPROVED = "approved"
    NOT_PENDING = "not_pending"
    OWN_DRAFT = "own_draft"
    NO_RECIPIENTS = "no_recipients"
    OVER_BUDGET = "over_budget"  # not approved: the verifier must confirm the cost first


class Route(StrEnum):
    NOW = "now"
    HOLD = "hold"  # approved in the quiet hours: one run at their end
    SCHEDULE = "schedule"  # submitted with a schedule


@dataclass(frozen=True)
class Approval:
    result: ApprovalResult
    route: Route = Route.NOW
    schedule_id: int | None = None
    first_run: datetime | None = None  # held or scheduled: when it first goes out
    cost: whatsapp_cost.Estimate | None = None  # WhatsApp's templates, where set up


def route(
    *, planned: bool, urgency: Urgency | None, now: datetime, tz: tzinfo, quiet: QuietHours
) -> Route:
    """Send now, hold for the end of the quiet hours, or start the submitted schedule."""
    if planned:
        return Route.SCHEDULE
    if urgency is not Urgency.DARURAT and quiet.contains(now, tz):
        return Route.HOLD
    return Route.NOW


async def verifiers(
    db: Database, author_id: int | None, admins: Iterable[int], *, allow_own: bool
) -> list[int]:
    """Who is asked to approve a draft: the admins and the verifiers, never its author unless
    the settings allow verifying one's own."""
    found = set(admins) | set(await people.holders_of(db, Role.VERIFIER))
    if not allow_own:
        found.discard(author_id or 0)
    return sorted(found)


def first_run(
    rule: Rule, urgency: Urgency | None, now: datetime, tz: tzinfo, quiet: QuietHours
) -> tuple[datetime, datetime] | None:
    """(slot, start) of a schedule approved now: the start leaves the quiet hours unless
    darurat (shown to the author before submitting, applied at approval)."""
    return first_start(rule, now, tz, quiet=quiet, urgent=urgency is Urgency.DARURAT)


async def approve(
    db: Database,
    announcement_id: int,
    *,
    verifier_id: int,
    now: datetime,
    tz: tzinfo = UTC,
    quiet: QuietHours = NO_QUIET_HOURS,
    allow_own: bool = False,
    whatsapp: whatsapp_cost.Rules | None = None,
    over_budget_confirmed: bool = False,
) -> Approval:
    """Pending → sending (with its outbox) or scheduled (with its active schedule).

    `tz` and `quiet` are the regency's; without them nothing is held and a schedule counts
    in UTC (tests and the benchmark that only need an announcement on its way). With
    `whatsapp`, an approval past the monthly budget waits for `over_budget_confirmed`."""
    draft = await announcements.get(db, announcement_id)
    if draft is None or draft.status is not Status.PENDING:
        return Approval(ApprovalResult.NOT_PENDING)
    if draft.author_id == verifier_id and not allow_own:
        return Approval(ApprovalResult.OWN_DRAFT)
    plan = await schedules.plan_of(db, announcement_id, (schedules.Status.PROPOSED,))
    way = route(planned=plan is not None, urgency=draft.urgency, now=now, tz=tz, quiet=quiet)
    found = await _recipients(db, draft)
    cost = None
    if whatsapp is not None and found.whatsapp_people:
        cost = await whatsapp_cost.gather(db, found.whatsapp_people, whatsapp, now)
        if cost.over_budget and not over_budget_confirmed:
            return Approval(ApprovalResult.OVER_BUDGET, way, cost=cost)
    budget = _budget_detail(cost)
    if way is Route.NOW:
        return await _send_now(db, draft, verifier_id, now, found, budget)
    local = now.astimezone(tz)  # held: one run now, moved to the end of the quiet hours
    once = Rule(RuleKind.ONCE, at=local.time().replace(microsecond=0), on=local.date())
    rule = once if plan is None else plan.rule
    started = first_run(rule, draft.urgency, now, tz, quiet)
    assert started is not None  # every stored rule was checked to run at least once
    slot, start = started
    async with db.transaction() as conn:
        if not await _decide(conn, draft.id, Status.SCHEDULED, verifier_id, now):
            return Approval(ApprovalResult.NOT_PENDING)
        schedule_id = await schedules.activate(
            conn,
            draft.id,
            None if plan is None else plan.id,
            rule,
            slot=slot,
            start=start,
            author_id=draft.author_id,
            verifier_id=verifier_id,
            now=now,
        )
        detail = {"schedule": schedule_id, "first_run": isoformat(start), "held": plan is None,
                  **budget}  # fmt: skip
        await audit.record(conn, at=now, actor_id=verifier_id, action="announcement.schedule",
                           object_type="announcement", object_id=draft.id,
                           detail=detail)  # fmt: skip
    return Approval(ApprovalResult.APPROVED, way, schedule_id, start, cost)


async def _recipients(db: Database, draft: Announcement) -> recipients.Recipients:
    assert draft.urgency is not None and draft.topic is not None  # submit() guarantees
    return await recipients.resolve(
        db, draft.targets, draft.topic, digest_readers=draft.urgency is Urgency.DARURAT
    )


def _budget_detail(cost: whatsapp_cost.Estimate | None) -> dict[str, Any]:
    """For the audit: the amounts a verifier accepted past the monthly budget."""
    if cost is None or not cost.over_budget:
        return {}
    amounts = {"templates": cost.templates, "cost": cost.cost, "spent": cost.spent}
    return {"over_budget": {**amounts, "budget": cost.budget}}


async def _send_now(
    db: Database,
    draft: Announcement,
    verifier_id: int,
    now: datetime,
    found: recipients.Recipients,
    budget: dict[str, Any],
) -> Approval:
    assert draft.urgency is not None
    if found.total == 0:
        return Approval(ApprovalResult.NO_RECIPIENTS)
    reply_to = await outbox.original_messages(db, draft.correction_of)
    async with db.transaction() as conn:
        if not await _decide(conn, draft.id, Status.SENDING, verifier_id, now):
            return Approval(ApprovalResult.NOT_PENDING)
        await outbox.enqueue(
            conn, draft.id, found.rows, priority=draft.urgency.priority, reply_to=reply_to
        )
        detail = {"recipients": found.total, **budget}
        await audit.record(conn, at=now, actor_id=verifier_id, action="announcement.approve",
                           object_type="announcement", object_id=draft.id,
                           detail=detail)  # fmt: skip
    return Approval(ApprovalResult.APPROVED)


async def _decide(
    conn: aiosqlite.Connection,
    announcement_id: int,
    status: Status,
    verifier_id: int,
    now: datetime,
) -> bool:
    """Pending → `status`; False when another verifier decided first."""
    cursor = await conn.execute(
        "UPDATE announcements SET status = ?, verified_by = ?, verified_at = ?"
        " WHERE id = ? AND status = 'pending'",
        (status.value, verifier_id, isoformat(now), announcement_id),
    )
    return cursor.rowcount > 0
