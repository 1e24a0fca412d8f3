"""What an announcement will cost on WhatsApp, before anyone approves it.

WhatsApp lets the office send free text only to people who wrote within the last 24 hours
(`bot.whatsapp.contacts.in_window`); everyone else gets the approved template, which Meta
charges per message. So the WhatsApp recipients split three ways: inside the window (free),
outside it (one paid template each), and people who turned marketing messages off (a
template to them is refused and costs nothing, so they are left out of the estimate).

Two limits are checked against that estimate:
- the monthly budget: this month's templates so far (from `whatsapp_messages`, in the
  regency's month) plus the estimate; over it, the verifier confirms explicitly;
- the number's daily tier: unique people reached by a template since midnight. Only people
  not yet reached today use it up; the templates beyond what is left go the next day.

The estimate is taken when the preview is shown and again when the verifier approves (from
the recipients at that moment); the real count is what the dispatcher sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.settings import Settings
from bot.storage import Database
from bot.whatsapp.contacts import in_window
from broadcasts import whatsapp_messages

_CHUNK = 500  # ids per query: well below SQLite's limit on bound parameters


@dataclass(frozen=True)
class Rules:
    """The settings the estimate needs."""

    price: float  # rupiah per template
    budget: float  # rupiah per month
    daily_limit: int  # unique people per day reached by a template (the messaging tier)
    tz: tzinfo

    @classmethod
    def of(cls, settings: Settings) -> Rules | None:
        """None when WhatsApp is not set up: then nothing is estimated or checked."""
        if not settings.whatsapp_enabled:
            return None
        return cls(
            price=settings.whatsapp_template_price,
            budget=settings.whatsapp_monthly_budget,
            daily_limit=settings.whatsapp_daily_limit,
            tz=settings.tz,
        )


@dataclass(frozen=True)
class Reach:
    """A contact as the estimate sees it."""

    user_id: int
    last_inbound_at: float | None
    marketing_stopped: bool


@dataclass(frozen=True)
class Split:
    in_window: list[int]
    templates: list[int]
    stopped: list[int]


@dataclass(frozen=True)
class Estimate:
    recipients: int  # every WhatsApp recipient
    in_window: int
    templates: int
    stopped: int
    cost: float  # rupiah, the templates of this announcement
    spent: float  # rupiah, this month's templates so far
    budget: float
    tomorrow: int  # templates beyond today's tier: sent the next day

    @property
    def over_budget(self) -> bool:
        return self.templates > 0 and self.spent + self.cost > self.budget


def split(contacts: Iterable[Reach], now: float) -> Split:
    """Free text, paid template, or nothing (marketing turned off), for each contact at
    `now` (Unix time); the rule of the window is `in_window`."""
    inside: list[int] = []
    paid: list[int] = []
    stopped: list[int] = []
    for contact in contacts:
        if in_window(contact.last_inbound_at, now):
            inside.append(contact.user_id)
        elif contact.marketing_stopped:
            stopped.append(contact.user_id)
        else:
            paid.append(contact.user_id)
    return Split(inside, paid, stopped)


def overflow(templates: Sequence[int], reached_today: set[int], daily_limit: int) -> int:
    """How many of these templates the tier leaves for tomorrow: people already reached
    today cost nothing more; the rest share what is left of the day's unique recipients."""
    new = sum(1 for user_id in set(templates) if user_id not in reached_today)
    left = max(0, daily_limit - len(reached_today))
    return max(0, new - left)


def estimate(
    parts: Split, rules: Rules, *, spent_templates: int, reached_today: set[int]
) -> Estimate:
    templates = len(parts.templates)
    return Estimate(
        recipients=len(parts.in_window) + templates + len(parts.stopped),
        in_window=len(parts.in_window),
        templates=templates,
        stopped=len(parts.stopped),
        cost=templates * rules.price,
        spent=spent_templates * rules.price,
        budget=rules.budget,
        tomorrow=overflow(parts.templates, reached_today, rules.daily_limit),
    )


def month_start(now: datetime, tz: tzinfo) -> datetime:
    return now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def day_start(now: datetime, tz: tzinfo) -> datetime:
    return now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)


async def gather(db: Database, user_ids: Sequence[int], rules: Rules, now: datetime) -> Estimate:
    """The estimate for these WhatsApp recipients at `now` (read-only)."""
    contacts = await _contacts(db, user_ids)
    spent = await whatsapp_messages.templates_since(db, month_start(now, rules.tz))
    reached = await whatsapp_messages.template_recipients_since(db, day_start(now, rules.tz))
    parts = split(contacts, now.timestamp())
    return estimate(parts, rules, spent_templates=spent, reached_today=reached)


async def _contacts(db: Database, user_ids: Sequence[int]) -> list[Reach]:
    found: list[Reach] = []
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        rows = await db.fetchall(
            "SELECT user_id, last_inbound_at, marketing_stopped FROM whatsapp_contacts"
            f" WHERE user_id IN ({marks})",
            chunk,
        )
        found += [
            Reach(int(row[0]), None if row[1] is None else float(row[1]), bool(row[2]))
            for row in rows
        ]
    return found
