"""The stats picture: the member's initials and name, four tiles (games, points, wins, best streak),
accuracy overall and by topic as bars, and points per week over the last weeks as a small bar chart."""

from __future__ import annotations

from ..i18n import t
from .draw import ACCENT, GOOD, MUTED, PAD, TEXT, WIDTH, Card, member_name
from .models import Entry, Stats, percent

TILE = 108
TOPIC = 44          # one topic's bar
CHART = 190         # the weekly chart, labels included
TILES = ("games", "points", "wins", "streak")


def height(data: Stats) -> int:
    topics = 56 + len(data.topics) * TOPIC if data.topics else 0
    chart = 56 + CHART if data.weeks else 0
    return 140 + TILE + 24 + 96 + topics + chart + PAD


def header(card: Card, data: Stats) -> float:
    card.avatar((PAD + 44, 84), 44, data.name, data.member_id)
    left = PAD + 108
    fallback = member_name(Entry(0, "", data.member_id, 0), data.lang)
    card.text((left, 78), data.name, 34, weight="bold", width=WIDTH - PAD - left, fallback=fallback)
    card.text((left, 112), f"{t('picture.stats.title', data.lang)} · {data.server}", 22, fill=MUTED,
              width=WIDTH - PAD - left)
    return 148


def tiles(card: Card, top: float, data: Stats) -> float:
    values = {"games": data.games, "points": data.points, "wins": data.wins, "streak": data.best_streak}
    width = (WIDTH - 2 * PAD - 3 * 16) / 4
    for index, key in enumerate(TILES):
        left = PAD + index * (width + 16)
        card.panel((left, top, left + width, top + TILE))
        card.text((left + 18, top + 36), t(f"picture.stats.{key}", data.lang), 19, fill=MUTED, width=width - 30)
        card.text((left + 18, top + 86), f"{values[key]:,}", 38, weight="bold")
    return top + TILE + 24


def accuracy(card: Card, top: float, data: Stats) -> float:
    lang = data.lang
    card.text((PAD, top + 26), t("picture.stats.accuracy", lang), 24, weight="bold")
    card.text((WIDTH - PAD, top + 26), t("picture.stats.answers", lang, correct=data.correct, answered=data.answered),
              19, fill=MUTED, anchor="rs")
    share = data.correct / data.answered if data.answered else 0.0
    card.bar((PAD, top + 44, WIDTH - PAD - 90, top + 72), share, GOOD)
    card.text((WIDTH - PAD, top + 68), percent(data.correct, data.answered), 28, weight="bold", anchor="rs")
    return top + 96


def topics(card: Card, top: float, data: Stats) -> float:
    lang = data.lang
    card.text((PAD, top + 34), t("picture.stats.by_topic", lang), 24, weight="bold")
    top += 56
    for line in data.topics:
        middle = top + TOPIC / 2
        card.text((PAD, middle + 8), t(f"quiz.topic.{line.topic}", lang), 21, width=170)
        share = line.correct / line.answered if line.answered else 0.0
        card.bar((PAD + 190, middle - 10, WIDTH - PAD - 170, middle + 10), share, ACCENT)
        card.text((WIDTH - PAD - 90, middle + 8), percent(line.correct, line.answered), 22, weight="bold",
                  anchor="rs")
        card.text((WIDTH - PAD, middle + 8), f"{line.correct}/{line.answered}", 18, fill=MUTED, anchor="rs")
        top += TOPIC
    return top


def weeks(card: Card, top: float, data: Stats) -> float:
    lang = data.lang
    card.text((PAD, top + 34), t("picture.stats.weeks", lang, count=len(data.weeks)), 24, weight="bold")
    top += 56
    card.panel((PAD, top, WIDTH - PAD, top + CHART))
    floor = top + CHART - 40
    tallest = max(max(data.weeks), 1)
    slot = (WIDTH - 2 * PAD - 32) / len(data.weeks)
    for index, points in enumerate(data.weeks):
        left = PAD + 16 + index * slot + slot * 0.18
        right = left + slot * 0.64
        bar_top = floor - (CHART - 90) * points / tallest
        last = index == len(data.weeks) - 1
        if points:
            card.draw.rounded_rectangle((left, bar_top, right, floor), radius=6, fill=ACCENT if last else GOOD)
        card.text(((left + right) / 2, bar_top - 8), f"{points:,}", 18, weight="bold", fill=TEXT, anchor="ms")
        if last:
            card.text(((left + right) / 2, floor + 28), t("picture.stats.this_week", lang), 17, fill=MUTED,
                      anchor="ms")
    card.draw.line((PAD + 16, floor, WIDTH - PAD - 16, floor), fill=MUTED, width=2)
    return top + CHART


def render(data: Stats) -> bytes:
    card = Card(height(data))
    top = header(card, data)
    top = tiles(card, top, data)
    top = accuracy(card, top, data)
    if data.topics:
        top = topics(card, top, data)
    if data.weeks:
        weeks(card, top, data)
    return card.png()
