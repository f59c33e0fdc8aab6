"""The year's environment, drawn each January: correlated log-normal multipliers on prey capacity
and on cheetah hazards (Vortex-style environmental variation), and catastrophes (a harsh winter
that kills prey and cheetahs, a saiga mass die-off in its month, a drought that lowers prey
capacity for the year). Climate trends (``environment.trends``, :mod:`sim.config.climate`) set
the year's prey-capacity multiplier and catastrophe probabilities.
"""

from __future__ import annotations

import math
from typing import Any


def start_year(m: Any) -> None:
    """Draw the year's environment (January): capacity and hazard multipliers, harsh winter,
    saiga die-off, drought (drawn only when its probability this year is above 0, so scenarios
    without droughts keep their random stream). A harsh winter kills its share of every prey
    species at once; a drought multiplies the year's prey capacity by ``drought_capacity_factor``."""
    env = m.spec.environment
    year = m.year
    rng = m.env_rng
    z1, z2 = rng.standard_normal(2)
    zs = env.ev_correlation * z1 + math.sqrt(max(0.0, 1 - env.ev_correlation ** 2)) * z2
    m.capacity_multiplier = math.exp(env.ev_capacity_sd * z1 - env.ev_capacity_sd ** 2 / 2)
    if env.trends:
        m.capacity_multiplier *= env.setting("prey_capacity", year)
    m.hazard_multiplier = math.exp(-env.ev_survival_sd * zs - env.ev_survival_sd ** 2 / 2)
    paired = rng is not m.rng           # common random numbers: the same draws in every option
    u = rng.random(3 if paired else 2)
    m.harsh_winter = bool(u[0] < env.setting("harsh_winter_prob", year))
    m.die_off = bool(u[1] < env.setting("saiga_die_off_prob", year))
    drought_prob = env.setting("drought_prob", year)
    m.drought = bool(drought_prob > 0.0 and (u[2] if paired else rng.random()) < drought_prob)
    if m.drought:
        m.capacity_multiplier *= env.drought_capacity_factor
    if m.harsh_winter:
        for name, sp in m.spec.prey.species().items():
            m.prey.catastrophe(name, sp.harsh_winter_mortality)


def saiga_die_off(m: Any) -> None:
    """A saiga mass die-off kills ``saiga_die_off_severity`` of the saiga (in ``die_off_month``)."""
    m.prey.catastrophe("saiga", m.spec.environment.saiga_die_off_severity)
