"""The messages endpoint's content rules: what Meta accepts for text, template and interactive.

Limits, from the Cloud API reference: text body 4096 characters; interactive body 1024,
header and footer 60; reply buttons 1 to 3, titles 1 to 20 characters, ids up to 256,
both unique; a list's menu button up to 20 characters, up to 10 sections, up to 10 rows in
total, row titles 24, descriptions 72, ids 200 and unique, section titles 24. A template
must exist in the requested language and be approved, and each component must carry as
many parameters as its text has ``{{n}}`` variables (132000 otherwise).
"""

from __future__ import annotations

from typing import Any

from whatsapp_sandbox.errors import GraphError, bad_param, invalid
from whatsapp_sandbox.models import (
    JSON,
    ButtonsMessage,
    ListMessage,
    Received,
    ReplyButton,
    Row,
    Section,
    Template,
    TemplateMessage,
    TextMessage,
    fill,
    placeholders,
)

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_MAX = 20
SECTIONS_MAX = 10
ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
SECTION_TITLE_MAX = 24
OUTBOUND_TYPES = ("text", "template", "interactive")


def _obj(value: Any, name: str) -> JSON:
    if not isinstance(value, dict):
        raise bad_param(f"Param {name} must be a JSON object.")
    return value


def _str(value: Any, name: str, *, limit: int, required: bool = True, minimum: int = 1) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise GraphError(131008, f"Param {name} is required and must be a string.")
    if not minimum <= len(value) <= limit:
        raise invalid(f"{name} length invalid. Min length: {minimum}, Max length: {limit}")
    return value


def parse(body: JSON, wa_id: str, templates: dict[tuple[str, str], Template]) -> Received:
    """The record of what would reach ``wa_id``, or the GraphError Meta would answer."""
    kind = body.get("type", "text")
    if kind not in OUTBOUND_TYPES:
        raise bad_param(f"Param type must be one of {{{', '.join(OUTBOUND_TYPES)}}}.")
    context = body.get("context")
    reply_to = context.get("message_id") if isinstance(context, dict) else None
    if kind == "text":
        text = _obj(body.get("text"), "text")
        message = text.get("body")
        if not isinstance(message, str) or not message:
            raise GraphError(131008, "The parameter text['body'] is required.")
        if len(message) > TEXT_MAX:
            raise bad_param(f"Param text['body'] must be at most {TEXT_MAX} characters long.")
        return TextMessage(
            "",
            wa_id,
            0.0,
            reply_to=reply_to,
            body=message,
            preview_url=bool(text.get("preview_url")),
        )
    if kind == "template":
        return _template(_obj(body.get("template"), "template"), wa_id, templates, reply_to)
    return _interactive(_obj(body.get("interactive"), "interactive"), wa_id, reply_to)


def _text_part(part: Any, name: str, limit: int) -> str:
    if part is None:
        return ""
    return _str(_obj(part, name).get("text"), f"{name}['text']", limit=limit)


def _interactive(spec: JSON, wa_id: str, reply_to: str | None) -> Received:
    kind = spec.get("type")
    body = _str(
        _obj(spec.get("body"), "interactive['body']").get("text"),
        "interactive['body']['text']",
        limit=INTERACTIVE_BODY_MAX,
    )
    header = _text_part(spec.get("header"), "interactive['header']", HEADER_MAX)
    footer = _text_part(spec.get("footer"), "interactive['footer']", FOOTER_MAX)
    action = _obj(spec.get("action"), "interactive['action']")
    if kind == "button":
        raw = action.get("buttons")
        if not isinstance(raw, list) or not 1 <= len(raw) <= BUTTONS_MAX:
            raise invalid(f"Buttons count invalid. Min: 1, Max: {BUTTONS_MAX}")
        buttons: list[ReplyButton] = []
        for item in raw:
            reply = _obj(_obj(item, "button").get("reply"), "button['reply']")
            buttons.append(
                ReplyButton(
                    _str(reply.get("id"), "Button id", limit=BUTTON_ID_MAX),
                    _str(reply.get("title"), "Button title", limit=BUTTON_TITLE_MAX),
                )
            )
        if len({b.title for b in buttons}) < len(buttons):
            raise invalid("Button title is not unique")
        if len({b.id for b in buttons}) < len(buttons):
            raise invalid("Button id is not unique")
        return ButtonsMessage(
            "",
            wa_id,
            0.0,
            reply_to=reply_to,
            body=body,
            header=header,
            footer=footer,
            reply_buttons=tuple(buttons),
        )
    if kind == "list":
        menu = _str(action.get("button"), "Action button", limit=LIST_BUTTON_MAX)
        raw_sections = action.get("sections")
        if not isinstance(raw_sections, list) or not 1 <= len(raw_sections) <= SECTIONS_MAX:
            raise invalid(f"Sections count invalid. Min: 1, Max: {SECTIONS_MAX}")
        sections = [_section(s, several=len(raw_sections) > 1) for s in raw_sections]
        rows = [row for section in sections for row in section.rows]
        if len(rows) > ROWS_MAX:
            raise invalid(f"Total row count exceed max allowed count: {ROWS_MAX}")
        if len({row.id for row in rows}) < len(rows):
            raise invalid("Row id is not unique")
        return ListMessage(
            "",
            wa_id,
            0.0,
            reply_to=reply_to,
            body=body,
            header=header,
            footer=footer,
            button=menu,
            sections=tuple(sections),
        )
    raise bad_param("Param interactive['type'] must be one of {button, list}.")


