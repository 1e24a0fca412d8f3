"""Framing and splitting announcement content: UTF-16 offsets, entities that survive a cut,
header on the first part and footer on the last."""

from __future__ import annotations

import pytest
from telegram import MessageEntity

from broadcasts.content import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    Body,
    ContentError,
    Kind,
    frame,
    split,
    utf16_len,
)

HEADER = ("📢 Diskominfo\n\n", (MessageEntity(MessageEntity.BOLD, 0, 13),))
FOOTER = ("\n\n— Pengumuman #1", (MessageEntity(MessageEntity.ITALIC, 2, 15),))


def entity_text(text: str, entity: MessageEntity) -> str:
    """The characters an entity covers, counted in UTF-16 as Telegram does."""
    encoded = text.encode("utf-16-le")
    return encoded[entity.offset * 2 : (entity.offset + entity.length) * 2].decode("utf-16-le")


def test_utf16_length_counts_emoji_outside_the_basic_plane_twice() -> None:
    """An emoji like 📢 is two UTF-16 units; accented letters are one."""
    assert utf16_len("📢") == 2
    assert utf16_len("é") == 1
    assert utf16_len("a📢b") == 4


def test_a_short_text_is_one_part_with_entities_shifted_past_the_header() -> None:
    """The operator's bold word stays on the same word after the header (with an emoji)."""
    body = Body(Kind.TEXT, "Posyandu 🍼 Sabtu", (MessageEntity(MessageEntity.BOLD, 12, 5),))
    [part] = frame(body, HEADER, FOOTER)
    assert part.text == "📢 Diskominfo\n\nPosyandu 🍼 Sabtu\n\n— Pengumuman #1"
    bold = [e for e in part.entities if e.type == MessageEntity.BOLD]
    assert [entity_text(part.text, e) for e in bold] == ["📢 Diskominfo", "Sabtu"]
    [italic] = [e for e in part.entities if e.type == MessageEntity.ITALIC]
    assert entity_text(part.text, italic) == "— Pengumuman #1"


def test_a_long_text_splits_at_paragraphs_with_header_first_and_footer_last() -> None:
    """No part exceeds 4096 UTF-16 units and each cut falls between paragraphs."""
    paragraphs = [f"Paragraf {i} 🌾 " + "kata " * 150 for i in range(12)]
    text = "\n\n".join(p.rstrip() for p in paragraphs)
    parts = frame(Body(Kind.TEXT, text), HEADER, FOOTER)
    assert len(parts) == 3
    assert all(utf16_len(p.text) <= TEXT_LIMIT for p in parts)
    assert parts[0].text.startswith("📢 Diskominfo") and "Diskominfo" not in parts[1].text
    assert parts[-1].text.endswith("— Pengumuman #1")
    assert all(not p.text.endswith("— Pengumuman #1") for p in parts[:-1])
    bodies = [parts[0].text.removeprefix(HEADER[0]), parts[1].text]
    for body in bodies:
        assert body.startswith("Paragraf") and body.endswith("kata")
    rejoined = "\n\n".join([*bodies, parts[2].text.removesuffix(FOOTER[0])])
    assert rejoined == text


def test_an_entity_across_a_cut_is_clipped_into_both_parts() -> None:
    """A bold run spanning the boundary is bold on both sides, offsets in UTF-16."""
    first = "🚨 " + "a" * 20
    second = "b" * 20
    text = f"{first}\n\n{second}"
    start = utf16_len("🚨 ") + 10
    bold = MessageEntity(MessageEntity.BOLD, start, utf16_len(text) - start - 10)
    pieces = split(text, (bold,), utf16_len(first) + 5)
    assert [piece for piece, _ in pieces] == [first, second]
    (_, [left]), (_, [right]) = pieces
    assert entity_text(first, left) == "a" * 10
    assert (right.offset, right.length) == (0, 10)


def test_a_paragraph_longer_than_the_budget_is_cut_at_a_word() -> None:
    """Without a paragraph or line break in reach, the cut falls on a space."""
    pieces = split("satu dua tiga empat lima", (), 12)
    assert [piece for piece, _ in pieces] == ["satu dua", "tiga empat", "lima"]


def test_a_caption_that_does_not_fit_is_refused_with_its_length() -> None:
    """A photo cannot be split: a caption over 1024 units with the frame raises."""
    body = Body(Kind.PHOTO, "🌧" * 500, file_id="photo-1")
    with pytest.raises(ContentError) as raised:
        frame(body, HEADER, FOOTER)
    assert raised.value.limit == CAPTION_LIMIT
    assert raised.value.length == 1000 + utf16_len(HEADER[0]) + utf16_len(FOOTER[0])


def test_a_caption_that_fits_is_one_part_with_its_file() -> None:
    """Header, caption and footer become one caption on the photo."""
    [part] = frame(Body(Kind.PHOTO, "Peta banjir", file_id="photo-1"), HEADER, FOOTER)
    assert part.kind is Kind.PHOTO and part.file_id == "photo-1"
    assert part.text == "📢 Diskominfo\n\nPeta banjir\n\n— Pengumuman #1"
