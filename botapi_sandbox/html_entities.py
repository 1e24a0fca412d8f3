"""Telegram-style HTML parsing into plain text + entities, and back.

Mirrors TDLib's strict parser (not html.parser's lenient one) so that markup the real
server rejects, such as an unescaped ``<`` from user input, is rejected here too.
Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

from typing import Any

Entity = dict[str, Any]

_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED_TAGS = frozenset({*_SIMPLE_TAGS, "span", "a", "tg-emoji"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class EntityParseError(ValueError):
    """Raised with Telegram's wording so the caller can prefix "can't parse entities"."""


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: astral characters (most emoji) take two units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos``; ``None`` means the ampersand is a literal."""
    end = source.find(";", pos + 1, pos + 12)
    if end == -1:
        return None
    name = source[pos + 1 : end]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    try:
        if name.startswith(("#x", "#X")):
            code = int(name[2:], 16)
        elif name.startswith("#"):
            code = int(name[1:], 10)
        else:
            return None
        return chr(code), end + 1
    except (ValueError, OverflowError):
        return None


def _parse_attributes(source: str, pos: int, tag: str) -> tuple[dict[str, str], int]:
    """Read attributes up to ``>``; returns them and the index after ``>``."""
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise EntityParseError(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, pos)}'
            )
        if source[pos] == ">":
            return attrs, pos + 1
        start = pos
        while pos < n and (source[pos].isalnum() or source[pos] in "-_"):
            pos += 1
        attr = source[start:pos].lower()
        if not attr:
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(source, pos)}"
            )
        while pos < n and source[pos].isspace():
            pos += 1
        if pos < n and source[pos] != "=":
            attrs[attr] = ""
            continue
        pos += 1
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise EntityParseError(
                f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, pos)}'
            )
        if source[pos] in "\"'":
            quote = source[pos]
            end = source.find(quote, pos + 1)
            if end == -1:
                raise EntityParseError(
                    f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, pos)}'
                )
            raw = source[pos + 1 : end]
            pos = end + 1
        else:
            start = pos
            while pos < n and not source[pos].isspace() and source[pos] != ">":
                pos += 1
            raw = source[start:pos]
        attrs[attr] = _unescape_attribute(raw)


def _unescape_attribute(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&":
            decoded = _decode_entity(raw, i)
            if decoded is not None:
                out.append(decoded[0])
                i = decoded[1]
                continue
        out.append(raw[i])
        i += 1
    return "".join(out)


def _entity_for(tag: str, attrs: dict[str, str], source: str, at: int) -> Entity | None:
    """Entity skeleton for an opening tag (offset/length filled in on close)."""
    if tag in _SIMPLE_TAGS:
        kind = _SIMPLE_TAGS[tag]
        if kind == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        entity: Entity = {"type": kind}
        if tag == "code" and attrs.get("class", "").startswith("language-"):
            entity["language"] = attrs["class"][len("language-") :]
        return entity
    if tag == "span":
        if attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, at)}'
            )
        return {"type": "spoiler"}
    if tag == "a":
        href = attrs.get("href", "")
        user_id = href.removeprefix("tg://user?id=")
        if user_id != href and user_id.isdigit():
            return {
                "type": "text_mention",
                "user": {"id": int(user_id), "is_bot": False, "first_name": ""},
            }
        return {"type": "text_link", "url": href} if href else {"type": "_plain"}
    if tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id")
        if not emoji_id:
            raise EntityParseError(
                'Tag "tg-emoji" must have attribute "emoji-id" '
                f"at byte offset {_byte_offset(source, at)}"
            )
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    return None


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Return (plain text, entities) or raise :class:`EntityParseError`."""
    text: list[str] = []
    pos16 = 0
    entities: list[Entity] = []
    stack: list[tuple[str, Entity, int]] = []  # (tag, entity, start offset in UTF-16)
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                text.append(decoded[0])
                pos16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
        if ch != "<":
            text.append(ch)
            pos16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue
        tag_at = i
        closing = i + 1 < n and source[i + 1] == "/"
        j = i + 2 if closing else i + 1
        start = j
        while j < n and source[j].lower() in _TAG_NAME_CHARS:
            j += 1
        tag = source[start:j].lower()
        if not tag:
            raise EntityParseError(f"Empty tag name at byte offset {_byte_offset(source, tag_at)}")
        if closing:
            while j < n and source[j].isspace():
                j += 1
            if j >= n or source[j] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, tag_at)}"
                )
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, tag_at)}"
                )
            open_tag, entity, begin = stack.pop()
            if open_tag != tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, tag_at)}, "
                    f'expected "</{open_tag}>", found "</{tag}>"'
                )
            _close(entities, stack, entity, begin, pos16)
            i = j + 1
            continue
        if tag not in _SUPPORTED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, tag_at)}'
            )
        attrs, i = _parse_attributes(source, j, tag)
        entity_or_none = _entity_for(tag, attrs, source, tag_at)
        assert entity_or_none is not None
        stack.append((tag, entity_or_none, pos16))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    plain = "".join(text)
    return plain, sort_entities(entities)


