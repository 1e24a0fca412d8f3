"""Indonesian areas: the packaged Kemendagri data and the regency loaded into the database.

The package ships all of Indonesia (see `data/wilayah/SOURCE.md`, ODbL) so any regency can
run kim-bot by changing `REGION_CODE`; at start only that regency's kecamatan and desa are
copied into the database, where everything else refers to them by code.
"""

from __future__ import annotations

import csv
import gzip
import io
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.storage import Database


class RegionError(Exception):
    """The database and the configured regency disagree, or the code is unknown."""


@dataclass(frozen=True)
class Kecamatan:
    code: str
    name: str

    @property
    def display(self) -> str:
        return display_name(self.name)


@dataclass(frozen=True)
class Desa:
    code: str
    kecamatan_code: str
    name: str
    is_kelurahan: bool

    @property
    def display(self) -> str:
        return display_name(self.name)


def _rows(filename: str) -> Iterator[list[str]]:
    data = resources.files("bot").joinpath("data", "wilayah", filename).read_bytes()
    with io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(data)), encoding="utf-8") as text:
        reader = csv.reader(text)
        next(reader)  # header
        yield from reader


@cache
def _regencies() -> dict[str, str]:
    return {code: name for code, _province, name in _rows("regencies.csv.gz")}


def regency_name(code: str) -> str | None:
    """The regency's official name ("Kabupaten Pasuruan"), or None for an unknown code."""
    return _regencies().get(code)


def read_regency(code: str) -> tuple[list[Kecamatan], list[Desa]]:
    """The kecamatan and desa/kelurahan of one regency from the packaged data."""
    if regency_name(code) is None:
        raise RegionError(f"kode kabupaten/kota '{code}' tidak dikenal")
    kecamatan = [Kecamatan(row[0], row[2]) for row in _rows("districts.csv.gz") if row[1] == code]
    codes = {k.code for k in kecamatan}
    desa = [
        Desa(row[0], row[1], row[2], is_kelurahan=row[0].rsplit(".", 1)[-1].startswith("1"))
        for row in _rows("villages.csv.gz")
        if row[1] in codes
    ]
    return kecamatan, desa


def display_name(name: str) -> str:
    """Area names as people write them: "GONDANG WETAN" and "gondang wetan" both become
    "Gondang Wetan", while short all-capital abbreviations ("RD. PJKA", "OP") stay."""
    words = []
    for word in name.split():
        letters = "".join(ch for ch in word if ch.isalpha())
        is_abbreviation = letters.isupper() and (len(letters) <= 4 or "." in word)
        words.append(word if is_abbreviation else word[:1].upper() + word[1:].lower())
    return " ".join(words)


async def load_regency(db: Database, code: str) -> tuple[int, int]:
    """Copy one regency's areas into the database; idempotent. Returns (kecamatan, desa) counts.

    A database holds one regency: starting it with another `REGION_CODE` is refused instead
    of silently mixing two regencies' registrations.
    """
    stored = await db.fetchval("SELECT value FROM meta WHERE key = 'region_code'")
    if stored is not None and stored != code:
        raise RegionError(
            f"basis data ini milik wilayah {stored}, bukan {code}; pakai DATABASE_PATH lain"
        )
    if stored is None:
        kecamatan, desa = read_regency(code)
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT OR IGNORE INTO kecamatan(code, name) VALUES (?, ?)",
                [(k.code, k.name) for k in kecamatan],
            )
            await conn.executemany(
                "INSERT OR IGNORE INTO desa(code, kecamatan_code, name, is_kelurahan)"
                " VALUES (?, ?, ?, ?)",
                [(d.code, d.kecamatan_code, d.name, int(d.is_kelurahan)) for d in desa],
            )
            await conn.execute("INSERT INTO meta(key, value) VALUES ('region_code', ?)", (code,))
    return await counts(db)


async def counts(db: Database) -> tuple[int, int]:
    """(kecamatan, desa/kelurahan) in the database."""
    row = await db.fetchone("SELECT (SELECT COUNT(*) FROM kecamatan), (SELECT COUNT(*) FROM desa)")
    assert row is not None  # an aggregate query always returns a row
    return int(row[0]), int(row[1])


async def all_kecamatan(db: Database) -> list[Kecamatan]:
    rows = await db.fetchall("SELECT code, name FROM kecamatan ORDER BY code")
    return [Kecamatan(row["code"], row["name"]) for row in rows]


async def desa_of(db: Database, kecamatan_code: str) -> list[Desa]:
    rows = await db.fetchall(
        "SELECT code, kecamatan_code, name, is_kelurahan FROM desa"
        " WHERE kecamatan_code = ? ORDER BY name",
        (kecamatan_code,),
    )
    return [_desa(row) for row in rows]


async def get_kecamatan(db: Database, code: str) -> Kecamatan | None:
    row = await db.fetchone("SELECT code, name FROM kecamatan WHERE code = ?", (code,))
    return None if row is None else Kecamatan(row["code"], row["name"])


async def get_desa(db: Database, code: str) -> Desa | None:
    row = await db.fetchone(
        "SELECT code, kecamatan_code, name, is_kelurahan FROM desa WHERE code = ?", (code,)
    )
    return None if row is None else _desa(row)


def _desa(row: sqlite3.Row) -> Desa:
    return Desa(row["code"], row["kecamatan_code"], row["name"], bool(row["is_kelurahan"]))