def _section(raw: Any, *, several: bool) -> Section:
    spec = _obj(raw, "section")
    title = _str(spec.get("title"), "Section title", limit=SECTION_TITLE_MAX, required=several)
    raw_rows = spec.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        raise invalid("Rows count invalid. Min: 1")
    rows = []
    for item in raw_rows:
        row = _obj(item, "row")
        rows.append(
            Row(
                _str(row.get("id"), "Row id", limit=ROW_ID_MAX),
                _str(row.get("title"), "Row title", limit=ROW_TITLE_MAX),
                _str(
                    row.get("description"),
                    "Row description",
                    limit=ROW_DESCRIPTION_MAX,
                    required=False,
                    minimum=0,
                ),
            )
        )
    return Section(title, tuple(rows))


def _params(component: JSON) -> list[str]:
    values = []
    for param in component.get("parameters") or []:
        param = _obj(param, "parameter")
        kind = param.get("type")
        if kind == "text":
            values.append(_str(param.get("text"), "Parameter text", limit=32768))
        elif kind == "payload":
            values.append(_str(param.get("payload"), "Parameter payload", limit=BUTTON_ID_MAX))
        else:
            raise invalid(f"Parameter type {kind!r} is not supported by the sandbox")
    return values


def _template(
    spec: JSON, wa_id: str, templates: dict[tuple[str, str], Template], reply_to: str | None
) -> TemplateMessage:
    name = _str(spec.get("name"), "template['name']", limit=512)
    language = _obj(spec.get("language"), "template['language']")
    code = _str(language.get("code"), "template['language']['code']", limit=16)
    template = templates.get((name, code))
    if template is None or template.status != "APPROVED":
        raise GraphError(132001, f"template name ({name}) does not exist in {code}")
    header: list[str] = []
    body: list[str] = []
    payloads: dict[int, str] = {}
    for raw in spec.get("components") or []:
        component = _obj(raw, "component")
        kind = str(component.get("type", "")).lower()
        if kind == "header":
            header = _params(component)
        elif kind == "body":
            body = _params(component)
        elif kind == "button":
            index = int(component.get("index", 0))
            values = _params(component)
            if component.get("sub_type") != "quick_reply" or index >= len(template.quick_replies):
                raise invalid(f"button at index {index} is not a quick reply of {name}")
            payloads[index] = values[0] if values else template.quick_replies[index]
        else:
            raise bad_param(f"Param template['components'] has an unknown type {kind!r}.")
    for part, values, text in (("header", header, template.header), ("body", body, template.body)):
        expected = placeholders(text)
        if len(values) != expected:
            raise GraphError(
                132000,
                f"{part}: number of localizable_params ({len(values)}) does not match "
                f"the expected number of params ({expected})",
            )
    quick = tuple(
        ReplyButton(payloads.get(i, title), title) for i, title in enumerate(template.quick_replies)
    )
    return TemplateMessage(
        "",
        wa_id,
        0.0,
        billable=True,
        category=template.category.lower(),
        reply_to=reply_to,
        name=name,
        language=code,
        header_params=header,
        body_params=body,
        header=fill(template.header, header),
        body=fill(template.body, body),
        quick_replies=quick,
    )
