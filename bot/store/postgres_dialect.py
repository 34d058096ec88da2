"""How the PostgreSQL engine spells what the engines spell differently (see `engine.Dialect`)."""

from __future__ import annotations

from collections.abc import Sequence

BATCH_IDS = "batch_ids"  # the name of a batch's ids (a CTE), see PostgresDialect.batch_ids


class PostgresDialect:
    name = "postgres"

    def ids(self, param: str) -> str:
        return f"SELECT ost_ids(:{param}) AS value"  # see migrations/postgres/V5__id_lists.sql

    def texts(self, param: str) -> str:
        return f"SELECT ost_texts(:{param}) AS value"  # see migrations/postgres/V12__song_cards_stale.sql

    def batch_ids(self) -> str:
        return f"SELECT {BATCH_IDS}.* FROM {BATCH_IDS}"

    def artist_family(self, start: str) -> str:
        return f"SELECT ost_artist_family({start})"  # see migrations/postgres/V5__id_lists.sql

    def concat_agg(self, expr: str, sep: str, order: str) -> str:
        return f"string_agg({expr}, {sep} ORDER BY {order})"

    def contains(self, haystack: str, needle: str) -> str:
        return f"strpos({haystack}, {needle}) > 0"

    def nocase(self, expr: str) -> str:
        return f"lower({expr})"

    # -- full-text search (tsvector, weighted like the FTS5 columns) --------------------------

    def search_delete(self, ids: str) -> str:
        return f"DELETE FROM song_search WHERE song_id IN ({ids})"

    def search_insert(self, ids: str, titles: str, artists: str, drama: str, tags: str) -> str:
        def part(expr: str, weight: str) -> str:
            return f"setweight(to_tsvector('simple', coalesce({expr}, '')), '{weight}')"

        document = " || ".join((part(titles, "A"), part(artists, "B"), part(drama, "B"), part(tags, "C"),
                                part("s.description", "D")))
        return f"INSERT INTO song_search (song_id, document) SELECT s.id, {document} FROM songs s WHERE s.id IN ({ids})"

    def search_query(self, visible: str) -> str:
        return ("SELECT s.id, s.title, ts_rank(ss.document, q.query) AS score FROM song_search ss "
                "JOIN songs s ON s.id = ss.song_id CROSS JOIN (SELECT to_tsquery('simple', :expr) AS query) q "
                f"WHERE ss.document @@ q.query AND {visible} ORDER BY score DESC, s.id LIMIT :limit")

    @staticmethod
    def search_expression(words: Sequence[str]) -> str:
        """Every word a quoted lexeme (no user text becomes query syntax), all required, the last a prefix."""
        quoted = ["'" + w.replace("\\", "").replace("'", "''") + "'" for w in words]
        quoted[-1] += ":*"
        return " & ".join(quoted)

    after_bulk_write = "ANALYZE"

    def lock(self, key: int) -> str | None:
        """Held until the transaction ends, by one transaction at a time across every process."""
        return f"SELECT pg_advisory_xact_lock({int(key)})"

    def notify(self, channel: str) -> str | None:
        """Sent to every listening process when the transaction commits (never if it rolls back)."""
        return f"SELECT pg_notify('{channel}', CAST(:payload AS TEXT))"
