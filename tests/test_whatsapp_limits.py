"""The per-person answer limit holds on WhatsApp as on Telegram."""

from __future__ import annotations

import pytest

from bot.services import KimApp
from bot.settings import Settings
from whatsapp_sandbox import WhatsAppSandbox


@pytest.fixture
def wa_settings(wa_settings: Settings) -> Settings:
    """Two answers a minute, so a test can go past the limit in a few messages."""
    return wa_settings.model_copy(update={"answers_per_minute": 2})


async def test_a_flood_gets_one_notice_then_silence(
    wa_kimbot: KimApp, whatsapp: WhatsAppSandbox
) -> None:
    """Past the limit a person is told once that they write too fast, then not answered."""
    siti = whatsapp.new_user("Siti", "6281234567890")
    for text in ("satu", "dua", "tiga", "empat", "lima"):
        await siti.send(text)
    await siti.expect(contains="DAFTAR")
    await siti.expect(contains="DAFTAR")
    await siti.expect(contains="terlalu cepat")
    await siti.expect_nothing(within=0.5)
