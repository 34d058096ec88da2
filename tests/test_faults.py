"""bot.faults: Discord's own faults told from bugs (behaviour through SimCord: tests/reliability/test_faults.py)."""

from __future__ import annotations

import logging

import discord
import pytest

from bot.faults import describe, fault_level, is_passing_fault


class Response:
    """What discord.HTTPException reads from the HTTP response it was given."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "reason"


def http_error(kind: type[discord.HTTPException], status: int, code: int = 0) -> discord.HTTPException:
    return kind(Response(status), {"code": code, "message": "injected"})


@pytest.mark.parametrize(("error", "passing", "level"), [
    (http_error(discord.DiscordServerError, 503), True, logging.WARNING),
    (http_error(discord.HTTPException, 429), True, logging.WARNING),
    (http_error(discord.NotFound, 404, 10062), False, logging.INFO),          # the interaction expired
    (http_error(discord.HTTPException, 400, 40060), False, logging.WARNING),  # answered already
    (http_error(discord.NotFound, 404, 10008), False, None),                  # unknown message: a bug here
    (http_error(discord.Forbidden, 403, 50013), False, None),
    (ValueError("a bug"), False, None),
])
def test_passing_faults_and_their_log_level(error, passing, level):
    assert is_passing_fault(error) is passing
    assert fault_level(error) == level


def test_describe_is_one_short_line():
    assert describe(http_error(discord.HTTPException, 400, 40060)) == "400 injected (code 40060)"
    long = discord.HTTPException(Response(500), "x" * 500)
    assert len(describe(long)) <= 200 and "\n" not in describe(long)
