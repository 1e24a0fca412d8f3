"""Who may use what: every privileged command and every privileged button, tried as a villager,
as the admin of a KIM group, as an operator, a verifier and an admin. Only the roles this
file's own tables name get through (written from the product's roles, not read from
bot/commands.py, so widening a command there fails here); everyone else is told "hanya
untuk petugas", and every refusal is in the audit log. The buttons are pressed on
cards the bot really showed each persona (tests/cards.py): forged data on other messages
never reaches a role check (tests/test_forged_buttons.py).

The tables are checked against the running application, so a new command or a new guarded
button cannot be left out: the first test fails until it is listed here."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

import pytest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
)

from bot import audit, people, texts
from bot.buttons import ButtonData
from bot.commands import COMMANDS
from bot.people import EVERYONE, Person, Role
from bot.services import KimApp
from bot.settings import Settings
from botapi_sandbox import BotApiServer, FakeUser
from tests.cards import card_with
from tests.faultkit import kim_group
from tests.registered import every_handler

PERSONAS: dict[str, frozenset[Role]] = {  # what each one holds in a private chat
    "villager": frozenset({Role.WARGA}),
    "kim admin": frozenset({Role.WARGA}),  # a group's admin is nobody special in private
    "operator": frozenset({Role.OPERATOR}),
    "verifier": frozenset({Role.VERIFIER}),
    "admin": frozenset({Role.ADMIN}),
}
ADMIN, OPERATOR, VERIFIER = Role.ADMIN, Role.OPERATOR, Role.VERIFIER
OPERATORS = frozenset({ADMIN, OPERATOR})
VERIFIERS = frozenset({ADMIN, VERIFIER})
ADMINS = frozenset({ADMIN})
# Every command only some may use, and who: operators compose and run broadcasts, reports,
# registrations, coverage and channels; verifiers only read the status and statistics
# beside them; adding staff is the admin's alone. Everything else is for everyone.
PRIVILEGED: dict[str, frozenset[Role]] = {
    "siaran": frozenset({ADMIN, OPERATOR}),
    "batal_siaran": frozenset({ADMIN, OPERATOR}),
    "jadwal": frozenset({ADMIN, OPERATOR}),
    "riwayat": frozenset({ADMIN, OPERATOR}),
    "antrian": frozenset({ADMIN, OPERATOR}),
    "pendaftaran": frozenset({ADMIN, OPERATOR}),
    "cakupan": frozenset({ADMIN, OPERATOR}),
    "sinyal": frozenset({ADMIN, OPERATOR}),
    "poster": frozenset({ADMIN, OPERATOR}),
    "kanal": frozenset({ADMIN, OPERATOR}),
    "statistik": frozenset({ADMIN, OPERATOR, VERIFIER}),
    "status": frozenset({ADMIN, OPERATOR, VERIFIER}),
    "operator": frozenset({ADMIN}),
}
NOT_STAFF = 4242  # a plausible person to remove from staff: nobody, so nothing changes

# Every guarded button, by its handler's pattern: sample data with a plausible id (the guard
# decides before the handler looks anything up) and the roles meant to press it.
BUTTONS: dict[str, tuple[str, frozenset[Role]]] = {
    "cakt:CoverageTable": ("cakt", OPERATORS),
    "cakc:CoverageChart": ("cakc", OPERATORS),
    "cakx:CoverageExcel": ("cakx", OPERATORS),
    "cakg:GapPicker": ("cakg", OPERATORS),
    "cakd:Gaps": ("cakd:35.14.14", OPERATORS),
    "pst:PosterKecamatan": ("pst", OPERATORS),
    "pstk:PosterDesaPage": ("pstk:35.14.14:0", OPERATORS),
    "pstd:Poster": ("pstd:35.14.14.2011", OPERATORS),
    "knm:ChannelMenu": ("knm:-100999", OPERATORS),
    "knk:KecamatanChoices": ("knk:-100999", OPERATORS),
    "knt:TopicChoices": ("knt:-100999", OPERATORS),
    "kna:Assign": ("kna:-100999::", OPERATORS),
    "kne:AskEnd": ("kne:17", OPERATORS),
    "knd:End": ("knd:17", OPERATORS),
    "knl:ChannelList": ("knl", OPERATORS),
    "kg:Decide": ("kg:ok:17", OPERATORS),
    "tro:OpenCase": ("tro:17", OPERATORS),
    "trv:VerdictChoice": ("trv:17:hoaks", OPERATORS),
    "trd:Duplicates": ("trd:17", OPERATORS),
    "trm:MergeInto": ("trm:17:18", OPERATORS),
    "trb:BackToPanel": ("trb:17", OPERATORS),
    "trs:SkipLink": ("trs:17", OPERATORS),
    "trk:Clarify": ("trk:17", OPERATORS),
    "snc:SignalCsv": ("snc", OPERATORS),
    "sng:SignalGeoJson": ("sng", OPERATORS),
    "stfr:RemoveStaff": (f"stfr:{NOT_STAFF}:operator", ADMINS),
    "stfa:AddStaff": ("stfa:operator", ADMINS),
    # /siaran and its scheduling step
    "so:Submit": ("so:17", OPERATORS),
    "sd:Draft": ("sd:17", OPERATORS),
    "st:Topic": ("st:17:kesehatan", OPERATORS),
    "su:Urgent": ("su:17:biasa", OPERATORS),
    "sg:Toggle": ("sg:17:kabupaten", OPERATORS),
    "sk:KecamatanList": ("sk:17:35.14.14", OPERATORS),
    "sdk:DesaKecamatanList": ("sdk:17", OPERATORS),
    "sdp:DesaPage": ("sdp:17:0:35.14.14:35.14.14.2011", OPERATORS),
    "spv:Preview": ("spv:17", OPERATORS),
    "sx:Cancel": ("sx:17", OPERATORS),
    "jd:PlanKinds": ("jd:17", OPERATORS),
    "jdb:BackToSummary": ("jdb:17", OPERATORS),
    "jd_:Inert": ("jd_:17", OPERATORS),
    "jdc:Calendar": ("jdc:17:202612:0", OPERATORS),
    "jdw:WeekDays": ("jdw:17:3", OPERATORS),
    "jdm:MonthDays": ("jdm:17", OPERATORS),
    "jdt:Time": ("jdt:17:daily:0:7:30", OPERATORS),
    "jdx:AskCron": ("jdx:17", OPERATORS),
    "jdp:ShowPlan": ("jdp:17", OPERATORS),
    "jde:End": ("jde:17::4", OPERATORS),
    "jds:SubmitPlan": ("jds:17", OPERATORS),
    # verifying, stopping, /riwayat, /jadwal
    "va:Approve": ("va:17", VERIFIERS),
    "vr:Reject": ("vr:17", VERIFIERS),
    "vb:ApproveOverBudget": ("vb:17", VERIFIERS),
    "vk:KeepPending": ("vk:17", VERIFIERS),
    "stop:Stop": ("stop:17", OPERATORS),
    "rw:HistoryList": ("rw", OPERATORS),
    "rw:Details": ("rw:17", OPERATORS),
    "rwx:AskWithdraw": ("rwx:17", OPERATORS),
    "rwy:Withdraw": ("rwy:17", OPERATORS),
    "rwr:AskCorrection": ("rwr:17", OPERATORS),
    "jw:Listing": ("jw:17", OPERATORS),
    "jwp:Pause": ("jwp:17", OPERATORS),
    "jwr:Resume": ("jwr:17", OPERATORS),
    "jwn:RunExtra": ("jwn:17", OPERATORS),
    "jwd:AskDelete": ("jwd:17", OPERATORS),
    "jwx:Delete": ("jwx:17", OPERATORS),
}
# Guards on replies to the bot's own prompts (a rejection reason, a verdict's explanation,
# a cron line, a correction): only staff are ever sent those prompts, and the flows that send
# them test the replies; they are not buttons a stranger could press.
REPLY_GUARDS = frozenset({"siaran.verify", "antrian.verdict", "siaran.schedule", "riwayat.ralat"})


@dataclass(frozen=True)
class Guard:
    handler: BaseHandler[Any, Any, Any]
    action: str
    allowed: frozenset[Role]


def guards(app: KimApp) -> list[Guard]:
    """Every handler wrapped by `handlers.access.requires` (or `command`), with its rule."""
    found = []
    for handler in every_handler(app):
        try:
            bound = inspect.getclosurevars(handler.callback).nonlocals
        except TypeError:  # not a plain function (a bound method, a partial)
            continue
        if isinstance(bound.get("action"), str) and isinstance(bound.get("allowed"), frozenset):
            found.append(Guard(handler, bound["action"], bound["allowed"]))
    return found


def _pattern(handler: BaseHandler[Any, Any, Any]) -> str:
    """A regex's source, or "<prefix>:<ClassName>" for typed data (`handlers.presses`)."""
    assert isinstance(handler, CallbackQueryHandler)
    pattern = handler.pattern
    kind = getattr(pattern, "__self__", None)
    if isinstance(kind, type) and issubclass(kind, ButtonData):
        return f"{kind.PREFIX}:{kind.__name__}"
    assert isinstance(pattern, re.Pattern), handler
    return str(pattern.pattern)


