"""Every message gets an answer: pasted texts, unknown commands, /batal, edits, and staff
commands sent in a group."""

from __future__ import annotations

from bot import commands, hoaxes, people, texts
from bot.hoaxes import NewEntry, Verdict
from bot.people import Role
from bot.services import KimApp
from botapi_sandbox import BotApiServer, ChatSession, FakeUser
from handlers import answers
from tests.network import Network

# Invented claim, written for these tests.
CLAIM = NewEntry(
    "Air kelapa dicampur garam menyembuhkan demam berdarah dalam satu malam",
    Verdict.HOAKS,
    "Tidak ada bukti ilmiah; demam berdarah ditangani di puskesmas.",
    "https://cek.contoh.id/kelapa",
)
PASTED = "Air kelapa dicampur garam menyembuhkan demam berdarah dalam satu malam, sebarkan!"
HTML_LIKE = '<b>HADIAH</b> <a href="x">klik</a> & <script>alert(1)</script> 5 < 7 > 3 &amp;'


async def _villager(server: BotApiServer, name: str = "Siti") -> ChatSession:
    chat = server.private(server.new_user(name))
    await chat.send("/start")
    await chat.expect()
    return chat


def _failed_calls(server: BotApiServer, chat: ChatSession) -> list[str]:
    """Refused API calls about this chat (a parse error would show here)."""
    return [
        f"{r.method}: {r.description}"
        for r in server.world.requests
        if not r.ok and r.params.get("chat_id") in (chat.chat_id, str(chat.chat_id))
    ]


async def test_pasted_text_is_checked_like_cek(server: BotApiServer, kimbot: KimApp) -> None:
    """A pasted rumour gets next steps; "Cek kabar ini" answers exactly as /cek does."""
    async with kimbot.bot_data.db.transaction() as conn:
        await hoaxes.add_entries(conn, [CLAIM], source="test", now=kimbot.bot_data.clock.now())
    chat = await _villager(server)
    pasted = await chat.send(PASTED)
    card = await chat.expect(contains=texts.OUTSIDE_FLOW)
    assert card.reply_to_message_id == pasted["message_id"]
    assert card.button_texts() == [texts.CHECK_THIS, texts.REPORT_THIS, texts.HELP_BUTTON]
    await chat.press(card, texts.CHECK_THIS)
    checked = await chat.expect_edit(card)
    assert "HOAKS" in checked.text

    await chat.send(f"/cek {PASTED}")
    assert (await chat.expect()).text == checked.text


async def test_laporkan_files_the_pasted_text(server: BotApiServer, kimbot: KimApp) -> None:
    """ "Laporkan" under the answer files the pasted message as a report, as /lapor would."""
    chat = await _villager(server)
    await chat.send(PASTED)
    card = await chat.expect(contains=texts.OUTSIDE_FLOW)
    await chat.press(card, texts.REPORT_THIS)
    ask = await chat.expect(contains="Laporan Anda tercatat dengan nomor")
    assert "Lewati" in ask.button_texts()
    stored = await kimbot.bot_data.db.fetchall("SELECT text FROM hoax_reports")
    assert [row["text"] for row in stored] == [PASTED]


async def test_bantuan_button_shows_the_help(server: BotApiServer, kimbot: KimApp) -> None:
    """ "Bantuan" under the answer shows the same help as /bantuan."""
    chat = await _villager(server)
    await chat.send("halo pak, ini bot apa ya?")
    card = await chat.expect(contains=texts.OUTSIDE_FLOW)
    await chat.press(card, texts.HELP_BUTTON)
    shown = await chat.expect(contains="/cek")
    await chat.send("/bantuan")
    assert (await chat.expect()).text == shown.text


