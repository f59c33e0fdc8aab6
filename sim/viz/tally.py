"""Births and deaths of a replicate as the browser view shows them, counted by an observer.

:class:`Tally` is an observer of the model (:mod:`sim.model.observe`): it only reads what the
model tells it, draws no random numbers and changes nothing, so a replicate watched in the browser
runs exactly as the same replicate run headless.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DeathMark:
    """Where and when one animal died: month index ``t`` (0 = January of year 1), landscape
    cell (``row``, ``col``), cause name."""

    t: int
    row: int
    col: int
    cause: str


class Tally:
    """Counts since month 0: cubs born (``births``), deaths by cause (``deaths``, a Counter of
    cause names, plugin causes by their own name), and a :class:`DeathMark` for every death of
    the last ``keep_months`` months (``marks``) for the map."""

    def __init__(self, keep_months: int = 6) -> None:
        self.keep_months = keep_months
        self.births = 0
        self.deaths: Counter[str] = Counter()
        self.marks: list[DeathMark] = []

    # ---------------------------------------------------------------- observer hooks
    def on_births(self, model, ev) -> None:
        self.births += int(ev.cub_uid.size)

    def on_deaths(self, model, ev) -> None:
        """Count the deaths and mark where they happened: the dead rows are still in the arrays
        (marked not alive) until the process that killed them compacts them."""
        pop = model.cheetahs
        uids = pop.uid
        rows = np.searchsorted(uids, ev.uid)
        for uid, row, cause in zip(ev.uid.tolist(), rows.tolist(), ev.cause.tolist()):
            self.deaths[str(cause)] += 1
            if row < len(pop) and uids[row] == uid:
                self.marks.append(DeathMark(ev.t, int(pop.row[row]), int(pop.col[row]), str(cause)))

    def on_month_end(self, model, t: int) -> None:
        """Forget the marks older than ``keep_months``."""
        self.marks = [d for d in self.marks if t - d.t < self.keep_months]

    # ---------------------------------------------------------------- queries
    @property
    def n_deaths(self) -> int:
        return sum(self.deaths.values())