def _accepts(handler: BaseHandler[Any, Any, Any], data: str) -> bool:
    """Whether the handler answers presses carrying `data` (a regex or a typed decoder)."""
    assert isinstance(handler, CallbackQueryHandler)
    pattern = handler.pattern
    if isinstance(pattern, re.Pattern):
        return pattern.match(data) is not None
    return callable(pattern) and bool(pattern(data))


@pytest.fixture
def admins(server: BotApiServer) -> list[FakeUser]:
    """Enough people in ADMIN_IDS for each admin case to be somebody new."""
    return [server.new_user(f"Admin {i}") for i in range(len(PRIVILEGED) + 1)]


@pytest.fixture
def settings(settings: Settings, admins: list[FakeUser]) -> Settings:
    """Admins enough for every case, and presses as fast as a script sends them (a persona
    presses every guarded button in turn; the per-person limit has tests of its own)."""
    return settings.model_copy(
        update={
            "admin_ids": settings.admin_ids | {admin.id for admin in admins},
            "answers_per_minute": 10_000,
        }
    )


class Personas:
    """Fresh people of each persona: nobody carries a conversation from one case to the next."""

    def __init__(self, server: BotApiServer, app: KimApp, admins: list[FakeUser]) -> None:
        self.server = server
        self.app = app
        self.admins = admins
        self.kim_admins = [server.new_user(f"Admin KIM {i}") for i in range(len(admins))]

    async def setup(self) -> None:
        db, now = self.app.bot_data.db, self.app.bot_data.clock.now()
        await kim_group(self.server, db, "KIM Raci", "35.14.14.2011", self.kim_admins, now)

    async def new(self, persona: str) -> FakeUser:
        if persona == "admin":
            user = self.admins.pop()
        elif persona == "kim admin":
            user = self.kim_admins.pop()
        else:
            user = self.server.new_user(persona.title())
        services = self.app.bot_data
        now = services.clock.now()
        await people.remember(services.db, Person(user.id, user.first_name), now)
        self.server.chat(user).bot_status = "member"  # as if they had pressed Start
        role = {"operator": Role.OPERATOR, "verifier": Role.VERIFIER}.get(persona)
        if role is not None:
            await people.grant(services.db, user_id=user.id, role=role, actor_id=None, now=now)
        return user


