"""`python -m tests.pictures.make_docs`: draws the README's pictures (docs/pictures/*.png) from the
tests' sample data, so they show what the bot draws today."""

from __future__ import annotations

from pathlib import Path

from bot.pictures import render
from tests.pictures import samples

DOCS = Path(__file__).resolve().parents[2] / "docs" / "pictures"
PICTURES = {
    "leaderboard-ko.png": lambda: samples.leaderboard("ko"),
    "stats-en.png": lambda: samples.stats("en"),
    "standings-elimination-en.png": lambda: samples.standings("en", "elimination"),
    "standings-teams-ko.png": lambda: samples.standings("ko", "teams"),
}


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, make in PICTURES.items():
        path = DOCS / name
        path.write_bytes(render(make()))
        print(path)


if __name__ == "__main__":
    main()
