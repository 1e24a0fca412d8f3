"""The fake Bot API server, driven by a real PTB ``Bot``/``Application`` over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import re
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from botapi_sandbox import BotApiServer, FakeUser, MenuCommand

TOKEN = "123456:TEST-TOKEN"


def said(description: str) -> str:
    """Match an error text case-insensitively: PTB capitalises Telegram's descriptions."""
    return "(?i)" + re.escape(description)


@pytest.fixture
async def api() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(token=TOKEN, bot_username="kim_test_bot") as server:
        yield server


def make_bot(server: BotApiServer, token: str = TOKEN, read_timeout: float = 5.0) -> Bot:
    return Bot(
        token,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=HTTPXRequest(connection_pool_size=8, read_timeout=read_timeout),
        get_updates_request=HTTPXRequest(read_timeout=5.0),
    )


@pytest.fixture
async def bot(api: BotApiServer) -> AsyncIterator[Bot]:
    async with make_bot(api) as b:
        yield b


@pytest.fixture
async def siti(api: BotApiServer) -> FakeUser:
    """A villager who has started the bot."""
    user = api.new_user("Siti", username="siti", language_code="id")
    await api.private(user).send("/start")
    return user


# --------------------------------------------------------------------------- basics


async def test_get_me_and_identity(api: BotApiServer, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "kim_test_bot"
    assert me.id == 123456
    assert api.bot_user == {
        "id": 123456,
        "is_bot": True,
        "first_name": "KIM Test Bot",
        "username": "kim_test_bot",
    }
    assert api.base_url.endswith("/bot")
    assert api.calls("getMe")[-1].ok


async def test_wrong_token_is_invalid_token(api: BotApiServer) -> None:
    with pytest.raises(InvalidToken):
        async with make_bot(api, token="123456:WRONG"):
            pass
    assert api.requests[-1].status == 401


async def test_unknown_method_is_404_and_logged(api: BotApiServer, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    last = api.requests[-1]
    assert (last.method, last.status, last.description) == ("sendTelepathy", 404, "Not Found")


# --------------------------------------------------------------------------- updates


async def test_long_poll_returns_update_enqueued_while_waiting(api: BotApiServer, bot: Bot) -> None:
    villager = api.new_user("Budi")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await api.private(villager).send("/start kec_bangil")
    updates = await poll
    assert time.monotonic() - started < 1.5
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None and message.text == "/start kec_bangil"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    assert message.from_user is not None and message.from_user.id == villager.id

    # Not confirmed yet: delivered again; confirming with offset empties the queue.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert api.pending_updates == 0


async def test_allowed_updates_and_timeout(api: BotApiServer, bot: Bot) -> None:
    villager = api.new_user("Ani")
    await api.private(villager).send("halo")
    api.block_bot(villager)
    updates = await bot.get_updates(timeout=0, allowed_updates=["my_chat_member"])
    assert [u.my_chat_member is not None for u in updates] == [True]
    started = time.monotonic()
    offset = updates[0].update_id + 1
    assert await bot.get_updates(offset=offset, timeout=dtm.timedelta(seconds=0.3)) == ()
    assert 0.25 < time.monotonic() - started < 1.5


# --------------------------------------------------------------------------- text rules


async def test_html_becomes_plain_text_and_entities(
    api: BotApiServer, bot: Bot, siti: FakeUser
) -> None:
    sent = await bot.send_message(
        siti.id,
        "🙂 <b>Halo</b> &amp; <i>selamat</i> datang di <a href='https://kim.id'>KIM</a>",
        parse_mode=ParseMode.HTML,
    )
    m = await api.private(siti).expect()
    assert m.text == "🙂 Halo & selamat datang di KIM"
    assert m.entities == [
        {"offset": 3, "length": 4, "type": "bold"},
        {"offset": 10, "length": 7, "type": "italic"},
        {"offset": 28, "length": 3, "type": "text_link", "url": "https://kim.id"},
    ]
    assert (
        m.html == '🙂 <b>Halo</b> &amp; <i>selamat</i> datang di <a href="https://kim.id">KIM</a>'
    )
    assert sent.text == m.text and sent.entities[0].type == "bold"


@pytest.mark.parametrize(
    "markup",
    ["<b>tebal", "<blink>x</blink>", "nilai < 3", "<b>x</i>", "x</b>", '<span class="x">s</span>'],
)
async def test_malformed_html_is_rejected(bot: Bot, siti: FakeUser, markup: str) -> None:
    with pytest.raises(BadRequest, match=said("can't parse entities")):
        await bot.send_message(siti.id, markup, parse_mode=ParseMode.HTML)


async def test_length_limits_count_utf16_after_parsing(bot: Bot, siti: FakeUser) -> None:
    await bot.send_message(siti.id, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=said("message is too long")):
        await bot.send_message(siti.id, "a" * 4097)
    with pytest.raises(BadRequest, match=said("message is too long")):
        await bot.send_message(siti.id, "🙂" * 2049)
    with pytest.raises(BadRequest, match=said("message text is empty")):
        await bot.send_message(siti.id, "  <b> </b> ", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=said("message caption is too long")):
        await bot.send_photo(siti.id, photo=b"x", caption="c" * 1025)


async def test_markdown_is_rejected_clearly(bot: Bot, siti: FakeUser) -> None:
    with pytest.raises(BadRequest, match=said("send HTML")):
        await bot.send_message(siti.id, "*tebal*", parse_mode=ParseMode.MARKDOWN_V2)


async def test_callback_data_is_limited_to_64_bytes(
    api: BotApiServer, bot: Bot, siti: FakeUser
) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(siti.id, "pilih", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=said("BUTTON_DATA_INVALID")):
        await bot.send_message(siti.id, "pilih", reply_markup=too_long)
    assert len(api.sent_to(siti)) == 1


# --------------------------------------------------------------------------- conversations


async def test_press_round_trip_through_a_real_application(api: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = [
            [InlineKeyboardButton("Bangil", callback_data="kec:bangil")],
            [InlineKeyboardButton("Beji", callback_data="kec:beji")],
        ]
        await update.effective_message.reply_html(
            "Pilih <b>kecamatan</b>:", reply_markup=InlineKeyboardMarkup(keyboard)
        )

    async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer(f"Dipilih: {query.data}")
        await query.edit_message_text(f"Kecamatan: {query.data.split(':')[1]}")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(chosen))
    villager = api.new_user("Siti")
    chat = api.private(villager)
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=1))
        await app.start()
        try:
            await chat.send("/start")
            menu = await chat.expect(contains="Pilih kecamatan")
            assert menu.button_texts() == ["Bangil", "Beji"]
            assert menu.html == "Pilih <b>kecamatan</b>:"
            answer = await chat.press(menu, "Bangil")
            assert answer.text == "Dipilih: kec:bangil" and not answer.show_alert
            edited = await chat.expect_edit(menu)
            assert edited.text == "Kecamatan: bangil"
            assert edited.buttons == [] and edited.edits == 1
            with pytest.raises(AssertionError, match=said("no button matching 'Beji'")):
                await chat.press(menu, "Beji")
            await chat.expect_nothing(within=0.05)
        finally:
            await app.updater.stop()
            await app.stop()
    assert api.calls("answerCallbackQuery")[0].params["callback_query_id"]


