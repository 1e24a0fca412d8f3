"""A local WhatsApp Cloud API, to drive a real bot over HTTP in tests and benchmarks.

A bot cannot be tested against graph.facebook.com: real numbers, paid templates, a 24-hour
window that takes a day to close, and no way to make Meta fail on purpose. This sandbox
plays the Cloud API and the people writing to the business number: it enforces the
message content rules, the customer-service window, templates, throughput, the pair limit
and the messaging tier, injects Meta's errors, and delivers incoming messages and delivery
statuses to the bot as signed webhooks. See README.md in this folder.

    async with WhatsAppSandbox() as wa:           # POST {wa.base_url}/v21.0/{id}/messages
        wa.webhook_url = "http://127.0.0.1:8443/whatsapp"
        siti = wa.new_user("Siti", "+62 812-3456-7890")
        await siti.send("DAFTAR")
        menu = await siti.expect(kind=ListMessage)
        await siti.pick_row(menu, "Bangil")

Installed, it is also a pytest plugin (`whatsapp_sandbox.plugin`) with a `whatsapp` fixture.
"""

from whatsapp_sandbox.errors import GraphError
from whatsapp_sandbox.faults import Fault, FaultInjector
from whatsapp_sandbox.limits import Limits
from whatsapp_sandbox.models import (
    ApiCall,
    ButtonsMessage,
    ListMessage,
    Received,
    ReplyButton,
    Row,
    Section,
    Stats,
    Template,
    TemplateMessage,
    TextMessage,
)
from whatsapp_sandbox.people import WhatsAppUser
from whatsapp_sandbox.server import WhatsAppSandbox
from whatsapp_sandbox.webhooks import SIGNATURE_HEADER, Delivery, sign

__all__ = [
    "SIGNATURE_HEADER",
    "ApiCall",
    "ButtonsMessage",
    "Delivery",
    "Fault",
    "FaultInjector",
    "GraphError",
    "Limits",
    "ListMessage",
    "Received",
    "ReplyButton",
    "Row",
    "Section",
    "Stats",
    "Template",
    "TemplateMessage",
    "TextMessage",
    "WhatsAppSandbox",
    "WhatsAppUser",
    "sign",
]
