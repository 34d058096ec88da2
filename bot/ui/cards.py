"""Cards: the embeds and components for songs, dramas and artists.

Presentation only. Buttons that do something are plain components whose custom_id follows a
template below; the cogs register `DynamicItem`s on the same templates, so a card's buttons keep
working after a restart. Link buttons (YouTube, Spotify) need no handler at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from urllib.parse import quote, quote_plus

import discord

from ..catalog.models import MUSICBRAINZ_SITE, Actor, Artist, Drama, Song
from ..catalog.search import Label
from ..catalog.text import clip
from ..i18n import t
from .text import localized_name, safe, source_credit, tag_name

COLOUR = discord.Colour(0xE91E63)
DRAMA_PAGE_SIZE = 10
ARTIST_SONG_LINES = 20
CUSTOM_ID_MAX = 100

# custom_id templates, shared with the DynamicItems in the cogs.
DRAMA_TEMPLATE = r"ost:drama:(?P<drama>\d+):(?P<page>\d+)"
MORE_TEMPLATE = r"ost:more:(?P<drama>\d+)"
PICK_TEMPLATE = r"ost:pick(?::songs)?"   # "ost:pick:songs": the song menu under a drama/artist card
RANDOM_TEMPLATE = r"ost:rnd:(?P<drama>\d*):(?P<artist>\d*):(?P<ballads>[01]):(?P<mood>.*)"


def drama_custom_id(drama_id: int, page: int = 0) -> str:
    return f"ost:drama:{drama_id}:{page}"


def random_custom_id(drama_id: int | None, artist_id: int | None, ballads_only: bool, mood: str | None) -> str | None:
    """The "Another" button's id carrying the filters; None when it would not fit in 100 chars."""
    custom_id = f"ost:rnd:{drama_id or ''}:{artist_id or ''}:{int(ballads_only)}:{mood or ''}"
    return custom_id if len(custom_id) <= CUSTOM_ID_MAX else None


# -- names -----------------------------------------------------------------------------------

def drama_title(drama: Drama, lang: str) -> str:
    """The drama's name with its other name: "Goblin (도깨비)" / "도깨비 (Goblin)"."""
    if drama.hangul and drama.hangul != drama.name:
        return f"{drama.hangul} ({drama.name})" if lang == "ko" else f"{drama.name} ({drama.hangul})"
    if drama.alt_names:
        return f"{drama.name} ({drama.alt_names[0]})"
    return drama.name


def label_text(label: Label, lang: str) -> str:
    """One autocomplete choice or select option, at most 100 characters:
    "🎵 Orbit — Hwasa · The King: Eternal Monarch", "📺 Goblin · 2 songs", "🎤 Gummy · 1 song"."""
    name = localized_name(label.name, label.hangul, lang)
    if label.kind == "song":
        drama = localized_name(label.drama, label.drama_hangul, lang) if label.drama else ""
        artists = (label.artists_ko or label.artists) if lang == "ko" else label.artists
        text = f"🎵 {name}" + (f" — {artists}" if artists else "") + (f" · {drama}" if drama else "")
    elif label.kind == "actor":
        text = f"🎭 {name} · {drama_count(label.song_count, lang)}"
    else:
        icon = "📺" if label.kind == "drama" else "🎤"
        text = f"{icon} {name} · {song_count(label.song_count, lang)}"
    return clip(" ".join(text.split()), 100)


def song_count(count: int, lang: str) -> str:
    return t("ost.count.one" if count == 1 else "ost.count.many", lang, count=count)


def drama_count(count: int, lang: str) -> str:
    return t("ost.count.drama_one" if count == 1 else "ost.count.drama_many", lang, count=count)


def ko_name(name: str, hangul: str | None, lang: str) -> str:
    """A name mentioned in passing (a group, a co-star): the Hangul form alone for Korean readers."""
    return hangul if lang == "ko" and hangul else name


def actor_name(drama: Drama, name: str, lang: str) -> str:
    """One of a drama's lead actors: "현빈 (Hyun Bin)" for Korean readers when the catalog knows them."""
    actor = drama.actor(name)
    return localized_name(actor.name, actor.hangul, lang) if actor else name