async def test_long_and_html_like_texts_get_their_answer(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """A 4,096-character text and an HTML-like text are answered, and checked, without errors."""
    chat = await _villager(server)
    longest = ("Kabar penting untuk warga desa, mohon dibaca sampai habis. " * 80)[:4096]
    assert len(longest) == 4096
    for text in (longest, HTML_LIKE):
        await chat.send(text)
        card = await chat.expect(contains=texts.OUTSIDE_FLOW)
        await chat.press(card, texts.CHECK_THIS)
        await chat.expect_edit(card)
    await chat.send(HTML_LIKE)
    card = await chat.expect(contains=texts.OUTSIDE_FLOW)
    await chat.press(card, texts.REPORT_THIS)
    await chat.expect(contains="Laporan Anda tercatat")
    assert _failed_calls(server, chat) == []


async def test_unknown_command_and_batal_always_answer(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """/hadiahgratis is "tidak dikenal" with /bantuan; /batal with nothing open says so."""
    chat = await _villager(server)
    await chat.send("/hadiahgratis")
    unknown = await chat.expect(contains="/hadiahgratis tidak dikenal")
    assert "/bantuan" in unknown.text
    await chat.send("/daftarkim_<b>x</b>")
    await chat.expect(contains="tidak dikenal")
    await chat.send("/batal")
    assert (await chat.expect()).text == texts.NOTHING_TO_CANCEL
    assert _failed_calls(server, chat) == []


async def test_edited_messages_run_nothing_twice(server: BotApiServer, kimbot: KimApp) -> None:
    """Editing a /lapor, a /cek or a plain text files nothing and answers nothing again."""
    chat = await _villager(server)
    report = await chat.send(f"/lapor {PASTED}")
    await chat.expect(contains="Laporan Anda tercatat")
    await chat.edit(report, f"/lapor {PASTED} (diubah)")
    check = await chat.send(f"/cek {PASTED}")
    await chat.expect()
    await chat.edit(check, "/cek kabar lain")
    plain = await chat.send("halo")
    await chat.expect(contains=texts.OUTSIDE_FLOW)
    await chat.edit(plain, "halo lagi")
    await chat.expect_nothing(within=0.5)
    assert await kimbot.bot_data.db.fetchval("SELECT COUNT(*) FROM hoax_reports") == 1


async def test_staff_commands_in_a_group_are_answered_privately_or_not_at_all(
    server: BotApiServer, kimbot: KimApp, admin: FakeUser
) -> None:
    """In a KIM group, every staff command leaves the group silent: the staff member gets a
    private pointer, a villager nothing, staff the bot cannot write to one note without data."""
    listed = {"cakupan", "sinyal", "status", "pendaftaran", "kanal", "operator", "poster"}
    assert listed <= set(answers.STAFF_COMMANDS)
    assert set(answers.STAFF_COMMANDS) == {
        c.name for c in commands.COMMANDS if Role.WARGA not in c.allowed
    }
    net = Network(server, kimbot)
    pak_rt = server.new_user("Pak RT")
    group = await net.kim_group("KIM Raci", "35.14.14.2011", pak_rt)
    private = server.private(admin)
    await private.send("/start")
    await private.expect()
    villager = server.new_user("Joko")
    dewi = server.new_user("Dewi")  # an operator who never started the bot
    services = kimbot.bot_data
    await people.grant(
        services.db, user_id=dewi.id, role=Role.OPERATOR, actor_id=None, now=services.clock.now()
    )
    for person in (admin, villager, dewi):
        await server.join(group, person)
    in_group = server.in_group(group, admin)
    before = len(server.sent_to(group))
    for name in answers.STAFF_COMMANDS:
        await in_group.send(f"/{name}")
        pointer = await private.expect(contains=f"/{name} berisi data kantor")
        assert pointer.buttons == []
        await server.in_group(group, villager).send(f"/{name}@kim_test_bot")
    await private.expect_nothing(within=0.3)
    assert len(server.sent_to(group)) == before

    dewi_in_group = server.in_group(group, dewi)
    await dewi_in_group.expect(contains="Halo semuanya")  # the greeting when the bot joined
    await dewi_in_group.send("/cakupan")
    note = await dewi_in_group.expect(contains="hanya dijawab di chat pribadi")
    assert note.text == texts.STAFF_COMMAND_IN_GROUP
    assert len(server.sent_to(group)) == before + 1
