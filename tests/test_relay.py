"""Announcements relayed from KIM groups to WhatsApp: the link under a group's copy, its
trimmed text and check code, and villagers checking what reached them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from telegram import MessageEntity

from bot import relay
from bot.genuine import Archived, Outcome, compare_relayed
from bot.people import Role
from bot.services import KimApp
from bot.whatsapp import markup
from botapi_sandbox import BotApiServer, SentMessage
from broadcasts.content import Body, Kind
from broadcasts.targets import Targets
from tests.faultkit import approve_announcement
from tests.network import Network, desa

ORGANIZATION = "Diskominfo Kabupaten Pasuruan"
SHARE = "📲 Bagikan ke WhatsApp"
RELAYED = "✅ Sudah diteruskan ke warga"
SHORT = (
    "Bantuan pupuk bersubsidi untuk petani Desa Raci dapat ditebus di balai desa mulai "
    "Senin, 2 Maret 2026 pukul 08.00. Harga tebus Rp 50.000 per karung."
)
LONG = SHORT + "".join(
    f"\n\nKelompok tani {i} menebus pupuk pada hari ke-{i} pukul {7 + i % 9}.00 dengan kartu tani."
    for i in range(1, 40)
)
FOOTER = re.compile(
    r"\n\n— Pengumuman #(\d+) · " + ORGANIZATION + r" · kode [A-Z2-7]{4}-[A-Z2-7]{4}$"
)


@dataclass
class Delivered:
    number: int
    group: SentMessage  # the copy in KIM Raci
    private: SentMessage  # Siti's copy as a subscriber
    net: Network


async def deliver(server: BotApiServer, kimbot: KimApp, text: str) -> Delivered:
    """An announcement (its first two words bold) approved and delivered to KIM Raci and Siti."""
    net = Network(server, kimbot)
    raci = await net.kim_group("KIM Raci", "35.14.14.2011", server.new_user("Pak RT"))
    siti = await net.villager("Siti", desa("35.14.14.2011"), "pertanian")
    budi = await net.staff("Budi", Role.OPERATOR)
    sari = await net.staff("Sari", Role.VERIFIER)
    db, now = kimbot.bot_data.db, kimbot.bot_data.clock.now()
    bold = MessageEntity(MessageEntity.BOLD, 0, len("Bantuan pupuk"))
    body = Body(Kind.TEXT, text, (bold,))
    number = await approve_announcement(
        db,
        author=budi.id,
        verifier=sari.id,
        text=body,
        topic="pertanian",
        now=now,
        targets=Targets(kecamatan=("35.14.14",)),
    )
    kimbot.bot_data.delivery.wake()
    private = await server.private(siti).expect(contains=f"Pengumuman #{number}")
    await server.wait_for_call(
        "sendMessage",
        where=lambda r: r.params.get("chat_id") == raci.id and "Bantuan" in str(r.params["text"]),
    )
    [group] = [m for m in server.sent_to(raci) if f"Pengumuman #{number}" in m.text]
    return Delivered(number, group, private, net)


def shared_text(message: SentMessage) -> str:
    """The text WhatsApp opens with, decoded from the button's wa.me link."""
    url = message.button(SHARE).url
    assert url is not None and url.startswith("https://wa.me/?text=")
    assert len(url) <= relay.URL_LIMIT
    [text] = parse_qs(urlsplit(url).query)["text"]
    return text


async def check_forward(server: BotApiServer, text: str, name: str) -> str:
    """A villager forwards `text` to the bot and presses "Cek": the answer's text."""
    chat = server.private(server.new_user(name))
    await chat.forward(text, from_user=server.new_user("Tetangga"))
    card = await chat.expect(contains="Anda meneruskan sebuah pesan")
    await chat.press(card, "🔎 Cek keaslian/hoaks")
    return (await chat.expect_edit(card)).text


@pytest.fixture
async def long_one(server: BotApiServer, kimbot: KimApp) -> Delivered:
    return await deliver(server, kimbot, LONG)


