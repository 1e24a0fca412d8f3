"""/siaran: an operator composes an announcement, chooses its targets, previews it and sends
it to the verifiers.

Only the content is typed; from then on the draft lives in the database and every button
carries its id (`sd:<id>:<step>`), so a draft survives a restart and an old keyboard can be
pressed safely: each press re-reads the draft and checks it is still a draft of the presser.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import regions, texts
from bot.people import OPERATORS
from bot.services import KimApp, KimContext
from bot.texts import jadwal
from bot.texts import siaran as t
from bot.topics import TOPICS
from broadcasts import announcements, recipients, render
from broadcasts.announcements import Announcement, Status
from broadcasts.content import Body, ContentError, Kind
from broadcasts.targets import Targets, Urgency
from handlers import broadcast_verify, waiting
from handlers.access import command, requires, stale_button

PREFIX = "sd:"
STEP = "siaran"  # the waiting step for the announcement's content
DESA_PAGE = 12


def _data(draft_id: int, *parts: object) -> str:
    return PREFIX + ":".join(str(p) for p in (draft_id, *parts))


def _button(label: str, draft_id: int, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=_data(draft_id, *parts))


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
    probe = Announcement(
        0,
        None,
        Status.DRAFT,
        body,
        longest,
        Urgency.DARURAT,
        Targets(),
        "",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )
    try:
        render.parts(probe, organization, verified=True)
    except ContentError as error:
        overhead = error.length - len(body.text)
        return t.caption_too_long(len(body.text), error.limit - overhead)
    return None


# --- steps 2 to 4: buttons ----------------------------------------------------------------


def _topic_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    buttons = [_button(topic.label, draft_id, "t", topic.key) for topic in TOPICS]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(t.CANCEL_DRAFT, draft_id, "x")])
    return InlineKeyboardMarkup(rows)


def _urgency_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(t.URGENCY_LABELS[u.value], draft_id, "u", u.value) for u in Urgency],
            [_button(t.CANCEL_DRAFT, draft_id, "x")],
        ]
    )


async def _targets_view(
    context: KimContext, draft: Announcement
) -> tuple[str, InlineKeyboardMarkup]:
    db = context.bot_data.db
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
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t.checkbox(t.KABUPATEN, targets.kabupaten), d, "kab")],
            [
                _button(f"{t.CHOOSE_KECAMATAN} ({len(targets.kecamatan)})", d, "kl"),
                _button(f"{t.CHOOSE_DESA} ({len(targets.desa)})", d, "dk"),
            ],
            [_button(t.checkbox(t.FORUMS_ONLY, targets.forums_only), d, "fo")],
            [
                _button(t.checkbox(t.SUBSCRIBERS, targets.subscribers), d, "sub"),
                _button(t.checkbox(t.CHANNELS, targets.channels), d, "ch"),
            ],
            [_button(t.TO_PREVIEW, d, "pv")],
            [_button(t.CANCEL_DRAFT, d, "x")],
        ]
    )
    return text, keyboard


async def _kecamatan_view(
    context: KimContext, draft: Announcement
) -> tuple[str, InlineKeyboardMarkup]:
    chosen = set(draft.targets.kecamatan)
    buttons = [
        _button(("✅ " if k.code in chosen else "") + k.display, draft.id, "kt", k.code)
        for k in await regions.all_kecamatan(context.bot_data.db)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([_button(t.DONE, draft.id, "g")])
    return t.pick_kecamatan(len(chosen)), InlineKeyboardMarkup(rows)


async def _desa_kecamatan_view(
    context: KimContext, draft: Announcement
) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        _button(k.display, draft.id, "dp", k.code, 0)
        for k in await regions.all_kecamatan(context.bot_data.db)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([_button(t.DONE, draft.id, "g")])
    return t.PICK_KECAMATAN_FOR_DESA, InlineKeyboardMarkup(rows)


async def _desa_view(
    context: KimContext, draft: Announcement, kecamatan_code: str, page: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    db = context.bot_data.db
    kecamatan = await regions.get_kecamatan(db, kecamatan_code)
    if kecamatan is None:
        return None
    desa = await regions.desa_of(db, kecamatan_code)
    pages = max(1, -(-len(desa) // DESA_PAGE))
    if not 0 <= page < pages:
        return None
    chosen = set(draft.targets.desa)
    shown = desa[page * DESA_PAGE : (page + 1) * DESA_PAGE]
    buttons = [
        _button(("✅ " if d.code in chosen else "") + d.display, draft.id, "dt", d.code, page)
        for d in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    navigation = []
    if page > 0:
        navigation.append(_button("‹", draft.id, "dp", kecamatan_code, page - 1))
    if page < pages - 1:
        navigation.append(_button("›", draft.id, "dp", kecamatan_code, page + 1))
    if navigation:
        rows.append(navigation)
    rows.append([_button(texts.BACK, draft.id, "dk"), _button(t.DONE, draft.id, "g")])
    in_this = sum(1 for d in desa if d.code in chosen)
    return t.pick_desa(kecamatan.display, in_this), InlineKeyboardMarkup(rows)


def _toggle(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    return tuple(v for v in values if v != value) if value in values else (*values, value)


@requires(OPERATORS, "siaran.button")
async def on_button(update: Update, context: KimContext) -> None:
    """Every button of the composing steps; the draft is re-read and checked each time."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    try:
        head, *args = query.data.removeprefix(PREFIX).split(":")
        draft_id = int(head)
        step = args[0]
    except (ValueError, IndexError):
        await stale_button(update, context)
        return
    db = context.bot_data.db
    draft = await announcements.get(db, draft_id)
    if draft is None or draft.author_id != user.id or draft.status is not Status.DRAFT:
        await stale_button(update, context)
        return
    view = await _apply(context, draft, step, args[1:])
    if view is None:
        await stale_button(update, context)
        return
    if view == "no_area":  # the operator's slip, not a forged button: say what is missing
        await query.answer(t.NO_AREA, show_alert=True)
        return
    if view == "preview":
        await query.answer()
        await _preview(update, context, draft_id)
        return
    await query.answer()
    if isinstance(view, str):  # the draft was cancelled
        await query.edit_message_text(t.DRAFT_CANCELLED)
        return
    text, keyboard = view
    await query.edit_message_text(text, reply_markup=keyboard)