def credit_line(song: Song, lang: str) -> str:
    """"Chanyeol (EXO) & Punch", Hangul names first for Korean readers."""
    labels = []
    for credit in song.credits:
        if lang == "ko" and credit.hangul and credit.hangul != credit.name:
            # "찬열 (Chanyeol, 엑소)" rather than two pairs of brackets; groups by their Hangul names
            labels.append(f"{credit.hangul} ({', '.join((credit.name, *(credit.groups_ko or credit.groups)))})")
        elif lang == "ko" and credit.groups:
            labels.append(f"{credit.name} ({', '.join(credit.groups_ko or credit.groups)})")
        else:
            labels.append(f"{credit.name} ({', '.join(credit.groups)})" if credit.groups else credit.name)
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " & " + labels[-1]


def search_terms(song: Song) -> str:
    """"Hwasa Orbit": what the link buttons search for."""
    return " ".join(part for part in (" ".join(c.name for c in song.credits), song.title) if part)


def source_footer(sources: Iterable, lang: str) -> str:
    credits = [source_credit(s, lang) for s in sources]
    if not credits:
        return ""
    return clip(t("ost.card.source", lang, sources="; ".join(credits)), 2048)


# -- embeds ----------------------------------------------------------------------------------

def song_embed(song: Song, lang: str) -> discord.Embed:
    """A song card: title, artists with groups, drama with its other name, date, description,
    style tags, and the source article(s) in the footer."""
    embed = discord.Embed(title=safe("🎵 " + localized_name(song.title, song.hangul, lang), 256),
                          description=safe(song.description_in(lang), 4096) or None, colour=COLOUR)
    if song.credits:
        embed.add_field(name=t("ost.card.artists", lang), value=safe(credit_line(song, lang), 1024), inline=True)
    embed.add_field(name=t("ost.card.drama", lang), value=safe(drama_title(song.drama, lang), 1024), inline=True)
    if song.when:
        embed.add_field(name=t("ost.card.released", lang), value=safe(song.when, 100), inline=True)
    if song.episode:
        embed.add_field(name=t("ost.card.episode", lang), value=str(song.episode), inline=True)
    if song.tags:
        embed.add_field(name=t("ost.card.tags", lang), value=safe(" · ".join(tag_name(tag, lang) for tag in song.tags),
                                                                  1024), inline=False)
    if links := musicbrainz_links(song, lang):
        embed.add_field(name=t("fetch.card.source", lang), value=links, inline=False)
    if song.cover_url:
        embed.set_thumbnail(url=song.cover_url)
    footer = source_footer(song.sources, lang)
    if footer:
        embed.set_footer(text=footer)
    return embed


def musicbrainz_links(song: Song, lang: str) -> str:
    """"[release title](url) · [recording](url)": the MusicBrainz pages a fetched song cites."""
    links = [f"[{safe(s.title, 80) or t('fetch.card.release', lang)}]({s.url})" for s in song.sources
             if s.url and s.url.startswith(MUSICBRAINZ_SITE)][:3]
    if song.recording_url:
        links.append(f"[{t('fetch.card.recording', lang)}]({song.recording_url})")
    return clip(" · ".join(links), 1024) if links else ""


def drama_pages(song_count: int) -> int:
    return max(1, math.ceil(song_count / DRAMA_PAGE_SIZE))


def drama_embed(drama: Drama, songs: Sequence[Song], lang: str, page: int = 0) -> discord.Embed:
    """A drama card: its OSTs with artists (10 a page), year and lead actors when known."""
    pages = drama_pages(len(songs))
    page = min(max(page, 0), pages - 1)
    shown = songs[page * DRAMA_PAGE_SIZE:(page + 1) * DRAMA_PAGE_SIZE]
    lines = [f"**{page * DRAMA_PAGE_SIZE + i}.** {safe(localized_name(s.title, s.hangul, lang), 120)} — "
             f"{safe(credit_line(s, lang), 200)}" for i, s in enumerate(shown, start=1)]
    description = "\n".join(lines) if lines else t("ost.card.no_songs", lang)
    embed = discord.Embed(title=safe("📺 " + drama_title(drama, lang), 256), description=clip(description, 4096),
                          colour=COLOUR)
    if drama.year:
        embed.add_field(name=t("ost.card.year", lang), value=str(drama.year), inline=True)
    if drama.network:
        embed.add_field(name=t("ost.card.network", lang), value=safe(drama.network, 100), inline=True)
    if drama.lead_actors:
        embed.add_field(name=t("ost.card.lead_actors", lang),
                        value=safe(", ".join(actor_name(drama, name, lang) for name in drama.lead_actors), 1024),
                        inline=False)
    others = [n for n in drama.alt_names if n != drama.name]
    if others:
        embed.add_field(name=t("ost.card.also_known_as", lang), value=safe(", ".join(others), 1024), inline=False)
    if drama.cover_url:
        embed.set_thumbnail(url=drama.cover_url)
    footer = [t("ost.card.page", lang, page=page + 1, pages=pages)] if pages > 1 else []
    if drama.sources:
        footer.append(source_footer(drama.sources, lang))
    if footer:
        embed.set_footer(text=clip(" · ".join(footer), 2048))
    return embed


