"""The hoax registry: circulating claims with a fact-check verdict, and how they get in.

Entries come from files of fact-checkers (`kim-bot hoaks import`, CSV or the JSON of
Mafindo's TurnBackHoax API) and from operators' verdicts (`add_entry`). Each entry is stored
as the row in `hoaxes`; its stemmed terms (`bot.normalize.terms`) in three full-text
indexes under the same rowid, one per field (claim, explanation, narrative), so that bm25's
term rarity of a headline is not diluted by the long texts of explanations; and each term
in `hoax_terms` with the number of entries that contain it (for weighting) and a trigram
index, where `bot.hoax_search` finds the neighbours of a misspelt word. An entry is a
duplicate when its normalised claim and its link are both already present; duplicates are
skipped, never merged.

Fact-checkers' labels are mapped onto five verdicts and a kind (`parse_label`). Two labels
have no direct verdict and both become *misinformasi* ("menyesatkan"), with a kind of their
own so that the villager reads what they are:
- KLARIFIKASI / CLARIFICATION / EDUKASI (kind `klarifikasi`): the post corrects
  information that circulates incomplete or out of context; what a reader should take
  from it is "do not pass this on as it is".
- PARODI / SATIRE / SATIR (kind `satire`): not meant to deceive but it does once forwarded
  without its context, which is how fact-checkers (First Draft's typology) classify satire.
A combined label ("HOAX+HASUT", "EDUKASI, HOAX") takes the most specific known part; a
false-claim part outranks a clarification or satire part. A row whose label is still
unknown is skipped and listed (`--strict` refuses the whole file instead).
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.clock import SystemClock, isoformat
from bot.normalize import normalize, terms
from bot.storage import Database, Row

if TYPE_CHECKING:
    from bot.settings import Settings


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


_LABELS: dict[str, Verdict] = {
    **dict.fromkeys(
        (
            "SALAH",
            "HOAX",
            "HOAKS",
            "HOAXES",
            "HOAX KILLS",
            "FALSE",
            "FITNAH",
            "HASUT",
            "PROVOKASI",
            "PENIPUAN",
            "SCAM",
        ),
        Verdict.HOAKS,
    ),
    "DISINFORMASI": Verdict.DISINFORMASI,
    "DISINFORMATION": Verdict.DISINFORMASI,
    **dict.fromkeys(
        (
            "MISINFORMASI",
            "MISINFORMATION",
            "MISLEADING",
            "MENYESATKAN",
            "LOGICAL FALLACY",
            "KONTEN MENYESATKAN",
        ),
        Verdict.MISINFORMASI,
    ),
    **dict.fromkeys(("BENAR", "FAKTA", "TRUE", "FACT"), Verdict.FAKTA),
    **dict.fromkeys(
        ("BELUM TERBUKTI", "UNPROVEN", "TIDAK DAPAT DIVERIFIKASI", "TIDAK_DAPAT_DIVERIFIKASI"),
        Verdict.TIDAK_DAPAT_DIVERIFIKASI,
    ),
}
_KINDS: dict[str, Kind] = {
    **dict.fromkeys(("KLARIFIKASI", "CLARIFICATION", "EDUKASI", "EDUCATION"), Kind.KLARIFIKASI),
    **dict.fromkeys(("PARODI", "PARODY", "SATIRE", "SATIR", "SATIRA"), Kind.SATIRE),
}
# When a label names several verdicts, the most specific one wins.
_PRECEDENCE = (
    Verdict.DISINFORMASI,
    Verdict.HOAKS,
    Verdict.MISINFORMASI,
    Verdict.TIDAK_DAPAT_DIVERIFIKASI,
    Verdict.FAKTA,
)
_LABEL_PARTS = re.compile(r"[+/&,;]| DAN | AND ")
_TITLE_LABEL = re.compile(r"^\s*\[([^\]]{2,40})\]\s*")
_URL = re.compile(r"https?://[^\s\"'<>\]]+")
_TAGS = re.compile(r"<[^>]+>")


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


@dataclass(frozen=True)
class Skipped:
    """A record left out of an import: where it is and the label no verdict is known for."""

    where: str
    label: str


@dataclass(frozen=True)
class Parsed:
    entries: list[NewEntry]
    skipped: list[Skipped]
    labels: Counter[tuple[str, Verdict, Kind]]  # each label read, what it became, how often


@dataclass(frozen=True)
class ImportResult:
    added: int
    duplicates: int
    total: int
    skipped: list[Skipped]
    labels: Counter[tuple[str, Verdict, Kind]]


class RegistryFileError(ValueError):
    """A file that cannot be imported; the message names the line or record at fault."""


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
    created = isoformat(now)
    ids: list[int | None] = []
    rows: list[tuple[Any, ...]] = []
    for entry, key in zip(entries, keys, strict=True):
        if key in seen:
            ids.append(None)
            continue
        seen.add(key)
        ids.append(next_id)
        rows.append(
            (
                next_id,
                entry.claim,
                entry.verdict.value,
                entry.explanation,
                entry.url,
                entry.date,
                entry.narrative,
                source,
                created,
                key[0],
                entry.kind.value,
            )
        )
        next_id += 1
    if not rows:
        return ids
    await conn.executemany(
        "INSERT INTO hoaxes(id, claim, verdict, explanation, url, date, narrative, source,"
        " created_at, claim_key, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    await _index(conn, [(row[0], row[1], row[3], row[6]) for row in rows])
    return ids


async def _index(conn: aiosqlite.Connection, rows: Sequence[tuple[int, str, str, str]]) -> None:
    """Index entries given as (id, claim, explanation, narrative), and count their terms."""
    index_rows: list[tuple[int, str, str, str]] = []
    documents_with: Counter[str] = Counter()
    for rowid, claim, explanation, narrative in rows:
        claim_terms, explanation_terms = terms(claim), terms(explanation)
        narrative_terms = terms(narrative)
        documents_with.update(set(claim_terms) | set(narrative_terms) | set(explanation_terms))
        index_rows.append(
            (
                rowid,
                " ".join(claim_terms),
                " ".join(explanation_terms),
                " ".join(narrative_terms),
            )
        )
    for column, field in ((1, "claim"), (2, "explanation"), (3, "narrative")):
        await conn.executemany(
            f"INSERT INTO hoax_{field}_index(rowid, terms) VALUES (?, ?)",
            [(row[0], row[column]) for row in index_rows if row[column]],
        )
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
    for table in (
        "hoax_claim_index",
        "hoax_explanation_index",
        "hoax_narrative_index",
        "hoax_terms_index",
        "hoax_terms",
    ):
        await conn.execute(f"DELETE FROM {table}")
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
    return Entry(
        id=row["id"],
        claim=row["claim"],
        verdict=Verdict(row["verdict"]),
        explanation=row["explanation"],
        url=row["url"],
        date=row["date"],
        narrative=row["narrative"],
        source=row["source"],
        created_at=row["created_at"],
        kind=Kind(row["kind"]),
    )


# --- import ----------------------------------------------------------------------------

_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "claim": ("title", "claim", "judul"),
    "verdict": ("verdict", "classification", "label"),
    "explanation": ("explanation", "conclusion", "penjelasan"),
    "url": ("url", "source_url", "link"),
    "date": ("date", "tanggal"),
    "narrative": ("claim_text", "content", "narasi"),
}


async def import_file(
    db: Database, path: Path, *, now: datetime, strict: bool = False
) -> ImportResult:
    """Read a whole CSV or JSON file, register it in one transaction (all or nothing), then
    recalibrate the search's thresholds for the registry as it now is.

    Records with an unknown label are skipped and listed; with `strict`, any such record
    refuses the whole file (RegistryFileError listing them all)."""
    parsed = read_file(path)
    if strict and parsed.skipped:
        listed = "; ".join(f"{s.where}: {s.label!r}" for s in parsed.skipped)
        raise RegistryFileError(f"{path.name}: putusan tidak dikenal di {listed}")
    async with db.transaction() as conn:
        async with conn.execute("SELECT count(*) FROM hoax_thresholds") as cursor:
            row = await cursor.fetchone()
        if row is not None and row[0] == 0:
            # Never calibrated: indexed before the per-field indexes, or by verdicts alone.
            await reindex(conn)
        ids = await add_entries(conn, parsed.entries, source=f"import:{path.name}", now=now)
    # The search builds on this module, so it is imported where it is used.
    from bot.hoax_search import calibrate

    await calibrate(db, now=now)
    added = sum(1 for i in ids if i is not None)
    return ImportResult(
        added=added,
        duplicates=len(ids) - added,
        total=await count(db),
        skipped=parsed.skipped,
        labels=parsed.labels,
    )


def read_file(path: Path) -> Parsed:
    """Parse a registry file; JSON when it is named .json or starts with `[` or `{`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryFileError(f"{path}: tidak bisa dibaca ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RegistryFileError(f"{path.name} baris {line}: bukan teks UTF-8") from exc
    try:
        if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{"):
            return parse_json(text)
        return parse_csv(text)
    except RegistryFileError as exc:
        raise RegistryFileError(f"{path.name} {exc}") from exc


def parse_csv(text: str) -> Parsed:
    """Rows of a CSV with a header naming at least `title` (and `verdict`, unless every
    title starts with a label like "[SALAH]"); unknown columns are ignored."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise RegistryFileError("baris 1: berkas kosong, baris judul kolom tidak ada") from None
    except csv.Error as exc:
        raise RegistryFileError(f"baris 1: {exc}") from None
    column = {
        field: next((header.index(name) for name in names if name in header), None)
        for field, names in _CSV_COLUMNS.items()
    }
    if column["claim"] is None:
        raise RegistryFileError(
            f"baris 1: baris judul kolom harus memuat 'title' (ada: {', '.join(header)})"
        )
    found = _Found()
    line = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    raise RegistryFileError(
                        f"baris {line}: {len(row)} kolom, padahal judul kolom ada {len(header)}"
                    )

                def cell(field: str, row: list[str] = row) -> str:
                    index = column[field]
                    return "" if index is None else row[index].strip()

                found.add(
                    _entry_from(
                        f"baris {line}",
                        title=cell("claim"),
                        label=cell("verdict"),
                        explanation=cell("explanation"),
                        url=cell("url"),
                        when=cell("date"),
                        narrative=cell("narrative"),
                    )
                )
            line = reader.line_num + 1
    except csv.Error as exc:
        raise RegistryFileError(f"baris {reader.line_num}: {exc}") from None
    return found.parsed()


class _Found:
    """The entries read so far, and the records skipped for their label."""

    def __init__(self) -> None:
        self.entries: list[NewEntry] = []
        self.skipped: list[Skipped] = []
        self.labels: Counter[tuple[str, Verdict, Kind]] = Counter()

    def add(self, read: tuple[NewEntry, str] | Skipped) -> None:
        if isinstance(read, Skipped):
            self.skipped.append(read)
            return
        entry, label = read
        self.entries.append(entry)
        self.labels[(label, entry.verdict, entry.kind)] += 1

    def parsed(self) -> Parsed:
        return Parsed(self.entries, self.skipped, self.labels)


def parse_json(text: str) -> Parsed:
    """TurnBackHoax API records: a list, or an object holding the list (e.g. under "data")."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryFileError(f"baris {exc.lineno}: JSON tidak sah ({exc.msg})") from None
    records = document
    if isinstance(document, dict):
        records = next(
            (document[k] for k in ("data", "results", "items", "hoaxes") if k in document),
            next((v for v in document.values() if isinstance(v, list)), None),
        )
    if not isinstance(records, list):
        raise RegistryFileError("rekaman 1: tidak ada daftar rekaman (list) di dalam JSON")
    found = _Found()
    for number, record in enumerate(records, start=1):
        where = f"rekaman {number}"
        if not isinstance(record, dict):
            raise RegistryFileError(f"{where}: bukan objek JSON")
        found.add(
            _entry_from(
                where,
                title=_text(record.get("title")),
                label=_text(record.get("classification") or record.get("verdict")),
                explanation=_plain(
                    _text(record.get("conclusion"))
                    or _text(record.get("fact"))
                    or _text(record.get("explanation"))
                ),
                url=_first_link(record.get("references") or record.get("url")),
                when=_text(record.get("tanggal") or record.get("date")),
                narrative=_plain(_text(record.get("content"))),
            )
        )
    return found.parsed()


def _entry_from(
    where: str, *, title: str, label: str, explanation: str, url: str, when: str, narrative: str
) -> tuple[NewEntry, str] | Skipped:
    """The entry and the label it was read with, or a Skipped record for an unknown label."""
    prefix = _TITLE_LABEL.match(title)
    prefix_parsed = parse_label(prefix.group(1)) if prefix else None
    claim = title[prefix.end() :].strip() if prefix and prefix_parsed else title.strip()
    if not claim:
        raise RegistryFileError(f"{where}: judul (title) kosong")
    parsed = parse_label(label) if label else prefix_parsed
    shown = label or (prefix.group(1) if prefix and prefix_parsed else "")
    if parsed is None:
        return Skipped(where, shown)
    try:
        day = _date(when)
    except ValueError:
        raise RegistryFileError(f"{where}: tanggal tidak dikenal: {when!r}") from None
    verdict, kind = parsed
    normalized = " ".join(shown.upper().split())
    return NewEntry(claim, verdict, explanation, url, day, narrative, kind), normalized


def _date(value: str) -> str | None:
    """ISO (with or without a time) or day/month/year, as YYYY-MM-DD."""
    value = value.strip()
    if not value:
        return None
    if match := re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])", value):
        year, month, day = match.groups()
    elif match := re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", value):
        day, month, year = match.groups()
    else:
        raise ValueError(value)
    return date(int(year), int(month), int(day)).isoformat()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value).strip()
    raise RegistryFileError(f"nilai bukan teks: {json.dumps(value)[:40]}")


