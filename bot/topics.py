"""Announcement topics, shared by subscriptions, announcements and channels.

Stored as bits of an integer (a subscription's `topics` column), so a set of topics fits in
a few bytes of callback data and "subscribers of topic T" is `topics & T.bit != 0`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts


@dataclass(frozen=True)
class Topic:
    key: str
    bit: int

    @property
    def label(self) -> str:
        return texts.TOPIC_LABELS[self.key]


TOPICS: tuple[Topic, ...] = tuple(
    Topic(key, 1 << index) for index, key in enumerate(texts.TOPIC_LABELS)
)
BY_KEY = {topic.key: topic for topic in TOPICS}
ALL_BITS = sum(topic.bit for topic in TOPICS)
DEFAULT_BITS = BY_KEY["klarifikasi"].bit  # clarifications are on unless someone opts out


def topics_in(bits: int) -> list[Topic]:
    return [topic for topic in TOPICS if bits & topic.bit]


def valid_bits(bits: int) -> bool:
    return 0 <= bits <= ALL_BITS
