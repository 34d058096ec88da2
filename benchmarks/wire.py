"""Discord's side of the wire, in-process: gateway payloads in, HTTP replies recorded.

No SimCord here on purpose: its settling adds cost of its own. Payload shapes follow
Discord's API (and SimCord's serializers, which mirror it). Two doors are stubbed:

- `HTTPClient.request` (REST: login, application info, command sync, channel messages),
  replaced on the bot's own `bot.http` instance;
- the webhook adapter behind `discord.webhook.async_.async_context` (interaction
  callbacks, followups, edits of the original response).

Each stub records the call and answers with a plausible payload, so discord.py builds its
objects (Message, InteractionCallbackResponse...) exactly as it would against Discord.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

ALL_PERMISSIONS = str(discord.Permissions.all().value)
MEMBER_PERMISSIONS = str(discord.Permissions(
    view_channel=True, send_messages=True, read_message_history=True, embed_links=True,
    use_application_commands=True).value)
BOT_PERMISSIONS = str(discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, embed_links=True,
    attach_files=True, read_message_history=True).value)

_MESSAGE_PATH = re.compile(r"/messages/(?P<id>@original|\d+)$")


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Increasing ids that look like Discord's (so created_at stays sane)."""

    def __init__(self) -> None:
        self._next = itertools.count(discord.utils.time_snowflake(datetime.now(UTC)))

    def __call__(self) -> int:
        return next(self._next)


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name, "avatar": None,
            "bot": bot, "system": False, "public_flags": 0, "flags": 0}


@dataclass
class Call:
    """One request that reached a stub."""

    method: str
    path: str            # the route template, e.g. /channels/{channel_id}/messages
    url: str
    payload: dict[str, Any] | None

    @property
    def is_reply(self) -> bool:
        return self.path.startswith(("/interactions/", "/webhooks/"))


