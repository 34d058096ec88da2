"""Helpers shared by the admin tests (/config, /catalog, song of the day)."""

from __future__ import annotations

import discord


async def allow_command(env, guild, name: str, *targets) -> None:
    """What a server does in Integrations: let `targets` (roles, members) use a hidden command."""
    commands = await env.bot.tree.fetch_commands()
    command = next(c for c in commands if c.name == name)
    guild.set_command_permissions(command.id, dict.fromkeys(targets, True))


def set_role_permissions(env, guild, role, permissions: discord.Permissions) -> None:
    """Change a role's permissions as a server admin would (Discord announces the update)."""
    env.backend.edit_role(guild.id, role.id, {"permissions": permissions.value})


def reply(result):
    """What the member finally sees: the last follow-up, else the (possibly deferred) response."""
    followups = result.followups
    return followups[-1] if followups else result.response


async def record_score(store, guild_id: int, channel_id: int, user_id: int, points: int = 100) -> None:
    """One finished one-round quiz in which `user_id` answered right (through the quiz store API)."""
    import datetime as dt

    from bot.quiz.questions import Name, Question
    from bot.quiz.scoring import Points
    from bot.quiz.session import Answer, RoundResult

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    question = Question(key=f"q{guild_id}", kind="song_drama", options=(Name("Goblin"), Name("Other")), correct=0,
                        accepted=("goblin",))
    game = await store.quiz.create_game(guild_id=guild_id, channel_id=channel_id, started_by=user_id,
                                        mode="buttons", topic="any", rounds=1, seconds=20, now=now)
    answer = Answer(user_id=user_id, correct=True, elapsed=1.0, points=Points(points, 0, 0), streak=1, given="Goblin")
    await store.quiz.record_round(game, guild_id, channel_id, RoundResult(1, question, (answer,)), now,
                                  end_status="finished")
