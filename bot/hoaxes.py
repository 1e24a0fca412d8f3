"""The hoax registry: circulating claims with a fact-check verdict, and how they are stored.

Entries come from files of fact-checkers (`bot.hoax_import`) and from operators' verdicts
(`add_entry`). Each entry is stored as the row in `hoaxes`; its stemmed terms
(`bot.normalize.terms`) in three full-text indexes under the same rowid, one per field
(claim, explanation, narrative), so that bm25's term rarity of a headline is not diluted by
the long texts of explanations; and each term in `hoax_terms` with the number of entries
that contain it (for weighting) and a trigram index, where `bot.hoax_search` finds the
neighbours of a misspelt word. An entry is a duplicate when its normalised claim and its
link are both already present; duplicates are skipped, never merged.

Fact-checkers' labels are mapped onto five verdicts and a kind (`parse_label`). Two labels
have no direct verdict and both become *misinformasi* ("menyesatkan"), with a kind of their
own so that the villager reads what they are:
- KLARIFIKASI / CLARIFICATION / EDUKASI (kind `klarifikasi`): the post corrects
  information that circulates incomplete or out of context; what a reader should take
  from it is "do not pass this on as it is".
- PARODI / SATIRE / SATIR (kind `satire`): not meant to deceive but it does once forwarded
  without its context, which is how fact-checkers (First Draft's typology) classify satire.
A combined label ("HOAX+HASUT", "EDUKASI, HOAX") takes the most specific known part; a
false-claim part outranks a clarification or satire part.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from bot.clock import isoformat
from bot.normalize import normalize, terms
from bot.storage import Database, Row, from_row


class Verdict(StrEnum):
    HOAKS = "hoaks"
    DISINFORMASI = "disinformasi"
    MISINFORMASI = "misinformasi"
    FAKTA = "fakta"
    TIDAK_DAPAT_DIVERIFIKASI = "tidak_dapat_diverifikasi"


class Kind(StrEnum):
    """What a misinformasi entry is, when the villager should read it differently."""

    PLAIN = ""
    SATIRE = "satire"
    KLARIFIKASI = "klarifikasi"


# Fact-checkers' labels (upper case, `|` between them) and the verdict each one means.
_VERDICT_LABELS = {
    Verdict.HOAKS: "SALAH|HOAX|HOAKS|HOAXES|HOAX KILLS|FALSE|FITNAH|HASUT|PROVOKASI|PENIPUAN|SCAM",
    Verdict.DISINFORMASI: "DISINFORMASI|DISINFORMATION",
    Verdict.MISINFORMASI: "MISINFORMASI|MISINFORMATION|MISLEADING|MENYESATKAN|LOGICAL FALLACY"
    "|KONTEN MENYESATKAN",
    Verdict.FAKTA: "BENAR|FAKTA|TRUE|FACT",
    Verdict.TIDAK_DAPAT_DIVERIFIKASI: "BELUM TERBUKTI|UNPROVEN|TIDAK DAPAT DIVERIFIKASI"
    "|TIDAK_DAPAT_DIVERIFIKASI",
}
_LABELS = {label: v for v, labels in _VERDICT_LABELS.items() for label in labels.split("|")}
_KIND_LABELS = {
    Kind.KLARIFIKASI: "KLARIFIKASI|CLARIFICATION|EDUKASI|EDUCATION",
    Kind.SATIRE: "PARODI|PARODY|SATIRE|SATIR|SATIRA",
}
_KINDS = {label: kind for kind, labels in _KIND_LABELS.items() for label in labels.split("|")}
# When a label names several verdicts, the most specific one wins.
_PRECEDENCE = (
    Verdict.DISINFORMASI,
    Verdict.HOAKS,
    Verdict.MISINFORMASI,
    Verdict.TIDAK_DAPAT_DIVERIFIKASI,
    Verdict.FAKTA,
)
_LABEL_PARTS = re.compile(r"[+/&,;]| DAN | AND ")


def parse_verdict(label: str) -> Verdict | None:
    """A fact-checker's label ("SALAH", "HOAX+HASUT", "misleading") as one of ours, if known."""
    parsed = parse_label(label)
    return parsed[0] if parsed else None


def parse_label(label: str) -> tuple[Verdict, Kind] | None:
    """A fact-checker's label as our verdict and kind ("SATIR" → misinformasi, satire)."""
    cleaned = " ".join(label.replace("_", " ").upper().strip(" []").split())
    if not cleaned:
        return None
    found: set[Verdict] = set()
    kinds: set[Kind] = set()
    for part in [cleaned, *_LABEL_PARTS.split(f" {cleaned} ")]:
        part = part.strip()
        for piece in [part] if part in _LABELS or part in _KINDS else part.split():
            if piece in _LABELS:
                found.add(_LABELS[piece])
            elif piece in _KINDS:
                kinds.add(_KINDS[piece])
    verdict = next((v for v in _PRECEDENCE if v in found), None)
    if verdict is not None:
        return verdict, Kind.PLAIN
    for kind in (Kind.SATIRE, Kind.KLARIFIKASI):
        if kind in kinds:
            return Verdict.MISINFORMASI, kind
    return None


@dataclass(frozen=True)
class NewEntry:
    """A claim about to be registered; `narrative` is the circulating text, if known."""

    claim: str
    verdict: Verdict
    explanation: str = ""
    url: str = ""
    date: str | None = None
    narrative: str = ""
    kind: Kind = Kind.PLAIN


