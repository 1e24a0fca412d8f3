"""Nobody can touch an official announcement with a forged button.

Third-party clients can send any callback data on any message with a keyboard. For every
button pattern the application registers (read from the application, so a new one cannot be
left out), a plain member presses data of that pattern on a delivered announcement in a KIM
group, in a channel and in a private chat: the only thing the server sees is the polite
answer. The announcements' own buttons keep working for everyone, on new and on old
messages, and a flow's keyboard pressed on an old message still works.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

import pytest
from hypothesis import find
from hypothesis import settings as search_settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from telegram.ext import CallbackQueryHandler

from bot import registrations, texts
from bot.buttons import ButtonData
from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings
from bot.texts import siaran as t
from botapi_sandbox import BotApiServer, FakeChat, FakeUser, SentMessage
from botapi_sandbox.session import ChatSession
from broadcasts.targets import Targets
from tests.network import Network, kecamatan
from tests.registered import every_handler
from tests.settle import all_handled
from tests.test_broadcast_history import deliver

TEXT = "DARURAT: banjir di Bangil, warga bantaran sungai harap mengungsi ke balai desa."
# Calls that change nothing a person sees.
_HARMLESS = frozenset({"getUpdates", "answerCallbackQuery", "getMe", "getChatMember"})


Pattern = str | type[ButtonData]


def button_patterns(app: KimApp) -> list[Pattern]:
    """Every callback data pattern any handler of the application answers to: a regex, or
    the kind of typed data whose decoder is the pattern (`handlers.presses.on_press`)."""
    found: set[Pattern] = set()
    for handler in every_handler(app):
        if not isinstance(handler, CallbackQueryHandler) or handler.pattern is None:
            continue  # pattern None: the catch-alls, the keyboard check and the stale answer
        pattern = handler.pattern
        kind = getattr(pattern, "__self__", None)
        if isinstance(kind, type) and issubclass(kind, ButtonData):
            found.add(kind)
            continue
        assert isinstance(pattern, re.Pattern), f"{handler.callback}: {pattern!r}"
        found.add(str(pattern.pattern))
    return sorted(found, key=_name)


def _name(pattern: Pattern) -> str:
    return pattern if isinstance(pattern, str) else f"{pattern.PREFIX}:{pattern.__name__}"


def _fits(data: str) -> bool:
    return 0 < len(data.encode()) <= 64 and data.isprintable()


def samples(pattern: Pattern) -> set[str]:
    """Callback data matching `pattern`: its simplest form and one with digits in it."""
    quick = search_settings(database=None, max_examples=500)
    if isinstance(pattern, str):
        strategy = st.from_regex(pattern)
    else:
        strategy = st.from_type(pattern).map(_encoded)
    found = {find(strategy, _fits, settings=quick)}
    with contextlib.suppress(NoSuchExample):  # a pattern without room for digits ("^fw:cek$")
        found.add(find(strategy, lambda s: _fits(s) and bool(re.search(r"\d", s)), settings=quick))
    return found


def _encoded(data: ButtonData) -> str:
    try:
        return data.encode()
    except ValueError:  # over Telegram's 64 bytes: such data cannot be on any button
        return ""


@dataclass
class Scene:
    """One announcement in a KIM group, a channel and a villager's private chat."""

    server: BotApiServer
    app: KimApp
    group: FakeChat
    channel: FakeChat
    member: FakeUser  # a plain member of the group, a subscriber of the channel
    villager: FakeUser  # subscribed to Bangil
    bystander: FakeUser  # whose /start marks that earlier updates have been handled

    async def reply_to(self, user: FakeUser, command: str) -> SentMessage:
        """The bot's answer to `command`, past any message the person had not read yet."""
        chat = self.server.private(user)
        seen = len(chat.messages)
        await chat.send(command)
        await self.settled()
        return chat.messages[seen]

    def sessions(self) -> list[ChatSession]:
        return [
            self.server.in_group(self.group, self.member),
            self.server.in_group(self.channel, self.member),
            self.server.private(self.villager),
        ]

    def announcement_in(self, chat_id: int) -> SentMessage:
        [message] = [m for m in self.server.sent_to(chat_id) if "banjir di Bangil" in m.text]
        return message

    def visible_calls(self) -> list[str]:
        return [r.method for r in self.server.requests if r.method not in _HARMLESS]

    async def settled(self) -> None:
        """Every update sent so far has been handled: the answer to a later /start proves
        they were fetched, and then no chat may have one left."""
        chat = self.server.private(self.bystander)
        await chat.send("/start")
        await chat.expect(contains="Halo")
        await all_handled(self.app)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Presses as fast as a script sends them: the per-person limit has tests of its own."""
    return settings.model_copy(update={"answers_per_minute": 10_000})


@pytest.fixture
async def scene(server: BotApiServer, kimbot: KimApp) -> Scene:
    net = Network(server, kimbot)
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    pak_rt = server.new_user("Pak RT")
    member = server.new_user("Anggota Biasa")
    group = await net.kim_group("KIM Raci", "35.14.14.2011", pak_rt)
    await server.join(group, member)
    channel = server.new_channel("Info Pasuruan", admins=[pak_rt], subscribers=[member])
    villager = await net.villager("Warga", kecamatan("35.14.14"), "kesehatan")
    found = Scene(server, kimbot, group, channel, member, villager, server.new_user("Tamu"))
    await server.make_bot_channel_admin(channel, by=pak_rt)
    await found.settled()
    await registrations.register_channel(
        db, chat_id=channel.id, kecamatan_code=None, topic=None, actor_id=0, now=now
    )
    operator = await net.staff("Operator", Role.OPERATOR)
    verifier = await net.staff("Verifikator", Role.VERIFIER)
    await deliver(kimbot, server, operator, verifier, TEXT, Targets(kecamatan=("35.14.14",)))
    await found.settled()
    return found


async def test_forged_data_of_every_pattern_changes_no_announcement(scene: Scene) -> None:
    """Every registered pattern, pressed on an announcement anywhere: only the polite answer."""
    patterns = button_patterns(scene.app)
    named = {_name(pattern) for pattern in patterns}
    assert {
        "rx:Vote",
        "rl:Relay",
        "kg:Decide",
        "bsk:PickKecamatan",
        "lgk:KecamatanList",
        "fw:CheckQuoted",
        "lpc:CheckedReport",
    } <= named
    forged = sorted({data for pattern in patterns for data in samples(pattern)})
    before = scene.visible_calls()
    for session in scene.sessions():
        announcement = scene.announcement_in(session.chat.id)
        edits = announcement.edits
        for data in forged:
            if data in {b.callback_data for row in announcement.buttons for b in row}:
                continue  # the announcement's own buttons: tested below
            answer = await session.press_data(announcement, data)
            assert answer.text == texts.STALE_BUTTON, (session, data, answer.text)
        assert announcement.edits == edits and not announcement.deleted, announcement.describe()
    await scene.settled()
    after = scene.visible_calls()
    # Only the reply to the closing /start: no edit, no delete, no other message.
    assert after[len(before) :] == ["sendMessage"], after[len(before) :]


async def test_data_copied_from_another_message_of_the_chat_is_refused(
    scene: Scene, kimbot: KimApp
) -> None:
    """Real buttons of the chat's other keyboards, pressed on the announcement, do nothing."""
    private = scene.server.private(scene.villager)
    menu = await scene.reply_to(scene.villager, "/langganan")
    copied = [b.callback_data for row in menu.buttons for b in row if b.callback_data]
    assert copied
    announcement = scene.announcement_in(scene.villager.id)
    for data in copied:
        answer = await private.press_data(announcement, data)
        assert answer.text == texts.STALE_BUTTON, data
    own = scene.announcement_in(scene.villager.id)
    assert own.edits == 0 and "banjir di Bangil" in own.text
    first = next(b.text for row in menu.buttons for b in row if b.callback_data)
    assert await private.press(menu, first)  # and the menu itself still works
    await private.expect_edit(menu)