async def _refusals(app: KimApp) -> set[tuple[int | None, str | None]]:
    entries = await audit.entries(app.bot_data.db, action="access.denied", limit=100_000)
    return {(entry.actor_id, entry.object_id) for entry in entries}


def test_the_tables_cover_every_guard(kimbot: KimApp) -> None:
    """Each privileged command is guarded for exactly the roles listed here, and nothing in
    bot/commands.py is privileged without being listed; each guarded button is listed."""
    found = guards(kimbot)
    by_command = {
        name: guard
        for guard in found
        if isinstance(guard.handler, CommandHandler)
        for name in guard.handler.commands
    }
    declared = {c.name: c.allowed for c in COMMANDS if c.allowed != EVERYONE}
    assert declared == PRIVILEGED, "bot/commands.py and this table disagree"
    for name, roles in PRIVILEGED.items():
        guard = by_command.get(name)
        assert guard is not None, f"/{name} is privileged but no handler checks roles"
        assert (guard.action, guard.allowed) == (f"/{name}", roles), name
    for name, guard in by_command.items():
        assert guard.allowed == PRIVILEGED.get(name, EVERYONE), name

    buttons = {_pattern(g.handler): g for g in found if isinstance(g.handler, CallbackQueryHandler)}
    assert set(buttons) == set(BUTTONS), "a guarded button is missing from BUTTONS (or gone)"
    for pattern, (data, roles) in BUTTONS.items():
        assert buttons[pattern].allowed == roles, pattern
        assert _accepts(buttons[pattern].handler, data) and len(data.encode()) <= 64, data
    replies = {g.action for g in found if isinstance(g.handler, MessageHandler)}
    assert replies == REPLY_GUARDS


