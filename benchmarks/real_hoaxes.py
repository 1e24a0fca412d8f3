"""The real-data case of the hoax search: TurnBackHoax 2015–2021, read from ../shared.

The registry is the whole file; the ~578 rows that carry the circulating narrative
(`claim_text`) are the queries, each expecting its own headline. Those narratives are left
out of the registry (a query would otherwise find itself); what remains findable is what a
fresh registry holds: the headline and, for about 1,100 rows, the fact-check's explanation.
Every one of the 578 query rows has an explanation, and every one of those quotes the
narrative word for word ("NARASI: ..."), which makes that case easy. So there is a second,
harder variant, `headlines`: the query rows' explanations are left out too, and only the
headline can be found (a new wording of a claim whose fact-check does not quote it).
The file is only read, never copied into the project; without it the case is skipped.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot import hoax_import, hoaxes
from bot.normalize import normalize
from bot.storage import Database


def _real_data() -> Path:
    """../shared/data/hoaks next to the repository (or next to the folder holding it)."""
    repository = Path(__file__).resolve().parent.parent
    for folder in (repository.parent, repository.parent.parent):
        if (folder / "shared/data/hoaks").is_dir():
            return folder / "shared/data/hoaks"
    return repository.parent / "shared/data/hoaks"


REAL_DATA = _real_data()
REAL_FILE = REAL_DATA / "turnbackhoax_2015_2021.csv"
UNRELATED_DEV = REAL_DATA / "unrelated_dev.txt"

# Unrelated texts on a topic that has registered hoaxes: the hard ones for a false match.
HARD_TOPICS = re.compile(
    r"cpns|pppk|bansos|bantuan|blt|pkh|bmkg|gempa|cuaca|hujan|pln|listrik|token|vaksin|"
    r"imunisasi|tilang|etle|otp|prakerja|bpjs|ktp|covid|virus|beasiswa|bank|pinjaman|"
    r"pupuk|elpiji|bbm|pertamina|zakat|haji|pemilu|kpu|sim\b|pajak|lowongan",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Query:
    text: str
    claim_key: str
    url: str


def read_queries(path: Path = REAL_FILE) -> list[Query]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Query(row["claim_text"].strip(), normalize(row["title"].strip()), row["source_url"])
            for row in csv.DictReader(handle)
            if row["claim_text"].strip() and row["title"].strip()
        ]


def read_unrelated(path: Path = UNRELATED_DEV) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def without_narratives(path: Path = REAL_FILE, *, headlines: bool = False) -> str:
    """The file's CSV text with the narrative column emptied; with `headlines`, also the
    explanation of each row that had a narrative."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        for row in reader:
            blank = {"claim_text": ""}
            if headlines and row["claim_text"].strip():
                blank["explanation"] = ""
            writer.writerow(row | blank)
    return out.getvalue()


async def open_registry(
    folder: Path, *, calibrate: bool = True, headlines: bool = False
) -> tuple[Database, float]:
    """A database in `folder` holding the real file without its narratives (see
    `without_narratives`), and the seconds its import took (with calibration, as
    `kim-bot hoaks import` does it)."""
    name = "headlines" if headlines else "without_narratives"
    source = folder / f"turnbackhoax_{name}.csv"
    source.write_text(without_narratives(headlines=headlines), encoding="utf-8")
    db = await Database.open(folder / f"real_{name}.sqlite3")
    started = time.perf_counter()
    if calibrate:
        await hoax_import.import_file(db, source, now=datetime.now(UTC))
    else:
        parsed = hoax_import.read_file(source)
        async with db.transaction() as conn:
            await hoaxes.add_entries(
                conn, parsed.entries, source="benchmark", now=datetime.now(UTC)
            )
    return db, time.perf_counter() - started


async def import_seconds(path: Path = REAL_FILE) -> float:
    """Seconds `import_file` takes for the whole real file as it is, into a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "import.sqlite3")
        try:
            started = time.perf_counter()
            await hoax_import.import_file(db, path, now=datetime.now(UTC))
            return time.perf_counter() - started
        finally:
            await db.close()


async def expected_ids(db: Database, queries: list[Query]) -> list[int]:
    rows = await db.fetchall("SELECT id, claim_key, url FROM hoaxes")
    by_key = {(row["claim_key"], row["url"]): int(row["id"]) for row in rows}
    return [by_key[(q.claim_key, q.url)] for q in queries]
