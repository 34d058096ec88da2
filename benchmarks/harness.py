"""Drive a bot along Discord's own path and time each interaction.

`Harness(bot, world)` logs the bot in against the stubs in `wire`, feeds READY and
GUILD_CREATE, then `await harness.run(payload)` feeds one INTERACTION_CREATE to
discord.py's parser and waits for the tasks that parse started (the command tree's
invoker, a DynamicItem's callback, event listeners) to finish. The time from parse to the
last of them is the interaction's cost: option parsing, checks, the cog, the store, the
embed and the reply serialised for the (stubbed) HTTP layer.

`ClockLoop` is an event loop whose clock can jump forward (`loop.advance(s)`), so quiz
timers fire without waiting; `LagSampler` measures how late the loop wakes a sleeper.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord

from . import wire


class ClockLoop(asyncio.SelectorEventLoop):
    """The default loop with a clock that can be moved forward for timers."""

    def __init__(self) -> None:
        super().__init__()
        self._offset = 0.0

    def time(self) -> float:
        return super().time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def timers_between(self, low: float, high: float) -> int:
        """How many live timers are due between `low` and `high` seconds from now."""
        now = self.time()
        return sum(1 for h in self._scheduled if not h.cancelled() and low <= h.when() - now <= high)

    async def wait_for_timers(self, count: int, low: float, high: float, limit: float = 30.0) -> None:
        """Wait (real time) until `count` timers are set between `low` and `high` seconds ahead:
        the quiz rounds are all waiting on their deadline, so a clock jump reaches them."""
        deadline = time.perf_counter() + limit
        while self.timers_between(low, high) < count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"only {self.timers_between(low, high)} of {count} timers set")
            await asyncio.sleep(0.0005)


def run(main: Awaitable[Any]) -> Any:
    """asyncio.run on a ClockLoop."""
    loop = ClockLoop()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(main)
    finally:
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_asyncgens())
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_default_executor())
        asyncio.set_event_loop(None)
        loop.close()


class ErrorLog(logging.Handler):
    """Collects ERROR records (the tree's 'unhandled error', discord.py's task errors)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        out = []
        for r in self.records:
            text = r.getMessage()
            if r.exc_info and r.exc_info[1] is not None:
                text += f": {type(r.exc_info[1]).__name__}: {r.exc_info[1]}"
            out.append(text)
        return out


