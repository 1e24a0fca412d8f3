"""A KIM member's relay of an announcement into WhatsApp, and the check code that travels
with it.

Under an announcement in a KIM group, "Bagikan ke WhatsApp" opens `wa.me` with the text
prefilled: the body (bold and italic as WhatsApp's `*tebal*` and `_miring_`), trimmed on a
word boundary to fit a link, then one footer line with the number and a check code
("— Pengumuman #12 · <office> · kode 7KQ4-M2AB"). Whoever receives it can send it to the bot,
which recomputes the code (`bot.genuine` judges the rest).

- Limits: at most `TEXT_LIMIT` (1,500) characters of text and a link of at most `URL_LIMIT`
  (2,048) characters. 2,048 is the URL length every browser, in-app browser and Android
  intent hands over intact; percent-encoding makes Indonesian text about 1.2 times longer
  but an emoji 12 characters, so the link limit is the one that binds for emoji-rich text.
  1,500 characters is two phone screens in a WhatsApp group, and leaves room for the footer.
- The code: HMAC-SHA256 over the number and the body reduced to its words and numbers
  (`words`: case, punctuation, emoji, line breaks and the `*`/`_` marks do not count, since
  copying and forwarding change them), keyed by a random 256-bit secret created once in
  the database (`meta`), never the bot token: a token rotated after a leak would otherwise
  turn every earlier relay into a forgery. The first 40 bits, in base32 as two groups of
  four ("7KQ4-M2AB"), are readable aloud and guessed by chance once in 10^12 tries.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from urllib.parse import quote

from telegram import MessageEntity

from bot.storage import Database
from bot.texts import siaran
from bot.whatsapp import markup

TEXT_LIMIT = 1500
URL_LIMIT = 2048
WA_ME = "https://wa.me/?text="
ELLIPSIS = " …"
CODE_BYTES = 5  # 40 bits: 8 base32 characters
_KEY_NAME = "relay_key"

# The unit of comparison, shared with bot.genuine: a number with its separators is one
# word ("50.000", "08.00"); anything that is neither letter nor digit separates words.
WORD = re.compile(r"\d+(?:[.,:/-]\d+)*|[^\W\d_]+")
_FOOTER = re.compile(
    r"^[ \t]*—[^\n]*?Pengumuman\s*#\s*(\d{1,9})[^\n]*?\bkode\s*([A-Z2-7]{4})[\s-]?([A-Z2-7]{4})"
    r"[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Relayed:
    """A received text that carries a relay footer: the words around it, number and code."""

    number: int
    code: str  # as "ABCD-EFGH", upper case
    body: str  # the text without the footer line


def words(text: str) -> list[str]:
    return WORD.findall(text)


# --- the secret --------------------------------------------------------------------------


async def key(db: Database) -> bytes:
    """The office's relay secret, created on first use (in one transaction: announcements
    rendered side by side all get the one secret)."""
    stored = await stored_key(db)
    if stored is not None:
        return stored
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
            (_KEY_NAME, secrets.token_hex(32)),
        )
        async with conn.execute("SELECT value FROM meta WHERE key = ?", (_KEY_NAME,)) as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return bytes.fromhex(row[0])


async def stored_key(db: Database) -> bytes | None:
    """The secret if one was ever made (no relay exists before it, so none can be valid)."""
    value = await db.fetchval("SELECT value FROM meta WHERE key = ?", (_KEY_NAME,))
    return None if value is None else bytes.fromhex(value)


# --- the code ----------------------------------------------------------------------------


def code(secret: bytes, number: int, body: str) -> str:
    """The check code of announcement `number` relayed as `body`."""
    message = f"{number}\n{' '.join(word.casefold() for word in words(body))}".encode()
    digest = hmac.new(secret, message, sha256).digest()[:CODE_BYTES]
    letters = base64.b32encode(digest).decode()
    return f"{letters[:4]}-{letters[4:]}"


def valid(secret: bytes, number: int, body: str, written: str) -> bool:
    return hmac.compare_digest(code(secret, number, body), written.upper())


def parse(text: str) -> Relayed | None:
    """The relay footer of a received text (the last one), or None for any other text."""
    found = list(_FOOTER.finditer(text))
    if not found:
        return None
    match = found[-1]
    body = (text[: match.start()] + text[match.end() :]).strip()
    return Relayed(int(match[1]), f"{match[2]}-{match[3]}".upper(), body)


# --- the text and the link ---------------------------------------------------------------


def text(
    secret: bytes, number: int, organization: str, body: str, entities: Sequence[MessageEntity]
) -> str:
    """The relayed text: the body as WhatsApp writes it, trimmed to fit, and the footer."""
    marked = markup.from_entities(body, entities)
    probe = "\n\n" + siaran.relay_footer(number, organization, "XXXX-XXXX")
    kept = fit(marked, TEXT_LIMIT - len(probe), URL_LIMIT - len(WA_ME) - _encoded(probe))
    return f"{kept}\n\n{siaran.relay_footer(number, organization, code(secret, number, kept))}"


def link(relayed: str) -> str:
    return WA_ME + quote(relayed, safe="")


def fit(body: str, chars: int, encoded: int) -> str:
    """`body`, or its longest start that ends on a word boundary, fits `chars` characters and
    `encoded` once percent-encoded, and is followed by an ellipsis."""
    body = body.strip()
    if len(body) <= chars and _encoded(body) <= encoded:
        return body
    chars -= len(ELLIPSIS)
    encoded -= _encoded(ELLIPSIS)
    kept: list[str] = []
    length = size = 0
    for piece in re.split(r"(\s+)", body):
        length, size = length + len(piece), size + _encoded(piece)
        if length > chars or size > encoded:
            break
        kept.append(piece)
    cut = "".join(kept).rstrip()
    if not cut:  # one "word" longer than the room (a long link): cut it by characters
        cut = body[: max(0, chars)]
        while cut and _encoded(cut) > encoded:
            cut = cut[: len(cut) * 3 // 4]
    return cut.rstrip(" ,.;:") + ELLIPSIS


def _encoded(text: str) -> int:
    return len(quote(text, safe=""))
