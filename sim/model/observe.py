"""Observation: the occupancy map each month, the annual census, and the events that observers
(validation checks, notebooks, the browser view) can listen to without patching the model.

An observer is any object passed to ``ReintroductionModel(..., observers=[obj])`` defining some
of these methods (each optional); ``ev`` holds arrays, one entry per animal or unit, and ``t`` is
the month index (0 = January of year 1):

* ``on_births(model, ev: Births)``;
* ``on_independence(model, ev: Independence)`` (``orphaned``: made independent by the mother's death);
* ``on_deaths(model, ev: Deaths)``;
* ``on_hunt(model, ev: Hunt)``: each hunting unit's prey density as fed to the functional
  response [animals/km²], its leader's body condition before eating, members, kills;
* ``on_census(model, year)``: after the annual census row is written;
* ``on_month_start(model, t)`` and ``on_month_end(model, t)``: before and after month t's
  processes (the model's state is then readable: ``model.cheetahs``, ``model.prey``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from ..config.params import SPECIES
from ..world.geometry import union_of_disks
from .results import SEXES, STAGES


@dataclass(frozen=True)
class Births:
    t: int
    mother_uid: np.ndarray
    cub_uid: np.ndarray
    cub_sex: np.ndarray            # "F" / "M"


@dataclass(frozen=True)
class Independence:
    t: int
    uid: np.ndarray
    sex: np.ndarray
    age_months: np.ndarray
    orphaned: np.ndarray           # bool


@dataclass(frozen=True)
class Deaths:
    t: int
    uid: np.ndarray
    sex: np.ndarray
    age_months: np.ndarray
    cause: np.ndarray              # cause names
    was_cub: np.ndarray            # bool


@dataclass(frozen=True)
class Hunt:
    t: int
    month: int
    density: np.ndarray            # (units, species) animals/km²
    condition: np.ndarray          # (units,) leader's body condition before eating
    members: np.ndarray            # (units,) animals in the unit, cubs included
    kills: np.ndarray              # (units, species)


def notify(observers, method: str, model: Any, ev: Any) -> None:
    for obs in observers:
        fn = getattr(obs, method, None)
        if fn is not None:
            fn(model, ev)


def sexes(male: np.ndarray) -> np.ndarray:
    return np.where(male, "M", "F")


def record_occupancy(m: Any) -> None:
    """Add one resident-month to the cell of every resident's home-range centre."""
    pop = m.cheetahs
    _occupy(m.occupancy, pop.home_row, pop.home_col, pop.mother)


@njit(cache=True)
def _occupy(occupancy, home_row, home_col, mother):
    for i in range(home_row.size):
        if home_row[i] >= 0 and mother[i] < 0:
            occupancy[home_row[i], home_col[i]] += 1


def occupied_area_km2(m: Any, residents: np.ndarray) -> float:
    """Area [km²] of the cells within at least one resident's home-range radius (the union, so
    overlapping female ranges and coalition mates count once)."""
    pop = m.cheetahs
    land = m.landscape
    covered = union_of_disks(land.shape, pop.home_row[residents], pop.home_col[residents],
                             pop.hr_radius_km[residents] / land.cell_km)
    return float(covered.sum()) * land.cell_area_km2


def life_stages(pop: Any, adult_months: float) -> np.ndarray:
    """Each animal's life stage as an index into :data:`~sim.model.results.STAGES`: 0 cub (a
    dependent cub), 2 resident (a home range), else 1 subadult (younger than ``adult_months``)
    or 3 transient; the census's and the browser view's definition."""
    cub = pop.mother >= 0
    return np.where(cub, 0, np.where(pop.home_row >= 0, 2, np.where(pop.age < adult_months, 1, 3)))


def take_census(m: Any) -> None:
    """Write the year's census row (after December; see sim.model.results.CENSUS_COLUMNS)."""
    i = m.year - 1
    c = m.census
    pop = m.cheetahs
    p = m.params
    n = len(pop)
    age = pop.age
    cub = pop.mother >= 0
    res = pop.home_row >= 0
    stage = life_stages(pop, p.adult_months)
    for s, st in enumerate(STAGES):
        for male, sx in ((False, SEXES[0]), (True, SEXES[1])):
            c[f"{st}_{sx}"][i] = int(np.count_nonzero((stage == s) & (pop.male == male)))
    adult = age >= p.adult_months
    c["adults_f"][i] = int(np.count_nonzero(adult & ~pop.male))
    c["adults_m"][i] = int(np.count_nonzero(adult & pop.male))
    nf = int(np.count_nonzero(~pop.male))
    c["N"][i] = n
    c["N_f"][i] = nf
    c["N_m"][i] = n - nf
    c["breeding_females"][i] = len(m.year_breeders)
    c["births"][i] = m.year_births
    c["released"][i] = m.year_released
    for k, cause in enumerate(m.census_causes):
        c[f"deaths_{cause}"][i] = m.year_deaths[k]
    c["extant"][i] = float(nf > 0 and n - nf > 0)
    if n:
        c["gene_diversity"][i] = m.genetics.gene_diversity(pop.gslot.tolist())
        c["mean_F"][i] = float(np.mean(pop.F))
        c["lethal_alleles"][i] = m.genetics.lethal_alleles(pop.gslot)
        if (~cub).any():
            c["mean_condition"][i] = float(np.mean(pop.condition[~cub]))
    lead = pop.leaders() if n else np.zeros(0, dtype=np.int64)
    residents = np.flatnonzero(res & ~cub & (lead == np.arange(n)))
    if residents.size:
        areas = np.array([math.pi * r ** 2 for r in pop.hr_radius_km[residents].tolist()])
        c["mean_home_range_km2"][i] = float(areas.mean())
        c["occupied_km2"][i] = occupied_area_km2(m, residents)
    tot = m.prey.totals()
    for k, name in enumerate(SPECIES):
        c[f"prey_{name}"][i] = tot[k]
    c["saiga_male_fraction"][i] = m.prey.saiga_male_fraction
