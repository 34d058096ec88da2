"""Matching and ranking for look-ups: exact and prefix names first, then word matches (full-text
for songs), then typo-tolerant fuzzy matches.

Plain Python over data handed in by the caller; the store runs the SQL tiers (exact, prefix,
FTS) and the in-memory `NameIndex` here covers word and fuzzy matching of names. Every query
goes through `bot.catalog.text.normalize`, so case, spacing, punctuation, accents and
zero-width or bidi characters never matter.
"""

from __future__ import annotations

import array
import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .text import compact, is_spaced_freely, normalize, spaced_words

KINDS = ("song", "drama", "artist", "actor")
EXACT, PREFIX, WORDS, FUZZY = range(4)
MAX_QUERY_WORDS = 8
FTS_MIN_CHARS = 3         # one or two letters: names (exact, prefix, words) answer; full text would scan
FUZZY_CUTOFF = 82.0       # a typo or two in a whole name
SUGGEST_CUTOFF = 72.0     # "did you mean": looser than a match, yet close ("song joong ki" is not Ha Sung-woon)
SUGGEST_PART_MIN = 5      # a query this long (compact) may be suggested the names that start or end with it
STRONG_FUZZY_MARGIN = 4.0
ABSENT, SHIPPED = -1, 0     # NameIndex owners: no such entry; shipped (every server sees it)
ONE_TYPO_MAX = 2000        # one-typo candidates read before falling back to the letter buckets

_REF = re.compile(r"^(song|drama|artist|actor):(\d{1,18})$")
# Discord mentions (@everyone, @here, <@123>, <#123>, <@&123>) are not names anyone looks for.
_MENTION = re.compile(r"^\s*(?:@(?:everyone|here)\b|<(?:@[!&]?|#)\d+>)", re.IGNORECASE)
_ASCII_DROP = re.compile(r"[\x00-\x1f\x7f'`]")
_ASCII_SPACE = re.compile(r"[^a-z0-9]+")


def fast_normalize(text: str) -> str:
    """`normalize`, with a quick path for plain ASCII names (most of a large catalog)."""
    if not text.isascii():
        return normalize(text)
    folded = _ASCII_DROP.sub("", text.lower()).replace("&", " and ")
    return _ASCII_SPACE.sub(" ", folded).strip()


@dataclass(frozen=True, slots=True)
class Match:
    kind: str          # "song", "drama" or "artist"
    id: int
    tier: int          # EXACT, PREFIX, WORDS or FUZZY
    score: float = 0.0  # within a tier: higher is better
    name: str = ""     # the name (or alias) that matched

    @property
    def ref(self) -> str:
        """"song:12": a stable id form, short enough for an autocomplete value."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class NameEntry:
    kind: str
    id: int
    name: str
    guild_id: int | None = None
    is_main: bool = True


def parse_ref(value: str) -> tuple[str, int] | None:
    """"drama:3" -> ("drama", 3); anything else (free text) -> None."""
    match = _REF.match(value.strip())
    return (match[1], int(match[2])) if match else None


def query_words(text: str) -> list[str]:
    """The normalised words of a query, at most MAX_QUERY_WORDS of them."""
    return normalize(text).split()[:MAX_QUERY_WORDS]


def search_words(text: str) -> list[str]:
    """The words of a full-text search (quotes dropped); every one is required, the last one as a
    prefix. The store turns them into its engine's query syntax, quoting each word."""
    return [w for w in (w.replace('"', "") for w in query_words(text)) if w]


NAME_WORDS_MAX = 6         # the longest name looked for in a message, in words
TEXT_WORDS_MAX = 400       # a message's first words only
# Korean particles after a name ("도깨비에서", "백예린의"): the name is tried without them too.
_PARTICLES = ("에서", "으로", "이랑", "한테", "처럼", "까지", "부터", "의", "은", "는", "이", "가", "을", "를", "도",
              "랑", "와", "과", "에", "로", "만")


