"""Command line: `ostbot run | start | play | sync | db check | db backup PATH | db export [PATH] | db import FILE
| db copy --to URL | db fetch QUERY`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib
import logging
import signal
import sys
from collections.abc import Awaitable
from pathlib import Path

import discord

from . import fetch_cli
from .catalog.recordfiles import parse_records, records_to_csv, records_to_json
from .catalog.seedfile import CatalogError, load_catalog
from .config import ConfigError, Settings, is_postgres_url
from .sharding import parse_shard_ids
from .store import DatabaseFault, DatabaseUrlError, Store, StoreError, StoreUnavailable
from .store.sqlite import fault as sqlite_fault
from .ui.admin import problem_line

log = logging.getLogger("bot")

NO_TOKEN_HELP = """\
No Discord bot token is configured, so the bot cannot connect to Discord.

To set one:
  1. Open https://discord.com/developers/applications, create an application,
     then Bot -> Reset Token, and copy the token.
  2. Copy .env.example to .env and put it there:   DISCORD_TOKEN=your-token
     (or export DISCORD_TOKEN in the environment).
  3. Run the bot again:  make run   (or: ostbot run)

The README explains how to invite the bot to a server.
"""

PLAYGROUND_INSTEAD = ("No DISCORD_TOKEN is set, so here is the offline playground instead; to run the bot on "
                      "real Discord, put your bot token in .env (see .env.example) and run `make run` again.")


def _settings(args: argparse.Namespace, *, playground: bool = False) -> Settings:
    """Settings from the environment, with the command line's database (`--database`: always the bot's
    own). The playground keeps its data apart: `play --playground-db`, else playground.db next to the
    bot's database."""
    settings = Settings.from_env()
    if database := getattr(args, "database", None):
        if is_postgres_url(database):
            settings = dataclasses.replace(settings, database_url=database)
        else:
            settings = dataclasses.replace(settings, database_path=Path(database), database_url=None)
    count, shards = getattr(args, "shard_count", None), getattr(args, "shards", None)
    if count is not None or shards is not None:
        try:
            ids = parse_shard_ids(shards) if shards is not None else settings.shard_ids
        except ValueError as exc:
            raise ConfigError(f"--shards: {exc} (write them like 0-3 or 4,5,7)") from None
        settings = dataclasses.replace(settings, shard_count=count if count is not None else settings.shard_count,
                                       shard_ids=ids)
    if playground:  # always a SQLite file of its own, whatever database the bot uses; never in a fleet
        own = getattr(args, "playground_db", None)
        settings = dataclasses.replace(
            settings, database_url=None, shard_count=None, shard_ids=None, heartbeat_seconds=None,
            database_path=Path(own) if own else settings.database_path.with_name("playground.db"))
    return settings


def _setup_logging(settings: Settings) -> None:
    discord.utils.setup_logging(level=settings.log_level_number, root=True)


async def serve_until_signalled(bot, main: Awaitable[object]) -> None:
    """Run `main` (the bot's gateway connection, or a simulated Discord around it) until it ends,
    or until SIGTERM or SIGINT asks the bot to stop.

    Stopping is graceful: `bot.close()` unloads the cogs while Discord is still reachable (a running
    quiz is marked interrupted and its round message says so, see the quiz cog's `cog_unload`),
    then closes the store, which checkpoints and removes SQLite's write-ahead log. The process then
    exits with status 0. `ostbot run` and the crash tests' driver both come through here.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def request_stop(sig: signal.Signals) -> None:
        log.info("%s received: shutting down gracefully", sig.name)
        stopping.set()

    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # non-Unix loops
            loop.add_signal_handler(sig, request_stop, sig)
            installed.append(sig)
    runner = asyncio.ensure_future(main)
    stopper = asyncio.create_task(stopping.wait())
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()
            return
        # Close first, while the connection is up, so the cogs can still tell Discord; a gateway
        # connection then ends by itself, anything else (a simulation) is cancelled.
        await bot.close()
        if not runner.done():
            runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
    finally:
        stopper.cancel()
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _run_bot(settings: Settings, *, force_sync: bool = False) -> int:
    from .app import open_bot

    bot = await open_bot(settings)
    async with bot:
        if force_sync:
            await bot.login(settings.token or "")
            await bot.sync_commands()
            return 0
        await serve_until_signalled(bot, bot.start(settings.token or ""))
    return 0


def cmd_run(args: argparse.Namespace, *, force_sync: bool = False) -> int:
    settings = _settings(args)
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    _setup_logging(settings)
    try:
        return asyncio.run(_run_bot(settings, force_sync=force_sync))
    except discord.LoginFailure:
        print("Discord refused the token (DISCORD_TOKEN). Reset it in the developer portal and "
              "update .env.", file=sys.stderr)
        return 2


PLAY_PACKAGES = ("simcord", "rich")
PLAY_EXTRA_MISSING = ("The offline playground needs {missing}, which a production install leaves out. Install the "
                      "play extra: pip install 'ost-ballad-bot[play]' (from a checkout: pip install -e '.[play]'; "
                      "`make run` does it).")


def missing_play_packages() -> list[str]:
    """The playground's packages (the `play` extra) that this install lacks."""
    missing = []
    for name in PLAY_PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def cmd_play(args: argparse.Namespace) -> int:
    if missing := missing_play_packages():
        print(PLAY_EXTRA_MISSING.format(missing=" and ".join(missing)), file=sys.stderr)
        return 2
    from .playground.console import run

    clock = getattr(args, "clock", "auto")
    return run(_settings(args, playground=True), real_time=None if clock == "auto" else clock == "real",
               seed=getattr(args, "seed", None))


