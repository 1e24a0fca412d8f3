"""Who receives an announcement: its targets turned into chats, counted before anything is sent.

The rules, in one place:
- an area (the kabupaten, a kecamatan, a desa) reaches the approved KIM groups inside it,
  and a chosen kecamatan (or the kabupaten) its Forum KIM as well;
  "forums only" replaces those groups with the Forum KIM of the chosen kecamatan (and the
  kabupaten's forum when the whole kabupaten is chosen);
- channels: the kabupaten's channel always, the channels of the chosen kecamatan (and of the
  desa's kecamatan; all of them for the whole kabupaten), and channels of the topic;
- subscribers: people subscribed to a matching area whose topics include the announcement's
  (readers of the weekly digest only when it is darurat: the digest lists the rest);
- only active chats and reachable people count; a chat is listed once even if several rules
  select it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot import kim, subscriptions
from bot.addresses import Channel, channel_of
from bot.storage import Database
from bot.topics import BY_KEY
from broadcasts.targets import Targets

KINDS = ("kim", "forum", "channel", "private")


@dataclass
class Recipients:
    rows: list[tuple[int, str]] = field(default_factory=list)  # (chat_id, kind), unique chats
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def by_channel(self) -> dict[Channel, int]:
        """How many go by each channel (groups, forums and channels are all Telegram's)."""
        counts = dict.fromkeys(Channel, 0)
        for chat_id, _ in self.rows:
            counts[channel_of(chat_id)] += 1
        return counts

    @property
    def whatsapp_people(self) -> list[int]:
        """The WhatsApp subscribers among the recipients (their person ids)."""
        return [chat_id for chat_id, _ in self.rows if channel_of(chat_id) is Channel.WHATSAPP]

    def add(self, chat_ids: Iterable[int], kind: str, seen: set[int]) -> None:
        for chat_id in chat_ids:
            if chat_id not in seen:
                seen.add(chat_id)
                self.rows.append((chat_id, kind))
                self.counts[kind] += 1


async def resolve(
    db: Database, targets: Targets, topic: str, *, digest_readers: bool = False
) -> Recipients:
    """Every chat the announcement goes to, by kind; nothing is written.

    Readers of the weekly digest get it there instead, unless `digest_readers` (darurat).
    """
    found = Recipients()
    seen: set[int] = set()
    if targets.chats:  # a correction goes exactly where the original went
        kinds = await _kinds_of(db, targets.chats)
        for chat_id in targets.chats:
            found.add([chat_id], kinds.get(chat_id, "private"), seen)
        return found
    whole = targets.kabupaten
    kecamatan = sorted(targets.kecamatan)
    desa = sorted(targets.desa)
    around = sorted(set(kecamatan) | {code.rsplit(".", 1)[0] for code in desa})

    if targets.forums_only:
        forums = await kim.forums(db, None if whole else around, include_kabupaten=whole)
        found.add((f.chat_id for f in forums), "forum", seen)
    elif whole:
        found.add((g.chat_id for g in await kim.active_groups(db)), "kim", seen)
        found.add((f.chat_id for f in await kim.forums(db)), "forum", seen)
    else:
        groups = [
            *await kim.active_groups(db, kecamatan_codes=kecamatan),
            *await kim.active_groups(db, desa_codes=desa),
        ]
        found.add((g.chat_id for g in groups), "kim", seen)
        if kecamatan:
            forums = await kim.forums(db, kecamatan, include_kabupaten=False)
            found.add((f.chat_id for f in forums), "forum", seen)
    if targets.channels:
        channels = await kim.channels_for(db, None if whole else around, topic)
        found.add((c.chat_id for c in channels), "channel", seen)
    if targets.subscribers and not targets.forums_only:
        people = await subscriptions.recipients(
            db,
            kecamatan_codes=kecamatan,
            desa_codes=desa,
            whole_kabupaten=whole,
            topic_bit=BY_KEY[topic].bit,
            digest=None if digest_readers else False,
        )
        found.add(people, "private", seen)
    return found


async def _kinds_of(db: Database, chat_ids: Iterable[int]) -> dict[int, str]:
    """The kind each chat had in its registration (people have none: private)."""
    ids = sorted(set(chat_ids))
    marks = ", ".join("?" for _ in ids) or "NULL"
    rows = await db.fetchall(
        f"SELECT chat_id, kind FROM registrations WHERE chat_id IN ({marks})"
        " AND status = 'approved'",
        ids,
    )
    return {int(row[0]): str(row[1]) for row in rows}
