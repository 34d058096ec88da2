"""/quiz: multi-round OST trivia, one job per module.

- `_cog`: the slash commands (/quiz start, stop, hint, join, leaderboard, stats);
- `_players`: what players do in a running game (answers, hints, skips, teams), by click or command;
- `_games`: the games this process plays, each on its `GameRunner` (the table that posts what the
  game decides to Discord and writes it to the store);
- `_answers`: answers written to the store before the player is told "locked in";
- `_recovery`: games resumed after a restart, and taken over from a process of the fleet that stopped;
- `_routing`: the quiz's buttons and the typed answer's modal, found by custom id.

A restart does not end a quiz: its state is kept in the store as it goes, and the next start of the
process owning its server resumes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ui import quiz as ui
from ._cog import Quiz
from ._routing import route_by_custom_id

if TYPE_CHECKING:
    from ...app import OstBot


async def setup(bot: OstBot) -> None:
    bot.add_listener(route_by_custom_id, "on_interaction")
    cog = Quiz(bot)
    ui.QUIZ_COG.serves(cog)  # mypy: the cog answers every call of the quiz's components
    await bot.add_cog(cog)
