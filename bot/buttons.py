"""Callback data as small typed objects that encode and decode themselves.

Every flow declares what its buttons carry as a frozen dataclass with a short prefix:

    @dataclass(frozen=True)
    class Vote(ButtonData, prefix="rx"):
        announcement: int
        choice: str

`Vote(12, "u").encode()` is `"rx:12:u"` and `Vote.decode("rx:12:u")` gives the object back;
anything else (another prefix, a missing or extra field, a field of the wrong type) decodes to
None. Handlers receive the decoded object (`handlers.presses.on_press`) and never split
strings, and nothing outside the declaring class knows the format.

Fields are `int`, `str`, `bool` or a `StrEnum`, each optionally `| None` (written as an empty
field). Fields are separated by ":" and the last `str` field may itself hold ":". Telegram
keeps at most 64 bytes of callback data, so `encode` refuses longer data instead of letting
Telegram reject the whole keyboard. Several classes may share a prefix when their field lists
tell them apart (`rw:12` details, `rw:12:w` a step): decoding is strict.

The formats of buttons under announcements stay as they were when the messages were sent
(`rx:<id>:<u|d>`, `rl:<id>`): those messages live for years in KIM groups.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any, ClassVar, Self

from telegram import InlineKeyboardButton

MAX_BYTES = 64
SEPARATOR = ":"

_Parse = Callable[[str], object]


class ButtonData:
    """Base of every flow's callback data; subclasses are frozen dataclasses."""

    PREFIX: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, _Parse], ...]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix:
            raise TypeError(f"{cls.__name__}: a prefix without {SEPARATOR!r} is required")
        cls.PREFIX = prefix

    @classmethod
    def _parsers(cls) -> tuple[tuple[str, _Parse], ...]:
        # Resolved on first use: the dataclass decorator runs after __init_subclass__.
        if "_fields" not in cls.__dict__:
            hints = typing.get_type_hints(cls)
            cls._fields = tuple(
                (field.name, _parser(hints[field.name]))
                for field in dataclasses.fields(cls)  # type: ignore[arg-type]
            )
        return cls._fields

    def encode(self) -> str:
        values = [_text(getattr(self, name)) for name, _ in self._parsers()]
        data = SEPARATOR.join([self.PREFIX, *values])
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: object) -> Self | None:
        """The object `data` encodes, or None when it is not one of this class's."""
        if not isinstance(data, str):
            return None
        fields = cls._parsers()
        head, _, rest = data.partition(SEPARATOR)
        if head != cls.PREFIX:
            return None
        if not fields:
            return cls() if data == cls.PREFIX else None
        if not _:
            return None
        values = rest.split(SEPARATOR, len(fields) - 1)
        if len(values) != len(fields):
            return None
        parsed: dict[str, object] = {}
        for (name, parse), value in zip(fields, values, strict=True):
            try:
                parsed[name] = parse(value)
            except ValueError:
                return None
        return cls(**parsed)

    def button(self, label: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=self.encode())

    def pair(self, label: str) -> tuple[str, str]:
        """(label, data), the form the outbox stores an announcement's keyboard in."""
        return label, self.encode()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _parser(hint: object) -> _Parse:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        parse = _parser(inner)
        return lambda value: None if value == "" else parse(value)
    if hint is bool:
        return _bool
    if hint is int:
        return _int
    if hint is str:
        return str
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    raise TypeError(f"unsupported callback field type: {hint!r}")


def _int(value: str) -> int:
    # int() accepts "+1", " 1" and "1_000"; callback data is written by us, digits only.
    if not value.lstrip("-").isdigit() or value.startswith("--"):
        raise ValueError(value)
    return int(value)


def _bool(value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError(value)
    return value == "1"
