"""What a WhatsApp contact's next typed message answers, kept with the contact.

WhatsApp has no commands: a typed "Raci" is a desa name only right after the desa list, and
a message after LAPOR is the report. That step is stored in `whatsapp_contacts.step` (with
`step_at`), so it survives a restart, and it ends as Telegram's steps do: when it is
answered, when another word replaces it, or once WAITING_STEP_TIMEOUT has passed since it
was asked (bot/waiting.py's rule), after which the message gets an ordinary answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import isoformat
from bot.storage import Database
from bot.waiting import is_late

REPORT = "lapor"
DESA = "desa"  # "desa:<kecamatan token>": a typed desa name of that kecamatan


@dataclass(frozen=True)
class Step:
    name: str
    detail: str = ""


async def open_step(db: Database, user_id: int, name: str, detail: str, now: datetime) -> None:
    """Wait for this person's next message; any older step is over."""
    step = f"{name}:{detail}" if detail else name
    await db.write(
        "UPDATE whatsapp_contacts SET step = ?, step_at = ? WHERE user_id = ?",
        (step, isoformat(now), user_id),
    )


async def close(db: Database, user_id: int) -> None:
    await db.write(
        "UPDATE whatsapp_contacts SET step = NULL, step_at = NULL"
        " WHERE user_id = ? AND step IS NOT NULL",
        (user_id,),
    )


async def current(db: Database, user_id: int, now: datetime, within: timedelta) -> Step | None:
    """The open step, if a message at `now` still answers it."""
    row = await db.fetchone(
        "SELECT step, step_at FROM whatsapp_contacts WHERE user_id = ?", (user_id,)
    )
    if row is None or not row["step"] or not row["step_at"]:
        return None
    asked_at = datetime.fromisoformat(str(row["step_at"]))
    if is_late(asked_at, now, within):
        return None
    name, _, detail = str(row["step"]).partition(":")
    return Step(name, detail)
