"""The year's environment, drawn each January: correlated log-normal multipliers on prey capacity
and on cheetah hazards (Vortex-style environmental variation), and catastrophes (a harsh winter
that kills prey and cheetahs, a saiga mass die-off in its month).
"""

from __future__ import annotations

import math
from typing import Any


def start_year(m: Any) -> None:
    """Draw the year's environment (January): capacity and hazard multipliers, harsh winter,
    saiga die-off. A harsh winter kills its share of every prey species at once."""
    env = m.spec.environment
    z1, z2 = m.rng.standard_normal(2)
    zs = env.ev_correlation * z1 + math.sqrt(max(0.0, 1 - env.ev_correlation ** 2)) * z2
    m.capacity_multiplier = math.exp(env.ev_capacity_sd * z1 - env.ev_capacity_sd ** 2 / 2)
    m.hazard_multiplier = math.exp(-env.ev_survival_sd * zs - env.ev_survival_sd ** 2 / 2)
    u = m.rng.random(2)
    m.harsh_winter = bool(u[0] < env.harsh_winter_prob)
    m.die_off = bool(u[1] < env.saiga_die_off_prob)
    if m.harsh_winter:
        for name, sp in m.spec.prey.species().items():
            m.prey.catastrophe(name, sp.harsh_winter_mortality)


def saiga_die_off(m: Any) -> None:
    """A saiga mass die-off kills ``saiga_die_off_severity`` of the saiga (in ``die_off_month``)."""
    m.prey.catastrophe("saiga", m.spec.environment.saiga_die_off_severity)
