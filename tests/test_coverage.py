"""KIM coverage: what counts, the numbers per kecamatan, and the table, chart and spreadsheet."""

from __future__ import annotations

import asyncio
import io
import json
import os
import struct
import sys
from collections.abc import AsyncIterator
from datetime import date
from itertools import count
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot import coverage, regions
from bot.coverage import Coverage
from bot.storage import Database
from bot.texts import cakupan as texts

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-28T09:00:00+07:00"
DAY = date(2026, 11, 28)
RACI = "35.14.14.2011"
MASANGAN = "35.14.14.2010"
BANGIL = "35.14.14"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_chat_ids = count(-1001000000001, -1)


async def add_kim(
    db: Database,
    desa_code: str | None,
    name: str,
    *,
    kind: str = "kim",
    status: str = "approved",
    chat_status: str = "active",
    kecamatan_code: str | None = None,
) -> int:
    """A group chat and its registration, as the registration flow leaves them."""
    chat_id = next(_chat_ids)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats(chat_id, type, title, status, first_seen, updated_at)"
            " VALUES (?, 'supergroup', ?, ?, ?, ?)",
            (chat_id, name, chat_status, NOW, NOW),
        )
        await conn.execute(
            "INSERT INTO registrations(chat_id, kind, desa_code, kecamatan_code, name, status,"
            " requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (chat_id, kind, desa_code, kecamatan_code, name, status, NOW),
        )
    return chat_id


