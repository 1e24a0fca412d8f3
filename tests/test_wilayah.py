"""/wilayah: the regency's kecamatan and desa by buttons; old or forged buttons change nothing."""

from __future__ import annotations

from bot.services import KimApp
from botapi_sandbox import BotApiServer
from handlers.regions import KecamatanDesa


async def test_browse_kecamatan_and_desa(server: BotApiServer, kimbot: KimApp) -> None:
    """24 kecamatan buttons; Bangil shows its 15 desa including Raci; back returns."""
    chat = server.private(server.new_user("Dewi"))
    await chat.send("/wilayah")
    overview = await chat.expect()
    assert "24 kecamatan, 365 desa/kelurahan" in overview.text
    assert len([t for t in overview.button_texts() if t]) == 24
    assert "Gondangwetan" in overview.button_texts()

    await chat.press(overview, "Bangil")
    bangil = await chat.expect_edit(overview)
    assert "Kecamatan Bangil</b>" in bangil.html or "Kecamatan Bangil" in bangil.text
    assert "15 desa/kelurahan" in bangil.text
    assert "• Raci" in bangil.text

    await chat.press(bangil, "« Kembali")
    back = await chat.expect_edit(bangil)
    assert "24 kecamatan" in back.text


async def test_forged_button_is_answered_and_changes_nothing(
    server: BotApiServer, kimbot: KimApp
) -> None:
    """Unknown data and an unknown kecamatan code both get 'sudah tidak berlaku'."""
    chat = server.private(server.new_user("Agus"))
    await chat.send("/wilayah")
    overview = await chat.expect()
    for data in (KecamatanDesa("99.99.99").encode(), "zzz:whatever", "x" * 64):
        answer = await chat.press_data(overview, data)
        assert answer.text == "Pilihan ini sudah tidak berlaku."
    assert server.sent_to(chat.chat_id)[-1].edits == 0
    await chat.expect_nothing(within=0.2)
