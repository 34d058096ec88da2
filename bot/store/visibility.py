"""Which catalog rows a server sees: the SQL fragments every repository that reads songs, dramas or
artists shares. A server sees the shipped and imported catalog (guild_id NULL) plus its own additions,
minus the songs it hid; outside a server (`:guild` NULL) only the guild_id NULL rows."""

from __future__ import annotations

from .engine import Dialect

# `:guild` may be NULL: then `s.guild_id = NULL` is never true and nothing is hidden.
# The unary + keeps the planner off the songs_guild index here: look-ups are driven from the
# name and FTS indexes, and the visibility test is a cheap filter on the rows they find.
VISIBLE_SONG = ("(+s.guild_id IS NULL OR +s.guild_id = :guild) AND NOT EXISTS "
                "(SELECT 1 FROM hidden_songs h WHERE h.guild_id = :guild AND h.song_id = s.id)")
VISIBLE_ENTRY = "({alias}.guild_id IS NULL OR {alias}.guild_id = :guild)"


def artist_song_count(d: Dialect) -> str:
    """How many visible songs the artist `a` (or its members) sings on: a correlated sub-query."""
    return (f"(SELECT count(DISTINCT s.id) FROM songs s JOIN song_artists sa ON sa.song_id = s.id "
            f"WHERE sa.artist_id IN ({d.artist_family('a.id')}) AND {VISIBLE_SONG})")
