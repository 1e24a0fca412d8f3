"""Laying buttons out: rows of a few, and a long list's pages with back and forth buttons;
and answering a command with a screen (its text and buttons)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.buttons import ButtonData

Item = TypeVar("Item")
View = tuple[str, InlineKeyboardMarkup | None]

PER_PAGE = 16


def grid(buttons: Sequence[InlineKeyboardButton], columns: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]


def page_of(
    items: Sequence[Item], page: int, size: int = PER_PAGE
) -> tuple[Sequence[Item], int] | None:
    """Items on `page` (from 0) and the number of pages, or None when the page does not exist."""
    pages = max(1, -(-len(items) // size))
    if not 0 <= page < pages:
        return None
    return items[page * size : (page + 1) * size], pages


def with_nav(
    rows: list[list[InlineKeyboardButton]],
    page: int,
    pages: int,
    at: Callable[[int], ButtonData],
    labels: tuple[str, str],
) -> list[list[InlineKeyboardButton]]:
    """`rows` and, when there is another page, a row with the (previous, next) `labels`
    around `page`; `at(n)` is the button data of page n."""
    nav = [at(page - 1).button(labels[0])] if page > 0 else []
    nav += [at(page + 1).button(labels[1])] if page + 1 < pages else []
    return [*rows, nav] if nav else rows


async def reply_view(update: Update, view: View) -> None:
    """Answer the command with the screen `view`."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(view[0], reply_markup=view[1])
