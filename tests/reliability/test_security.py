"""Security through SimCord: no reply may ping anyone, the bot token never leaks into logs or
replies, and one server can never see or change another server's settings, songs or scores."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest

from bot.config import Settings
from tests.cogs.admin_helpers import allow_command, record_score, reply
from tests.cogs.quiz_helpers import button_ids, session_of
from tests.helpers import text_of

FAKE_TOKEN = "MTAxFAKE.tokenNeverLog.ZZZ-reliability-9f3c2a"
HOSTILE = "@everyone @here <@&123456789012345678> <@123456789012345678> <@!1> goblin"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Overrides tests/conftest.py's fixture for this module: the bot runs with a recognisable token.
    return Settings(database_path=tmp_path / "ost.db", token=FAKE_TOKEN, heartbeat_seconds=None)


def message_payloads(env) -> list[tuple[str, dict]]:
    """Every payload the bot sent that could post or edit a message (channel, webhook or callback)."""
    out = []
    for request in env.http_requests:
        if request.method not in ("POST", "PATCH") or not isinstance(request.json, dict):
            continue
        payload = request.json
        if request.path.endswith("/callback"):
            payload = payload.get("data") or {}
        elif not ("/messages" in request.path or request.path.startswith("/webhooks/")):
            continue
        out.append((f"{request.method} {request.path}", payload))
    return out


def assert_no_mentions_allowed(env) -> int:
    """Each payload with text carries allowed_mentions that parse nothing and list nobody."""
    checked = 0
    for where, payload in message_payloads(env):
        mentions = payload.get("allowed_mentions")
        if payload.get("content"):
            assert mentions is not None, f"{where} sent text without allowed_mentions: {payload['content']!r}"
        if mentions is not None:
            assert mentions.get("parse", []) == [], where
            assert not mentions.get("users") and not mentions.get("roles"), where
            assert not mentions.get("replied_user"), where
            checked += 1
    return checked


async def mention_laden_session(env, world) -> None:
    ch, alice, admin = world.channel, world.alice, world.admin
    await alice.slash(ch, "ost", query=HOSTILE)
    await alice.slash(ch, "ost", query="goblin")
    await alice.slash(ch, "random", drama=HOSTILE)
    await alice.slash(ch, "random", mood="@everyone")
    await alice.slash(ch, "random")
    await alice.slash(ch, "recommend", like=HOSTILE)
    await alice.slash(ch, "recommend", like="Goblin")
    await alice.autocomplete(ch, "ost", "query", HOSTILE)
    await alice.slash(ch, "help")
    await alice.slash(ch, "about")
    await admin.slash(ch, "config show")
    await admin.slash(ch, "config random", cooldown=0)
    await admin.slash(ch, "config daily", channel=ch, hour=9, timezone=HOSTILE[:64])
    await admin.slash(ch, "config language", language="en")
    await admin.slash(ch, "catalog add", title="@everyone", artist="<@123456789012345678>", drama="@here")
    await admin.slash(ch, "catalog add", title="Quiet Rain", artist="Lee Mujin", drama="Our Quiet Town")
    await admin.slash(ch, "catalog import",
                      file=("songs.csv", b"title,artists,drama\n@everyone,<@&1>,@here\nSoft Snow,Kim Na,Snow Road\n"))
    await admin.slash(ch, "catalog export")
    await alice.slash(ch, "quiz start", rounds=1, seconds=10, mode="typed")
    shown = await alice.click(ch.last_message, label="Answer")
    receipt = await alice.submit_modal(shown, {"answer": HOSTILE})
    assert receipt.ephemeral
    await env.advance_time(15)
    await alice.slash(ch, "quiz leaderboard")
    await alice.slash(ch, "quiz stats", member=world.bob)
    await alice.slash(ch, "quiz stop")


async def test_no_reply_ever_allows_a_mention(simcord_env, world):
    env = simcord_env
    await mention_laden_session(env, world)
    env.errors.clear()  # refusals and bad input answered gracefully; checked elsewhere
    checked = assert_no_mentions_allowed(env)
    assert checked >= 20, checked


async def test_fake_token_never_in_logs_or_replies(simcord_env, world, caplog):
    env = simcord_env
    caplog.set_level(logging.DEBUG)
    assert env.bot.settings.token == FAKE_TOKEN
    # An unexpected REST failure makes the bot log an error with a traceback.
    env.inject_error("POST", "/interactions/*/callback", status=500, times=2)
    await world.alice.slash(world.channel, "random")
    await world.alice.slash(world.channel, "ost", query="goblin")
    await mention_laden_session(env, world)
    logged = caplog.text + "\n".join(repr(r.__dict__) for r in caplog.records)
    assert len(caplog.records) > 20  # the session did log at DEBUG
    assert FAKE_TOKEN not in logged
    assert FAKE_TOKEN not in repr(env.bot.settings)
    for _, payload in message_payloads(env):
        assert FAKE_TOKEN not in repr(payload)
    env.errors.clear()


# -- two servers ---------------------------------------------------------------------------------

class Server:
    def __init__(self, env, name: str) -> None:
        self.guild = env.create_guild(name=name)
        self.channel = self.guild.create_text_channel("general")
        role = self.guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
        self.admin = self.guild.add_member(env.create_user(f"{name}-admin"), roles=[role])
        self.member = self.guild.add_member(env.create_user(f"{name}-member"))


async def guild_rows(store, guild_id: int) -> dict[str, list[tuple]]:
    """Every row in every table with a guild_id column that belongs to `guild_id`."""
    tables = await store.fetch("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    out = {}
    for (name,) in tables:
        columns = [c[1] for c in await store.fetch(f'PRAGMA table_info("{name}")')]
        if "guild_id" in columns:
            rows = await store.fetch(f'SELECT * FROM "{name}" WHERE guild_id = ? ORDER BY 1', (guild_id,))
            out[name] = [tuple(r) for r in rows]
    return out


async def test_two_servers_never_see_or_change_each_other(simcord_env):
    env = simcord_env
    one, two = Server(env, "one"), Server(env, "two")
    store = env.bot.store
    # Server one configures, adds songs, hides one, and plays a scored quiz.
    await one.admin.slash(one.channel, "config quiz", rounds=1, seconds=10)
    await one.admin.slash(one.channel, "config random", cooldown=30)
    await one.admin.slash(one.channel, "config language", language="ko")
    await one.admin.slash(one.channel, "config daily", channel=one.channel, hour=7)
    await one.admin.slash(one.channel, "catalog add", title="Only In One", artist="Lee Mujin", drama="One Town")
    choices = await one.admin.autocomplete(one.channel, "catalog remove", "song", "goblin")
    shipped = next(c["value"] for c in choices if "Only In One" not in c["name"])
    await one.admin.slash(one.channel, "catalog remove", song=shipped)
    await one.member.slash(one.channel, "quiz start", rounds=1, seconds=10)
    session = session_of(env, one.channel)
    right = session.question.correct
    ids = button_ids(one.channel.last_message)
    await one.member.click(one.channel.last_message, custom_id=ids[right])
    await env.advance_time(15)
    env.errors.clear()
    one_rows = await guild_rows(store, one.guild.id)
    assert any(one_rows.values())
    assert await store.quiz.leaderboard(one.guild.id)

    # Server two sees none of it...
    shown = await two.admin.slash(two.channel, "config show")
    assert "Only In One" not in text_of(shown.response)
    assert (await store.guilds.get(two.guild.id)).cooldown_seconds == 0
    export = reply(await two.admin.slash(two.channel, "catalog export"))
    assert export.attachments == [] and "not added any songs" in export.content
    assert not any("Only In One" in c["name"]
                   for c in await two.admin.autocomplete(two.channel, "catalog remove", "song", "Only"))
    ost_choices = await two.member.autocomplete(two.channel, "ost", "query", "Only")
    assert not any("Only In One" in c["name"] for c in ost_choices)
    board = await two.member.slash(two.channel, "quiz leaderboard")
    assert one.member.mention not in text_of(board.response) and str(one.member.id) not in text_of(board.response)
    stats = await two.member.slash(two.channel, "quiz stats", member=two.member)
    assert stats.response.ephemeral
    # ...and every admin command there, even naming server one's song ids, leaves server one untouched.
    addition = next(c["value"] for c in await one.admin.autocomplete(one.channel, "catalog remove", "song", "Only"))
    for command, options in (("config quiz", {"rounds": 5, "seconds": 30}), ("config random", {"cooldown": 0}),
                             ("config language", {"language": "en"}), ("config daily-off", {}),
                             ("catalog remove", {"song": addition}), ("catalog restore", {"song": shipped}),
                             ("catalog add", {"title": "Only In One", "artist": "Lee Mujin", "drama": "One Town"})):
        await two.admin.slash(two.channel, command, **options)
    await two.admin.slash(two.channel, "config reset-scores")
    await two.admin.click(two.channel.last_message, custom_id=f"admin:reset:yes:{two.admin.id}")
    env.errors.clear()
    assert await guild_rows(store, one.guild.id) == one_rows
    assert (await store.guilds.get(one.guild.id)).cooldown_seconds == 30
    assert (await store.guilds.get(one.guild.id)).language == "ko"
    assert await store.quiz.leaderboard(one.guild.id)


# -- admin buttons after the permission was taken away ---------------------------------------------

async def take_role(env, member, role) -> None:
    """What a server owner does in the Discord client: remove a role from a member."""
    env.backend.remove_member_role(member.guild.id, member.id, role.id)
    await env.settle()  # the bot receives GUILD_MEMBER_UPDATE


def manager_role_holder(env, world, name: str):
    role = world.guild.create_role("Quiz Crew")
    return role, world.guild.add_member(env.create_user(name), roles=[role])


async def test_reset_scores_button_refused_after_manage_server_or_manager_role_is_removed(simcord_env, world):
    env, store, ch = simcord_env, simcord_env.bot.store, world.channel
    await record_score(store, world.guild.id, ch.id, world.alice.id)
    crew, carol = manager_role_holder(env, world, "carol")
    await world.admin.slash(ch, "config manager-role", role=crew)
    await allow_command(env, world.guild, "config", crew)  # the server lets the role see /config
    before = await store.content_hash()

    for member, role in ((world.admin, world.guild.roles["Admins"]), (carol, crew)):
        prompt = await member.slash(ch, "config reset-scores")
        assert "cannot be undone" in prompt.response.content
        await take_role(env, member, role)
        pressed = await member.click(prompt.response, label="Reset scores")
        assert pressed.ephemeral and "Only members with **Manage Server**" in pressed.response.content
        assert await store.content_hash() == before  # nothing reset
        assert len(await store.quiz.leaderboard(world.guild.id)) == 1
        # The public prompt is left as it was, to expire; no public "done" message.
        assert "cannot be undone" in ch.last_message.content and ch.last_message.components
    assert env.errors == []

    # Given back within the window, the same button works: the check is made at the press.
    env.backend.add_member_role(world.guild.id, carol.id, crew.id)
    await env.settle()
    done = await carol.click(ch.last_message, label="Reset scores")
    assert "reset every quiz score" in done.response.content
    assert await store.quiz.leaderboard(world.guild.id) == []


async def test_add_anyway_button_refused_after_manage_server_is_removed(simcord_env, world):
    env, store, ch = simcord_env, simcord_env.bot.store, world.channel
    result = await world.admin.slash(ch, "catalog add", title="Stay With Me (Goblin OST)", artist="Punch",
                                     drama="Goblin")
    question = reply(result)
    assert "Did you mean" in question.content
    before = await store.content_hash()
    await take_role(env, world.admin, world.guild.roles["Admins"])
    pressed = await world.admin.click(question, label="Add anyway")
    assert pressed.response.ephemeral and "Only members with **Manage Server**" in pressed.response.content
    assert await store.content_hash() == before
    assert not any("Goblin OST" in c["name"]
                   for c in await world.alice.autocomplete(ch, "ost", "query", "Stay With Me"))
