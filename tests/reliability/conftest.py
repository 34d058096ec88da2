"""Load-test tools: a real event-loop lag meter, and interactions dispatched in the same instant.

Loop lag under SimCord: a sampler task (sleep on the loop clock, compare with `perf_counter`) does
not work, SimCord virtualises its sleeps. Instead `LoopLag` times every callback the loop runs
(`asyncio.events.Handle._run`, pure Python in 3.11; every Task step and timer goes through it): the
longest one is the longest the loop was blocked. Nested runs (SimCord fires due virtual timers from
inside its own step) are counted once, each for its own time.

Same-instant clicks: SimCord's actor API refuses overlapping operations ("operation overlaps active
click"), even under `asyncio.gather`. `dispatch_at_once` does what `member.click` does below
that guard (SimCord's own helpers build the authentic INTERACTION_CREATE payload, with the member's
permissions computed now), emits every payload before the bot runs any of them, then settles once.
(`click` and `slash` below build them; `dispatch_at_once` sends them.)
discord.py turns each into its own task, so all of them are pending together and interleave at
every await of the bot.
"""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import dataclass

import pytest
from simcord import actors as sim_actors
from simcord import interactions as sim_interactions
from simcord.backend import serializers
from simcord.builders import ChannelHandle
from simcord.enums import AppCommandType, ComponentType, InteractionType
from simcord.results import InteractionResult

LAG_LIMIT = 0.100  # seconds: the bound on any single block of the event loop


def swallowed(env, cursor: int) -> list[BaseException]:
    """Errors that reached the tree's on_error since `cursor` (SimCord records even handled ones)."""
    found = [getattr(e, "original", e) for e in env.errors_since(cursor)]
    _ = env.errors  # reading it acknowledges them: they were handled on purpose
    return found


def _callback_of(handle: asyncio.Handle):
    callback = getattr(handle, "_callback", None)
    for _ in range(5):  # SimCord wraps tracked callbacks, remembering the original
        inner = getattr(callback, "__simcord_original_callback__", None)
        if inner is None:
            break
        callback = inner
    return callback


def _task_of(handle: asyncio.Handle) -> asyncio.Task | None:
    owner = getattr(_callback_of(handle), "__self__", None)
    return owner if isinstance(owner, asyncio.Task) else None


def describe(handle: asyncio.Handle) -> str:
    task = _task_of(handle)
    if task is None:
        callback = _callback_of(handle)
        name = getattr(callback, "__qualname__", None) or repr(callback)
        module = getattr(callback, "__module__", "")
        args = ", ".join(repr(a)[:160] for a in getattr(handle, "_args", ()) or ())
        return f"callback {module}.{name}({args})"[:500]
    coro = task.get_coro()
    frame = getattr(coro, "cr_frame", None)
    where = f" at {frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno}" if frame else ""
    return f"task {task.get_name()} {getattr(coro, '__qualname__', coro)!r}{where}"


@dataclass
class Slow:
    wall: float            # the callback's own wall time (perf_counter)
    cpu: float             # the loop thread's CPU time in it (thread_time)
    gc: float              # CPU time of garbage collections that ran inside it
    what: str
    bot: bool              # run for the bot (its tasks and callbacks), not by the test or SimCord

    @property
    def work(self) -> float:
        """What the code of the callback itself cost: CPU time without the collector's."""
        return max(0.0, self.cpu - self.gc)

    def __str__(self) -> str:
        return (f"{self.wall * 1000:.1f} ms wall (cpu {self.cpu * 1000:.1f}, gc {self.gc * 1000:.1f})"
                f"{' bot' if self.bot else ''} {self.what}")


class Top:
    """The n largest by a key."""

    def __init__(self, key, n: int = 5) -> None:
        self.key, self.n, self.items = key, n, []

    def offer(self, value: float, make) -> None:
        if len(self.items) >= self.n and value <= self.key(self.items[-1]):
            return
        self.items.append(make())
        self.items.sort(key=lambda s: -self.key(s))
        del self.items[self.n:]

    @property
    def max(self) -> float:
        return self.key(self.items[0]) if self.items else 0.0


class LoopLag:
    """Every loop callback's own time (nested runs counted once, each for its own time).

    `by_wall`: the longest any callback held the loop by the wall clock, whoever ran it. On a
    shared machine this includes time the loop thread was descheduled (other processes) or
    waiting for the GIL (worker threads: aiosqlite, `asyncio.to_thread`).
    `bot_work`: the bot's own callbacks by the CPU time their code took (without the garbage
    collector, which runs inside whatever callback happens to allocate): the figure asserted.
    `gc`: the longest single garbage collection."""

    def __init__(self, bot_tasks) -> None:
        self.bot_tasks = bot_tasks           # SimCord's bot-owned tasks (env._work.tasks)
        self.count = 0
        self.by_wall = Top(lambda s: s.wall)
        self.bot_work = Top(lambda s: s.work)
        self.gc_max = 0.0

    def is_bot(self, handle: asyncio.Handle) -> bool:
        task = _task_of(handle)
        if task is not None:
            return self.bot_tasks is not None and task in self.bot_tasks
        # SimCord wraps the callbacks bot code schedules (call_soon/call_later) to track them.
        return hasattr(getattr(handle, "_callback", None), "__simcord_original_callback__")

    def record(self, handle: asyncio.Handle, wall: float, cpu: float, gc_cpu: float) -> None:
        self.count += 1
        bot = self.is_bot(handle)

        def make() -> Slow:
            return Slow(wall, cpu, gc_cpu, describe(handle), bot)

        self.by_wall.offer(wall, make)
        if bot:
            self.bot_work.offer(max(0.0, cpu - gc_cpu), make)

    @property
    def max(self) -> float:
        """The bot's longest callback by its own CPU work (seconds)."""
        return self.bot_work.max

    @property
    def worst(self) -> list[Slow]:
        return self.bot_work.items

    def report(self) -> str:
        return (f"{self.count} callbacks; bot work max {self.bot_work.max * 1000:.1f} ms: "
                + "; ".join(map(str, self.bot_work.items[:3]))
                + f" | wall max {self.by_wall.max * 1000:.1f} ms: " + "; ".join(map(str, self.by_wall.items[:3]))
                + f" | longest gc {self.gc_max * 1000:.1f} ms")

    def assert_below(self, limit: float = LAG_LIMIT) -> None:
        assert self.count > 0 and self.bot_work.items
        assert self.max < limit, f"the bot blocked the event loop {self.max * 1000:.0f} ms: {self.report()}"


