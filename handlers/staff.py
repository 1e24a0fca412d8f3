"""/operator: admins add and remove operators and verifiers from the chat.

The person is picked with Telegram's own user picker (a `request_users` keyboard button), so
nobody has to find a numeric id; typing the id still works for people not in the contacts.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import people, texts
from bot.buttons import ButtonData
from bot.people import ADMINS, Role
from bot.services import KimApp, KimContext
from handlers import menus, waiting
from handlers.access import command, roles, stale_button
from handlers.layout import reply_view
from handlers.presses import Press, on_press

STEP = "operator"  # the waiting step for the person to appoint; its detail is the role
_ROLES = {role.value: role for role in people.GRANTABLE}


@dataclass(frozen=True)
class AddStaff(ButtonData, prefix="stfa"):
    role: Role


@dataclass(frozen=True)
class RemoveStaff(ButtonData, prefix="stfr"):
    user: int
    role: Role


async def _listing(context: KimContext) -> tuple[str, InlineKeyboardMarkup]:
    members = await people.staff(context.bot_data.db)
    rows = [[AddStaff(role).button(texts.ADD_STAFF[role]) for role in people.GRANTABLE]]
    rows += [
        [RemoveStaff(m.person.user_id, role).button(texts.remove_button(m.person.display, role))]
        for m in members
        for role in sorted(m.roles)
    ]
    text = texts.staff_list((m.person.display, m.roles) for m in members)
    return text, InlineKeyboardMarkup(rows)


@command("operator")
async def show_staff(update: Update, context: KimContext) -> None:
    """The staff list with add and remove buttons."""
    await reply_view(update, await _listing(context))


async def ask_person(press: Press[AddStaff]) -> None:
    """Offer the user picker; the waiting step remembers the role being granted."""
    role = press.data.role
    if role not in people.GRANTABLE or press.message is None:
        await stale_button(press.update, press.context)
        return
    await press.answer()
    picker = KeyboardButton(
        texts.PICK_PERSON,
        request_users=KeyboardButtonRequestUsers(
            request_id=1, user_is_bot=False, request_name=True, request_username=True
        ),
    )
    keyboard = ReplyKeyboardMarkup(
        [[picker], [KeyboardButton(texts.CANCEL_BUTTON)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    question = await press.context.bot.send_message(
        press.message.chat.id, texts.ask_person(role), reply_markup=keyboard
    )
    waiting.open_step(press.update, press.context, question, STEP, detail=role.value)


async def shared(update: Update, context: KimContext) -> None:
    """A person picked with Telegram's user picker."""
    message = update.effective_message
    assert message is not None and message.users_shared is not None  # filter guarantees
    user = message.users_shared.users[0]
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    await _grant(update, context, user.user_id, name or None)


async def typed(update: Update, context: KimContext) -> None:
    """A numeric user id, for someone not in the admin's contacts."""
    message = update.effective_message
    assert message is not None and message.text is not None  # filter guarantees
    await _grant(update, context, int(message.text.strip()), None)


async def other(update: Update, context: KimContext) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.BAD_PERSON_ID)


async def picker_left_over(update: Update, context: KimContext) -> None:
    """A person picked after the step ended: nobody is appointed."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            texts.STALE_BUTTON, reply_markup=ReplyKeyboardRemove()
        )


async def _grant(update: Update, context: KimContext, user_id: int, name: str | None) -> None:
    message = update.effective_message
    actor = update.effective_user
    step = waiting.close(update, context)
    role = None if step is None else _ROLES.get(step.detail)
    if message is None or actor is None or role is None:
        return
    if Role.ADMIN not in await roles(update, context):
        return  # lost admin rights meanwhile
    services = context.bot_data
    known = await people.find(services.db, user_id)
    display = known.display if known is not None else (name or f"ID {user_id}")
    added = await people.grant(
        services.db, user_id=user_id, role=role, actor_id=actor.id, now=services.clock.now()
    )
    if added:
        held = await people.roles_of(services.db, services.settings.admin_ids, user_id)
        await menus.set_menu_for(context.bot, user_id, held)
        # Someone who has not started the bot cannot be told; /bantuan shows them once they do.
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(user_id, texts.you_were_granted(role))
    done = texts.granted(display, role) if added else texts.already_granted(display, role)
    await message.reply_text(done, reply_markup=ReplyKeyboardRemove())


async def remove(press: Press[RemoveStaff]) -> None:
    """Revoke one role, then show the updated list in the same message."""
    services, user_id, role = press.services, press.data.user, press.data.role
    removed = role in people.GRANTABLE and await people.revoke(
        services.db, user_id=user_id, role=role, actor_id=press.user.id, now=services.clock.now()
    )
    if not removed:
        await stale_button(press.update, press.context)
        return
    known = await people.find(services.db, user_id)
    await press.answer(texts.revoked(known.display if known else f"ID {user_id}", role))
    held = await people.roles_of(services.db, services.settings.admin_ids, user_id)
    await menus.set_menu_for(press.context.bot, user_id, held)
    text, keyboard = await _listing(press.context)
    await press.query.edit_message_text(text, reply_markup=keyboard)


def register(app: KimApp) -> None:
    app.add_handler(CommandHandler("operator", show_staff))
    on_press(app, RemoveStaff, remove, allowed=ADMINS, action="staff.remove")
    on_press(app, AddStaff, ask_person, allowed=ADMINS, action="staff.add")
    # The admin's answer, while the step opened by "➕ Operator/Verifikator" waits.
    answer = waiting.waiting_for(app, STEP)
    app.add_handler(MessageHandler(answer & filters.StatusUpdate.USERS_SHARED, shared))
    app.add_handler(MessageHandler(answer & filters.Text([texts.CANCEL_BUTTON]), waiting.cancel))
    app.add_handler(MessageHandler(answer & filters.Regex(r"^\s*\d{1,15}\s*$"), typed))
    app.add_handler(MessageHandler(answer & filters.TEXT & ~filters.COMMAND, other))
    # The picker keyboard outlives a step that a command or /batal ended: its buttons then
    # get a short answer and the keyboard goes away.
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & filters.Text([texts.CANCEL_BUTTON]), waiting.cancel))
    app.add_handler(MessageHandler(private & filters.StatusUpdate.USERS_SHARED, picker_left_over))
