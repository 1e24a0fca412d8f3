"""Blank spots: /blankspot in private, /sinyal for operators, exports and `kim-bot sinyal`."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pytest

from bot import blankspots, cli, people, privacy
from bot.blankspots import Draft, Operator, Problem, Report
from bot.people import Role
from bot.services import KimApp
from botapi_sandbox import BotApiServer, FakeUser
from botapi_sandbox.session import ChatSession
from handlers.blankspots import (
    BackToKecamatan,
    DesaPage,
    PickDesa,
    PickKecamatan,
    PickOperator,
    PickProblem,
    Place,
    SkipKecamatan,
    draft_of,
)

BANGIL, RACI = "35.14.14", "35.14.14.2011"
# A point in Raci, Bangil (a little south-east of the village hall).
LATITUDE, LONGITUDE = -7.6123456, 112.7834567


async def _operator(server: BotApiServer, kimbot: KimApp) -> ChatSession:
    budi = server.new_user("Budi", last_name="Operator")
    services = kimbot.bot_data
    await people.grant(
        services.db, user_id=budi.id, role=Role.OPERATOR, actor_id=None, now=services.clock.now()
    )
    return server.private(budi)


async def _report_with_location(server: BotApiServer, villager: FakeUser) -> str:
    """Siti shares her location, names Bangil / Raci, Telkomsel, weak signal; the ticket text."""
    chat = server.private(villager)
    await chat.send("/blankspot")
    intro = await chat.expect(contains="Lapor blank spot")
    assert intro.keyboard == [["📍 Kirim lokasi saya"]]
    assert intro.reply_markup is not None
    assert intro.reply_markup["keyboard"][0][0]["request_location"] is True
    await chat.expect(contains="pilih kecamatannya")
    await chat.send_location(LATITUDE, LONGITUDE)
    received = await chat.expect(contains="Lokasi diterima")
    assert received.reply_markup == {"remove_keyboard": True}
    picker = await chat.expect(contains="Di kecamatan mana titik ini?")
    assert "Lewati ⏭" in picker.button_texts()
    await chat.press(picker, "Bangil")
    page = await chat.expect_edit(picker)
    assert "Kecamatan <b>Bangil</b>: pilih desanya (halaman 1/2)" in page.html
    await chat.press(page, "Berikutnya »")
    page = await chat.expect_edit(picker)
    await chat.press(page, "Raci")
    operators = await chat.expect_edit(picker)
    assert operators.button_texts() == [
        "Telkomsel",
        "Indosat",
        "XL",
        "Tri",
        "Smartfren",
        "Lainnya",
        "❌ Batal",
    ]
    assert "Titik lokasi tersimpan · Desa Raci, Kec. Bangil" in operators.text
    await chat.press(operators, "Telkomsel")
    problems = await chat.expect_edit(picker)
    assert problems.button_texts() == [
        "Tidak ada sinyal",
        "Sinyal lemah",
        "Internet tidak bisa",
        "❌ Batal",
    ]
    await chat.press(problems, "Sinyal lemah")
    await chat.expect_deleted(picker)
    ticket = await chat.expect(contains="Laporan blank spot Anda tercatat")
    assert ticket.reply_markup == {"remove_keyboard": True}
    assert "Telkomsel · sinyal lemah" in ticket.text
    return ticket.text


async def test_a_located_report_reaches_summary_geojson_and_csv_without_the_reporter(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Location → ticket; /sinyal counts it; GeoJSON has the point, CSV the row, no reporter."""
    siti = server.new_user("Siti", last_name="Rahayu", username="siti_raci")
    ticket_text = await _report_with_location(server, siti)
    year = kimbot.bot_data.clock.now().year
    assert f"Nomor tiket: BS-{year}-000001" in ticket_text

    chat = await _operator(server, kimbot)
    await chat.send("/sinyal")
    summary = await chat.expect(contains="Laporan blank spot — Kabupaten Pasuruan")
    assert "1 laporan, 1 dengan titik lokasi." in summary.text
    assert "Bangil — 1 laporan\nTelkomsel 1\nsinyal lemah 1" in summary.text
    assert summary.button_texts() == ["📄 CSV", "🗺 GeoJSON"]

    await chat.press(summary, "🗺 GeoJSON")
    document = await chat.expect(contains="1 titik")
    assert document.kind == "document" and document.document is not None
    assert document.filename is not None and document.filename.endswith(".geojson")
    collection = json.loads(document.document)
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [112.78346, -7.61235]}
    assert feature["properties"] == {
        "ticket": f"BS-{year}-000001",
        "kecamatan": "Bangil",
        "desa": "Raci",
        "operator": "Telkomsel",
        "problem": "sinyal lemah",
        "date": kimbot.bot_data.clock.now().date().isoformat(),
    }

    await chat.press(summary, "📄 CSV")
    sheet = await chat.expect(contains="1 laporan")
    assert sheet.document is not None and sheet.filename is not None
    assert sheet.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(sheet.document.decode("utf-8-sig"))))
    assert [(r["ticket"], r["desa_code"], r["latitude"], r["operator"]) for r in rows] == [
        (f"BS-{year}-000001", RACI, "-7.61235", "Telkomsel")
    ]
    for exported in (document.document, sheet.document):
        for trace in (str(siti.id), "Siti", "Rahayu", "siti_raci"):
            assert trace.encode() not in exported


