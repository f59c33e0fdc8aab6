"""Ageing and transitions: every animal ages a month; boma and post-release clocks advance; cubs
reaching ``independence_months`` leave their mother, and brothers of a litter stay together as a
coalition with probability ``coalition_prob`` (:func:`leave_mothers`, also used when a mother's
next litter frees the older one).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..cheetahs import events
from ..cheetahs.population import WILD_BORN


def month(m: Any) -> None:
    pop = m.cheetahs
    p = m.params
    pop.clock += 1
    pop.version += 1
    if len(pop) == 0:
        return
    boma = pop.boma_months > 0
    pop.boma_months[boma] -= 1
    pop.months_free[~boma & (pop.origin != WILD_BORN)] += 1
    leaving = np.flatnonzero((pop.mother >= 0) & (pop.age >= p.independence_months))
    if leaving.size == 0:
        return
    leave_mothers(m, leaving)


def leave_mothers(m: Any, leaving: np.ndarray) -> None:
    """Cubs in rows ``leaving`` become independent (at independence age, or freed by their
    mother's next litter); brothers of a litter stay together as a coalition with probability
    ``coalition_prob`` (one draw per litter with at least two brothers, litters in row order)."""
    pop = m.cheetahs
    litters = pop.litter[leaving]
    events.become_independent(pop, leaving)
    m.record_independence(leaving)
    _, first = np.unique(litters, return_index=True)
    for k in np.sort(first).tolist():                      # litters in the order they are met
        litter = leaving[litters == litters[k]]
        brothers = litter[pop.male[litter]]
        if brothers.size >= 2 and m.rng.random() < m.params.coalition_prob:
            m.coalitions += 1
            events.form_coalition(pop, brothers, m.coalitions)
