"""Synthetic catalogs of any size, imported through the bot's real import path.

Songs, dramas and artists are generated deterministically (the same names every run, so
runs compare), shaped like the shipped catalog: about six OSTs per drama, one artist per
four songs, a duet now and then, half the songs with a Hangul title, styles and moods from
the shipped vocabulary. `build_growth(...)` seeds the shipped catalog, then imports the
synthetic songs in chunks of at most 10,000 with `store.catalog.import_records` (the path
`ostbot db import` takes), timing each chunk and snapshotting a database at each size.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.catalog.records import SongRecord
from bot.catalog.seedfile import load_catalog
from bot.store import Store

SHIPPED_SONGS = 19
CHUNK = 10_000

_TITLE_WORDS = (
    "love", "rain", "snow", "tears", "heart", "dream", "night", "day", "star", "moon", "sun", "wind", "flower",
    "spring", "summer", "autumn", "winter", "memory", "promise", "forever", "always", "never", "again", "goodbye",
    "hello", "stay", "with", "me", "you", "my", "our", "your", "the", "only", "one", "first", "last", "breath",
    "shadow", "light", "road", "way", "home", "sky", "sea", "ocean", "river", "blue", "white", "red", "letter",
    "song", "voice", "secret", "garden", "miracle", "destiny", "fate", "time", "moment", "tomorrow", "yesterday",
    "today", "dawn", "midnight", "echo", "whisper", "lonely", "beautiful", "sweet", "bitter", "little", "lost",
    "found", "falling", "flying", "waiting", "crying", "smiling", "missing", "remember", "forget", "because",
    "maybe", "someday", "somewhere", "everything", "nothing", "words", "story", "ending", "beginning",
)
_DRAMA_A = (
    "Crash", "Secret", "Hidden", "Moonlit", "Royal", "Silent", "Crimson", "Golden", "Eternal", "Lonely", "Wandering",
    "Blue", "Broken", "Gentle", "Midnight", "Hotel", "Twenty", "Second", "Last", "First", "Little", "Brave",
    "Fallen", "Rising", "Frozen", "Burning", "Distant", "Hundred", "Scarlet", "Shining", "Quiet", "Wild", "Strange",
    "Sweet", "Bitter", "Faithful", "Reckless", "Lucky", "Misty", "Velvet", "Silver", "Paper", "Glass", "Stone",
    "Seaside", "Mountain", "City", "Winter", "Spring", "Summer", "Autumn", "Morning", "Evening", "Starry", "Rainy",
    "Windy", "Snowy", "Dreaming",
)
_DRAMA_B = (
    "Landing", "Garden", "Heart", "Descendants", "Guardian", "Palace", "Doctor", "Prosecutor", "Lawyer", "Chef",
    "Detective", "Teacher", "Prince", "Princess", "Queen", "King", "Knight", "Messenger", "Lovers", "Strangers",
    "Neighbors", "Siblings", "Classmates", "Family", "Village", "Harbor", "Station", "Bridge", "Library", "Hospital",
    "Office", "Academy", "Kitchen", "Cafe", "Bakery", "Island", "Valley", "Forest", "Castle", "Tower", "Market",
    "Theater", "Studio", "Diary", "Letter", "Promise", "Season", "Signal", "Melody", "Rhapsody", "Serenade", "Story",
    "Legend",
)
_DRAMA_C = ("", "of the Sun", "in Seoul", "of Love", "Returns", "Diaries", "Chronicles", "Season 2", "Story",
            "Reborn", "of Busan", "at Night", "Forever", "Again", "Rhapsody", "Unlocked")
_SURNAMES = (
    "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon",
    "Hwang", "Ahn", "Song", "Jeon", "Hong", "Yoo", "Ko", "Moon", "Yang", "Son", "Bae", "Baek", "Heo", "Nam", "Shim",
)
_SYLLABLES = (
    "Min", "Ji", "Seo", "Yeon", "Hye", "Jin", "Soo", "Hyun", "Woo", "Jae", "Hee", "Eun", "Ha", "Na", "Ra", "Bin",
    "Joon", "Ho", "Young", "Kyung", "Mi", "Sun", "Yu", "Da", "In", "Won", "Tae", "Seung", "Chan", "Gyu", "Rin", "Ah",
    "Yoon", "Sol", "Bom", "Hae", "Dal", "Byul", "Sae", "Ye",
)
_HANGUL = "사랑비눈물꿈밤별달해바람꽃봄여름가을겨울기억약속영원안녕너나우리하늘바다길노래목소리비밀정원운명시간내일"
_STYLES = ("ballad", "piano ballad", "power ballad", "soft ballad", "soulful ballad", "orchestral", "acoustic",
           "mid-tempo pop", "r&b", "rock ballad")
_MOODS = ("romantic", "longing", "heartbreak", "tender", "hopeful", "bittersweet", "healing", "devoted",
          "emotional", "yearning", "poignant", "tragic", "soothing", "dramatic", "fluttering", "sentimental")


def _unique(seen: set[str], make) -> str:
    for _ in range(50):
        name = make()
        if name.lower() not in seen:
            seen.add(name.lower())
            return name
    name = f"{make()} {len(seen)}"
    seen.add(name.lower())
    return name


class SyntheticCatalog:
    """An endless, deterministic stream of song records."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.dramas: list[str] = []
        self.artists: list[str] = []
        self._drama_names: set[str] = set()
        self._artist_names: set[str] = set()
        self._titles: list[str] = []
        self._count = 0

    def _drama(self) -> str:
        rng = self.rng
        return _unique(self._drama_names, lambda: " ".join(
            p for p in (rng.choice(_DRAMA_A), rng.choice(_DRAMA_B), rng.choice(_DRAMA_C)) if p))

    def _artist(self) -> str:
        rng = self.rng

        def make() -> str:
            if rng.random() < 0.15:  # a group name
                return f"{rng.choice(_DRAMA_A)} {rng.choice(('Boys', 'Girls', 'Nine', 'Seven', 'Day', 'Wave'))}"
            return f"{rng.choice(_SURNAMES)} {rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES).lower()}"

        return _unique(self._artist_names, make)

    def _title(self) -> str:
        rng = self.rng
        # Real OST titles repeat ("Love", "Stay With Me"), but not one song in six: few one-word titles.
        words = rng.choices((1, 2, 3, 4), weights=(3, 30, 40, 27))[0]
        return " ".join(rng.choice(_TITLE_WORDS) for _ in range(words)).title()

    def records(self, count: int) -> list[SongRecord]:
        rng = self.rng
        out: list[SongRecord] = []
        for _ in range(count):
            i = self._count
            self._count += 1
            if i % 6 == 0:
                self.dramas.append(self._drama())
            while len(self.artists) < i // 4 + 8:
                self.artists.append(self._artist())
            drama = self.dramas[-1] if rng.random() < 0.8 else rng.choice(self.dramas)
            main = rng.choice(self.artists)
            artists = [main] if rng.random() < 0.85 else list(dict.fromkeys([main, rng.choice(self.artists)]))
            title = self._title()
            moods = rng.sample(_MOODS, rng.choice((1, 2, 3)))
            styles = rng.sample(_STYLES, rng.choice((1, 2)))
            hangul = "".join(rng.choice(_HANGUL) for _ in range(rng.choice((2, 3, 4)))) if rng.random() < 0.5 else ""
            out.append(SongRecord(
                title=title, artists=artists, drama=drama, key=f"syn-{i}", hangul=hangul,
                year=rng.randint(2003, 2025),
                description=f"A {moods[0]} {styles[0]} from {drama}, sung by {main}.",
                styles=styles, moods=moods, ballad=rng.random() < 0.8))
            self._titles.append(title)
        return out

    def sample_titles(self, k: int, seed: int = 1) -> list[str]:
        return random.Random(seed).sample(self._titles, min(k, len(self._titles)))


