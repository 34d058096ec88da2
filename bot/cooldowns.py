"""Per-user cooldown bookkeeping, on a clock the caller passes in (the event loop's).

No discord import: the command tree asks `Cooldowns.hit(key, seconds, now)` with
`loop.time()`, so SimCord's `advance_time` moves cooldowns along with every other timer.
"""

from __future__ import annotations

from collections.abc import Hashable


class Cooldowns:
    """Remembers when each key last started a cooldown; forgets keys that expired."""

    def __init__(self, prune_every: int = 1024) -> None:
        self._until: dict[Hashable, float] = {}
        self._prune_every = prune_every
        self._hits = 0

    def retry_after(self, key: Hashable, now: float) -> float:
        """Seconds until `key` may act again (0 when it may act now)."""
        return max(0.0, self._until.get(key, 0.0) - now)

    def hit(self, key: Hashable, seconds: float, now: float) -> float:
        """Try to act: 0 and the cooldown starts, or the seconds left and nothing changes.

        `seconds <= 0` means no cooldown; nothing is remembered then.
        """
        if seconds <= 0:
            return 0.0
        left = self.retry_after(key, now)
        if left > 0:
            return left
        self._until[key] = now + seconds
        self._hits += 1
        if self._hits % self._prune_every == 0:
            self.prune(now)
        return 0.0

    def prune(self, now: float) -> None:
        self._until = {key: until for key, until in self._until.items() if until > now}

    def __len__(self) -> int:
        return len(self._until)
