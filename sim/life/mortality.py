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
from numba import njit

from ..cheetahs.population import ORIGINS
from ..registry import get, register
from ..world.landscape import COMPETITOR_KINDS

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


def cub_background_hazards(p) -> tuple[float, float]:
    """Monthly background hazards of a dependent cub (in the den, after it) [per month].

    A cub faces a mortality draw at each age 1 .. ceil(independence_months) - 1 months (born after
    the month's mortality phase, independent at the ageing of age ceil(independence_months) - 1 →
    ceil); the draws at ages below ``den_months`` are the den's. Over all draws survival is
    ``cub_survival_base``; over the draws after the den it is ``cub_survival_after_emergence``
    (den survival = base / after, at most 1), each spread evenly over its draws. Cubs die mostly
    in the lair (Laurenson 1994), and without large predators ~0.97 of those that emerge become
    independent (Bissett, Bernard & Parker 2007): spreading the den's losses over 17 months would
    make emergence → independence survival far lower than the field's."""
    draws = max(1, math.ceil(p.independence_months) - 1)
    den = min(draws, max(0, math.ceil(p.den_months) - 1))
    after = draws - den
    base = p.cub_survival_base
    s_after = max(base, p.cub_survival_after_emergence)
    if den == 0:
        return 0.0, -math.log(base) / after
    if after == 0:
        return -math.log(base) / den, 0.0
    return -math.log(base / s_after) / den, -math.log(s_after) / after


def cub_background_hazard_at(p, age_months: int) -> float:
    """The background hazard of a dependent cub aged ``age_months`` at the start of the month."""
    h_den, h_after = cub_background_hazards(p)
    return h_den if age_months < p.den_months else h_after


