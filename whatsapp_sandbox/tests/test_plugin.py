"""The pytest plugin: registered once through its entry point, its fixture a started sandbox."""

from __future__ import annotations

import pytest

import whatsapp_sandbox.plugin
from whatsapp_sandbox import WhatsAppSandbox
from whatsapp_sandbox.tests.conftest import call, text


def test_plugin_is_registered_once_under_its_entry_point(pytestconfig: pytest.Config) -> None:
    """pytest found the plugin through the package's entry point, not through a conftest."""
    manager = pytestconfig.pluginmanager
    assert manager.get_plugin("whatsapp_sandbox") is whatsapp_sandbox.plugin
    names = [n for n, p in manager.list_name_plugin() if p is whatsapp_sandbox.plugin]
    assert names == ["whatsapp_sandbox"]


async def test_the_fixture_is_a_started_sandbox(whatsapp: WhatsAppSandbox) -> None:
    """`whatsapp` listens already: a bot can send to its messages endpoint at once."""
    siti = whatsapp.new_user("Siti", "628123")
    await siti.send("halo")
    assert (await call(whatsapp, text(siti, "hai")))[0] == 200
    assert whatsapp.webhook_url is None  # the test decides where its bot listens
