"""Look-up glue shared by /ost, /random and /recommend: autocomplete choices, cards, no-match replies."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from ..catalog.search import Match, strong_matches
from ..catalog.text import compact
from ..errors import UserError
from ..ui import cards
from ..ui.text import safe

if TYPE_CHECKING:
    from ..app import OstBot

log = logging.getLogger(__name__)

QUERY_MAX = 100
CANDIDATES_MAX = 24
LOOKUP_KINDS = ("song", "drama", "artist", "actor")


async def choices_for(bot: OstBot, interaction: discord.Interaction, current: str,
                      kinds: Sequence[str]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for `current` among `kinds`; a starting list when it is empty."""
    lang = await bot.language_for(interaction)
    svc = bot.catalog
    guild_id = interaction.guild_id
    current = current[:QUERY_MAX]
    matches = await svc.search(current, guild_id, kinds) if compact(current) else await svc.starters(guild_id, kinds)
    labels = await svc.labels(matches[:25], guild_id)
    return [app_commands.Choice(name=cards.label_text(label, lang), value=f"{label.kind}:{label.id}")
            for label in labels][:25]


async def no_match(bot: OstBot, query: str, guild_id: int | None, kinds: Sequence[str], lang: str,
                   key: str = "ost.none") -> UserError:
    """The "nothing found" error, with up to three "did you mean" suggestions."""
    svc = bot.catalog
    suggestions = await svc.labels(await svc.suggest(query, guild_id, kinds), guild_id)
    shown = safe(" ".join(query.split()), 100) or "…"
    if not suggestions:
        return UserError(key, query=shown)
    lines = "\n".join(f"• {safe(cards.label_text(label, lang), 100)}" for label in suggestions)
    return UserError(key + "_suggest", query=shown, suggestions=lines)


def _with_songs_menu(view: discord.ui.View | None, songs: Sequence, lang: str) -> discord.ui.View | None:
    """A card's view with a select menu that opens any song listed on the card."""
    select = cards.songs_select(songs[:25], lang)
    if select is None:
        return view
    view = view or discord.ui.View(timeout=None)
    view.add_item(select)
    return view


async def card_for(bot: OstBot, match: Match, lang: str, guild_id: int | None, *, page: int = 0,
                   others: Sequence[Match] = ()) -> tuple[discord.Embed, discord.ui.View | None]:
    """The card (embed and components) for one match; `others` become a candidates select."""
    svc = bot.catalog
    view: discord.ui.View | None = None
    if match.kind == "song":
        song = await svc.song(match.id, guild_id)
        if song is None:
            raise UserError("ost.gone")
        embed = cards.song_embed(song, lang)
        view = cards.song_view(song, lang)
    elif match.kind == "drama":
        found = await svc.drama(match.id, guild_id)
        if found is None:
            raise UserError("ost.gone")
        drama, songs = found
        pages = cards.drama_pages(len(songs))
        page = min(max(page, 0), pages - 1)
        embed = cards.drama_embed(drama, songs, lang, page)
        view = cards.pager_view(drama.id, page, pages, lang)
        view = _with_songs_menu(view, songs[page * cards.DRAMA_PAGE_SIZE:(page + 1) * cards.DRAMA_PAGE_SIZE], lang)
    elif match.kind == "actor":
        found_actor = await svc.actor(match.id, guild_id)
        if found_actor is None:
            raise UserError("ost.gone")
        actor, dramas = found_actor
        embed = cards.actor_embed(actor, dramas, lang)
        view = _with_songs_menu(None, [s for _, songs in dramas for s in songs], lang)
    else:
        found_artist = await svc.artist(match.id, guild_id)
        if found_artist is None:
            raise UserError("ost.gone")
        artist, songs = found_artist
        embed = cards.artist_embed(artist, songs, lang)
        view = _with_songs_menu(None, songs, lang)
    if others:
        labels = await svc.labels(others[:CANDIDATES_MAX], guild_id)
        if labels:
            view = view or discord.ui.View(timeout=None)
            options = [(f"{label.kind}:{label.id}", cards.label_text(label, lang), None) for label in labels]
            view.add_item(cards.candidates_select(options, lang))
    return embed, view


async def lookup_card(bot: OstBot, query: str, guild_id: int | None, lang: str,
                      kinds: Sequence[str] = LOOKUP_KINDS) -> tuple[discord.Embed, discord.ui.View | None]:
    """/ost's answer: the best match's card, the other strong matches in a select; the "nothing
    found" error (with suggestions) when nothing matches."""
    matches = await bot.catalog.resolve(query, guild_id, kinds)
    if not matches:
        raise await no_match(bot, query, guild_id, kinds, lang)
    return await card_for(bot, matches[0], lang, guild_id, others=strong_matches(matches)[1:])
