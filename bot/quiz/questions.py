"""Question generation from catalog models.

The cog hands in a `QuestionPool`: a sample of visible songs (the subjects and options),
plus every visible song sharing a title with one of them (the "twins", known only so that
no distractor can turn out to be a second correct answer), plus the credited artists.

Rules every question keeps:
- exactly four options, exactly one of them correct;
- distractors are of the answer's kind, differ from the answer and from each other after
  normalising (`matching.answer_key`), and are never a second correct answer: not a drama
  that also has a song of that title or shares a name with the answer's drama, not an artist
  who also sings on the song (or a group/member of one who does);
- a stable `key` per question, so a quiz never repeats one and a channel sees unseen ones first;
- every right answer is carried: `accepted` for typed answers, `also` for the reveal (either lead
  actor, both singers of a duet, every song of the drama);
- a clue never contains the answer under any of its names, in any case or spacing (`reveals`),
  and the "did you know" of a clue question is another fact of the song, never the clue itself;
- facts about the source article (kind "article") are never clues nor "did you know".
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from ..catalog.models import Artist, Drama, Fact, Song
from ..catalog.text import compact, strip_bracketed
from .matching import answer_key

OPTIONS = 4
KINDS = ("drama_of_song", "artist_of_song", "song_of_drama", "song_from_fact", "year_of_song", "lead_actor")
TOPICS: dict[str, tuple[str, ...]] = {
    "any": KINDS,
    "dramas": ("drama_of_song", "song_of_drama"),
    "singers": ("artist_of_song",),
    "facts": ("song_from_fact",),
    "years": ("year_of_song",),
    "actors": ("lead_actor",),
}
# Each kind's topic, for statistics ("dramas" has two kinds).
TOPIC_OF_KIND = {kind: topic for topic, kinds in TOPICS.items() if topic != "any" for kind in kinds}
YEAR_SPREAD = 4
MASK = "＿＿＿"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Name:
    """A displayable name: the catalog name and, when known, its Hangul form."""

    text: str
    hangul: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    kind: str
    options: tuple[Name, ...]
    correct: int
    accepted: tuple[str, ...]              # every name a typed answer may match
    subject: Name | None = None            # the song or drama the prompt names
    context: Name | None = None            # the drama, to tell same-titled songs apart
    clue: str | None = None                # song_from_fact: the fact with the title masked
    clue_ko: str | None = None             # the same from the fact's Korean text, when it has one
    fact: Fact | None = None               # shown at the reveal ("did you know?"), with its source
    clue_fact: Fact | None = None          # song_from_fact: the fact the clue was made from
    song_id: int | None = None
    drama_id: int | None = None
    subjects: frozenset[str] = field(default_factory=frozenset)
    also: tuple[Name, ...] = ()            # the other right answers, named at the reveal

    @property
    def answer(self) -> Name:
        return self.options[self.correct]

    @property
    def answers(self) -> tuple[Name, ...]:
        """Every right answer, the option first."""
        return (self.answer, *self.also)


@dataclass(slots=True)
class QuestionPool:
    songs: list[Song]
    twins: list[Song] = field(default_factory=list)
    artists: dict[int, Artist] = field(default_factory=dict)

    @property
    def all_songs(self) -> list[Song]:
        seen: dict[int, Song] = {s.id: s for s in self.songs}
        for s in self.twins:
            seen.setdefault(s.id, s)
        return list(seen.values())


# -- identity helpers -------------------------------------------------------------------

def keys_of(names: Iterable[str]) -> set[str]:
    return {k for k in (answer_key(n) for n in names if n) if k}


def title_keys(song: Song) -> set[str]:
    return keys_of(song.all_titles)


def drama_keys(drama: Drama) -> set[str]:
    return keys_of(drama.all_names)


def same_drama(a: Drama, b: Drama) -> bool:
    return a.id == b.id or bool(drama_keys(a) & drama_keys(b))


def song_year(song: Song) -> int | None:
    if song.year:
        return song.year
    if song.release_date and song.release_date[:4].isdigit():
        return int(song.release_date[:4])
    return None


class _Index:
    """Look-ups over one pool, computed once per quiz (names are normalised once, not per check)."""

    def __init__(self, pool: QuestionPool) -> None:
        self.pool = pool
        self.everything = pool.all_songs
        self.titles = {s.id: title_keys(s) for s in self.everything}
        self.by_title: dict[str, list[Song]] = {}
        for s in self.everything:
            for key in self.titles[s.id]:
                self.by_title.setdefault(key, []).append(s)
        self.dramas: dict[int, Drama] = {}
        for s in self.everything:
            self.dramas.setdefault(s.drama.id, s.drama)
        self.drama_names = {d.id: drama_keys(d) for d in self.dramas.values()}
        self.artist_keys = {a.id: keys_of(a.all_names) for a in pool.artists.values()}
        self.artist_relatives = {a.id: keys_of(a.groups) | keys_of(a.members) for a in pool.artists.values()}
        self.by_drama_name: dict[str, list[Song]] = {}
        self.by_drama_id: dict[int, list[Song]] = {}
        for s in self.everything:
            self.by_drama_id.setdefault(s.drama.id, []).append(s)
            for key in self.drama_names[s.drama.id]:
                self.by_drama_name.setdefault(key, []).append(s)
        # Distractor candidates, built once per quiz (each question then draws a few of them at random
        # and checks only those: the cost of a question does not grow with the pool).
        self.drama_options = [(_drama_name(d), self.drama_names[d.id], d) for d in self.dramas.values()]
        self.artist_options = [(Name(a.name, a.hangul), self.artist_keys[a.id], a) for a in pool.artists.values()]
        self.song_options = [(_song_name(s), self.titles[s.id], s) for s in pool.songs]
        self.actor_options = [(_actor(d, actor), keys_of(_actor_names(d, actor)), d)
                              for d in self.dramas.values() for actor in d.lead_actors]

    def in_drama(self, drama: Drama) -> list[Song]:
        """Every known song of `drama`, or of a drama sharing one of its names."""
        found: dict[int, Song] = {}
        for key in self.drama_names.get(drama.id) or drama_keys(drama):
            for s in self.by_drama_name.get(key, ()):
                found.setdefault(s.id, s)
        for s in self.by_drama_id.get(drama.id, ()):
            found.setdefault(s.id, s)
        return list(found.values())

    def same_drama(self, a: Drama, b: Drama) -> bool:
        return a.id == b.id or bool(self.drama_names[a.id] & self.drama_names[b.id])

    def twins(self, song: Song) -> list[Song]:
        """Every known song sharing a title with `song` (itself included)."""
        found: dict[int, Song] = {song.id: song}
        for key in self.titles[song.id]:
            for other in self.by_title.get(key, ()):
                found.setdefault(other.id, other)
        return list(found.values())

    def artist(self, credit_id: int, name: str, hangul: str | None) -> Artist:
        return self.pool.artists.get(credit_id) or Artist(id=credit_id, key="", name=name, hangul=hangul)

    def artist_names(self, artist: Artist) -> set[str]:
        cached = self.artist_keys.get(artist.id)
        return cached if cached is not None else keys_of(artist.all_names)

    def artist_circle(self, artist: Artist) -> set[str]:
        """The artist's names and the names of its groups and members."""
        relatives = self.artist_relatives.get(artist.id)
        if relatives is None:
            relatives = keys_of(artist.groups) | keys_of(artist.members)
        return self.artist_names(artist) | relatives


