"""The command line: `python -m bot` / `kim-bot`.

    kim-bot [run]                       run the bot (polling, or a webhook when WEBHOOK_URL is set)
    kim-bot migrate                     create/upgrade the database and load the regency's areas
    kim-bot operator add|remove USER_ID [--role operator|verifikator]
    kim-bot operator list
    kim-bot backup PATH                 consistent copy of the database while the bot runs
    kim-bot check-config                show the settings in force (token hidden)
    kim-bot cakupan [--json] [--xlsx PATH] [--png PATH]   KIM coverage per kecamatan
    kim-bot poster --zip PATH [--bot-username NAME]      QR posters of every desa + link index
    kim-bot sinyal [--csv PATH] [--geojson PATH]          blank-spot reports per kecamatan

Every expected failure (a wrong setting, a missing token, a database of another regency) ends
with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import blankspots, coverage, hoaxes, instance, logsetup, people, posters, regions
from bot.clock import SystemClock
from bot.people import Role
from bot.regions import RegionError
from bot.settings import (
    REJECTED_TOKEN_MESSAGE,
    RejectedTokenError,
    Settings,
    SettingsError,
    load_settings,
)
from bot.storage import Database, StorageError

CliHandler = Callable[[Database, Settings, argparse.Namespace], Awaitable[int]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kim-bot", description="kim-bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot")
    commands.add_parser("migrate", help="create or upgrade the database")
    operator = commands.add_parser("operator", help="manage operators and verifiers")
    operator_actions = operator.add_subparsers(dest="action", required=True)
    for action in ("add", "remove"):
        sub = operator_actions.add_parser(action)
        sub.add_argument("user_id", type=int)
        sub.add_argument(
            "--role", choices=[r.value for r in people.GRANTABLE], default=Role.OPERATOR.value
        )
    operator_actions.add_parser("list")
    backup = commands.add_parser("backup", help="online copy of the database")
    backup.add_argument("path")
    commands.add_parser("check-config", help="show the settings in force")
    # Areas with their own subcommands register them (set_defaults(handler=...)).
    for module in (coverage, posters, hoaxes, blankspots):
        module.configure_cli(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        secrets = [
            secret.get_secret_value()
            for secret in (settings.bot_token, settings.webhook_secret)
            if secret is not None
        ]
        logsetup.configure(settings.log_level, secrets, private_data=settings.log_private_data)
        command = args.command or "run"
        if command == "run":
            return run(settings)
        return asyncio.run(_offline(command, args, settings))
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except RegionError as exc:
        print(f"Wilayah / region: {exc}", file=sys.stderr)
        return 2
    except (instance.AlreadyRunning, StorageError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except InvalidToken:
        # Revoked after the check in `run`. PTB's message names the token: never print it.
        print(REJECTED_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def prepare_database(settings: Settings) -> str:
    """Migrate and load the regency; returns a one-line summary."""
    db = await Database.open(settings.database_path)
    try:
        kecamatan, desa = await regions.load_regency(db, settings.region_code)
        version = await db.schema_version()
    finally:
        await db.close()
    return (
        f"Basis data {settings.database_path}: skema versi {version}, "
        f"{settings.regency_name}: {kecamatan} kecamatan, {desa} desa/kelurahan."
    )


def run(settings: Settings) -> int:
    """Prepare the database before Telegram is contacted, so setup errors come out clean."""
    from bot.app import build_application  # imports every handler: only needed here
    from bot.serving import serve

    settings.token()  # a missing token is reported before anything else happens
    with instance.exclusive(settings.database_path):
        asyncio.run(check_token(settings))
        print(asyncio.run(prepare_database(settings)), file=sys.stderr)
        serve(build_application(settings), settings)
    return 0


async def check_token(settings: Settings) -> None:
    """Ask Telegram who the bot is, so a rejected token ends in one line, not PTB's traceback.

    Raises `RejectedTokenError` on 401/404. Other failures (Telegram unreachable) are left to
    the start-up that follows, which reports them as before.
    """
    bot = Bot(
        settings.token(),
        base_url=settings.bot_api_base_url,
        base_file_url=settings.resolved_file_url,
    )
    try:
        async with bot:  # initialize() calls getMe
            pass
    except InvalidToken:
        raise RejectedTokenError(REJECTED_TOKEN_MESSAGE) from None
    except TelegramError:
        return


async def _offline(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "check-config":
        return _check_config(settings, await Database.check(settings.database_path))
    if command == "migrate":
        print(await prepare_database(settings))
        return 0
    db = await Database.open(settings.database_path)
    try:
        await regions.load_regency(db, settings.region_code)
        if command == "backup":
            target = await db.backup(args.path)
            print(f"Cadangan tersimpan / backup written: {target}")
            return 0
        if command == "operator":
            return await _operator(db, args, settings)
        handler: CliHandler = args.handler
        return await handler(db, settings, args)
    finally:
        await db.close()


async def _operator(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock(settings.tz).now()
    if args.action == "list":
        for member in await people.staff(db):
            roles = ", ".join(sorted(member.roles))
            print(f"{member.person.user_id}\t{member.person.display}\t{roles}")
        for admin_id in sorted(settings.admin_ids):
            print(f"{admin_id}\t(ADMIN_IDS)\tadmin")
        return 0
    role = Role(args.role)
    if args.action == "add":
        changed = await people.grant(db, user_id=args.user_id, role=role, actor_id=None, now=now)
        print(f"{args.user_id} {'ditambahkan sebagai' if changed else 'sudah'} {role.value}")
    else:
        changed = await people.revoke(db, user_id=args.user_id, role=role, actor_id=None, now=now)
        print(f"{args.user_id} {'dihapus dari' if changed else 'bukan'} {role.value}")
    return 0


def _check_config(settings: Settings, schema_version: int | None) -> int:
    """Called once the database passed the checks `run` makes (a file that cannot be used is
    the same one line and exit status 2 here as there)."""
    token_state = "terisi / set" if settings.bot_token else "BELUM DIISI / NOT SET"
    database_state = (
        "belum ada, dibuat saat migrate/run / not created yet"
        if schema_version is None
        else f"bisa dipakai, skema versi {schema_version} / usable, schema {schema_version}"
    )
    lines = [
        f"BOT_TOKEN: {token_state}",
        f"BOT_API_BASE_URL: {settings.bot_api_base_url}",
        f"DATABASE_PATH: {settings.database_path} ({database_state})",
        f"ADMIN_IDS: {', '.join(map(str, sorted(settings.admin_ids))) or '-'}",
        f"OPERATOR_CHAT_ID: {settings.operator_chat_id or '-'}",
        f"REGION_CODE: {settings.region_code} ({settings.regency_name})",
        f"ORGANIZATION_NAME: {settings.organization_name}",
        f"TIMEZONE: {settings.timezone}",
        f"LOG_LEVEL: {settings.log_level}",
        f"LOG_PRIVATE_DATA: {'ya / yes' if settings.log_private_data else 'tidak / no'}",
        f"WEBHOOK_URL: {settings.webhook_url or '- (long polling)'}",
    ]
    if settings.webhook_url:
        path = settings.webhook_path or "/"
        lines += [
            "WEBHOOK_SECRET: terisi / set",  # load_settings refuses a webhook without one
            f"WEBHOOK_LISTEN: {settings.webhook_listen}:{settings.webhook_port}{path}",
        ]
    print("\n".join(lines))
    return 0 if settings.bot_token else 1


if __name__ == "__main__":
    sys.exit(main())
