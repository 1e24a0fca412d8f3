"""Validation of what the bot sends: formatted text/captions and reply markup.

Limits follow the Bot API: text 1-4096 and captions 0-1024 UTF-16 units after entity
parsing, callback_data 1-64 bytes.
"""

from __future__ import annotations

from typing import Any

from botapi_sandbox.errors import bad_request
from botapi_sandbox.html_entities import (
    Entity,
    EntityParseError,
    parse_html,
    sort_entities,
    strip_text,
    utf16_len,
)
from botapi_sandbox.models import Button

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "copy_text",
    "callback_game",
    "pay",
)


def _clip_entities(text: str, entities: Any) -> list[Entity]:
    """Explicit entities, clipped to the text like TDLib's fix-up does."""
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    size = utf16_len(text)
    out: list[Entity] = []
    for raw in entities:
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise bad_request("can't parse MessageEntity JSON object")
        offset, length = raw.get("offset"), raw.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request("can't parse MessageEntity JSON object")
        start, end = max(offset, 0), min(offset + length, size)
        if end > start:
            out.append({**raw, "offset": start, "length": end - start})
    return sort_entities(out)


def parse_formatted(
    text: Any, parse_mode: Any = None, entities: Any = None, *, caption: bool = False
) -> tuple[str, list[Entity]]:
    """Plain text + entities as Telegram stores them, or an ApiError explaining the rejection."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = str(text)
    if entities is not None:
        plain, found = text, _clip_entities(text, entities)
    elif parse_mode in (None, ""):
        plain, found = text, []
    elif str(parse_mode).upper() == "HTML":
        try:
            plain, found = parse_html(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    elif str(parse_mode).lower() in ("markdown", "markdownv2"):
        raise bad_request(
            f"parse_mode {parse_mode} is not supported by this test server; send HTML"
        )
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    plain, found = strip_text(plain, found)
    if caption:
        if utf16_len(plain) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if utf16_len(plain) > TEXT_LIMIT:
            raise bad_request("message is too long")
    return plain, found


def _parse_inline_button(raw: Any) -> Button:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    actions = [key for key in _INLINE_ACTIONS if key in raw]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = raw.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = raw.get("url")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://"))
    ):
        raise bad_request("BUTTON_URL_INVALID")
    return Button(text=raw["text"], callback_data=data, url=url, raw=raw)


def parse_reply_markup(markup: Any) -> tuple[dict[str, Any] | None, list[list[Button]]]:
    """Validated reply_markup and its inline buttons (empty for other keyboard kinds)."""
    if markup is None:
        return None, []
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        return markup, [[_parse_inline_button(b) for b in row] for row in rows]
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for b in row:
                if not isinstance(b, str | dict) or (
                    isinstance(b, dict) and not isinstance(b.get("text"), str)
                ):
                    raise bad_request(
                        "can't parse keyboard button: KeyboardButton must be a String or an Object"
                    )
        return markup, []
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup, []
    raise bad_request("can't parse reply keyboard markup JSON object")
