"""Quiz scores a server admin may wipe. The quiz tables are QuizRepo's (V2__quiz.sql); this reset
lives apart until the quiz store is rewritten, then belongs to QuizRepo."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connection import Store


class ScoresRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def clear(self, guild_id: int) -> int:
        """Forget every quiz answer (hence every score and leaderboard row) of one server only.

        Games and rounds stay, so question history is kept. Returns the number of answers removed.
        """
        async with self._store.transaction() as tx:
            return await tx.execute("DELETE FROM quiz_answers WHERE guild_id = ?", (guild_id,))
