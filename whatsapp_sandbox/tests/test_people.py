"""Acting as villagers: tapping buttons, picking rows, forwarding, and expecting messages."""

from __future__ import annotations

import pytest

from whatsapp_sandbox import ListMessage, TextMessage, WhatsAppSandbox, WhatsAppUser
from whatsapp_sandbox.tests.conftest import Receiver, call, template


async def test_tapping_a_reply_button_sends_a_button_reply_in_context(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """reply_button posts an interactive button_reply with the button's id and the
    message it answers in context."""
    await siti.send("halo")
    spec = {
        "type": "button",
        "body": {"text": "Topik?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "t:kes", "title": "Kesehatan"}}]},
    }
    body = {"messaging_product": "whatsapp", "to": siti.wa_id, "type": "interactive"}
    await call(whatsapp, {**body, "interactive": spec})
    shown = await siti.expect(contains="Topik?")
    await siti.reply_button(shown, "Kesehatan")
    assert await whatsapp.wait_until(lambda: len(receiver.messages()) == 2, 5.0)
    reply = receiver.messages()[1]
    assert reply["type"] == "interactive" and reply["context"]["id"] == shown.id
    assert reply["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "t:kes", "title": "Kesehatan"},
    }
    with pytest.raises(AssertionError, match="no button"):
        await siti.reply_button(shown, "Pendidikan")


async def test_a_templates_quick_reply_comes_back_as_a_button_message(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """Tapping "Baca selengkapnya" under a template sends type button with its payload,
    and opens Siti's window."""
    whatsapp.add_template("pengumuman", "{{1}}", quick_replies=("Baca selengkapnya",))
    body = template(siti, "pengumuman", header=[], body=["Vaksin"])
    body["template"]["components"].append(
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "baca:42"}],
        }
    )
    assert (await call(whatsapp, body))[0] == 200
    assert not siti.in_window
    await siti.reply_button(await siti.expect(contains="Vaksin"), "Baca selengkapnya")
    assert siti.in_window
    assert await whatsapp.wait_until(lambda: len(receiver.messages()) == 1, 5.0)
    (reply,) = receiver.messages()
    assert reply["type"] == "button"
    assert reply["button"] == {"payload": "baca:42", "text": "Baca selengkapnya"}


async def test_picking_a_row_sends_a_list_reply(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """pick_row posts an interactive list_reply with the row's id, title and description."""
    await siti.send("DAFTAR")
    rows = [{"id": "d:2011", "title": "Raci", "description": "Kec. Bangil"}]
    spec = {
        "type": "list",
        "body": {"text": "Desa?"},
        "action": {"button": "Pilih", "sections": [{"title": "Bangil", "rows": rows}]},
    }
    body = {"messaging_product": "whatsapp", "to": siti.wa_id, "type": "interactive"}
    await call(whatsapp, {**body, "interactive": spec})
    shown = await siti.expect(kind=ListMessage)
    await siti.pick_row(shown, "Raci")
    assert await whatsapp.wait_until(lambda: len(receiver.messages()) == 2, 5.0)
    assert receiver.messages()[1]["interactive"] == {
        "type": "list_reply",
        "list_reply": {"id": "d:2011", "title": "Raci", "description": "Kec. Bangil"},
    }


async def test_a_forwarded_text_is_marked_forwarded(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """forward() sends the text with context.forwarded (and frequently_forwarded if asked)."""
    await siti.forward("BANSOS Rp 5 juta, klik link ini", frequently=True)
    assert await whatsapp.wait_until(lambda: len(receiver.messages()) == 1, 5.0)
    (message,) = receiver.messages()
    assert message["context"] == {"forwarded": True, "frequently_forwarded": True}
    assert message["text"]["body"].startswith("BANSOS")


async def test_expect_reports_what_did_arrive(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """A wrong expectation fails with the inbox in the message; silence is checkable."""
    await siti.send("halo")
    body = {"messaging_product": "whatsapp", "to": siti.wa_id, "text": {"body": "Halo Siti"}}
    await call(whatsapp, body)
    with pytest.raises(AssertionError, match="Halo Siti"):
        await siti.expect(contains="Selamat tinggal")
    await siti.expect_nothing(within=0.1)
    await call(whatsapp, body)
    assert isinstance(await siti.expect(kind=TextMessage), TextMessage)
    with pytest.raises(AssertionError, match="nothing new"):
        await siti.expect(timeout=0.1)