def cmd_sync(args: argparse.Namespace) -> int:
    return cmd_run(args, force_sync=True)


def cmd_start(args: argparse.Namespace) -> int:
    """`make run`: the real bot when a token is configured, otherwise the playground."""
    if _settings(args).token:
        return cmd_run(args)
    print(PLAYGROUND_INSTEAD, flush=True)
    return cmd_play(args)


async def _with_store(settings: Settings, work) -> int:
    store = await Store.open(settings.database)
    try:
        return await work(store)
    finally:
        await store.close()


def cmd_db_check(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def work(store: Store) -> int:
        report = await store.catalog.seed(load_catalog(settings.catalog_path))
        integrity = await store.integrity_check()
        counts = await store.catalog.counts()
        where = store.label if store.engine == "postgres" else settings.database_path.resolve()
        print(f"database:  {where}")
        print(f"engine:    {'PostgreSQL' if store.engine == 'postgres' else 'SQLite'}")
        print(f"schema:    version {await store.schema_version()}")
        print(f"integrity: {integrity}")
        print(f"catalog:   {'seeded now' if report.changed else 'up to date'} "
              f"(version {await store.meta.get('catalog_version')})")
        print(f"songs:     {counts.songs}")
        print(f"dramas:    {counts.dramas}")
        print(f"artists:   {counts.artists}")
        print(f"sources:   {counts.sources}")
        ready, songs = await store.catalog.card_docs_counts()
        print(f"cards:     {ready} of {songs} songs kept ready"
              + ("" if ready == songs else " (the running bot writes the rest; cards read meanwhile from the tables)"))
        return 0 if integrity == "ok" else 1

    return asyncio.run(_with_store(settings, work))


def cmd_db_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def work(store: Store) -> int:
        await store.backup(Path(args.path))
        print(f"backed up {store.label} to {args.path}")
        return 0

    return asyncio.run(_with_store(settings, work))


def cmd_db_export(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def work(store: Store) -> int:
        await store.catalog.seed(load_catalog(settings.catalog_path))
        records = await store.catalog.export_records(args.guild)
        as_csv = args.format == "csv" or (args.format is None and str(args.path or "").endswith(".csv"))
        text = records_to_csv(records) if as_csv else records_to_json(records)
        if args.path:
            Path(args.path).write_text(text, encoding="utf-8")  # noqa: ASYNC240 - a CLI, nothing else runs
            print(f"exported {len(records)} songs to {args.path}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0

    return asyncio.run(_with_store(settings, work))


def cmd_db_import(args: argparse.Namespace) -> int:
    settings = _settings(args)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    records, problems = parse_records(data, path.name)
    if problems:
        print(f"{path}: nothing imported; fix these and try again:", file=sys.stderr)
        for problem in problems[:200]:
            print(f"  {problem_line(problem, 'en')}", file=sys.stderr)
        return 1

    async def work(store: Store) -> int:
        await store.catalog.seed(load_catalog(settings.catalog_path))
        report = await store.catalog.import_records(
            records, guild_id=args.guild, origin="guild" if args.guild else "import")
        print(f"imported {len(records)} songs from {path}: {report.added} added, {report.updated} updated")
        return 0

    return asyncio.run(_with_store(settings, work))


def cmd_db_fetch(args: argparse.Namespace) -> int:
    return asyncio.run(fetch_cli.run(_settings(args), args))


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy this bot's SQLite database into an empty PostgreSQL database (see store/copy.py)."""
    from .store.copy import copy_database

    settings = _settings(args)
    if settings.database_url:
        print("error: db copy reads the SQLite database (OST_DATABASE_PATH or --database FILE); "
              "unset OST_DATABASE_URL for this command", file=sys.stderr)
        return 2
    if not settings.database_path.is_file():
        print(f"error: no SQLite database at {settings.database_path}", file=sys.stderr)
        return 2

    async def work() -> int:
        source = await Store.open(settings.database_path, migrate=False)
        try:
            target = await Store.open(args.to, migrate=False)
            try:
                if await target.schema_version() == 0:
                    await target.migrate()
                counts = await copy_database(source, target)
            finally:
                await target.close()
        finally:
            await source.close()
        width = max(len(c.table) for c in counts)
        for c in counts:
            print(f"{c.table.ljust(width)}  {c.source:>8} -> {c.target:>8}  ok")
        print(f"copied {sum(c.target for c in counts)} rows from {settings.database_path} to {target.label}")
        return 0

    return asyncio.run(work())


def cmd_status(args: argparse.Namespace) -> int:
    """The fleet: every bot process that recorded a heartbeat, its shards, servers and last beat, and
    what is wrong (shards no live process owns, or that two own). Exit status 1 when something is."""
    import datetime as dt

    from .sharding import fleet_guilds, fleet_problems

    settings = _settings(args)
    stale_after = settings.stale_after

    async def work(store: Store) -> int:
        rows = await store.fleet.processes()
        now = dt.datetime.now(dt.UTC)
        members = [p.member(now) for p in rows]
        print(f"database: {store.label}")
        if not rows:
            print("no bot process has recorded a heartbeat")
        for p, m in zip(rows, members, strict=True):
            shards = f"shards {p.shard_ids} of {p.shard_count}" if p.shard_count else "unsharded"
            state = "live" if m.alive(stale_after) else "SILENT"
            print(f"{p.id}  {p.host}:{p.pid}  {shards}  {p.guilds} servers  v{p.version}  "
                  f"started {p.started_at}  last heartbeat {m.seconds_since_heartbeat:.0f} s ago  {state}")
        print(f"servers across live processes: {fleet_guilds(members, stale_after)}")
        problems = fleet_problems(members, stale_after) if rows else []
        for problem in problems:
            print(f"! {problem}")
        return 1 if problems else 0

    return asyncio.run(_with_store(settings, work))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ostbot", description="OST Ballad Bot")
    parser.add_argument("--database", help="the bot's SQLite file or postgresql:// URL "
                                           "(default: OST_DATABASE_URL, else OST_DATABASE_PATH or data/ost.db)")
    parser.set_defaults(func=cmd_run)  # no sub-command: run the bot
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot (default)")
    run.set_defaults(func=cmd_run)
    run.add_argument("--shard-count", type=int, help="how many shards the whole bot has (OST_SHARD_COUNT)")
    run.add_argument("--shards", help="the shards this process runs, like 0-3 or 4,5,7 (OST_SHARD_IDS)")
    sub.add_parser("start", help="run the bot when a token is configured, else the offline playground").set_defaults(
        func=cmd_start)
    play = sub.add_parser("play", help="try the bot offline in this terminal, on a simulated Discord server")
    play.set_defaults(func=cmd_play)
    play.add_argument("--playground-db", metavar="PATH",
                      help="SQLite file for the playground (default: playground.db next to the bot's database)")
    play.add_argument("--clock", choices=("auto", "real", "manual"), default="auto",
                      help="real: time follows the wall clock; manual: only `wait` moves it "
                           "(default: real when typing in a terminal, manual for piped input)")
    play.add_argument("--seed", type=int,
                      help="seed for /random and the quiz (default with a manual clock: 0, so piped scripts "
                           "print the same every time; with a real clock: unseeded)")
    sub.add_parser("sync", help="push the slash commands to Discord now").set_defaults(func=cmd_sync)
    sub.add_parser("status", help="the bot processes sharing this database: shards, servers, heartbeats"
                   ).set_defaults(func=cmd_status)
    db = sub.add_parser("db", help="database tools").add_subparsers(dest="db_command", required=True)
    db.add_parser("check", help="integrity check and catalog counts (seeds a new database)").set_defaults(
        func=cmd_db_check)
    backup = db.add_parser("backup", help="online backup, safe while the bot runs")
    backup.set_defaults(func=cmd_db_backup)
    backup.add_argument("path")
    export = db.add_parser("export", help="export the catalog as JSON (default) or CSV")
    export.set_defaults(func=cmd_db_export)
    export.add_argument("path", nargs="?", help="file to write (.csv or .json); stdout when left out")
    export.add_argument("--format", choices=("json", "csv"))
    export.add_argument("--guild", type=int, help="export one server's additions instead")
    imp = db.add_parser("import", help="add or update songs from a JSON or CSV file")
    imp.set_defaults(func=cmd_db_import)
    imp.add_argument("file")
    imp.add_argument("--guild", type=int, help="add them as one server's own songs")
    fetch_cli.add_parser(db).set_defaults(func=cmd_db_fetch)
    copy = db.add_parser("copy", help="copy this SQLite database into an empty PostgreSQL database")
    copy.set_defaults(func=cmd_db_copy)
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host:5432/database")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (StoreUnavailable, DatabaseUrlError, DatabaseFault) as exc:  # one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ConfigError, CatalogError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a damaged page met by a read (opening and writes say it themselves)
        found = sqlite_fault(exc, _settings(args).database_path)
        if found is None:
            raise
        print(f"error: {found}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
