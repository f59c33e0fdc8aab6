"""Mortality: competing monthly hazards, one small function per cause; the deaths are decided for
all animals at once, then applied (independent animals first, so that a cub whose mother dies
is recorded as orphaned whatever its own draw).

Each cause is a registered ``hazard`` rule (:mod:`sim.registry`): a function of the model and an
:class:`Animals` view returning every animal's monthly hazard [per month] (``inf``: certain
death). The scenario lists the causes in force (``rules.hazards``); an animal dies with
probability 1 - exp(-Σ hazards) and of cause i with probability hazard_i / Σ hazards (causes
with infinite hazard share the death equally). Causes recorded without a hazard (orphaned,
emigrated, ceiling) come from other processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..cheetahs.population import ORIGINS
from ..registry import get, register

#: Monthly mortality draws a cub faces before its first birthday: it is born after the month's
#: mortality phase and aged once before its first draw, so it is drawn at ages 1..11 months.
FIRST_YEAR_DRAWS = 11


def months_to_hazard(annual_survival: float) -> float:
    """Constant monthly hazard giving the annual survival (per month)."""
    return -math.log(max(annual_survival, 1e-12)) / 12.0


def release_hazard_scale(survival: float, tau_months: float) -> float:
    """Post-release hazard at release, h0 [per month], such that the draws at months_free = 0..11
    with hazard h0 exp(-t / tau_months) give exactly ``survival`` over the first free year."""
    weights = sum(math.exp(-t / tau_months) for t in range(12))
    return -math.log(survival) / weights


def cub_background_hazard(p) -> float:
    """Monthly background hazard of a dependent cub such that, over the monthly mortality draws
    a cub faces before independence (born after the month's mortality phase, independent at the
    ageing of age ceil(independence_months) - 1 → ceil), survival is ``cub_survival_base``."""
    draws = max(1, math.ceil(p.independence_months) - 1)
    return -math.log(p.cub_survival_base) / draws


@dataclass(frozen=True)
class Rates:
    """The constant monthly hazards of a parameter set, computed once per replicate."""

    cub: float
    subadult_f: float
    subadult_m: float
    adult_f: float
    adult_m: float
    release0: np.ndarray            # post-release hazard at release by origin (wild_born: 0)

    @classmethod
    def of(cls, p) -> "Rates":
        tau = p.release_hazard_months
        h0 = {"wild": release_hazard_scale(p.release_survival_wild, tau),
              "captive": release_hazard_scale(p.release_survival_captive, tau)}
        return cls(cub=cub_background_hazard(p),
                   subadult_f=months_to_hazard(p.subadult_survival_female),
                   subadult_m=months_to_hazard(p.subadult_survival_male),
                   adult_f=months_to_hazard(p.adult_survival_female),
                   adult_m=months_to_hazard(p.adult_survival_male),
                   release0=np.array([h0.get(o, 0.0) for o in ORIGINS]))


class Animals:
    """What the hazards read: arrays over the living animals (rows of ``m.cheetahs``), each
    computed on first use."""

    def __init__(self, m: Any) -> None:
        self._m = m
        self.pop = m.cheetahs

    @cached_property
    def cell(self) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) where the animal lives: its home-range centre, else its current cell."""
        return self.pop.positions(np.arange(len(self.pop)))

    @cached_property
    def age(self) -> np.ndarray:
        return self.pop.age

    @cached_property
    def is_cub(self) -> np.ndarray:
        return self.pop.mother >= 0

    @cached_property
    def in_boma(self) -> np.ndarray:
        return self.pop.boma_months > 0

    @cached_property
    def independent_hazard(self) -> np.ndarray:
        """Background hazard of an independent animal of its sex and age class [per month]."""
        r = self._m.rates
        adult = self.age >= self._m.params.adult_months
        return np.where(self.pop.male, np.where(adult, r.adult_m, r.subadult_m),
                        np.where(adult, r.adult_f, r.subadult_f))


# ------------------------------------------------------------------------------------ causes
@register("hazard", "background")
def background(m, a: Animals) -> np.ndarray:
    """Stage-, sex- and age-class hazard (cubs: ``cub_survival_base`` spread over their draws),
    times the year's environmental multiplier."""
    return np.where(a.is_cub, m.rates.cub, a.independent_hazard) * m.hazard_multiplier


@register("hazard", "senescence")
def senescence(m, a: Animals) -> np.ndarray:
    """Past ``senescence_months`` the background hazard grows by exp(rate x years past) - 1;
    certain death at ``max_age_months``."""
    p = m.params
    past = np.maximum(0.0, a.age - p.senescence_months) / 12.0
    sen = np.where(past > 0, (np.exp(p.senescence_rate_per_year * past) - 1.0) * a.independent_hazard
                   * m.hazard_multiplier, 0.0)
    return np.where(a.age >= p.max_age_months, np.inf, sen)


