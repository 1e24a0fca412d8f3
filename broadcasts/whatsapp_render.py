"""An announcement as a WhatsApp subscriber reads it: one text in WhatsApp's own marks.

The same header, body and footer as on Telegram (render.py), with the operator's formatting
as `*tebal*` `_miring_` `~coret~` (bot/whatsapp/markup.py) and no buttons (WhatsApp's reply
buttons would each need an answer the bot does not have). A photo or a file is not re-hosted
on WhatsApp: its caption goes, with a line saying where the picture or file is. Outside the
person's 24-hour window only the approved template may go: `topic` is its header and
`teaser` the plain text its excerpt is cut from (broadcasts/whatsapp.py).
"""

from __future__ import annotations

from bot.texts import siaran as t
from bot.whatsapp import markup
from broadcasts.announcements import Announcement
from broadcasts.content import Kind, Part
from broadcasts.sender import Outgoing

TEXT_LIMIT = 4096  # characters in one WhatsApp text


def outgoing(announcement: Announcement, organization: str) -> Outgoing:
    assert announcement.topic is not None and announcement.urgency is not None
    first, second = t.header_lines(organization, announcement.topic, announcement.urgency)
    body = markup.from_entities(announcement.body.text, announcement.body.entities).strip()
    kind = announcement.body.kind
    if kind is not Kind.TEXT:
        note = t.media_on_telegram(kind.value, organization)
        body = f"{body}\n\n{note}" if body else note
    correction = f"#{announcement.correction_of}" if announcement.correction_of else None
    footer = t.footer(announcement.number, verified=True, correction_of=correction)
    head, tail = f"*{first}*\n{second}\n\n", f"\n\n_{footer}_"
    body = cut(body, TEXT_LIMIT - len(head) - len(tail))
    return Outgoing(
        (Part(Kind.TEXT, head + body + tail),),
        topic=t.whatsapp_headline(announcement.topic),
        teaser=announcement.body.text.strip() or body,
    )


def cut(text: str, limit: int) -> str:
    """`text` if it fits, else its longest start ending at a word, then "…"."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if not text[limit - 1].isspace() and space > limit // 2:  # not already at a word's end
        head = head[:space]
    return head.rstrip() + "…"


def excerpt(text: str, limit: int) -> str:
    """A template parameter: WhatsApp refuses new lines and runs of spaces in one, so the
    text goes on one line, cut at a word."""
    return cut(" ".join(text.split()), limit)
