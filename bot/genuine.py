"""Is this announcement genuine? A text that claims to come from the office, compared with
the archive of announcements the office really sent.

Fake "official" letters are usually a real announcement with an amount, a date or a link
changed, or one invented outright under a made-up number. The comparison works on words
and numbers, not on letters: a number with its separators is one token ("50.000",
"08.00", "12/10/2026"), so "Rp 50.000" against "Rp 500.000" is a changed token even though
the two texts are 98% alike letter by letter. Punctuation, emoji, line breaks and letter
case do not count, since copying, pasting and forwarding change them.

1. The frame every sent announcement carries (header "📢 <organisation>" + topic line,
   footer "— Pengumuman #N · ✅ Terverifikasi") is cut from the text; the number in the
   footer is kept as the claimed number.
2. Every archived announcement (sent, being sent, or withdrawn later) is scored with
   rapidfuzz's ratio over the two token sequences; the best one is the candidate, the
   claimed one winning a tie.
3. The same tokens: **asli**. Close (`CLOSE_ENOUGH`): **diubah**, with the changed runs
   of tokens from difflib (a few at most), and a claimed number that is not the
   candidate's counts as a change too. Otherwise: **tidak ditemukan**.

A text relayed to WhatsApp from a KIM group ends with "— Pengumuman #N · … · kode XXXX-XXXX"
(`bot.relay`) and is judged by that code first: valid for N and the words above it, it is
**asli** (an official copy, perhaps trimmed). Otherwise the words are compared as above,
but with each archived announcement cut to the length received, since the relay trims
the tail: what is missing at the end is no change. Words that all match with a wrong code
are **diubah**, the code being the change.

Limits: only the body of a photo's caption or a text is compared (a forwarded photo's
picture is not); an announcement long enough to be split into several messages matches
only part by part, so a single part reads as "diubah".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from rapidfuzz import fuzz

from bot import relay
from bot.storage import Database, Row, from_row
from bot.texts import TOPIC_LABELS, siaran

ARCHIVE_LIMIT = 5000  # the most recent announcements compared; years of a regency's output
CLOSE_ENOUGH = 70  # ratio (0–100) from which a text is an altered copy, not another text
MAX_CHANGES = 4
CHANGE_WIDTH = 60

# A copy from WhatsApp has the footer in italics: "_— Pengumuman #12 · …_".
_FOOTER = re.compile(r"^[ \t_*~]*—[^\n]*?Pengumuman\s*#\s*(\d{1,9})[^\n]*$", re.IGNORECASE | re.M)
_CLAIMED = re.compile(r"\bpengumuman\s*(?:nomor|no\.?)?\s*#\s*(\d{1,9})", re.IGNORECASE)
_NUMBER_ONLY = re.compile(r"(?:pengumuman\s*)?#?\s*(\d{1,9})", re.IGNORECASE)
_OFFICIAL_WORDS = re.compile(r"\b(?:diskominfo|kominfo|terverifikasi)\b", re.IGNORECASE)


class Outcome(StrEnum):
    GENUINE = "asli"
    ALTERED = "diubah"
    NOT_FOUND = "tidak_ditemukan"


@dataclass(frozen=True)
class Archived:
    """A sent announcement as it went out: its body and the frame around it."""

    id: int
    body: str
    status: str
    header: str
    footer: str
    sent_at: str

    @property
    def sent_on(self) -> date:
        return datetime.fromisoformat(self.sent_at).date()

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"


@dataclass(frozen=True)
class Change:
    """One altered run of words: `before` as the office sent it, `after` as received."""

    before: str
    after: str


@dataclass(frozen=True)
class Finding:
    outcome: Outcome
    announcement: Archived | None  # the match (asli, diubah), else None
    claimed: int | None  # the number the text claims, if any
    claimed_exists: bool = False  # for "tidak ditemukan": that number exists, text differs
    changes: tuple[Change, ...] = ()
    more_changes: int = 0
    relayed: bool = False  # the text carried a WhatsApp relay footer
    trimmed: bool = False  # for a relayed "asli": shorter than the announcement


# --- reading the text --------------------------------------------------------------------


def number_query(text: str) -> int | None:
    """`/cek 12`, `/cek #12`, `/cek pengumuman #12`: a question about one announcement."""
    match = _NUMBER_ONLY.fullmatch(text.strip())
    return None if match is None else int(match[1])


def claimed_number(text: str) -> int | None:
    """The announcement number a text claims ("Pengumuman #12"), if any."""
    match = _FOOTER.search(text) or _CLAIMED.search(text)
    return None if match is None else int(match[1])


def looks_official(text: str, organization: str) -> bool:
    """The text presents itself as coming from the office."""
    return bool(
        _CLAIMED.search(text)
        or _OFFICIAL_WORDS.search(text)
        or (organization and organization.casefold() in text.casefold())
        or text.lstrip().startswith("📢")
    )


def _tokens(text: str) -> list[str]:
    return relay.words(text)


def _keys(tokens: Sequence[str]) -> list[str]:
    return [token.casefold() for token in tokens]


# --- the archive -------------------------------------------------------------------------


def _archived(row: Row, organization: str) -> Archived:
    header = ""
    if row["topic"] in TOPIC_LABELS and row["urgency"]:
        header = "\n".join(siaran.header_lines(organization, row["topic"], row["urgency"]))
    correction = f"#{row['correction_of']}" if row["correction_of"] else None
    footer = siaran.footer(f"#{row['id']}", verified=True, correction_of=correction)
    sent_at = row["verified_at"] or row["finished_at"] or row["created_at"]
    return from_row(Archived, row, header=header, footer=footer, sent_at=sent_at)


_SELECT = (
    "SELECT id, body, status, topic, urgency, correction_of, verified_at, finished_at,"
    " created_at FROM announcements WHERE status IN ('sending', 'sent', 'withdrawn')"
)


async def archive(db: Database, organization: str) -> list[Archived]:
    """The sent announcements, newest first."""
    rows = await db.fetchall(f"{_SELECT} ORDER BY id DESC LIMIT ?", (ARCHIVE_LIMIT,))
    return [_archived(row, organization) for row in rows]


async def lookup(db: Database, number: int, organization: str) -> Archived | None:
    """Announcement #number, when it was really sent."""
    row = await db.fetchone(f"{_SELECT} AND id = ?", (number,))
    return None if row is None else _archived(row, organization)


