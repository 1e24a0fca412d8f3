"""An announcement as a recipient sees it, ready for the sender."""

from __future__ import annotations

from telegram import MessageEntity

from bot.texts import siaran as t
from broadcasts.announcements import Announcement
from broadcasts.content import Part, frame, utf16_len
from broadcasts.reactions import Choice, Relay, Vote
from broadcasts.sender import Outgoing


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


def outgoing(announcement: Announcement, organization: str, chat_kind: str) -> Outgoing:
    """What one chat of `chat_kind` receives: the announcement with its `buttons`, and for a
    correction a reply to the original in that chat (added per row)."""
    return Outgoing(
        tuple(parts(announcement, organization, verified=True)), buttons(announcement.id, chat_kind)
    )
