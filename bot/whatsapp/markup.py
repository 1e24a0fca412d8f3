"""kim-bot's texts as WhatsApp writes them: `*tebal*`, `_miring_`, `~coret~`.

Two sources: an announcement's Telegram entities (the operator's own formatting, kept as it
was typed) and the text catalog's HTML (bot/texts). WhatsApp has no links with labels and
no escaping, so a labelled link becomes "label (url)" and every other tag is dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from telegram import MessageEntity

_MARKS = {
    MessageEntity.BOLD: "*",
    MessageEntity.ITALIC: "_",
    MessageEntity.STRIKETHROUGH: "~",
}
_HTML_MARKS = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "del": "~", "strike": "~"}
_TAG = re.compile(r"<(/?)([a-zA-Z]+)([^>]*)>")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""")


def from_entities(body: str, entities: Sequence[MessageEntity]) -> str:
    """Bold, italic and strikethrough entities as WhatsApp's marks, where WhatsApp can show
    them (within one line, without spaces just inside the marks)."""
    offsets = _utf16_offsets(body)
    inserts: list[tuple[int, int, int, str]] = []  # (position, closing first, nesting, mark)
    for rank, entity in enumerate(entities):
        mark = _MARKS.get(entity.type)
        start, end = offsets.get(entity.offset), offsets.get(entity.offset + entity.length)
        if mark is None or start is None or end is None:
            continue
        inner = body[start:end]
        if not inner.strip() or "\n" in inner.strip():
            continue
        start += len(inner) - len(inner.lstrip())
        end -= len(inner) - len(inner.rstrip())
        inserts += [(start, 1, rank, mark), (end, 0, -rank, mark)]
    out, last = [], 0
    for position, _, _, mark in sorted(inserts):
        out += [body[last:position], mark]
        last = position
    return "".join([*out, body[last:]])


def from_html(text: str) -> str:
    """A catalog text (Telegram's HTML subset) as WhatsApp text."""
    out: list[str] = []
    links: list[str | None] = []
    last = 0
    for match in _TAG.finditer(text):
        out.append(html.unescape(text[last : match.start()]))
        last = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in _HTML_MARKS:
            out.append(_HTML_MARKS[name])
        elif name == "a" and not closing:
            href = _HREF.search(match.group(3))
            links.append(html.unescape(href.group(1)) if href else None)
        elif name == "a" and links:
            url = links.pop()
            if url and not url.startswith("tg://"):
                out.append(f" ({url})")
    out.append(html.unescape(text[last:]))
    return "".join(out)


def _utf16_offsets(text: str) -> dict[int, int]:
    """UTF-16 offset → index in `text`, for every character boundary."""
    mapping, units = {}, 0
    for index, char in enumerate(text):
        mapping[units] = index
        units += 2 if ord(char) > 0xFFFF else 1
    mapping[units] = len(text)
    return mapping
