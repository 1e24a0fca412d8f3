"""Random and hostile updates through the server: huge texts, markup in names and texts, emoji
and right-to-left script, forged buttons (also on messages too old to read), random walks
through the bot's real keyboards by people of every role, edits, channel posts, messages
without a sender, commands where they don't belong. Nothing may reach the error handler or
log an error, every button press is answered, and the bot still answers a villager's /start
afterwards."""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler

from bot import logsetup, registrations
from bot.app import build_application
from bot.buttons import ButtonData
from bot.chats import ChatType
from bot.commands import COMMANDS
from bot.people import Role
from bot.services import KimApp
from bot.settings import load_settings
from bot.updates import PerChatUpdateProcessor
from botapi_sandbox import BotApiServer, ChatSession, FakeChat, FakeUser, SentMessage
from botapi_sandbox.models import JSON
from botapi_sandbox.people import text_entities
from broadcasts import announcements
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets, Urgency
from tests.conftest import TOKEN
from tests.network import Network, kecamatan
from tests.registered import every_handler

MARKUP = [
    "<b>tebal</b>",
    "<script>alert('x')</script>",
    "</i></b><a href='javascript:x'>",
    "&amp; &lt; &gt; & < > &#0; &nbsp",
    "*tebal* _miring_ `kode` ```blok``` [tautan](http://contoh.id)",
    "~~coret~~ ||spoiler|| __garis__ \\_",
    '<a href="tg://user?id=1">admin</a>',
    "\u202eGNAHAB RACI\u202c",
    "مرحبا بكم في القرية",
    "שלום עליכם",
    "👨‍👩‍👧‍👦🇮🇩🙏🏽✅",
    "\u200b\u200d\ufeff",
    "Desa Raci\nKec. Bangil\n\n\n",
    "' OR 1=1 --; DROP TABLE people;",
    "%s %d {0} {name} $(reboot)",
    "@kim_test_bot @admin #hoaks $IDR",
    "https://t.me/kim_test_bot?start=lpr1 http://x.invalid/<>",
]
COMMAND_NAMES = [spec.name for spec in COMMANDS]
READABLE = st.characters(codec="utf-8")  # any character but lone surrogates
PEOPLE = ("villager", "operator", "verifier", "admin", "group admin")
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- strategies -----------------------------------------------------------------------------


