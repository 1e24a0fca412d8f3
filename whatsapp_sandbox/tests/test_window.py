"""The 24-hour customer-service window, templates outside it, and stopped marketing."""

from __future__ import annotations

from whatsapp_sandbox import TemplateMessage, TextMessage, WhatsAppSandbox, WhatsAppUser
from whatsapp_sandbox.tests.conftest import Receiver, call, code_of, template, text

DAY = 24 * 3600


async def test_text_is_refused_until_the_person_writes(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """Before any inbound message a text is 131047; after the person writes, it arrives."""
    status, answer = await call(whatsapp, text(siti, "Pengumuman"))
    assert (status, code_of(answer)) == (400, 131047)
    await siti.send("DAFTAR")
    assert siti.in_window
    assert (await call(whatsapp, text(siti, "Pengumuman")))[0] == 200
    await siti.expect(contains="Pengumuman", kind=TextMessage)


async def test_the_window_closes_24_hours_after_the_last_inbound_message(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """23 hours after the person wrote a text still goes; 24 hours after, it is 131047."""
    await siti.send("halo")
    whatsapp.advance_clock(23 * 3600)
    assert (await call(whatsapp, text(siti, "masih boleh")))[0] == 200
    whatsapp.advance_clock(3600)
    status, answer = await call(whatsapp, text(siti, "terlambat"))
    assert (status, code_of(answer)) == (400, 131047)
    assert whatsapp.stats.errors[131047] == 1


async def test_a_speedup_shortens_the_window(whatsapp: WhatsAppSandbox, siti: WhatsAppUser) -> None:
    """With speed-up S the window lasts a day divided by S of real time (here 0.1 s)."""
    whatsapp.enforce_limits(speedup=864_000)
    await siti.send("halo")
    assert siti.in_window
    assert await whatsapp.wait_until(lambda: not siti.in_window, 2.0)
    status, answer = await call(whatsapp, text(siti, "terlambat"))
    assert (status, code_of(answer)) == (400, 131047)


async def test_templates_go_outside_the_window_and_are_billable(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """A template needs no open window; it reaches the person and is counted as paid."""
    whatsapp.add_template("pengumuman", "{{1}}", quick_replies=("Baca selengkapnya",))
    status, _ = await call(whatsapp, template(siti, "pengumuman", header=[], body=["Info"]))
    assert status == 200
    shown = await siti.expect(kind=TemplateMessage)
    assert shown.billable and shown.category == "marketing"
    assert whatsapp.stats.billable == 1


async def test_a_person_who_stopped_marketing_gets_no_marketing_template(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser
) -> None:
    """After the person stops marketing messages a marketing template is 131050; a utility
    template still goes."""
    whatsapp.add_template("promo", "{{1}}")
    whatsapp.add_template("tiket", "{{1}}", category="UTILITY")
    siti.stop_marketing()
    status, answer = await call(whatsapp, template(siti, "promo", header=[], body=["x"]))
    assert (status, code_of(answer)) == (400, 131050)
    assert (await call(whatsapp, template(siti, "tiket", header=[], body=["x"])))[0] == 200


async def test_deferred_errors_answer_200_then_a_failed_status(
    whatsapp: WhatsAppSandbox, siti: WhatsAppUser, receiver: Receiver
) -> None:
    """In deferred mode a text outside the window is accepted with a wamid, nothing
    reaches the phone, and a failed status with errors[131047] follows by webhook."""
    whatsapp.deferred_errors = True
    status, answer = await call(whatsapp, text(siti, "Pengumuman"))
    assert status == 200
    wamid = answer["messages"][0]["id"]
    assert await whatsapp.wait_until(lambda: len(receiver.statuses()) == 1, 5.0)
    (failed,) = receiver.statuses()
    assert (failed["id"], failed["status"], failed["recipient_id"]) == (
        wamid,
        "failed",
        siti.wa_id,
    )
    assert failed["errors"][0]["code"] == 131047
    assert siti.messages == [] and whatsapp.stats.failed == 1
