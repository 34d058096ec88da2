"""The playground's chat lines: say (with @bot), dm and menu "Find OST" N, parsed and run on SimCord."""

from __future__ import annotations

import pytest

from bot.playground import parsing
from tests.playground.test_session import out, session, taken  # noqa: F401 (fixtures)


def test_at_bot_becomes_a_mention_and_nothing_else_does():
    assert parsing.with_bot_mentions("@bot goblin", 42) == "<@42> goblin"
    assert parsing.with_bot_mentions("hey @Bot, 도깨비 OST", 42) == "hey <@42>, 도깨비 OST"
    assert parsing.with_bot_mentions("me@bot.com @botany", 42) == "me@bot.com @botany"


@pytest.mark.parametrize(("line", "menu"), [
    ('"Find OST" 1', ("Find OST", 1)), ("“OST 찾기” 2", ("OST 찾기", 2)), ("Pin 3", ("Pin", 3)),
])
def test_menu_lines(line, menu):
    assert parsing.parse_menu(line) == menu


@pytest.mark.parametrize("line", ['"Find OST"', '"Find OST" 0', "", '"Find OST" two'])
def test_bad_menu_lines_say_how(line):
    with pytest.raises(parsing.ParseError, match="usage"):
        parsing.parse_menu(line)


async def test_say_with_and_without_the_bot(session, out):  # noqa: F811
    await session.handle("say I cried at Stay with Me")
    plain = taken(out)
    assert "I cried at Stay with Me" in plain and "--- OST Ballad Bot ---" not in plain
    await session.handle("say @bot 도깨비 OST")
    text = taken(out)
    assert "--- OST Ballad Bot ---" in text and "도깨비 (Goblin)" in text


async def test_dm_shows_the_answer(session, out):  # noqa: F811
    await session.handle("dm who sang stay with me")
    text = taken(out)
    assert "--- OST Ballad Bot ---" in text and "Stay with Me" in text
    await session.handle("dm")
    assert "usage: dm TEXT" in taken(out)


async def test_find_ost_on_the_latest_messages(session, out):  # noqa: F811
    await session.handle("say I cried at Stay with Me")
    await session.handle("say and Orbit too")
    taken(out)
    await session.handle('menu "Find OST" 2')
    text = taken(out)
    assert "Stay with Me" in text and "Orbit" not in text.split("Stay with Me", 1)[0][-200:]
    await session.handle('menu "Find OST" 1')
    assert "Orbit" in taken(out)
    await session.handle('menu "Find OST" 99')
    assert "there are only" in taken(out)
