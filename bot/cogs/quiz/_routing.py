"""Clicks on the quiz's buttons and its typed answer's modal, found by custom id.

One `on_interaction` listener reads the custom id (`ui.quiz.quiz_click`) and hands the call to the
quiz cog. Not `DynamicItem`s: a dynamic item's click rebuilds the message's whole view and runs in a
task of its own, which made a click cost 1.7 times what the router's does (median 143 µs against
84 µs over 3,000 clicks each, `python -m benchmarks.routing`); and a modal's submission cannot be a
dynamic item at all.
"""

from __future__ import annotations

import logging

import discord

from ...components import hand_over
from ...i18n import t
from ...replies import reader_language, send_ephemeral
from ...ui import quiz as ui

log = logging.getLogger(__name__)


async def route_by_custom_id(interaction: discord.Interaction) -> None:
    """The bot's `on_interaction` listener for the quiz's components, handed to the cog (`hand_over`: a
    friendly message when the cog is gone). A function of the quiz extension, so unloading the
    extension removes it."""
    click = ui.quiz_click(interaction)
    if click is None:
        return
    what, call = click
    try:
        await hand_over(interaction, ui.QUIZ_COG, call)
    except Exception:
        log.exception("quiz: %s failed", what)
        await send_ephemeral(interaction, t("error.unexpected", await reader_language(interaction)))