def _close(
    entities: list[Entity],
    stack: list[tuple[str, Entity, int]],
    entity: Entity,
    begin: int,
    end: int,
) -> None:
    if entity["type"] == "_plain" or end == begin:
        return
    entity = {"offset": begin, "length": end - begin, **entity}
    if entity["type"] == "pre":
        # <pre><code class="language-x">…</code></pre> becomes one pre entity with a language.
        for k in range(len(entities) - 1, -1, -1):
            inner = entities[k]
            if (
                inner["type"] == "code"
                and inner["offset"] == begin
                and inner["length"] == end - begin
            ):
                if "language" in inner:
                    entity["language"] = inner["language"]
                del entities[k]
                break
    elif (
        entity["type"] == "code"
        and "language" in entity
        and not any(t == "pre" for t, _, _ in stack)
    ):
        del entity["language"]
    entities.append(entity)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Telegram's order: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace like Telegram does, shifting and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    new_len = utf16_len(stripped)
    out: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_len)
        if end > start:
            out.append({**entity, "offset": start, "length": end - start})
    return stripped, out


_TAG_FOR_TYPE: dict[str, str] = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "spoiler": "tg-spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
    "text_link": "a",
    "text_mention": "a",
    "custom_emoji": "tg-emoji",
}


def escape(text: str) -> str:
    """Escape the three characters Telegram's HTML mode requires escaping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _open_tag(entity: Entity) -> str:
    kind = entity["type"]
    tag = _TAG_FOR_TYPE[kind]
    if kind == "text_link":
        return f'<a href="{escape(entity["url"])}">'
    if kind == "text_mention":
        return f'<a href="tg://user?id={entity["user"]["id"]}">'
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{entity["custom_emoji_id"]}">'
    if kind == "expandable_blockquote":
        return "<blockquote expandable>"
    if kind == "pre" and entity.get("language"):
        return f'<pre><code class="language-{entity["language"]}">'
    return f"<{tag}>"


def _close_tag(entity: Entity) -> str:
    if entity["type"] == "pre" and entity.get("language"):
        return "</code></pre>"
    return f"</{_TAG_FOR_TYPE[entity['type']]}>"


def to_html(text: str, entities: list[Entity]) -> str:
    """Render text + entities as canonical Telegram HTML (for readable assertions)."""
    formatting = [e for e in sort_entities(entities) if e["type"] in _TAG_FOR_TYPE]
    opens: dict[int, list[Entity]] = {}
    for entity in formatting:
        opens.setdefault(entity["offset"], []).append(entity)
    out: list[str] = []
    open_stack: list[Entity] = []
    pos16 = 0
    for ch in [*text, ""]:
        while open_stack and open_stack[-1]["offset"] + open_stack[-1]["length"] <= pos16:
            out.append(_close_tag(open_stack.pop()))
        for entity in opens.get(pos16, ()):
            out.append(_open_tag(entity))
            open_stack.append(entity)
        if ch:
            out.append(escape(ch))
            pos16 += 2 if ord(ch) > 0xFFFF else 1
    while open_stack:
        out.append(_close_tag(open_stack.pop()))
    return "".join(out)
