"""Which commands exist, where, and who may use them: the single source for access checks,
`/bantuan` and the command menus Telegram shows each person."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot import texts
from bot.people import ADMINS, EVERYONE, OPERATORS, STAFF, Role


class Where(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    ANYWHERE = "anywhere"


@dataclass(frozen=True)
class CommandSpec:
    name: str
    allowed: frozenset[Role]
    where: Where = Where.PRIVATE

    @property
    def description(self) -> str:
        return texts.COMMAND_DESCRIPTIONS[self.name]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", EVERYONE),
    CommandSpec("bantuan", EVERYONE, Where.ANYWHERE),
    CommandSpec("langganan", EVERYONE),
    CommandSpec("profil", EVERYONE),
    CommandSpec("berhenti", EVERYONE),
    CommandSpec("wilayah", EVERYONE),
    CommandSpec("cek", EVERYONE, Where.ANYWHERE),
    CommandSpec("lapor", EVERYONE, Where.ANYWHERE),
    CommandSpec("blankspot", EVERYONE),
    CommandSpec("hapusdata", EVERYONE),
    # In groups the group's own admins decide; kim-bot roles don't apply there.
    CommandSpec("daftarkim", EVERYONE, Where.GROUP),
    CommandSpec("daftarforum", EVERYONE, Where.GROUP),
    CommandSpec("infokim", EVERYONE, Where.GROUP),
    CommandSpec("penjaga", EVERYONE, Where.GROUP),
    CommandSpec("siaran", OPERATORS),
    CommandSpec("batal_siaran", OPERATORS),
    CommandSpec("jadwal", OPERATORS),
    CommandSpec("riwayat", OPERATORS),
    CommandSpec("antrian", OPERATORS),
    CommandSpec("statistik", STAFF),
    CommandSpec("pendaftaran", OPERATORS),
    CommandSpec("cakupan", OPERATORS),
    CommandSpec("sinyal", OPERATORS),
    CommandSpec("poster", OPERATORS),
    CommandSpec("kanal", OPERATORS),
    CommandSpec("status", STAFF),
    CommandSpec("operator", ADMINS),
    CommandSpec("batal", EVERYONE),
)

_BY_NAME = {spec.name: spec for spec in COMMANDS}


def spec(name: str) -> CommandSpec:
    return _BY_NAME[name]


def available_to(roles: frozenset[Role], where: Where = Where.PRIVATE) -> list[CommandSpec]:
    """Commands the holder of these roles may use in that kind of chat, in menu order."""
    return [
        command
        for command in COMMANDS
        if not roles.isdisjoint(command.allowed) and command.where in (where, Where.ANYWHERE)
    ]