def _random_order(items: Sequence[_T], rng: random.Random, first: int) -> Iterator[_T]:
    """`items` in random order, lazily: a small sample first, the shuffled rest only if asked for."""
    picked = rng.sample(range(len(items)), min(len(items), first))
    yield from (items[i] for i in picked)
    if len(picked) < len(items):
        taken = set(picked)
        rest = [i for i in range(len(items)) if i not in taken]
        rng.shuffle(rest)
        yield from (items[i] for i in rest)


def _pick_distinct(candidates: Sequence[tuple[Name, set[str], _T]], banned: set[str], rng: random.Random,
                   count: int = OPTIONS - 1, skip: Callable[[_T], bool] | None = None) -> list[Name] | None:
    """`count` names whose keys avoid `banned` and each other, and whose entry `skip` does not refuse;
    None when too few."""
    chosen: list[Name] = []
    used = set(banned)
    for name, keys, entry in _random_order(candidates, rng, 4 * count):
        label_key = answer_key(name.text)
        if not label_key or keys & used or label_key in used or (skip is not None and skip(entry)):
            continue
        chosen.append(name)
        used |= keys | {label_key}
        if len(chosen) == count:
            return chosen
    return None


def _assemble(answer: Name, distractors: list[Name], rng: random.Random) -> tuple[tuple[Name, ...], int]:
    options = [answer, *distractors]
    rng.shuffle(options)
    return tuple(options), options.index(answer)


def _song_name(song: Song) -> Name:
    return Name(song.title, song.hangul)