async def _apply(
    context: KimContext, draft: Announcement, step: str, args: list[str]
) -> tuple[str, InlineKeyboardMarkup] | str | None:
    """Apply one button to the draft; returns the next view, a marker, or None if invalid."""
    db = context.bot_data.db
    targets = draft.targets
    changed: Targets | None = None
    if step == "t" and args and args[0] in {topic.key for topic in TOPICS}:
        await announcements.update_draft(db, draft.id, topic=args[0])
        return t.ASK_URGENCY, _urgency_keyboard(draft.id)
    if step == "u" and args and args[0] in {u.value for u in Urgency}:
        await announcements.update_draft(db, draft.id, urgency=Urgency(args[0]))
    elif step == "x":
        now = context.bot_data.clock.now()
        assert draft.author_id is not None
        await announcements.cancel(db, draft.id, actor_id=draft.author_id, now=now)
        return "cancelled"
    elif draft.topic is None or draft.urgency is None:
        return None  # targets before topic and urgency: a forged button
    elif step == "kab":
        changed = replace(targets, kabupaten=not targets.kabupaten)
    elif step == "fo":
        changed = replace(targets, forums_only=not targets.forums_only)
    elif step == "sub":
        changed = replace(targets, subscribers=not targets.subscribers)
    elif step == "ch":
        changed = replace(targets, channels=not targets.channels)
    elif step == "kt" and args and await regions.get_kecamatan(db, args[0]):
        changed = replace(targets, kecamatan=_toggle(targets.kecamatan, args[0]))
        await announcements.update_draft(db, draft.id, targets=changed)
        return await _kecamatan_view(context, await _reload(context, draft.id))
    elif step == "kl":
        return await _kecamatan_view(context, draft)
    elif step == "dk":
        return await _desa_kecamatan_view(context, draft)
    elif step == "dp" and len(args) == 2 and args[1].isdigit():
        return await _desa_view(context, draft, args[0], int(args[1]))
    elif step == "dt" and len(args) == 2 and args[1].isdigit():
        desa = await regions.get_desa(db, args[0])
        if desa is None:
            return None
        changed = replace(targets, desa=_toggle(targets.desa, desa.code))
        await announcements.update_draft(db, draft.id, targets=changed)
        reloaded = await _reload(context, draft.id)
        return await _desa_view(context, reloaded, desa.kecamatan_code, int(args[1]))
    elif step == "pv":
        return "preview" if targets.has_area else "no_area"
    elif step != "g":
        return None
    if changed is not None:
        await announcements.update_draft(db, draft.id, targets=changed)
    return await _targets_view(context, await _reload(context, draft.id))


