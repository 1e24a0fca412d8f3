"""QR posters: /poster for operators, and `kim-bot poster --zip` for a whole regency."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import struct
import sys
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import segno

from bot import audit, people, posters, regions, texts
from bot.people import Role
from bot.services import KimApp
from bot.storage import Database
from botapi_sandbox import BotApiServer
from handlers.posters import Poster, PosterDesaPage
from tests.cards import card_with
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
RACI_LINK = "https://t.me/kim_test_bot?start=d3514142011"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def segno_png(link: str) -> bytes:
    """What segno itself makes of the link, to compare the bot's picture with."""
    buffer = io.BytesIO()
    segno.make(link, error="h", micro=False).save(
        buffer, kind="png", scale=posters.QR_SCALE, border=posters.QR_BORDER
    )
    return buffer.getvalue()


async def test_operator_gets_the_qr_poster_of_a_desa(server: BotApiServer, kimbot: KimApp) -> None:
    """/poster → Bangil → Raci: a large PNG of Raci's subscription link, named in the caption."""
    operator = server.new_user("Nina")
    await people.grant(
        kimbot.bot_data.db, user_id=operator.id, role=Role.OPERATOR, actor_id=None, now=NOW
    )
    chat = server.private(operator)
    await chat.send("/poster")
    picker = await chat.expect()
    assert "Poster QR" in picker.text
    await chat.press(picker, "Bangil")
    desa = await chat.expect_edit(picker)
    assert "Kecamatan Bangil" in desa.text
    await chat.press(desa, "Raci")
    photo = await chat.expect()
    assert photo.kind == "photo"
    assert photo.photo is not None
    assert photo.photo == segno_png(RACI_LINK)
    width, height = png_size(photo.photo)
    assert width == height >= 900
    assert "Desa Raci (Kec. Bangil)" in photo.text
    assert RACI_LINK in photo.text

    # The list stays, so the next desa is one tap away; « Kembali returns to the kecamatan.
    await chat.press(desa, "Masangan")
    assert "Masangan" in (await chat.expect()).text
    await chat.press(desa, "« Kembali")
    assert "Bangil" in (await chat.expect_edit(desa)).button_texts()


async def test_poster_link_leads_to_the_offer(server: BotApiServer, kimbot: KimApp) -> None:
    """The link on the poster is the deep link the bot answers with Raci's offer."""
    chat = server.private(server.new_user("Tono"))
    await chat.send("/start " + RACI_LINK.rsplit("=", 1)[1])
    assert "Desa Raci (Kec. Bangil)" in (await chat.expect()).text


