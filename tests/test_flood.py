"""One person cannot slow everyone else down: the per-person limit on answers, in chat."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import people, texts
from bot.flood import SWEEP_EVERY, FloodGate, Verdict
from bot.people import Role
from bot.services import KimApp
from bot.settings import Settings, load_settings
from bot.texts import blankspot as blankspot_texts
from botapi_sandbox import BotApiServer, FakeUser
from botapi_sandbox.models import CallbackAnswer
from botapi_sandbox.session import ChatSession
from tests.clock import FakeClock

PER_MINUTE = 12
STAFF_PER_MINUTE = 30
BURST = 40
USAGE = "Cek kabar"  # what /cek alone answers


@pytest.fixture
def settings(server: BotApiServer, admin: FakeUser, tmp_path: Path) -> Settings:
    """Small limits, so a test reaches them in a few dozen messages."""
    return load_settings(
        {
            "BOT_TOKEN": server.token,
            "BOT_API_BASE_URL": server.base_url,
            "BOT_API_BASE_FILE_URL": server.base_file_url,
            "DATABASE_PATH": str(tmp_path / "kim-bot.sqlite3"),
            "ADMIN_IDS": str(admin.id),
            "ANSWERS_PER_MINUTE": str(PER_MINUTE),
            "STAFF_ANSWERS_PER_MINUTE": str(STAFF_PER_MINUTE),
            "BLANKSPOTS_PER_HOUR": "1",
        }
    )


@pytest.fixture
def clock(kimbot: KimApp) -> FakeClock:
    """Time stands still unless the test moves it: buckets refill only when it says so."""
    services = kimbot.bot_data
    fake = FakeClock(services.clock.now())
    services.clock = fake
    return fake


async def answered(chat: ChatSession, text: str = "/cek") -> None:
    await chat.send(text)
    await chat.expect(contains=USAGE)


async def handled(chat: ChatSession) -> CallbackAnswer:
    """A button press after everything the person sent: its callback answer comes once the
    chat's earlier updates are handled (a chat's updates are handled in order), so what the
    bot said before it is all it said."""
    if not chat.messages:
        await chat.expect()  # a bot message to press on
    return await chat.press_data(chat.messages[0], "flood:probe")


def texts_in(chat: ChatSession) -> list[str]:
    return [message.text for message in chat.messages]


async def test_a_burst_gets_a_bucket_of_answers_one_notice_then_silence(
    server: BotApiServer, kimbot: KimApp, clock: FakeClock
) -> None:
    """40 /cek at once: 12 answers and one "terlalu cepat"; another villager is unaffected."""
    siti = server.private(server.new_user("Siti"))
    budi = server.private(server.new_user("Budi"))
    for _ in range(BURST):
        await siti.send("/cek")
    assert (await handled(siti)).text is None  # paused: not even "tidak berlaku"
    said = texts_in(siti)
    assert len(said) == PER_MINUTE + 1
    assert all(USAGE in text for text in said[:PER_MINUTE])
    assert said[-1] == texts.TOO_FAST
    await answered(budi)


async def test_silence_lasts_until_the_bucket_is_full_again(
    server: BotApiServer, kimbot: KimApp, clock: FakeClock
) -> None:
    """Half a minute later still nothing; a whole minute later Siti is answered again."""
    siti = server.private(server.new_user("Siti"))
    for _ in range(PER_MINUTE + 3):
        await siti.send("/cek")
    await handled(siti)
    assert len(siti.messages) == PER_MINUTE + 1
    clock.advance(timedelta(seconds=30))
    await siti.send("/cek")
    await handled(siti)
    assert len(siti.messages) == PER_MINUTE + 1  # no answer, no second notice
    for _ in range(PER_MINUTE):  # (`handled` read the first)
        await siti.expect()
    clock.advance(timedelta(seconds=30))
    for _ in range(PER_MINUTE):
        await answered(siti)
    await siti.send("/cek")
    await siti.expect(contains=texts.TOO_FAST)  # a new bucket, and its one notice


async def test_staff_get_the_higher_limit(
    server: BotApiServer, kimbot: KimApp, clock: FakeClock
) -> None:
    """An operator's burst gets the staff bucket's worth of answers, not unlimited ones."""
    budi = server.new_user("Budi", last_name="Operator")
    services = kimbot.bot_data
    await people.grant(
        services.db, user_id=budi.id, role=Role.OPERATOR, actor_id=None, now=clock.now()
    )
    operator = server.private(budi)
    for _ in range(BURST):
        await operator.send("/cek")
    await handled(operator)
    said = texts_in(operator)
    assert len(said) == STAFF_PER_MINUTE + 1
    assert said[-1] == texts.TOO_FAST


async def test_a_flood_of_button_presses_is_answered_but_changes_nothing_more(
    server: BotApiServer, kimbot: KimApp, clock: FakeClock
) -> None:
    """Every press gets its callback answer (one says "terlalu cepat"); past the limit no
    press edits the picker and no message is sent."""
    siti = server.private(server.new_user("Siti"))
    await siti.send("/blankspot")
    await siti.expect(contains="Lapor blank spot")
    picker = await siti.expect(contains="pilih kecamatannya")
    allowed = PER_MINUTE - 1  # /blankspot took one
    answers = []
    data = ""
    for press in range(BURST):  # each press waits for its answer, as a person's thumb does
        # Bangil, then "« Kecamatan lain" on its desa page, and so on, read off the keyboard
        # as it is now; past the limit it no longer changes, and the last data is pressed.
        label = "Bangil" if press % 2 == 0 else "Kecamatan lain"
        shown = server.message(siti.chat_id, picker).buttons
        data = next((b.callback_data or "" for row in shown for b in row if label in b.text), data)
        assert data
        answers.append(await siti.press_data(picker, data))
        if press < allowed:
            await siti.expect_edit(picker)
    notices = [a for a in answers if a.text == texts.TOO_FAST_BUTTON]
    assert len(notices) == 1 and answers.index(notices[0]) == allowed
    assert all(a.text is None for a in answers[allowed + 1 :])
    assert len(siti.messages) == 2  # the two of /blankspot, nothing more
    assert server.message(siti.chat_id, picker).edits == allowed


async def test_blankspot_reports_have_an_hourly_limit(
    server: BotApiServer, kimbot: KimApp, clock: FakeClock
) -> None:
    """With one report an hour: a second flow already open is refused at its last button,
    and a new /blankspot is refused at once."""
    siti = server.private(server.new_user("Siti"))
    pickers = []
    for _ in range(2):
        await siti.send("/blankspot")
        await siti.expect(contains="Lapor blank spot")
        pickers.append(await siti.expect(contains="pilih kecamatannya"))
    for picker in pickers:
        await siti.press(picker, "Bangil")
        await siti.press(await siti.expect_edit(picker), "Tidak tahu desanya")
        await siti.press(await siti.expect_edit(picker), "Telkomsel")
        await siti.press(await siti.expect_edit(picker), "Tidak ada sinyal")
    await siti.expect(contains="Laporan blank spot Anda tercatat")
    await siti.expect(contains=blankspot_texts.rate_limited(1))
    await siti.send("/blankspot")
    await siti.expect(contains=blankspot_texts.rate_limited(1))
    rows = await kimbot.bot_data.db.fetchval("SELECT COUNT(*) FROM blankspots")
    assert rows == 1
    clock.advance(timedelta(hours=1, minutes=1))
    await siti.send("/blankspot")
    await siti.expect(contains="Lapor blank spot")


@pytest.fixture
def server_sees_all(server: BotApiServer) -> BotApiServer:
    """Group privacy mode off: the bot reads every group message, as the guard needs."""
    server.privacy_mode = False
    return server


async def test_group_conversation_does_not_count_but_commands_do(
    server_sees_all: BotApiServer, kimbot: KimApp, clock: FakeClock
) -> None:
    """A chatty member of a KIM group is never told to slow down; their /cek flood is."""
    server = server_sees_all
    harto, sri = server.new_user("Pak Harto"), server.new_user("Bu Sri")
    group = server.new_group("KIM Raci", admins=[harto], members=[sri])
    await server.add_bot_to(group, by=harto)
    member, admin = server.in_group(group, sri), server.in_group(group, harto)
    await member.expect()  # the bot's greeting
    await admin.expect()
    for number in range(BURST):
        await member.send(f"pesan biasa nomor {number}")
    await member.send("/cek")
    await member.expect(contains=USAGE)  # chatter took nothing from her bucket
    for _ in range(BURST):
        await member.send("/cek")
    # Pak Harto's /cek is handled after all of hers (one chat's updates go in order).
    asked = (await admin.send("/cek"))["message_id"]
    assert await server.world.wait_until(
        lambda: any(m.reply_to_message_id == asked for m in member.messages), 5.0
    )
    said = texts_in(member)
    assert sum(USAGE in text for text in said) == 1 + PER_MINUTE  # hers, then Pak Harto's
    assert said.count(texts.TOO_FAST) == 1 and said[-2] == texts.TOO_FAST


async def test_only_people_who_wrote_in_the_last_minute_are_kept_in_memory() -> None:
    """A thousand people who wrote once are forgotten once their buckets are full again."""
    gate = FloodGate(per_minute=20, staff_per_minute=60)

    async def never() -> bool:
        raise AssertionError("roles are looked up only when a bucket runs empty")

    for person in range(1000):
        assert await gate.admit(person, 1000.0, never) is Verdict.ANSWER
    assert gate.tracked() == 1000
    await gate.admit(5000, 1000.0 + SWEEP_EVERY, never)
    assert gate.tracked() == 1


async def test_a_slow_chat_holds_up_no_other_chat(
    server: BotApiServer, kimbot: KimApp, clock: FakeClock
) -> None:
    """While a reply into Siti's chat hangs for two seconds, Budi is answered at once."""
    siti_user = server.new_user("Siti")
    siti, budi = server.private(siti_user), server.private(server.new_user("Budi"))
    server.faults.add("slow", chat_id=siti_user, delay=2.0)
    await siti.send("/cek")
    await siti.send("/cek")  # waits behind the first, in her own chat's queue
    await budi.send("/cek")
    await budi.expect(contains=USAGE, timeout=1.0)
    assert len(siti.messages) == 0
    await siti.expect(contains=USAGE, timeout=5.0)
    await siti.expect(contains=USAGE)
