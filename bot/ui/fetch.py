"""/catalog fetch: the preview of what MusicBrainz found, its select menu and buttons, and the report.

The select and the buttons are `DynamicItem`s whose custom_id carries the preview's token; the
preview itself (what was found, what is chosen) is kept by the cog, so a click after it expired or
after a restart is answered ("this preview has expired"), never ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import discord

from ..catalog.fetched import MAX_SONGS, FetchResult, LeftOut, StoredSong
from ..catalog.text import clip
from ..components import CogRef, hand_over
from ..i18n import t
from ..musicbrainz.models import Release, ReleaseSummary, Track
from ..musicbrainz.releases import vocal_tracks
from ..replies import data_field
from .admin import problem_line
from .text import localized_name, safe

COLOUR = discord.Colour(0xBA478F)      # MusicBrainz's purple
PICK_TEMPLATE = r"fetch:pick:(?P<token>[0-9a-f]{16})"
BUTTON_TEMPLATE = r"fetch:(?P<action>add|cancel):(?P<token>[0-9a-f]{16})"
ALL_PARTS = "all"
TRACKS_SHOWN = 15
LINES_SHOWN = 12


class FetchClicks(Protocol):
    """What a preview's select and buttons ask of the catalog admin cog (which `FETCH_COG.serves`)."""

    async def fetch_clicked(self, interaction: discord.Interaction, action: str, token: str, value: str) -> None: ...


FETCH_COG: CogRef[FetchClicks] = CogRef("CatalogAdmin")


def _singers(names: Sequence[str], limit: int = 80) -> str:
    return safe(", ".join(names), limit) or "—"


def _release_line(n: int, release: ReleaseSummary, lang: str) -> str:
    return t("fetch.preview.line", lang, n=n, title=safe(release.title, 120),
             date=release.date or t("fetch.preview.no_date", lang), singers=_singers(release.singers),
             tracks=release.track_count)


def _track_line(n: int, track: Track, lang: str) -> str:
    title = f"{track.title} ({track.latin_title})" if track.latin_title else track.title
    return t("fetch.preview.track", lang, n=n, title=safe(title, 100),
             singers=_singers([s.name for s in track.singers], 60))


def preview_embed(query: str, found: Sequence[ReleaseSummary], chosen: Release | None, drama: str, lang: str,
                  parts: int) -> discord.Embed:
    """What was found (one line a release) and what is chosen: one release's vocal tracks and cover,
    or every part of the drama (read on Add)."""
    title = chosen.title if chosen is not None else t("fetch.preview.all_chosen", lang, drama=drama)
    embed = discord.Embed(title=safe(t("fetch.preview.title", lang, title=title), 256), colour=COLOUR,
                          url=chosen.url if chosen is not None else None)
    lines = [t("fetch.preview.found", lang, query=safe(query, 100)),
             *(_release_line(n, r, lang) for n, r in enumerate(found, start=1))]
    embed.description = clip("\n".join(lines), 4096)
    if chosen is None:
        embed.add_field(name=safe(title, 256), inline=False,
                        value=t("fetch.preview.all_parts", lang, drama=safe(drama, 100), parts=parts))
    else:
        vocal = vocal_tracks(chosen)
        shown = [_track_line(n, x, lang) for n, x in enumerate(vocal[:TRACKS_SHOWN], start=1)]
        if len(vocal) > TRACKS_SHOWN:
            shown.append(t("fetch.preview.more", lang, count=len(vocal) - TRACKS_SHOWN))
        if instrumentals := len(chosen.tracks) - len(vocal):
            shown.append(t("fetch.preview.instrumentals", lang, count=instrumentals))
        embed.add_field(name=safe(t("fetch.preview.chosen", lang, title=chosen.title, count=len(vocal)), 256),
                        value=clip("\n".join(shown) or t("fetch.preview.none", lang), 1024), inline=False)
        if chosen.cover_url:
            embed.set_thumbnail(url=chosen.cover_url)
    embed.set_footer(text=t("fetch.preview.footer", lang))
    return embed


def preview_view(token: str, found: Sequence[ReleaseSummary], chosen: str, drama: str, lang: str, *,
                 disabled: bool = False) -> discord.ui.View:
    """The select (each release, then every part of the drama; `chosen` is a release MBID or ALL_PARTS)
    and the Add and Cancel buttons."""
    view = discord.ui.View(timeout=None)
    options = [discord.SelectOption(label=safe(r.title, 100) or r.mbid, value=r.mbid, default=r.mbid == chosen,
                                    description=t("fetch.preview.option", lang, date=r.date or "—",
                                                  tracks=r.track_count, singers=", ".join(r.singers))[:100])
               for r in list(dict.fromkeys(found))[:24]]
    options.append(discord.SelectOption(label=t("fetch.preview.option_all", lang, drama=drama)[:100], value=ALL_PARTS,
                                        description=t("fetch.preview.option_all_hint", lang)[:100],
                                        default=chosen == ALL_PARTS))
    pick = FetchPick(token)
    pick.item.options = options
    pick.item.placeholder = t("fetch.preview.placeholder", lang)[:150]
    pick.item.disabled = disabled
    view.add_item(pick)
    for action, style in (("add", discord.ButtonStyle.success), ("cancel", discord.ButtonStyle.secondary)):
        button = FetchButton(action, token, t(f"fetch.{action}", lang), style)
        button.item.disabled = disabled
        view.add_item(button)
    return view


