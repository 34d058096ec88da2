"""`ostbot db fetch QUERY [--guild ID] [--yes] [--drama NAME] [--instrumentals] [--all-parts]`:
a drama's OST from MusicBrainz into the shared catalog (every server) or one server's.

It prints what MusicBrainz found and what the fetch would add, link and leave out (a dry run of the
store's transaction, so the preview is exact), then asks; `--yes` is for scripts. The add is one
transaction that bumps the catalog's generation: a running bot sees the songs within a second, as
after `ostbot db import`. Messages are English, as the rest of the command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from . import fetching
from .catalog.seedfile import load_catalog
from .config import Settings
from .errors import UserError
from .i18n import t
from .musicbrainz.client import MusicBrainzClient
from .musicbrainz.models import Release
from .store import Store
from .ui.fetch import report_lines

LANG = "en"


def add_parser(db: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """`ostbot db fetch`'s options; the caller says what runs it (`set_defaults(func=...)`)."""
    fetch = db.add_parser("fetch", help="add a drama's OST from MusicBrainz (shows what it adds, then asks)")
    fetch.add_argument("query", help="a drama or OST album name, or a MusicBrainz release (group) link or id")
    fetch.add_argument("--guild", type=int, help="add them as one server's own songs")
    fetch.add_argument("--yes", action="store_true", help="add without asking (for scripts)")
    fetch.add_argument("--drama", help="the drama the songs are from (default: read from the release's title)")
    fetch.add_argument("--instrumentals", action="store_true", help="add instrumental tracks too")
    fetch.add_argument("--all-parts", action="store_true", help="every OST part of the found release's drama")
    return fetch


def _found_lines(found: fetching.Found) -> list[str]:
    lines = [f"MusicBrainz found for {found.query!r}:"]
    lines += [f"  {i}. {r.title} ({r.date or 'no date'}) · {', '.join(r.singers) or '-'} · {r.track_count} tracks "
              f"· {r.url}" for i, r in enumerate(found.releases, start=1)]
    return lines


async def fetch(store: Store, client: MusicBrainzClient, args: argparse.Namespace,
                confirm: Callable[[], bool]) -> int:
    found = await fetching.find(client, args.query)
    print("\n".join(_found_lines(found)))
    releases: list[Release] = ([*await fetching.read_parts(client, args.drama or found.chosen.drama)]
                               if args.all_parts else [found.chosen])
    plan = fetching.plan(releases, drama=args.drama, instrumentals=args.instrumentals)
    shared = args.guild is None
    preview = await store.catalog.add_fetched(plan, guild_id=args.guild, dry_run=True)
    print(f"\nFrom {', '.join(r.title for r in releases)} (drama {plan.drama}), this fetch would:")
    print("\n".join(report_lines(preview, LANG, shared=shared, terminal=True, preview=True)))
    if not preview.added and not preview.linked:
        print("Nothing to add.")
        return 0
    if not args.yes and not confirm():
        print("Nothing was added.")
        return 1
    result = await fetching.add(store, plan, guild_id=args.guild, added_by=None)
    print(f"\nDone: {len(result.added)} added, {len(result.linked)} already there, "
          f"{len(result.left_out)} left out.")
    return 0


def ask() -> bool:
    """y/N on the terminal (or the first line of piped input); no answer is no."""
    print("Add these songs? [y/N] ", end="", flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


async def run(settings: Settings, args: argparse.Namespace, confirm: Callable[[], bool] = ask) -> int:
    client = MusicBrainzClient.from_settings(settings)
    store = await Store.open(settings.database)
    try:
        await store.catalog.seed(load_catalog(settings.catalog_path))
        return await fetch(store, client, args, confirm)
    except UserError as error:
        print(f"error: {t(error.key, LANG, **error.params)}", file=sys.stderr)
        return 1
    finally:
        await client.close()
        await store.close()