async def check(db: Database, text: str, organization: str) -> Finding:
    """Compare a received text with everything the office sent."""
    relayed = relay.parse(text)
    if relayed is not None:
        secret = await relay.stored_key(db)
        return compare_relayed(relayed, await archive(db, organization), secret)
    return compare(text, await archive(db, organization))


# --- the comparison ----------------------------------------------------------------------


def _unframed(tokens: list[str], header: str) -> list[str]:
    """The tokens without the announcement's header, when they start with it."""
    head = _keys(_tokens(header))
    return tokens[len(head) :] if head and _keys(tokens[: len(head)]) == head else tokens


def compare(text: str, archived: Sequence[Archived]) -> Finding:
    """asli / diubah / tidak ditemukan for `text` against `archived` (see module docstring)."""
    claimed = claimed_number(text)
    received = _tokens(_FOOTER.sub(" ", text))
    best: tuple[float, bool, Archived, list[str]] | None = None
    for candidate in archived:
        mine = _unframed(received, candidate.header)
        score = fuzz.ratio(
            " ".join(_keys(mine)), " ".join(_keys(_tokens(candidate.body))), processor=None
        )
        key = (score, candidate.id == claimed)
        if best is None or key > best[:2]:
            best = (score, candidate.id == claimed, candidate, mine)
    claimed_exists = claimed is not None and any(a.id == claimed for a in archived)
    if best is None or best[0] < CLOSE_ENOUGH:
        return Finding(Outcome.NOT_FOUND, None, claimed, claimed_exists=claimed_exists)
    _, _, found, mine = best
    changes = differences(_tokens(found.body), mine)
    if claimed is not None and claimed != found.id:
        changes.insert(0, Change(f"Pengumuman #{found.id}", f"Pengumuman #{claimed}"))
    if not changes:
        return Finding(Outcome.GENUINE, found, claimed)
    return _altered(found, claimed, changes)


