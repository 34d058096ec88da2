"""The quiz's pictures through SimCord: /quiz leaderboard, /quiz stats and the final standings carry a
PNG attachment that their embed shows as its image, beside the text that stays; no players, no
picture; the same leaderboard asked twice is drawn once; the names drawn are the members' display
names (a Korean one included)."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image

from bot.pictures import Entry, Leaderboard, render
from bot.pictures.draw import WIDTH
from tests.cogs.quiz_helpers import button_ids, quiz_cog, session_of

pytestmark = pytest.mark.both_engines


async def play_one_round(env, channel, starter, winners, **options):
    await starter.slash(channel, "quiz start", rounds=1, seconds=10, **options)
    session = session_of(env, channel)
    message = channel.last_message
    for member in winners:
        await member.click(message, custom_id=button_ids(message)[session.question.correct])
    await env.advance_time(10)


async def picture_of(message, name: str) -> Image.Image:
    """The one attachment of `message`, checked to be `name` and shown as its embed's image, decoded."""
    assert [a.filename for a in message.attachments] == [name]
    assert message.embeds[0].image.url in (f"attachment://{name}", message.attachments[0].url)
    image = Image.open(io.BytesIO(await message.attachments[0].read()))
    image.load()
    assert image.format == "PNG" and image.width == WIDTH
    return image


async def test_leaderboard_and_stats_replies_show_their_picture_in_the_embed(simcord_env, world):
    env = simcord_env
    await play_one_round(env, world.channel, world.alice, [world.alice, world.bob])

    board = await world.alice.slash(world.channel, "quiz leaderboard")
    image = await picture_of(board.response, "leaderboard.png")
    assert image.height > 200
    assert board.response.embeds[0].description.startswith("1. <@")   # the text stays

    stats = await world.alice.slash(world.channel, "quiz stats", member=world.bob)
    await picture_of(stats.response, "stats.png")
    assert {f.name for f in stats.response.embeds[0].fields} >= {"Games", "Points"}


async def test_the_final_standings_carry_a_podium_picture(simcord_env, world):
    env = simcord_env
    await play_one_round(env, world.channel, world.alice, [world.alice, world.bob])
    final = world.channel.last_message
    assert final.embeds[0].title == "🏁 Final standings"
    await picture_of(final, "standings.png")
    assert "<@" in final.embeds[0].description


async def test_no_players_no_picture(simcord_env, world):
    board = await world.alice.slash(world.channel, "quiz leaderboard", period="month")
    assert board.response.attachments == [] and board.response.embeds[0].image.url is None
    await world.alice.slash(world.channel, "quiz start", rounds=1, seconds=10)
    await simcord_env.advance_time(10)
    stopped = world.channel.last_message   # nobody answered: the standings say so in text alone
    assert stopped.embeds[0].title == "🏁 Final standings"
    assert stopped.attachments == [] and stopped.embeds[0].image.url is None


async def test_the_same_leaderboard_is_drawn_once_and_a_new_score_draws_it_again(simcord_env, world):
    env = simcord_env
    await play_one_round(env, world.channel, world.alice, [world.alice])
    cache = quiz_cog(env).games.pictures.cache
    drawn = cache.renders
    first = await world.alice.slash(world.channel, "quiz leaderboard")
    second = await world.bob.slash(world.channel, "quiz leaderboard")
    assert cache.renders == drawn + 1
    assert await first.response.attachments[0].read() == await second.response.attachments[0].read()
    await play_one_round(env, world.channel, world.alice, [world.bob])
    await world.alice.slash(world.channel, "quiz leaderboard")
    assert cache.renders == drawn + 3   # the new standings and the new leaderboard


async def test_the_picture_draws_the_members_display_name(simcord_env, world):
    env = simcord_env
    minji = world.guild.add_member(env.create_user("minji"), nick="김민지")
    await play_one_round(env, world.channel, minji, [minji])
    board = await minji.slash(world.channel, "quiz leaderboard")
    sent = await board.response.attachments[0].read()
    [row] = await world.store.quiz.leaderboard(world.guild.id)
    expected = Leaderboard("K-Drama Club", "en", "all", "points",
                           (Entry(1, "김민지", minji.id, row.points, games=1, correct=1, answered=1),))
    assert sent == render(expected)   # her nickname in the server, as the picture draws it
    assert sent != render(replace(expected, entries=(replace(expected.entries[0], name="minji"),)))
