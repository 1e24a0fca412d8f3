"""What operators are told when a hoax report is filed: a new case, an early warning.

One composition for every way in. A Telegram report is told at once by handlers/triage.py,
which adds the case's "🔎 Periksa" button and its picture; a report that arrives where no
Telegram update is at hand (WhatsApp) is told through `bot.notices`, which the dispatcher
sends under its pacing and resumes after a restart: the notes are written before the
reporter gets the ticket, and a restart does not lose them once written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import cases, kim, notices
from bot.cases import Case
from bot.reports import Alert, Filed
from bot.settings import Settings
from bot.storage import Database
from bot.texts import lapor as t


@dataclass(frozen=True)
class Note:
    text: str
    case: Case | None  # the new case a note is about (its button and picture), else None


async def for_filed(db: Database, filed: Filed, *, with_button: bool = True) -> list[Note]:
    """The new case's note (if the report opened one), then its early warnings."""
    notes: list[Note] = []
    if filed.new_case:
        case = await cases.get(db, filed.report.case_id)
        if case is not None:
            text = t.new_case(
                case.number,
                case.kind,
                case.text,
                case.origins,
                case.reports,
                case.areas,
                with_button=with_button,
            )
            notes.append(Note(text, case))
    notes += [Note(text, None) for text in alert_texts(filed.alerts)]
    return notes


def alert_texts(alerts: Sequence[Alert]) -> list[str]:
    return [
        t.alert(
            [f"#{case_id}" for case_id in alert.case_ids],
            alert.reports,
            alert.areas,
            alert.kecamatan,
        )
        for alert in alerts
    ]


async def enqueue(db: Database, settings: Settings, filed: Filed) -> int:
    """Owe the operators their notes as notices (no button: a notice is text only); how
    many were written. The caller wakes the dispatcher."""
    notes = await for_filed(db, filed, with_button=False)
    if not notes:
        return 0
    destinations = await kim.operator_destinations(
        db, settings.admin_ids, settings.operator_chat_id
    )
    async with db.transaction() as conn:
        for note in notes:
            for chat_id in destinations:
                await notices.enqueue(conn, chat_id, note.text)
    return len(notes) * len(destinations)