@dataclass
class ImportTiming:
    start_size: int
    songs: int
    seconds: float

    @property
    def per_10k(self) -> float:
        return self.seconds * 10_000 / self.songs


@dataclass
class Growth:
    databases: dict[int, Path]
    imports: list[ImportTiming]
    stopped: str | None = None   # why the larger sizes were not built


def chunks_to(sizes: list[int]) -> Iterator[tuple[int, int, int | None]]:
    """(start, count, size to snapshot after or None): chunks of at most CHUNK songs."""
    current = SHIPPED_SONGS
    for size in sorted(sizes):
        if size <= current:
            continue
        while current < size:
            count = min(CHUNK, size - current)
            yield current, count, size if current + count == size else None
            current += count


def build_growth_budgeted(folder: Path, sizes: list[int], *, budget: float, log=print) -> Growth:
    import asyncio

    return asyncio.run(build_growth(folder, sizes, budget=budget, log=log))


async def build_growth(folder: Path, sizes: list[int], *, budget: float | None = None, log=print) -> Growth:
    """A database per size in `folder` (19 = shipped only), built by importing synthetic songs.

    With a `budget` (seconds), stops before a chunk that would not fit in it, judging by the
    last chunk: the sizes not reached are reported as not measured, with the reason.
    """
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - set-up, nothing else runs
    work = folder / "growing.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
    store = await Store.open(work)
    databases: dict[int, Path] = {}
    imports: list[ImportTiming] = []
    synthetic = SyntheticCatalog()
    stopped = None
    began = time.perf_counter()
    try:
        await store.catalog.seed(load_catalog())
        if SHIPPED_SONGS in sizes:
            databases[SHIPPED_SONGS] = folder / f"songs-{SHIPPED_SONGS}.db"
            await store.catalog.build_card_docs()
            await store.backup(databases[SHIPPED_SONGS])
        for start, count, snapshot in chunks_to(sizes):
            if budget is not None and imports:
                elapsed = time.perf_counter() - began
                # Extrapolate the trend of the last two chunks: an import that slows down as the
                # catalog grows must not blow the budget on its next chunk.
                trend = imports[-1].per_10k - imports[-2].per_10k if len(imports) > 1 else 0.0
                projected = (imports[-1].per_10k + max(0.0, trend)) * count / 10_000 * 1.15
                if elapsed + projected > budget:
                    stopped = (f"import budget of {budget:.0f} s reached at {start:,} songs (the last chunk took "
                               f"{imports[-1].per_10k:.1f} s per 10,000 songs)")
                    log(f"  stopped: {stopped}")
                    break
            records = synthetic.records(count)
            began = time.perf_counter()
            await store.catalog.import_records(records)
            imports.append(ImportTiming(start, count, time.perf_counter() - began))
            log(f"  imported {count:>6} songs at {start:>6}: {imports[-1].seconds:6.2f} s")
            if snapshot is not None:
                databases[snapshot] = folder / f"songs-{snapshot}.db"
                # A running bot's card keeper writes the song cards' documents after an import: a
                # database as the bot serves it has them (not timed with the import).
                await store.catalog.build_card_docs()
                await store.backup(databases[snapshot])
        counts = await store.catalog.counts()
        expected = max(databases) if databases else SHIPPED_SONGS
        if stopped is None and counts.songs != expected:
            raise RuntimeError(f"expected {expected} songs after import, found {counts.songs}")
    finally:
        await store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
    return Growth(databases, imports, stopped)
