"""bot.playground.session: the playground session on SimCord, driven one typed line at a time."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import discord
import pytest

from bot.playground import parsing
from bot.playground.render import PlainOutput
from bot.playground.session import Playground, modal_fields


def test_modal_fields_are_found_in_rows_and_labels():
    modal = {"title": "Your answer", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "Answer"}]},
        {"type": 18, "label": "Note", "component": {"type": 4, "custom_id": "b", "required": False}}]}
    assert [(f["custom_id"], f["label"]) for f in modal_fields(modal)] == [("a", "Answer"), ("b", "Note")]


@pytest.fixture
def out():
    return io.StringIO()


@pytest.fixture
async def session(simcord_env, out):
    playground = Playground(simcord_env, PlainOutput(out))
    await playground.start()
    return playground


def taken(out: io.StringIO) -> str:
    """What the session printed since the last call; never an unexpected bot error."""
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    assert "! the bot raised" not in text
    return text


async def test_ost_shows_the_drama_card(session, out):
    assert await session.handle("/ost query: goblin") is True
    text = taken(out)
    assert "--- OST Ballad Bot ---" in text
    assert "Goblin (도깨비)" in text and "Stay with Me" in text and "I Will Go to You Like the First Snow" in text


async def test_the_command_table_is_the_bots_own(session, out):
    commands = session.commands()
    names = {" ".join(path) for path, _ in parsing.leaves(commands)}
    assert {c.qualified_name for c in session.env.bot.tree.walk_commands()
            if not isinstance(c, discord.app_commands.Group)} == names
    await session.handle("/does-not-exist")
    text = taken(out)
    assert "! there is no command /does-not-exist" in text and "/ost query: text" in text


async def test_autocomplete_suggestions(session, out):
    await session.handle("complete /ost query: gob")
    text = taken(out)
    assert text.startswith("suggestions for query:") and "Goblin" in text


async def test_random_and_its_another_button(session, out):
    await session.handle("/random drama: Goblin")
    first = taken(out)
    assert "Drama:" in first and "Goblin" in first and "Another]" in first
    await session.handle("click Another")
    second = taken(out)
    assert second.startswith("--- OST Ballad Bot ---") and "Another]" in second
    await session.handle("click 99")
    assert "! no button '99'" in taken(out)


async def test_members_switch_and_only_you_has_manage_server(session, out):
    env = session.env
    await session.handle("as alice")
    assert "alice joined the server." in taken(out)
    assert session.current.name == "alice"
    # /config needs Manage Server: alice's client would not even offer it.
    await session.handle("/config show")
    assert "! Discord would not allow that" in taken(out)
    await session.handle("as you")
    await session.handle("/config language language: ko")
    assert (await env.bot.store.guilds.get(session.guild.id)).language == "ko"
    taken(out)
    await session.handle("as Bad Name!")
    assert "! a member name is" in taken(out)


async def test_edits_are_shown_as_edits(session, out):
    await session.handle("/config reset-scores")
    prompt = taken(out)
    assert prompt.startswith("--- OST Ballad Bot ---") and "buttons: [1 " in prompt
    await session.handle("click Cancel")
    edited = taken(out)
    assert edited.startswith("--- OST Ballad Bot · edited ---") and "buttons:" not in edited


async def test_ephemeral_replies_say_who_sees_them(session, out):
    await session.handle("/ost query: qqqqzzzz")
    assert "--- OST Ballad Bot · only you see this ---" in taken(out)
    await session.handle("as alice")
    await session.handle("/ost query: qqqqzzzz")
    assert "--- OST Ballad Bot · only alice sees this ---" in taken(out)
    # alice cannot click what only you can see
    assert session.channel.history(viewer=session.current)[-1].flags.ephemeral


async def test_manual_time_moves_only_on_wait(session, out):
    start = session.env.now()
    await session.handle("/ost goblin")
    await session.handle("wait 20")
    assert "(20s later)" in taken(out)
    assert (session.env.now() - start).total_seconds() == pytest.approx(20)
    await session.handle("wait 2m")
    assert (session.env.now() - start).total_seconds() == pytest.approx(140)
    await session.handle("wait forever")
    assert "! usage: wait SECONDS" in taken(out)


async def test_real_time_follows_a_clock(simcord_env, out):
    wall = [100.0]
    playground = Playground(simcord_env, PlainOutput(out), real_clock=lambda: wall[0])
    await playground.start()
    start = simcord_env.now()
    wall[0] += 12.5
    await playground.tick()
    assert (simcord_env.now() - start).total_seconds() == pytest.approx(12.5)
    wall[0] += 3
    await playground.handle("wait 10")
    assert (simcord_env.now() - start).total_seconds() == pytest.approx(25.5)


async def test_a_quiz_round_ends_while_you_think(simcord_env, out):
    wall = [0.0]
    playground = Playground(simcord_env, PlainOutput(out), real_clock=lambda: wall[0])
    await playground.start()
    await playground.handle("/quiz start rounds: 1 seconds: 10 mode: buttons")
    assert "Round 1 of 1" in taken(out)
    wall[0] += 5
    await playground.tick()
    assert "· edited ---" not in taken(out)
    wall[0] += 6
    await playground.tick()
    assert "--- OST Ballad Bot · edited ---" in taken(out)


async def test_select_menus_pick_by_number(session, out):
    await session.handle("/ost query: love")
    menu = session._latest(lambda c: bool(c.selects), "a select menu")[1].selects[0]
    assert "menu: " in taken(out)
    await session.handle("select 1")
    chosen = menu.options[0].label.split(" — ")[0].lstrip("🎵📺🎤 ").strip()
    text = taken(out)
    assert "only you see this" in text and chosen in text
    await session.handle(f"select {len(menu.options) + 1}")
    assert f"! the menu has options 1 to {len(menu.options)}" in taken(out)


async def test_a_form_is_answered_on_the_next_line(session, out):
    await session.handle("/quiz start rounds: 1 seconds: 30 mode: typed")
    taken(out)
    await session.handle("click 1")
    assert "The bot opened a form" in taken(out)
    assert session.prompt.startswith("you [")
    await session.handle("cancel")
    assert "Form closed without sending." in taken(out) and session.prompt == "you> "
    await session.handle("click 1")
    taken(out)
    await session.handle("Stay with Me")
    assert "--- OST Ballad Bot · only you see this ---" in taken(out)
    assert session.modal is None


async def test_unknown_input_and_comments(session, out):
    assert await session.handle("# a comment") is True
    assert await session.handle("") is True
    assert taken(out) == ""
    await session.handle("dance")
    assert "! 'dance' is not something the playground knows. Type help." in taken(out)
    await session.handle("click 1")
    assert "! there is no message with buttons that you can see." in taken(out)
    await session.handle("help")
    assert "complete /ost query: gob" in taken(out)
    assert await session.handle("quit") is False


# -- Korean lines, saved files ------------------------------------------------------------------------

async def test_korean_lines_run_and_relative_times_follow_the_language(session, out):
    await session.handle("/config language language: ko")
    taken(out)
    await session.handle("/퀴즈 시작 라운드: 1 초: 15")
    text = taken(out)
    assert "15초 후" in text and "in 15 seconds" not in text
    await session.handle("wait 16")
    taken(out)


async def test_a_file_the_bot_sends_is_saved_and_imports_back(simcord_env, out, tmp_path):
    session = Playground(simcord_env, PlainOutput(out), files=tmp_path / "playground-files")
    await session.start()
    csv = tmp_path / "one.csv"
    csv.write_text("title,artists,drama\nSnowfall,Ailee,Goblin\n", encoding="utf-8")
    await session.handle(f"/catalog import file: {csv}")
    await session.handle("/catalog export")
    text = taken(out)
    found = re.search(r"\(saved as ([^)]+\.csv)\)", text)
    assert found, text
    saved = Path(found[1])
    assert saved.parent == tmp_path / "playground-files"
    assert "Snowfall" in await asyncio.to_thread(saved.read_text, encoding="utf-8")
    await session.handle("/catalog remove song: Snowfall")
    await session.handle(f"/catalog import file: {saved}")
    assert "1 new song," in taken(out)


async def test_the_quiz_pictures_are_saved_and_their_paths_printed(simcord_env, out, tmp_path):
    session = Playground(simcord_env, PlainOutput(out), files=tmp_path / "playground-files")
    await session.start()
    await session.handle("/quiz start rounds: 1 seconds: 10 mode: buttons")
    await session.handle("click 1")
    await session.handle("wait 11")
    await session.handle("/quiz leaderboard")
    await session.handle("/quiz stats")
    text = taken(out)
    saved = {Path(path).name: Path(path) for path in re.findall(r"\(saved as ([^)]+\.png)\)", text)}
    assert set(saved) == {"standings.png", "leaderboard.png", "stats.png"}, text
    for path in saved.values():
        assert path.parent == tmp_path / "playground-files"
        assert (await asyncio.to_thread(path.read_bytes)).startswith(b"\x89PNG\r\n\x1a\n")
