"""/siaran: an operator composes an announcement, chooses its targets, previews it and sends
it to the verifiers.

Only the content is typed; from then on the draft lives in the database and every button
carries its id (`handlers.siaran_buttons`), so a draft survives a restart and an old keyboard
can be pressed safely: each press re-reads the draft and checks it is still a draft of the
presser (`on_draft_press`, also used by the scheduling step).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import regions, texts
from bot.people import OPERATORS
from bot.services import KimApp, KimContext, Services
from bot.storage import Database
from bot.texts import jadwal
from bot.texts import siaran as t
from bot.topics import BY_KEY, TOPICS
from broadcasts import announcements, recipients, render
from broadcasts.announcements import Announcement, Status
from broadcasts.content import Body, ContentError, Kind
from broadcasts.rules import ScheduleError
from broadcasts.targets import Targets, Urgency
from handlers import broadcast_verify, waiting
from handlers import siaran_buttons as b
from handlers.access import command, stale_button
from handlers.layout import View
from handlers.presses import Press, on_press

STEP = "siaran"  # the waiting step for the announcement's content
DESA_PAGE = 12
D = TypeVar("D", bound=b.Draft)


Step = Callable[[Press[D], Announcement], Awaitable[View | str | None]]


def on_draft_press(
    app: KimApp, kind: type[D], step: Step[D], *, action: str, complete: bool = True
) -> None:
    """Run `step` on presses of `kind` by operators on their own draft (with its topic and
    urgency when `complete`). The step's view replaces the pressed message; a text is shown
    as an alert ("" answers without one); None answers that the button is stale."""

    async def run(press: Press[D]) -> None:
        db, user = press.services.db, press.user.id
        draft = await announcements.draft_of(db, press.data.draft, user, complete=complete)
        try:
            outcome = None if draft is None else await step(press, draft)
        except ScheduleError as error:  # alerts show plain text: no HTML of the catalog
            outcome = re.sub(r"</?\w+>", "", error.message)[:200]
        if outcome is None:
            await stale_button(press.update, press.context)
        elif isinstance(outcome, str):
            await press.answer(outcome or None, alert=bool(outcome))
        else:
            await press.edit(*outcome)

    on_press(app, kind, run, allowed=OPERATORS, action=action)


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


# --- step 1: the content ------------------------------------------------------------------


@command("siaran")
async def start(update: Update, context: KimContext) -> None:
    """Ask for the content; a second /siaran asks again, as a fresh start."""
    if update.effective_message is None:
        return
    question = await update.effective_message.reply_text(t.ASK_CONTENT)
    waiting.open_step(update, context, question, STEP)


async def receive_content(update: Update, context: KimContext) -> None:
    """Store the content as a draft, then ask for the topic."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    body = _body(message)
    if body is None:
        await message.reply_text(t.UNSUPPORTED_CONTENT)
        return
    services = context.bot_data
    problem = _caption_problem(body, services.settings.organization_name)
    if problem is not None:
        await message.reply_text(problem)
        return
    waiting.close(update, context)
    draft_id = await announcements.create_draft(
        services.db, author_id=user.id, body=body, now=services.clock.now()
    )
    await message.reply_text(t.ASK_TOPIC, reply_markup=_topic_keyboard(draft_id))


def _body(message: Message) -> Body | None:
    if message.text:
        return Body(Kind.TEXT, message.text, tuple(message.entities))
    caption = message.caption or ""
    entities = tuple(message.caption_entities)
    if message.photo:
        return Body(Kind.PHOTO, caption, entities, message.photo[-1].file_id)
    if message.document:
        return Body(Kind.DOCUMENT, caption, entities, message.document.file_id)
    return None


def _caption_problem(body: Body, organization: str) -> str | None:
    """Refuse a caption that cannot fit even with the longest header (checked up front, so
    the operator does not find out only at the preview)."""
    if body.kind is Kind.TEXT:
        return None
    longest = max(TOPICS, key=lambda topic: len(topic.label)).key
    probe = Announcement(0, None, Status.DRAFT, body, longest, Urgency.DARURAT, Targets(), "",
                         *(None,) * 7)  # fmt: skip
    try:
        render.parts(probe, organization, verified=True)
    except ContentError as error:
        overhead = error.length - len(body.text)
        return t.caption_too_long(len(body.text), error.limit - overhead)
    return None


# --- steps 2 and 3: topic and urgency ------------------------------------------------------


def _topic_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    keyboard = rows([b.Topic(draft_id, topic.key).button(topic.label) for topic in TOPICS], 2)
    keyboard.append([b.Cancel(draft_id).button(t.CANCEL_DRAFT)])
    return InlineKeyboardMarkup(keyboard)


async def on_topic(press: Press[b.Topic], draft: Announcement) -> View | None:
    if press.data.topic not in BY_KEY:
        return None
    await announcements.update_draft(press.services.db, draft.id, topic=press.data.topic)
    urgencies = [b.Urgent(draft.id, u).button(t.URGENCY_LABELS[u.value]) for u in Urgency]
    keyboard = [urgencies, [b.Cancel(draft.id).button(t.CANCEL_DRAFT)]]
    return t.ASK_URGENCY, InlineKeyboardMarkup(keyboard)


