"""Energetics: what each animal needs to eat, how a unit's food is shared, body condition.

Body condition (0-1) is the animal's energy reserve as a fraction of ``reserve_days`` of food;
it rises or falls each month with what it eats against what it needs, and starvation risk
(:mod:`sim.life.mortality`) rises as it falls below ``starvation_condition``.

The rules are compiled functions of one animal (:func:`need_kg`, :func:`condition_after`), used
by the monthly loops here and, through the array wrappers, by tests and checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ..cheetahs.units import Units

DAYS_PER_MONTH = 365.25 / 12


@njit(cache=True)
def need_kg(age, is_cub, n_cubs, cub_age, base_kg, wean, independence, lactation):
    """Food one animal needs a month [kg]. An adult or independent animal: ``base_kg`` (its
    daily need x days a month). A dependent cub: nothing before weaning (``wean`` months), then
    from 30 % of an adult's need at weaning rising linearly to an adult's at ``independence``
    months. A mother of ``n_cubs`` cubs of ``cub_age`` months not yet weaned: base x (1 +
    ``lactation`` x n_cubs / 3)."""
    if is_cub:
        if age < wean:
            return 0.0
        return base_kg * min(1.0, 0.3 + 0.7 * (age - wean) / max(independence - wean, 1e-9))
    if n_cubs > 0 and cub_age < wean:
        return base_kg * (1.0 + lactation * n_cubs / 3.0)
    return base_kg


@njit(cache=True)
def condition_after(condition, eaten_kg, need_kg, reserve_kg):
    """Body condition (0-1) after a month's meals: it rises or falls by (eaten - need) / reserve."""
    return min(max(condition + (eaten_kg - need_kg) / reserve_kg, 0.0), 1.0)


def _need_args(p):
    return (p.food_kg_per_day * DAYS_PER_MONTH, float(p.cub_weaning_months), float(p.independence_months),
            float(p.lactation_extra_need))


def food_need_kg_per_month(p, age, is_cub, n_cubs, youngest_cub_age):
    """Food animals need a month [kg] (:func:`need_kg`), arrays (one entry per animal) or scalars.
    ``youngest_cub_age``: inf for animals without cubs. ``p``: :class:`sim.config.params.CheetahParams`."""
    b = np.broadcast_arrays(np.asarray(age, dtype=float), np.asarray(is_cub, dtype=bool),
                            np.asarray(n_cubs, dtype=float), np.asarray(youngest_cub_age, dtype=float))
    out = _needs(*(np.ascontiguousarray(x).ravel() for x in b), *_need_args(p))
    return out.reshape(b[0].shape) if b[0].ndim else out[0]


@njit(cache=True)
def _needs(age, is_cub, n_cubs, cub_age, base_kg, wean, independence, lactation):
    out = np.empty(age.size)
    for i in range(age.size):
        out[i] = need_kg(age[i], is_cub[i], n_cubs[i], cub_age[i], base_kg, wean, independence, lactation)
    return out


def condition_after_eating(p, condition, eaten_kg, need_kg_):
    """Body condition after eating (:func:`condition_after`), arrays or scalars."""
    reserve = p.reserve_days * p.food_kg_per_day
    c, e, n = np.broadcast_arrays(np.asarray(condition, dtype=float), np.asarray(eaten_kg, dtype=float),
                                  np.asarray(need_kg_, dtype=float))
    out = np.array([condition_after(a, b, d, reserve) for a, b, d in zip(c.ravel(), e.ravel(), n.ravel())])
    return out.reshape(c.shape) if c.ndim else out[0]


def needs(m: Any) -> np.ndarray:
    """Food every animal of ``m.cheetahs`` needs this month [kg] (:func:`need_kg`)."""
    pop = m.cheetahs
    return _population_needs(pop.mother, pop.birth, pop.clock, *_need_args(m.params))


@njit(cache=True)
def _population_needs(mother, birth, clock, base_kg, wean, independence, lactation):
    """:func:`need_kg` of every row (all alive): a mother's cubs are one litter, of one age."""
    n = mother.size
    n_cubs = np.zeros(n)
    cub_age = np.full(n, np.inf)
    for i in range(n):
        if mother[i] >= 0:
            n_cubs[mother[i]] += 1.0
            cub_age[mother[i]] = clock - birth[i]
    out = np.empty(n)
    for i in range(n):
        out[i] = need_kg(float(clock - birth[i]), mother[i] >= 0, n_cubs[i], cub_age[i], base_kg, wean,
                         independence, lactation)
    return out


def wants(p, need: np.ndarray, condition: np.ndarray) -> np.ndarray:
    """What each animal would eat [kg]: its need plus what refills its reserve."""
    return need + (1.0 - condition) * (p.reserve_days * p.food_kg_per_day)


def share_and_digest(m: Any, units: Units, intake_kg: np.ndarray, need: np.ndarray,
                     want_kg: np.ndarray, fed_in_boma: np.ndarray) -> None:
    """Share each unit's food (``intake_kg``, per unit) among its members and update their body
    condition: adults eat first, up to what they want; the cubs share the rest in proportion to
    what they want. Members of units in a boma (``fed_in_boma``, per unit) are fed to full
    condition."""
    p = m.params
    _share(units.owner, units.is_cub, np.asarray(intake_kg, dtype=float), need, want_kg, fed_in_boma,
           m.cheetahs.condition, p.reserve_days * p.food_kg_per_day)


@njit(cache=True)
def _share(owner, is_cub, intake, need, want, boma, condition, reserve_kg):
    n_units = intake.size
    want_adult = np.zeros(n_units)
    want_cub = np.zeros(n_units)
    for j in range(owner.size):
        if is_cub[j]:
            want_cub[owner[j]] += want[j]
        else:
            want_adult[owner[j]] += want[j]
    for j in range(owner.size):
        u = owner[j]
        if boma[u]:
            condition[j] = 1.0
            continue
        share_adult = min(intake[u], want_adult[u])
        if is_cub[j]:
            share, total = min(intake[u] - share_adult, want_cub[u]), want_cub[u]
        else:
            share, total = share_adult, want_adult[u]
        eaten = share * want[j] / total if total > 0 else 0.0
        condition[j] = condition_after(condition[j], eaten, need[j], reserve_kg)
