"""What the WhatsApp conversation's buttons and list rows carry, and lists paged to ten rows.

A choice id is typed callback data (bot/buttons.py): the person's whole state at that step
travels in it (the area token, the topics chosen so far as bits), so a tap needs nothing
kept on the server, and an id that does not decode strictly, or names an area that does not
exist, is stale. Prefixes start with "w": they never meet Telegram's.

Paging: a list message holds at most ten rows, the "‹ Sebelumnya" / "Berikutnya ›" rows
included, so a page holds as many items as the rows left by the navigation it needs (the
first page 9 and "next", a middle page 8 and both, the last page up to 9 and "previous").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.buttons import ButtonData
from bot.texts import whatsapp as t
from bot.whatsapp.api import Row

MAX_ROWS = 10
MAX_TITLE = 24
MAX_DESCRIPTION = 72


@dataclass(frozen=True)
class KecamatanPage(ButtonData, prefix="wkp"):
    page: int


@dataclass(frozen=True)
class DesaPage(ButtonData, prefix="wdp"):
    kecamatan: str  # area token
    page: int


@dataclass(frozen=True)
class AskTopics(ButtonData, prefix="wta"):
    area: str  # area token: the area is chosen, the topics come next


@dataclass(frozen=True)
class AllTopics(ButtonData, prefix="wtall"):
    area: str


@dataclass(frozen=True)
class PickTopics(ButtonData, prefix="wtp"):
    area: str
    bits: int  # the topics chosen so far


@dataclass(frozen=True)
class SaveTopics(ButtonData, prefix="wts"):
    area: str
    bits: int


@dataclass(frozen=True)
class Delivery(ButtonData, prefix="wdg"):
    weekly: bool


@dataclass(frozen=True)
class Forget(ButtonData, prefix="whd"):
    confirmed: bool


CHOICES: tuple[type[ButtonData], ...] = (
    KecamatanPage,
    DesaPage,
    AskTopics,
    AllTopics,
    PickTopics,
    SaveTopics,
    Delivery,
    Forget,
)


def decode(choice: str | None) -> ButtonData | None:
    """The choice an id encodes, or None when it is none of ours."""
    for kind in CHOICES:
        data = kind.decode(choice)
        if data is not None:
            return data
    return None


def row(data: ButtonData, title: str, description: str = "") -> Row:
    return Row(data.encode(), title[:MAX_TITLE], description[:MAX_DESCRIPTION])


def button(data: ButtonData, title: str) -> tuple[str, str]:
    return data.encode(), title


def _bounds(count: int) -> list[tuple[int, int]]:
    """(start, end) of each page of `count` items."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < count or not bounds:
        room = MAX_ROWS - (1 if bounds else 0)  # a page after the first has "previous"
        end = start + room if count - start <= room else start + room - 1  # else "next" too
        bounds.append((start, min(end, count)))
        start = end
    return bounds


def paged(
    items: Sequence[Row], page: int, to_page: Callable[[int], ButtonData]
) -> tuple[tuple[Row, ...], int] | None:
    """The rows of page `page` with its navigation rows, and the number of pages; None when
    there is no such page."""
    bounds = _bounds(len(items))
    if not 0 <= page < len(bounds):
        return None
    start, end = bounds[page]
    rows = list(items[start:end])
    if page > 0:
        rows.insert(0, row(to_page(page - 1), t.PREVIOUS, t.PAGE_HINT))
    if page < len(bounds) - 1:
        rows.append(row(to_page(page + 1), t.NEXT, t.PAGE_HINT))
    return tuple(rows), len(bounds)