async def test_press_without_answer_fails_clearly(api: BotApiServer, bot: Bot) -> None:
    villager = api.new_user("Dewi")
    chat = api.private(villager)
    await chat.send("/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="ya")]])
    await bot.send_message(villager.id, "Yakin?", reply_markup=keyboard)
    msg = await chat.expect()
    with pytest.raises(AssertionError, match=said("did not answerCallbackQuery")):
        await chat.press_data(msg, "forged", timeout=0.05)
    query = api.updates[-1]["callback_query"]
    assert query["data"] == "forged" and query["message"]["message_id"] == msg.message_id


async def test_expect_reports_what_arrived(api: BotApiServer, bot: Bot, siti: FakeUser) -> None:
    chat = api.private(siti)
    with pytest.raises(AssertionError, match=said("no new bot message")):
        await chat.expect(timeout=0.05)
    await bot.send_message(siti.id, "Selamat pagi")
    with pytest.raises(AssertionError, match="'Selamat pagi'"):
        await chat.expect(contains="Selamat datang")
    await bot.send_message(siti.id, "lagi")
    with pytest.raises(AssertionError, match=said("expected silence")):
        await chat.expect_nothing(within=0.05)


async def test_edit_rules(api: BotApiServer, bot: Bot, siti: FakeUser) -> None:
    sent = await bot.send_message(siti.id, "versi 1")
    await bot.edit_message_text("<b>versi 2</b>", siti.id, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=said("message is not modified")):
        await bot.edit_message_text("<b>versi 2</b>", siti.id, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=said("message to edit not found")):
        await bot.edit_message_text("x", siti.id, 999)
    m = api.message(siti, sent.message_id)
    assert (m.text, m.edits, m.previous_texts) == ("versi 2", 1, ["versi 1"])


async def test_delete_rules(api: BotApiServer, bot: Bot, siti: FakeUser) -> None:
    fresh = await bot.send_message(siti.id, "baru")
    old = await bot.send_message(siti.id, "lama")
    api.age_message(api.message(siti, old.message_id), 49 * 3600)
    assert await bot.delete_message(siti.id, fresh.message_id)
    with pytest.raises(BadRequest, match=said("message can't be deleted")):
        await bot.delete_message(siti.id, old.message_id)
    with pytest.raises(BadRequest, match=said("message to delete not found")):
        await bot.delete_message(siti.id, fresh.message_id)
    assert [m.deleted for m in api.sent_to(siti)] == [True, False]


# --------------------------------------------------------------------------- files


async def test_photo_and_document_uploads_are_recorded(
    api: BotApiServer, bot: Bot, siti: FakeUser
) -> None:
    await bot.send_photo(
        siti.id, photo=b"\x89PNG-bytes", caption="<b>Foto</b> kegiatan", parse_mode="HTML"
    )
    await bot.send_document(siti.id, document=b"%PDF-1.4", filename="laporan.pdf")
    photo, doc = api.sent_to(siti)
    assert (photo.kind, photo.photo, photo.text) == ("photo", b"\x89PNG-bytes", "Foto kegiatan")
    assert photo.entities == [{"offset": 0, "length": 4, "type": "bold"}]
    assert (doc.kind, doc.document, doc.filename, doc.mime_type) == (
        "document",
        b"%PDF-1.4",
        "laporan.pdf",
        "application/pdf",
    )
    # Re-sending by file_id reuses the stored bytes.
    assert photo.file_id is not None
    await bot.send_photo(siti.id, photo=photo.file_id)
    assert api.sent_to(siti)[-1].photo == b"\x89PNG-bytes"


async def test_bot_downloads_a_users_photo(api: BotApiServer, bot: Bot, siti: FakeUser) -> None:
    sent = await api.private(siti).send_photo(b"JPEG-data", caption="jalan rusak")
    file = await bot.get_file(sent["photo"][-1]["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"JPEG-data"


async def test_copy_and_forward_a_report(api: BotApiServer, bot: Bot, siti: FakeUser) -> None:
    operator = api.new_user("Op")
    await api.private(operator).send("/start")
    report = await api.private(siti).send("Jalan rusak di Raci")
    copied = await bot.copy_message(operator.id, siti.id, report["message_id"])
    await bot.forward_message(operator.id, siti.id, report["message_id"])
    copy, forward = api.sent_to(operator)
    assert copy.message_id == copied.message_id and copy.text == "Jalan rusak di Raci"
    assert forward.forward_origin is not None
    assert forward.forward_origin["sender_user"]["id"] == siti.id


# --------------------------------------------------------------------------- reachability


async def test_private_chat_reachability(api: BotApiServer, bot: Bot) -> None:
    stranger = api.new_user("Asing")
    with pytest.raises(Forbidden, match=said("bot can't initiate conversation with a user")):
        await bot.send_message(stranger.id, "halo")
    await api.private(stranger).send("/start")
    await bot.send_message(stranger.id, "halo")
    api.block_bot(stranger)
    assert api.updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match=said("bot was blocked by the user")):
        await bot.send_message(stranger.id, "halo lagi")
    with pytest.raises(BadRequest, match=said("chat not found")):
        await bot.send_message(424242, "siapa?")
    assert api.delivered(stranger) == 1


async def test_group_membership_and_privacy_mode(api: BotApiServer, bot: Bot) -> None:
    admin, villager = api.new_user("Admin KIM"), api.new_user("Warga")
    group = api.new_group("KIM Raci", admins=[admin], members=[villager])
    with pytest.raises(BadRequest, match=said("chat not found")):
        await bot.send_message(group.id, "halo")
    await api.add_bot_to(group, by=admin)
    kinds = [next(k for k in u if k != "update_id") for u in api.updates]
    assert kinds == ["my_chat_member", "message"]
    assert api.updates[-1]["message"]["new_chat_members"][0]["username"] == "kim_test_bot"

    g = api.in_group(group, villager)
    before = len(api.updates)
    await g.send("obrolan biasa")  # privacy mode: not delivered
    await g.send("/lapor@kim_test_bot")
    await g.send("/lapor@other_bot")
    assert [u["message"]["text"] for u in api.updates[before:]] == ["/lapor@kim_test_bot"]

    await bot.send_message(group.id, "Siap")
    assert (await g.expect()).text == "Siap"
    member = await bot.get_chat_member(group.id, admin.id)
    assert member.status == "creator"
    await api.remove_bot_from(group, by=admin)
    with pytest.raises(Forbidden, match=said("bot was kicked from the group chat")):
        await bot.send_message(group.id, "halo")


async def test_leave_chat_makes_group_unreachable(api: BotApiServer, bot: Bot) -> None:
    admin = api.new_user("Admin")
    group = api.new_group("KIM Beji", admins=[admin], supergroup=True)
    await api.add_bot_to(group, by=admin, status="administrator")
    assert await bot.get_chat_member_count(group.id) == 2
    assert len(await bot.get_chat_administrators(group.id)) == 2
    chat = await bot.get_chat(group.id)
    assert chat.title == "KIM Beji" and chat.type == "supergroup"
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match=said("not a member of the supergroup chat")):
        await bot.send_message(group.id, "halo")


async def test_migration_raises_chat_migrated(api: BotApiServer, bot: Bot) -> None:
    admin = api.new_user("Admin")
    group = api.new_group("KIM Lama", admins=[admin])
    await api.add_bot_to(group, by=admin)
    new_id = await api.migrate_to_supergroup(group)
    assert str(new_id).startswith("-100")
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "halo")
    assert caught.value.new_chat_id == new_id
    await bot.send_message(new_id, "halo supergrup")
    service = [u["message"] for u in api.updates if "message" in u][-2:]
    assert service[0]["migrate_to_chat_id"] == new_id
    assert service[1]["migrate_from_chat_id"] == group.id


