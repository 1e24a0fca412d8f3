"""Every message gets an answer, and some get none on purpose.

First in handler group 0 (`register_first`):
- an edited message is dropped: editing "/lapor …" or "/siaran" never files or runs twice;
- a staff command sent in a group (not the operators' own group) is answered in the sender's
  private chat with where to type it, never with the office's data in the group; if the bot
  cannot write to them there, the group gets one short note without data; people without
  the role get no answer at all.

Last in handler group 0 (`register_last`), after every flow that waits for a message:
- a private text or media nobody took gets "what should I do with this?" with buttons that
  check it (the same check as /cek, through `handlers.forwarded`), report it (the same path
  as "📣 Laporkan" under a /cek answer) or show the help; the answer quotes the message, and
  the buttons read it back from there, so nothing is kept in between;
- an unknown command gets "perintah tidak dikenal" with /bantuan.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import commands, texts
from bot.buttons import ButtonData
from bot.people import Role, may
from bot.services import KimApp, KimContext
from handlers import start
from handlers.access import roles
from handlers.forwarded import CheckQuoted
from handlers.presses import Press, on_press
from handlers.reports import CheckedReport

STAFF_COMMANDS = tuple(c.name for c in commands.COMMANDS if Role.WARGA not in c.allowed)
_KNOWN = frozenset(c.name for c in commands.COMMANDS) | {"help"}


@dataclass(frozen=True)
class Help(ButtonData, prefix="ans"): ...  # "❓ Bantuan" under a message outside any flow


def next_steps(message: Message) -> InlineKeyboardMarkup:
    """The buttons for a message outside any flow: check (if it has words), report, help."""
    row = []
    if (message.text or message.caption or "").strip():
        row.append(CheckQuoted().button(texts.CHECK_THIS))
    media = message.photo or message.video or message.animation or message.document
    if message.text or media or message.voice:
        row.append(CheckedReport().button(texts.REPORT_THIS))
    help_row = [Help().button(texts.HELP_BUTTON)]
    return InlineKeyboardMarkup([row, help_row] if row else [help_row])


def _command_name(text: str) -> str:
    """The command of "/Lapor@kim_bot words": "Lapor"."""
    return text.split(maxsplit=1)[0][1:].split("@", 1)[0]


async def ignore_edit(update: Update, context: KimContext) -> None:
    """An edited message was already answered as it first arrived."""


async def staff_command_in_group(update: Update, context: KimContext) -> None:
    """Point staff to their private chat; say nothing to anyone else."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text:
        return
    name = _command_name(message.text).lower()
    if not may(await roles(update, context), commands.spec(name).allowed):
        return
    try:
        await context.bot.send_message(user.id, texts.staff_command_private(name))
    except TelegramError:  # never started the bot, or blocked it
        await message.reply_text(texts.STAFF_COMMAND_IN_GROUP)


async def outside_flow(update: Update, context: KimContext) -> None:
    """A private message no flow was waiting for: offer what can be done with it."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(texts.OUTSIDE_FLOW, do_quote=True, reply_markup=next_steps(message))


async def unknown_command(update: Update, context: KimContext) -> None:
    """A command no handler took in private."""
    message = update.effective_message
    if message is None or not message.text:
        return
    name = _command_name(message.text)
    known = name.lower() in _KNOWN
    text = texts.command_not_here(name) if known else texts.unknown_command(name[:64])
    await message.reply_text(text)


async def on_help(press: Press[Help]) -> None:
    """ "❓ Bantuan": the same help as /bantuan, for the person who pressed."""
    await press.answer()
    await start.help_command(press.update, press.context)


def register_first(app: KimApp) -> None:
    """Before every module: edits dropped, staff commands in groups kept out of groups."""
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, ignore_edit))
    in_groups: filters.BaseFilter = filters.ChatType.GROUPS
    operator_chat = app.bot_data.settings.operator_chat_id
    if operator_chat is not None:  # the office's own group sees office data by design
        in_groups = in_groups & ~filters.Chat(operator_chat)
    app.add_handler(CommandHandler(list(STAFF_COMMANDS), staff_command_in_group, in_groups))


def register_last(app: KimApp) -> None:
    """After every flow: the answers for messages nobody was waiting for."""
    private = filters.ChatType.PRIVATE
    media = filters.PHOTO | filters.VIDEO | filters.ANIMATION | filters.Document.ALL | filters.VOICE
    anything = filters.TEXT | media | filters.Sticker.ALL | filters.AUDIO | filters.VIDEO_NOTE
    app.add_handler(MessageHandler(private & ~filters.COMMAND & anything, outside_flow))
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    on_press(app, Help, on_help)
