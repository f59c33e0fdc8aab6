"""Energetics: what each animal needs to eat, how a unit's food is shared, body condition.

Body condition (0-1) is the animal's energy reserve as a fraction of ``reserve_days`` of food;
it rises or falls each month with what it eats against what it needs, and starvation risk
(:mod:`sim.life.mortality`) rises as it falls below ``starvation_condition``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..cheetahs.units import Units

DAYS_PER_MONTH = 365.25 / 12


def food_need_kg_per_month(p, age, is_cub, n_cubs, youngest_cub_age):
    """Food an animal needs a month [kg]; arrays (one entry per animal) or scalars.

    An adult or independent animal: ``food_kg_per_day`` x days a month (about 4 kg/day). A
    dependent cub: nothing before ``cub_weaning_months``, then from 30 % of an adult's need at
    weaning rising linearly to an adult's at ``independence_months``. A mother whose cubs
    (``n_cubs``, youngest ``youngest_cub_age`` months; inf if none) are not yet weaned: an adult's
    need x (1 + ``lactation_extra_need`` x n_cubs / 3). ``p``: :class:`sim.config.params.CheetahParams`."""
    base = p.food_kg_per_day * DAYS_PER_MONTH
    age = np.asarray(age, dtype=float)
    wean = p.cub_weaning_months
    frac = np.minimum(1.0, 0.3 + 0.7 * (age - wean) / max(p.independence_months - wean, 1e-9))
    cub = np.where(age < wean, 0.0, base * frac)
    n_cubs = np.asarray(n_cubs, dtype=float)
    nursing = (n_cubs > 0) & (np.asarray(youngest_cub_age, dtype=float) < wean)
    grown = np.where(nursing, base * (1.0 + p.lactation_extra_need * n_cubs / 3.0), base)
    return np.where(is_cub, cub, grown)


def condition_after_eating(p, condition, eaten_kg, need_kg):
    """Body condition (0-1; 1 = full reserve) after a month's meals: it rises or falls by
    (eaten - need) / reserve, the reserve being ``reserve_days`` x ``food_kg_per_day`` kg.
    Arrays or scalars."""
    reserve_max = p.reserve_days * p.food_kg_per_day
    return np.minimum(np.maximum(np.asarray(condition, dtype=float) + (eaten_kg - need_kg) / reserve_max, 0.0), 1.0)


def needs(m: Any) -> np.ndarray:
    """Food every animal of ``m.cheetahs`` needs this month [kg] (:func:`food_need_kg_per_month`)."""
    pop = m.cheetahs
    age = pop.age
    cub = pop.mother >= 0
    n_cubs = pop.n_cubs()
    cub_age = np.full(len(pop), math.inf)
    cub_age[pop.mother[cub]] = age[cub]          # a mother's cubs are one litter: one age
    return food_need_kg_per_month(m.params, age, cub, n_cubs, cub_age)


def wants(p, need_kg: np.ndarray, condition: np.ndarray) -> np.ndarray:
    """What each animal would eat [kg]: its need plus what refills its reserve."""
    return need_kg + (1.0 - condition) * (p.reserve_days * p.food_kg_per_day)


def share_and_digest(m: Any, units: Units, intake_kg: np.ndarray, need_kg: np.ndarray,
                     want_kg: np.ndarray, fed_in_boma: np.ndarray) -> None:
    """Share each unit's food (``intake_kg``, per unit) among its members and update their body
    condition: adults eat first, up to what they want; the cubs share the rest in proportion to
    what they want. Members of units in a boma (``fed_in_boma``, per unit) are fed to full
    condition."""
    pop = m.cheetahs
    adult = ~units.is_cub
    owner = units.owner
    want_adult = units.total(want_kg, adult)
    want_cub = units.total(want_kg, ~adult)
    share_adult = np.minimum(intake_kg, want_adult)
    share_cub = np.minimum(intake_kg - share_adult, want_cub)
    share = np.where(adult, share_adult[owner], share_cub[owner])
    want = np.where(adult, want_adult[owner], want_cub[owner])
    eaten = np.divide(share * want_kg, want, out=np.zeros_like(share), where=want > 0)
    condition = condition_after_eating(m.params, pop.condition, eaten, need_kg)
    condition[fed_in_boma[owner]] = 1.0
    pop.condition = condition
