"""Random draws for the synthetic knowledge base: Zipf ranks, weighted choices and partial dates."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Sequence

from kb.dates import period_start


class Zipf:
    """Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)**s."""

    def __init__(self, n: int, s: float) -> None:
        total, self.cum = 0.0, []
        for rank in range(n):
            total += 1.0 / (rank + 1) ** s
            self.cum.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cum, rng.random() * self.total)


def weighted(rng: random.Random, options: Sequence, weights: Sequence[float]):
    return rng.choices(options, weights)[0]


def partial_date(rng: random.Random, lo: int, hi: int, weights=(45, 30, 20, 5)) -> tuple[dt.date, str]:
    """A random partial date between the years lo and hi, at a random precision."""
    precision = weighted(rng, ("day", "month", "year", "decade"), weights)
    day = dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))
    return period_start(day, precision), precision


def date_words(date: dt.date, precision: str) -> str:
    """How an article would name the partial date."""
    if precision == "day":
        return f"{date.day} {date.strftime('%B')} {date.year}"
    if precision == "month":
        return f"{date.strftime('%B')} {date.year}"
    if precision == "year":
        return str(date.year)
    return f"the {date.year}s"