async def test_privileged_commands_answer_only_their_roles(
    server: BotApiServer, kimbot: KimApp, admins: list[FakeUser]
) -> None:
    """Each privileged command is refused, and audited, exactly for personas without its roles."""
    cast = Personas(server, kimbot, admins)
    await cast.setup()
    wrong: list[str] = []
    tried: list[tuple[FakeUser, str, bool]] = []
    for name, allowed in PRIVILEGED.items():
        for persona, held in PERSONAS.items():
            user = await cast.new(persona)
            chat = server.private(user)
            await chat.send(f"/{name}")
            reply = await chat.expect(timeout=10)
            refused = reply.text == texts.NOT_ALLOWED
            if refused == (not held.isdisjoint(allowed)):
                wrong.append(f"/{name} as {persona}: {reply.text[:60]!r}")
            tried.append((user, f"/{name}", refused))
    assert not wrong, "\n".join(wrong)
    audited = await _refusals(kimbot)
    for user, action, refused in tried:
        assert ((user.id, action) in audited) == refused, (user.first_name, action)
    assert {actor for actor, _ in audited} <= {user.id for user, _, refused in tried if refused}


async def test_privileged_buttons_answer_only_their_roles(
    server: BotApiServer, kimbot: KimApp, admins: list[FakeUser]
) -> None:
    """Each guarded button is refused, and audited, exactly for personas without its roles."""
    cast = Personas(server, kimbot, admins)
    await cast.setup()
    actions = {
        _pattern(g.handler): g.action
        for g in guards(kimbot)
        if isinstance(g.handler, CallbackQueryHandler)
    }
    wrong: list[str] = []
    tried: list[tuple[FakeUser, str, bool]] = []
    for persona, held in PERSONAS.items():
        user = await cast.new(persona)
        chat = server.private(user)
        await chat.send("/bantuan")
        await chat.expect()
        for pattern, (data, roles) in BUTTONS.items():
            # A card of its own each time: a press that gets through may edit its card.
            card = await card_with(kimbot, user.id, data)
            await chat.expect()
            answer = await chat.press_data(card, data, timeout=10)
            refused = answer.text == texts.NOT_ALLOWED_BUTTON
            if refused == (not held.isdisjoint(roles)):
                wrong.append(f"{data} as {persona}: {answer.text!r}")
            tried.append((user, actions[pattern], refused))
    assert not wrong, "\n".join(wrong)
    audited = await _refusals(kimbot)
    for user, action, refused in tried:
        assert ((user.id, action) in audited) == refused, (user.first_name, action)
