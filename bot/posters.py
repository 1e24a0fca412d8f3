"""Subscription deep links and QR-code posters per desa.

A poster at the balai desa carries a QR code of `https://t.me/<bot>?start=<token>`; scanning
it opens the bot, which offers to subscribe to that desa (handlers/subscriptions.py). The
token is the area's subscription token (`d3514142011`), which fits Telegram's start
parameter rules ([A-Za-z0-9_-], at most 64 characters).

When the office has WhatsApp, every desa also gets a second QR code, of
`https://wa.me/<number>?text=DAFTAR%20<token>`: it opens a chat with the office's number with
`DAFTAR d3514142011` ready to send, which starts the same subscription there; the words on the
poster tell those without a QR reader to write it themselves.

The QR code is plain segno output (error correction H, so a stained or folded print still
scans), large enough to print on A4; the desa's name goes in the file name, the caption and
the index, not into the picture, which keeps the image exactly what segno makes of the link.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import segno

from bot import regions
from bot.exports import csv_bytes
from bot.storage import Database
from bot.subscriptions import AreaRef, Scope
from bot.whatsapp.contacts import digits

QR_SCALE = 24  # pixels per module: about 1,000 px for a desa link, sharp on A4
QR_BORDER = 4  # the quiet zone the QR standard asks for
INDEX_NAME = "indeks-tautan.csv"
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


class PosterError(Exception):
    """A poster cannot be made (no bot username); the message is one line for the operator."""


def deep_link(bot_username: str, ref: AreaRef) -> str:
    """The t.me link that opens the bot with an offer to subscribe to the area."""
    return f"https://t.me/{bot_username}?start={ref.token}"


def whatsapp_words(ref: AreaRef) -> str:
    """What a villager writes to the office's WhatsApp number to subscribe to the area."""
    return f"DAFTAR {ref.token}"


def whatsapp_link(display_number: str, ref: AreaRef) -> str:
    """The wa.me link that opens a chat with the office's number, `DAFTAR <token>` typed."""
    return f"https://wa.me/{digits(display_number)}?text={quote(whatsapp_words(ref))}"


def qr_png(link: str) -> bytes:
    """A printable PNG of the link's QR code."""
    buffer = io.BytesIO()
    segno.make(link, error="h", micro=False).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()


def file_name(code: str, name: str, *, whatsapp: bool = False) -> str:
    """`35.14.14.2011-raci.png` (and `…-raci-whatsapp.png`): the code keeps names unique, the
    name keeps them findable."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{code}-{slug}{'-whatsapp' if whatsapp else ''}.png"


@dataclass(frozen=True)
class PosterRow:
    desa: regions.Desa
    kecamatan: str
    link: str
    file_name: str
    whatsapp_link: str | None = None  # None: the office has no WhatsApp number
    whatsapp_file_name: str | None = None


async def index(
    db: Database, bot_username: str, whatsapp_number: str | None = None
) -> list[PosterRow]:
    """One row per desa/kelurahan of the regency, by code; with the office's WhatsApp
    number, each row also has the desa's wa.me link."""
    kecamatan = {k.code: k.display for k in await regions.all_kecamatan(db)}
    rows: list[PosterRow] = []
    for code in kecamatan:
        for desa in sorted(await regions.desa_of(db, code), key=lambda d: d.code):
            ref = AreaRef(Scope.DESA, desa.code)
            link = deep_link(bot_username, ref)
            name = file_name(desa.code, desa.name)
            if whatsapp_number is None:
                rows.append(PosterRow(desa, kecamatan[code], link, name))
                continue
            whatsapp = whatsapp_link(whatsapp_number, ref)
            extra = file_name(desa.code, desa.name, whatsapp=True)
            rows.append(PosterRow(desa, kecamatan[code], link, name, whatsapp, extra))
    return rows


def index_csv(rows: list[PosterRow]) -> bytes:
    """The list of links, for printing or for a website; UTF-8 with BOM so Excel reads it.
    The WhatsApp columns are there only when the office has WhatsApp."""
    whatsapp = any(row.whatsapp_link for row in rows)
    header = ["kode", "kecamatan", "desa", "jenis", "tautan", "berkas"]
    return csv_bytes(
        header + (["tautan_whatsapp", "berkas_whatsapp"] if whatsapp else []),
        (
            [
                row.desa.code,
                row.kecamatan,
                row.desa.display,
                "kelurahan" if row.desa.is_kelurahan else "desa",
                row.link,
                row.file_name,
                *([row.whatsapp_link or "", row.whatsapp_file_name or ""] if whatsapp else []),
            ]
            for row in rows
        ),
        bom=True,
    )


def write_zip(path: Path, rows: list[PosterRow]) -> None:
    """One PNG per row plus the index; PNGs are stored as they are (already compressed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for row in rows:
            archive.writestr(row.file_name, qr_png(row.link), compress_type=zipfile.ZIP_STORED)
            if row.whatsapp_link and row.whatsapp_file_name:
                png = qr_png(row.whatsapp_link)
                archive.writestr(row.whatsapp_file_name, png, compress_type=zipfile.ZIP_STORED)
        archive.writestr(INDEX_NAME, index_csv(rows), compress_type=zipfile.ZIP_DEFLATED)


def clean_username(value: str) -> str:
    """`@kim_bot` and `kim_bot` both name the bot; anything else is refused."""
    name = value.strip().removeprefix("@")
    if not _USERNAME.match(name):
        raise PosterError(f"'{value}' bukan username bot Telegram / is not a bot username")
    return name
