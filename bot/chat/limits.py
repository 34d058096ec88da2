"""How often the bot answers chat: per member and per channel, over a sliding window on a clock the
caller passes in (the event loop's, so SimCord's `advance_time` moves it).

Two bots that answer each other, or a flood of mentions, meet the channel's limit and then
silence; nothing is queued. Memory stays bounded: windows that ended are forgotten."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rate:
    count: int       # answers allowed …
    seconds: float   # … within this many seconds


MEMBER_RATE = Rate(5, 30.0)     # a member chatting quickly still gets answers; a script does not
CHANNEL_RATE = Rate(12, 60.0)   # a whole channel flooding the bot: at most one answer every 5 s on average


class SlidingLimit:
    """At most `rate.count` hits per key within any `rate.seconds`."""

    def __init__(self, rate: Rate, keys_max: int = 10_000) -> None:
        self.rate = rate
        self._hits: dict[Hashable, deque[float]] = {}
        self._keys_max = keys_max

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._keys_max:
                self.prune(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.rate.seconds:
            hits.popleft()
        return hits

    def allows(self, key: Hashable, now: float) -> bool:
        return len(self._recent(key, now)) < self.rate.count

    def hit(self, key: Hashable, now: float) -> None:
        self._recent(key, now).append(now)

    def prune(self, now: float) -> None:
        cutoff = now - self.rate.seconds
        self._hits = {key: hits for key, hits in self._hits.items() if hits and hits[-1] > cutoff}

    def __len__(self) -> int:
        return len(self._hits)


class ChatLimits:
    """The member's and the channel's limits together: an answer counts against both, and is
    allowed only when both allow it."""

    def __init__(self, member: Rate = MEMBER_RATE, channel: Rate = CHANNEL_RATE) -> None:
        self.members = SlidingLimit(member)
        self.channels = SlidingLimit(channel)

    def take(self, channel_id: int, member_id: int, now: float) -> bool:
        """True (and counted) when the bot may answer this member in this channel now."""
        if not (self.members.allows(member_id, now) and self.channels.allows(channel_id, now)):
            return False
        self.members.hit(member_id, now)
        self.channels.hit(channel_id, now)
        return True