def _plain(value: str) -> str:
    """Fact-check texts from the API may carry HTML; keep the words."""
    return " ".join(html.unescape(_TAGS.sub(" ", value)).split())


def _first_link(value: object) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    match = _URL.search(str(value or ""))
    return match.group(0).rstrip(".,;)") if match else ""


# --- command line ----------------------------------------------------------------------


def configure_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register this area's subcommands; each sets `handler=` (see bot/__main__.py)."""
    hoaks = subparsers.add_parser("hoaks", help="the hoax registry: import and check claims")
    actions = hoaks.add_subparsers(dest="action", required=True)
    importing = actions.add_parser("import", help="add claims from a CSV or TurnBackHoax JSON")
    importing.add_argument("file", type=Path)
    importing.add_argument(
        "--strict", action="store_true", help="refuse the whole file if any label is unknown"
    )
    importing.set_defaults(handler=_cli_import)
    check = actions.add_parser("cek", help="search the registry for a text")
    check.add_argument("text", help='the text to check; "-" reads one text per line from stdin')
    check.add_argument("--json", action="store_true", help="print JSON (one list per text)")
    check.add_argument("--limit", type=int, default=3, help="at most this many matches")
    check.set_defaults(handler=_cli_check)


async def _cli_import(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        result = await import_file(db, path, now=SystemClock(settings.tz).now(), strict=args.strict)
    except RegistryFileError as exc:
        print(f"Impor gagal, tidak ada yang disimpan: {exc}", file=sys.stderr)
        return 2
    print(
        f"Impor {path.name}: {result.added} entri baru, {result.duplicates} duplikat dilewati, "
        f"{len(result.skipped)} baris dilewati (putusan tidak dikenal); "
        f"basis data kini {result.total} entri."
    )
    print("Label yang dipetakan:")
    for (label, verdict, kind), times in sorted(result.labels.items(), key=lambda i: -i[1]):
        shown = f"{verdict.value} ({kind.value})" if kind else verdict.value
        print(f"  {times:>6}  {label or '(dari judul)'} → {shown}")
    if result.skipped:
        print("Dilewati:")
        for skipped in result.skipped:
            print(
                f"  {skipped.where}: {skipped.label!r}"
                if skipped.label
                else f"  {skipped.where}: putusan kosong"
            )
    return 0


async def _cli_check(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    # The search builds on this module, so it is imported where it is used.
    from bot.hoax_search import search

    queries = [line.rstrip("\n") for line in sys.stdin] if args.text == "-" else [args.text]
    for query in queries:
        matches = await search(db, query, limit=args.limit)
        if args.json:
            found = [
                {
                    "tier": m.tier.value,
                    "claim": m.entry.claim,
                    "verdict": m.entry.verdict.value,
                    "kind": m.entry.kind.value,
                    "score": m.score,
                    "url": m.entry.url,
                }
                for m in matches
            ]
            print(json.dumps(found, ensure_ascii=False))
            continue
        if len(queries) > 1:
            print(f"> {query}")
        if not matches:
            print("(tidak ada yang cocok)")
        for m in matches:
            claim = m.entry.claim if len(m.entry.claim) <= 70 else m.entry.claim[:69] + "…"
            print(
                f"{m.score:>3}  {m.tier.value:<7}  {m.entry.verdict.value:<24}  {claim:<70}  "
                f"{m.entry.url}"
            )
        if len(queries) > 1:
            print()
    return 0
