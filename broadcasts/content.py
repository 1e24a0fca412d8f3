"""An announcement's content as recipients see it: the operator's text with its formatting,
framed by the office's header and a footer, split to fit Telegram's limits.

Formatting travels as Telegram message entities, never as HTML or Markdown: the operator's
text is sent verbatim with the entities Telegram gave us for it, so nothing they type can be
parsed as markup (no injection, no broken tags). Offsets are UTF-16 code units, as Telegram
counts them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate

from telegram import MessageEntity

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


class Kind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass(frozen=True)
class Body:
    """What the operator wrote: text (or caption) with entities, and the file for media."""

    kind: Kind
    text: str
    entities: tuple[MessageEntity, ...] = ()
    file_id: str | None = None

    def entities_json(self) -> str:
        return json.dumps([entity.to_dict() for entity in self.entities])

    @staticmethod
    def entities_from_json(data: str | None) -> tuple[MessageEntity, ...]:
        return tuple(MessageEntity.de_list(json.loads(data or "[]"), None))


@dataclass(frozen=True)
class Part:
    """One message to send: text or caption plus entities, and the file for the first part."""

    kind: Kind
    text: str
    entities: tuple[MessageEntity, ...] = field(default_factory=tuple)
    file_id: str | None = None


class ContentError(ValueError):
    """The content cannot be sent as it is; `limit` and `length` say by how much."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"{length} > {limit}")
        self.length = length
        self.limit = limit


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def frame(
    body: Body,
    header: tuple[str, Sequence[MessageEntity]],
    footer: tuple[str, Sequence[MessageEntity]],
) -> list[Part]:
    """Header + body + footer as one or more messages.

    A caption that does not fit raises `ContentError` (a photo cannot be split); a text that
    does not fit is split at paragraph boundaries, then lines, then words, with the header
    on the first part and the footer on the last.
    """
    header_text, header_entities = header
    footer_text, footer_entities = footer
    if body.kind is not Kind.TEXT:
        text, entities = MessageEntity.concatenate(
            (header_text, header_entities),
            (body.text, body.entities),
            (footer_text, footer_entities),
        )
        length = utf16_len(text)
        if length > CAPTION_LIMIT:
            raise ContentError(length, CAPTION_LIMIT)
        return [Part(body.kind, text, tuple(entities), body.file_id)]

    budget = TEXT_LIMIT - utf16_len(header_text) - utf16_len(footer_text)
    chunks = split(body.text, tuple(body.entities), budget)
    parts = []
    for index, (chunk, entities) in enumerate(chunks):
        first = [header] if index == 0 else []
        last = [footer] if index == len(chunks) - 1 else []
        text, merged = MessageEntity.concatenate(*first, (chunk, entities), *last)
        parts.append(Part(Kind.TEXT, text, tuple(merged)))
    return parts


def split(
    text: str, entities: tuple[MessageEntity, ...], budget: int
) -> list[tuple[str, tuple[MessageEntity, ...]]]:
    """Cut `text` into pieces of at most `budget` UTF-16 units at the nicest boundary."""
    if budget <= 0:
        raise ContentError(utf16_len(text), 0)
    pieces = []
    start = 0  # index into text (code points)
    while start < len(text):
        end = _cut(text, start, budget)
        piece = text[start:end]
        stripped = piece.rstrip()
        pieces.append((start, start + len(stripped)))
        start = end
        while start < len(text) and text[start] in "\n ":
            start += 1
    offsets = _utf16_offsets(text)
    result = [
        (text[begin:end], _slice(entities, offsets[begin], offsets[end]))
        for begin, end in pieces
        if begin != end
    ]
    return result or [(text, entities)]


def _cut(text: str, start: int, budget: int) -> int:
    """End index of the longest piece from `start` that fits, preferring a boundary."""
    end = start
    used = 0
    while end < len(text):
        width = 2 if ord(text[end]) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        end += 1
    if end >= len(text):
        return len(text)
    window = text[start:end]
    for boundary in ("\n\n", "\n", " "):
        position = window.rfind(boundary)
        if position > 0:
            return start + position
    return end


def _utf16_offsets(text: str) -> list[int]:
    """offsets[i] = UTF-16 offset of code point i (and of the end at len(text))."""
    return [0, *accumulate(2 if ord(char) > 0xFFFF else 1 for char in text)]


def _slice(entities: tuple[MessageEntity, ...], begin: int, end: int) -> tuple[MessageEntity, ...]:
    """Entities clipped to [begin, end) and shifted to start at 0."""
    clipped = []
    for entity in entities:
        lo = max(entity.offset, begin)
        hi = min(entity.offset + entity.length, end)
        if hi <= lo:
            continue
        data = entity.to_dict()
        data["offset"] = lo - begin
        data["length"] = hi - lo
        clipped.append(MessageEntity.de_json(data, None))
    return tuple(entity for entity in clipped if entity is not None)
