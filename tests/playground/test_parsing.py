"""bot.playground.parsing: a typed line becomes a command path and typed options, or a clear error."""

from __future__ import annotations

import pytest

from bot.playground import parsing
from bot.playground.parsing import ParseError, Resolver, convert, focused_option, parse_slash

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


# -- Korean command names -------------------------------------------------------------------------

def test_korean_command_option_and_choice_names_parse():
    commands = COMMANDS
    started = parse_slash("/퀴즈 시작 라운드: 3 방식: 직접 입력", commands)
    assert started.path == ("quiz", "start") and started.raw == {"rounds": "3", "mode": "직접 입력"}
    assert convert(started, Resolver())["mode"] == "typed"
    assert parse_slash("/랜덤 가수: Ailee", commands).raw == {"artist": "Ailee"}
