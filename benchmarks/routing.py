"""How a click on a quiz button reaches the quiz cog: a `DynamicItem` or the custom-id router.

discord.py offers `DynamicItem`s: a click whose custom id matches an item's template rebuilds the
message's whole view (`View.from_message`), swaps the item in and calls its callback, in a task of
its own. The quiz's custom-id router is an `on_interaction` listener that matches the custom id with
one regular expression and calls the cog. Both are measured here on the same bare bot, through
discord.py's own parser (`Harness.run`), on a message shaped like a buttons-mode round (an embed, four
options and Skip), with the bot's other dynamic items registered as they are in the real bot. Both
routes end in the same cog method, which replies "ok" privately, so the difference is the routing.

`python -m benchmarks.routing [--calls N]` prints the figures; `python -m benchmarks` runs it too
(BENCHMARKS.md, "Routing a quiz click").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import Any

import discord
from discord.ext import commands

from . import wire
from .harness import Harness, run, summary

DYNAMIC = r"bench:d:(?P<game>\d+):(?P<round>\d+):(?P<option>\d)"
ROUTED = re.compile(r"bench:r:(?P<game>\d+):(?P<round>\d+):(?P<option>\d)")


class Bench(commands.Cog, name="Bench"):
    """Where both routes lead: the same call the quiz cog gets for an answer."""

    async def answer_clicked(self, interaction: discord.Interaction, game_id: int, round_number: int,
                             option: int) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def hand_to_cog(interaction: discord.Interaction, game_id: int, round_number: int, option: int) -> None:
    cog = interaction.client.get_cog("Bench")  # type: ignore[attr-defined]
    await cog.answer_clicked(interaction, game_id, round_number, option)


class DynamicOption(discord.ui.DynamicItem[discord.ui.Button], template=DYNAMIC):
    def __init__(self, game_id: int, round_number: int, option: int) -> None:
        super().__init__(discord.ui.Button(label="?", custom_id=f"bench:d:{game_id}:{round_number}:{option}"))
        self.args = (game_id, round_number, option)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> DynamicOption:
        return cls(int(match["game"]), int(match["round"]), int(match["option"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await hand_to_cog(interaction, *self.args)


async def route(interaction: discord.Interaction) -> None:
    data: Any = interaction.data or {}
    if interaction.type is discord.InteractionType.component and (
            match := ROUTED.fullmatch(str(data.get("custom_id", "")))) is not None:
        await hand_to_cog(interaction, int(match["game"]), int(match["round"]), int(match["option"]))


def other_dynamic_items() -> list[type[discord.ui.DynamicItem[Any]]]:
    """The bot's dynamic items that are not the quiz's: a quiz click is matched against them too."""
    from bot.cogs.ost import DramaPage, MoreFromDrama, PickCandidate
    from bot.cogs.random_pick import AnotherPick
    from bot.ui.admin import AddAnywayButton, ResetScoresButton

    return [AddAnywayButton, ResetScoresButton, DramaPage, MoreFromDrama, PickCandidate, AnotherPick]


def round_message(world: wire.World, kind: str) -> dict[str, Any]:
    """A posted round: the question embed and a row of four options and Skip (custom ids of `kind`)."""
    options = [{"type": 2, "style": 2, "label": f"Option {i + 1}", "custom_id": f"bench:{kind}:12:3:{i}"}
               for i in range(4)]
    skip = {"type": 2, "style": 2, "label": "Skip", "emoji": {"name": "⏭️"}, "custom_id": "quiz:s:12:3"}
    embed = {"title": "Round 3 of 10", "description": "Which drama is the song **Everytime** from?\n\n"
             "Pick one of the four buttons.\nEnds <t:1767225600:R>", "colour": 0x9B59B6,
             "footer": {"text": "Drama of the song · Any topic"}}
    return world._message(world.channel_ids[0], {"embeds": [embed],
                                                 "components": [{"type": 1, "components": [*options, skip]}]})


async def measure(calls: int) -> dict[str, Any]:
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.default(),
                       allowed_mentions=discord.AllowedMentions.none(), help_command=None)
    await bot.add_cog(Bench())
    bot.add_dynamic_items(*other_dynamic_items())
    world = wire.World.create(channels=1)
    harness = Harness(bot, world)
    await harness.start()
    await harness.wait_ready()
    samples: dict[str, list[float]] = {"dynamic": [], "router": []}
    try:
        messages = {"dynamic": round_message(world, "d"), "router": round_message(world, "r")}
        # Each route alone on the bot, as it would be: a DynamicItem bot has no listener, a routed one
        # no quiz dynamic item. Blocks of 100 in turn, so a busy spell of the machine hits both alike.
        for block in range(2 * max(1, calls // 100)):
            kind = "dynamic" if block % 2 == 0 else "router"
            if kind == "dynamic":
                bot.add_dynamic_items(DynamicOption)
            else:
                bot.add_listener(route, "on_interaction")
            for i in range(101):
                custom_id = f"bench:{kind[0]}:12:3:{i % 4}"
                outcome = await harness.run(world.click(messages[kind], custom_id, user_id=harness.user(i % 16)))
                if outcome.reply_payload().get("content") != "ok":
                    raise RuntimeError(f"{kind}: no reply ({outcome.describe()})")
                if i:  # the first of a block warms up
                    samples[kind].append(outcome.seconds)
            if kind == "dynamic":
                bot.remove_dynamic_items(DynamicOption)
            else:
                bot.remove_listener(route, "on_interaction")
    finally:
        await harness.close()
    return {kind: summary(values) for kind, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.routing", description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="measured clicks per route")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    figures = run(measure(args.calls))
    if args.json:
        print(json.dumps(figures))
        return 0
    for kind, s in figures.items():
        print(f"{kind:>8}: median {s['median'] * 1e6:7.1f} µs  mean {s['mean'] * 1e6:7.1f} µs  "
              f"p99 {s['p99'] * 1e6:7.1f} µs  (n={s['n']})")
    ratio = figures["dynamic"]["median"] / figures["router"]["median"]
    print(f"DynamicItem / router, median: {ratio:.2f}x ({time.perf_counter() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