async def test_the_announcements_own_buttons_work_for_every_member(scene: Scene) -> None:
    """A plain member votes and marks "passed on" in the group; a subscriber votes in the
    channel; the villager votes in private."""
    group, channel, private = scene.sessions()
    vote = await group.press(scene.announcement_in(scene.group.id), t.VOTE_UP)
    assert vote.text == t.VOTE_THANKS["up"]
    relay = await group.press(scene.announcement_in(scene.group.id), t.RELAYED)
    assert relay.text == t.RELAY_THANKS
    vote = await channel.press(scene.announcement_in(scene.channel.id), t.VOTE_DOWN)
    assert vote.text == t.VOTE_THANKS["down"]
    vote = await private.press(scene.announcement_in(scene.villager.id), t.VOTE_UP)
    assert vote.text == t.VOTE_THANKS["up"]


async def test_old_messages_keep_their_own_buttons_and_refuse_others(scene: Scene) -> None:
    """Telegram sends old messages without their keyboard: the outbox vouches for an
    announcement's buttons and the ledger for a flow's, and nothing else gets through."""
    group = scene.server.in_group(scene.group, scene.member)
    announcement = scene.announcement_in(scene.group.id)
    [relay_data] = [
        b.callback_data for row in announcement.buttons for b in row if b.text == t.RELAYED
    ]
    assert relay_data is not None
    answer = await group.press_old(announcement, relay_data)
    assert answer.text == t.RELAY_THANKS
    answer = await group.press_old(announcement, "kg:back:1")
    assert answer.text == texts.STALE_BUTTON

    private = scene.server.private(scene.villager)
    profile = await scene.reply_to(scene.villager, "/profil")
    first = next(b for row in profile.buttons for b in row if b.callback_data)
    assert first.callback_data is not None
    answer = await private.press_old(profile, first.callback_data)
    assert answer.text != texts.STALE_BUTTON
    answer = await private.press_old(profile, "bhn:ya")
    assert answer.text == texts.STALE_BUTTON