async def on_urgency(press: Press[b.Urgent], draft: Announcement) -> View | None:
    if draft.topic is None:
        return None  # an urgency before a topic: not a button the bot showed
    db = press.services.db
    await announcements.update_draft(db, draft.id, urgency=press.data.urgency)
    return await targets_panel(db, await _reload(db, draft.id))


async def on_cancel(press: Press[b.Cancel], draft: Announcement) -> View:
    now = press.services.clock.now()
    await announcements.cancel(press.services.db, draft.id, actor_id=press.user.id, now=now)
    return t.DRAFT_CANCELLED, None


# --- step 4: the targets ------------------------------------------------------------------


async def targets_panel(db: Database, draft: Announcement) -> View:
    """The draft's targets with their buttons (also where a hoax's clarification starts)."""
    targets = draft.targets
    kecamatan = [k.display for k in await regions.all_kecamatan(db) if k.code in targets.kecamatan]
    desa = [found.display for code in targets.desa if (found := await regions.get_desa(db, code))]
    assert draft.topic is not None and draft.urgency is not None
    text = t.targets_panel(
        draft.number,
        draft.topic,
        draft.urgency.value,
        kabupaten=targets.kabupaten,
        kecamatan=kecamatan,
        desa=desa,
        forums_only=targets.forums_only,
        subscribers=targets.subscribers,
        channels=targets.channels,
    )
    d = draft.id

    def toggle(label: str, switch: b.Switch) -> InlineKeyboardButton:
        return b.Toggle(d, switch).button(t.checkbox(label, getattr(targets, switch.value)))

    keyboard = [
        [toggle(t.KABUPATEN, b.Switch.KABUPATEN)],
        [
            b.KecamatanList(d, None).button(f"{t.CHOOSE_KECAMATAN} ({len(targets.kecamatan)})"),
            b.DesaKecamatanList(d).button(f"{t.CHOOSE_DESA} ({len(targets.desa)})"),
        ],
        [toggle(t.FORUMS_ONLY, b.Switch.FORUMS_ONLY)],
        [toggle(t.SUBSCRIBERS, b.Switch.SUBSCRIBERS), toggle(t.CHANNELS, b.Switch.CHANNELS)],
        [b.Preview(d).button(t.TO_PREVIEW)],
        [b.Cancel(d).button(t.CANCEL_DRAFT)],
    ]
    return text, InlineKeyboardMarkup(keyboard)


async def on_targets(press: Press[b.Draft], draft: Announcement) -> View:
    return await targets_panel(press.services.db, draft)


async def on_toggle(press: Press[b.Toggle], draft: Announcement) -> View:
    field = press.data.switch.value
    flipped: dict[str, Any] = {field: not getattr(draft.targets, field)}
    changed = replace(draft.targets, **flipped)
    db = press.services.db
    return await targets_panel(db, await _retargeted(db, draft, changed))


async def _retargeted(db: Database, draft: Announcement, targets: Targets) -> Announcement:
    await announcements.update_draft(db, draft.id, targets=targets)
    return await _reload(db, draft.id)


async def on_kecamatan_list(press: Press[b.KecamatanList], draft: Announcement) -> View | None:
    db, code = press.services.db, press.data.toggle
    if code is not None:
        if await regions.get_kecamatan(db, code) is None:
            return None
        changed = replace(draft.targets, kecamatan=_toggle(draft.targets.kecamatan, code))
        draft = await _retargeted(db, draft, changed)
    chosen = set(draft.targets.kecamatan)
    buttons = [
        b.KecamatanList(draft.id, k.code).button(_mark(k, chosen))
        for k in await regions.all_kecamatan(db)
    ]
    keyboard = rows(buttons, 3)
    keyboard.append([b.Draft(draft.id).button(t.DONE)])
    return t.pick_kecamatan(len(chosen)), InlineKeyboardMarkup(keyboard)


async def on_desa_kecamatan_list(press: Press[b.DesaKecamatanList], draft: Announcement) -> View:
    buttons = [
        b.DesaPage(draft.id, 0, k.code, None).button(k.display)
        for k in await regions.all_kecamatan(press.services.db)
    ]
    keyboard = rows(buttons, 3)
    keyboard.append([b.Draft(draft.id).button(t.DONE)])
    return t.PICK_KECAMATAN_FOR_DESA, InlineKeyboardMarkup(keyboard)


async def on_desa_page(press: Press[b.DesaPage], draft: Announcement) -> View | None:
    db, code, kecamatan = press.services.db, press.data.toggle, press.data.kecamatan
    if code is not None:
        desa = await regions.get_desa(db, code)
        if desa is None:
            return None
        changed = replace(draft.targets, desa=_toggle(draft.targets.desa, desa.code))
        draft, kecamatan = await _retargeted(db, draft, changed), desa.kecamatan_code
    return await _desa_view(db, draft, kecamatan, press.data.page)


