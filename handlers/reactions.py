"""The buttons under every announcement: 👍/👎 from anyone, "passed on" from KIM groups.

Answered with a short toast only: editing the message per vote would cost a message edit per
villager and run into the per-chat limits of a busy group.
"""

from __future__ import annotations

from typing import Any

from bot.services import KimApp
from bot.texts import siaran as t
from broadcasts import reactions
from broadcasts.reactions import Relay, Vote, VoteResult
from handlers.presses import Press, on_press


async def on_vote(press: Press[Vote]) -> None:
    services, vote = press.services, press.data
    result = await reactions.vote(
        services.db, vote.announcement, press.user.id, vote.choice, services.clock.now()
    )
    await _answer(press, result, t.VOTE_SAME, t.VOTE_THANKS[vote.choice.word])


async def on_relay(press: Press[Relay]) -> None:
    services = press.services
    if press.chat is None:
        return
    result = await reactions.relay(
        services.db, press.data.announcement, press.chat.id, press.user.id, services.clock.now()
    )
    await _answer(press, result, t.RELAY_ALREADY, t.RELAY_THANKS)


async def _answer(press: Press[Any], result: VoteResult, unchanged: str, thanks: str) -> None:
    """The toast: the button is not live, nothing changed, or thanks."""
    toasts = {VoteResult.UNKNOWN: t.PREVIEW_BUTTON_INACTIVE, VoteResult.UNCHANGED: unchanged}
    await press.answer(toasts.get(result, thanks))


def register(app: KimApp) -> None:
    on_press(app, Vote, on_vote)
    on_press(app, Relay, on_relay)
