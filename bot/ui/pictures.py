"""The quiz's pictures in Discord: the plain data `bot.pictures` draws from (names as the bot knows
them, never mentions), and the attachment an embed shows as its image (`attachment://<name>`).

A name comes from the bot's member cache (the member's display name in the server), else the names
the quiz cog saw on interactions (`NameBook`), else the user cache (their global display name);
nothing is fetched from Discord. A member the bot does not know gets an empty name, which the picture
shows as "Member 1234" (the id's last digits).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import discord

from ..pictures import Entry, Leaderboard, Standings, Stats, Team, TopicLine, filename
from ..pictures.models import Picture
from ..pictures.names import NameBook
from ..quiz.session import Player, QuizSession

MEASURES = {"points": "points", "wins": "wins", "correct": "correct"}
WEEKS = 8   # the stats picture's chart: points per week over the last eight weeks


class Names:
    """Where a picture's names come from: a server's member cache, the names seen, the user cache."""

    def __init__(self, guild: discord.Guild | None, client: discord.Client, book: NameBook) -> None:
        self.guild, self.client, self.book = guild, client, book

    def __call__(self, user_id: int) -> str:
        member = self.guild.get_member(user_id) if self.guild is not None else None
        if member is not None:
            return member.display_name
        if self.guild is not None and (seen := self.book.get(self.guild.id, user_id)) is not None:
            return seen
        user = self.client.get_user(user_id)
        return user.display_name if user is not None else ""


def note(book: NameBook, interaction: discord.Interaction) -> None:
    """Remember the display name of the member behind `interaction` in its server."""
    if interaction.guild_id is not None:
        book.saw(interaction.guild_id, interaction.user.id, interaction.user.display_name)


def leaderboard_data(guild: discord.Guild, names: Names, rows: Sequence[Any], *, lang: str, period: str,
                     rank_by: str, caller_id: int) -> Leaderboard:
    def entry(row: Any) -> Entry:
        value = {"points": row.points, "wins": row.wins, "correct": row.correct}[rank_by]
        return Entry(row.rank, names(row.user_id), row.user_id, value, games=row.games,
                     correct=row.correct, answered=row.answered)

    top = tuple(entry(r) for r in rows if r.rank <= 10)
    mine = next((entry(r) for r in rows if r.user_id == caller_id and r.rank > 10), None)
    return Leaderboard(guild.name, lang, period, MEASURES[rank_by], top, mine)


def stats_data(guild: discord.Guild, member: discord.abc.User, stats: Any, weeks: Iterable[int], *,
               lang: str) -> Stats:
    topics = tuple(TopicLine(a.topic, a.answered, a.correct) for a in stats.by_topic)
    return Stats(guild.name, lang, member.display_name, member.id, stats.games, stats.answered, stats.correct,
                 stats.best_streak, stats.points, stats.wins, topics, tuple(weeks))


def _entry(names: Names, rank: int, player: Player, elimination: bool) -> Entry:
    return Entry(rank, names(player.user_id), player.user_id, player.points,
                 correct=player.correct, answered=player.answered, lives=player.lives if elimination else None)


def standings_data(names: Names, session: QuizSession, *, lang: str) -> Standings | None:
    """The final standings' picture data; None when nobody played (the text says so alone)."""
    elimination = session.style == "elimination"
    players = tuple(_entry(names, rank, p, elimination) for rank, p in enumerate(session.standings(), 1))
    if not players:
        return None
    teams: tuple[Team, ...] = ()
    if session.style == "teams":
        teams = tuple(Team(s.team, s.points, s.correct,
                           tuple(_entry(names, rank, p, False) for rank, p in enumerate(s.members, 1)))
                      for s in session.team_standings())
    server = names.guild.name if names.guild is not None else ""
    return Standings(server, lang, session.style, players, teams)


def attachment(embed: discord.Embed, data: Picture, png: bytes) -> discord.File:
    """The picture as a file to send with `embed`, which shows it as its image. A new File each time:
    a File is read once as it is sent, so a retried send needs its own."""
    name = filename(data)
    embed.set_image(url=f"attachment://{name}")
    return discord.File(io.BytesIO(png), filename=name, description=embed.title)