def _drama_name(drama: Drama) -> Name:
    return Name(drama.name, drama.hangul)


def _reveal_fact(song: Song | None, drama: Drama | None, rng: random.Random, avoid: Fact | None = None) -> Fact | None:
    """A "did you know" about the song or drama: never a fact about the article, never `avoid`
    (the clue of the round, in any of its copies); None when nothing else is known."""
    facts = [f for f in ((song.facts if song else ()) + (drama.facts if drama else ()))
             if f.is_trivia and (avoid is None or f.text != avoid.text)]
    return rng.choice(facts) if facts else None


def _shown_keys(song: Song) -> set[str]:
    """The keys of the names a prompt shows for `song` (its title and Hangul title)."""
    return keys_of([song.title, song.hangul or ""])


def _distinct_names(names: Iterable[Name], *, besides: Name) -> tuple[Name, ...]:
    """`names` without repeats (after normalising) and without `besides`."""
    seen = {answer_key(besides.text)}
    out: list[Name] = []
    for name in names:
        key = answer_key(name.text)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return tuple(out)


# -- one generator per kind -------------------------------------------------------------

def _drama_of_song(ix: _Index, song: Song, rng: random.Random) -> Question | None:
    twins = ix.twins(song)
    banned: set[str] = set()
    for twin in twins:
        banned |= ix.drama_names[twin.drama.id]
    twin_dramas = {t.drama.id for t in twins}
    distractors = _pick_distinct(ix.drama_options, banned, rng, skip=lambda d: d.id in twin_dramas)
    if distractors is None:
        return None
    options, correct = _assemble(_drama_name(song.drama), distractors, rng)
    accepted = tuple(dict.fromkeys(n for t in twins for n in t.drama.all_names))
    shown = _shown_keys(song)
    also = _distinct_names((_drama_name(t.drama) for t in twins
                            if ix.titles[t.id] & shown and not ix.same_drama(t.drama, song.drama)),
                           besides=_drama_name(song.drama))
    return Question(f"drama_of_song:{song.id}", "drama_of_song", options, correct, accepted,
                    subject=_song_name(song), fact=_reveal_fact(song, song.drama, rng),
                    song_id=song.id, drama_id=song.drama.id, subjects=frozenset({f"s{song.id}"}), also=also)


def _artist_of_song(ix: _Index, song: Song, rng: random.Random) -> Question | None:
    if not song.credits:
        return None
    main = ix.artist(song.credits[0].artist_id, song.credits[0].name, song.credits[0].hangul)
    credited: list[Artist] = []
    same_song: list[Artist] = []
    named: list[Artist] = []   # on a song of the very title shown, in the same drama: named at the reveal
    shown = _shown_keys(song)
    for twin in ix.twins(song):
        for c in twin.credits:
            artist = ix.artist(c.artist_id, c.name, c.hangul)
            credited.append(artist)
            if twin.id == song.id or ix.same_drama(twin.drama, song.drama):
                same_song.append(artist)
                if twin.id == song.id or ix.titles[twin.id] & shown:
                    named.append(artist)
    banned: set[str] = set()
    credited_names: set[str] = set()
    for artist in credited:
        banned |= ix.artist_circle(artist)
        credited_names |= ix.artist_names(artist)
    credited_ids = {a.id for a in credited}

    def related(artist: Artist) -> bool:
        # The relation may be recorded on either side only: check both directions.
        return artist.id in credited_ids or bool(ix.artist_relatives[artist.id] & credited_names)

    distractors = _pick_distinct(ix.artist_options, banned, rng, skip=related)
    if distractors is None:
        return None
    options, correct = _assemble(Name(main.name, main.hangul), distractors, rng)
    accepted = tuple(dict.fromkeys(n for a in same_song for n in a.all_names))
    also = _distinct_names((Name(a.name, a.hangul) for a in named if a.id != main.id),
                           besides=Name(main.name, main.hangul))
    return Question(f"artist_of_song:{song.id}", "artist_of_song", options, correct, accepted,
                    subject=_song_name(song), context=_drama_name(song.drama),
                    fact=_reveal_fact(song, None, rng), song_id=song.id, drama_id=song.drama.id,
                    subjects=frozenset({f"s{song.id}"}), also=also)


