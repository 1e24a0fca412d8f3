"""Cases: one claim however many people reported it, and the operators' verdict on it.

open ──decide──▶ decided (verdict, explanation, link; a registry entry; its reporters answered)
  └──merge──▶ merged (its reports moved to another open case: the duplicate's reporters get
                      that case's verdict)

A verdict is given in three steps (the button, the explanation, the optional link), across
messages and possibly across operators. The verdict and the explanation are kept on the case
as *pending* until the link step decides it; each step re-checks that the case is still open,
so a stale prompt or button changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot import audit, hoaxes, notices
from bot.clock import isoformat
from bot.hoaxes import Verdict
from bot.regions import display_name
from bot.reports import Kind, Report, of_case
from bot.storage import Database, Row, from_row

CLAIM_LIMIT = 500
NARRATIVE_LIMIT = 4000
EXPLANATION_LIMIT = 1500
LINK_LIMIT = 500
_URL = re.compile(r"https?://\S+")
# A hoax or disinformation is worth a clarification to the areas where it circulates.
CLARIFY = frozenset({Verdict.HOAKS, Verdict.DISINFORMASI})


def explanation_of(text: str | None) -> str:
    """The explanation an operator typed, cut to what a case keeps ("" : none)."""
    return (text or "").strip()[:EXPLANATION_LIMIT]


def reference_link(text: str | None) -> str | None:
    """The reference link an operator typed, or None when it is not one web link."""
    link = (text or "").strip()
    return link if _URL.fullmatch(link) and len(link) <= LINK_LIMIT else None


@dataclass(frozen=True)
class Case:
    id: int
    status: str
    first_reported_at: str
    reports: int
    kind: Kind  # of its first report
    text: str  # of its first report with a text
    file_id: str | None  # of its first report with a file
    origins: tuple[str, ...]
    kecamatan_codes: tuple[str, ...]
    areas: tuple[str, ...]  # kecamatan names for display
    verdict: Verdict | None
    explanation: str
    reference_url: str
    decided_at: str | None
    merged_into: int | None
    clarification_id: int | None
    pending_verdict: Verdict | None
    pending_explanation: str | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def number(self) -> str:
        return f"#{self.id}"


@dataclass(frozen=True)
class Decision:
    case: Case
    reports: list[Report]  # every report of the case, to answer their reporters


_SELECT = """
SELECT c.*,
    (SELECT COUNT(*) FROM hoax_reports r WHERE r.case_id = c.id) AS reports,
    (SELECT r.kind FROM hoax_reports r WHERE r.case_id = c.id ORDER BY r.id LIMIT 1) AS kind,
    (SELECT r.text FROM hoax_reports r WHERE r.case_id = c.id AND r.text != ''
        ORDER BY r.id LIMIT 1) AS text,
    (SELECT r.file_id FROM hoax_reports r WHERE r.case_id = c.id AND r.file_id IS NOT NULL
        ORDER BY r.id LIMIT 1) AS file_id
FROM hoax_cases c
"""


async def get(db: Database, case_id: int) -> Case | None:
    row = await db.fetchone(_SELECT + " WHERE c.id = ?", (case_id,))
    return None if row is None else await _case(db, row)


async def open_cases(db: Database, *, limit: int = 10) -> list[Case]:
    """Open cases, most-reported first, then the oldest."""
    rows = await db.fetchall(
        _SELECT + " WHERE c.status = 'open' ORDER BY reports DESC, c.id LIMIT ?", (limit,)
    )
    return [await _case(db, row) for row in rows]


async def count_open(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM hoax_cases WHERE status = 'open'"))


async def _case(db: Database, row: Row) -> Case:
    areas = await db.fetchall(
        "SELECT DISTINCT k.code, k.name FROM hoax_reports r"
        " JOIN kecamatan k ON k.code = r.kecamatan_code WHERE r.case_id = ? ORDER BY k.name",
        (row["id"],),
    )
    origins = await db.fetchall(
        "SELECT DISTINCT origin FROM hoax_reports WHERE case_id = ? AND origin IS NOT NULL"
        " ORDER BY id",
        (row["id"],),
    )
    pending = row["pending_verdict"]
    return from_row(
        Case,
        row,
        kind=Kind(row["kind"] or Kind.TEXT),
        text=row["text"] or "",
        origins=tuple(str(r[0]) for r in origins),
        kecamatan_codes=tuple(str(r["code"]) for r in areas),
        areas=tuple(display_name(str(r["name"])) for r in areas),
        verdict=Verdict(row["verdict"]) if row["verdict"] else None,
        pending_verdict=Verdict(pending) if pending else None,
    )


async def reporters(db: Database, case_id: int) -> list[str]:
    """Who reported the case, for operators' eyes only (forgotten people are not named)."""
    rows = await db.fetchall(
        "SELECT reporter_name FROM hoax_reports WHERE case_id = ? ORDER BY id", (case_id,)
    )
    return [row[0] or "(anonim)" for row in rows]


# --- the verdict ---------------------------------------------------------------------------


async def set_explanation(
    db: Database, case_id: int, *, verdict: Verdict, explanation: str, actor_id: int
) -> bool:
    """Step two: the chosen verdict with its explanation, waiting for the link step."""
    changed = await db.write(
        "UPDATE hoax_cases SET pending_verdict = ?, pending_explanation = ?, pending_by = ?"
        " WHERE id = ? AND status = 'open'",
        (verdict.value, explanation.strip(), actor_id, case_id),
    )
    return changed > 0


