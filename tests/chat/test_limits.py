"""Chat limits on a clock the test moves: per member, per channel, and memory that stays bounded."""

from __future__ import annotations

from bot.chat.limits import ChatLimits, Rate, SlidingLimit


def test_a_member_gets_count_answers_per_window_then_silence_until_it_slides():
    limits = ChatLimits(member=Rate(3, 10.0), channel=Rate(100, 10.0))
    assert [limits.take(1, 7, now) for now in (0, 1, 2, 3)] == [True, True, True, False]
    assert limits.take(1, 8, 3)  # another member
    assert not limits.take(1, 7, 9.9)
    assert limits.take(1, 7, 10.5)  # the first answer left the window


def test_a_channel_limit_holds_across_members_and_a_refusal_counts_nothing():
    limits = ChatLimits(member=Rate(5, 10.0), channel=Rate(2, 10.0))
    assert [limits.take(1, member, 0) for member in (1, 2, 3)] == [True, True, False]
    assert limits.take(2, 3, 0)  # another channel
    assert len(limits.members._recent(3, 0)) == 1  # member 3's refusal in channel 1 did not count


def test_forgotten_keys_keep_memory_bounded():
    limit = SlidingLimit(Rate(1, 1.0), keys_max=100)
    for key in range(1000):
        limit.hit(key, float(key))
    assert len(limit) <= 101