def _song_of_drama(ix: _Index, drama: Drama, songs_here: list[Song], rng: random.Random) -> Question | None:
    song = rng.choice(songs_here)
    in_drama = ix.in_drama(drama)
    banned: set[str] = set()
    for s in in_drama:
        banned |= ix.titles[s.id]
    in_drama_ids = {s.id for s in in_drama}
    distractors = _pick_distinct(ix.song_options, banned, rng, skip=lambda s: s.id in in_drama_ids)
    if distractors is None:
        return None
    options, correct = _assemble(_song_name(song), distractors, rng)
    accepted = tuple(dict.fromkeys(n for s in in_drama for n in s.all_titles))
    also = _distinct_names((_song_name(s) for s in in_drama if s.id != song.id), besides=_song_name(song))
    return Question(f"song_of_drama:{drama.id}", "song_of_drama", options, correct, accepted,
                    subject=_drama_name(drama), fact=_reveal_fact(song, drama, rng),
                    song_id=song.id, drama_id=drama.id, subjects=frozenset({f"s{song.id}", f"d{drama.id}"}),
                    also=also)


def mask_titles(text: str, titles: Iterable[str]) -> str | None:
    """The fact with the song's titles hidden; None if a title cannot be hidden safely."""
    masked = text
    for title in sorted({t for t in titles if t}, key=len, reverse=True):
        if len(answer_key(title)) < 2:
            return None  # a one-letter title cannot be masked without mangling the text
        masked = re.sub(rf"(?<!\w){re.escape(title)}(?!\w)", MASK, masked, flags=re.IGNORECASE)
    return masked


def mask_titles_ko(text: str, titles: Iterable[str]) -> str | None:
    """`mask_titles` for Korean text, where a particle follows a title with no space
    ("Orbit은"): a title ends where a Latin letter or digit does not follow."""
    masked = text
    for title in sorted({t for t in titles if t}, key=len, reverse=True):
        if len(answer_key(title)) < 2:
            return None
        masked = re.sub(rf"(?<![A-Za-z0-9]){re.escape(title)}(?![A-Za-z0-9])", MASK, masked, flags=re.IGNORECASE)
    return masked


def reveals(text: str, names: Iterable[str]) -> bool:
    """Whether `text` contains one of `names` in any case, width, accents or spacing: compared with
    spaces and punctuation gone on both sides ("Stay  with-me" has "staywithme"), brackets kept in
    the text and dropped from the name ("Orbit (Acoustic)" is named by "orbit")."""
    flat = compact(text)
    return any(key in flat for name in names for key in _name_keys(name))


@lru_cache(maxsize=8192)
def _name_keys(name: str) -> tuple[str, ...]:
    return tuple(k for k in {compact(name), compact(strip_bracketed(name))} if k)


def _song_from_fact(ix: _Index, song: Song, index: int, fact: Fact, rng: random.Random) -> Question | None:
    if not fact.is_trivia:
        return None  # about the article, not the song
    clue = mask_titles(fact.text, song.all_titles)
    if clue is None or reveals(clue, song.all_titles):
        return None  # the title survives in another spelling (or cannot be hidden): it would give it away
    mine = ix.titles[song.id]
    twin_ids = {t.id for t in ix.twins(song)}
    banned = set(mine)
    # No option named by the clue either ("Topped Billboard's chart" next to a song called Billboard).
    distractors = _pick_distinct(ix.song_options, banned, rng,
                                 skip=lambda s: s.id in twin_ids or reveals(clue, s.all_titles))
    if distractors is None:
        return None
    options, correct = _assemble(_song_name(song), distractors, rng)
    clue_ko = mask_titles_ko(fact.text_ko, song.all_titles) if fact.text_ko else None
    if clue_ko is not None and reveals(clue_ko, song.all_titles):
        clue_ko = None  # the Korean text gives the title away: Korean readers get the English clue
    # The clue is the question: the reveal adds another fact of the song, or none.
    return Question(f"song_from_fact:{song.id}:{index}", "song_from_fact", options, correct,
                    tuple(song.all_titles), clue=clue, fact=_reveal_fact(song, None, rng, avoid=fact), clue_fact=fact,
                    song_id=song.id, drama_id=song.drama.id, subjects=frozenset({f"s{song.id}"}), clue_ko=clue_ko)


def _year_of_song(ix: _Index, song: Song, rng: random.Random) -> Question | None:
    year = song_year(song)
    if year is None:
        return None
    # A same-titled song of the same drama from another year would make the question ambiguous.
    others = {song_year(t) for t in ix.twins(song) if t.id != song.id and ix.same_drama(t.drama, song.drama)}
    if others - {None, year}:
        return None
    choices = [y for y in range(year - YEAR_SPREAD, year + YEAR_SPREAD + 1) if y != year]
    distractors = [Name(str(y)) for y in rng.sample(choices, OPTIONS - 1)]
    options, correct = _assemble(Name(str(year)), distractors, rng)
    return Question(f"year_of_song:{song.id}", "year_of_song", options, correct, (str(year),),
                    subject=_song_name(song), context=_drama_name(song.drama),
                    fact=_reveal_fact(song, None, rng), song_id=song.id, drama_id=song.drama.id,
                    subjects=frozenset({f"s{song.id}"}))