async def decide(
    db: Database,
    case_id: int,
    *,
    reference_url: str,
    actor_id: int,
    now: datetime,
    tell: Callable[[Report, Verdict, str], str] | None = None,
) -> Decision | None:
    """Step three: the pending verdict becomes the case's verdict and a registry entry, in
    one transaction. None when the case is no longer open or has no pending verdict.

    `tell(report, verdict, explanation)` writes the answer for each reporter who can still
    be reached; those answers are owed (bot/notices.py) in the same transaction, so a decided
    case never forgets to answer, whatever happens to the process afterwards."""
    case = await get(db, case_id)
    if case is None or not case.is_open or case.pending_verdict is None:
        return None
    explanation = case.pending_explanation or ""
    reports = await of_case(db, case_id)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE hoax_cases SET status = 'decided', verdict = pending_verdict,"
            " explanation = coalesce(pending_explanation, ''), reference_url = ?,"
            " decided_by = ?, decided_at = ?, pending_verdict = NULL,"
            " pending_explanation = NULL, pending_by = NULL"
            " WHERE id = ? AND status = 'open' AND pending_verdict = ?",
            (reference_url, actor_id, isoformat(now), case_id, case.pending_verdict.value),
        )
        if cursor.rowcount == 0:
            return None
        hoax_id = await hoaxes.add_entry(
            conn,
            claim=_claim(case, explanation),
            verdict=case.pending_verdict,
            source=f"verdict:{case_id}",
            now=now,
            explanation=explanation,
            url=reference_url,
            date=now.date().isoformat(),
            narrative=_narrative(case.text, reports),
        )
        await conn.execute("UPDATE hoax_cases SET hoax_id = ? WHERE id = ?", (hoax_id, case_id))
        await audit.record(
            conn,
            at=now,
            actor_id=actor_id,
            action="case.verdict",
            object_type="hoax_case",
            object_id=case_id,
            detail={"verdict": case.pending_verdict.value, "reports": len(reports)},
        )
        for report in reports:
            if tell is not None and report.reporter_id is not None:
                text = tell(report, case.pending_verdict, explanation)
                await notices.enqueue(conn, report.reporter_id, text, report_id=report.id)
    decided = await get(db, case_id)
    assert decided is not None
    return Decision(decided, reports)


def _claim(case: Case, explanation: str) -> str:
    """The registry's claim: the reported text, or for a picture without words the
    explanation's first sentence (the only words that describe it)."""
    source = case.text.strip() or explanation.strip().split(". ")[0]
    return source[:CLAIM_LIMIT]


def _narrative(claim: str, reports: Sequence[Report]) -> str:
    """Every wording people reported, the claim's own included: the circulating text is
    what the next villager forwards, and the search's narrative index recognises a repeat
    of it as `cocok` at once."""
    texts = [text for text in (claim.strip(), *(r.text.strip() for r in reports)) if text]
    return "\n".join(dict.fromkeys(texts))[:NARRATIVE_LIMIT]


async def merge(
    db: Database, case_id: int, *, into: int, actor_id: int, now: datetime
) -> int | None:
    """Mark a case as a duplicate of another open case; its reports (and its first-report
    time, if earlier) move over. Returns the other case's new report count, or None."""
    if case_id == into:
        return None
    async with db.transaction() as conn:
        if not await _both_open(conn, case_id, into):
            return None
        await conn.execute(
            "UPDATE hoax_cases SET first_reported_at = min(first_reported_at,"
            " (SELECT first_reported_at FROM hoax_cases WHERE id = ?)) WHERE id = ?",
            (case_id, into),
        )
        await conn.execute("UPDATE hoax_reports SET case_id = ? WHERE case_id = ?", (into, case_id))
        await conn.execute(
            "UPDATE hoax_cases SET status = 'merged', merged_into = ?, pending_verdict = NULL,"
            " pending_explanation = NULL, pending_by = NULL, decided_by = ?, decided_at = ?"
            " WHERE id = ?",
            (into, actor_id, isoformat(now), case_id),
        )
        await audit.record(
            conn,
            at=now,
            actor_id=actor_id,
            action="case.merge",
            object_type="hoax_case",
            object_id=case_id,
            detail={"into": into},
        )
        async with conn.execute(
            "SELECT COUNT(*) FROM hoax_reports WHERE case_id = ?", (into,)
        ) as cursor:
            row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _both_open(conn: aiosqlite.Connection, first: int, second: int) -> bool:
    async with conn.execute(
        "SELECT COUNT(*) FROM hoax_cases WHERE id IN (?, ?) AND status = 'open'", (first, second)
    ) as cursor:
        row = await cursor.fetchone()
    return row is not None and int(row[0]) == 2


async def attach_clarification(
    db: Database, case_id: int, announcement_id: int, *, replacing: int | None = None
) -> bool:
    """Remember the clarification drafted for a decided case. `replacing` names the draft it
    takes over from (one that was cancelled or rejected); two presses at once attach one."""
    changed = await db.write(
        "UPDATE hoax_cases SET clarification_id = ?"
        " WHERE id = ? AND status = 'decided' AND clarification_id IS ?",
        (announcement_id, case_id, replacing),
    )
    return changed > 0
