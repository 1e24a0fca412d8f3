"""Settings: defaults, parsing, and one clear line for every wrong value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.settings import MissingTokenError, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_serve_kabupaten_pasuruan_in_wib() -> None:
    """With nothing set, the bot serves 35.14 in Asia/Jakarta."""
    settings = load_settings({})
    assert settings.region_code == "35.14"
    assert settings.regency_name == "Kabupaten Pasuruan"
    assert settings.timezone == "Asia/Jakarta"
    assert settings.organization_name == "Diskominfo Kabupaten Pasuruan"
    assert settings.admin_ids == frozenset()
    assert settings.webhook_url is None


def test_admin_ids_are_comma_separated() -> None:
    """ADMIN_IDS=1, 2 is two ids, not JSON."""
    settings = load_settings({"ADMIN_IDS": "111, 222,", "OPERATOR_CHAT_ID": "-100123"})
    assert settings.admin_ids == frozenset({111, 222})
    assert settings.operator_chat_id == -100123


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_IDS", "12,abc"),
        ("REGION_CODE", "99.99"),
        ("TIMEZONE", "Asia/Atlantis"),
        ("OPERATOR_CHAT_ID", "grup-operator"),
        ("LOG_LEVEL", "LOUD"),
        ("WEBHOOK_PORT", "70000"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_setting(name: str, value: str) -> None:
    """The message names the setting and fits on one line."""
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value})
    message = str(caught.value)
    assert name in message
    assert "\n" not in message


def test_missing_token_says_how_to_get_one() -> None:
    """Running needs a token; the message points to @BotFather in both languages."""
    with pytest.raises(MissingTokenError) as caught:
        load_settings({}).token()
    assert "@BotFather" in str(caught.value)
    assert "BOT_TOKEN belum diisi" in str(caught.value)
    assert "BOT_TOKEN is not set" in str(caught.value)


WHATSAPP = {
    "WHATSAPP_ACCESS_TOKEN": "EAAG-wa-token",
    "WHATSAPP_PHONE_NUMBER_ID": "100000000000001",
    "WHATSAPP_DISPLAY_NUMBER": "6281100000000",
    "WHATSAPP_APP_SECRET": "wa-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "wa-verify-token",
}


def test_whatsapp_is_all_or_nothing_in_one_line() -> None:
    """Part of the WHATSAPP_* set is refused in one line naming what is missing."""
    assert load_settings(WHATSAPP).whatsapp_enabled
    assert not load_settings({}).whatsapp_enabled
    partial = {k: v for k, v in WHATSAPP.items() if k != "WHATSAPP_APP_SECRET"}
    with pytest.raises(SettingsError) as caught:
        load_settings(partial)
    message = str(caught.value)
    assert "WHATSAPP_APP_SECRET" in message
    assert "WHATSAPP_ACCESS_TOKEN" not in message.split(":", 1)[-1].split("(")[0]
    assert "\n" not in message


def test_whatsapp_secrets_are_redacted_from_logs() -> None:
    """The WhatsApp token, app secret and verify token are among what the logs hide."""
    secrets = cli.secrets_of(load_settings({**WHATSAPP, "BOT_TOKEN": "1:bot-token"}))
    for name in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"):
        assert WHATSAPP[name] in secrets
    assert "1:bot-token" in secrets


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_token_stops_cleanly(tmp_path: Path) -> None:
    """`kim-bot run` without a token: the message, exit status 2, no traceback."""
    result = _cli(["run"], {}, tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_wrong_setting_stops_the_cli_with_one_line(tmp_path: Path) -> None:
    """A wrong REGION_CODE ends every command with a single line."""
    result = _cli(["migrate"], {"REGION_CODE": "00.00"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "REGION_CODE" in result.stderr


def test_env_file_is_read(tmp_path: Path) -> None:
    """Settings come from .env in the working directory."""
    (tmp_path / ".env").write_text("REGION_CODE=35.73\nBOT_TOKEN=123:abc\n", encoding="utf-8")
    result = _cli(["check-config"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "35.73 (Kota Malang)" in result.stdout
    assert "123:abc" not in result.stdout
