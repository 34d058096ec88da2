"""Everyday words for moods ("sad", "happy", "calm", "love", 슬픈, 설렘 ...) mapped to the catalog's
mood and style tags, so `/random mood: sad` finds the heartbreak and tragic songs.

A word stands for every tag in its group that the catalog actually has; an exact catalog tag
always wins over a word.
"""

from __future__ import annotations

from .text import compact

_GROUPS: dict[str, tuple[str, ...]] = {
    "sad": ("heartbreak", "tragic", "poignant", "bittersweet", "angst", "desperate"),
    "happy": ("bright", "playful", "hopeful", "fluttering"),
    "calm": ("soothing", "tender", "healing", "soft ballad"),
    "love": ("romantic", "devoted", "fluttering", "tender"),
    "longing": ("longing", "yearning"),
    "dramatic": ("dramatic", "haunting", "power ballad", "orchestral"),
    "emotional": ("emotional", "sentimental", "heartfelt", "poignant"),
}
_WORDS: dict[str, str] = {
    # English
    "sad": "sad", "sadness": "sad", "sorrow": "sad", "sorrowful": "sad", "crying": "sad", "cry": "sad",
    "tears": "sad", "breakup": "sad", "heartbroken": "sad", "melancholy": "sad", "melancholic": "sad",
    "depressing": "sad", "happy": "happy", "happiness": "happy", "cheerful": "happy", "upbeat": "happy",
    "fun": "happy", "joyful": "happy", "joy": "happy", "excited": "happy", "calm": "calm", "relaxing": "calm",
    "relax": "calm", "chill": "calm", "peaceful": "calm", "quiet": "calm", "gentle": "calm", "soft": "calm",
    "love": "love", "loving": "love", "romance": "love", "lovely": "love", "sweet": "love", "miss": "longing",
    "missing": "longing", "lonely": "longing", "nostalgic": "longing", "epic": "dramatic", "intense": "dramatic",
    "moving": "emotional", "touching": "emotional", "feels": "emotional",
    # Korean
    "슬픈": "sad", "슬픔": "sad", "우울": "sad", "우울한": "sad", "이별": "sad", "눈물": "sad", "행복": "happy",
    "행복한": "happy", "신나는": "happy", "즐거운": "happy", "밝은노래": "happy", "잔잔한": "calm", "차분한": "calm",
    "편안한노래": "calm", "사랑": "love", "사랑노래": "love", "로맨스": "love", "달달한": "love", "설렘": "love",
    "설레는": "love", "설레": "love",
    "그리운": "longing", "보고싶은": "longing", "외로운": "longing", "웅장한": "dramatic", "감동": "emotional",
    "감동적인": "emotional", "감성": "emotional",
}
_BY_COMPACT = {compact(word): group for word, group in _WORDS.items()}


def mood_group(text: str) -> str | None:
    """The mood word ("sad") a user's text stands for, or None."""
    return _BY_COMPACT.get(compact(text))


def tags_for(value: str, known: set[str]) -> tuple[str, ...]:
    """The catalog tags a /random mood filter stands for: the tag itself when the catalog has it,
    else the tags of its mood word that the catalog has (none when neither)."""
    if value in known:
        return (value,)
    group = _GROUPS.get(value) or _GROUPS.get(mood_group(value) or "")
    return tuple(tag for tag in group or () if tag in known)