class FetchPick(discord.ui.DynamicItem[discord.ui.Select], template=PICK_TEMPLATE):
    def __init__(self, token: str) -> None:
        super().__init__(discord.ui.Select(custom_id=f"fetch:pick:{token}", options=[discord.SelectOption(label="-")]))
        self.token = token

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> FetchPick:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        values = data_field(interaction, "values")
        first = values[0] if isinstance(values, list) and values else ""
        await hand_over(interaction, FETCH_COG,
                        lambda cog: cog.fetch_clicked(interaction, "pick", self.token, str(first)))


class FetchButton(discord.ui.DynamicItem[discord.ui.Button], template=BUTTON_TEMPLATE):
    def __init__(self, action: str, token: str, label: str = "…",
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"fetch:{action}:{token}"))
        self.action = action
        self.token = token

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> FetchButton:
        return cls(match["action"], match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await hand_over(interaction, FETCH_COG, lambda cog: cog.fetch_clicked(interaction, self.action, self.token, ""))


# -- the report --------------------------------------------------------------------------------------

Escape = Callable[[str, int], str]


def _plain(text: str, limit: int) -> str:
    """Text for a terminal: clipped, not escaped for Discord."""
    return clip(text, limit)


def _song(song: StoredSong, lang: str, escape: Escape) -> str:
    return escape(f"{localized_name(song.title, song.hangul, lang)} ({song.drama})", 150)


def left_out_line(item: LeftOut, lang: str, escape: Escape = safe) -> str:
    params = dict(item.params)
    if item.problem is not None:
        params["problem"] = problem_line(item.problem, lang, with_line=False)
    return t("fetch.done.left_line", lang, title=escape(item.title, 100), reason=t(item.reason, lang, **params))


def _listed(head: str, lines: Sequence[str], lang: str) -> list[str]:
    out = [head, *("• " + line for line in lines[:LINES_SHOWN])]
    if len(lines) > LINES_SHOWN:
        out.append(t("fetch.done.more", lang, count=len(lines) - LINES_SHOWN))
    return out


def report_lines(result: FetchResult, lang: str, *, shared: bool, terminal: bool = False,
                 preview: bool = False) -> list[str]:
    """What was added, what was already there (linked), what was left out and why: plain lines,
    for the reply (an embed's description) or, `terminal`, for the command line (not escaped);
    `preview`: what a fetch would do (the command line's dry run)."""
    escape: Escape = _plain if terminal else safe
    done = "fetch.would." if preview else "fetch.done."
    where = t("fetch.where.shared" if shared else "fetch.where.server", lang)
    added = [_song(s, lang, escape) for s in result.added]
    lines = (_listed(t(done + "added", lang, count=len(added), where=where), added, lang) if added
             else [t(done + "none_added", lang, where=where)])
    if result.linked:
        lines += _listed(t(done + "linked", lang, count=len(result.linked)),
                         [_song(s, lang, escape) for s in result.linked], lang)
    if result.left_out:
        lines += _listed(t("fetch.done.left", lang, count=len(result.left_out)),
                         [left_out_line(x, lang, escape) for x in result.left_out], lang)
    if result.capped:
        lines.append(t("fetch.done.capped", lang, limit=MAX_SONGS))
    if result.new_dramas or result.new_singers:
        dramas = t("fetch.done.new_drama", lang, name=escape(", ".join(result.new_dramas), 200)) \
            if result.new_dramas else ""
        singers = t("fetch.done.new_singers", lang, names=escape(", ".join(result.new_singers), 400)) \
            if result.new_singers else ""
        lines.append(t("fetch.done.new", lang, what=" ".join(part for part in (dramas, singers) if part)))
    return lines


def report_embed(result: FetchResult, releases: Sequence[Release], lang: str) -> discord.Embed:
    titles = ", ".join(r.title for r in releases)
    embed = discord.Embed(title=safe(t("fetch.done.title", lang, releases=titles), 256), colour=COLOUR,
                          description=clip("\n".join(report_lines(result, lang, shared=False)), 4096))
    if releases and releases[0].cover_url:
        embed.set_thumbnail(url=releases[0].cover_url)
    return embed
