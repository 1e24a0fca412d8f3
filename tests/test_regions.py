"""Regions: the packaged data of all Indonesia, loaded per regency."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import regions
from bot.regions import RegionError
from bot.storage import Database


async def test_pasuruan_has_24_kecamatan_and_365_desa(tmp_path: Path) -> None:
    """REGION_CODE=35.14 loads the whole regency, Raci inside Bangil's 15."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    assert await regions.load_regency(db, "35.14") == (24, 365)
    bangil = await regions.get_kecamatan(db, "35.14.14")
    assert bangil is not None and bangil.display == "Bangil"
    desa = await regions.desa_of(db, "35.14.14")
    assert len(desa) == 15
    raci = await regions.get_desa(db, "35.14.14.2011")
    assert raci is not None and raci.name == "Raci" and not raci.is_kelurahan
    assert any(d.is_kelurahan for d in desa)
    assert await regions.load_regency(db, "35.14") == (24, 365)  # idempotent
    await db.close()


async def test_another_regency_loads_its_own_areas(tmp_path: Path) -> None:
    """Any regency works by its code; Kota Malang has 5 kecamatan."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    kecamatan, desa = await regions.load_regency(db, "35.73")
    assert kecamatan == 5
    assert desa == len(regions.read_regency("35.73")[1]) > 0
    await db.close()


async def test_a_database_keeps_its_regency(tmp_path: Path) -> None:
    """Starting an existing database with another REGION_CODE is refused."""
    db = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(db, "35.14")
    with pytest.raises(RegionError, match=r"35\.14"):
        await regions.load_regency(db, "35.73")
    await db.close()


def test_unknown_code_fails_clearly() -> None:
    """An unknown code is named in the error."""
    assert regions.regency_name("99.99") is None
    with pytest.raises(RegionError, match=r"99\.99"):
        regions.read_regency("99.99")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Gondang Wetan", "Gondang Wetan"),
        ("GONDANG WETAN", "Gondang Wetan"),
        ("gondang wetan", "Gondang Wetan"),
        ("RD. PJKA", "RD. PJKA"),
        ("Kota Baru", "Kota Baru"),
    ],
)
def test_names_are_shown_in_title_case(stored: str, shown: str) -> None:
    """Names show as people write them, whatever the data's casing."""
    assert regions.display_name(stored) == shown
