"""What a chat message asks for: a rule-based reading of its text, in English, Korean or a mix.

No language model and no network: a few phrase rules ("who sang …", "… like …", "… 같은", "… OST",
"… 노래"), the mood words the catalog already knows (`moods`), and what is left is a name for the
catalog's own matcher (exact, prefix, words, then typos, as `/ost` does). The reader of the result
resolves the name; this module only says what kind of request it is and which part is the name.

Bounded work on any text: the message is cut to `TEXT_MAX` characters first, and every pattern is
linear (anchored alternations of fixed words, no nested repetition).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..catalog import moods
from ..catalog.search import EXACT
from ..catalog.text import compact, normalize

if TYPE_CHECKING:
    from ..catalog.service import CatalogService

TEXT_MAX = 300         # longer messages are read from their start only
ROUNDS_MAX = 20

Kind = Literal["lookup", "recommend", "random", "quiz", "help", "another", "like_this", "unknown"]

# Discord's own markup: user, role and channel mentions, @everyone/@here, custom emoji.
_MARKUP = re.compile(r"<(?:@[!&]?|#)\d{1,20}>|@(?:everyone|here)\b|<a?:\w{1,32}:\d{1,20}>", re.IGNORECASE)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z]")

# Whole-message phrases (compared after `compact`, so spacing and punctuation never matter).
_HELP = {compact(p): lang for p, lang in {
    "help": "en", "help me": "en", "what can you do": "en", "what do you do": "en", "commands": "en",
    "how does this work": "en", "how do i use you": "en", "도움말": "ko", "도움": "ko", "도와줘": "ko",
    "사용법": "ko", "명령어": "ko", "뭐 할 수 있어": "ko", "뭘 할 수 있어": "ko", "뭐 해": "ko",
}.items()}
_ANOTHER = {compact(p): lang for p, lang in {
    "another": "en", "another one": "en", "one more": "en", "more": "en", "again": "en", "next": "en",
    "another song": "en", "one more please": "en", "another please": "en", "more please": "en",
    "더": "ko", "하나 더": "ko", "한 곡 더": "ko", "한곡 더": "ko", "다른 거": "ko", "다른거": "ko", "또": "ko",
    "다른 노래": "ko", "다른 곡": "ko", "더 줘": "ko", "다른 거 줘": "ko", "한 번 더": "ko", "더 추천해줘": "ko",
}.items()}
_LIKE_THIS = {compact(p): lang for p, lang in {
    "like this": "en", "more like this": "en", "songs like this": "en", "something like this": "en",
    "similar": "en", "similar songs": "en", "more like that": "en", "like that": "en",
    "이런 노래 더": "ko", "이런 노래": "ko", "이런 거": "ko", "이런거": "ko", "이런 거 더": "ko", "비슷한 노래": "ko",
    "비슷한 거": "ko", "이런 노래 더 추천해줘": "ko", "비슷한 노래 추천해줘": "ko", "이런 곡 더": "ko",
}.items()}
_RANDOM_ALONE = {compact(p): lang for p, lang in {
    "surprise me": "en", "random": "en", "random song": "en", "anything": "en", "any song": "en",
    "pick one": "en", "pick a song": "en", "play something": "en", "something": "en", "a song": "en",
    "recommend something": "en", "recommend a song": "en", "give me a song": "en", "a random song": "en",
    "아무거나": "ko", "아무 노래": "ko", "아무노래나": "ko", "아무 노래나": "ko", "랜덤": "ko", "추천해줘": "ko",
    "노래 추천해줘": "ko", "노래 추천": "ko", "추천": "ko", "한 곡": "ko", "골라줘": "ko", "아무거나 골라줘": "ko",
}.items()}

def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words around a request that are not part of a name (matched on normalised words).
_FILLER_EN = _set(
    "please pls plz can could you would i want need give me show find play a an the some one ones song songs "
    "track tracks music something anything recommend recommendation suggest hey hi hello yo ost osts "
    "tell about look up search for")
_FILLER_KO = _set(
    "좀 줘 주세요 해줘 해 줘요 알려줘 알려 찾아줘 찾아 보여줘 추천해줘 추천해 추천 추천좀 노래 노래들 곡 곡들 "
    "하나 한 듣고 싶어 싶은 들려줘 틀어줘 ost 오에스티 뭐야 뭐 있어 있나")
_THIS = frozenset(("this", "that", "it", "this one", "that one"))
# At the end of a name only these go: "stay with me" keeps its "me", "goblin song please" loses two words.
_TRAIL_EN = _set("please pls plz song songs track tracks music ost osts ones one")
_RANDOM_WORDS = _set("random surprise anything any 아무거나 아무 랜덤 무작위")
_QUIZ = re.compile(r"\b(?:quiz|trivia)\b|퀴즈", re.IGNORECASE)
_ROUNDS = re.compile(r"(\d{1,3})\s*(?:rounds?|questions?|qs?\b|문제|라운드|판|개)?")
# "something sad like Stay with Me", "songs like Orbit", "similar to Goblin"
_LIKE_EN = re.compile(r"^(?P<before>.*?)\b(?:like|similar to|same as|in the style of)\s+(?P<name>.+)$",
                      re.IGNORECASE)
# "도깨비 같은 슬픈 노래", "도깨비랑 비슷한 노래", "도깨비처럼"
_LIKE_KO = re.compile(r"^(?P<name>.+?)\s*(?:(?:이)?랑|와|과)?\s*(?:같은|같이|비슷한|처럼|스러운|느낌)(?P<after>.*)$")
_WHO_SANG = re.compile(r"^(?:who\s+(?:sang|sings|sung)|who's\s+the\s+singer\s+of|singer\s+of)\s+(?P<name>.+)$",
                       re.IGNORECASE)
_FROM = re.compile(r"^(?P<before>.*?)\b(?:from|by|in)\s+(?P<name>.+)$", re.IGNORECASE)
# Korean endings that say which kind of entry a name is: "… OST" (a drama), "… 노래" (a singer),
# "… 드라마" (an actor's dramas, or a drama).
_KO_SUFFIX = re.compile(r"^(?P<name>.+?)\s*(?P<suffix>ost|오에스티|노래|곡|드라마|의\s*노래|가\s*부른\s*노래)"
                        r"(?:\s*(?:뭐야|뭐\s*있어|알려줘|찾아줘|보여줘|좀|줘|들))*$", re.IGNORECASE)
_SUFFIX_KINDS = {"ost": ("drama", "song"), "오에스티": ("drama", "song"), "노래": ("artist", "drama", "actor"),
                 "곡": ("artist", "drama"), "드라마": ("actor", "drama"), "의노래": ("artist", "drama"),
                 "가부른노래": ("artist",)}


@dataclass(frozen=True, slots=True)
class Intent:
    kind: Kind
    subject: str = ""                         # the name to look up, recommend from, or filter by
    mood: str | None = None                   # a mood word's group ("sad"), for random picks and recommendations
    rounds: int | None = None                 # a quiz's rounds, when the message says
    kinds: tuple[str, ...] = ()               # the kinds of entry the name most likely is, best first
    language: str | None = None               # "en" or "ko" when the message is clearly in one


def strip_markup(text: str) -> str:
    """The message without mentions, @everyone/@here and custom emoji."""
    return " ".join(_MARKUP.sub(" ", text[:TEXT_MAX * 2]).split())[:TEXT_MAX]


def message_language(text: str, grammar: str | None = None) -> str | None:
    """"ko" or "en" when the message is clearly in one language, else None (the server's then).

    The request's own words (`grammar`: the language of the phrase rules that matched) decide
    first; names are in either script, so "도깨비 OST" is Korean and "songs like 도깨비" English.
    Without such words, the letters do: a Hangul syllable counts as much as three Latin letters,
    and one side needs twice the other's weight."""
    if grammar is not None:
        return grammar
    hangul = 3 * len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul and hangul >= 2 * latin:
        return "ko"
    if latin and latin >= 2 * hangul:
        return "en"
    return None


def _words_language(words: list[str]) -> str | None:
    """The language of the filler words a message used, when they agree."""
    found = {"en" if w in _FILLER_EN else "ko" for w in words if w in _FILLER_EN or w in _FILLER_KO}
    return found.pop() if len(found) == 1 else None


def _mood_of(words: list[str]) -> tuple[str | None, list[str]]:
    """The first mood word among `words` and the words without it (and without other mood words)."""
    mood = None
    rest = []
    for word in words:
        group = moods.mood_group(word) or moods.mood_group(word.rstrip("한은는"))
        if group is not None:
            mood = mood or group
        else:
            rest.append(word)
    return mood, rest


def _name(words: list[str]) -> str:
    """The words of a name, with filler at either end dropped (not inside: "Stay with Me")."""
    start, end = 0, len(words)
    while start < end and (words[start] in _FILLER_EN or words[start] in _FILLER_KO
                           or words[start] in _RANDOM_WORDS):
        start += 1
    while end > start and (words[end - 1] in _TRAIL_EN or words[end - 1] in _FILLER_KO
                           or words[end - 1] in _RANDOM_WORDS):
        end -= 1
    return " ".join(words[start:end])


def _quiz(text: str, lang: str | None) -> Intent:
    rounds = None
    for found in _ROUNDS.finditer(text):
        rounds = max(1, min(int(found[1]), ROUNDS_MAX))
        break
    grammar = "ko" if "퀴즈" in text else "en"
    return Intent("quiz", rounds=rounds, language=lang or message_language(text, grammar))


def _whole(key: str) -> Intent | None:
    """Messages that are one fixed phrase: help, another, like this, a bare random pick."""
    for table, kind in ((_HELP, "help"), (_ANOTHER, "another"), (_LIKE_THIS, "like_this"),
                        (_RANDOM_ALONE, "random")):
        if key in table:
            return Intent(kind, language=table[key])  # type: ignore[arg-type]
    return None


def _recommend(text: str) -> Intent | None:
    found = _LIKE_EN.match(text)
    if found is not None and normalize(found["name"]):
        mood, _ = _mood_of(normalize(found["before"]).split())
        mood_after, name_words = _mood_of(normalize(found["name"]).split())
        subject = _name(name_words)
        if subject in _THIS:
            return Intent("like_this", language="en")
        if subject:
            return Intent("recommend", subject=subject, mood=mood or mood_after, kinds=("song", "drama"),
                          language=message_language(text, "en"))
    found = _LIKE_KO.match(text)
    if found is not None:
        mood_before, name_words = _mood_of(normalize(found["name"]).split())
        mood, _ = _mood_of(normalize(found["after"]).split())
        subject = _name(name_words)
        if subject:
            return Intent("recommend", subject=subject, mood=mood or mood_before, kinds=("song", "drama"),
                          language=message_language(text, "ko"))
    return None


def _lookup_phrases(text: str) -> Intent | None:
    found = _WHO_SANG.match(text)
    if found is not None and (subject := _name(normalize(found["name"]).split())):
        return Intent("lookup", subject=subject, kinds=("song", "drama"), language="en")
    found = _KO_SUFFIX.match(text)
    if found is not None:
        mood, words = _mood_of(normalize(found["name"]).split())
        subject = _name(words)
        suffix = compact(found["suffix"])
        if not subject:
            return None
        if mood is not None or any(w in _RANDOM_WORDS for w in normalize(text).split()):
            return Intent("random", subject=subject, mood=mood, kinds=("drama", "artist"),
                          language=message_language(text, "ko"))
        grammar = "ko" if suffix != "ost" or _HANGUL.search(text) else None
        return Intent("lookup", subject=subject, kinds=_SUFFIX_KINDS.get(suffix, ()),
                      language=message_language(text, grammar))
    return None


def parse(text: str) -> Intent:
    """What the message asks for. Never raises; `unknown` when it is none of the requests."""
    text = strip_markup(text)
    key = compact(text)
    if not key:
        return Intent("unknown", language=message_language(text))
    if (whole := _whole(key)) is not None:
        return whole
    if _QUIZ.search(text):
        return _quiz(text, None)
    for rule in (_recommend, _lookup_phrases):
        if (found := rule(text)) is not None:
            return found
    words = normalize(text).split()
    mood, rest = _mood_of(words)
    randomly = any(w in _RANDOM_WORDS for w in words) or key in ("surpriseme",)
    lang = message_language(text, _words_language(words))
    from_part = _FROM.match(" ".join(rest))
    if (mood is not None or randomly) and from_part is not None and (subject := _name(from_part["name"].split())):
        return Intent("random", subject=subject, mood=mood, kinds=("drama", "artist"), language=lang)
    subject = _name(rest)
    if mood is not None or randomly:
        kinds = ("drama", "artist") if subject else ()
        return Intent("random", subject=subject, mood=mood, kinds=kinds, language=lang)
    if subject:
        return Intent("lookup", subject=subject, language=lang)
    return Intent("unknown", language=lang)


async def named_outright(intent: Intent, text: str, catalog: CatalogService, guild_id: int | None,
                         kinds: Sequence[str]) -> Intent:
    """A pick or a recommendation whose whole text is exactly one of the catalog's names (of `kinds`)
    asks for that entry instead: "This Love" is a song, not the mood "love"."""
    if intent.kind not in ("random", "recommend"):
        return intent
    text = strip_markup(text)
    matches = await catalog.search(text, guild_id, kinds, best_only=True)
    if matches and matches[0].tier == EXACT:
        return Intent("lookup", subject=text, language=intent.language)
    return intent