def _huge(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


def _command(name: str, addressee: str, argument: str) -> str:
    return f"/{name}{addressee}{argument}"


texts = st.one_of(
    st.text(READABLE, min_size=1, max_size=80),
    st.sampled_from(MARKUP),
    st.builds(_huge, st.sampled_from([*MARKUP, "a", "é", "👍"]), st.integers(1000, 4096)),
    st.builds(
        _command,
        st.sampled_from([*COMMAND_NAMES, "unknown", "START"]),
        st.sampled_from(["", "@kim_test_bot", "@other_bot"]),
        st.one_of(
            st.just(""),
            st.sampled_from(MARKUP).map(" ".__add__),
            st.text(READABLE, max_size=60).map(" ".__add__),
        ),
    ),
)
names = st.one_of(st.sampled_from(MARKUP), st.text(READABLE, min_size=1, max_size=64)).map(
    lambda name: name[:64]
)


@functools.cache
def _button_prefixes() -> tuple[str, ...]:
    """The literal start of every button pattern the bot registers, read from a freshly built
    application, so a new button is fuzzed without anyone listing it here."""
    app = build_application(load_settings({"BOT_TOKEN": TOKEN}))
    found: set[str] = set()
    for handler in every_handler(app):
        if isinstance(handler, CallbackQueryHandler):
            pattern = handler.pattern
            kind = getattr(pattern, "__self__", None)  # typed data (handlers.presses)
            if isinstance(kind, type) and issubclass(kind, ButtonData):
                found.add(f"{kind.PREFIX}:")
                continue
            source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
            match = re.match(r"\^?([A-Za-z_]+:?)", source) if isinstance(source, str) else None
            if match:
                found.add(match.group(1))
    assert {"sd:", "va:", "kg:", "tro:", "stfa:"} <= found, found
    return tuple(sorted(found))


def _clip(data: str) -> str:
    """Telegram's limit for callback data: 64 bytes."""
    return data.encode()[:64].decode(errors="ignore") or "?"


def _forged(prefix: str, tail: str) -> str:
    return prefix + tail


tails = st.one_of(
    st.text("0123456789:-_abcdefghijklmnopqrstuvwxyz", max_size=40),
    st.lists(
        st.sampled_from(["0", "1", "2", "3", "-1", "9" * 20, "x", "", "ok", "no", "all"]),
        max_size=5,
    ).map(":".join),
    st.text(READABLE, max_size=40),
)
button_data = st.one_of(
    st.builds(_forged, st.deferred(lambda: st.sampled_from(_button_prefixes())), tails),
    st.text(READABLE, min_size=1, max_size=64),
).map(_clip)


@dataclass(frozen=True)
class Act:
    """One update: who, where, what (a text, a caption, button data or a display name)."""

    kind: str
    who: int  # index into PEOPLE
    where: str  # private, group (the bot is a member), watched (the bot is an admin)
    text: str
    variant: bool = False  # press: on a message too old; tap: twice; channel: an edit
    pick: int = 0  # tap: which of the latest keyboard's buttons


who = st.integers(0, len(PEOPLE) - 1)
anywhere = st.sampled_from(["private", "group", "watched"])
groups = st.sampled_from(["group", "watched"])
acts = st.one_of(
    st.builds(Act, st.just("say"), who, anywhere, texts),
    st.builds(Act, st.just("edit"), who, anywhere, texts),
    st.builds(Act, st.just("press"), who, anywhere, button_data, st.booleans()),
    st.builds(Act, st.just("tap"), who, anywhere, st.just(""), st.booleans(), st.integers(0, 99)),
    st.builds(Act, st.just("channel"), st.just(0), st.just("channel"), texts, st.booleans()),
    st.builds(Act, st.just("anonymous"), st.just(0), groups, texts),
    st.builds(Act, st.just("stranger"), st.just(0), anywhere, names, st.booleans()),
    st.builds(Act, st.just("forward"), who, st.just("private"), texts, st.booleans()),
    st.builds(Act, st.just("photo"), who, anywhere, texts),
    st.builds(Act, st.just("reply"), who, anywhere, texts),
    st.builds(Act, st.just("new group"), st.just(4), st.just("group"), names),
)


# --- the cast and what one update does -----------------------------------------------------------


@dataclass(repr=False)
class Cast:
    """The people and chats the updates come from, set up once per test function."""

    server: BotApiServer
    log: io.StringIO
    people: list[FakeUser]  # in the order of PEOPLE
    group: FakeChat
    watched: FakeChat
    channel: FakeChat
    updates: PerChatUpdateProcessor
    visitors: int = 0
    log_mark: int = 0
    press_mark: int = 0

    def __repr__(self) -> str:
        return "<the cast>"

    def chat(self, where: str) -> FakeChat:
        return self.group if where == "group" else self.watched

    def session(self, act: Act) -> ChatSession:
        user = self.people[act.who]
        if act.where == "private":
            return self.server.private(user)
        return self.server.in_group(self.chat(act.where), user)

    def push(self, kind: str, payload: JSON) -> None:
        """An update only Telegram itself can produce (no person in the test bed does)."""
        self.server.world.updates.push(kind, payload)
        self.server.world.notify()

    def raw_message(self, chat: FakeChat, text: str, **fields: Any) -> JSON:
        world = self.server.world
        message: JSON = {
            "message_id": world.next_message_id(chat.id),
            "chat": chat.to_api(),
            "date": world.now(),
            "text": text,
            **fields,
        }
        entities = text_entities(text)
        if entities:
            message["entities"] = entities
        world.user_messages[(chat.id, message["message_id"])] = message  # may be replied to
        return message

    def begin(self) -> None:
        """Judge only what happens from here on (the log and the presses of one example)."""
        self.log_mark = self.log.tell()
        self.press_mark = len(self.server.world.callbacks)

    async def answers_start(self) -> None:
        """A new villager's /start is answered: the bot is still alive, and once the other
        chats' queues are empty every earlier update has been handled."""
        self.visitors += 1
        chat = self.server.private(self.server.new_user(f"Pengunjung {self.visitors}"))
        await chat.send("/start")
        assert "selamat datang" in (await chat.expect(timeout=20)).text
        await asyncio.wait_for(self.updates.wait_idle(), 20)

    def assert_calm(self) -> None:
        """No update reached the error handler, nothing logged an error, every button press
        was answered."""
        self.log.seek(self.log_mark)
        errors = _errors(self.log.read())
        assert not errors, "\n".join(errors)
        presses = list(self.server.world.callbacks.values())[self.press_mark :]
        unanswered = sum(answer is None for answer in presses)
        assert not unanswered, f"{unanswered} of {len(presses)} button presses went unanswered"


def _errors(log: str) -> list[str]:
    """ERROR and CRITICAL records with their tracebacks (the lines up to the next record)."""
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ )", log)
    return [r for r in records if re.match(r"\S+ \S+ (ERROR|CRITICAL) ", r)]


