"""The command line: `python -m bot` / `kim-bot`, beside the composition root (bot/app.py).

    kim-bot [run]                       run the bot (polling, or a webhook when WEBHOOK_URL is set)
    kim-bot migrate                     create/upgrade the database and load the regency's areas
    kim-bot operator add|remove USER_ID [--role operator|verifikator]
    kim-bot operator list
    kim-bot backup PATH                 consistent copy of the database while the bot runs
    kim-bot check-config                show the settings in force (token hidden)
    kim-bot cakupan [--json] [--xlsx PATH] [--png PATH]   KIM coverage per kecamatan
    kim-bot poster --zip PATH [--bot-username NAME]      QR posters of every desa + link index
    kim-bot sinyal [--csv PATH] [--geojson PATH]          blank-spot reports per kecamatan
    kim-bot hoaks import FILE [--strict]                 known hoaxes from a CSV or JSON file
    kim-bot hoaks cek TEXT|- [--json] [--limit N]        search the hoax registry

Every argument and every printed line lives here; the areas' modules (bot.coverage,
bot.posters, bot.blankspots, bot.hoaxes...) only compute and render. Every expected failure
(a wrong setting, a missing token, a database of another regency) ends with one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import blankspots, coverage, hoax_search, instance, logsetup, people, posters, regions
from bot.clock import SystemClock
from bot.hoax_import import RegistryFileError, import_file
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
from bot.texts import blankspot as blankspot_texts
from bot.texts import cakupan as cakupan_texts

Command = Callable[[Database, Settings, argparse.Namespace], Awaitable[int]]
Rendered = tuple[str | None, Callable[[], bytes]]  # target path (None: not asked), content


def parser() -> argparse.ArgumentParser:
    """Every subcommand that works on the database sets `command=` to the coroutine that runs it."""
    root = argparse.ArgumentParser(prog="kim-bot", description="kim-bot")
    commands = root.add_subparsers(dest="name")
    commands.add_parser("run", help="run the bot")
    commands.add_parser("migrate", help="create or upgrade the database")
    operator = commands.add_parser("operator", help="manage operators and verifiers")
    operator.set_defaults(command=_operator)
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
    backup.set_defaults(command=_backup)
    commands.add_parser("check-config", help="show the settings in force")
    _area_commands(commands)
    return root


def _area_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cakupan = commands.add_parser(
        "cakupan", help="KIM coverage per kecamatan (table, --json, --xlsx, --png)"
    )
    cakupan.add_argument("--json", action="store_true", help="machine-readable output")
    cakupan.add_argument("--xlsx", metavar="PATH", help="write the spreadsheet to PATH")
    cakupan.add_argument("--png", metavar="PATH", help="write the bar chart to PATH")
    cakupan.set_defaults(command=cakupan_command)
    poster = commands.add_parser("poster", help="QR posters of subscription links per desa")
    poster.add_argument("--zip", required=True, metavar="PATH", help="ZIP file to write")
    poster.add_argument(
        "--bot-username", metavar="NAME", help="bot username (default: asked from Telegram)"
    )
    poster.set_defaults(command=poster_command)
    hoaks = commands.add_parser("hoaks", help="the hoax registry: import and check claims")
    actions = hoaks.add_subparsers(dest="action", required=True)
    importing = actions.add_parser("import", help="add claims from a CSV or TurnBackHoax JSON")
    importing.add_argument("file", type=Path)
    importing.add_argument(
        "--strict", action="store_true", help="refuse the whole file if any label is unknown"
    )
    importing.set_defaults(command=hoaks_import_command)
    check = actions.add_parser("cek", help="search the registry for a text")
    check.add_argument("text", help='the text to check; "-" reads one text per line from stdin')
    check.add_argument("--json", action="store_true", help="print JSON (one list per text)")
    check.add_argument("--limit", type=int, default=3, help="at most this many matches")
    check.set_defaults(command=hoaks_check_command)
    sinyal = commands.add_parser(
        "sinyal", help="blank-spot reports per kecamatan (--csv PATH, --geojson PATH)"
    )
    sinyal.add_argument("--csv", metavar="PATH", help="write every report as CSV to PATH")
    sinyal.add_argument("--geojson", metavar="PATH", help="write the points as GeoJSON to PATH")
    sinyal.set_defaults(command=sinyal_command)


def secrets_of(settings: Settings) -> list[str]:
    """What no log line may show: the bot token, the webhook secret, WhatsApp's token,
    app secret and verify token."""
    return [
        secret.get_secret_value()
        for secret in (
            settings.bot_token,
            settings.webhook_secret,
            settings.whatsapp_access_token,
            settings.whatsapp_app_secret,
            settings.whatsapp_verify_token,
        )
        if secret is not None
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        logsetup.configure(
            settings.log_level, secrets_of(settings), private_data=settings.log_private_data
        )
        if args.name in (None, "run"):
            return run(settings)
        return asyncio.run(_offline(args, settings))
    except (SettingsError, instance.AlreadyRunning, StorageError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except RegionError as exc:
        print(f"Wilayah / region: {exc}", file=sys.stderr)
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


def _bot(settings: Settings) -> Bot:
    return Bot(
        settings.token(),
        base_url=settings.bot_api_base_url,
        base_file_url=settings.resolved_file_url,
    )


async def check_token(settings: Settings) -> None:
    """Ask Telegram who the bot is, so a rejected token ends in one line, not PTB's traceback.

    Raises `RejectedTokenError` on 401/404. Other failures (Telegram unreachable) are left to
    the start-up that follows, which reports them as before.
    """
    try:
        async with _bot(settings):  # initialize() calls getMe
            pass
    except InvalidToken:
        raise RejectedTokenError(REJECTED_TOKEN_MESSAGE) from None
    except TelegramError:
        return


async def _offline(args: argparse.Namespace, settings: Settings) -> int:
    if args.name == "check-config":
        return _check_config(settings, await Database.check(settings.database_path))
    if args.name == "migrate":
        print(await prepare_database(settings))
        return 0
    db = await Database.open(settings.database_path)
    try:
        await regions.load_regency(db, settings.region_code)
        command: Command = args.command
        return await command(db, settings, args)
    finally:
        await db.close()


async def _backup(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    target = await db.backup(args.path)
    print(f"Cadangan tersimpan / backup written: {target}")
    return 0


async def _operator(db: Database, settings: Settings, args: argparse.Namespace) -> int:
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


async def _write_files(
    files: Sequence[Rendered], written: Callable[[str], str], not_written: Callable[[str, str], str]
) -> int:
    """Write each asked-for file; each is reported on stderr, so that stdout stays parseable
    (`--json`). Stops at the first file that cannot be written, with status 2."""
    for target, render in files:
        if not target:
            continue
        path = Path(target)
        try:
            await asyncio.to_thread(path.write_bytes, render())
        except OSError as exc:
            print(not_written(str(path), exc.strerror or str(exc)), file=sys.stderr)
            return 2
        print(written(str(path)), file=sys.stderr)
    return 0


async def cakupan_command(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    """Print the coverage table (or JSON); write the spreadsheet and chart when asked."""
    texts = cakupan_texts
    day = SystemClock(settings.tz).now().date()
    found = await coverage.compute(
        db, region_code=settings.region_code, regency_name=settings.regency_name
    )
    if args.json:
        json.dump(coverage.as_json(found, day), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(texts.sheet_note(found.regency_name, day))
        print(coverage.render_table(found))
        print(texts.cli_total(coverage.total_line(found)))
    files: list[Rendered] = [
        (args.xlsx, lambda: coverage.render_xlsx(found, day)),
        (args.png, lambda: coverage.render_chart(found, day)),
    ]
    return await _write_files(files, texts.cli_written, texts.cli_not_written)


async def sinyal_command(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    """Print the blank-spot summary per kecamatan; write the exports when asked."""
    texts = blankspot_texts
    reports = await blankspots.all_reports(db)
    summary = blankspots.summarize(reports)
    for name, count, operators, problems in blankspots.summary_rows(summary):
        print(
            texts.cli_line(
                name,
                count,
                ", ".join(f"{texts.OPERATOR_LABELS[op]} {n}" for op, n in operators),
                ", ".join(f"{texts.PROBLEM_LABELS[p]} {n}" for p, n in problems),
            )
        )
    print(texts.cli_total(summary.total, summary.located))
    files: list[Rendered] = [
        (args.csv, lambda: blankspots.render_csv(reports)),
        (args.geojson, lambda: blankspots.render_geojson(reports)),
    ]
    return await _write_files(files, texts.cli_written, texts.cli_not_written)


async def poster_command(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    """A ZIP of every desa's QR poster and the index of links."""
    try:
        if args.bot_username:
            username = posters.clean_username(args.bot_username)
        else:
            username = await _bot_username(settings)
    except posters.PosterError as exc:
        print(exc, file=sys.stderr)
        return 2
    number = settings.whatsapp_display_number if settings.whatsapp_enabled else None
    rows = await posters.index(db, username, number)
    target = Path(args.zip)
    posters.write_zip(target, rows)
    print(f"{len(rows)} poster QR + {posters.INDEX_NAME} tersimpan / written: {target}")
    return 0


