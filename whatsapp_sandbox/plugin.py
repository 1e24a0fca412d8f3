"""pytest fixture for a bot on WhatsApp: a fresh local Cloud API per test.

Registered through the ``pytest11`` entry point, so installing the package is enough. The
test (or a project's fixture built on this one) points its bot at ``whatsapp.base_url``
with ``whatsapp.access_token`` and sets ``whatsapp.webhook_url`` to where the bot listens;
the sandbox starts delivering queued webhooks as soon as the URL is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from whatsapp_sandbox.server import WhatsAppSandbox


# pytest_asyncio.fixture, not pytest.fixture: it must work in strict mode projects too.
@pytest_asyncio.fixture
async def whatsapp() -> AsyncIterator[WhatsAppSandbox]:
    """A started sandbox on a free local port for the length of one test."""
    async with WhatsAppSandbox() as sandbox:
        yield sandbox
