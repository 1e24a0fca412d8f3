"""Citizens' hoax reports: what is accepted, the per-person limit, joining reports into cases,
the early warning, and the figures for /statistik.

Every report gets its own ticket (`LPR-<year>-<id>`) and belongs to one case (`bot.cases`):
an open case of the same claim (`bot.claims`), or a new one.

Early warning, checked whenever a report is filed or given its kecamatan:
- a case gathers `reports` reports within `window`: one alert per case per window;
- one kecamatan sends `reports` reports within `window`, spread over at least two cases (a
  wave of different rumours in one place): one alert per kecamatan per window.
"""

from __future__ import annotations

import re
import statistics as stats
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiosqlite

from bot import audit
from bot.claims import matching_case
from bot.clock import isoformat
from bot.normalize import normalize, terms
from bot.quota import HourlyQuota
from bot.regions import display_name
from bot.storage import Database, Row, from_row

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot can download again (Bot API getFile limit)
MAX_VOICE_SECONDS = 5 * 60
MAX_TEXT = 4096
QUOTA = HourlyQuota("hoax_reports")  # REPORTS_PER_HOUR

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRACKING = ("utm_", "fbclid", "gclid", "igshid", "si")


class Kind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"
    VOICE = "voice"


class Via(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class Refusal(StrEnum):
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too_large"
    EMPTY = "empty"


@dataclass(frozen=True)
class Content:
    """What was reported, as plain values; `origin` describes a forwarded message's source."""

    kind: Kind
    text: str = ""
    file_id: str | None = None
    file_unique_id: str | None = None
    links: tuple[str, ...] = ()  # links hidden behind formatted text (text_link entities)
    origin: str | None = None
    origin_date: datetime | None = None

    @property
    def link(self) -> str:
        """The first link of the message, normalised for comparing, or ""."""
        found = [*self.links, *_URL.findall(self.text)]
        return normalize_link(found[0]) if found else ""


def refusal(
    kind: Kind | None, *, text: str, size: int | None, duration: int | None
) -> Refusal | None:
    """Why a message cannot be a report (None: it can). `kind` None is a type we do not take."""
    if kind is None:
        return Refusal.UNSUPPORTED
    if size is not None and size > MAX_FILE_BYTES:
        return Refusal.TOO_LARGE
    if kind is Kind.VOICE and duration is not None and duration > MAX_VOICE_SECONDS:
        return Refusal.TOO_LARGE
    if kind is Kind.TEXT and not text.strip():
        return Refusal.EMPTY
    if len(text) > MAX_TEXT:
        return Refusal.TOO_LARGE
    return None


def normalize_link(url: str) -> str:
    """One spelling per link: lower-case host, no tracking parameters, no trailing slash."""
    raw = url.strip().rstrip(".,;:!?)]}")
    if raw.lower().startswith("www."):
        raw = "https://" + raw
    parts = urlsplit(raw)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(_TRACKING)]
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return urlunsplit(("https", host, path, urlencode(query), ""))


def ticket(report_id: int, created_at: str) -> str:
    """The number a reporter keeps: `LPR-2026-000123` (year of the report, then its id)."""
    return f"LPR-{created_at[:4]}-{report_id:06d}"


@dataclass(frozen=True)
class Report:
    id: int
    case_id: int
    reporter_id: int | None
    reporter_name: str | None
    via: Via
    group_chat_id: int | None
    kind: Kind
    text: str
    link: str
    file_id: str | None
    file_unique_id: str | None
    origin: str | None
    origin_date: str | None
    kecamatan_code: str | None
    area_done: bool
    created_at: str

    @property
    def ticket(self) -> str:
        return ticket(self.id, self.created_at)


@dataclass(frozen=True)
class WarningRule:
    """EARLY_WARNING_REPORTS reports within EARLY_WARNING_WINDOW."""

    reports: int
    window: timedelta


@dataclass(frozen=True)
class Alert:
    """An early warning: a case that spreads fast, or a kecamatan with a wave of reports."""

    case_ids: tuple[int, ...]
    reports: int
    areas: tuple[str, ...]  # kecamatan names for display
    kecamatan: str | None = None  # set for a wave in one kecamatan

    @property
    def is_area_wave(self) -> bool:
        return self.kecamatan is not None


@dataclass(frozen=True)
class Filed:
    report: Report
    new_case: bool
    case_reports: int
    alerts: tuple[Alert, ...]


