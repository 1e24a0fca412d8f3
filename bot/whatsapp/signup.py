"""DAFTAR on WhatsApp: kecamatan, desa, topics, delivery, the same subscriptions as Telegram's.

The steps: a list of kecamatan (with the whole regency), a list of that kecamatan's desa
(with the whole kecamatan) or a typed desa name matched loosely, then "Semua topik" or
"Pilih topik" (a list of topics, one pick at a time, until "Selesai"), which saves the
subscription, then "Langsung" or "Ringkasan mingguan", which ends with what the person now
receives. Every function here answers one step and returns its replies; None means the
choice was stale (an area that does not exist, a page out of range, unknown topic bits).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process, utils

from bot import regions, subscriptions
from bot.services import Services
from bot.subscriptions import Area, AreaRef, Scope
from bot.texts import whatsapp as t
from bot.topics import TOPICS, topics_in, valid_bits
from bot.whatsapp import steps
from bot.whatsapp.choices import (
    AllTopics,
    AskTopics,
    Delivery,
    DesaPage,
    KecamatanPage,
    PickTopics,
    SaveTopics,
    button,
    paged,
    row,
)
from bot.whatsapp.replies import Buttons, Choices, Reply, Text

# rapidfuzz ratio on lower-cased names: one typo in a name of five letters or more.
NAME_SIMILARITY = 75.0
_CODE = re.compile(r"^\d{2}(\.\d{2}){1,2}(\.\d{4})?$")
_SCOPE_OF_PARTS = {2: Scope.KABUPATEN, 3: Scope.KECAMATAN, 4: Scope.DESA}
_KIND_PREFIX = re.compile(r"^(desa|kelurahan|kel\.?|ds\.?)\s+", re.IGNORECASE)


def labels(bits: int) -> list[str]:
    return [topic.label for topic in topics_in(bits)]


async def start(services: Services, user_id: int, argument: str) -> list[Reply]:
    """DAFTAR, or "DAFTAR d3514142011" / "DAFTAR 35.14.14.2011" from a poster's link."""
    if not argument:
        return await kecamatan_list(services, 0) or []
    area = await _area_named(services, argument)
    if area is None:
        return [Text(t.LINK_NOT_VALID), *(await kecamatan_list(services, 0) or [])]
    return [ask_topics(area)]


async def _area_named(services: Services, argument: str) -> Area | None:
    word = argument.strip().lower()
    ref = subscriptions.parse_token(word)
    if ref is None and _CODE.match(word):
        ref = AreaRef(_SCOPE_OF_PARTS[word.count(".") + 1], word)
    return None if ref is None else await subscriptions.resolve(services.db, ref)


async def kecamatan_list(services: Services, page: int) -> list[Reply] | None:
    regency = services.settings.regency_name
    whole = AskTopics(AreaRef(Scope.KABUPATEN, services.settings.region_code).token)
    items = [row(whole, t.whole_regency(regency))]
    for kecamatan in await regions.all_kecamatan(services.db):
        token = AreaRef(Scope.KECAMATAN, kecamatan.code).token
        items.append(row(DesaPage(token, 0), kecamatan.display))
    found = paged(items, page, KecamatanPage)
    if found is None:
        return None
    rows, pages = found
    return [Choices(t.choose_kecamatan(regency, page, pages), t.LIST_BUTTON, rows)]


async def desa_list(services: Services, user_id: int, token: str, page: int) -> list[Reply] | None:
    """A kecamatan's desa; until the next step a typed desa name answers it too."""
    ref = subscriptions.parse_token(token)
    kecamatan = None
    if ref is not None and ref.scope is Scope.KECAMATAN:
        kecamatan = await regions.get_kecamatan(services.db, ref.code)
    if kecamatan is None:
        return None
    items = [row(AskTopics(token), t.WHOLE_KECAMATAN, f"Kecamatan {kecamatan.display}")]
    for desa in await regions.desa_of(services.db, kecamatan.code):
        items.append(row(AskTopics(AreaRef(Scope.DESA, desa.code).token), desa.display))
    found = paged(items, page, lambda n: DesaPage(token, n))
    if found is None:
        return None
    rows, pages = found
    await steps.open_step(services.db, user_id, steps.DESA, token, services.clock.now())
    return [Choices(t.choose_desa(kecamatan.display, page, pages), t.LIST_BUTTON, rows)]


async def typed_desa(services: Services, user_id: int, token: str, typed: str) -> list[Reply]:
    """A desa name typed at the desa step, matched loosely within that kecamatan."""
    ref = subscriptions.parse_token(token)
    kecamatan = None if ref is None else await regions.get_kecamatan(services.db, ref.code)
    if ref is None or kecamatan is None:
        await steps.close(services.db, user_id)
        return [Text(t.STALE)]
    desa = await regions.desa_of(services.db, kecamatan.code)
    wanted = _KIND_PREFIX.sub("", typed.strip())
    names = {d.code: d.display for d in desa}
    found = process.extractOne(
        wanted,
        names,
        scorer=fuzz.ratio,
        processor=utils.default_process,
        score_cutoff=NAME_SIMILARITY,
    )
    if found is None:
        return [Text(t.desa_not_found(typed.strip(), kecamatan.display))]
    area = await subscriptions.resolve(services.db, AreaRef(Scope.DESA, str(found[2])))
    if area is None:
        return [Text(t.STALE)]
    await steps.close(services.db, user_id)
    return [ask_topics(area)]


def ask_topics(area: Area) -> Reply:
    return Buttons(
        t.choose_topics(area),
        (
            button(AllTopics(area.token), t.ALL_TOPICS),
            button(PickTopics(area.token, 0), t.PICK_TOPICS),
        ),
    )


def topic_list(area: Area, bits: int) -> Reply:
    """The topics as a list (`bits` already checked): a row flips one, "Selesai" saves."""
    rows = [
        row(
            PickTopics(area.token, bits ^ topic.bit),
            t.topic_row(topic.label, bool(bits & topic.bit)),
        )
        for topic in TOPICS
    ]
    rows.append(row(SaveTopics(area.token, bits), t.DONE))
    return Choices(t.pick_topics(area, labels(bits)), t.TOPICS_BUTTON, tuple(rows))


async def save(services: Services, user_id: int, area: Area, bits: int) -> list[Reply] | None:
    """Subscribe (or change the topics), then ask how the announcements should come."""
    if not valid_bits(bits):
        return None
    if bits == 0:
        return [Text(t.NEED_TOPIC), topic_list(area, 0)]
    is_new = await subscriptions.subscribe(
        services.db, user_id=user_id, area=area, topics=bits, now=services.clock.now()
    )
    choices = (button(Delivery(False), t.DIRECT), button(Delivery(True), t.WEEKLY))
    return [Buttons(t.ask_digest(area, labels(bits), is_new=is_new), choices)]


async def delivery(services: Services, user_id: int, weekly: bool) -> list[Reply] | None:
    """Direct or weekly; the summary of every subscription the person holds."""
    db = services.db
    held = await subscriptions.of_person(db, user_id)
    if not held:
        return None
    if await subscriptions.weekly_digest(db, user_id) != weekly:
        await subscriptions.toggle_weekly_digest(db, user_id)
    summary = [(s.area, labels(s.topics)) for s in held]
    return [Text(t.subscribed(summary, weekly=weekly))]
