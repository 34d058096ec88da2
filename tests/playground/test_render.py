"""bot.playground.render: what the bot posts shown as a terminal would, plain or with rich."""

from __future__ import annotations

import datetime as dt
import io

import discord

from bot.playground.render import Card, Names, PlainOutput, RichOutput, plain_text


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
