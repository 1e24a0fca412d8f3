"""An announcement as a recipient sees it, ready for the sender."""

from __future__ import annotations

from telegram import MessageEntity

from bot import relay
from bot.texts import siaran as t
from broadcasts.announcements import Announcement
from broadcasts.content import Part, frame, utf16_len
from broadcasts.reactions import Choice, Relay, Vote
from broadcasts.sender import Link, Outgoing


def parts(announcement: Announcement, organization: str, *, verified: bool) -> list[Part]:
    """Header, the operator's content, footer; raises ContentError when a caption is too long."""
    assert announcement.topic is not None and announcement.urgency is not None
    first, second = t.header_lines(organization, announcement.topic, announcement.urgency)
    header = f"{first}\n{second}\n\n"
    header_entities = [MessageEntity(MessageEntity.BOLD, 0, utf16_len(first))]
    correction = f"#{announcement.correction_of}" if announcement.correction_of else None
    footer = "\n\n" + t.footer(announcement.number, verified=verified, correction_of=correction)
    footer_entities = [MessageEntity(MessageEntity.ITALIC, 2, utf16_len(footer) - 2)]
    return frame(announcement.body, (header, header_entities), (footer, footer_entities))


def buttons(announcement_id: int, chat_kind: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Reaction buttons for all, a relay button in KIM groups: (label, data) rows."""
    rows: list[tuple[tuple[str, str], ...]] = [
        (
            Vote(announcement_id, Choice.UP).pair(t.VOTE_UP),
            Vote(announcement_id, Choice.DOWN).pair(t.VOTE_DOWN),
        )
    ]
    if chat_kind == "kim":
        rows.append((Relay(announcement_id).pair(t.RELAYED),))
    return tuple(rows)


def outgoing(
    announcement: Announcement, organization: str, chat_kind: str, relay_key: bytes | None = None
) -> Outgoing:
    """What one chat of `chat_kind` receives: the announcement with its `buttons`, and for a
    correction a reply to the original in that chat (added per row). With the office's relay
    secret, a KIM group's copy also gets "Bagikan ke WhatsApp" (`share`); previews, rendered
    without it, do not, so no draft ever carries a valid check code."""
    links: tuple[Link, ...] = ()
    if chat_kind == "kim" and relay_key is not None:
        links = (share(announcement, organization, relay_key),)
    return Outgoing(
        tuple(parts(announcement, organization, verified=True)),
        buttons(announcement.id, chat_kind),
        links=links,
    )


def share(announcement: Announcement, organization: str, relay_key: bytes) -> Link:
    """The wa.me link with the announcement's text, trimmed, numbered and coded (bot.relay)."""
    body = announcement.body
    text = relay.text(relay_key, announcement.id, organization, body.text, body.entities)
    return Link(t.SHARE_WHATSAPP, relay.link(text))