async def test_a_kim_group_copy_links_to_whatsapp_and_a_private_copy_does_not(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """KIM Raci's copy has "Bagikan ke WhatsApp" opening the whole text, bold as *…*, with
    the numbered, coded footer; "Sudah diteruskan" still answers; Siti's copy has no link."""
    sent = await deliver(server, kimbot, SHORT)
    assert sent.group.button_texts() == ["👍 Bermanfaat", "👎 Kurang jelas", RELAYED, SHARE]
    text = shared_text(sent.group)
    footer = FOOTER.search(text)
    assert footer is not None and int(footer[1]) == sent.number
    assert text[: footer.start()] == "*Bantuan pupuk*" + SHORT[len("Bantuan pupuk") :]
    assert SHARE not in sent.private.button_texts()
    assert all(b.url is None for row in sent.private.buttons for b in row)
    raci = sent.net.groups["KIM Raci"]
    anggota = server.new_user("Anggota")
    await server.join(raci, anggota)
    pressed = await server.in_group(raci, anggota).press(sent.group, RELAYED)
    assert "Terima kasih" in (pressed.text or "")


async def test_a_long_announcement_is_trimmed_on_a_word_boundary(long_one: Delivered) -> None:
    """A 2,900-character body is cut after a whole word, marked "…", within both limits."""
    text = shared_text(long_one.group)
    assert len(text) <= relay.TEXT_LIMIT
    footer = FOOTER.search(text)
    assert footer is not None
    body = text[: footer.start()]
    assert body.endswith(" …")
    kept = body.removesuffix(" …").replace("*Bantuan pupuk*", "Bantuan pupuk", 1)
    assert LONG.startswith(kept) and len(kept) > 1000
    words = relay.words(kept)
    assert words == relay.words(LONG)[: len(words)]  # the last word whole, not cut


async def test_a_relayed_copy_is_genuine_when_forwarded_or_pasted(
    server: BotApiServer, long_one: Delivered
) -> None:
    """The trimmed WhatsApp text, forwarded or after /cek, is "asli": an official copy, cut."""
    text = shared_text(long_one.group)
    answer = await check_forward(server, text, "Joko")
    assert answer.startswith(
        f"✅ ASLI — salinan resmi Pengumuman #{long_one.number} dari {ORGANIZATION}, dipotong"
    )
    chat = server.private(server.new_user("Wati"))
    await chat.send(f"/cek {text}")
    assert (await chat.expect()).text.startswith("✅ ASLI — salinan resmi")


async def test_a_changed_amount_in_a_relayed_copy_is_the_only_change(
    server: BotApiServer, long_one: Delivered
) -> None:
    """Rp 50.000 → Rp 500.000 in the trimmed copy: "diubah" with that one change, the
    missing tail counting for nothing."""
    forged = shared_text(long_one.group).replace("Rp 50.000", "Rp 500.000")
    answer = await check_forward(server, forged, "Rudi")
    assert answer.startswith(f"⚠️ DIUBAH — mirip Pengumuman #{long_one.number}")
    assert "• «Rp 50.000» → «Rp 500.000»" in answer
    assert answer.count("•") == 1


async def test_an_altered_code_on_a_true_text_is_the_change(
    server: BotApiServer, long_one: Delivered
) -> None:
    """The same words with another code: "diubah", the code as the change."""
    text = shared_text(long_one.group)
    right = text[-9:]
    wrong = ("AAAA-AAAA", "BBBB-BBBB")[right == "AAAA-AAAA"]
    answer = await check_forward(server, text[:-9] + wrong, "Eko")
    assert answer.startswith(f"⚠️ DIUBAH — mirip Pengumuman #{long_one.number}")
    assert f"• «kode {right}» → «kode {wrong}»" in answer
    assert answer.count("•") == 1


# --- without Telegram ---------------------------------------------------------------------

SECRET = bytes(range(32))


def test_the_code_is_stable_and_bound_to_the_number_the_words_and_the_secret() -> None:
    """Case and spacing do not change the code; another number, word or secret does."""
    code = relay.code(SECRET, 12, SHORT)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    assert relay.code(SECRET, 12, SHORT) == code
    assert relay.code(SECRET, 12, "  " + SHORT.upper().replace(" ", "\n ")) == code
    assert relay.code(SECRET, 13, SHORT) != code
    assert relay.code(SECRET, 12, SHORT.replace("50.000", "500.000")) != code
    assert relay.code(bytes(32), 12, SHORT) != code
    assert relay.valid(SECRET, 12, SHORT, code.lower())


def test_the_footer_reads_back_and_emoji_still_fit_the_link() -> None:
    """What `text` writes, `parse` reads: number, code and body; emoji-heavy text is trimmed
    by the link's length, not only by characters."""
    body = "Waspada banjir 🌊🌧️ " * 200
    text = relay.text(SECRET, 7, ORGANIZATION, body, ())
    assert len(relay.link(text)) <= relay.URL_LIMIT
    parsed = relay.parse(text)
    assert parsed is not None and parsed.number == 7
    assert relay.valid(SECRET, 7, parsed.body, parsed.code)
    kept = parsed.body.removesuffix(" …")
    assert body.startswith(kept) and body[len(kept)] == " "
    assert len(text) < relay.TEXT_LIMIT // 2  # the link's length bound it


def test_bold_and_italic_become_whatsapp_marks_around_the_words() -> None:
    """Marks hug the words (spaces stay outside), nest properly, and skip multi-line runs."""
    text = "Rapat desa Senin.\nBawa KTP."
    entities = [
        MessageEntity(MessageEntity.BOLD, 0, 11),  # "Rapat desa " with its space
        MessageEntity(MessageEntity.ITALIC, 6, 4),  # "desa", ending with the bold
        MessageEntity(MessageEntity.BOLD, 6, 15),  # across the line break: left alone
    ]
    assert markup.from_entities(text, entities) == "*Rapat _desa_* Senin.\nBawa KTP."


def _archived(number: int, body: str) -> Archived:
    return Archived(number, body, "sent", "", "", "2026-11-28T08:00:00+07:00")


def test_a_relay_of_an_unknown_number_is_not_found() -> None:
    """A relay footer naming an announcement never sent: "tidak ditemukan"."""
    text = relay.text(SECRET, 999, ORGANIZATION, "Bantuan tunai Rp 2.000.000 untuk setiap KK.", ())
    parsed = relay.parse(text)
    assert parsed is not None
    finding = compare_relayed(parsed, [_archived(12, SHORT)], SECRET)
    assert finding.outcome is Outcome.NOT_FOUND and finding.claimed == 999


def test_a_changed_last_word_of_a_trimmed_copy_is_one_short_change() -> None:
    """The trimmed copy's last word changed: one change of that word, not of the whole tail."""
    cut = SHORT.rsplit(" ", 4)[0]  # "... Harga tebus"
    forged = cut.rsplit(" ", 1)[0] + " USD"
    text = f"{forged} …\n\n" + relay.text(SECRET, 12, ORGANIZATION, cut, ()).rsplit("\n\n", 1)[1]
    parsed = relay.parse(text)
    assert parsed is not None
    finding = compare_relayed(parsed, [_archived(12, SHORT)], SECRET)
    assert finding.outcome is Outcome.ALTERED
    assert [(c.before, c.after) for c in finding.changes] == [("Harga tebus", "Harga USD")]
