"""A hoax verdict becomes a clarification: a draft announcement to the areas where it spread.

Only a case decided as hoaks or disinformasi gets one (`bot.cases.CLARIFY`). It is drafted
to the case's kecamatan (or, when no reporter named one, the whole kabupaten) as an urgent
"klarifikasi", and then goes the way of every announcement: previewed, submitted, approved
by a verifier. A case holds one clarification at a time: the operator who drafted it gets
it back, anyone else is told it exists, and only a cancelled or rejected one is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot import cases
from bot.cases import Case
from bot.storage import Database
from bot.texts import lapor as t
from broadcasts import announcements
from broadcasts.announcements import Status
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets, Urgency


class Refusal(StrEnum):
    NOT_WANTED = "not_wanted"  # not decided, or decided as something that needs none
    EXISTS = "exists"  # someone else's draft, or one already on its way


@dataclass(frozen=True)
class Draft:
    id: int
    new: bool  # False: the author's own draft from before


async def draft(db: Database, case: Case, *, author_id: int, now: datetime) -> Draft | Refusal:
    """The clarification draft of `case` for `author_id` to prepare."""
    if case.status != "decided" or case.verdict not in cases.CLARIFY:
        return Refusal.NOT_WANTED
    replacing: int | None = None
    if case.clarification_id is not None:
        existing = await announcements.get(db, case.clarification_id)
        if existing and existing.status is Status.DRAFT and existing.author_id == author_id:
            return Draft(existing.id, new=False)
        if existing is None or existing.status not in (Status.CANCELLED, Status.REJECTED):
            return Refusal.EXISTS
        replacing = existing.id
    text = t.clarification_body(case.text, case.verdict, case.explanation, case.reference_url)
    draft_id = await announcements.create_draft(
        db, author_id=author_id, body=Body(Kind.TEXT, text), now=now
    )
    targets = (
        Targets(kecamatan=case.kecamatan_codes) if case.kecamatan_codes else Targets(kabupaten=True)
    )
    await announcements.update_draft(
        db, draft_id, topic="klarifikasi", urgency=Urgency.PENTING, targets=targets
    )
    if not await cases.attach_clarification(db, case.id, draft_id, replacing=replacing):
        await announcements.cancel(db, draft_id, actor_id=author_id, now=now)  # two presses
        return Refusal.EXISTS
    return Draft(draft_id, new=True)