def _actor(drama: Drama, name: str) -> Name:
    actor = drama.actor(name)
    return Name(name, actor.hangul if actor else None)


def _actor_names(drama: Drama, only: str | None = None) -> tuple[str, ...]:
    """The lead actors' names (or one lead's), with their Hangul and other names when known."""
    names: list[str] = []
    for name in drama.lead_actors if only is None else (only,):
        actor = drama.actor(name)
        names += [name, *(actor.all_names if actor else ())]
    return tuple(dict.fromkeys(names))


def _lead_actor(ix: _Index, drama: Drama, rng: random.Random) -> Question | None:
    if not drama.lead_actors:
        return None
    answer = rng.choice(drama.lead_actors)
    banned: set[str] = set()
    for d in {s.drama.id: s.drama for s in ix.in_drama(drama)}.values():
        banned |= keys_of(_actor_names(d))
    distractors = _pick_distinct(ix.actor_options, banned, rng, skip=lambda d: ix.same_drama(d, drama))
    if distractors is None:
        return None
    options, correct = _assemble(_actor(drama, answer), distractors, rng)
    # Every lead counts, under any of their names: "손예진" is Son Ye-jin; the reveal names them all.
    also = _distinct_names((_actor(drama, a) for a in drama.lead_actors if a != answer), besides=_actor(drama, answer))
    return Question(f"lead_actor:{drama.id}", "lead_actor", options, correct, _actor_names(drama),
                    subject=_drama_name(drama), fact=_reveal_fact(None, drama, rng), drama_id=drama.id,
                    subjects=frozenset({f"d{drama.id}"}), also=also)


# -- the whole set for one quiz ---------------------------------------------------------

def candidate_questions(pool: QuestionPool, kinds: Iterable[str], rng: random.Random) -> list[Question]:
    """Every question the pool supports, for the given kinds (at most one per key)."""
    wanted = set(kinds)
    ix = _Index(pool)
    out: list[Question | None] = []   # None where the pool cannot support a question
    by_drama: dict[int, list[Song]] = {}
    for song in pool.songs:
        by_drama.setdefault(song.drama.id, []).append(song)
        if "drama_of_song" in wanted:
            out.append(_drama_of_song(ix, song, rng))
        if "artist_of_song" in wanted:
            out.append(_artist_of_song(ix, song, rng))
        if "song_from_fact" in wanted:
            out.extend(_song_from_fact(ix, song, i, fact, rng) for i, fact in enumerate(song.facts))
        if "year_of_song" in wanted:
            out.append(_year_of_song(ix, song, rng))
    for songs_here in by_drama.values():
        drama = songs_here[0].drama
        if "song_of_drama" in wanted:
            out.append(_song_of_drama(ix, drama, songs_here, rng))
        if "lead_actor" in wanted:
            out.append(_lead_actor(ix, drama, rng))
    return [q for q in out if q is not None]


def generate_questions(pool: QuestionPool, count: int, *, topic: str = "any", seen: Mapping[str, int] | None = None,
                       rng: random.Random | None = None) -> list[Question]:
    """Up to `count` questions, no key twice; unseen keys first, then the longest-unseen.

    `seen` maps a question key to how recently the channel saw it (higher is more recent).
    Among equally fresh questions the kinds take turns, and a song is not reused inside one
    quiz while fresh ones remain, so one question cannot give away the next.
    """
    rng = rng or random.Random()
    seen = seen or {}
    remaining = {q.key: (q, rng.random()) for q in candidate_questions(pool, TOPICS.get(topic, KINDS), rng)}
    chosen: list[Question] = []
    subjects: set[str] = set()
    uses: dict[str, int] = dict.fromkeys(KINDS, 0)
    while remaining and len(chosen) < count:
        key, (q, _) = min(remaining.items(), key=lambda item: (
            seen.get(item[0], -1), bool(item[1][0].subjects & subjects), uses[item[1][0].kind], item[1][1]))
        del remaining[key]
        chosen.append(q)
        subjects |= q.subjects
        uses[q.kind] += 1
    return chosen