async def _desa_view(
    db: Database, draft: Announcement, kecamatan_code: str, page: int
) -> View | None:
    kecamatan = await regions.get_kecamatan(db, kecamatan_code)
    if kecamatan is None:
        return None
    desa = await regions.desa_of(db, kecamatan_code)
    pages = max(1, -(-len(desa) // DESA_PAGE))
    if not 0 <= page < pages:
        return None
    chosen = set(draft.targets.desa)
    shown = desa[page * DESA_PAGE : (page + 1) * DESA_PAGE]
    code = kecamatan_code
    buttons = [b.DesaPage(draft.id, page, code, d.code).button(_mark(d, chosen)) for d in shown]
    keyboard = rows(buttons, 2)
    navigation = []
    if page > 0:
        navigation.append(b.DesaPage(draft.id, page - 1, code, None).button("‹"))
    if page < pages - 1:
        navigation.append(b.DesaPage(draft.id, page + 1, code, None).button("›"))
    if navigation:
        keyboard.append(navigation)
    keyboard.append(
        [b.DesaKecamatanList(draft.id).button(texts.BACK), b.Draft(draft.id).button(t.DONE)]
    )
    in_this = sum(1 for d in desa if d.code in chosen)
    return t.pick_desa(kecamatan.display, in_this), InlineKeyboardMarkup(keyboard)


def _mark(area: regions.Kecamatan | regions.Desa, chosen: set[str]) -> str:
    return ("✅ " if area.code in chosen else "") + area.display


def _toggle(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    return tuple(v for v in values if v != value) if value in values else (*values, value)


async def _reload(db: Database, draft_id: int) -> Announcement:
    draft = await announcements.get(db, draft_id)
    assert draft is not None  # drafts are never deleted
    return draft


# --- step 5: preview and submit -----------------------------------------------------------


async def on_preview(press: Press[b.Preview], draft: Announcement) -> str | None:
    """The announcement exactly as recipients will get it, then the recipient count."""
    if press.chat is None:
        return None
    if not draft.targets.has_area:  # the operator's slip, not a forged button: say so
        return t.NO_AREA
    services = press.services
    preview = render.outgoing(draft, services.settings.organization_name, "kim")
    parts = render.parts(draft, services.settings.organization_name, verified=False)
    await broadcast_verify.send_parts(press.context.bot, press.chat.id, parts, preview.buttons)
    text, keyboard = await summary(services, draft)
    await press.context.bot.send_message(press.chat.id, text, reply_markup=keyboard)
    await press.query.edit_message_reply_markup(None)
    return ""


async def summary(services: Services, draft: Announcement) -> View:
    """What the preview reaches, with submit (now or scheduled), edit and cancel."""
    assert draft.topic is not None
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    parts = render.parts(draft, services.settings.organization_name, verified=False)
    d = draft.id
    keyboard = [[b.Draft(d).button(t.EDIT_TARGETS)], [b.Cancel(d).button(t.CANCEL_DRAFT)]]
    if found.total:
        keyboard[:0] = [[b.Submit(d).button(t.SUBMIT)], [b.PlanKinds(d).button(jadwal.SCHEDULE)]]
    channels = await broadcast_verify.channel_lines(services, found)
    text = t.preview_summary(draft.number, found.counts, found.total, len(parts), channels)
    return text, InlineKeyboardMarkup(keyboard)


async def on_submit(press: Press[b.Submit], draft: Announcement) -> View | None:
    """Draft → verifiers."""
    services = press.services
    now = services.clock.now()
    if not await announcements.submit(services.db, draft.id, actor_id=press.user.id, now=now):
        return None
    reached = await broadcast_verify.ask_verifiers(press.context, draft.id)
    return t.submitted(draft.number) + ("" if reached else "\n\n" + t.NO_OTHER_VERIFIER), None


def register(app: KimApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("siaran", start, private))
    # Any message answers the step: what is not text, a photo or a document is refused there.
    app.add_handler(
        MessageHandler(private & ~filters.COMMAND & waiting.waiting_for(app, STEP), receive_content)
    )
    on_draft_press(app, b.Submit, on_submit, action="siaran.submit")
    step = "siaran.button"
    on_draft_press(app, b.Preview, on_preview, action=step)
    on_draft_press(app, b.Topic, on_topic, action=step, complete=False)
    on_draft_press(app, b.Urgent, on_urgency, action=step, complete=False)
    on_draft_press(app, b.Cancel, on_cancel, action=step, complete=False)
    on_draft_press(app, b.Draft, on_targets, action=step)
    on_draft_press(app, b.Toggle, on_toggle, action=step)
    on_draft_press(app, b.KecamatanList, on_kecamatan_list, action=step)
    on_draft_press(app, b.DesaKecamatanList, on_desa_kecamatan_list, action=step)
    on_draft_press(app, b.DesaPage, on_desa_page, action=step)
