"""Fact-checkers' files into the hoax registry: `kim-bot hoaks import`, CSV or the JSON of
Mafindo's TurnBackHoax API, all or nothing.

Fact-checkers' labels are read by `bot.hoaxes.parse_label`; a row whose label is still
unknown is skipped and listed (`strict` refuses the whole file instead). After an import the
search's thresholds are calibrated again for the registry as it now is (`bot.hoax_search`).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.hoax_search import calibrate
from bot.hoaxes import Kind, NewEntry, Verdict, add_entries, count, parse_label, reindex
from bot.storage import Database

_TITLE_LABEL = re.compile(r"^\s*\[([^\]]{2,40})\]\s*")
_URL = re.compile(r"https?://[^\s\"'<>\]]+")
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Skipped:
    """A record left out of an import: where it is and the label no verdict is known for."""

    where: str
    label: str


@dataclass
class Parsed:
    """The entries read from a file, and the records skipped for their label."""

    entries: list[NewEntry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # each label read, what it became, how often
    labels: Counter[tuple[str, Verdict, Kind]] = field(default_factory=Counter)

    def add(self, read: tuple[NewEntry, str] | Skipped) -> None:
        if isinstance(read, Skipped):
            self.skipped.append(read)
            return
        entry, label = read
        self.entries.append(entry)
        self.labels[(label, entry.verdict, entry.kind)] += 1


@dataclass(frozen=True)
class ImportResult:
    added: int
    duplicates: int
    total: int
    skipped: list[Skipped]
    labels: Counter[tuple[str, Verdict, Kind]]


class RegistryFileError(ValueError):
    """A file that cannot be imported; the message names the line or record at fault."""


# What `_entry_from` reads, and the header names of the CSV column it comes from.
_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "claim", "judul"),
    "label": ("verdict", "classification", "label"),
    "explanation": ("explanation", "conclusion", "penjelasan"),
    "url": ("url", "source_url", "link"),
    "when": ("date", "tanggal"),
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
        key: next((header.index(name) for name in names if name in header), None)
        for key, names in _CSV_COLUMNS.items()
    }
    if column["title"] is None:
        raise RegistryFileError(
            f"baris 1: baris judul kolom harus memuat 'title' (ada: {', '.join(header)})"
        )
    found = Parsed()
    line = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    raise RegistryFileError(
                        f"baris {line}: {len(row)} kolom, padahal judul kolom ada {len(header)}"
                    )
                cells = {f: "" if i is None else row[i].strip() for f, i in column.items()}
                found.add(_entry_from(f"baris {line}", **cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise RegistryFileError(f"baris {reader.line_num}: {exc}") from None
    return found


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
    found = Parsed()
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
    return found


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
