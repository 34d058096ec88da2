"""The offline playground (`ostbot play`): parsing, rendering, the session on SimCord, a piped script."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import discord
import pytest

from bot.playground import parsing
from bot.playground.parsing import ParseError, Resolver, convert, focused_option, parse_slash
from bot.playground.render import Card, Names, PlainOutput, RichOutput, plain_text
from bot.playground.session import Playground, modal_fields

ROOT = Path(__file__).resolve().parents[1]

# A command table shaped like the payloads Discord receives, independent of the real cogs.
COMMANDS = {
    "ost": {"name": "ost", "options": [
        {"type": 3, "name": "query", "required": True, "autocomplete": True}]},
    "random": {"name": "random", "options": [
        {"type": 3, "name": "drama"}, {"type": 3, "name": "artist"}, {"type": 5, "name": "ballads_only"}]},
    "quiz": {"name": "quiz", "options": [
        {"type": 1, "name": "start", "options": [
            {"type": 4, "name": "rounds", "min_value": 1, "max_value": 20},
            {"type": 4, "name": "seconds", "min_value": 10, "max_value": 60},
            {"type": 3, "name": "mode", "choices": [{"name": "Buttons", "value": "buttons"},
                                                    {"name": "Typed", "value": "typed"}]}]},
        {"type": 1, "name": "stop"}]},
    "config": {"name": "config", "options": [
        {"type": 1, "name": "quiz", "options": [{"type": 7, "name": "channel"}]},
        {"type": 1, "name": "show"}]},
}


# -- parsing -----------------------------------------------------------------------------------


def test_named_options_and_values_with_spaces():
    call = parse_slash("/random drama: Descendants of the Sun artist: Gummy", COMMANDS)
    assert call.path == ("random",)
    assert call.raw == {"drama": "Descendants of the Sun", "artist": "Gummy"}


def test_a_bare_value_fills_the_only_or_first_required_option():
    assert parse_slash("/ost goblin", COMMANDS).raw == {"query": "goblin"}
    assert parse_slash("/ost   query: goblin  ", COMMANDS).raw == {"query": "goblin"}
    assert parse_slash("/random Goblin", COMMANDS).raw == {"drama": "Goblin"}


def test_subcommands_and_typed_values():
    call = parse_slash("/Quiz START rounds: 3 seconds:15 mode: typed", COMMANDS)
    assert call.path == ("quiz", "start") and call.name == "quiz start"
    assert convert(call, Resolver()) == {"rounds": 3, "seconds": 15, "mode": "typed"}
    assert convert(parse_slash("/quiz start mode: Buttons", COMMANDS), Resolver()) == {"mode": "buttons"}
    assert convert(parse_slash("/random ballads_only: no", COMMANDS), Resolver()) == {"ballads_only": False}


def test_colons_inside_a_value_stay_unless_they_name_an_option():
    assert parse_slash("/random drama: Re: Love", COMMANDS).raw == {"drama": "Re: Love"}
    quoted = parse_slash('/random drama: "the artist: x" artist: Ailee', COMMANDS)
    assert quoted.raw == {"drama": "the artist: x", "artist": "Ailee"}


@pytest.mark.parametrize(("line", "expected"), [
    ("/nope", ["there is no command /nope", "/ost query: text", "/quiz start [rounds: 1-20]"]),
    ("/quiz", ["/quiz needs a subcommand", "/quiz start", "/quiz stop"]),
    ("/quiz begin", ["/quiz has no subcommand 'begin'", "/quiz stop"]),
    ("/ost q: goblin", ["/ost has no option 'q'", "Usage: /ost query: text"]),
    ("/ost query:", ["query: needs a value"]),
    ("/random drama: a drama: b", ["drama: is given twice"]),
    ("/quiz stop now", ["/quiz stop takes no options"]),
])
def test_unknown_commands_and_options_list_what_exists(line, expected):
    with pytest.raises(ParseError) as caught:
        parse_slash(line, COMMANDS)
    for text in expected:
        assert text in str(caught.value)


@pytest.mark.parametrize(("line", "expected"), [
    ("/quiz start rounds: many", "rounds: 'many' is not a whole number"),
    ("/quiz start rounds: 3 secs: 15", "there is no option 'secs'"),
    ("/quiz start rounds: 50", "rounds: must be from 1 to 20, not 50"),
    ("/quiz start mode: shouting", "not one of the choices: Buttons, Typed"),
    ("/random ballads_only: maybe", "say true or false"),
    ("/config quiz channel: #nowhere", "there is no channel named 'nowhere'"),
])
def test_bad_values_are_explained(line, expected):
    with pytest.raises(ParseError, match=expected):
        convert(parse_slash(line, COMMANDS), Resolver())


def test_required_options_are_required_and_entities_resolve():
    with pytest.raises(ParseError, match="query: required"):
        convert(parsing.Invocation(("ost",), COMMANDS["ost"], {}), Resolver())

    class Channels(Resolver):
        def channel(self, name):
            return f"<channel {name}>"

    assert convert(parse_slash("/config quiz channel: #general", COMMANDS), Channels()) == {
        "channel": "<channel general>"}


def test_complete_focuses_the_option_with_suggestions():
    assert focused_option(parse_slash("/ost query: gob", COMMANDS)) == "query"
    with pytest.raises(ParseError, match="no option with suggestions"):
        focused_option(parse_slash("/random drama: x", COMMANDS))


# -- rendering ---------------------------------------------------------------------------------


class FixedNames(Names):
    def user(self, user_id):
        return {1: "alice"}.get(user_id, "?")

    def channel(self, channel_id):
        return "general"

    def now(self):
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_discord_markdown_becomes_plain_text():
    names = FixedNames()
    assert plain_text(r"**Goblin** \*not bold\* _Stay_ with `me`", names) == "Goblin *not bold* Stay with me"
    assert plain_text("<@1> in <#5>, ends <t:1767225615:R>", names) == "@alice in #general, ends in 15 seconds"
    assert plain_text("-# small\n> quoted\n- item", names) == "small\n│ quoted\n• item"
    assert plain_text("[YouTube](https://youtube.com/x) snake_case_name", names) == \
        "YouTube (https://youtube.com/x) snake_case_name"


def test_discord_markdown_bolds_before_a_korean_particle():
    """Discord bolds `**도깨비**의` (CommonMark would not: why render.py is not markdown-it-py), and has
    underline, strike and spoilers."""
    from bot.playground.render import discord_markdown

    [line] = discord_markdown("**도깨비**의 곡 __밑줄__ ~~취소~~ ||스포||", FixedNames())
    styled = [(s.text.strip(), set(s.styles)) for s in line if s.text.strip()]
    assert styled == [("도깨비", {"bold"}), ("의 곡", set()), ("밑줄", {"underline"}), ("취소", {"strike"}),
                      ("스포", {"spoiler"})]


def _card() -> Card:
    embed = discord.Embed(title="Goblin (도깨비)", description="**Two** songs", colour=0x3366FF)
    embed.add_field(name="Year", value="2016")
    embed.set_footer(text="Source: The Kraze")
    card = Card(id=1, status="edited", author="OST Ballad Bot", audience="only alice sees this",
                content="Here you go", embeds=[embed])
    from bot.playground.render import ButtonInfo, OptionInfo, SelectInfo

    card.buttons = [ButtonInfo(1, "Another", "x:1"), ButtonInfo(2, "Next", "x:2", disabled=True)]
    card.selects = [SelectInfo("pick", "string", "Other matches", (OptionInfo(1, "Stay With Me", "s1", "Goblin"),))]
    return card


def test_plain_card_shows_every_part_and_who_sees_it():
    stream = io.StringIO()
    PlainOutput(stream, FixedNames()).card(_card())
    assert stream.getvalue().splitlines() == [
        "--- OST Ballad Bot · edited · only alice sees this ---",
        "Here you go",
        "| Goblin (도깨비)",
        "| Two songs",
        "| Year:",
        "|   2016",
        "| -- Source: The Kraze",
        "buttons: [1 Another] [2 Next (disabled)]",
        "menu: Other matches (choose 1)",
        "  1. Stay With Me - Goblin",
    ]


def test_rich_card_renders_the_same_content():
    from rich.console import Console

    console = Console(record=True, width=100, force_terminal=True)
    RichOutput(console, FixedNames()).card(_card())
    text = console.export_text()
    for part in ("OST Ballad Bot · edited · only alice sees this", "Goblin (도깨비)", "Two songs", "Year",
                 "2016", "Source: The Kraze", "1 Another", "2 Next", "1. Stay With Me - Goblin"):
        assert part in text


def test_modal_fields_are_found_in_rows_and_labels():
    modal = {"title": "Your answer", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "Answer"}]},
        {"type": 18, "label": "Note", "component": {"type": 4, "custom_id": "b", "required": False}}]}
    assert [(f["custom_id"], f["label"]) for f in modal_fields(modal)] == [("a", "Answer"), ("b", "Note")]


# -- the session on SimCord --------------------------------------------------------------------


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
    assert "(20 s later)" in taken(out)
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


# -- the real command line, through a pipe -------------------------------------------------------


def _ostbot(args: list[str], script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    environment.update(env)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "bot", *args], input=script, capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=90, check=False)


def test_a_piped_script_drives_the_real_bot(tmp_path):
    database = tmp_path / "play.db"
    script = "\n".join([
        "/ost query: goblin",
        "/random drama: Descendants of the Sun",
        "click Another",
        "/quiz start rounds: 1 seconds: 15 mode: buttons",
        "click 1",
        "as bob",
        "click 2",
        "wait 16",
        "as you",
        "/config show",
        "quit",
        "/ost never reached",
    ]) + "\n"
    done = _ostbot(["play", "--database", str(database)], script, tmp_path)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "you> /ost query: goblin" in text
    assert "Goblin (도깨비)" in text and "Stay with Me" in text
    assert "Descendants of the Sun" in text
    assert text.count("Another]") >= 2
    assert "Round 1 of 1" in text
    assert "bob joined the server." in text and "bob> click 2" in text
    assert "· edited" in text  # the round message is edited when the answer is revealed
    assert "you> /config show" in text
    assert "never reached" not in text.split("you> quit")[1]
    assert database.is_file()


def test_start_without_a_token_says_so_in_one_line_then_plays(tmp_path):
    done = _ostbot(["start"], "/ost goblin\n", tmp_path)
    assert done.returncode == 0, done.stderr
    first, rest = done.stdout.split("\n", 1)
    assert first.startswith("No DISCORD_TOKEN is set") and "make run" in first
    assert "OST Ballad Bot playground" in rest and "Goblin (도깨비)" in rest
    # Its data go to their own file, next to the normal default (data/ost.db).
    assert (tmp_path / "data" / "playground.db").is_file()
    assert not (tmp_path / "data" / "ost.db").exists()


def test_run_without_a_token_still_exits_2(tmp_path):
    done = _ostbot(["run"], "", tmp_path)
    assert done.returncode == 2
    assert "No Discord bot token is configured" in done.stderr


# -- issue 16: data that last, Korean command names, saved files, seeded randomness ------------------

def test_korean_command_option_and_choice_names_parse():
    commands = COMMANDS
    started = parse_slash("/퀴즈 시작 라운드: 3 방식: 직접 입력", commands)
    assert started.path == ("quiz", "start") and started.raw == {"rounds": "3", "mode": "직접 입력"}
    assert convert(started, Resolver())["mode"] == "typed"
    assert parse_slash("/랜덤 가수: Ailee", commands).raw == {"artist": "Ailee"}


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


def _play(database: Path, script: str, cwd: Path, *extra: str) -> str:
    done = _ostbot(["play", "--database", str(database), *extra], script, cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_settings_scores_songs_and_members_last_across_sessions(tmp_path):
    database = tmp_path / "play.db"
    first = _play(database, "\n".join([
        "/config quiz rounds: 7",
        "/catalog add title: Snowfall artist: Ailee drama: Goblin",
        "as carol",
        "/quiz start rounds: 1 seconds: 15",
        "click 1",
        "wait 16",
        "/quiz stats",
        "quit",
    ]) + "\n", tmp_path)
    stats = first.split("carol> /quiz stats")[1]
    assert "carol has not played" not in stats and re.search(r"Games:\s*\|\s+1\n", stats)
    for _ in range(2):  # any number of sessions
        later = _play(database, "\n".join(["/config show", "/ost Snowfall", "as carol", "/quiz stats",
                                           "as dave", "/quiz stats", "quit"]) + "\n", tmp_path)
        assert "Rounds: 7" in later and "🎵 Snowfall" in later
        carol = later.split("carol> /quiz stats")[1].split("carol> as dave")[0]
        assert "carol has not played" not in carol and re.search(r"Games:\s*\|\s+1\n", carol)  # the same carol
        assert "dave has not played a quiz on this server yet." in later.split("dave> /quiz stats")[1]


def test_piped_twice_with_the_same_seed_prints_the_same(tmp_path):
    script = "\n".join(["/random", "click Another", "/random", "/quiz start rounds: 2 seconds: 15",
                        "click 1", "wait 16", "click 2", "wait 16", "quit"]) + "\n"
    runs = [_play(tmp_path / f"run{n}.db", script, tmp_path, "--seed", "5") for n in range(2)]
    strip = [run.replace(str(tmp_path / "run0.db"), "DB").replace(str(tmp_path / "run1.db"), "DB") for run in runs]
    assert strip[0] == strip[1]
    other = _play(tmp_path / "run2.db", script, tmp_path, "--seed", "6").replace(str(tmp_path / "run2.db"), "DB")
    assert other != strip[0]  # the seed is what made them equal
