"""The messages endpoint: Meta's answers, its content rules, templates and the token."""

from __future__ import annotations

from typing import Any

import aiohttp

from whatsapp_sandbox import (
    ButtonsMessage,
    ListMessage,
    TemplateMessage,
    TextMessage,
    WhatsAppSandbox,
    WhatsAppUser,
)
from whatsapp_sandbox.tests.conftest import call, code_of, template, text

JSON = dict[str, Any]


def interactive(to: WhatsAppUser, spec: JSON) -> JSON:
    return {
        "messaging_product": "whatsapp",
        "to": to.wa_id,
        "type": "interactive",
        "interactive": spec,
    }


def buttons(to: WhatsAppUser, titles: list[str]) -> JSON:
    items = [{"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)]
    return interactive(
        to, {"type": "button", "body": {"text": "Pilih topik"}, "action": {"buttons": items}}
    )


def menu(to: WhatsAppUser, sections: list[list[str]]) -> JSON:
    spec = [
        {
            "title": f"Bagian {s}",
            "rows": [{"id": f"{s}.{i}", "title": t} for i, t in enumerate(rows)],
        }
        for s, rows in enumerate(sections)
    ]
    action = {"button": "Pilih desa", "sections": spec}
    return interactive(to, {"type": "list", "body": {"text": "Desa Anda?"}, "action": action})


async def test_text_inside_the_window_is_answered_like_meta(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """An accepted text gets Meta's answer (contacts with input and wa_id, a wamid) and
    reaches the person's inbox as a typed record."""
    await siti.send("halo")
    status, answer = await call(whatsapp, text("+62 812-3456-7890", "Selamat datang"))
    assert status == 200
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": "+62 812-3456-7890", "wa_id": "6281234567890"}]
    wamid = answer["messages"][0]["id"]
    assert wamid.startswith("wamid.")
    received = await siti.expect(contains="Selamat datang", kind=TextMessage)
    assert received.id == wamid
    assert whatsapp.stats.sent == 1 and whatsapp.stats.billable == 0


async def test_text_longer_than_4096_characters_is_refused(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """4096 characters pass, 4097 are refused with Meta's error shape and nothing arrives."""
    await siti.send("halo")
    assert (await call(whatsapp, text(siti, "a" * 4096)))[0] == 200
    status, answer = await call(whatsapp, text(siti, "a" * 4097))
    assert status == 400
    error = answer["error"]
    assert error["code"] == 100 and error["message"].startswith("(#100)")
    assert "4096" in error["error_data"]["details"] and error["fbtrace_id"]
    assert len(siti.messages) == 1


async def test_reply_buttons_up_to_three_with_short_titles(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """Three buttons of up to 20 characters are accepted; a fourth button, a 21-character
    title or a repeated title is refused with 131009."""
    await siti.send("halo")
    assert (await call(whatsapp, buttons(siti, ["Kesehatan", "Pendidikan", "x" * 20])))[0] == 200
    shown = await siti.expect(kind=ButtonsMessage)
    assert [b.title for b in shown.buttons] == ["Kesehatan", "Pendidikan", "x" * 20]
    for titles in (["a", "b", "c", "d"], ["x" * 21], ["Sama", "Sama"], []):
        status, answer = await call(whatsapp, buttons(siti, titles))
        assert (status, code_of(answer)) == (400, 131009), titles
    await siti.expect_nothing()


async def test_list_rows_at_most_ten_in_total_with_titles_of_24(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """Ten rows over two sections are accepted; eleven in total, or a 25-character row
    title, are refused with 131009."""
    await siti.send("halo")
    ten = [[f"Desa {i}" for i in range(6)], [f"Desa {i}" for i in range(6, 10)]]
    assert (await call(whatsapp, menu(siti, ten)))[0] == 200
    shown = await siti.expect(kind=ListMessage)
    assert isinstance(shown, ListMessage) and len(shown.rows) == 10 and shown.button == "Pilih desa"
    eleven = [ten[0], [*ten[1], "Desa 10"]]
    for sections in (eleven, [["y" * 25]]):
        status, answer = await call(whatsapp, menu(siti, sections))
        assert (status, code_of(answer)) == (400, 131009)
    await siti.expect_nothing()


async def test_template_must_exist_be_approved_and_match_its_parameters(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """An unknown or unapproved template is 132001, a wrong parameter count 132000; the right
    one is rendered with its parameters and quick reply, and counted as billable."""
    whatsapp.add_template(
        "pengumuman",
        "{{1}}\n\nBalas untuk membaca.",
        header="Info {{1}}",
        quick_replies=("Baca selengkapnya",),
    )
    whatsapp.add_template("ditolak", "Teks", status="REJECTED")
    cases = [
        (template(siti, "tidak_ada", header=[], body=[]), 132001),
        (template(siti, "ditolak", header=[], body=[]), 132001),
        (template(siti, "pengumuman", header=["Kesehatan"], body=[]), 132000),
        (template(siti, "pengumuman", header=[], body=["Vaksin"]), 132000),
    ]
    for body, code in cases:
        status, answer = await call(whatsapp, body)
        assert (status, code_of(answer)) == (400, code)
    ok = template(siti, "pengumuman", header=["Kesehatan"], body=["Vaksin gratis Senin"])
    status, answer = await call(whatsapp, ok)
    assert status == 200 and answer["messages"][0]["message_status"] == "accepted"
    shown = await siti.expect(kind=TemplateMessage)
    assert isinstance(shown, TemplateMessage)
    assert (shown.header, shown.body_params) == ("Info Kesehatan", ["Vaksin gratis Senin"])
    assert "Vaksin gratis Senin" in shown.text and shown.billable
    assert [b.title for b in shown.buttons] == ["Baca selengkapnya"]
    assert (whatsapp.stats.templates, whatsapp.stats.billable) == (1, 1)


async def test_template_lookup_lists_approved_templates(whatsapp: WhatsAppSandbox) -> None:
    """GET /{waba_id}/message_templates?name=.. answers Meta's data list with the status."""
    whatsapp.add_template("pengumuman", "{{1}}", quick_replies=("Baca selengkapnya",))
    url = f"{whatsapp.base_url}/v21.0/{whatsapp.waba_id}/message_templates"
    headers = {"Authorization": f"Bearer {whatsapp.access_token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(url, params={"name": "pengumuman"}, headers=headers) as answer,
    ):
        found = await answer.json()
    (entry,) = found["data"]
    assert (entry["name"], entry["language"], entry["status"]) == ("pengumuman", "id", "APPROVED")
    kinds = [c["type"] for c in entry["components"]]
    assert kinds == ["BODY", "BUTTONS"]


async def test_wrong_or_expired_token_is_190(whatsapp: WhatsAppSandbox, siti: WhatsAppUser) -> None:
    """A wrong token and an expired one are both 401 with code 190; nothing is sent."""
    await siti.send("halo")
    status, answer = await call(whatsapp, text(siti, "hai"), token="WRONG")
    assert (status, code_of(answer)) == (401, 190)
    whatsapp.token_expired = True
    status, answer = await call(whatsapp, text(siti, "hai"))
    assert (status, code_of(answer)) == (401, 190)
    assert "expired" in answer["error"]["error_data"]["details"]
    assert whatsapp.stats.sent == 0


async def test_a_number_without_whatsapp_is_131026(whatsapp: WhatsAppSandbox) -> None:
    """A recipient who is not a WhatsApp user cannot be reached, even with a template."""
    whatsapp.add_template("sapa", "Halo")
    stranger = {**template(whatsapp.new_user("Ani", "6281"), "sapa", header=[], body=[])}
    stranger["to"] = "6289999999999"
    status, answer = await call(whatsapp, stranger)
    assert (status, code_of(answer)) == (400, 131026)
    status, answer = await call(whatsapp, text("6289999999999", "halo"))
    assert (status, code_of(answer)) == (400, 131026)


async def test_marking_a_received_message_as_read(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """`status: read` with a received message id answers success; an unknown id is refused."""
    wamid = await siti.send("halo")
    body = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    assert await call(whatsapp, body) == (200, {"success": True})
    status, answer = await call(whatsapp, {**body, "message_id": "wamid.nope"})
    assert (status, code_of(answer)) == (400, 100)
    assert whatsapp.stats.reads == 1


async def test_another_number_or_a_body_without_messaging_product_is_100(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """Graph refuses a phone number id it does not know and a body that is not WhatsApp's."""
    await siti.send("halo")
    status, answer = await call(whatsapp, text(siti, "a"), path="/v21.0/999/messages")
    assert (status, code_of(answer)) == (400, 100)
    body = text(siti, "a")
    del body["messaging_product"]
    status, answer = await call(whatsapp, body)
    assert (status, code_of(answer)) == (400, 100)
    assert siti.messages == [] and [c.status for c in whatsapp.calls] == [400, 400]