async def test_a_long_desa_list_pages_forward_and_back(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Kejayan's 25 desa take two pages; the page buttons move between them."""
    operator = server.new_user("Nina")
    await people.grant(
        kimbot.bot_data.db, user_id=operator.id, role=Role.OPERATOR, actor_id=None, now=NOW
    )
    chat = server.private(operator)
    await chat.send("/poster")
    picker = await chat.expect()
    await chat.press(picker, "Kejayan")
    first = await chat.expect_edit(picker)
    assert "halaman 1 dari 2" in first.text
    await chat.press(first, "Berikutnya ›")
    second = await chat.expect_edit(picker)
    assert "halaman 2 dari 2" in second.text
    await chat.press(second, "‹ Sebelumnya")
    assert "halaman 1 dari 2" in (await chat.expect_edit(picker)).text


async def test_villager_is_refused_poster_and_its_buttons(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A villager gets the polite refusal for /poster and for a forwarded poster button."""
    villager = server.new_user("Bambang")
    chat = server.private(villager)
    await chat.send("/poster")
    refusal = await chat.expect()
    assert "hanya untuk petugas" in refusal.text
    card = await card_with(kimbot, villager.id, Poster("35.14.14.2011").encode())
    await chat.expect()
    answer = await chat.press_data(card, Poster("35.14.14.2011").encode())
    assert answer.text == texts.NOT_ALLOWED_BUTTON
    await chat.expect_nothing(within=0.2)
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert {e.object_id for e in denied} == {"/poster"}


async def test_forged_poster_buttons_are_stale(server: BotApiServer, kimbot: KimApp) -> None:
    """Unknown desa, kecamatan, page or step: "no longer valid", no photo."""
    operator = server.new_user("Dina")
    await people.grant(
        kimbot.bot_data.db, user_id=operator.id, role=Role.OPERATOR, actor_id=None, now=NOW
    )
    chat = server.private(operator)
    await chat.send("/poster")
    picker = await chat.expect()
    for data in (
        Poster("35.14.14.9999").encode(),
        Poster("35.14.14").encode(),
        PosterDesaPage("35.14.99", 0).encode(),
        PosterDesaPage("35.14.14", 9).encode(),
        "pstx",
        "pstd:",
    ):
        assert (await chat.press_data(picker, data)).text == texts.STALE_BUTTON, data
    await chat.expect_nothing(within=0.1)
    assert server.message(chat.chat_id, picker).edits == 0


# --- links and the regency's index --------------------------------------------------------


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def test_index_of_the_regency_has_one_link_per_desa(db: Database) -> None:
    """Kabupaten Pasuruan: 365 rows, unique file names, each link a valid start parameter."""
    rows = await posters.index(db, "kim_test_bot")
    assert len(rows) == 365
    assert len({row.file_name for row in rows}) == 365
    raci = next(row for row in rows if row.desa.code == "35.14.14.2011")
    assert raci.link == RACI_LINK
    assert raci.file_name == "35.14.14.2011-raci.png"
    assert raci.kecamatan == "Bangil"
    for row in rows:
        payload = row.link.rsplit("=", 1)[1]
        assert len(payload) <= 64 and payload.isalnum()
    table = list(csv.reader(io.StringIO(posters.index_csv(rows).decode("utf-8-sig"))))
    assert table[0] == ["kode", "kecamatan", "desa", "jenis", "tautan", "berkas"]
    assert len(table) == 366


def test_bot_usernames_are_checked() -> None:
    """`@name` is accepted without the @; a name Telegram would never give is refused."""
    assert posters.clean_username("@kim_test_bot") == "kim_test_bot"
    with pytest.raises(posters.PosterError):
        posters.clean_username("kim bot?start=x")


# --- the command line ----------------------------------------------------------------------


async def _cli(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_cli_writes_a_zip_of_posters_with_the_username_from_telegram(
    server: BotApiServer, tmp_path: Path
) -> None:
    """`kim-bot poster --zip` asks getMe for the username; one PNG per kelurahan plus the index.

    Kota Pasuruan (34 kelurahan) keeps this fast; the 365 rows of Kabupaten Pasuruan are
    checked through the index above, without drawing 365 pictures.
    """
    target = tmp_path / "out" / "poster.zip"
    env = {
        "DATABASE_PATH": str(tmp_path / "kim.sqlite3"),
        "REGION_CODE": "35.75",
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": server.base_url,
    }
    status, stdout, stderr = await _cli(["poster", "--zip", str(target)], env, tmp_path)
    assert status == 0, stderr
    assert "34 poster QR" in stdout
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        pngs = [name for name in names if name.endswith(".png")]
        assert len(pngs) == 34
        assert set(names) == {*pngs, posters.INDEX_NAME}
        first = sorted(pngs)[0]
        code = first.split("-", 1)[0]
        link = f"https://t.me/kim_test_bot?start=d{code.replace('.', '')}"
        assert archive.read(first) == segno_png(link)
        index = archive.read(posters.INDEX_NAME).decode("utf-8-sig")
    assert link in index
    assert TOKEN not in stdout + stderr


async def test_cli_takes_the_username_as_an_option_without_a_token(tmp_path: Path) -> None:
    """--bot-username works offline; without it and without BOT_TOKEN: one clear line, status 2."""
    env = {"DATABASE_PATH": str(tmp_path / "kim.sqlite3"), "REGION_CODE": "35.76"}
    target = tmp_path / "poster.zip"
    status, _stdout, stderr = await _cli(["poster", "--zip", str(target)], env, tmp_path)
    assert status == 2
    assert stderr.count("\n") == 1
    assert "--bot-username" in stderr
    assert not target.exists()

    status, _stdout, stderr = await _cli(
        ["poster", "--zip", str(target), "--bot-username", "@kim_kota_bot"], env, tmp_path
    )
    assert status == 0, stderr
    with zipfile.ZipFile(target) as archive:
        assert "t.me/kim_kota_bot?start=d3576" in archive.read(posters.INDEX_NAME).decode()
