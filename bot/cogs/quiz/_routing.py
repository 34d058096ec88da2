"""Clicks on the quiz's buttons and its typed answer's modal, found by custom id.

One `on_interaction` listener reads the custom id (`ui.quiz.quiz_click`) and hands the call to the
quiz cog. Not `DynamicItem`s: a dynamic item's click rebuilds the message's whole view and runs in a
task of its own, which made a click cost 1.7 times what the router's does (median 143 µs against
84 µs over 3,000 clicks each, `python -m benchmarks.routing`); and a modal's submission cannot be a
dynamic item at all.
"""

from __future__ import annotations

import discord

from ...components import hand_over
from ...ui import quiz as ui


async def route_by_custom_id(interaction: discord.Interaction) -> None:
    """The bot's `on_interaction` listener for the quiz's components, handed to the cog (`hand_over`:
    errors go through the one funnel, and the cog being gone is a friendly message). A function of the
    quiz extension, so unloading the extension removes it."""
    click = ui.quiz_click(interaction)
    if click is None:
        return
    await hand_over(interaction, ui.QUIZ_COG, click)