def _altered(
    found: Archived, claimed: int | None, changes: list[Change], *, relayed: bool = False
) -> Finding:
    """Diubah, showing the first `MAX_CHANGES` changes and counting the rest."""
    return Finding(
        Outcome.ALTERED,
        found,
        claimed,
        changes=tuple(changes[:MAX_CHANGES]),
        more_changes=max(0, len(changes) - MAX_CHANGES),
        relayed=relayed,
    )


def differences(
    original: Sequence[str], received: Sequence[str], *, trimmed: bool = False
) -> list[Change]:
    """Runs of tokens that differ, each with the word before it for context. `trimmed`: the
    received text may end early, so the original's missing tail is no change."""
    matcher = difflib.SequenceMatcher(None, _keys(original), _keys(received), autojunk=False)
    opcodes = matcher.get_opcodes()
    if trimmed and opcodes and opcodes[-1][2] == len(original) and opcodes[-1][0] != "equal":
        op, i1, i2, j1, j2 = opcodes.pop()
        if op == "replace":  # the received text's last words against as many of the original
            opcodes.append((op, i1, min(i2, i1 + j2 - j1), j1, j2))
        elif op == "insert":
            opcodes.append((op, i1, i2, j1, j2))
    changes = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal" or (i1, i2, j1, j2) == (i1, i1, j1, j1):
            continue
        context = [original[i1 - 1]] if i1 > 0 else []
        before = _clip(" ".join([*context, *original[i1:i2]]))
        after = _clip(" ".join([*context, *received[j1:j2]]))
        changes.append(Change(before, after))
    return changes


def _clip(text: str) -> str:
    return text if len(text) <= CHANGE_WIDTH else text[: CHANGE_WIDTH - 1].rstrip() + "…"


# --- a relayed copy ----------------------------------------------------------------------


def compare_relayed(
    relayed: relay.Relayed, archived: Sequence[Archived], secret: bytes | None
) -> Finding:
    """asli / diubah / tidak ditemukan for a text relayed to WhatsApp (see module docstring)."""
    claimed = relayed.number
    received = _tokens(relayed.body)
    sent = next((a for a in archived if a.id == claimed), None)
    if sent is not None and secret and relay.valid(secret, claimed, relayed.body, relayed.code):
        trimmed = len(received) < len(_tokens(sent.body))
        return Finding(Outcome.GENUINE, sent, claimed, relayed=True, trimmed=trimmed)
    best: tuple[float, bool, Archived] | None = None
    for candidate in archived:
        start = _keys(_tokens(candidate.body)[: len(received)])
        score = fuzz.ratio(" ".join(_keys(received)), " ".join(start), processor=None)
        if best is None or (score, candidate.id == claimed) > best[:2]:
            best = (score, candidate.id == claimed, candidate)
    if best is None or best[0] < CLOSE_ENOUGH:
        return Finding(Outcome.NOT_FOUND, None, claimed, claimed_exists=sent is not None)
    found = best[2]
    changes = differences(_tokens(found.body), received, trimmed=True)
    if claimed != found.id:
        changes.insert(0, Change(f"Pengumuman #{found.id}", f"Pengumuman #{claimed}"))
    if not changes:  # every word as sent: only the code is wrong
        right = relay.code(secret, found.id, relayed.body) if secret else "…"
        changes = [Change(f"kode {right}", f"kode {relayed.code}")]
    return _altered(found, claimed, changes, relayed=True)