async def add_subscriber(
    db: Database, user_id: int, area_code: str, *, scope: str = "desa", reachable: bool = True
) -> None:
    """A villager subscribed to one area."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO people(user_id, first_name, first_seen, last_seen, reachable)"
            " VALUES (?, 'Warga', ?, ?, ?)",
            (user_id, NOW, NOW, int(reachable)),
        )
        await conn.execute(
            "INSERT INTO subscriptions(user_id, scope, area_code, topics, created_at, updated_at)"
            " VALUES (?, ?, ?, 255, ?, ?)",
            (user_id, scope, area_code, NOW, NOW),
        )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def pasuruan(db: Database) -> Coverage:
    return await coverage.compute(db, region_code="35.14", regency_name="Kabupaten Pasuruan")


def line_of(table: str, name: str) -> list[str]:
    return next(line.split() for line in table.splitlines() if line.startswith(name + " "))


async def test_one_kim_in_raci_is_bangil_1_of_15(db: Database) -> None:
    """One approved KIM in Raci: Bangil 1/15, the regency "1 dari 365 desa (0,3%)"."""
    await add_kim(db, RACI, "KIM Raci Maju")
    result = await pasuruan(db)
    bangil = result.find(BANGIL)
    assert bangil is not None
    assert (bangil.desa_total, bangil.desa_with_kim) == (15, 1)
    assert (result.desa_total, result.desa_with_kim) == (365, 1)
    assert coverage.total_line(result) == "1 dari 365 desa (0,3%)"
    table = coverage.render_table(result)
    assert line_of(table, "Bangil") == ["Bangil", "1/15", "6,7"]
    assert line_of(table, "Kabupaten") == ["Kabupaten", "1/365", "0,3"]
    assert line_of(table, "Tutur") == ["Tutur", "0/12", "0,0"]
    assert [d.desa.name for d in bangil.desa if d.has_kim] == ["Raci"]
    assert len(bangil.without_kim) == 14


async def test_only_approved_kim_registrations_count(db: Database) -> None:
    """Pending, rejected and ended KIM, Forum KIM and channels leave the numbers at zero."""
    await add_kim(db, RACI, "KIM Menunggu", status="pending")
    await add_kim(db, RACI, "KIM Ditolak", status="rejected")
    await add_kim(db, RACI, "KIM Bubar", status="ended")
    await add_kim(db, None, "Forum KIM Bangil", kind="forum", kecamatan_code=BANGIL)
    await add_kim(db, RACI, "Forum di desa", kind="forum", kecamatan_code=BANGIL)
    await add_kim(db, RACI, "Kanal Raci", kind="channel")
    result = await pasuruan(db)
    assert result.desa_with_kim == 0
    assert coverage.total_line(result) == "0 dari 365 desa (0,0%)"
    assert all(not d.kim for d in result.desa)


async def test_two_kim_in_one_desa_count_once(db: Database) -> None:
    """A desa with two approved KIM is one covered desa; both names are kept."""
    await add_kim(db, RACI, "KIM Raci Maju")
    await add_kim(db, RACI, "KIM Raci Muda", chat_status="unreachable")
    result = await pasuruan(db)
    bangil = result.find(BANGIL)
    assert bangil is not None and bangil.desa_with_kim == 1
    assert result.desa_with_kim == 1
    raci = next(d for d in result.desa if d.desa.code == RACI)
    assert [(g.name, g.status) for g in raci.kim] == [
        ("KIM Raci Maju", "active"),
        ("KIM Raci Muda", "unreachable"),
    ]
    assert result.kim_not_active == 1


async def test_group_status_does_not_change_the_count(db: Database) -> None:
    """An approved KIM whose group went quiet still counts; only its status shows it."""
    await add_kim(db, RACI, "KIM Raci", chat_status="inactive")
    result = await pasuruan(db)
    assert result.desa_with_kim == 1
    assert result.kim_not_active == 1


async def test_subscribers_are_reachable_people_subscribed_to_that_desa(db: Database) -> None:
    """Only reachable desa subscribers of that very desa are counted."""
    await add_subscriber(db, 1, RACI)
    await add_subscriber(db, 2, RACI)
    await add_subscriber(db, 3, RACI, reachable=False)
    await add_subscriber(db, 4, BANGIL, scope="kecamatan")
    await add_subscriber(db, 5, MASANGAN)
    result = await pasuruan(db)
    by_code = {d.desa.code: d.subscribers for d in result.desa}
    assert by_code[RACI] == 2
    assert by_code[MASANGAN] == 1
    assert sum(by_code.values()) == 3


def test_numbers_are_written_the_indonesian_way() -> None:
    """Decimal comma with one decimal, a dot between thousands."""
    assert texts.share(112, 365, coverage.share_of(112, 365)) == "112 dari 365 desa (30,7%)"
    assert texts.share(1, 365, coverage.share_of(1, 365)) == "1 dari 365 desa (0,3%)"
    assert texts.share(1234, 2000, 61.7) == "1.234 dari 2.000 desa (61,7%)"
    assert texts.share(0, 0, coverage.share_of(0, 0)) == "0 dari 0 desa (0,0%)"
    assert texts.long_date(DAY) == "28 November 2026"


async def test_table_fits_a_phone_and_shortens_long_names(db: Database) -> None:
    """Every line of the table fits 32 characters; long names are cut with an ellipsis."""
    table = coverage.render_table(await pasuruan(db))
    assert len(table.splitlines()) == 24 + 4
    assert max(len(line) for line in table.splitlines()) <= 32
    assert coverage.short_name("Gondangwetan") == "Gondangwetan"
    assert coverage.short_name("Sumberpucung Kidul") == "Sumberpucung…"


async def test_json_has_every_kecamatan_and_the_totals(db: Database) -> None:
    """as_json: codes, display names, counts and rounded percentages, then the totals."""
    await add_kim(db, RACI, "KIM Raci")
    data = coverage.as_json(await pasuruan(db), DAY)
    assert len(data["kecamatan"]) == 24
    assert data["kecamatan"][13] == {
        "code": BANGIL,
        "name": "Bangil",
        "desa_total": 15,
        "desa_with_kim": 1,
        "percent": 6.7,
    }
    assert data["total"] == {"desa_total": 365, "desa_with_kim": 1, "percent": 0.3}
    assert data["date"] == "2026-11-28"
    assert json.loads(json.dumps(data)) == data


async def test_xlsx_has_a_row_per_desa_and_a_summary(db: Database) -> None:
    """The workbook opens with openpyxl: 365 desa rows with KIM names and subscribers."""
    await add_kim(db, RACI, "KIM Raci Maju")
    await add_kim(db, RACI, "KIM Raci Muda", chat_status="inactive")
    await add_subscriber(db, 1, RACI)
    await add_subscriber(db, 2, RACI)
    result = await pasuruan(db)
    workbook = load_workbook(io.BytesIO(coverage.render_xlsx(result, DAY)))
    assert workbook.sheetnames == ["Ringkasan", "Desa"]

    rows = list(workbook["Desa"].iter_rows(values_only=True))
    assert rows[0] == texts.DESA_HEADERS
    assert len(rows) == 1 + 365
    raci = next(row for row in rows if row[2] == RACI)
    assert raci == (
        "Bangil",
        "Raci",
        RACI,
        "Desa",
        "Ya",
        "KIM Raci Maju; KIM Raci Muda",
        "aktif; tidak aktif",
        2,
    )
    others = [row for row in rows[1:] if row[2] != RACI]
    assert {(row[4], row[5], row[6], row[7]) for row in others} == {("Tidak", None, None, 0)}

    summary = list(workbook["Ringkasan"].iter_rows(values_only=True))
    assert summary[0] == texts.SUMMARY_HEADERS
    bangil = next(row for row in summary if row[0] == BANGIL)
    assert bangil[:5] == (BANGIL, "Bangil", 15, 1, 14)
    assert bangil[5] == pytest.approx(1 / 15)
    total = summary[25]
    assert total[:5] == ("35.14", "Kabupaten Pasuruan", 365, 1, 364)
    assert "28 November 2026" in str(summary[27][0])


async def test_chart_is_a_png_of_sensible_size(db: Database) -> None:
    """The chart is a PNG, roughly phone-sized, rendered off the event loop."""
    await add_kim(db, RACI, "KIM Raci")
    png = await asyncio.to_thread(coverage.render_chart, await pasuruan(db), DAY)
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])
    assert 600 <= width <= 1600
    assert 600 <= height <= 2000
    assert 10_000 < len(png) < 1_000_000


def test_export_filename_names_regency_and_date() -> None:
    """cakupan-kim-35.14-2026-11-28.xlsx"""
    assert texts.export_filename("35.14", DAY) == "cakupan-kim-35.14-2026-11-28.xlsx"


async def _cli(args: list[str], database: Path, cwd: Path) -> tuple[int, str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DATABASE_PATH": str(database),
        "REGION_CODE": "35.14",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_command_line_prints_json_and_writes_the_spreadsheet(tmp_path: Path) -> None:
    """`kim-bot cakupan --json --xlsx PATH`: valid JSON with totals, a readable workbook."""
    database = tmp_path / "kim.sqlite3"
    db = await Database.open(database)
    await regions.load_regency(db, "35.14")
    await add_kim(db, RACI, "KIM Raci Maju")
    await db.close()

    target = tmp_path / "out" / "cakupan.xlsx"
    target.parent.mkdir()
    status, stdout, stderr = await _cli(
        ["cakupan", "--json", "--xlsx", str(target)], database, tmp_path
    )
    assert status == 0, stderr
    data = json.loads(stdout)
    assert data["total"] == {"desa_total": 365, "desa_with_kim": 1, "percent": 0.3}
    assert data["regency"] == "Kabupaten Pasuruan"
    assert str(target) in stderr
    workbook = load_workbook(target)
    assert workbook["Desa"].max_row == 1 + 365

    status, stdout, stderr = await _cli(["cakupan"], database, tmp_path)
    assert status == 0, stderr
    assert line_of(stdout, "Bangil") == ["Bangil", "1/15", "6,7"]
    assert "Total: 1 dari 365 desa (0,3%) sudah punya KIM." in stdout


async def test_command_line_reports_an_unwritable_path_in_one_line(tmp_path: Path) -> None:
    """A spreadsheet path that cannot be written: one line on stderr, exit status 2."""
    database = tmp_path / "kim.sqlite3"
    status, _stdout, stderr = await _cli(
        ["cakupan", "--xlsx", str(tmp_path / "missing" / "x.xlsx")], database, tmp_path
    )
    assert status == 2
    assert stderr.strip().count("\n") == 0
    assert "missing" in stderr