# --- filing -------------------------------------------------------------------------------


async def recent_count(db: Database, reporter_id: int, now: datetime) -> int:
    """Reports this person filed in the hour before `now`."""
    return await QUOTA.used(db, reporter_id, now)


async def may_report(db: Database, reporter_id: int, now: datetime, per_hour: int) -> bool:
    """Whether the person is still under `per_hour` reports in the last hour."""
    return await recent_count(db, reporter_id, now) < per_hour


async def file_report(
    db: Database,
    content: Content,
    *,
    reporter_id: int,
    reporter_name: str,
    via: Via,
    now: datetime,
    per_hour: int,
    rule: WarningRule,
    group_chat_id: int | None = None,
    kecamatan_code: str | None = None,
) -> Filed | None:
    """Record a report and join it to its case (a new one if none matches); None when the
    person already filed `per_hour` reports in the last hour.

    The limit, the case and the alerts are decided in one transaction, so two reports at the
    same moment cannot both slip under the limit or open two cases for one claim.
    """
    text = content.text.strip()
    link, key, report_terms = content.link, normalize(text), terms(text)
    origin_date = None if content.origin_date is None else isoformat(content.origin_date)
    area_done = int(via is Via.GROUP and kecamatan_code is not None)
    async with db.transaction() as conn:
        if await QUOTA.used_in(conn, reporter_id, now) >= per_hour:
            return None
        case_id = await matching_case(conn, key, report_terms, link, content.file_unique_id)
        new_case = case_id is None
        if case_id is None:
            cursor = await conn.execute(
                "INSERT INTO hoax_cases(status, first_reported_at) VALUES ('open', ?)",
                (isoformat(now),),
            )
            case_id = int(cursor.lastrowid or 0)
        row: list[object] = [case_id, reporter_id, reporter_name, via.value, group_chat_id]
        row += [content.kind.value, text, key, " ".join(report_terms), link, content.file_id]
        row += [content.file_unique_id, content.origin, origin_date, kecamatan_code, area_done]
        cursor = await conn.execute(_INSERT_REPORT, [*row, isoformat(now)])
        report_id = int(cursor.lastrowid or 0)
        await audit.record(
            conn,
            at=now,
            actor_id=reporter_id,
            action="report.file",
            object_type="hoax_case",
            object_id=case_id,
            detail={"report": report_id, "new_case": new_case},
        )
        alerts = await _alerts(conn, case_id, kecamatan_code, now, rule)
        async with conn.execute(
            "SELECT COUNT(*) FROM hoax_reports WHERE case_id = ?", (case_id,)
        ) as cursor:
            counted = await cursor.fetchone()
    report = await get(db, report_id)
    assert report is not None  # just written
    return Filed(report, new_case, int(counted[0]) if counted else 1, alerts)


_INSERT_REPORT = (
    "INSERT INTO hoax_reports(case_id, reporter_id, reporter_name, via, group_chat_id,"
    " kind, text, text_key, terms, link, file_id, file_unique_id, origin, origin_date,"
    " kecamatan_code, area_done, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


async def set_area(
    db: Database,
    report_id: int,
    *,
    reporter_id: int,
    kecamatan_code: str | None,
    now: datetime,
    rule: WarningRule,
) -> tuple[Report, tuple[Alert, ...]] | None:
    """The reporter's answer to "where does it circulate?" (None: skipped); answered once.

    None when the report is not theirs or the question was already answered.
    """
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE hoax_reports SET kecamatan_code = ?, area_done = 1"
            " WHERE id = ? AND reporter_id = ? AND area_done = 0",
            (kecamatan_code, report_id, reporter_id),
        )
        if cursor.rowcount == 0:
            return None
        async with conn.execute(
            "SELECT case_id FROM hoax_reports WHERE id = ?", (report_id,)
        ) as found:
            row = await found.fetchone()
        assert row is not None
        alerts = (
            await _alerts(conn, int(row[0]), kecamatan_code, now, rule) if kecamatan_code else ()
        )
    report = await get(db, report_id)
    assert report is not None
    return report, alerts


async def get(db: Database, report_id: int) -> Report | None:
    row = await db.fetchone("SELECT * FROM hoax_reports WHERE id = ?", (report_id,))
    return None if row is None else _report(row)