async def _reload(context: KimContext, draft_id: int) -> Announcement:
    draft = await announcements.get(context.bot_data.db, draft_id)
    assert draft is not None  # drafts are never deleted
    return draft


async def _preview(update: Update, context: KimContext, draft_id: int) -> None:
    """The announcement exactly as recipients will get it, then the recipient count."""
    query = update.callback_query
    assert query is not None and query.message is not None
    chat_id = query.message.chat.id
    services = context.bot_data
    draft = await _reload(context, draft_id)
    if not draft.targets.has_area:
        await query.answer(t.NO_AREA, show_alert=True)
        return
    assert draft.topic is not None
    preview = render.outgoing(draft, services.settings.organization_name, "kim")
    draft_parts = render.parts(draft, services.settings.organization_name, verified=False)
    await broadcast_verify.show(context, chat_id, draft_parts, preview.buttons)
    found = await recipients.resolve(services.db, draft.targets, draft.topic)
    buttons = [[_button(t.EDIT_TARGETS, draft_id, "g")], [_button(t.CANCEL_DRAFT, draft_id, "x")]]
    if found.total:
        buttons.insert(0, [_button(t.SUBMIT, draft_id, "ok")])
        buttons.insert(1, [InlineKeyboardButton(jadwal.SCHEDULE, callback_data=f"jd:{draft_id}:m")])
    await context.bot.send_message(
        chat_id,
        t.preview_summary(draft.number, found.counts, found.total, len(draft_parts)),
        reply_markup=InlineKeyboardMarkup(buttons),
    )
    await query.edit_message_reply_markup(None)


@requires(OPERATORS, "siaran.submit")
async def on_submit(update: Update, context: KimContext) -> None:
    """Draft → verifiers."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    try:
        draft_id = int(query.data.removeprefix(PREFIX).split(":")[0])
    except ValueError:
        await stale_button(update, context)
        return
    services = context.bot_data
    draft = await announcements.get(services.db, draft_id)
    if draft is None or draft.author_id != user.id:
        await stale_button(update, context)
        return
    if not await announcements.submit(
        services.db, draft_id, actor_id=user.id, now=services.clock.now()
    ):
        await stale_button(update, context)
        return
    await query.answer()
    reached = await broadcast_verify.ask_verifiers(context, draft_id)
    note = t.submitted(draft.number) + ("" if reached else "\n\n" + t.NO_OTHER_VERIFIER)
    await query.edit_message_text(note)


def register(app: KimApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("siaran", start, private))
    # Any message answers the step: what is not text, a photo or a document is refused there.
    app.add_handler(
        MessageHandler(private & ~filters.COMMAND & waiting.waiting_for(app, STEP), receive_content)
    )
    app.add_handler(CallbackQueryHandler(on_submit, pattern=rf"^{PREFIX}\d+:ok$"))
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
