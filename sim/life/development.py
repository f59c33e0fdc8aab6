"""Ageing and transitions: every animal ages a month; boma and post-release clocks advance; cubs
reaching ``independence_months`` leave their mother, and brothers of a litter stay together as a
coalition with probability ``coalition_prob`` (:func:`leave_mothers`, also used when a mother's
next litter frees the older one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ..cheetahs import events
from ..cheetahs.population import WILD_BORN


def month(m: Any) -> None:
    pop = m.cheetahs
    pop.clock += 1
    pop.version += 1
    if len(pop) == 0:
        return
    leaving = _age_a_month(pop.boma_months, pop.months_free, pop.origin, pop.mother, pop.birth, pop.clock,
                           m.params.independence_months, WILD_BORN)
    if leaving.size == 0:
        return
    leave_mothers(m, leaving)


@njit(cache=True)
def _age_a_month(boma_months, months_free, origin, mother, birth, clock, independence_months, wild_born):
    """In place: a month off the boma stay, a month more since release for released animals out
    of the boma. Returns the rows of the dependent cubs old enough (age = clock - birth [months])
    to leave their mother, in row order."""
    leaving = np.empty(mother.size, dtype=np.int64)
    k = 0
    for i in range(mother.size):
        if boma_months[i] > 0:
            boma_months[i] -= 1
        elif origin[i] != wild_born:
            months_free[i] += 1
        if mother[i] >= 0 and clock - birth[i] >= independence_months:
            leaving[k] = i
            k += 1
    return leaving[:k]


def leave_mothers(m: Any, leaving: np.ndarray) -> None:
    """Cubs in rows ``leaving`` become independent (at independence age, or freed by their
    mother's next litter); brothers of a litter stay together as a coalition with probability
    ``coalition_prob`` (one draw per litter with at least two brothers, litters in row order)."""
    pop = m.cheetahs
    litters = pop.litter[leaving]
    events.become_independent(pop, leaving)
    m.record_independence(leaving)
    brothers, starts = _brothers(leaving, litters, pop.male)
    for a, b in zip(starts[:-1].tolist(), starts[1:].tolist()):     # litters in the order they are met
        if m.rng.random() < m.params.coalition_prob:
            m.coalitions += 1
            events.form_coalition(pop, brothers[a:b], m.coalitions)


@njit(cache=True)
def _brothers(leaving, litters, male):
    """The brothers (rows, in the order of ``leaving``) of each litter with at least two among
    ``leaving`` (``litters``: their litter ids), litters in the order they are first met: litter
    k's are ``brothers[starts[k]:starts[k + 1]]``."""
    n = leaving.size
    brothers = np.empty(n, dtype=np.int64)
    starts = np.zeros(n + 1, dtype=np.int64)
    k = 0
    b = 0
    for i in range(n):
        seen = False
        for j in range(i):
            if litters[j] == litters[i]:
                seen = True
                break
        if seen:
            continue
        count = 0
        for j in range(i, n):
            if litters[j] == litters[i] and male[leaving[j]]:
                brothers[b + count] = leaving[j]
                count += 1
        if count >= 2:
            b += count
            k += 1
            starts[k] = b
    return brothers[:b], starts[:k + 1]