@pytest.fixture
def loop_lag(simcord_env):
    """Times every event-loop callback from here to the end of the test (after the bot started)."""
    lag = LoopLag(getattr(getattr(simcord_env, "_work", None), "tasks", None))
    original = asyncio.events.Handle._run
    perf, cpu_clock = time.perf_counter, time.thread_time
    collector = {"since": 0.0, "total": 0.0}
    stack: list[list[float]] = []     # per running callback: [inner wall, inner cpu, inner gc]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            collector["since"] = cpu_clock()
        else:
            spent = cpu_clock() - collector["since"]
            collector["total"] += spent
            lag.gc_max = max(lag.gc_max, spent)

    def timed_run(handle):
        start, cpu_start, gc_start = perf(), cpu_clock(), collector["total"]
        stack.append([0.0, 0.0, 0.0])
        try:
            return original(handle)
        finally:
            wall, cpu, gc_cpu = perf() - start, cpu_clock() - cpu_start, collector["total"] - gc_start
            inner = stack.pop()
            if stack:
                for i, value in enumerate((wall, cpu, gc_cpu)):
                    stack[-1][i] += value
            lag.record(handle, wall - inner[0], cpu - inner[1], gc_cpu - inner[2])

    asyncio.events.Handle._run = timed_run
    gc.callbacks.append(on_gc)
    try:
        yield lag
    finally:
        asyncio.events.Handle._run = original
        gc.callbacks.remove(on_gc)
        print(f"\nloop lag: {lag.report()}")  # shown with pytest -s


@dataclass
class Prepared:
    """One interaction as SimCord's actor verbs would build it, not yet dispatched."""

    member: object
    channel: ChannelHandle
    type: int
    data: dict
    extra: dict | None = None
    source_message_id: int | None = None


def click(member, message, custom_id: str) -> Prepared:
    """What `member.click(message, custom_id=...)` dispatches (same checks: visible, enabled)."""
    env = member._env
    stored = sim_actors._visible_message(member, message)
    button = sim_actors._find_component(stored.components, types=(ComponentType.BUTTON,),
                                        custom_id=custom_id, label=None)
    data = {"custom_id": button["custom_id"], "component_type": ComponentType.BUTTON}
    if button.get("id") is not None:
        data["id"] = button["id"]
    channel = ChannelHandle(env, member.guild, env.backend.get_channel(stored.channel_id))
    return Prepared(member, channel, InteractionType.MESSAGE_COMPONENT, data,
                    {"message": dict(serializers.message_payload(env.backend, stored))}, stored.id)


def slash(member, channel: ChannelHandle, name: str, /, **options) -> Prepared:
    """What `member.slash(channel, name, **options)` dispatches (same visibility and option checks)."""
    member._check(channel, "view_channel")
    sim_actors._check_actor_channel(member, channel)
    parts = name.split()
    root = sim_actors._resolve_visible_command(member, channel.id, parts[0], AppCommandType.CHAT_INPUT)
    leaf, nesting = sim_interactions.walk_to_subcommand(root, parts[1:])
    leaf_options, resolved = sim_interactions.build_options(member, name, leaf, options, channel_id=channel.id)
    data = {"id": root["id"], "name": root["name"], "type": root.get("type", AppCommandType.CHAT_INPUT),
            "options": sim_interactions.nest_options(root, nesting, leaf_options)}
    if resolved:
        data["resolved"] = resolved
    if root.get("guild_id"):
        data["guild_id"] = root["guild_id"]
    return Prepared(member, channel, InteractionType.APPLICATION_COMMAND, data)


async def dispatch_at_once(env, prepared: list[Prepared]) -> tuple[list[InteractionResult], int]:
    """Emit every interaction before the bot handles any of them, then let the bot settle.

    Returns the results (in order) and how many new tasks were pending together right after
    the emission, before any of them ran."""
    backend = env.backend
    env._begin_operation("click")  # SimCord's own guard: no other actor operation meanwhile
    try:
        payloads, records = [], []
        for p in prepared:
            sim_actors._check_actor_channel(p.member, p.channel)
            record, payload = sim_interactions.base_payload(
                backend, type=p.type, channel_id=p.channel.id, guild_id=p.member.guild.id,
                user_id=p.member.id, data=p.data)
            if p.extra:
                payload.update(p.extra)
            if p.source_message_id is not None:
                record.source_message_id = p.source_message_id
            env._notify_dispatch_observers(record)
            payloads.append(payload)
            records.append(record)
        before = len(asyncio.all_tasks())
        for payload in payloads:
            backend.emit("INTERACTION_CREATE", payload)
        pending = len(asyncio.all_tasks()) - before
        await env._settle_internal(dispatch="INTERACTION_CREATE")
    finally:
        env._end_operation()
    return [InteractionResult(env, record) for record in records], pending