def _member_singer(artist: Artist, song: Song, lang: str) -> str:
    """Who of a group's members sings a song the group itself does not: the member's own name."""
    credit = next((c for c in song.credits if c.name in artist.members), song.credits[0] if song.credits else None)
    return ko_name(credit.name, credit.hangul, lang) if credit else ""


def artist_song_lines(artist: Artist, songs: Sequence[Song], lang: str) -> list[str]:
    """The artist's own songs, then (for a group) its members' songs under the member's name:
    a member's solo is not the group's."""
    own = [s for s in songs if any(c.artist_id == artist.id for c in s.credits)]
    own_ids = {s.id for s in own}
    members = [s for s in songs if s.id not in own_ids]

    def line(song: Song, singer: str = "") -> str:
        by = f"{safe(singer, 120)}: " if singer else ""
        return (f"• {by}{safe(localized_name(song.title, song.hangul, lang), 120)} — "
                f"{safe(localized_name(song.drama.name, song.drama.hangul, lang), 120)}")

    lines = [line(s) for s in own[:ARTIST_SONG_LINES]]
    room = ARTIST_SONG_LINES - len(lines)
    if members and room > 0:
        lines += [*([""] if lines else []), f"**{t('ost.card.member_songs', lang)}**"]
        lines += [line(s, _member_singer(artist, s, lang)) for s in members[:room]]
    if len(songs) > ARTIST_SONG_LINES:
        lines.append(t("ost.card.more_songs", lang, count=len(songs) - ARTIST_SONG_LINES))
    return lines


def artist_embed(artist: Artist, songs: Sequence[Song], lang: str) -> discord.Embed:
    """An artist card: their songs with dramas, and their groups or members."""
    lines = artist_song_lines(artist, songs, lang)
    description = "\n".join(lines) if lines else t("ost.card.no_songs", lang)
    name = localized_name(artist.name, artist.hangul, lang)
    if lang != "ko" and artist.hangul:
        name = f"{artist.name} ({artist.hangul})"
    embed = discord.Embed(title=safe("🎤 " + name, 256), description=clip(description, 4096), colour=COLOUR)
    def related(names: Sequence[str]) -> str:
        return safe(", ".join(ko_name(n, artist.related_hangul.get(n), lang) for n in names), 1024)

    if artist.groups:
        embed.add_field(name=t("ost.card.groups", lang), value=related(artist.groups), inline=True)
    if artist.members:
        embed.add_field(name=t("ost.card.members", lang), value=related(artist.members), inline=True)
    others = [n for n in artist.alt_names if n != artist.name]
    if others:
        embed.add_field(name=t("ost.card.also_known_as", lang), value=safe(", ".join(others), 1024), inline=False)
    footer = source_footer(artist.sources, lang)
    if footer:
        embed.set_footer(text=footer)
    return embed


