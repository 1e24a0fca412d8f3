"""What an announcement is: its urgency and whom it targets (plain values, no storage)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Urgency(StrEnum):
    BIASA = "biasa"
    PENTING = "penting"
    DARURAT = "darurat"

    @property
    def priority(self) -> int:
        """Outbox order: darurat first."""
        return {Urgency.DARURAT: 0, Urgency.PENTING: 1, Urgency.BIASA: 2}[self]


@dataclass(frozen=True)
class Targets:
    """Who an announcement is for; areas combine, the switches narrow or widen."""

    kabupaten: bool = False
    kecamatan: tuple[str, ...] = ()
    desa: tuple[str, ...] = ()
    forums_only: bool = False
    subscribers: bool = True
    channels: bool = True
    chats: tuple[int, ...] = field(default=())  # explicit chats (a correction's recipients)

    @property
    def has_area(self) -> bool:
        return self.kabupaten or bool(self.kecamatan) or bool(self.desa) or bool(self.chats)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, data: str | None) -> Targets:
        raw: dict[str, Any] = json.loads(data or "{}")
        return cls(
            kabupaten=bool(raw.get("kabupaten", False)),
            kecamatan=tuple(raw.get("kecamatan", ())),
            desa=tuple(raw.get("desa", ())),
            forums_only=bool(raw.get("forums_only", False)),
            subscribers=bool(raw.get("subscribers", True)),
            channels=bool(raw.get("channels", True)),
            chats=tuple(int(c) for c in raw.get("chats", ())),
        )