@dataclass
class World:
    """The guild, channels and users the bot knows about, and the messages it has posted."""

    ids: Snowflakes = field(default_factory=Snowflakes)
    application_id: int = 0
    bot_user: dict[str, Any] = field(default_factory=dict)
    guild_id: int = 0
    channel_ids: list[int] = field(default_factory=list)
    everyone_role: int = 0
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    channel_messages: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    # interaction token -> (channel id, id of the message its response created)
    tokens: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    unknown_routes: set[str] = field(default_factory=set)
    record_calls: bool = True
    # called with every message the bot posts or edits (waiters in the harness)
    watchers: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)

    @classmethod
    def create(cls, channels: int = 1) -> World:
        world = cls()
        world.application_id = world.ids()
        world.bot_user = user_payload(world.application_id, "OST Ballad Bot", bot=True)
        world.guild_id = world.ids()
        world.everyone_role = world.guild_id
        world.channel_ids = [world.ids() for _ in range(channels)]
        return world

    # -- gateway payloads ---------------------------------------------------------------

    def channel_payload(self, channel_id: int) -> dict[str, Any]:
        index = self.channel_ids.index(channel_id) if len(self.channel_ids) < 50 else 0
        return {"id": str(channel_id), "type": 0, "guild_id": str(self.guild_id), "name": f"general-{index}",
                "position": index, "permission_overwrites": [], "parent_id": None, "topic": None,
                "rate_limit_per_user": 0, "last_message_id": None, "nsfw": False}

    def ready_payload(self) -> dict[str, Any]:
        return {"v": 10, "user": self.bot_user, "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                "session_id": "bench", "resume_gateway_url": "wss://gateway.invalid", "shard": [0, 1],
                "application": {"id": str(self.application_id), "flags": 0}, "private_channels": [],
                "relationships": []}

    def guild_create_payload(self) -> dict[str, Any]:
        everyone = {"id": str(self.everyone_role), "name": "@everyone", "permissions": MEMBER_PERMISSIONS,
                    "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False,
                    "flags": 0, "icon": None, "unicode_emoji": None}
        bot_member = {"user": self.bot_user, "roles": [], "nick": None, "joined_at": _now(),
                      "premium_since": None, "deaf": False, "mute": False, "pending": False, "flags": 0,
                      "communication_disabled_until": None, "avatar": None}
        return {"id": str(self.guild_id), "name": "Benchmark Server", "owner_id": str(self.ids()),
                "icon": None, "splash": None, "discovery_splash": None, "banner": None, "description": None,
                "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
                "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
                "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US",
                "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
                "public_updates_channel_id": None, "vanity_url_code": None, "application_id": None,
                "max_members": 500000, "features": [], "emojis": [], "stickers": [], "roles": [everyone],
                "member_count": 2, "large": False, "unavailable": False, "joined_at": _now(),
                "members": [bot_member], "channels": [self.channel_payload(c) for c in self.channel_ids],
                "threads": [], "presences": [], "voice_states": [], "stage_instances": [],
                "guild_scheduled_events": [], "soundboard_sounds": [], "premium_progress_bar_enabled": False}

    def member_payload(self, user_id: int, *, admin: bool = False) -> dict[str, Any]:
        return {"user": user_payload(user_id, f"user{user_id % 100000}"), "roles": [], "nick": None,
                "joined_at": "2024-01-01T00:00:00+00:00", "premium_since": None, "deaf": False, "mute": False,
                "pending": False, "flags": 0, "communication_disabled_until": None, "avatar": None,
                "permissions": ALL_PERMISSIONS if admin else MEMBER_PERMISSIONS}

    def interaction(self, type_: int, data: dict[str, Any], *, user_id: int, channel_id: int | None = None,
                    admin: bool = False, message: dict[str, Any] | None = None) -> dict[str, Any]:
        channel_id = channel_id or self.channel_ids[0]
        interaction_id = self.ids()
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(self.application_id), "type": type_,
            "token": f"tok{interaction_id}", "version": 1, "data": data, "channel_id": str(channel_id),
            "channel": self.channel_payload(channel_id), "locale": "en-US", "guild_locale": "en-US",
            "guild_id": str(self.guild_id), "member": self.member_payload(user_id, admin=admin),
            "app_permissions": BOT_PERMISSIONS, "entitlements": [], "authorizing_integration_owners": {"0": str(
                self.guild_id)}, "context": 0, "attachment_size_limit": 26214400,
        }
        if message is not None:
            payload["message"] = message
        return payload

    def message(self, content: str, *, user_id: int, channel_id: int | None = None,
                mentions_bot: bool = True) -> dict[str, Any]:
        """A member's message in a channel (MESSAGE_CREATE), mentioning the bot unless told not to."""
        return {"id": str(self.ids()), "channel_id": str(channel_id or self.channel_ids[0]),
                "guild_id": str(self.guild_id), "author": user_payload(user_id, f"user{user_id % 100000}"),
                "member": {k: v for k, v in self.member_payload(user_id).items() if k not in ("user", "permissions")},
                "content": content, "timestamp": _now(), "edited_timestamp": None, "tts": False,
                "mention_everyone": False, "mentions": [self.bot_user] if mentions_bot else [], "mention_roles": [],
                "attachments": [], "embeds": [], "components": [], "pinned": False, "type": 0, "flags": 0}

    def slash(self, name: str, options: dict[str, Any] | None = None, *, user_id: int,
              channel_id: int | None = None, subcommand: str | None = None, admin: bool = False) -> dict[str, Any]:
        opts = [{"name": k, "type": _option_type(v), "value": v} for k, v in (options or {}).items()]
        if subcommand:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data = {"id": str(self.ids()), "name": name, "type": 1, "options": opts, "guild_id": str(self.guild_id)}
        return self.interaction(2, data, user_id=user_id, channel_id=channel_id, admin=admin)

    def autocomplete(self, name: str, focused: str, value: str, others: dict[str, Any] | None = None, *,
                     user_id: int, channel_id: int | None = None, subcommand: str | None = None) -> dict[str, Any]:
        opts = [{"name": k, "type": _option_type(v), "value": v} for k, v in (others or {}).items()]
        opts.append({"name": focused, "type": 3, "value": value, "focused": True})
        if subcommand:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data = {"id": str(self.ids()), "name": name, "type": 1, "options": opts}
        return self.interaction(4, data, user_id=user_id, channel_id=channel_id)

    def click(self, message: dict[str, Any], custom_id: str, *, user_id: int) -> dict[str, Any]:
        data = {"custom_id": custom_id, "component_type": 2}
        return self.interaction(3, data, user_id=user_id, channel_id=int(message["channel_id"]), message=message)

    # -- what the bot posted -------------------------------------------------------------

    def last_message(self, channel_id: int) -> dict[str, Any] | None:
        ids = self.channel_messages.get(channel_id)
        return self.messages[ids[-1]] if ids else None

    def buttons(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Every enabled button with a custom_id in a message (walks rows and containers)."""
        found: list[dict[str, Any]] = []

        def walk(components: list[dict[str, Any]]) -> None:
            for c in components:
                if c.get("type") == 2 and c.get("custom_id") and not c.get("disabled"):
                    found.append(c)
                walk(c.get("components") or [])
                if isinstance(c.get("accessory"), dict):
                    walk([c["accessory"]])

        walk(message.get("components") or [])
        return found

    def _message(self, channel_id: int, body: dict[str, Any], *, message_id: int | None = None,
                 interaction: bool = False) -> dict[str, Any]:
        message_id = message_id or self.ids()
        previous = self.messages.get(message_id, {})
        merged = {**{k: previous.get(k) for k in ("content", "embeds", "components", "flags") if k in previous},
                  **{k: v for k, v in body.items() if k in ("content", "embeds", "components", "flags")}}
        message = {
            "id": str(message_id), "channel_id": str(channel_id), "guild_id": str(self.guild_id),
            "author": self.bot_user, "content": merged.get("content") or "", "timestamp": previous.get(
                "timestamp", _now()), "edited_timestamp": _now() if previous else None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": merged.get("embeds") or [], "components": merged.get("components") or [],
            "pinned": False, "type": 20 if interaction else 0, "flags": merged.get("flags") or 0,
        }
        if interaction:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
        self.messages[message_id] = message
        if not previous:
            self.channel_messages[channel_id].append(message_id)
            if len(self.channel_messages[channel_id]) > 50:  # keep memory flat over long runs
                self.messages.pop(self.channel_messages[channel_id].pop(0), None)
        for watcher in list(self.watchers):
            watcher(message)
        return message

    # -- the two stubs ---------------------------------------------------------------------

    def record(self, method: str, path: str, url: str, payload: dict[str, Any] | None) -> None:
        if self.record_calls:
            self.calls.append(Call(method, path, url, payload))

    async def rest(self, route: discord.http.Route, *, files: Any = None, form: Any = None, **kwargs: Any) -> Any:
        payload = kwargs.get("json")
        if payload is None and form:
            payload = _form_payload(form)
        self.record(route.method, route.path, route.url, payload)
        key = (route.method, route.path)
        if key == ("GET", "/users/@me"):
            return self.bot_user
        if key == ("GET", "/oauth2/applications/@me"):
            return {"id": str(self.application_id), "name": "OST Ballad Bot", "description": "", "icon": None,
                    "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
                    "owner": user_payload(self.ids(), "owner"), "flags": 0, "team": None}
        if route.method == "PUT" and route.path.endswith("/commands"):
            return [{**c, "id": str(self.ids()), "application_id": str(self.application_id), "version": "1",
                     "default_member_permissions": c.get("default_member_permissions"), "type": c.get("type", 1),
                     "description": c.get("description", "")}  # "" for a message menu, as Discord answers
                    for c in payload or []]
        if route.path == "/channels/{channel_id}/messages" and route.method == "POST":
            return self._message(int(route.channel_id), payload or {})
        if route.path == "/channels/{channel_id}/messages/{message_id}":
            message_id = int(route.url.rsplit("/", 1)[1])
            if route.method == "PATCH":
                return self._message(int(route.channel_id), payload or {}, message_id=message_id)
            if route.method == "GET" and message_id in self.messages:
                return self.messages[message_id]
            if route.method == "DELETE":
                self.messages.pop(message_id, None)
                return None
        if route.path in ("/channels/{channel_id}/typing",):
            return None
        self.unknown_routes.add(f"{route.method} {route.path}")
        return None

    def webhook_adapter(self) -> AsyncWebhookAdapter:
        world = self

        class BenchAdapter(AsyncWebhookAdapter):
            async def request(self, route: discord.http.Route, session: Any = None, *, payload: Any = None,
                              multipart: Any = None, files: Any = None, **kwargs: Any) -> Any:
                if payload is None and multipart:
                    payload = _form_payload(multipart)
                return world._webhook(route, payload)

        return BenchAdapter()

    def _webhook(self, route: discord.http.Route, payload: dict[str, Any] | None) -> Any:
        self.record(route.method, route.path, route.url, payload)
        token = route.webhook_token or ""
        channel_id, original = self.tokens.get(token, (self.channel_ids[0], None))
        if route.path.endswith("/callback"):
            kind = (payload or {}).get("type")
            data = (payload or {}).get("data") or {}
            interaction = {"id": str(route.webhook_id), "type": kind, "response_message_loading": kind == 5,
                           "response_message_ephemeral": bool((data.get("flags") or 0) & 64)}
            result: dict[str, Any] = {"interaction": interaction}
            if kind in (4, 5):       # a new message (or the "thinking" placeholder)
                message = self._message(channel_id, data, interaction=True)
                self.tokens[token] = (channel_id, int(message["id"]))
                interaction["response_message_id"] = message["id"]
                result["resource"] = {"type": kind, "message": message}
            elif kind == 7 and original is not None:  # update the message the component is on
                message = self._message(channel_id, data, message_id=original)
                result["resource"] = {"type": kind, "message": message}
            return result
        match = _MESSAGE_PATH.search(route.url)
        if match:                    # edit / fetch / delete the original or a followup
            message_id = original if match["id"] == "@original" else int(match["id"])
            if route.method == "DELETE":
                return None
            if message_id is None:
                message_id = self.ids()
                self.tokens[token] = (channel_id, message_id)
            if route.method == "GET":
                return self.messages.get(message_id) or self._message(channel_id, {}, message_id=message_id,
                                                                      interaction=True)
            return self._message(channel_id, payload or {}, message_id=message_id, interaction=True)
        if route.method == "POST":   # a followup message
            return self._message(channel_id, payload or {}, interaction=True)
        self.unknown_routes.add(f"{route.method} {route.path}")
        return None

    def bind_interaction(self, payload: dict[str, Any]) -> None:
        """Remember which channel (and, for a click, which message) an interaction token belongs to."""
        message = payload.get("message")
        self.tokens[payload["token"]] = (int(payload["channel_id"]), int(message["id"]) if message else None)


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def _form_payload(form: Any) -> dict[str, Any] | None:
    for part in form or []:
        if part.get("name") == "payload_json":
            return json.loads(part["value"])
    return None


def install(bot: discord.Client, world: World) -> None:
    """Point both of discord.py's HTTP doors at `world` (call before bot.login)."""
    bot.http.request = world.rest  # type: ignore[method-assign]
    async_context.set(world.webhook_adapter())
