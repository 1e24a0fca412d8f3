"""Typed callback data: what a button carries comes back exactly, and nothing else decodes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.buttons import ButtonData
from broadcasts.reactions import Choice, Relay, Vote


class Step(StrEnum):
    EDIT = "e"
    SEND = "s"


@dataclass(frozen=True)
class Sample(ButtonData, prefix="zz"):
    draft: int
    step: Step
    urgent: bool
    page: int | None
    note: str


@dataclass(frozen=True)
class SampleList(ButtonData, prefix="zz"):
    """Shares the prefix: told apart by its fields."""


def test_announcement_buttons_keep_the_format_of_messages_already_sent() -> None:
    """Buttons under years-old announcements must still decode after an upgrade."""
    assert Vote(12, Choice.UP).encode() == "rx:12:u"
    assert Relay(7).encode() == "rl:7"
    assert Vote.decode("rx:12:d") == Vote(12, Choice.DOWN)
    assert Relay.decode("rl:7") == Relay(7)


@given(
    st.integers(-(10**12), 10**12),
    st.sampled_from(Step),
    st.booleans(),
    st.none() | st.integers(0, 999),
    st.text(alphabet="abc:xyz ", max_size=12),
)
def test_every_object_comes_back_from_its_data(
    draft: int, step: Step, urgent: bool, page: int | None, note: str
) -> None:
    """Encoding then decoding gives the same object, even with ":" in the last text field."""
    sample = Sample(draft, step, urgent, page, note)
    assert Sample.decode(sample.encode()) == sample
    assert SampleList.decode(sample.encode()) is None


@pytest.mark.parametrize(
    "data",
    [
        "zz",
        "zz:1:e:1",
        "zz:1:x:1::",
        "zz:1:e:2::",
        "zz:+1:e:1::",
        "zz: 1:e:1::",
        "zz:1_0:e:1::",
        "zz:a:e:1::",
        "zz:1:e:1:a:",
        "zy:1:e:1::",
        "zzz:1:e:1::",
        None,
    ],
)
def test_anything_else_decodes_to_nothing(data: str | None) -> None:
    """Wrong prefix, missing or extra fields, wrong types: not this kind of button."""
    assert Sample.decode(data) is None


def test_a_field_list_without_fields_decodes_only_its_bare_prefix() -> None:
    """A kind without fields is the prefix alone."""
    assert SampleList.decode("zz") == SampleList()
    assert SampleList().encode() == "zz"
    assert SampleList.decode("zz:") is None


def test_data_over_telegrams_64_bytes_is_refused_when_built() -> None:
    """Telegram would reject the whole keyboard: fail where the button is made instead."""
    with pytest.raises(ValueError, match="64 bytes"):
        Sample(1, Step.EDIT, True, None, "x" * 60).encode()