@dataclass(frozen=True)
class Rates:
    """The constant monthly hazards of a parameter set, computed once per replicate."""

    cub_den: float                  # a dependent cub younger than den_months
    cub_after: float                # a dependent cub from den_months to independence
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
        h_den, h_after = cub_background_hazards(p)
        return cls(cub_den=h_den, cub_after=h_after,
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
        return self.pop.cells()

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
        return _independent(self.age, self.pop.male, self._m.params.adult_months, r.adult_f, r.adult_m,
                            r.subadult_f, r.subadult_m)


@njit(cache=True)
def _independent(age, male, adult_months, adult_f, adult_m, sub_f, sub_m):
    out = np.empty(age.size)
    for i in range(out.size):
        if age[i] >= adult_months:
            out[i] = adult_m if male[i] else adult_f
        else:
            out[i] = sub_m if male[i] else sub_f
    return out


# ------------------------------------------------------------------------------------ causes
@register("hazard", "background")
def background(m, a: Animals) -> np.ndarray:
    """Stage-, sex- and age-class hazard (cubs: ``cub_survival_base`` split between the den and
    the months after it, :func:`cub_background_hazards`), times the year's environmental multiplier."""
    r = m.rates
    return _background(a.is_cub, a.age, a.independent_hazard, r.cub_den, r.cub_after, m.params.den_months,
                       m.hazard_multiplier)


@njit(cache=True)
def _background(is_cub, age, h_ind, h_den, h_after, den_months, ev):
    out = np.empty(is_cub.size)
    for i in range(out.size):
        if is_cub[i]:
            out[i] = (h_den if age[i] < den_months else h_after) * ev
        else:
            out[i] = h_ind[i] * ev
    return out


@register("hazard", "senescence")
def senescence(m, a: Animals) -> np.ndarray:
    """Past ``senescence_months`` the background hazard grows by exp(rate x years past) - 1;
    certain death at ``max_age_months``."""
    p = m.params
    return _senescence(a.age, a.independent_hazard, m.hazard_multiplier, p.senescence_months,
                       p.senescence_rate_per_year, p.max_age_months)


@njit(cache=True)
def _senescence(age, h_ind, ev, start_months, rate_per_year, max_age_months):
    out = np.zeros(age.size)
    for i in range(out.size):
        if age[i] >= max_age_months:
            out[i] = np.inf
        elif age[i] > start_months:
            out[i] = (np.exp(rate_per_year * ((age[i] - start_months) / 12.0)) - 1.0) * h_ind[i] * ev
    return out


@register("hazard", "starvation")
def starvation(m, a: Animals) -> np.ndarray:
    """Below ``starvation_condition`` an animal dies with monthly probability 1 - condition /
    threshold (certain death at condition 0); only where food comes from the prey."""
    if not m.density.uses_prey:
        return np.zeros(len(a.pop))
    return _starvation(a.pop.condition, m.params.starvation_condition)


@njit(cache=True)
def _starvation(condition, threshold):
    out = np.zeros(condition.size)
    for i in range(out.size):
        starving = min(max(1.0 - condition[i] / threshold, 0.0), 1.0)
        out[i] = np.inf if starving >= 1.0 else -np.log1p(-min(starving, 1 - 1e-12))
    return out


@register("hazard", "human")
def human(m, a: Animals) -> np.ndarray:
    """Persecution and poaching: ``human_hazard_per_year`` x herder pressure x (1 - protection x
    enforcement) x (1 - ranger patrol) x conflict mitigation factor; not for cubs or animals in a
    boma."""
    land = m.landscape
    r, c = a.cell
    return _human(r, c, a.is_cub, a.in_boma, land.human, land.protection, land.patrol, m.enforcement,
                  m.params.human_hazard_per_year / 12.0, m.human_factor)


@njit(cache=True)
def _human(rows, cols, is_cub, in_boma, human, protection, patrol, enforcement, per_month, factor):
    out = np.zeros(rows.size)
    for i in range(out.size):
        if not (is_cub[i] or in_boma[i]):
            r, c = rows[i], cols[i]
            unprotected = (1.0 - protection[r, c] * enforcement) * (1.0 - patrol[r, c])
            out[i] = per_month * (human[r, c] * unprotected) * factor
    return out


@register("hazard", "road")
def road(m, a: Animals) -> np.ndarray:
    """A resident whose range holds a road crosses it ``resident_road_crossings_per_month`` times,
    each with the road crossing mortality (x road mitigation factor), the hazard scaled by the
    mean crossing risk of the road cells in its range (1 unmitigated; crossing structures and
    speed limits lower it, :attr:`Landscape.road_risk`)."""
    p = m.params
    p_cross = min(p.road_crossing_mortality * m.road_factor, 1.0 - 1e-12)
    exposure = np.where(a.is_cub, 0.0, a.pop.road_risk_in_range)
    return exposure * (-math.log(1.0 - p_cross) * p.resident_road_crossings_per_month)


@register("hazard", "predation")
def predation(m, a: Animals) -> np.ndarray:
    """Cubs killed by competitors, kind by kind: ``cub_predation_per_<kind>`` x that kind's
    density [animals/km²] in the cell (lions, wolves, leopards; the lion rate is the Serengeti's,
    not a wolf's)."""
    r, c = a.cell
    comp = m.landscape.competitors
    p = m.params
    lion, wolf, leopard = COMPETITOR_KINDS
    return _predation(r, c, a.is_cub, comp[lion], comp[wolf], comp[leopard], p.cub_predation_per_lion,
                      p.cub_predation_per_wolf, p.cub_predation_per_leopard)


@njit(cache=True)
def _predation(rows, cols, is_cub, lions, wolves, leopards, per_lion, per_wolf, per_leopard):
    """A cub's hazard: the kinds' rate x density summed in the order lion, wolf, leopard (a kind
    of rate 0 left out), as adding kind by kind to zeros did; 0 for the others."""
    out = np.zeros(rows.size)
    for i in range(out.size):
        if is_cub[i]:
            r, c = rows[i], cols[i]
            h = 0.0
            if per_lion != 0.0:
                h += per_lion * lions[r, c]
            if per_wolf != 0.0:
                h += per_wolf * wolves[r, c]
            if per_leopard != 0.0:
                h += per_leopard * leopards[r, c]
            out[i] = h
    return out


@register("hazard", "post_release")
def post_release(m, a: Animals) -> np.ndarray:
    """Released animals, out of the boma for less than a year: h0 exp(-months free / tau) (h0 by
    origin such that the first free year's survival is the stated factor), x the soft-release
    factor after a boma."""
    p = m.params
    pop = a.pop
    return _post_release(pop.origin, pop.months_free, pop.soft, a.in_boma, m.rates.release0,
                         p.release_hazard_months, p.soft_release_hazard_factor)


@njit(cache=True)
def _post_release(origin, months_free, soft, in_boma, h0_by_origin, tau_months, soft_factor):
    out = np.zeros(origin.size)
    for i in range(out.size):
        h0 = h0_by_origin[origin[i]]
        if h0 > 0 and not in_boma[i] and months_free[i] < 12:
            out[i] = h0 * np.exp(-min(months_free[i], 12) / tau_months) * (soft_factor if soft[i] else 1.0)
    return out


@register("hazard", "inbreeding")
def inbreeding(m, a: Animals) -> np.ndarray:
    """Inbreeding depression of first-year survival, as Vortex models it: a cub homozygous for a
    recessive lethal allele dies at its first draw; the additive part of the lethal equivalents
    gives survival exp(-B (1 - lethal_share) F) over the year, spread over the draws a cub faces
    before age one."""
    p = m.params
    additive = p.lethal_equivalents * (1.0 - p.lethal_share)
    return _inbreeding(a.is_cub, a.age, a.pop.lethal, a.pop.F, additive, FIRST_YEAR_DRAWS)


@njit(cache=True)
def _inbreeding(is_cub, age, lethal, F, additive, draws):
    out = np.zeros(is_cub.size)
    for i in range(out.size):
        if is_cub[i] and age[i] < 12:
            out[i] = np.inf if lethal[i] else additive * F[i] / draws
    return out


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
    animal ``u`` (animals, 2): an animal dies if u[0] < 1 - exp(-Σ H), of the cause whose
    cumulative share of Σ H first reaches u[1] (causes with infinite hazard share equally).
    Returns the rows that die and the column of their cause."""
    return _decide(np.ascontiguousarray(H), u)


@njit(cache=True)
def _decide(H, u):
    n, k = H.shape
    dead = np.empty(n, dtype=np.int64)
    pick = np.empty(n, dtype=np.int64)
    share = np.empty(k)
    d = 0
    for i in range(n):
        total = _row_sum(H[i])
        p_die = 1.0 if np.isinf(total) else -np.expm1(-total)
        if not u[i, 0] < p_die:
            continue
        infinite = False
        for j in range(k):
            infinite |= np.isinf(H[i, j])
        cum = 0.0
        for j in range(k):
            cum += (1.0 if np.isinf(H[i, j]) else 0.0) if infinite else H[i, j]
            share[j] = cum
        target = u[i, 1] * share[k - 1]
        c = 0
        for j in range(k):
            if share[j] < target:
                c += 1
        dead[d] = i
        pick[d] = c
        d += 1
    return dead[:d], pick[:d]


@njit(cache=True)
def _row_sum(x):
    """Σ x in numpy's order of additions (pairwise, 8 partial sums, up to 128 terms), so that the
    hazards' sum is the same to the last bit as ``H.sum(axis=1)``."""
    n = x.size
    if n < 8:
        s = 0.0
        for i in range(n):
            s += x[i]
        return s
    r = x[:8].copy()
    stop = n - n % 8
    for i in range(8, stop, 8):
        for j in range(8):
            r[j] += x[i + j]
    s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for i in range(stop, n):
        s += x[i]
    return s


def month(m: Any) -> None:
    """The month's deaths from the hazards in force (see the module docstring)."""
    pop = m.cheetahs
    n = len(pop)
    if n == 0:
        return
    H = hazards(m, m.death_causes)
    dead, pick = decide(H, m.rng.random((n, 2)))
    if dead.size:
        apply(m, dead, [m.death_causes[k] for k in pick.tolist()])


def apply(m: Any, dead: np.ndarray, causes: list[str]) -> None:
    """Carry out the deaths decided for the month: independent animals first, then cubs, each in
    row order, so that a cub whose mother dies is recorded as orphaned whatever its own cause,
    and the outcome does not depend on the order in which the deaths were listed."""
    order = np.lexsort((dead, m.cheetahs.mother[dead] >= 0))
    m.kill(dead[order], [causes[k] for k in order.tolist()])


def hazard_rules(names) -> dict:
    """The registered hazard functions of the causes named (by cause name)."""
    return {name: get("hazard", name) for name in names}
