"""The final standings picture: a podium for the top three and the others below; in a team game each
team with its members; in elimination the lives each player has left (or "out")."""

from __future__ import annotations

from ..i18n import t
from .draw import GAP, HEART, MEDALS, MUTED, PAD, PANEL, ROW, TEAM_COLOURS, TEXT, WIDTH, Card, member_name
from .models import Entry, Standings, Team

PODIUM = 370            # the podium's height, names and blocks
BLOCKS = {1: 120, 2: 88, 3: 64}
COLUMNS = {2: WIDTH // 2 - 240, 1: WIDTH // 2, 3: WIDTH // 2 + 240}   # centre of each step
MAX_ROWS = 12           # players listed below the podium (then "and N more")
TEAM_HEAD = 64
MEMBER = 48             # one member's line in a team's block (two columns)
MAX_MEMBERS = 8


def _rest(data: Standings) -> tuple[Entry, ...]:
    return data.entries[3:3 + MAX_ROWS]


def _team_height(team: Team) -> int:
    shown = min(len(team.members), MAX_MEMBERS) + (len(team.members) > MAX_MEMBERS)
    return TEAM_HEAD + (shown + 1) // 2 * MEMBER + 12


def height(data: Standings) -> int:
    if data.style == "teams":
        return 140 + sum(_team_height(team) + 16 for team in data.teams) + PAD - 16
    more = 48 if len(data.entries) > 3 + MAX_ROWS else 0
    return 152 + PODIUM + len(_rest(data)) * (ROW + GAP) + more + PAD


def detail(entry: Entry, lang: str) -> str:
    return t("picture.standings.detail", lang, correct=entry.correct)


def podium(card: Card, top: float, entries: tuple[Entry, ...], lang: str) -> None:
    floor = top + PODIUM - 10
    for entry in entries[:3]:
        place = entry.rank if entry.rank in BLOCKS else 3
        x = COLUMNS[place]
        block_top = floor - BLOCKS[place]
        colour = MEDALS[place]
        card.panel((x - 110, block_top, x + 110, floor), fill=PANEL)
        card.draw.rectangle((x - 110, block_top, x + 110, block_top + 8), fill=colour)
        card.text((x, block_top + 8 + (BLOCKS[place] - 8) / 2), str(entry.rank), 44, weight="bold", fill=colour,
                  anchor="mm")
        card.text((x, block_top - 12), t("picture.unit.points", lang), 18, fill=MUTED, anchor="ms")
        card.text((x, block_top - 34), f"{entry.value:,}", 30, weight="bold", fill=colour, anchor="ms")
        card.text((x, block_top - 72), entry.name, 26, weight="bold", width=220, anchor="ms",
                  fallback=member_name(entry, lang))
        radius = 44 if place == 1 else 38
        card.avatar((x, block_top - 128 - radius), radius, entry.name, entry.member_id)
        if entry.lives is not None:  # between the avatar and the name
            if entry.lives > 0:
                count = min(entry.lives, 5)
                card.hearts((x + 3 - count * 10, block_top - 110), count)
            else:
                card.text((x, block_top - 102), t("picture.standings.out", lang), 18, weight="bold",
                          fill=HEART, anchor="ms")


def team_block(card: Card, top: float, rank: int, team: Team, lang: str) -> float:
    bottom = top + _team_height(team)
    colour = TEAM_COLOURS[team.team % len(TEAM_COLOURS)]
    card.panel((PAD, top, WIDTH - PAD, bottom))
    card.draw.rectangle((PAD, top, PAD + 10, bottom), fill=colour)
    card.medal((PAD + 46, top + 34), 20, rank)
    card.text((PAD + 80, top + 44), t(f"quiz.team.{team.team}", lang), 28, weight="bold", fill=colour, width=360)
    unit = card.text((WIDTH - PAD - 20, top + 44), t("picture.unit.points", lang), 20, fill=MUTED, anchor="rs")
    card.text((WIDTH - PAD - 28 - unit, top + 44), f"{team.points:,}", 32, weight="bold", anchor="rs")
    column = (WIDTH - 2 * PAD - 40) / 2
    for index, member in enumerate(team.members[:MAX_MEMBERS]):
        x = PAD + 30 + (index % 2) * column
        y = top + TEAM_HEAD + (index // 2) * MEMBER + MEMBER / 2
        card.avatar((x + 18, y), 17, member.name, member.member_id)
        points = card.text((x + column - 20, y + 8), f"{member.value:,}", 22, weight="bold", anchor="rs")
        card.text((x + 46, y + 8), member.name, 22, fill=TEXT, width=column - 90 - points,
                  fallback=member_name(member, lang))
    if len(team.members) > MAX_MEMBERS:
        index = MAX_MEMBERS
        y = top + TEAM_HEAD + (index // 2) * MEMBER + MEMBER / 2
        card.text((PAD + 30, y + 8), t("picture.standings.more", lang, count=len(team.members) - MAX_MEMBERS),
                  20, fill=MUTED)
    return bottom + 16


def render(data: Standings) -> bytes:
    lang = data.lang
    card = Card(height(data))
    top: float = card.header(t("picture.standings.title", lang), data.server) + 16
    if data.style == "teams":
        for rank, team in enumerate(data.teams, 1):
            top = team_block(card, top, rank, team, lang)
        return card.png()
    podium(card, top, data.entries, lang)
    top += PODIUM + 12
    unit = t("picture.unit.points", lang)
    for entry in _rest(data):
        card.member_row(top, entry, lang, unit=unit, detail=detail(entry, lang))
        top += ROW + GAP
    if len(data.entries) > 3 + MAX_ROWS:
        card.text((WIDTH / 2, top + 28), t("picture.standings.more", lang, count=len(data.entries) - 3 - MAX_ROWS),
                  22, fill=MUTED, anchor="ms")
    return card.png()
