"""The quiz's two interactions found by custom id rather than by a dynamic item: an option of a
buttons-mode round (`ui.answer_button`) and a typed answer's modal (`ui.answer_modal`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord

from ...components import hand_over
from ...i18n import t
from ...replies import reader_language, send_ephemeral
from ...ui import quiz as ui

log = logging.getLogger(__name__)


async def route_by_custom_id(interaction: discord.Interaction) -> None:
    """The bot's `on_interaction` listener for the quiz's two interactions found by custom id, handed to
    the cog like a dynamic item's click (`hand_over`: a friendly message when the cog is gone). A function
    of the quiz extension, so unloading the extension removes it."""
    data: Mapping[str, object] = interaction.data or {}
    custom_id = str(data.get("custom_id", ""))
    if interaction.type is discord.InteractionType.component:
        if (match := ui.ANSWER_PATTERN.fullmatch(custom_id)) is None:
            return
        what, method = "an answer button", "answer_clicked"
        args: tuple[object, ...] = (int(match["game"]), int(match["round"]), int(match["option"]))
    elif interaction.type is discord.InteractionType.modal_submit:
        if (match := ui.MODAL_PATTERN.fullmatch(custom_id)) is None:
            return
        what, method = "an answer from the modal", "typed_submitted"
        args = (int(match["game"]), int(match["round"]), ui.submitted_text(data))
    else:
        return
    try:
        await hand_over(interaction, ui.QUIZ_COG, method, *args)
    except Exception:
        log.exception("quiz: %s failed", what)
        await send_ephemeral(interaction, t("error.unexpected", await reader_language(interaction)))
