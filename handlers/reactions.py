"""The buttons under every announcement: 👍/👎 from anyone, "passed on" from KIM groups.

Answered with a short toast only: editing the message per vote would cost a message edit per
villager and run into the per-chat limits of a busy group.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.services import KimApp, KimContext
from bot.texts import siaran as t
from broadcasts import reactions
from broadcasts.reactions import VoteResult
from handlers.access import stale_button

_VOTES = {"u": "up", "d": "down"}


async def on_vote(update: Update, context: KimContext) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    _, announcement, choice = [*query.data.split(":"), "", ""][:3]
    if not announcement.isdigit() or choice not in _VOTES:
        await stale_button(update, context)
        return
    services = context.bot_data
    result = await reactions.vote(
        services.db, int(announcement), user.id, _VOTES[choice], services.clock.now()
    )
    if result is VoteResult.UNKNOWN:
        await query.answer(t.PREVIEW_BUTTON_INACTIVE)
    elif result is VoteResult.UNCHANGED:
        await query.answer(t.VOTE_SAME)
    else:
        await query.answer(t.VOTE_THANKS[_VOTES[choice]])


async def on_relay(update: Update, context: KimContext) -> None:
    query = update.callback_query
    user = update.effective_user
    chat = update.effective_chat
    assert query is not None and query.data is not None and user is not None
    announcement = query.data.removeprefix("rl:")
    if not announcement.isdigit() or chat is None:
        await stale_button(update, context)
        return
    services = context.bot_data
    result = await reactions.relay(
        services.db, int(announcement), chat.id, user.id, services.clock.now()
    )
    if result is VoteResult.UNKNOWN:
        await query.answer(t.PREVIEW_BUTTON_INACTIVE)
    elif result is VoteResult.UNCHANGED:
        await query.answer(t.RELAY_ALREADY)
    else:
        await query.answer(t.RELAY_THANKS)


def register(app: KimApp) -> None:
    app.add_handler(CallbackQueryHandler(on_vote, pattern=r"^rx:"))
    app.add_handler(CallbackQueryHandler(on_relay, pattern=r"^rl:"))
