"""What the bot answers a villager on WhatsApp: words instead of commands, choices instead
of inline buttons.

Order of reading one message: a picked button or row is its flow's next step (or stale); a
typed word (DAFTAR, CEK, LAPOR, BERHENTI, HAPUS DATA; any case, a leading "/" allowed)
starts its flow and ends any open step; otherwise the open step takes the message (the
report after LAPOR, forwarded or typed; a desa name after the desa list); a forwarded text
outside a step is something to check; anything else gets the help listing the words. An
emoji reaction gets no reply (handlers/whatsapp.py counts it as a vote).

`answer` changes the database (subscriptions, steps, forgetting) and returns the replies;
handlers/whatsapp.py sends them. Nothing here talks to the Cloud API.
"""

from __future__ import annotations

from bot import privacy, subscriptions
from bot.buttons import ButtonData
from bot.services import Services
from bot.texts import whatsapp as t
from bot.topics import ALL_BITS, valid_bits
from bot.whatsapp import signup, steps, tipline
from bot.whatsapp.choices import (
    AllTopics,
    AskTopics,
    Delivery,
    DesaPage,
    Forget,
    KecamatanPage,
    PickTopics,
    SaveTopics,
    button,
    decode,
)
from bot.whatsapp.contacts import Contact
from bot.whatsapp.replies import Buttons, Incoming, Kind, Reply, Text

STOP_WORDS = frozenset({"BERHENTI", "STOP", "UNSUBSCRIBE"})
FORGET_WORDS = frozenset({"HAPUS DATA", "HAPUSDATA"})


async def answer(services: Services, contact: Contact, message: Incoming) -> list[Reply]:
    """The replies to one message of `contact`, in order."""
    db, user_id = services.db, contact.user_id
    if message.kind is Kind.REACTION:  # an emoji is no question: it counts as a vote only
        return []
    if message.kind is Kind.CHOICE:
        await steps.close(db, user_id)
        return await _choice(services, contact, message)
    if message.kind is Kind.TEXT and not message.forwarded:
        word, rest = _word(message.text)
        if word is not None:
            await steps.close(db, user_id)
            return await _said(services, contact, word, rest)
    step = await steps.current(
        db, user_id, services.clock.now(), services.settings.waiting_step_timeout
    )
    if step is not None and step.name == steps.REPORT:
        await steps.close(db, user_id)
        return await tipline.report(services, contact, message)
    if message.kind is Kind.TEXT and message.forwarded:
        await steps.close(db, user_id)
        return await tipline.check(services, contact, message.text)
    if step is not None and step.name == steps.DESA and message.kind is Kind.TEXT:
        return await signup.typed_desa(services, user_id, step.detail, message.text)
    return [Text(t.HELP)]


def _word(text: str) -> tuple[str | None, str]:
    """(the keyword, the rest as typed) when `text` starts with one of the words."""
    words = text.strip().lstrip("/").split(maxsplit=1)
    if not words:
        return None, ""
    first, rest = words[0].upper(), (words[1].strip() if len(words) > 1 else "")
    if first in {"DAFTAR", "CEK", "LAPOR"}:
        return first, rest
    whole = " ".join(text.split()).lstrip("/").upper()
    if whole in STOP_WORDS:
        return "BERHENTI", ""
    if whole in FORGET_WORDS:
        return "HAPUS DATA", ""
    return None, ""


async def _said(services: Services, contact: Contact, word: str, rest: str) -> list[Reply]:
    db, user_id = services.db, contact.user_id
    if word == "DAFTAR":
        return await signup.start(services, user_id, rest)
    if word == "CEK":
        return await tipline.check(services, contact, rest) if rest else [Text(t.CHECK_HOW)]
    if word == "LAPOR":
        await steps.open_step(db, user_id, steps.REPORT, "", services.clock.now())
        return await tipline.report_prompt(services, contact)
    if word == "BERHENTI":
        count = await subscriptions.unsubscribe_all(db, user_id=user_id)
        return [Text(t.stopped(count) if count else t.NOTHING_TO_STOP)]
    choices = (button(Forget(True), t.CONFIRM_FORGET), button(Forget(False), t.CANCEL))
    return [Buttons(t.ASK_FORGET, choices)]


async def _choice(services: Services, contact: Contact, message: Incoming) -> list[Reply]:
    data = decode(message.choice)
    if data is None and message.text == t.READ_MORE:
        # A template's "Baca selengkapnya": the full text owed is already on its way (the
        # webhook released it when this message arrived); nothing else to say.
        return []
    replies = await _step(services, contact.user_id, data)
    return [Text(t.STALE)] if replies is None else replies


async def _step(services: Services, user_id: int, data: ButtonData | None) -> list[Reply] | None:
    """The next step a choice leads to; None when it is stale or forged."""
    match data:
        case KecamatanPage(page=page):
            return await signup.kecamatan_list(services, page)
        case DesaPage(kecamatan=token, page=page):
            return await signup.desa_list(services, user_id, token, page)
        case AskTopics() | AllTopics() | PickTopics() | SaveTopics():
            return await _topics(services, user_id, data)
        case Delivery(weekly=weekly):
            return await signup.delivery(services, user_id, weekly)
        case Forget(confirmed=confirmed):
            return await _forget(services, user_id, confirmed=confirmed)
    return None


async def _topics(
    services: Services, user_id: int, data: AskTopics | AllTopics | PickTopics | SaveTopics
) -> list[Reply] | None:
    """An area picked (the topics question), "Semua topik", a topic flipped, or "Selesai"."""
    area = await subscriptions.area_of(services.db, data.area)
    if area is None:
        return None
    if isinstance(data, AskTopics):
        return [signup.ask_topics(area)]
    if isinstance(data, AllTopics):
        return await signup.save(services, user_id, area, ALL_BITS)
    if isinstance(data, SaveTopics):
        return await signup.save(services, user_id, area, data.bits)
    return [signup.topic_list(area, data.bits)] if valid_bits(data.bits) else None


async def _forget(services: Services, user_id: int, *, confirmed: bool) -> list[Reply]:
    """HAPUS DATA confirmed: the person, their subscriptions and their phone number go."""
    if not confirmed:
        return [Text(t.NOT_FORGOTTEN)]
    await privacy.forget_person(services.db, user_id, services.clock.now())
    return [Text(t.FORGOTTEN)]