def name_windows(text: str, longest: int = NAME_WORDS_MAX) -> list[tuple[int, int, str]]:
    """Every run of up to `longest` words of `text` as (first word, word after the last, `compact`
    key), longest first at each start; a run ending in a Korean particle is also tried without it.
    Keys too short to name anything by themselves (one or two Latin letters, one Hangul letter) are
    left out."""
    words = normalize(text[:4000]).split()[:TEXT_WORDS_MAX]
    windows: list[tuple[int, int, str]] = []
    for start in range(len(words)):
        for end in range(min(len(words), start + longest), start, -1):
            key = "".join(words[start:end])
            keys = [key] + [key[:-len(p)] for p in _PARTICLES if key.endswith(p) and len(key) > len(p)]
            windows.extend((start, end, k) for k in keys if len(k) >= (3 if k.isascii() else 2))
    return windows


def fuzzy_cutoff(query: str) -> float | None:
    """Typo tolerance grows with length: none up to 3 characters (so "air" is not "chair")."""
    size = len(compact(query))
    if size <= 3:
        return None
    return 80.0 if size <= 5 else FUZZY_CUTOFF


def merge(tiers: Iterable[Iterable[Match]], limit: int = 25) -> list[Match]:
    """Concatenate ranked tiers, keeping each entry at its best (first) place."""
    seen: set[tuple[str, int]] = set()
    out: list[Match] = []
    for tier in tiers:
        for match in tier:
            key = (match.kind, match.id)
            if key in seen:
                continue
            seen.add(key)
            out.append(match)
            if len(out) >= limit:
                return out
    return out


def rank_names(matches: Iterable[Match]) -> list[Match]:
    """Order one name tier: shorter (closer) names first, then songs, dramas, artists."""
    return sorted(matches, key=lambda m: (-m.score, len(m.name), KINDS.index(m.kind), m.id))


def strong_matches(matches: Sequence[Match]) -> list[Match]:
    """The matches as good as the best one: same exact/prefix/word tier, or a fuzzy score close
    to the best. Several strong matches mean the reply offers the others in a select."""
    if not matches:
        return []
    best = matches[0]
    if best.tier == FUZZY:
        return [m for m in matches if m.tier == FUZZY and m.score >= best.score - STRONG_FUZZY_MARGIN]
    return [m for m in matches if m.tier == best.tier]


def _starting_with(ordered: Sequence[str], prefix: str) -> Iterator[int]:
    """Indexes of the strings in sorted `ordered` that start with `prefix`, in order: a bisection,
    then only the matching run is read (never a scan, whatever the size)."""
    for i in range(bisect.bisect_left(ordered, prefix), len(ordered)):
        if not ordered[i].startswith(prefix):
            return
        yield i


