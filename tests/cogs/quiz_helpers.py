"""Helpers shared by the quiz tests (/quiz, and the quiz parts of the reliability tests)."""

from __future__ import annotations


def quiz_cog(env):
    return env.bot.get_cog("Quiz")


def session_of(env, channel):
    """The quiz session running in `channel`, or None."""
    return quiz_cog(env).games.sessions.for_channel(channel.id)


def button_ids(message) -> list[str]:
    """Every button's custom_id on `message`, row by row."""
    return [child.custom_id for row in message.components for child in row.children]


def message_by_id(channel, message_id: int):
    return next(m for m in channel.history() if m.id == message_id)


async def rows(store, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in await store.fetch(sql, params)]


async def count(store, table: str) -> int:
    """How many rows `table` holds (through `Store.table_counts`)."""
    return (await store.table_counts())[table]


async def game_state(store, game_id: int) -> tuple[str, int]:
    """A game's (status, rounds played), as `store.quiz.game` reads it."""
    game = await store.quiz.game(game_id)
    assert game is not None
    return game.status, game.rounds_played


async def only_game(store, game_id: int) -> tuple[str, int]:
    """`game_state` of the one game the database holds."""
    assert await count(store, "quiz_games") == 1
    return await game_state(store, game_id)


async def player_totals(store, guild_id: int) -> dict[int, tuple[int, int, int]]:
    """Every player's (answers, correct answers, points) in the server, from the leaderboard; these are
    every answer stored (the helper checks the total against the table)."""
    board = await store.quiz.leaderboard(guild_id, limit=1000)
    assert sum(row.answered for row in board) == await count(store, "quiz_answers")
    return {row.user_id: (row.answered, row.correct, row.points) for row in board}
