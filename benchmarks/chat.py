"""Answering a mention against the matching slash command, on one bot, in round-robin.

`python -m benchmarks.chat [--calls N] [--json]`: the same look-ups typed as `/ost query: …`
and as "@OST Ballad Bot …" (the seeded catalog, the name index built first), alternating which goes
first; the medians, p99s and their ratio (target: a mention costs at most 1.2x the command). Runs
alone in a few seconds; `make bench` runs it too and BENCHMARKS.md reports it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import child, harness, report

QUERIES = ["goblin", "stay with me", "orbit", "도깨비", "백예린", "Descendants of the Sun", "this love",
           "crash landing on you", "gummy", "hyun bin"]
TARGET = 1.2


async def measure(calls: int, db: Path) -> dict[str, Any]:
    from bot.chat.limits import ChatLimits, Rate

    h = await child.start(False, db)
    try:
        await child.index_built(h)
        chat = h.bot.get_cog("Chat")
        chat.limits = ChatLimits(Rate(10**9, 1.0), Rate(10**9, 1.0))  # measured here: the work, not the limits
        bot_id = h.world.application_id
        times: dict[str, list[float]] = {"slash": [], "mention": []}
        for i in range(calls + 20):
            query, user = QUERIES[i % len(QUERIES)], h.user(i % 16)
            order = ("slash", "mention") if i % 2 else ("mention", "slash")
            for kind in order:
                if kind == "slash":
                    outcome = await h.run(h.world.slash("ost", {"query": query}, user_id=user))
                else:
                    outcome = await h.run_message(h.world.message(f"<@{bot_id}> {query}", user_id=user))
                assert outcome.reply_payload().get("embeds"), (kind, query, outcome.describe())
                if i >= 20:  # the first rounds warm the caches
                    times[kind].append(outcome.seconds)
        assert not h.errors.messages(), h.errors.messages()
    finally:
        await h.close()
    slash, mention = harness.summary(times["slash"]), harness.summary(times["mention"])
    return {"calls": calls, "slash": slash, "mention": mention,
            "ratio": report.ratio(mention["median"], slash["median"]), "target": TARGET}


def table(result: dict[str, Any]) -> str:
    lines = ["| path | median | p99 |", "|---|---|---|"]
    for kind, label in (("slash", "/ost query: …"), ("mention", "@bot … (a chat reply)")):
        lines.append(f"| {label} | {report.fmt_ms(result[kind]['median'])} | {report.fmt_ms(result[kind]['p99'])} |")
    ratio = result["ratio"]
    lines.append(f"\nA mention costs {report.fmt_x(ratio)} the command (median, {result['calls']} calls each); "
                 f"target ≤ {TARGET}x: {report.verdict(ratio is not None and ratio <= TARGET)}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chat", description=__doc__)
    parser.add_argument("--calls", type=int, default=300, help="measured calls of each path")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON (for `make bench`)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        result = harness.run(measure(args.calls, Path(folder) / "chat.db"))
    print(json.dumps(result) if args.json else table(result))
    met = result["ratio"] is not None and result["ratio"] <= TARGET
    return 0 if met or args.json else 1


if __name__ == "__main__":
    sys.exit(main())
