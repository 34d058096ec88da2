"""The leaderboard picture: the top ten with medals for the first three, each member's initials in
their colour, name, measure and a detail line; the asking member's own rank at the foot when they are
not in the top ten."""

from __future__ import annotations

from ..i18n import t
from .draw import GAP, MUTED, PAD, ROW, WIDTH, Card
from .models import Entry, Leaderboard, percent

FOOT_GAP = 28     # the space (and the dotted rule) above the asking member's line


def height(data: Leaderboard) -> int:
    rows = len(data.entries) * (ROW + GAP)
    foot = FOOT_GAP + ROW + GAP if data.you is not None else 0
    return 124 + 16 + rows + foot + PAD - GAP


def detail(entry: Entry, lang: str) -> str:
    return t("picture.leaderboard.detail", lang, games=entry.games, accuracy=percent(entry.correct, entry.answered))


def render(data: Leaderboard) -> bytes:
    lang = data.lang
    card = Card(height(data))
    subtitle = t("picture.leaderboard.subtitle", lang, server=data.server,
                 period=t(f"quiz.period.{data.period}", lang), measure=t(f"picture.measure.{data.measure}", lang))
    top = card.header(t("picture.leaderboard.title", lang), subtitle) + 16
    unit = t(f"picture.unit.{data.measure}", lang)
    for entry in data.entries:
        card.member_row(top, entry, lang, unit=unit, detail=detail(entry, lang))
        top += ROW + GAP
    if data.you is not None:
        line_y = top + FOOT_GAP / 2 - GAP / 2
        label = card.text((PAD, line_y), t("picture.leaderboard.you", lang), 18, fill=MUTED, anchor="lm")
        for x in range(PAD + int(label) + 12, WIDTH - PAD, 14):
            card.draw.line((x, line_y, x + 6, line_y), fill=MUTED, width=2)
        top += FOOT_GAP
        card.member_row(top, data.you, lang, unit=unit, detail=detail(data.you, lang), highlight=True)
    return card.png()
