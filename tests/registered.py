"""What the application registers, read from the application itself, so that a test built on
it covers a new command or button without anyone listing it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from telegram.ext import BaseHandler, ConversationHandler

from bot.services import KimApp


def flatten(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> Iterator[BaseHandler[Any, Any, Any]]:
    """The handlers, with each conversation's entry points, states and fallbacks in its place."""
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from flatten(handler.entry_points)
            for state in handler.states.values():
                yield from flatten(state)
            yield from flatten(handler.fallbacks)
        else:
            yield handler


def every_handler(app: KimApp) -> Iterator[BaseHandler[Any, Any, Any]]:
    """Every handler of every group, conversations unfolded."""
    for group in app.handlers.values():
        yield from flatten(group)
