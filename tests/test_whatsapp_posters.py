"""QR posters when the office has WhatsApp: a second QR per desa opening a chat with the
office's number, `DAFTAR <desa>` ready to send, in /poster and in the regency's ZIP."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot import people, posters, regions, subscriptions
from bot.people import Role
from bot.services import KimApp
from bot.storage import Database
from botapi_sandbox import BotApiServer
from tests.conftest import whatsapp_settings
from tests.test_posters import RACI_LINK, segno_png
from whatsapp_sandbox import WhatsAppSandbox

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
NUMBER = "6281100000000"  # the sandbox's display number
RACI_WHATSAPP = f"https://wa.me/{NUMBER}?text=DAFTAR%20d3514142011"


@pytest.fixture
def settings_overrides(whatsapp: WhatsAppSandbox) -> dict[str, str]:
    """Every WHATSAPP_* value of the sandbox, the number typed as an office would."""
    assert whatsapp.display_phone_number == NUMBER
    return {**whatsapp_settings(whatsapp), "WHATSAPP_DISPLAY_NUMBER": "+62 811-0000-0000"}


async def test_the_desa_poster_has_a_whatsapp_qr_too(server: BotApiServer, kimbot: KimApp) -> None:
    """/poster → Bangil → Raci: the Telegram QR as before, then the wa.me QR whose link
    opens the office's number with "DAFTAR d3514142011", and the words to write without it."""
    operator = server.new_user("Nina")
    await people.grant(
        kimbot.bot_data.db, user_id=operator.id, role=Role.OPERATOR, actor_id=None, now=NOW
    )
    chat = server.private(operator)
    await chat.send("/poster")
    picker = await chat.expect()
    await chat.press(picker, "Bangil")
    desa = await chat.expect_edit(picker)
    await chat.press(desa, "Raci")
    telegram = await chat.expect()
    assert telegram.photo == segno_png(RACI_LINK)
    poster = await chat.expect()
    assert poster.kind == "photo"
    assert poster.photo == segno_png(RACI_WHATSAPP)
    assert "Desa Raci (Kec. Bangil) — WhatsApp" in poster.text
    assert "kirim pesan DAFTAR d3514142011 ke nomor WhatsApp +62 811-0000-0000" in poster.text
    assert RACI_WHATSAPP in poster.text
    [words] = parse_qs(urlsplit(RACI_WHATSAPP).query)["text"]
    token = words.removeprefix("DAFTAR ")
    area = await subscriptions.area_of(kimbot.bot_data.db, token)
    assert area is not None and area.code == "35.14.14.2011"
    await chat.expect_nothing(within=0.2)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kim.sqlite3")
    await regions.load_regency(database, "35.14")
    yield database
    await database.close()


async def test_the_regency_zip_has_both_qrs_and_links(db: Database, tmp_path: Path) -> None:
    """With a WhatsApp number every row has its wa.me link and second PNG, in the index and
    in the ZIP; without one the index keeps its six columns."""
    rows = await posters.index(db, "kim_test_bot", "+62 811-0000-0000")
    raci = next(row for row in rows if row.desa.code == "35.14.14.2011")
    assert (raci.whatsapp_link, raci.whatsapp_file_name) == (
        RACI_WHATSAPP,
        "35.14.14.2011-raci-whatsapp.png",
    )
    assert all(row.whatsapp_link for row in rows)
    table = list(csv.reader(io.StringIO(posters.index_csv(rows).decode("utf-8-sig"))))
    assert table[0][-2:] == ["tautan_whatsapp", "berkas_whatsapp"]
    [raci_line] = [line for line in table if line[0] == "35.14.14.2011"]
    assert raci_line[-2:] == [RACI_WHATSAPP, "35.14.14.2011-raci-whatsapp.png"]

    target = tmp_path / "posters.zip"
    posters.write_zip(target, [raci])
    with zipfile.ZipFile(target) as archive:
        assert archive.read("35.14.14.2011-raci-whatsapp.png") == segno_png(RACI_WHATSAPP)
        assert archive.read("35.14.14.2011-raci.png") == segno_png(RACI_LINK)

    plain = await posters.index(db, "kim_test_bot")
    assert all(row.whatsapp_link is None for row in plain)
    header = next(csv.reader(io.StringIO(posters.index_csv(plain).decode("utf-8-sig"))))
    assert len(header) == 6