# --------------------------------------------------------------------------- commands


async def test_menu_for_resolves_scopes_like_telegram(api: BotApiServer, bot: Bot) -> None:
    admin, villager = api.new_user("Admin"), api.new_user("Warga", language_code="en")
    vip = api.new_user("Camat")
    group = api.new_group("KIM Raci", admins=[admin], members=[villager, vip])
    await api.add_bot_to(group, by=admin)

    def cmds(*names: str) -> list[BotCommand]:
        return [BotCommand(n, f"perintah {n}") for n in names]

    await bot.set_my_commands(cmds("start", "bantuan"))
    await bot.set_my_commands(cmds("start", "help"), language_code="en")
    await bot.set_my_commands(
        cmds("lapor"), scope=BotCommandScopeAllPrivateChats(), language_code="id"
    )
    await bot.set_my_commands(cmds("info"), scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(cmds("kelola"), scope=BotCommandScopeChatAdministrators(group.id))
    await bot.set_my_commands(cmds("rekap"), scope=BotCommandScopeChatMember(group.id, vip.id))
    await api.private(admin).send("/start")
    await bot.set_my_commands(cmds("admin"), scope=BotCommandScopeChat(admin.id))

    def names(menu: list[MenuCommand]) -> list[str]:
        return [c.command for c in menu]

    assert names(api.menu_for(villager)) == ["start", "help"]  # en: no private-chat menu
    assert names(api.menu_for(vip)) == ["lapor"]
    assert names(api.menu_for(admin)) == ["admin"]
    assert names(api.menu_for(villager, group)) == ["info"]
    assert names(api.menu_for(admin, group)) == ["kelola"]
    assert names(api.menu_for(vip, group)) == ["rekap"]
    assert api.commands_for({"type": "all_private_chats"}, "id") == [
        MenuCommand("lapor", "perintah lapor")
    ]
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["start", "help"]
    await bot.delete_my_commands(scope=BotCommandScopeChatMember(group.id, vip.id))
    assert names(api.menu_for(vip, group)) == ["info"]
    with pytest.raises(BadRequest, match=said("BOT_COMMAND_INVALID")):
        await bot.set_my_commands([BotCommand("Lapor", "huruf besar")])


# --------------------------------------------------------------------------- limits


async def test_bursting_into_a_group_hits_retry_after(api: BotApiServer, bot: Bot) -> None:
    admin = api.new_user("Admin")
    group = api.new_group("KIM Raci", admins=[admin])
    await api.add_bot_to(group, by=admin)
    api.enforce_limits(speedup=20)  # 20 per 3 s in a group
    for i in range(20):
        await bot.send_message(group.id, f"pesan {i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "satu lagi")
    wait = caught.value.retry_after
    assert isinstance(wait, dtm.timedelta) and dtm.timedelta(0) < wait <= dtm.timedelta(seconds=3)
    assert api.stats.rate_limited == 1
    assert api.delivered(group) == 20 == len(api.sent_to(group))


async def test_pacing_private_chats_stays_under_the_limits(api: BotApiServer, bot: Bot) -> None:
    users = [api.new_user(f"Warga {i}") for i in range(3)]
    for user in users:
        await api.private(user).send("/start")
    api.enforce_limits(speedup=5)  # 1 per 200 ms per private chat
    await bot.send_message(users[0].id, "1")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[0].id, "2")
    for user in users[1:]:
        await bot.send_message(user.id, "1")  # other chats are not affected
    await asyncio.sleep(0.2)
    await bot.send_message(users[0].id, "2")
    assert api.stats.sent_ok == 4 and api.stats.rate_limited == 1


async def test_global_limit_spans_chats(api: BotApiServer, bot: Bot) -> None:
    users = [api.new_user(f"Warga {i}") for i in range(31)]
    for user in users:
        await api.private(user).send("/start")
    api.enforce_limits()  # 30 per second overall
    results = await asyncio.gather(
        *(bot.send_message(u.id, "siaran") for u in users), return_exceptions=True
    )
    assert sum(isinstance(r, RetryAfter) for r in results) == 1
    assert api.stats.sent_ok == 30


# --------------------------------------------------------------------------- faults


async def test_injected_faults_map_to_ptb_exceptions(
    api: BotApiServer, bot: Bot, siti: FakeUser
) -> None:
    api.faults.add("retry_after", chat_id=siti, retry_after=2)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(siti.id, "a")
    assert caught.value.retry_after == dtm.timedelta(seconds=2)
    api.faults.add("server_error", method="sendMessage", status=502)
    with pytest.raises(NetworkError):
        await bot.send_message(siti.id, "b")
    api.faults.add("chat_not_found")
    with pytest.raises(BadRequest, match=said("chat not found")):
        await bot.send_message(siti.id, "c")
    await bot.send_message(siti.id, "d")  # faults used up
    api.faults.add("blocked")
    with pytest.raises(Forbidden, match=said("blocked by the user")):
        await bot.send_message(siti.id, "e")
    with pytest.raises(Forbidden, match=said("blocked by the user")):
        await bot.send_message(siti.id, "f")  # stays blocked
    assert [m.text for m in api.sent_to(siti)] == ["d"]
    assert api.delivered(siti) == 1
    assert api.faults.fired == {
        "retry_after": 1,
        "server_error": 1,
        "chat_not_found": 1,
        "blocked": 1,
    }


async def test_timeouts_with_and_without_delivery(api: BotApiServer, siti: FakeUser) -> None:
    chat = api.private(siti)
    async with make_bot(api, read_timeout=0.1) as impatient:
        api.faults.add("timeout", delay=0.3)
        with pytest.raises(TimedOut):
            await impatient.send_message(siti.id, "tidak sampai")
        api.faults.add("timeout_after_delivery", delay=0.3)
        with pytest.raises(TimedOut):
            await impatient.send_message(siti.id, "sampai")
        assert [m.text for m in api.sent_to(siti)] == ["sampai"]
        # The retry a careful sender would do now produces the visible duplicate.
        api.faults.add("slow", delay=0.2)
        with pytest.raises(TimedOut):
            await impatient.send_message(siti.id, "sampai")
        assert (await chat.expect()).text == "sampai"
        assert (await chat.expect(timeout=1)).text == "sampai"  # lands after the client gave up
    assert [m.text for m in api.sent_to(siti)] == ["sampai", "sampai"]


async def test_random_faults_are_reproducible() -> None:
    outcomes: list[list[str]] = []
    for _ in range(2):
        async with BotApiServer(token=TOKEN) as server, make_bot(server) as b:
            user = server.new_user("Warga")
            await server.private(user).send("/start")
            server.faults.random(seed=7, server_error=0.3, retry_after=0.2)
            seen: list[str] = []
            for i in range(20):
                try:
                    await b.send_message(user.id, str(i))
                    seen.append("ok")
                except RetryAfter:
                    seen.append("429")
                except NetworkError:
                    seen.append("5xx")
            outcomes.append(seen)
            assert server.stats.sent_ok == seen.count("ok") == server.delivered(user)
    assert outcomes[0] == outcomes[1]
    assert {"ok", "429", "5xx"} <= set(outcomes[0])


async def test_latency_is_added(api: BotApiServer, bot: Bot) -> None:
    api.latency = 0.05
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.05


# --------------------------------------------------------------------------- odds and ends


async def test_channel_posts_media_groups_and_keyboards(api: BotApiServer, bot: Bot) -> None:
    op = api.new_user("Operator")
    channel = api.new_channel("Info Bangil", admins=[op], username="info_bangil")
    with pytest.raises(BadRequest, match=said("chat not found")):
        await bot.send_message("@info_bangil", "halo")
    await api.make_bot_channel_admin(channel, by=op)
    post = await bot.send_message("@info_bangil", "Pengumuman")
    assert post.sender_chat is not None and post.sender_chat.id == channel.id
    album = await bot.send_media_group(
        channel.id, [InputMediaPhoto(b"foto-1", caption="Satu"), InputMediaPhoto(b"foto-2")]
    )
    assert len(album) == 2
    assert [m.photo for m in api.sent_to(channel)[1:]] == [b"foto-1", b"foto-2"]
    await api.revoke_bot_channel_admin(channel, by=op)
    with pytest.raises(Forbidden, match=said("not a member of the channel chat")):
        await bot.send_message(channel.id, "halo")

    await api.private(op).send("/start")
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Kirim lokasi", request_location=True)]])
    await bot.send_message(op.id, "Bagikan lokasi", reply_markup=keyboard)
    assert api.sent_to(op)[-1].keyboard == [["Kirim lokasi"]]
    await bot.send_location(op.id, latitude=-7.6, longitude=112.8)
    assert api.sent_to(op)[-1].extra["location"]["latitude"] == -7.6


async def test_json_bodies_and_group_replies(api: BotApiServer) -> None:
    admin, villager = api.new_user("Admin"), api.new_user("Warga")
    group = api.new_group("KIM Raci", admins=[admin], members=[villager])
    await api.add_bot_to(group, by=admin, status="administrator")
    g = api.in_group(group, villager)
    report = await g.send("jalan berlubang")  # admin bots see everything
    url = f"{api.base_url}{api.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        body = {"chat_id": group.id, "text": "Diterima", "reply_parameters": {"message_id": 99}}
        async with http.post(url, json=body) as resp:
            assert resp.status == 400
            assert (await resp.json())[
                "description"
            ] == "Bad Request: message to be replied not found"
        body["reply_parameters"] = {"message_id": report["message_id"]}
        async with http.post(url, json=body) as resp:
            assert (await resp.json())["ok"] is True
    answer = await g.expect(contains="Diterima")
    assert answer.reply_to_message_id == report["message_id"]
    follow_up = await api.in_group(group, admin).send("/tutup", reply_to=answer)
    assert follow_up["reply_to_message"]["text"] == "Diterima"
    assert [u["message"]["text"] for u in api.updates if "text" in u.get("message", {})] == [
        "jalan berlubang",
        "/tutup",
    ]