async def test_an_area_report_without_location_and_a_point_without_kecamatan(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Picking Gempol (desa unknown) works without a point; a skipped kecamatan counts apart."""
    joko = server.private(server.new_user("Joko"))
    await joko.send("/blankspot")
    await joko.expect()
    picker = await joko.expect(contains="pilih kecamatannya")
    assert "Lewati ⏭" not in picker.button_texts()  # without a point, the area is needed
    await joko.press(picker, "Gempol")
    page = await joko.expect_edit(picker)
    await joko.press(page, "Tidak tahu desanya ⏭")
    operators = await joko.expect_edit(picker)
    assert "🗺 Kec. Gempol" in operators.text
    await joko.press(operators, "XL")
    problems = await joko.expect_edit(picker)
    await joko.press(problems, "Internet tidak bisa")
    await joko.expect(contains="XL · internet tidak bisa")

    wati = server.private(server.new_user("Wati"))
    await wati.send_location(-7.7, 112.9)
    await wati.expect(contains="Lokasi diterima")
    picker = await wati.expect()
    await wati.press(picker, "Lewati ⏭")
    operators = await wati.expect_edit(picker)
    await wati.press(operators, "Tri")
    problems = await wati.expect_edit(picker)
    await wati.press(problems, "Tidak ada sinyal")
    await wati.expect(contains="Tri · tidak ada sinyal")

    chat = await _operator(server, kimbot)
    await chat.send("/sinyal")
    summary = await chat.expect()
    assert "2 laporan, 1 dengan titik lokasi." in summary.text
    assert "Gempol — 1 laporan\nXL 1\ninternet tidak bisa 1" in summary.text
    assert "Tanpa kecamatan (hanya titik) — 1 laporan\nTri 1\ntidak ada sinyal 1" in summary.text
    await chat.press(summary, "🗺 GeoJSON")
    document = await chat.expect(contains="1 laporan tanpa titik ada di CSV")
    assert document.document is not None
    [feature] = json.loads(document.document)["features"]
    assert feature["properties"]["kecamatan"] is None


async def test_cancel_pressing_twice_and_forged_buttons(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Batal records nothing; forged data is stale; the last button replayed records once."""
    chat = server.private(server.new_user("Rudi"))
    await chat.send("/blankspot")
    await chat.expect()
    picker = await chat.expect()
    await chat.press(picker, "❌ Batal")
    await chat.expect_deleted(picker)
    await chat.expect(contains="dibatalkan")

    await chat.send("/blankspot")
    await chat.expect()
    picker = await chat.expect()
    for forged in (
        PickKecamatan(None, None, "35.14.99", None),
        PickDesa(None, None, BANGIL, "9999"),
        PickProblem(None, None, None, None, Operator.TELKOMSEL, Problem.NO_SIGNAL),
        PickOperator(100000, None, BANGIL, None, Operator.XL),
    ):
        answer = await chat.press_data(picker, forged.encode())
        assert answer.text == "Pilihan ini sudah tidak berlaku.", forged
    # Skipping steps with data of a later step is forged too: only the shown buttons count.
    final = PickProblem(None, None, BANGIL, None, Operator.XL, Problem.NO_SIGNAL)
    answer = await chat.press_data(picker, final.encode())
    assert answer.text == "Pilihan ini sudah tidak berlaku."
    await chat.press(picker, "Bangil")
    await chat.press(await chat.expect_edit(picker), "Tidak tahu desanya ⏭")
    await chat.press(await chat.expect_edit(picker), "XL")
    problems = await chat.expect_edit(picker)
    shown = [b for row in problems.buttons for b in row]
    [last] = [b.callback_data for b in shown if b.text == "Tidak ada sinyal"]
    assert last is not None
    await chat.press_data(problems, last)
    await chat.press_data(problems, last)  # the second tap, before the keyboard is gone
    await chat.expect(contains="tercatat")
    db = kimbot.bot_data.db
    assert await db.fetchval("SELECT count(*) FROM blankspots") == 1


async def test_villagers_cannot_read_the_summary_and_groups_are_sent_to_private(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """/sinyal is for operators; /blankspot in a group points to the private chat."""
    villager = server.new_user("Sari")
    chat = server.private(villager)
    await chat.send("/sinyal")
    await chat.expect(contains="hanya untuk petugas")
    group = server.new_group("KIM Raci", admins=[villager])
    await server.add_bot_to(group, by=villager)
    g = server.in_group(group, villager)
    await g.expect()  # greeting
    await g.send("/blankspot")
    await g.expect(contains="chat pribadi")


# --- pure logic ------------------------------------------------------------------------


def test_button_data_round_trips_and_stays_short() -> None:
    """The longest draft fits Telegram's 64 bytes in every button and reads back the same."""
    full = Draft(-89.123456, -179.123456, BANGIL, RACI)
    point = Draft(-89.12346, -179.12346, BANGIL, RACI)
    buttons = [
        PickKecamatan.at(full),
        SkipKecamatan.at(full),
        DesaPage.at(full, page=12),
        PickDesa.at(full),
        BackToKecamatan.at(full),
        PickOperator.at(full, operator=Operator.SMARTFREN),
        PickProblem.at(full, operator=Operator.TELKOMSEL, problem=Problem.WEAK_SIGNAL),
    ]
    for button in buttons:
        data = button.encode()
        assert len(data.encode()) <= 64
        assert type(button).decode(data) == button
        assert isinstance(button, Place) and draft_of(button) == point
    assert draft_of(PickKecamatan(None, None, BANGIL, None)) == Draft(kecamatan_code=BANGIL)
    assert PickOperator.decode("bso::::q") is None  # an operator nobody offers


@pytest.mark.parametrize(
    "data",
    [
        PickKecamatan(100000, None, BANGIL, None),
        PickKecamatan(9100000, 0, None, None),
        PickKecamatan(0, 18000001, None, None),
        PickDesa(None, None, None, "2011"),
    ],
)
def test_malformed_button_data_is_refused(data: PickKecamatan | PickDesa) -> None:
    """Half a point, off-Earth points, a desa without its kecamatan."""
    assert draft_of(data) is None


def _report(
    number: int, kecamatan: str | None, operator: Operator, problem: Problem, located: bool
) -> Report:
    return Report(
        id=number,
        latitude=-7.6 if located else None,
        longitude=112.8 if located else None,
        kecamatan_code=None if kecamatan is None else f"35.14.{number:02d}",
        kecamatan=kecamatan,
        desa_code=None,
        desa=None,
        operator=operator,
        problem=problem,
        created_at="2026-03-01T10:00:00+07:00",
    )


def test_summary_ranks_kecamatan_operators_and_problems() -> None:
    """Most reports first, points without kecamatan last; counts most first."""
    reports = [
        _report(1, "Bangil", Operator.XL, Problem.NO_SIGNAL, True),
        _report(2, None, Operator.TRI, Problem.WEAK_SIGNAL, True),
        _report(3, "Gempol", Operator.TELKOMSEL, Problem.NO_SIGNAL, False),
        _report(3, "Gempol", Operator.XL, Problem.NO_INTERNET, False),
        _report(3, "Gempol", Operator.XL, Problem.NO_SIGNAL, True),
    ]
    summary = blankspots.summarize(reports)
    assert (summary.total, summary.located) == (5, 3)
    assert [(a.kecamatan.display if a.kecamatan else None, a.total) for a in summary.areas] == [
        ("Gempol", 3),
        ("Bangil", 1),
        (None, 1),
    ]
    gempol = summary.areas[0]
    assert gempol.by_operator == ((Operator.XL, 2), (Operator.TELKOMSEL, 1))
    assert gempol.by_problem == ((Problem.NO_SIGNAL, 2), (Problem.NO_INTERNET, 1))
    points = blankspots.geojson(reports)["features"]
    assert [f["properties"]["ticket"] for f in points] == [
        "BS-2026-000001",
        "BS-2026-000002",
        "BS-2026-000003",
    ]


async def test_command_line_prints_the_summary_and_writes_both_files(
    server: BotApiServer, kimbot: KimApp, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kim-bot sinyal --csv --geojson`: the per-kecamatan lines and two files."""
    services = kimbot.bot_data
    draft = Draft(-7.61, 112.78, BANGIL, RACI, Operator.INDOSAT, Problem.NO_SIGNAL)
    await blankspots.record(
        services.db, draft, reporter_id=1234567, flow_message_id=1, now=services.clock.now()
    )
    args = argparse.Namespace(csv=str(tmp_path / "b.csv"), geojson=str(tmp_path / "b.geojson"))
    assert await cli.sinyal_command(services.db, services.settings, args) == 0
    out, err = capsys.readouterr()
    assert "Bangil: 1 (Indosat 1; tidak ada sinyal 1)" in out
    assert "Jumlah: 1 laporan, 1 dengan titik lokasi" in out
    assert "b.csv" in err and "b.geojson" in err
    features = json.loads((tmp_path / "b.geojson").read_text())["features"]
    assert features[0]["geometry"]["coordinates"] == [112.78, -7.61]
    assert b"1234567" not in (tmp_path / "b.csv").read_bytes()


async def test_forgetting_the_reporter_keeps_the_place(kimbot: KimApp) -> None:
    """After /hapusdata's forget_person the report stays on the map, naming no one."""
    services = kimbot.bot_data
    draft = Draft(-7.61, 112.78, BANGIL, None, Operator.XL, Problem.WEAK_SIGNAL)
    now = services.clock.now()
    await blankspots.record(services.db, draft, reporter_id=7654321, flow_message_id=5, now=now)
    await privacy.forget_person(services.db, 7654321, now)
    row = await services.db.fetchone("SELECT reporter_id, latitude, kecamatan_code FROM blankspots")
    assert row is not None and tuple(row) == (None, -7.61, BANGIL)
