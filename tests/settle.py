"""Waiting until the bot has handled every update it has fetched."""

from __future__ import annotations

from bot.services import KimApp
from bot.updates import PerChatUpdateProcessor


async def all_handled(app: KimApp) -> None:
    """Chats are handled side by side, so an answer in one chat proves nothing about the
    others: once an update sent after them was answered (so they were all fetched), this
    returns when no chat has an update being handled or waiting."""
    processor = app.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    await processor.wait_idle()