@dataclass(frozen=True)
class Entry:
    id: int
    claim: str
    verdict: Verdict
    explanation: str
    url: str
    date: str | None
    narrative: str
    source: str
    created_at: str
    kind: Kind = Kind.PLAIN


# --- storage ---------------------------------------------------------------------------


async def add_entry(
    conn: aiosqlite.Connection,
    *,
    claim: str,
    verdict: Verdict,
    source: str,
    now: datetime,
    explanation: str = "",
    url: str = "",
    date: str | None = None,
    narrative: str = "",
) -> int:
    """Register one claim (e.g. source "verdict:<case>"); call inside `Database.transaction()`.

    Idempotent: a claim already registered with the same link returns the existing id.
    """
    entry = NewEntry(claim.strip(), verdict, explanation.strip(), url.strip(), date, narrative)
    (new_id,) = await add_entries(conn, [entry], source=source, now=now)
    if new_id is not None:
        return new_id
    async with conn.execute(
        "SELECT id FROM hoaxes WHERE claim_key = ? AND url = ?", (normalize(entry.claim), entry.url)
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None  # a duplicate means the row exists in this very transaction
    return int(row[0])


async def add_entries(
    conn: aiosqlite.Connection, entries: Sequence[NewEntry], *, source: str, now: datetime
) -> list[int | None]:
    """Register many claims at once; per entry its new id, or None for a duplicate.

    Call inside `Database.transaction()`: ids are handed out from the current maximum, which
    only the transaction's write lock keeps stable.
    """
    keys = [(normalize(e.claim), e.url) for e in entries]
    seen = await _existing_keys(conn, {claim_key for claim_key, _ in keys})
    async with conn.execute(
        "SELECT max(coalesce((SELECT max(id) FROM hoaxes), 0),"
        " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'hoaxes'), 0))"
    ) as cursor:
        row = await cursor.fetchone()
    next_id = int(row[0] if row else 0) + 1
    ids: list[int | None] = []
    new: list[tuple[int, NewEntry, str]] = []  # id, entry, claim key
    for entry, key in zip(entries, keys, strict=True):
        if key in seen:
            ids.append(None)
            continue
        seen.add(key)
        ids.append(next_id)
        new.append((next_id, entry, key[0]))
        next_id += 1
    if new:
        created = isoformat(now)
        await conn.executemany(
            "INSERT INTO hoaxes(id, claim, verdict, explanation, url, date, narrative, kind,"
            " source, created_at, claim_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            # NewEntry's fields in their order, claim to kind
            [(i, *astuple(e), source, created, key) for i, e, key in new],
        )
        await _index(conn, [(i, e.claim, e.explanation, e.narrative) for i, e, _ in new])
    return ids


async def _index(conn: aiosqlite.Connection, rows: Sequence[tuple[int, str, str, str]]) -> None:
    """Index entries given as (id, claim, explanation, narrative), and count their terms."""
    indexed = [(rowid, [terms(text) for text in texts]) for rowid, *texts in rows]
    for column, field in enumerate(("claim", "explanation", "narrative")):
        await conn.executemany(
            f"INSERT INTO hoax_{field}_index(rowid, terms) VALUES (?, ?)",
            [(rowid, " ".join(words[column])) for rowid, words in indexed if words[column]],
        )
    documents_with = Counter(term for _, words in indexed for term in set().union(*words))
    async with conn.execute("SELECT coalesce(max(id), 0) FROM hoax_terms") as cursor:
        row = await cursor.fetchone()
    last_term = int(row[0]) if row else 0
    await conn.executemany(
        "INSERT INTO hoax_terms(term, docs) VALUES (?, ?)"
        " ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
        sorted(documents_with.items()),
    )
    await conn.execute(
        "INSERT INTO hoax_terms_index(rowid, term) SELECT id, term FROM hoax_terms WHERE id > ?",
        (last_term,),
    )


async def reindex(conn: aiosqlite.Connection) -> None:
    """Rebuild every index and term count from the entries; inside a transaction.

    A registry upgraded from the single index kept that index's terms, stemmed by the
    previous stemmer and without explanations; its first import rebuilds it this way."""
    for field in ("claim", "explanation", "narrative", "terms"):
        await conn.execute(f"DELETE FROM hoax_{field}_index")
    await conn.execute("DELETE FROM hoax_terms")
    async with conn.execute("SELECT id, claim, explanation, narrative FROM hoaxes") as cursor:
        rows = [(int(r[0]), r[1], r[2], r[3]) for r in await cursor.fetchall()]
    await _index(conn, rows)


async def _existing_keys(conn: aiosqlite.Connection, claim_keys: set[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    ordered = sorted(claim_keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ",".join("?" * len(chunk))
        async with conn.execute(
            f"SELECT claim_key, url FROM hoaxes WHERE claim_key IN ({marks})", chunk
        ) as cursor:
            found.update((r[0], r[1]) for r in await cursor.fetchall())
    return found


async def count(db: Database) -> int:
    return int(await db.fetchval("SELECT count(*) FROM hoaxes"))


async def entries_by_id(db: Database, ids: Iterable[int]) -> dict[int, Entry]:
    wanted = list(ids)
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    rows = await db.fetchall(f"SELECT * FROM hoaxes WHERE id IN ({marks})", wanted)
    return {row["id"]: _entry(row) for row in rows}


def _entry(row: Row) -> Entry:
    return from_row(Entry, row, verdict=Verdict(row["verdict"]), kind=Kind(row["kind"]))