class TaskCapture:
    """A task factory that remembers the tasks created while `capturing` is a list."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.capturing: list[asyncio.Task[Any]] | None = None
        loop.set_task_factory(self._factory)

    def _factory(self, loop: asyncio.AbstractEventLoop, coro: Any, context: Any = None) -> asyncio.Task[Any]:
        task = asyncio.Task(coro, loop=loop, context=context)
        if self.capturing is not None:
            self.capturing.append(task)
        return task


@dataclass
class Outcome:
    seconds: float
    calls: list[wire.Call] = field(default_factory=list)

    def replies(self) -> list[wire.Call]:
        return [c for c in self.calls if c.is_reply or "/messages" in c.path]

    def reply_payload(self) -> dict[str, Any]:
        """The data of the first reply (callback data, or the edit/followup body)."""
        for call in self.replies():
            body = call.payload or {}
            return body.get("data", body) if call.path.endswith("/callback") else body
        return {}

    def describe(self) -> str:
        """A short description of the reply for the report: kind, ephemeral, embeds, components."""
        if not self.replies():
            return "no reply"
        first = self.replies()[0]
        body = self.reply_payload()
        kind = (first.payload or {}).get("type") if first.path.endswith("/callback") else None
        names = {4: "message", 5: "deferred", 6: "deferred update", 7: "update", 8: "choices", 9: "modal"}
        parts = [names.get(kind, f"{first.method} message") if kind is not None else f"{first.method} message"]
        if kind == 8:
            parts.append(f"{len(body.get('choices') or [])} choices")
        if (body.get("flags") or 0) & 64:
            parts.append("ephemeral")
        if body.get("embeds"):
            parts.append(f"{len(body['embeds'])} embed(s)")
        if body.get("components"):
            parts.append("components")
        return ", ".join(parts)


class Harness:
    def __init__(self, bot: discord.Client, world: wire.World) -> None:
        self.bot = bot
        self.world = world
        self.errors = ErrorLog()
        self.capture: TaskCapture | None = None
        self.user_ids = [world.ids() for _ in range(16)]

    async def start(self, token: str = "bench-token") -> float:
        """Log in (setup_hook, command registration), then READY and GUILD_CREATE. Returns seconds."""
        logging.getLogger().addHandler(self.errors)
        loop = asyncio.get_running_loop()
        self.capture = TaskCapture(loop)
        wire.install(self.bot, self.world)
        started = time.perf_counter()
        await self.bot.login(token)
        state = self.bot._connection
        state.guild_ready_timeout = 0.01
        state.parse_ready(self.world.ready_payload())
        state.parse_guild_create(self.world.guild_create_payload())
        return time.perf_counter() - started

    async def wait_ready(self) -> None:
        await asyncio.wait_for(self.bot.wait_until_ready(), 10)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.bot.close()
        logging.getLogger().removeHandler(self.errors)

    async def run(self, payload: dict[str, Any], *, collect: bool = True) -> Outcome:
        """Feed one INTERACTION_CREATE and wait for the work it started. Returns its cost.

        collect=False for concurrent runs: the HTTP calls are not sorted out per interaction.
        """
        self.world.bind_interaction(payload)
        try:
            return await self._feed(lambda: self.bot._connection.parse_interaction_create(payload), collect)
        finally:
            self.world.tokens.pop(payload["token"], None)

    async def run_message(self, payload: dict[str, Any]) -> Outcome:
        """Feed one MESSAGE_CREATE (a member talking to the bot) and wait for the work it started."""
        return await self._feed(lambda: self.bot._connection.parse_message_create(payload), True)

    async def _feed(self, parse: Callable[[], None], collect: bool) -> Outcome:
        assert self.capture is not None
        if collect:
            self.world.calls = []
        captured: list[asyncio.Task[Any]] = []
        self.capture.capturing = captured
        started = time.perf_counter()
        try:
            parse()
        finally:
            self.capture.capturing = None
        if captured:
            await asyncio.gather(*captured, return_exceptions=True)
        elapsed = time.perf_counter() - started
        if not collect:
            return Outcome(elapsed)
        calls, self.world.calls = self.world.calls, []
        return Outcome(elapsed, calls)

    async def wait_message(self, channel_id: int, predicate: Callable[[dict[str, Any]], bool],
                           limit: float = 30.0) -> dict[str, Any]:
        """The next message the bot posts or edits in the channel that matches (or the current one)."""
        current = self.world.last_message(channel_id)
        if current is not None and predicate(current):
            return current
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def watch(message: dict[str, Any]) -> None:
            if int(message["channel_id"]) == channel_id and predicate(message) and not future.done():
                future.set_result(message)

        self.world.watchers.append(watch)
        try:
            deadline = time.perf_counter() + limit
            while not future.done():
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"no matching message in channel {channel_id}")
                # wait on the future, but wake now and then (the loop clock may jump)
                await asyncio.wait([future], timeout=0.05)
            return future.result()
        finally:
            self.world.watchers.remove(watch)

    def user(self, i: int) -> int:
        while i >= len(self.user_ids):
            self.user_ids.append(self.world.ids())
        return self.user_ids[i]


class LagSampler:
    """Sleeps `interval` again and again and records how late each wake-up was."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            # A jump of the loop clock wakes the sleeper early: count that as no lag.
            self.lags.append(max(0.0, time.perf_counter() - before - self.interval))

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median": statistics.median(values) if values else float("nan"),
            "p99": percentile(values, 99), "max": max(values) if values else float("nan"),
            "mean": statistics.fmean(values) if values else float("nan")}


async def settle(rounds: int = 20) -> None:
    """Let callbacks scheduled by a clock jump run (timers, then what they wake)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


Scenario = Callable[[Harness, int], dict[str, Any]]