@dataclass(slots=True)
class NameIndex:
    """Every name of every entry, in memory, for word-prefix and fuzzy matching.

    Built once per catalog generation. Word look-ups use a sorted word list (bisect) so a
    keystroke costs a few dictionary reads; fuzzy matching runs in rapidfuzz's C code.
    """

    # One position per name; parallel compact arrays rather than an object per name, so that
    # 100,000 songs (about 190,000 names) fit in tens of megabytes (see BENCHMARKS.md).
    _kinds: bytearray = field(default_factory=bytearray)              # KINDS index
    _ids: array.array[int] = field(default_factory=lambda: array.array("q"))
    _mains: bytearray = field(default_factory=bytearray)              # 1 = the entry's main name
    _names: list[str] = field(default_factory=list)                   # as stored (shown, ranked by length)
    _norms: list[str] = field(default_factory=list)                   # normalised (compared)
    _words: list[str] = field(default_factory=list)
    _postings: dict[str, array.array[int]] = field(default_factory=dict)
    # kind -> (compact names sorted, their positions): exact and prefix look-ups by bisection.
    _compacts: dict[str, tuple[list[str], array.array[int]]] = field(default_factory=dict)
    # kind -> owner by entry id: ABSENT, SHIPPED (0) or the server's id. An array indexed by id; a
    # dict for one server's own entries (a few ids among a big catalog's: `build(sparse=True)`).
    _owners: dict[str, array.array[int] | dict[int, int]] = field(default_factory=dict)
    # Typo buckets: "0x" holds the names whose first letter is x, "1x" those whose second is.
    # A typo query is compared with four buckets, not every name (see `fuzzy`).
    _leads: dict[str, tuple[array.array[int], list[str]]] = field(default_factory=dict)
    # Every compact name reversed, sorted, with its position alongside: "names ending with ...".
    _suffixes: list[str] = field(default_factory=list)
    _suffix_positions: array.array[int] = field(default_factory=lambda: array.array("i"))
    hidden: dict[int, frozenset[int]] = field(default_factory=dict)  # guild -> song ids it hid

    @classmethod
    def build(cls, entries: Iterable[NameEntry], hidden: dict[int, frozenset[int]] | None = None, *,
              sparse: bool = False) -> NameIndex:
        index = cls()
        postings: dict[str, list[int]] = {}
        keys: dict[str, list[str]] = {kind: [] for kind in KINDS}
        places: dict[str, list[int]] = {kind: [] for kind in KINDS}
        leads: dict[str, tuple[list[int], list[str]]] = {}
        owners: dict[str, array.array[int] | dict[int, int]] = {
            kind: {} if sparse else array.array("q") for kind in KINDS}
        for entry in entries:
            known = owners[entry.kind]
            if isinstance(known, array.array) and entry.id >= len(known):
                known.extend([ABSENT] * max(entry.id + 1 - len(known), len(known)))
            known[entry.id] = entry.guild_id or SHIPPED
            norm = fast_normalize(entry.name)
            if not norm:
                continue
            position = len(index._names)
            index._kinds.append(KINDS.index(entry.kind))
            index._ids.append(entry.id)
            index._mains.append(1 if entry.is_main else 0)
            index._names.append(entry.name)
            index._norms.append(norm)
            squeezed = norm.replace(" ", "")
            keys[entry.kind].append(squeezed)
            places[entry.kind].append(position)
            for key in {"0" + squeezed[0], "1" + squeezed[1:2]}:
                bucket = leads.setdefault(key, ([], []))
                bucket[0].append(position)
                bucket[1].append(norm)
            for word in set(spaced_words(norm)):
                postings.setdefault(word, []).append(position)
        for kind in KINDS:
            names, positions = keys.pop(kind), places.pop(kind)
            order = sorted(range(len(names)), key=names.__getitem__)
            index._compacts[kind] = ([names[i] for i in order], array.array("i", (positions[i] for i in order)))
        index._owners = owners
        index._leads = {key: (array.array("i", positions), names) for key, (positions, names) in leads.items()}
        reversed_names = [name[::-1] for names, _ in index._compacts.values() for name in names]
        reversed_positions = [p for _, positions in index._compacts.values() for p in positions]
        order = sorted(range(len(reversed_names)), key=reversed_names.__getitem__)
        index._suffixes = [reversed_names[i] for i in order]
        index._suffix_positions = array.array("i", (reversed_positions[i] for i in order))
        index._postings = {word: array.array("i", found) for word, found in postings.items()}
        index._words = sorted(index._postings)
        index.hidden = dict(hidden or {})
        return index

    def __len__(self) -> int:
        return len(self._names)

    def _match(self, position: int, tier: int, score: float) -> Match:
        return Match(KINDS[self._kinds[position]], self._ids[position], tier, score, self._names[position])

    def sees(self, kind: str, entry_id: int, guild_id: int | None) -> bool:
        """Whether this server can see the entry: shipped or its own, and (songs) not hidden."""
        known = self._owners.get(kind)
        if known is None:
            return False
        if isinstance(known, dict):
            owner = known.get(entry_id, ABSENT)
        elif 0 <= entry_id < len(known):
            owner = known[entry_id]
        else:
            return False
        if owner == ABSENT or (owner != SHIPPED and owner != guild_id):
            return False
        return not (kind == "song" and guild_id is not None and entry_id in self.hidden.get(guild_id, ()))

    def _visible(self, position: int, guild_id: int | None, kinds: Sequence[str]) -> bool:
        kind = KINDS[self._kinds[position]]
        return kind in kinds and self.sees(kind, self._ids[position], guild_id)

    def names(self, norm: str, guild_id: int | None, kinds: Sequence[str] = KINDS, *, prefix: bool = False,
              limit: int = 25) -> list[Match]:
        """Entries with a name equal to `norm` (a `compact` form), or starting with it: the exact
        and prefix tiers, by bisection in each kind's sorted names (at most `limit` per kind, and
        no scan, whatever the catalog size)."""
        if not norm:
            return []
        tier = PREFIX if prefix else EXACT
        matches: list[Match] = []
        for kind in kinds:
            names, positions = self._compacts.get(kind, ([], ()))
            taken = 0
            for i in _starting_with(names, norm):
                exact = names[i] == norm  # sorted: the equal names come first
                if exact and prefix:
                    continue
                if not exact and not prefix:
                    break
                position = positions[i]
                if not self.sees(kind, self._ids[position], guild_id):
                    continue
                matches.append(self._match(position, tier, 1.0 if self._mains[position] else 0.0))
                taken += 1
                if taken >= limit:
                    break
        return rank_names(matches)

    def _with_prefix(self, word: str, cap: int = 5000) -> set[int]:
        found: set[int] = set()
        for i in _starting_with(self._words, word):
            found.update(self._postings[self._words[i]])
            if len(found) >= cap:
                break
        return found

    def words(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS, limit: int = 25) -> list[Match]:
        """Entries whose name has every query word (the last one as a prefix), e.g. "landing"
        or "sun" for "Descendants of the Sun"."""
        words = query_words(query)
        if not words:
            return []
        hits, whole = self._word_hits(words)
        if not hits and len(words) > 1 and is_spaced_freely(query):  # Korean spacing varies: "차차 차" is 차차차
            words = ["".join(words)]
            hits, whole = self._word_hits(words)
        matches = []
        for position in hits:
            if self._visible(position, guild_id, kinds):
                # Whole words first ("sun" is Descendants of the Sun before Ha Sungwoon), then the
                # share of the name the query covers.
                coverage = len(" ".join(words)) / max(len(self._norms[position]), 1)
                score = coverage * 100 + (100 if position in whole else 0)
                matches.append(self._match(position, WORDS, round(score, 1)))
        return rank_names(matches)[: limit * 3]

    def _word_hits(self, words: list[str]) -> tuple[set[int], set[int]]:
        """Positions of the names holding every word (the last as a prefix), and of those
        holding the last one whole."""
        sets = [set(self._postings.get(w, ())) for w in words[:-1]] + [self._with_prefix(words[-1])]
        sets.sort(key=len)
        return set.intersection(*sets), set(self._postings.get(words[-1], ()))

    def _one_typo_positions(self, squeezed: str) -> list[int] | None:
        """Names that could be `squeezed` with one typo, found by two range look-ups.

        One typo (a letter changed, dropped, added, or two neighbours swapped) leaves either
        the query's first half minus one letter or its second half untouched, so the name
        starts with the one or ends with the other. None when the query is too short for
        the halves to narrow anything down, or a half matches too many names."""
        half = len(squeezed) // 2
        if half < 4:
            return None
        head, tail = squeezed[: half - 1], squeezed[half:][::-1]
        found: list[int] = []
        ranges = [(names, positions, head) for names, positions in self._compacts.values()]
        ranges.append((self._suffixes, self._suffix_positions, tail))
        for names, positions, start in ranges:
            for i in _starting_with(names, start):
                found.append(positions[i])
                if len(found) > ONE_TYPO_MAX:
                    return None
        return found

    def _typo_candidates(self, norm: str, cutoff: float, limit: int) -> list[tuple[str, float, int]]:
        """Names within `cutoff` of `norm`: first among the one-typo candidates (two range
        look-ups); when none is close enough, `process.extract` over the names that share the
        query's first or second letter in either place. One typo anywhere (even at the start)
        keeps one of those four relations, so such a name is always compared; the rest of a
        big catalog is skipped."""
        squeezed = norm.replace(" ", "")
        near = self._one_typo_positions(squeezed)
        if near:
            positions = list(dict.fromkeys(near))
            hits = process.extract(norm, [self._norms[p] for p in positions], scorer=fuzz.ratio,
                                   score_cutoff=cutoff, limit=limit)
            if hits:
                return sorted(((name, score, positions[i]) for name, score, i in hits),
                              key=lambda hit: (-hit[1], hit[2]))
        heads = {squeezed[0], squeezed[1:2]} - {""}
        found: dict[int, tuple[str, float, int]] = {}
        for key in {place + head for place in "01" for head in heads}:
            bucket = self._leads.get(key)
            if bucket is None:
                continue
            bucket_positions, names = bucket
            for name, score, i in process.extract(norm, names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit):
                found[bucket_positions[i]] = (name, score, bucket_positions[i])
        return sorted(found.values(), key=lambda hit: (-hit[1], hit[2]))[:limit]

    def fuzzy(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS, limit: int = 25,
              cutoff: float | None = None, *, everywhere: bool = False) -> list[Match]:
        """Whole-name matches within a typo or two ("decendants of the sun"). `everywhere`
        compares every name (for "did you mean", whose looser cutoff allows more edits)."""
        norm = normalize(query)
        if cutoff is None:
            cutoff = fuzzy_cutoff(query)
        if not norm or cutoff is None or not self._names:
            return []
        if everywhere:
            found = process.extract(norm, self._norms, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit * 4)
        else:
            found = self._typo_candidates(norm, cutoff, limit * 4)
        matches: dict[tuple[str, int], Match] = {}
        for _, score, position in found:
            if not self._visible(position, guild_id, kinds):
                continue
            key = (KINDS[self._kinds[position]], self._ids[position])
            if key not in matches or matches[key].score < score:
                matches[key] = self._match(position, FUZZY, round(score, 1))
        return sorted(matches.values(), key=lambda m: (-m.score, KINDS.index(m.kind), m.id))[:limit]

    def suggest(self, query: str, guild_id: int | None, kinds: Sequence[str] = KINDS, limit: int = 3) -> list[Match]:
        """"Did you mean" candidates for a query that matched nothing: names close to the whole
        query, then names that start or end with it ("chachacha" -> Hometown Cha-Cha-Cha), found
        by bisection. Quiet when nothing is close, and for Discord mentions ("@everyone" is not a
        song).

        The close names are looked for like typos (`_typo_candidates`: the names sharing the
        query's first or second letter in either place), not by comparing every name: a `ratio`
        pass over all 190,000 names of a 100,000-song catalog took 30 ms here, the buckets 3-5 ms.
        A name that differs from the query in both of its first two letters is not suggested."""
        norm = normalize(query)
        if not norm or _MENTION.match(query):
            return []
        found = self.fuzzy(query, guild_id, kinds, limit=limit, cutoff=SUGGEST_CUTOFF)
        squeezed = norm.replace(" ", "")
        if len(found) < limit and len(squeezed) >= SUGGEST_PART_MIN:
            seen = {(m.kind, m.id) for m in found}
            ends = [(names, positions, squeezed) for names, positions in self._compacts.values()]
            ends.append((self._suffixes, self._suffix_positions, squeezed[::-1]))
            for names, positions, start in ends:
                for taken, i in enumerate(_starting_with(names, start)):
                    if taken >= limit * 8:
                        break
                    position = positions[i]
                    key = (KINDS[self._kinds[position]], self._ids[position])
                    if key not in seen and self._visible(position, guild_id, kinds):
                        seen.add(key)
                        share = len(squeezed) / max(len(self._norms[position].replace(" ", "")), 1)
                        found.append(self._match(position, FUZZY, round(60 + 30 * share, 1)))
        return found[:limit]


@dataclass(frozen=True, slots=True)
class Label:
    """What an autocomplete choice or a select option shows for one entry, without hydrating it."""

    kind: str
    id: int
    name: str
    hangul: str | None = None
    artists: str = ""        # songs: "Chanyeol & Punch"
    drama: str = ""          # songs: the drama's name
    drama_hangul: str | None = None
    song_count: int = 0      # dramas and artists; actors: the dramas they lead
    artists_ko: str = ""     # songs: the artists' Hangul names where known ("찬열 & 펀치")
