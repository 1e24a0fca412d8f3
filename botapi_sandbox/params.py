"""Decoding of request parameters as PTB sends them (every value a string).

PTB JSON-dumps every non-string value, so anything not known to be free text is
``json.loads``-ed; free-text fields stay strings even when they look like numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from botapi_sandbox.errors import bad_request

# Fields whose value is text written by the bot, never JSON.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "data",
        "parse_mode",
        "callback_query_id",
        "url",
        "description",
        "short_description",
        "language_code",
        "file_id",
        "inline_message_id",
        "emoji",
        "title",
        "address",
        "phone_number",
        "first_name",
        "last_name",
        "action",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "name",
        "message_effect_id",
    }
)
# Fields that may be a file upload (multipart) or a file_id/URL string.
FILE_FIELDS = frozenset(
    {
        "photo",
        "document",
        "video",
        "audio",
        "voice",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file uploaded in a multipart request."""

    data: bytes
    filename: str | None
    mime_type: str | None


def decode_value(name: str, raw: str) -> Any:
    """Turn one form value into the Python value the Bot API means."""
    if name in STRING_FIELDS or (name in FILE_FIELDS and not raw.startswith(("{", "["))):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _decode_form(form: MultiDictProxy[str | bytes | bytearray | web.FileField]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            params[name] = Upload(value.file.read(), value.filename, value.content_type)
        elif isinstance(value, bytes | bytearray):
            params[name] = decode_value(name, bytes(value).decode("utf-8", "replace"))
        else:
            params[name] = decode_value(name, value)
    return params


async def read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = {
        name: decode_value(name, value) for name, value in request.query.items()
    }
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        params.update(body)
    else:
        params.update(_decode_form(await request.post()))
    return params


def resolve_attachments(value: Any, params: dict[str, Any]) -> Any:
    """Replace ``attach://name`` strings (used by sendMediaGroup) with their uploads."""
    if isinstance(value, str) and value.startswith("attach://"):
        return params.get(value[len("attach://") :], value)
    if isinstance(value, list):
        return [resolve_attachments(v, params) for v in value]
    if isinstance(value, dict):
        return {k: resolve_attachments(v, params) for k, v in value.items()}
    return value


def loggable(params: dict[str, Any]) -> dict[str, Any]:
    """Params with uploads summarised, so the request log stays small and printable."""
    if not any(isinstance(v, Upload) for v in params.values()):
        return params
    return {
        k: (f"<upload {v.filename!r} {len(v.data)} bytes>" if isinstance(v, Upload) else v)
        for k, v in params.items()
    }
