"""Per-user cooldown bookkeeping on a caller's clock."""

from __future__ import annotations

from bot.cooldowns import Cooldowns


def test_cooldown_starts_on_use_and_ends_on_time():
    c = Cooldowns()
    assert c.hit("alice", 30, now=100.0) == 0
    assert c.hit("alice", 30, now=110.0) == 20
    assert c.hit("bob", 30, now=110.0) == 0
    assert c.hit("alice", 30, now=130.0) == 0  # exactly over
    assert c.retry_after("alice", 131.0) == 29


def test_zero_means_no_cooldown_and_nothing_is_kept():
    c = Cooldowns()
    for t in range(5):
        assert c.hit("alice", 0, now=float(t)) == 0
    assert len(c) == 0


def test_expired_keys_are_forgotten():
    c = Cooldowns(prune_every=10)
    for i in range(10):
        c.hit(i, 5, now=float(i))
    assert len(c) <= 5
