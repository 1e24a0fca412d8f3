"""Cells a spreadsheet will not run: every CSV and XLSX the bot writes goes through here.

Exports carry text other people wrote (a KIM group's title, an error Telegram returned),
and an operator opens them in Excel or LibreOffice, which read a cell starting with `=`,
`+`, `-`, `@`, a tab or a carriage return as a formula (`=HYPERLINK(...)` that leaks data,
`=cmd|...` that runs a program). Following OWASP's advice on CSV injection, such a text cell
gets a leading apostrophe, so it is shown as the text it is; in a workbook the cell is also
typed as a string, so openpyxl does not store it as a formula.

Only text is neutralised: a number written as a number (a group's negative chat id, a
latitude as `Decimal`) stays a number the spreadsheet can sum and sort.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | None


def neutralise(text: str) -> str:
    """The text with an apostrophe in front when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[Cell]) -> list[Cell]:
    """The row with its text cells neutralised; numbers and empty cells as they are."""
    return [neutralise(value) if isinstance(value, str) else value for value in values]


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[Cell]], *, bom: bool) -> bytes:
    """A CSV file in UTF-8 (with a byte-order mark when Excel is its main reader)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def append_row(sheet: Any, values: Iterable[Cell]) -> None:
    """Append a row to an openpyxl worksheet; text cells are neutralised and typed as strings.

    `sheet` is `Any` because openpyxl ships no type hints.
    """
    sheet.append(safe_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