async def perform(cast: Cast, act: Act) -> None:
    server = cast.server
    if act.kind == "say":
        await cast.session(act).send(act.text)
    elif act.kind == "edit":
        chat = cast.session(act)
        await chat.edit(await chat.send("Halo"), act.text)
    elif act.kind == "press":
        await _press(cast, act, act.text)
    elif act.kind == "tap":
        await _tap(cast, act)
    elif act.kind == "channel":
        post = cast.raw_message(cast.channel, act.text, sender_chat=cast.channel.to_api())
        if act.variant:
            post["edit_date"] = post["date"]
        cast.push("edited_channel_post" if act.variant else "channel_post", post)
    elif act.kind == "anonymous":
        group = cast.chat(act.where)
        cast.push("message", cast.raw_message(group, act.text, sender_chat=group.to_api()))
    elif act.kind == "stranger":
        stranger = server.new_user(act.text, last_name=act.text if act.variant else None)
        if act.where == "private":
            await server.private(stranger).send("/start")
        else:
            await server.join(cast.chat(act.where), stranger)
            await server.in_group(cast.chat(act.where), stranger).send(f"/bantuan {act.text}")
    elif act.kind == "forward":
        source = cast.people[act.who] if act.variant else None
        await cast.session(act).forward(act.text, from_user=source, from_name=act.text[:64])
    elif act.kind == "photo":
        await cast.session(act).send_photo(caption=act.text[:1024])
    elif act.kind == "reply":
        chat = cast.session(act)
        last = next((m for m in reversed(chat.messages) if not m.deleted), None)
        await chat.send(act.text, reply_to=last)
    elif act.kind == "new group":  # a hostile title, then its admin registers it as a KIM
        founder = cast.people[act.who]
        group = server.new_group(act.text or "?", admins=[founder])
        await server.add_bot_to(group, by=founder)
        await server.in_group(group, founder).send("/daftarkim")


async def _tap(cast: Cast, act: Act) -> None:
    """A real button of the chat's latest keyboard, so the examples also walk real flows
    (as whoever is acting, staff or not); twice in a row is a slow phone's double tap."""
    chat = cast.session(act)
    for live in reversed(chat.messages):
        data = [b.callback_data for row in live.buttons for b in row if b.callback_data]
        if data and not live.deleted:
            for _ in range(2 if act.variant else 1):
                await _press(cast, act, data[act.pick % len(data)], live)
            return


async def _press(cast: Cast, act: Act, data: str, live: SentMessage | None = None) -> None:
    """A button press with this data on a message of the chat (by default its latest)."""
    chat = cast.session(act)
    if live is None:
        live = next((m for m in reversed(chat.messages) if not m.deleted), None)
    if live is None:
        return
    world = cast.server.world
    if act.variant and act.kind == "press":  # too old to read: only chat, id and date 0
        message: JSON = {"chat": chat.chat.to_api(), "message_id": live.message_id, "date": 0}
    else:
        message = world.message_api(live)
    query_id = str(5_000_000_000_000_000 + world.next_id())
    world.callbacks[query_id] = None
    cast.push(
        "callback_query",
        {
            "id": query_id,
            "from": chat.user.to_api(),
            "message": message,
            "chat_instance": str(abs(chat.chat_id) * 7 + 3),
            "data": data,
        },
    )


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """The bot's log through the production formatter, at INFO: errors are what is judged
    here, and a DEBUG log of hundreds of updates would only slow the examples down."""
    stream = io.StringIO()
    handler = logsetup.configure("INFO", [TOKEN], stream)
    yield stream
    logging.getLogger().removeHandler(handler)


