"""Settings read from the environment and `.env`.

One regency runs one bot: `REGION_CODE` picks which, the rest has working defaults. A wrong
value stops the program with one line naming the setting (`SettingsError`), never a
traceback, because the people starting the bot are office staff, not Python developers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta, tzinfo
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import regions

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
WEBHOOK_URL_EXAMPLE = "https://bot.kominfo.example.go.id/telegram/webhook"
# What Telegram accepts as secret_token in setWebhook.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_SECRET_HINT = (
    "pakai minimal 32 karakter acak, misalnya hasil "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
)


WHATSAPP_REQUIRED = (
    "whatsapp_access_token",
    "whatsapp_phone_number_id",
    "whatsapp_display_number",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
)


def _filled(value: object) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return isinstance(value, str) and bool(value.strip())


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line for the person starting the bot."""


class Settings(BaseSettings):
    """Every setting of kim-bot; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    bot_api_base_url: str = DEFAULT_API_BASE_URL
    bot_api_base_file_url: str | None = None
    database_path: Path = Path("data/kim-bot.sqlite3")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    operator_chat_id: int | None = None
    region_code: str = "35.14"
    organization_name: str = "Diskominfo Kabupaten Pasuruan"
    timezone: str = "Asia/Jakarta"
    log_level: str = "INFO"
    log_private_data: bool = False
    webhook_url: str | None = None
    # Checked even when unset: whether it is required depends on WEBHOOK_URL.
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    allow_self_verify: bool = False
    broadcast_rate: float = Field(default=30.0, gt=0)
    broadcast_window: float = Field(default=1.0, gt=0)
    broadcast_group_interval: float = Field(default=3.0, ge=0)
    broadcast_private_interval: float = Field(default=1.0, ge=0)
    broadcast_retry_backoff: float = Field(default=2.0, ge=0)
    broadcast_timeout: float = Field(default=10.0, gt=0)
    broadcast_max_in_flight: int = Field(default=64, ge=1)
    broadcast_share: float = Field(default=0.8, gt=0, lt=1)
    progress_interval: float = Field(default=3.0, gt=0)
    stop_timeout: float = Field(default=6.0, gt=0, le=60)
    storage_retry_backoff: float = Field(default=1.0, gt=0)
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(6, 0)
    missed_run_grace: timedelta = Field(default=timedelta(hours=1), ge=timedelta(0))
    schedule_check_interval: float = Field(default=30.0, gt=0)
    digest_day: str = "minggu"
    digest_time: time = time(8, 0)
    reports_per_hour: int = Field(default=5, ge=1)
    blankspots_per_hour: int = Field(default=5, ge=1)
    answers_per_minute: int = Field(default=20, ge=1)
    staff_answers_per_minute: int = Field(default=60, ge=1)
    early_warning_reports: int = Field(default=5, ge=2)
    early_warning_window: timedelta = Field(default=timedelta(hours=1), gt=timedelta(0))
    waiting_step_timeout: timedelta = Field(default=timedelta(minutes=10), gt=timedelta(0))
    # WhatsApp (optional): all of WHATSAPP_REQUIRED or none; see README "Connecting WhatsApp".
    whatsapp_access_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_display_number: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_webhook_listen: str = "127.0.0.1"
    whatsapp_webhook_port: int = Field(default=8444, ge=1, le=65535)
    whatsapp_webhook_path: str = "/whatsapp/webhook"
    whatsapp_template_name: str = "pengumuman_kim"
    whatsapp_template_language: str = "id"
    whatsapp_template_excerpt: int = Field(default=600, ge=60, le=900)
    whatsapp_rate: float = Field(default=80.0, gt=0)
    whatsapp_pair_interval: float = Field(default=6.0, ge=0)
    whatsapp_daily_limit: int = Field(default=1000, ge=1)
    whatsapp_template_price: float = Field(default=650.0, ge=0)
    whatsapp_monthly_budget: float = Field(default=500_000.0, ge=0)

    @model_validator(mode="after")
    def _whatsapp_whole(self) -> Settings:
        """Half a WhatsApp setup would start a bot that cannot answer or cannot be reached."""
        given = [name for name in WHATSAPP_REQUIRED if _filled(getattr(self, name))]
        if given and len(given) < len(WHATSAPP_REQUIRED):
            missing = [name.upper() for name in WHATSAPP_REQUIRED if name not in given]
            raise ValueError(
                "WhatsApp baru sebagian diatur, belum diisi: "
                + ", ".join(missing)
                + " (isi semua, atau kosongkan semua WHATSAPP_* untuk Telegram saja)"
            )
        path = self.whatsapp_webhook_path
        if given and not path.startswith("/"):
            raise ValueError(f"WHATSAPP_WEBHOOK_PATH harus diawali '/', bukan '{path}'")
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return _filled(self.whatsapp_access_token)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: Any) -> Any:
        """`ADMIN_IDS=1,2` is a comma-separated list, not JSON."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            ids: set[int] = set()
            for part in parts:
                if not part:
                    continue
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"'{part}' bukan angka ID Telegram")
                ids.add(int(part))
            return frozenset(ids)
        return value

    @field_validator(
        "operator_chat_id",
        "webhook_url",
        "bot_api_base_file_url",
        "whatsapp_access_token",
        "whatsapp_phone_number_id",
        "whatsapp_display_number",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _absolute_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A URL holding the token would leak it to every proxy and access log: refused unechoed."""
        if value is None:
            return None
        url = value.strip()
        token = info.data.get("bot_token")
        secret = token.get_secret_value().strip() if isinstance(token, SecretStr) else ""
        if secret and secret in url:
            raise ValueError(
                f"jangan memuat BOT_TOKEN, pakai jalur biasa (contoh: {WEBHOOK_URL_EXAMPLE})"
            )
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"'{url}' bukan alamat lengkap (contoh: {WEBHOOK_URL_EXAMPLE})")
        return url

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _empty_secret_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """Without a secret anyone who reaches the listener can post updates as an admin."""
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError(f"wajib diisi bila WEBHOOK_URL diisi; {WEBHOOK_SECRET_HINT}")
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError(
                f"hanya 1–256 huruf, angka, _ atau - yang diterima Telegram; {WEBHOOK_SECRET_HINT}"
            )
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _local_unless_asked(cls, value: str) -> str:
        """An empty value would make the listener answer on every interface."""
        return value.strip() or "127.0.0.1"

    @field_validator("region_code")
    @classmethod
    def _known_regency(cls, value: str) -> str:
        code = value.strip()
        if regions.regency_name(code) is None:
            raise ValueError(f"kode kabupaten/kota '{code}' tidak dikenal (contoh: 35.14)")
        return code

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        name = value.strip()
        if name not in available_timezones():
            raise ValueError(f"zona waktu '{name}' tidak dikenal (contoh: Asia/Jakarta)")
        return name

    @field_validator("digest_day")
    @classmethod
    def _known_day(cls, value: str) -> str:
        day = value.strip().lower()
        if day not in DAY_NAMES:
            raise ValueError(f"'{value}' bukan nama hari ({', '.join(DAY_NAMES)})")
        return day

    @field_validator("missed_run_grace", "early_warning_window", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        """`MISSED_RUN_GRACE=3600` means seconds (HH:MM:SS works as well)."""
        return int(value.strip()) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("quiet_hours_start", "quiet_hours_end", "digest_time")
    @classmethod
    def _whole_minutes(cls, value: time) -> time:
        return value.replace(second=0, microsecond=0, tzinfo=None)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"'{value}' bukan tingkat log (DEBUG, INFO, WARNING, ERROR)")
        return level

    @property
    def tz(self) -> tzinfo:
        try:
            return ZoneInfo(self.timezone)
        except ZoneInfoNotFoundError as exc:  # validated above; kept for type narrowing
            raise SettingsError(f"TIMEZONE: {exc}") from exc

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to: the webhook listener answers there and nowhere else."""
        return urlsplit(self.webhook_url).path.rstrip("/") if self.webhook_url else ""

    @property
    def regency_name(self) -> str:
        return regions.regency_name(self.region_code) or self.region_code

    @property
    def resolved_file_url(self) -> str:
        """Telegram serves files under /file/bot<token>; a self-hosted server does the same."""
        if self.bot_api_base_file_url:
            return self.bot_api_base_file_url
        base = self.bot_api_base_url.rstrip("/")
        return base.removesuffix("/bot") + "/file/bot"

    def token(self) -> str:
        """The bot token, or a clear error telling how to get one."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise MissingTokenError(MISSING_TOKEN_MESSAGE)
        return self.bot_token.get_secret_value().strip()


class MissingTokenError(SettingsError):
    """Raised only when running the bot; the other commands work without a token."""


MISSING_TOKEN_MESSAGE = (
    "BOT_TOKEN belum diisi. Buat bot lewat @BotFather di Telegram (/newbot), salin token-nya, "
    "lalu tulis BOT_TOKEN=<token> di berkas .env (contoh ada di .env.example).\n"
    "BOT_TOKEN is not set. Create a bot with @BotFather in Telegram (/newbot), copy its token "
    "and put BOT_TOKEN=<token> in the .env file (see .env.example)."
)


class RejectedTokenError(SettingsError):
    """Telegram answered 401 or 404 to the token: revoked, mistyped, or another server's."""


REJECTED_TOKEN_MESSAGE = (
    "BOT_TOKEN ditolak Telegram: salin ulang token dari @BotFather (/mybots → API Token) "
    "ke berkas .env dan periksa BOT_API_BASE_URL. / "
    "Telegram rejected BOT_TOKEN: copy the token again from @BotFather (/mybots → API Token) "
    "into the .env file and check BOT_API_BASE_URL."
)


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | str | None = ".env"
) -> Settings:
    """Read settings from the process environment and `env_file`, or from `environ` alone.

    Raises `SettingsError` with one line naming the first wrong setting.
    """
    try:
        if environ is None:
            return Settings(_env_file=env_file)  # type: ignore[call-arg]  # pydantic-settings init kwarg
        fields = {key.lower(): value for key, value in environ.items()}
        known = {name: fields[name] for name in Settings.model_fields if name in fields}
        # model_validate skips the environment and .env sources: the mapping is all there is.
        return Settings.model_validate(known)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a rule over several settings names them itself
        return f"Pengaturan tidak valid / settings are invalid: {message}"
    name = str(error["loc"][0]).upper()
    return f"Pengaturan {name} tidak valid / setting {name} is invalid: {message}"
