"""Hunting units: who moves, hunts and eats together this month.

A unit is an independent animal alone, or a coalition of brothers, together with the dependent
cubs of its females. Its leader (the animal itself, or the coalition's first member) decides
where the unit goes. Every living animal belongs to exactly one unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .population import Cheetahs


@dataclass(frozen=True)
class Units:
    """The month's units: ``leaders`` (rows, in row order) and, for every row of the population,
    the index of its unit (``owner``) and whether it is a dependent cub."""

    leaders: np.ndarray
    owner: np.ndarray
    is_cub: np.ndarray
    _kept: dict = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return self.leaders.size

    def keep_totals_of(self, per_animal: np.ndarray) -> None:
        """Compute the :meth:`total` of ``per_animal`` (an array nobody changes in place: the
        month's food needs, :meth:`sim.model.model.ReintroductionModel.roster`) once and hand out
        that array, read-only, whenever its total is asked for again."""
        self._kept.clear()
        self._kept["of"] = per_animal

    def total(self, per_animal: np.ndarray, select: np.ndarray | None = None) -> np.ndarray:
        """Sum of a per-animal quantity over each unit's members (or over the selected ones)."""
        if select is None:
            kept = self._kept
            if kept and per_animal is kept["of"]:
                total = kept.get("total")
                if total is None:
                    total = kept["total"] = np.bincount(self.owner, per_animal, minlength=len(self))
                    total.setflags(write=False)
                return total
            return np.bincount(self.owner, per_animal, minlength=len(self))
        return np.bincount(self.owner[select], per_animal[select], minlength=len(self))


def units_of(pop: Cheetahs) -> Units:
    """The units of a population whose rows are all alive (after :meth:`Cheetahs.compact`)."""
    leaders, owner = _units(pop.leaders())
    return Units(leaders=leaders, owner=owner, is_cub=pop.mother >= 0)


@njit(cache=True)
def _units(lead):
    n = lead.size
    index = np.full(n, -1)
    k = 0
    for i in range(n):
        if lead[i] == i:
            index[i] = k
            k += 1
    leaders = np.empty(k, dtype=np.int64)
    owner = np.empty(n, dtype=np.int64)
    for i in range(n):
        if lead[i] == i:
            leaders[index[i]] = i
        owner[i] = index[lead[i]]
    return leaders, owner