@register("hazard", "starvation")
def starvation(m, a: Animals) -> np.ndarray:
    """Below ``starvation_condition`` an animal dies with monthly probability 1 - condition /
    threshold (certain death at condition 0); only where food comes from the prey."""
    if not m.density.uses_prey:
        return np.zeros(len(a.pop))
    starving = np.minimum(np.maximum(1.0 - a.pop.condition / m.params.starvation_condition, 0.0), 1.0)
    return np.where(starving >= 1.0, np.inf, -np.log1p(-np.minimum(starving, 1 - 1e-12)))


@register("hazard", "human")
def human(m, a: Animals) -> np.ndarray:
    """Persecution and poaching: ``human_hazard_per_year`` x herder pressure x (1 - protection x
    enforcement) x conflict mitigation factor; not for cubs or animals in a boma."""
    land = m.landscape
    r, c = a.cell
    pressure = land.human[r, c] * (1.0 - land.protection[r, c] * m.enforcement)
    return np.where(a.is_cub | a.in_boma, 0.0,
                    m.params.human_hazard_per_year / 12.0 * pressure * m.human_factor)


@register("hazard", "road")
def road(m, a: Animals) -> np.ndarray:
    """A resident whose range holds a road crosses it ``resident_road_crossings_per_month`` times,
    each with the road crossing mortality (x road mitigation factor)."""
    p = m.params
    p_cross = min(p.road_crossing_mortality * m.road_factor, 1.0 - 1e-12)
    exposed = a.pop.road_in_range & ~a.is_cub
    return np.where(exposed, -math.log(1.0 - p_cross) * p.resident_road_crossings_per_month, 0.0)


@register("hazard", "predation")
def predation(m, a: Animals) -> np.ndarray:
    """Cubs killed by competitors: ``cub_predation_per_competitor`` x competitors/km² of the cell."""
    r, c = a.cell
    return np.where(a.is_cub, m.params.cub_predation_per_competitor * m.landscape.competitors[r, c], 0.0)


@register("hazard", "post_release")
def post_release(m, a: Animals) -> np.ndarray:
    """Released animals, out of the boma for less than a year: h0 exp(-months free / tau) (h0 by
    origin such that the first free year's survival is the stated factor), x the soft-release
    factor after a boma."""
    p = m.params
    pop = a.pop
    h0 = m.rates.release0[pop.origin]
    months_free = pop.months_free
    fresh = (h0 > 0) & ~a.in_boma & (months_free < 12)
    return np.where(fresh, h0 * np.exp(-np.minimum(months_free, 12) / p.release_hazard_months)
                    * np.where(pop.soft, p.soft_release_hazard_factor, 1.0), 0.0)


@register("hazard", "inbreeding")
def inbreeding(m, a: Animals) -> np.ndarray:
    """Inbreeding depression of first-year survival, exp(-B F) over the year (Vortex), spread over
    the draws a cub faces before age one."""
    return np.where(a.is_cub & (a.age < 12), m.params.lethal_equivalents * a.pop.F / FIRST_YEAR_DRAWS, 0.0)


@register("hazard", "harsh_winter")
def harsh_winter(m, a: Animals) -> np.ndarray:
    """A harsh winter (dzhut) year kills a share 1 - ``harsh_winter_cheetah_survival`` in January."""
    if m.harsh_winter and m.month == 0:
        return np.full(len(a.pop), -math.log(m.spec.environment.harsh_winter_cheetah_survival))
    return np.zeros(len(a.pop))


def hazards(m: Any, causes: tuple[str, ...]) -> np.ndarray:
    """Monthly hazards (animals, causes) of every living animal; causes without a registered
    hazard (recorded by other processes) are columns of zeros."""
    a = Animals(m)
    n = len(m.cheetahs)
    H = np.zeros((n, len(causes)))
    for j, cause in enumerate(causes):
        fn = m.hazard_rules.get(cause)
        if fn is not None:
            H[:, j] = fn(m, a)
    return H


def decide(H: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who dies and of which cause, from hazards H (animals, causes) and two uniform numbers per
    animal ``u`` (animals, 2): rows that die, and the column of their cause."""
    total = H.sum(axis=1)
    with np.errstate(invalid="ignore"):
        p_die = np.where(np.isinf(total), 1.0, -np.expm1(-total))
    dead = np.flatnonzero(u[:, 0] < p_die)
    if dead.size == 0:
        return dead, dead
    Hd = H[dead]
    inf = np.isinf(Hd)
    share = np.where(inf.any(axis=1, keepdims=True), inf.astype(float), Hd)
    cum = np.cumsum(share, axis=1)
    pick = (cum < (u[dead, 1] * cum[:, -1])[:, None]).sum(axis=1)
    return dead, pick


def month(m: Any) -> None:
    """The month's deaths from the hazards in force (see the module docstring)."""
    pop = m.cheetahs
    n = len(pop)
    if n == 0:
        return
    H = hazards(m, m.death_causes)
    dead, pick = decide(H, m.rng.random((n, 2)))
    if dead.size == 0:
        return
    first = np.argsort(pop.mother[dead] >= 0, kind="stable")      # independent animals first
    m.kill(dead[first], [m.death_causes[k] for k in pick[first].tolist()])


def hazard_rules(names) -> dict:
    """The registered hazard functions of the causes named (by cause name)."""
    return {name: get("hazard", name) for name in names}
