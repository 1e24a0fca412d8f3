"""Which commands exist and who may use them: the single source for access checks, `/bantuan`
and the command menus Telegram shows each person."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.people import ADMINS, EVERYONE, STAFF, Role


@dataclass(frozen=True)
class CommandSpec:
    name: str
    allowed: frozenset[Role]

    @property
    def description(self) -> str:
        return texts.COMMAND_DESCRIPTIONS[self.name]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", EVERYONE),
    CommandSpec("bantuan", EVERYONE),
    CommandSpec("wilayah", EVERYONE),
    CommandSpec("status", STAFF),
    CommandSpec("operator", ADMINS),
    CommandSpec("batal", EVERYONE),
)

_BY_NAME = {spec.name: spec for spec in COMMANDS}


def spec(name: str) -> CommandSpec:
    return _BY_NAME[name]


def available_to(roles: frozenset[Role]) -> list[CommandSpec]:
    """Commands the holder of these roles may use, in menu order."""
    return [command for command in COMMANDS if not roles.isdisjoint(command.allowed)]
