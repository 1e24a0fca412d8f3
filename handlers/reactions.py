"""The buttons under every announcement: 👍/👎 from anyone, "passed on" from KIM groups.

Answered with a short toast only: editing the message per vote would cost a message edit per
villager and run into the per-chat limits of a busy group.
"""

from __future__ import annotations

from bot.services import KimApp
from bot.texts import siaran as t
from broadcasts import reactions
from broadcasts.reactions import Relay, Vote, VoteResult
from handlers.presses import Press, on_press


async def on_vote(press: Press[Vote]) -> None:
    services = press.services
    vote = press.data
    result = await reactions.vote(
        services.db, vote.announcement, press.user.id, vote.choice, services.clock.now()
    )
    if result is VoteResult.UNKNOWN:
        await press.answer(t.PREVIEW_BUTTON_INACTIVE)
    elif result is VoteResult.UNCHANGED:
        await press.answer(t.VOTE_SAME)
    else:
        await press.answer(t.VOTE_THANKS[vote.choice.word])


async def on_relay(press: Press[Relay]) -> None:
    services = press.services
    if press.chat is None:
        return
    result = await reactions.relay(
        services.db, press.data.announcement, press.chat.id, press.user.id, services.clock.now()
    )
    if result is VoteResult.UNKNOWN:
        await press.answer(t.PREVIEW_BUTTON_INACTIVE)
    elif result is VoteResult.UNCHANGED:
        await press.answer(t.RELAY_ALREADY)
    else:
        await press.answer(t.RELAY_THANKS)


def register(app: KimApp) -> None:
    on_press(app, Vote, on_vote)
    on_press(app, Relay, on_relay)