def actor_embed(actor: Actor, dramas: Sequence[tuple[Drama, Sequence[Song]]], lang: str) -> discord.Embed:
    """An actor card: the catalog's dramas they lead, each with its OSTs."""
    name = localized_name(actor.name, actor.hangul, lang)
    if lang != "ko" and actor.hangul:
        name = f"{actor.name} ({actor.hangul})"
    embed = discord.Embed(title=safe("🎭 " + name, 256), colour=COLOUR,
                          description=t("ost.card.actor_leads", lang) if dramas else t("ost.card.no_dramas", lang))
    for drama, songs in dramas[:25]:
        lines = [f"• {safe(localized_name(s.title, s.hangul, lang), 120)} — {safe(credit_line(s, lang), 200)}"
                 for s in songs[:ARTIST_SONG_LINES]]
        if len(songs) > ARTIST_SONG_LINES:
            lines.append(t("ost.card.more_songs", lang, count=len(songs) - ARTIST_SONG_LINES))
        embed.add_field(name=safe("📺 " + drama_title(drama, lang), 256),
                        value=clip("\n".join(lines), 1024) or t("ost.card.no_songs", lang), inline=False)
    others = [n for n in actor.alt_names if n != actor.name]
    if others:
        embed.add_field(name=t("ost.card.also_known_as", lang), value=safe(", ".join(others), 1024), inline=False)
    return embed


# -- components ------------------------------------------------------------------------------

def song_link_buttons(song: Song, lang: str = "en") -> list[discord.ui.Button]:
    """Link buttons opening a YouTube search and a Spotify search for "artist title"."""
    terms = search_terms(song)
    youtube = "https://www.youtube.com/results?search_query=" + quote_plus(terms)
    # Spotify takes the query as a path segment, where "+" would stay a literal plus.
    spotify = "https://open.spotify.com/search/" + quote(terms, safe="")
    return [
        discord.ui.Button(style=discord.ButtonStyle.link, label=t("ost.card.youtube", lang), url=youtube, emoji="▶️"),
        discord.ui.Button(style=discord.ButtonStyle.link, label=t("ost.card.spotify", lang), url=spotify, emoji="🎧"),
    ]


def more_from_button(drama: Drama, lang: str) -> discord.ui.Button:
    label = clip(t("ost.card.more_from", lang, drama=localized_name(drama.name, drama.hangul, lang)), 80)
    return discord.ui.Button(style=discord.ButtonStyle.secondary, label=label, emoji="📺",
                             custom_id=f"ost:more:{drama.id}")


def song_view(song: Song, lang: str, *, more_from: bool = True,
              extra: Sequence[discord.ui.Item] = ()) -> discord.ui.View:
    """The components under a song card: links, "More from <drama>", and any extra items."""
    view = discord.ui.View(timeout=None)
    for button in song_link_buttons(song, lang):
        view.add_item(button)
    if more_from:
        view.add_item(more_from_button(song.drama, lang))
    for item in extra:
        view.add_item(item)
    return view


def pager_view(drama_id: int, page: int, pages: int, lang: str) -> discord.ui.View | None:
    """Previous/Next buttons for a drama card with more than one page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    if page > 0:
        view.add_item(discord.ui.Button(label=t("ost.card.previous", lang), emoji="◀️",
                                        custom_id=drama_custom_id(drama_id, page - 1)))
    view.add_item(discord.ui.Button(label=t("ost.card.page", lang, page=page + 1, pages=pages),
                                    custom_id=f"ost:noop:{drama_id}", disabled=True))
    if page < pages - 1:
        view.add_item(discord.ui.Button(label=t("ost.card.next", lang), emoji="▶️",
                                        custom_id=drama_custom_id(drama_id, page + 1)))
    return view


def song_option(song: Song, lang: str) -> tuple[str, str, str | None]:
    """One song in a select menu, with the same name forms as the card above it."""
    return (f"song:{song.id}", f"🎵 {localized_name(song.title, song.hangul, lang)} — {credit_line(song, lang)}",
            localized_name(song.drama.name, song.drama.hangul, lang))


def songs_select(songs: Sequence[Song], lang: str) -> discord.ui.Select | None:
    """"Open one of these songs" under a drama, artist or actor card (the first 25 songs)."""
    if not songs:
        return None
    select = candidates_select([song_option(s, lang) for s in songs], lang, custom_id="ost:pick:songs")
    select.placeholder = clip(t("ost.recommend.pick", lang), 150)
    return select


def candidates_select(options: Sequence[tuple[str, str, str | None]], lang: str,
                      custom_id: str = "ost:pick") -> discord.ui.Select:
    """A select of other candidates; options are (value like "song:12", label, description)."""
    select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
        custom_id=custom_id, placeholder=clip(t("ost.card.other_matches", lang), 150), min_values=1, max_values=1)
    for value, label, description in options[:25]:
        select.add_option(label=clip(label, 100), value=value[:100],
                          description=clip(description, 100) if description else None)
    return select
