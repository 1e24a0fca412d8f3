"""What the buttons of /siaran carry: composing (`handlers.broadcast_compose`), its scheduling
step (`handlers.schedule_step`) and a correction's draft (`handlers.broadcast_history`).

Every button carries its draft's id: the draft lives in the database, so it survives a
restart, and each press re-reads it and checks it is still a draft of the presser. Until a
schedule's rule is complete, its parts travel in the buttons as typed fields, so nothing half
made is ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.buttons import ButtonData
from broadcasts.rules import RuleKind
from broadcasts.targets import Urgency


@dataclass(frozen=True)
class Draft(ButtonData, prefix="sd"):
    """The draft's targets panel; every other /siaran button carries the draft too."""

    draft: int


# --- composing ----------------------------------------------------------------------------


class Switch(StrEnum):
    """A yes/no of the targets: its field of `broadcasts.targets.Targets`."""

    KABUPATEN = "kabupaten"
    FORUMS_ONLY = "forums_only"
    SUBSCRIBERS = "subscribers"
    CHANNELS = "channels"


@dataclass(frozen=True)
class Topic(Draft, prefix="st"):
    topic: str


@dataclass(frozen=True)
class Urgent(Draft, prefix="su"):
    urgency: Urgency


@dataclass(frozen=True)
class Toggle(Draft, prefix="sg"):
    switch: Switch


@dataclass(frozen=True)
class KecamatanList(Draft, prefix="sk"):
    toggle: str | None  # a kecamatan to choose or unchoose first


class DesaKecamatanList(Draft, prefix="sdk"): ...


@dataclass(frozen=True)
class DesaPage(Draft, prefix="sdp"):
    page: int
    kecamatan: str
    toggle: str | None  # a desa (of that kecamatan) to choose or unchoose first


class Preview(Draft, prefix="spv"): ...


class Cancel(Draft, prefix="sx"): ...


class Submit(Draft, prefix="so"):
    """To the verifiers, without a schedule."""


# --- the scheduling step ------------------------------------------------------------------


class PlanKinds(Draft, prefix="jd"):
    """Start (or restart) picking a schedule."""


class BackToSummary(Draft, prefix="jdb"): ...


class Inert(Draft, prefix="jd_"):
    """Calendar headings and days already past."""


@dataclass(frozen=True)
class Calendar(Draft, prefix="jdc"):
    month: int  # YYYYMM
    for_end: bool  # the end of a repeating rule, not a once rule's day


@dataclass(frozen=True)
class WeekDays(Draft, prefix="jdw"):
    bits: int


class MonthDays(Draft, prefix="jdm"): ...


@dataclass(frozen=True)
class Time(Draft, prefix="jdt"):
    """A rule's kind and value picked (`broadcasts.picks.Pick`), its hour and minute as
    they are chosen."""

    kind: RuleKind
    value: int
    hour: int | None = None
    minute: int | None = None


class AskCron(Draft, prefix="jdx"): ...


class ShowPlan(Draft, prefix="jdp"): ...


@dataclass(frozen=True)
class End(Draft, prefix="jde"):
    """A repeating rule's end: a last day (YYYYMMDD), a number of runs, or neither."""

    on: int | None
    runs: int | None


class SubmitPlan(Draft, prefix="jds"): ...