@pytest.fixture
async def cast(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser, log_output: io.StringIO
) -> Cast:
    """A villager, staff of every role, a KIM group, a group the bot administers, a channel."""
    net = Network(server, kimbot)
    villager = await net.villager("Warga", kecamatan("35.14.14"), "bencana")
    operator = await net.staff("Operator", Role.OPERATOR)
    verifier = await net.staff("Verifikator", Role.VERIFIER)
    pak_rt = server.new_user("Pak RT")
    group = await net.kim_group("KIM Raci", "35.14.14.2011", pak_rt)
    watched = server.new_group("Grup Warga Raci", admins=[pak_rt])
    await server.add_bot_to(watched, by=pak_rt, status="administrator")
    channel = server.new_channel("Kanal Bangil", admins=[pak_rt])
    await server.make_bot_channel_admin(channel, by=pak_rt)
    await server.private(admin).send("/start")
    await server.private(admin).expect()
    await server.private(pak_rt).send("/start")
    await server.private(pak_rt).expect()
    people = [villager, operator, verifier, admin, pak_rt]
    # Real records for forged buttons to run into (their ids are small numbers): a draft being
    # composed, one waiting for a verifier, a reported claim, a KIM registration to decide.
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    await announcements.create_draft(db, author_id=operator.id, body=Body(Kind.TEXT, "A"), now=now)
    waiting = await announcements.create_draft(
        db, author_id=operator.id, body=Body(Kind.TEXT, "B"), now=now
    )
    await announcements.update_draft(
        db, waiting, topic="bencana", urgency=Urgency.PENTING, targets=Targets(kabupaten=True)
    )
    assert await announcements.submit(db, waiting, actor_id=operator.id, now=now)
    chat = server.private(villager)
    await chat.send("/lapor")
    await chat.expect()
    await chat.send("Katanya air sumur di Raci beracun, jangan diminum")
    await chat.expect()
    await registrations.request_kim(
        db,
        chat_id=watched.id,
        chat_type=ChatType.GROUP,
        chat_title=watched.title or "",
        desa_code="35.14.14.2010",
        name="KIM Watched",
        requested_by=pak_rt.id,
        requested_by_name=pak_rt.first_name,
        now=now,
    )
    for place in (group, watched):
        for person in people:
            if server.world.member_status(place, person.id) == "left":
                await server.join(place, person)
    processor = kimbot.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    return Cast(server, log_output, people, group, watched, channel, processor)


# --- the tests ----------------------------------------------------------------------------------


@EXAMPLES
@given(batch=st.lists(acts, min_size=1, max_size=6))
async def test_random_updates_break_nothing(cast: Cast, batch: list[Act]) -> None:
    """Any mix of hostile updates: no unhandled error, every press answered, /start works."""
    cast.begin()
    for act in batch:
        await perform(cast, act)
    await cast.answers_start()
    cast.assert_calm()


async def test_every_command_in_every_kind_of_chat(cast: Cast) -> None:
    """Every command in private, in groups (bot member or admin) and in a channel: no error."""
    server = cast.server
    villager, pak_rt = cast.people[0], cast.people[4]
    cast.begin()
    for name in COMMAND_NAMES:
        await server.private(villager).send(f"/{name}")
        for bot_status in ("member", "administrator"):
            # A fresh group per command: replies into one group are limited to 20 a minute.
            group = server.new_group(f"Grup {name}", admins=[pak_rt], members=[villager])
            group.bot_status = bot_status
            await server.in_group(group, villager).send(f"/{name}")
            await server.in_group(group, pak_rt).send(f"/{name}@kim_test_bot")
        post = cast.raw_message(cast.channel, f"/{name}", sender_chat=cast.channel.to_api())
        cast.push("channel_post", post)
        await server.private(villager).send("/batal")
    await cast.answers_start()
    cast.assert_calm()


async def test_a_double_tap_is_answered_without_an_apology(cast: Cast) -> None:
    """Two taps on one button before the first is handled: both answered, no error, no "Maaf"."""
    chat = cast.server.private(cast.people[0])
    await chat.send("/wilayah")
    overview = await chat.expect()
    bangil = next(b for row in overview.buttons for b in row if b.text.endswith("Bangil"))
    assert bangil.callback_data is not None
    cast.begin()
    tap = Act("tap", 0, "private", "")
    for _ in range(2):
        await _press(cast, tap, bangil.callback_data, overview)
    await cast.answers_start()
    cast.assert_calm()
    assert "Raci" in overview.text
    assert not [m for m in chat.messages if "Maaf" in m.text]
