"""The server's cooldown (/config random) holds for every way to post a card: 🎲 Another, "More from …"
and the card menus (under /ost, /recommend and the song of the day) count against the cooldown of the
member who clicks, whoever posted the card; a member who must wait is told privately, in the server's
language, and nothing is posted."""

from __future__ import annotations

import pytest

from tests.cogs.test_ost import add_goblin_songs, components, custom_ids
from tests.helpers import text_of

pytestmark = pytest.mark.both_engines

HOUR = 3600


def public_messages(channel) -> int:
    return len(list(channel.history()))


def assert_refused(result, seconds: int | None = None) -> None:
    """The private "slow down" and nothing else: no card, no buttons."""
    assert result.ephemeral, result.response
    assert "Slow down a little: try again in" in result.response.content
    if seconds is not None:
        assert f"try again in {seconds} s" in result.response.content
    assert not result.response.embeds and result.response.components == []


def option_value(message, custom_id: str) -> str:
    menu = next(c for c in components(message) if c.get("custom_id") == custom_id)
    return menu["options"][0]["value"]


async def test_a_second_member_clicking_another_ten_times_gets_one_card_then_refusals(world, simcord_env):
    ch = world.channel
    await world.admin.slash(ch, "config random", cooldown=HOUR)
    card = (await world.alice.slash(ch, "random")).response
    another = next(i for i in custom_ids(card) if i.startswith("ost:rnd:"))
    before = public_messages(ch)

    clicks = [await world.bob.click(card, custom_id=another) for _ in range(10)]
    assert not clicks[0].ephemeral and clicks[0].response.embeds[0].title.startswith("🎵")
    for click in clicks[1:]:
        assert_refused(click, HOUR)
    assert public_messages(ch) == before + 1
    # The button is another /random: the member who just ran the command waits for it too.
    assert_refused(await world.alice.click(card, custom_id=another), HOUR)
    # And the command waits for the button.
    again = await world.bob.slash(ch, "random")
    assert again.response.ephemeral and "try again in" in again.response.content
    assert public_messages(ch) == before + 1

    await simcord_env.advance_time(HOUR)
    later = await world.bob.click(card, custom_id=another)
    assert not later.ephemeral and later.response.embeds
    assert public_messages(ch) == before + 2
    simcord_env.errors.clear()  # bob's refused /random (the tree records a check it answered)


async def _another(world):
    card = (await world.alice.slash(world.channel, "random")).response
    return card, "click", next(i for i in custom_ids(card) if i.startswith("ost:rnd:"))


async def _more_from(world):
    card = (await world.alice.slash(world.channel, "ost", query="stay with me")).response
    return card, "click", next(i for i in custom_ids(card) if i.startswith("ost:more:"))


async def _songs_menu(world):
    card = (await world.alice.slash(world.channel, "ost", query="Goblin")).response
    return card, "select", "ost:pick:songs"


async def _other_matches(world):
    card = (await world.alice.slash(world.channel, "ost", query="here")).response
    return card, "select", "ost:pick"


async def _recommend_menu(world):
    card = (await world.alice.slash(world.channel, "recommend", like="Orbit")).response
    return card, "select", "ost:pick"


async def _song_of_the_day(world):
    await world.admin.slash(world.channel, "config daily", channel=world.channel, hour=1, timezone="UTC")
    await world.env.advance_time(HOUR + 60)
    card = world.channel.last_message
    assert "Song of the day" in card.content
    buttons = [item.custom_id or "" for row in card.components for item in row.children]
    return card, "click", next(i for i in buttons if i.startswith("ost:more:"))


async def use(member, card, how: str, custom_id: str):
    if how == "click":
        return await member.click(card, custom_id=custom_id)
    return await member.select(card, [option_value(card, custom_id)], custom_id=custom_id)


@pytest.mark.parametrize("posted", [_another, _more_from, _songs_menu, _other_matches, _recommend_menu,
                                    _song_of_the_day],
                         ids=["another", "more_from", "songs_menu", "other_matches", "recommend_menu",
                              "song_of_the_day"])
async def test_every_card_component_counts_against_the_clicking_member(world, simcord_env, posted):
    ch = world.channel
    await world.admin.slash(ch, "config random", cooldown=HOUR)
    card, how, custom_id = await posted(world)
    before = public_messages(ch)

    first = await use(world.bob, card, how, custom_id)
    assert first.response.embeds, first.response  # a card, public (Another) or private
    shown = public_messages(ch)
    assert shown == before + (0 if first.ephemeral else 1)
    for _ in range(3):
        assert_refused(await use(world.bob, card, how, custom_id), HOUR)
    assert public_messages(ch) == shown
    # Another member is not held up by bob's clicks.
    other = await use(world.admin, card, how, custom_id)
    assert other.response.embeds

    await simcord_env.advance_time(HOUR)
    assert (await use(world.bob, card, how, custom_id)).response.embeds
    assert simcord_env.errors == []


async def test_without_a_cooldown_cards_keep_coming(world, simcord_env):
    card = (await world.alice.slash(world.channel, "ost", query="stay with me")).response
    more = next(i for i in custom_ids(card) if i.startswith("ost:more:"))
    for _ in range(5):
        assert (await world.bob.click(card, custom_id=more)).response.embeds
    assert simcord_env.errors == []


async def test_more_from_and_the_menus_share_one_cooldown_apart_from_the_commands(world, simcord_env):
    ch = world.channel
    await add_goblin_songs(world.store, world.guild.id, 12)  # two pages
    await world.admin.slash(ch, "config random", cooldown=60)
    drama = (await world.bob.slash(ch, "ost", query="Goblin")).response
    song = (await world.alice.slash(ch, "ost", query="stay with me")).response
    # bob's own /ost does not hold up one card from its menu...
    assert (await use(world.bob, drama, "select", "ost:pick:songs")).response.embeds
    # ...but that card and "More from" are one kind of use.
    more = next(i for i in custom_ids(song) if i.startswith("ost:more:"))
    assert_refused(await world.bob.click(song, custom_id=more), 60)
    # Turning a drama card's page posts nothing: it never counts.
    [next_page] = [i for i in custom_ids(drama) if i.startswith("ost:drama:")]
    turned = await world.bob.click(drama, custom_id=next_page)
    assert "Page 2/2" in text_of(turned.response) and "Slow down" not in text_of(turned.response)
    assert simcord_env.errors == []


async def test_the_refusal_is_in_the_servers_language(world, simcord_env):
    ch = world.channel
    await world.admin.slash(ch, "config random", cooldown=HOUR)
    await world.admin.slash(ch, "config language", language="ko")
    card = (await world.alice.slash(ch, "random")).response
    another = next(i for i in custom_ids(card) if i.startswith("ost:rnd:"))
    assert not (await world.bob.click(card, custom_id=another)).ephemeral
    refused = await world.bob.click(card, custom_id=another)
    assert refused.ephemeral and refused.response.content == f"조금 천천히! {HOUR}초 후에 다시 시도해 주세요."
    assert simcord_env.errors == []
