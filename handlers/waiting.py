"""Steps that wait for a person's next private message: open, answer, expire, cancel.

A flow asks its question, then `open_step` records it (`bot.waiting`); its handler takes
the next message only through `WaitingFor(name)`, so a step that was replaced, cancelled or
timed out swallows nothing. Around that, three rules hold for every such step:
- `/batal` ends the open step, and says so when there was none;
- a message sent after the step's time ran out is answered with "expired", not taken as
  the answer;
- any command ends the step it finds open (the command itself runs as usual), except the
  command that just opened it: `after_command` runs in a handler group after all the others.
"""

from __future__ import annotations

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import texts
from bot.services import KimApp, KimContext
from bot.waiting import Step, Waiting

# After group 0 (where commands run) and handlers.guard's group 1.
AFTER_COMMANDS_GROUP = 2


class WaitingFor(filters.MessageFilter):
    """A message from a person whose open step here is `name`, sent in time."""

    def __init__(self, waiting: Waiting, name: str) -> None:
        super().__init__()
        self.waiting = waiting
        self.step = name

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and (
            self.waiting.fresh(message.chat.id, user.id, self.step, message.date) is not None
        )


class StepExpired(filters.MessageFilter):
    """A message from a person whose open step here ran out of time before it."""

    def __init__(self, waiting: Waiting) -> None:
        super().__init__()
        self.waiting = waiting

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and (
            self.waiting.expired(message.chat.id, user.id, message.date) is not None
        )


def waiting_for(app: KimApp, name: str) -> WaitingFor:
    return WaitingFor(app.bot_data.waiting, name)


def open_step(
    update: Update, context: KimContext, question: Message, name: str, *, detail: str = ""
) -> None:
    """Wait for the next message of the person behind `update`, in the chat of `question`."""
    user = update.effective_user
    assert user is not None  # a step is opened by a person's command or button
    step = Step(name, question.date, update.update_id, detail)
    context.bot_data.waiting.open(question.chat.id, user.id, step)


def current(update: Update, context: KimContext) -> Step | None:
    """The open step of the person behind `update` in this chat."""
    user, chat = update.effective_user, update.effective_chat
    return None if user is None or chat is None else context.bot_data.waiting.get(chat.id, user.id)


def close(update: Update, context: KimContext) -> Step | None:
    """The step is answered (or abandoned): stop waiting."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return context.bot_data.waiting.close(chat.id, user.id)


async def cancel(update: Update, context: KimContext) -> None:
    """/batal: end the open step, or say that nothing was waiting."""
    message = update.effective_message
    if message is None:
        return
    step = close(update, context)
    # A step may have left a reply keyboard (the person picker): it goes in either case.
    text = texts.CANCELLED if step is not None else texts.NOTHING_TO_CANCEL
    await message.reply_text(text, reply_markup=ReplyKeyboardRemove())


async def expired(update: Update, context: KimContext) -> None:
    """The answer came too late: the step ends and says so; the message is not used."""
    message = update.effective_message
    step = close(update, context)
    if message is None or step is None:
        return
    waited = texts.duration(context.bot_data.waiting.within)
    # A step may have left a reply keyboard (the person picker): it goes with the step.
    await message.reply_text(
        texts.step_expired(step.name, waited), reply_markup=ReplyKeyboardRemove()
    )


async def after_command(update: Update, context: KimContext) -> None:
    """A command ends the step it found open; the step a command opens itself stays."""
    step = current(update, context)
    if step is not None and step.opened_by != update.update_id:
        close(update, context)


def register(app: KimApp) -> None:
    """/batal and late answers; after every flow's own step handlers, before the catch-alls."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("batal", cancel, private))
    late = private & ~filters.COMMAND & StepExpired(app.bot_data.waiting)
    app.add_handler(MessageHandler(late, expired))
    command = MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, after_command)
    app.add_handler(command, group=AFTER_COMMANDS_GROUP)