async def of_case(db: Database, case_id: int) -> list[Report]:
    rows = await db.fetchall("SELECT * FROM hoax_reports WHERE case_id = ? ORDER BY id", (case_id,))
    return [_report(row) for row in rows]


def _report(row: Row) -> Report:
    via, kind, area_done = Via(row["via"]), Kind(row["kind"]), bool(row["area_done"])
    return from_row(Report, row, via=via, kind=kind, area_done=area_done)


# --- early warning --------------------------------------------------------------------------


async def _alerts(
    conn: aiosqlite.Connection,
    case_id: int,
    kecamatan_code: str | None,
    now: datetime,
    rule: WarningRule,
) -> tuple[Alert, ...]:
    since = isoformat(now - rule.window)
    alerts: list[Alert] = []
    async with conn.execute(
        "SELECT COUNT(*) FROM hoax_reports WHERE case_id = ? AND created_at > ?", (case_id, since)
    ) as cursor:
        row = await cursor.fetchone()
    in_window = int(row[0]) if row else 0
    if in_window >= rule.reports and await _claim_alert(conn, f"case:{case_id}", now, since):
        alerts.append(Alert((case_id,), in_window, await _areas(conn, [case_id])))
    if kecamatan_code is not None:
        async with conn.execute(
            "SELECT r.case_id, COUNT(*) FROM hoax_reports r WHERE r.kecamatan_code = ?"
            " AND r.created_at > ? GROUP BY r.case_id ORDER BY COUNT(*) DESC, r.case_id",
            (kecamatan_code, since),
        ) as cursor:
            per_case = [(int(r[0]), int(r[1])) for r in await cursor.fetchall()]
        total = sum(n for _, n in per_case)
        if (
            len(per_case) >= 2
            and total >= rule.reports
            and await _claim_alert(conn, f"kec:{kecamatan_code}", now, since)
        ):
            async with conn.execute(
                "SELECT name FROM kecamatan WHERE code = ?", (kecamatan_code,)
            ) as cursor:
                named = await cursor.fetchone()
            name = display_name(str(named[0])) if named else kecamatan_code
            alerts.append(Alert(tuple(c for c, _ in per_case), total, (name,), kecamatan=name))
    return tuple(alerts)


async def _claim_alert(conn: aiosqlite.Connection, key: str, now: datetime, since: str) -> bool:
    """True once per key per window: the alert is recorded as sent in the same transaction."""
    cursor = await conn.execute(
        "INSERT INTO hoax_alerts(key, warned_at) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET warned_at = excluded.warned_at"
        " WHERE hoax_alerts.warned_at <= ?",
        (key, isoformat(now), since),
    )
    return cursor.rowcount > 0


async def _areas(conn: aiosqlite.Connection, case_ids: Sequence[int]) -> tuple[str, ...]:
    marks = ",".join("?" * len(case_ids))
    async with conn.execute(
        f"SELECT DISTINCT k.name FROM hoax_reports r JOIN kecamatan k ON k.code = r.kecamatan_code"
        f" WHERE r.case_id IN ({marks}) ORDER BY k.name",
        tuple(case_ids),
    ) as cursor:
        return tuple(display_name(str(row[0])) for row in await cursor.fetchall())


# --- figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistics:
    reports: int
    cases: int  # merged duplicates are not counted twice
    open: int
    verdicts: int
    median_to_verdict: timedelta | None


async def statistics(db: Database) -> Statistics:
    """All-time totals of the tipline, and the median time from first report to verdict."""
    row = await db.fetchone(
        "SELECT (SELECT COUNT(*) FROM hoax_reports),"
        " (SELECT COUNT(*) FROM hoax_cases WHERE status != 'merged'),"
        " (SELECT COUNT(*) FROM hoax_cases WHERE status = 'open'),"
        " (SELECT COUNT(*) FROM hoax_cases WHERE status = 'decided')"
    )
    assert row is not None  # an aggregate always returns one row
    decided = await db.fetchall(
        "SELECT first_reported_at, decided_at FROM hoax_cases WHERE status = 'decided'"
    )
    durations = [
        (datetime.fromisoformat(r["decided_at"]) - datetime.fromisoformat(r["first_reported_at"]))
        for r in decided
    ]
    median = (
        timedelta(seconds=stats.median(d.total_seconds() for d in durations)) if durations else None
    )
    return Statistics(int(row[0]), int(row[1]), int(row[2]), int(row[3]), median)