async def _bot_username(settings: Settings) -> str:
    """The bot's username from Telegram (getMe), for the links."""
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise posters.PosterError(
            "Username bot tidak diketahui: isi BOT_TOKEN atau pakai --bot-username NAMA / "
            "bot username unknown: set BOT_TOKEN or pass --bot-username NAME"
        )
    bot = _bot(settings)
    try:
        async with bot:
            return bot.username
    except TelegramError as exc:
        raise posters.PosterError(
            f"Telegram tidak menjawab getMe / getMe failed: {exc.message}; "
            "pakai --bot-username NAMA / pass --bot-username NAME"
        ) from None


async def hoaks_import_command(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    """Import a registry file, then list how its labels were read and what was skipped."""
    path: Path = args.file
    try:
        result = await import_file(db, path, now=SystemClock(settings.tz).now(), strict=args.strict)
    except RegistryFileError as exc:
        print(f"Impor gagal, tidak ada yang disimpan: {exc}", file=sys.stderr)
        return 2
    print(
        f"Impor {path.name}: {result.added} entri baru, {result.duplicates} duplikat dilewati, "
        f"{len(result.skipped)} baris dilewati (putusan tidak dikenal); "
        f"basis data kini {result.total} entri."
    )
    print("Label yang dipetakan:")
    for (label, verdict, kind), times in sorted(result.labels.items(), key=lambda i: -i[1]):
        shown = f"{verdict.value} ({kind.value})" if kind else verdict.value
        print(f"  {times:>6}  {label or '(dari judul)'} → {shown}")
    if result.skipped:
        print("Dilewati:")
        for skipped in result.skipped:
            reason = repr(skipped.label) if skipped.label else "putusan kosong"
            print(f"  {skipped.where}: {reason}")
    return 0


async def hoaks_check_command(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    """Search the registry for one text, or for each line of stdin ("-")."""
    queries = [line.rstrip("\n") for line in sys.stdin] if args.text == "-" else [args.text]
    for query in queries:
        matches = await hoax_search.search(db, query, limit=args.limit)
        if args.json:
            found = [
                {
                    "tier": m.tier.value,
                    "claim": m.entry.claim,
                    "verdict": m.entry.verdict.value,
                    "kind": m.entry.kind.value,
                    "score": m.score,
                    "url": m.entry.url,
                }
                for m in matches
            ]
            print(json.dumps(found, ensure_ascii=False))
            continue
        if len(queries) > 1:
            print(f"> {query}")
        if not matches:
            print("(tidak ada yang cocok)")
        for m in matches:
            claim = m.entry.claim if len(m.entry.claim) <= 70 else m.entry.claim[:69] + "…"
            print(
                f"{m.score:>3}  {m.tier.value:<7}  {m.entry.verdict.value:<24}  {claim:<70}  "
                f"{m.entry.url}"
            )
        if len(queries) > 1:
            print()
    return 0
