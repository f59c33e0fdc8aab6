"""The model runs the checks make, and the records they need that the annual census lacks.

Checks call only the ``run_*`` functions below and read only the plain data classes they return.
Every function runs one replicate of a scenario with ``np.random.default_rng(seed)`` on the
scenario's landscape and returns plain numpy data (picklable: the functions run in worker
processes). The records come from observers passed to the model
(``ReintroductionModel(..., observers=[...])``, :mod:`sim.model.observe`): the model is never
patched or subclassed.

Time: ``t`` counts months from 0 = January of year 1; an event seen at the end of month t
(after the model's step of that month) is dated t. Census arrays have one entry per year
(December census), as in :attr:`ReintroductionModel.census`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ..config.params import SaigaParams
from ..config.schema import Scenario
from .common import landscape_of

#: The annual census of one replicate: column -> (years,) array (sim.model.results.CENSUS_COLUMNS).
Census = dict[str, np.ndarray]


# ============================================================================ records
@dataclass
class LifeRecord:
    """Cub fates and female lifespans of one replicate, with its census.

    A cub is recorded when it is first seen alive at the end of a month (cubs dying in their
    month of birth are not recorded); it is *independent* once it is seen alive and no longer a
    cub (at the normal age, or orphaned but old enough to survive). Females that become
    independent this way are followed until they disappear from the model (death of any cause);
    founders released as adults are never recorded."""

    months: int                  # months simulated (the run's length T)
    cub_born: np.ndarray         # (cubs,) int: month t the cub was first seen alive
    cub_independent: np.ndarray  # (cubs,) bool: the cub became independent during the run
    female_start: np.ndarray     # (females,) int: month t the female became independent
    female_age: np.ndarray       # (females,) int: her age [months] at the end of that month
    female_dead: np.ndarray      # (females,) bool: she died before the end of the run
    female_end: np.ndarray       # (females,) int: month t of her death; ``months`` if alive (censored)
    census: Census


@dataclass
class HuntRecord:
    """One month's hunting: one row per hunting unit (an independent leader not in a boma: a
    solitary animal or a coalition, with its dependent cubs), in the order the model hunts them.
    Species columns follow sim.config.params.SPECIES (saiga, gazelle, urial, hare).

    ``density`` and ``kills`` are the model's own (the :class:`sim.model.observe.Hunt` event);
    the rest is read by the observer from the model at that event, through the functions the
    model hunts with (:func:`sim.life.hunting.hunting_grounds`, :func:`~sim.life.hunting.kills_kept`,
    :func:`sim.life.energetics.wants`), so nothing is recomputed by a second formula. The event
    comes after the month's kills were removed from the prey; the only input that depends on the
    prey is a walker's claimed share (:func:`sim.life.ranges.claimed_share`), so a walker's
    ``attack`` is the one it would have after the month's kills (``walker`` marks those units)."""

    month: int                   # calendar month 0–11
    t: int                       # month index of the run (0 = January of year 1)
    density: np.ndarray          # (units, species) prey [animals/km²] in the hunting box (fed to the FR)
    condition: np.ndarray        # (units,) body condition 0–1 of the unit's leader before eating
    members: np.ndarray          # (units,) animals in the unit: coalition members (or 1) + dependent cubs
    kills: np.ndarray            # (units, species) prey killed and removed [animals], after satiation
    attack: np.ndarray           # (units, species) attack rate [km²/day] fed to the functional response
    handling: np.ndarray         # (units, species) handling time [days per kill], shared by adult-equivalents
    avail: np.ndarray            # (units, species) prey in the hunting box before the kills [animals]
    want_kg: np.ndarray          # (units,) food need + reserve deficits of the members [kg]: satiation
    kept: np.ndarray             # (units,) share of each kill's meat kept from kleptoparasites
    cubs: np.ndarray             # (units,) dependent cubs in the unit
    walker: np.ndarray           # (units,) bool: the leader has no home range (hunts around where it stands)


@dataclass
class OfftakeRun:
    """Every month in which cheetahs hunted prey (months without a hunt are absent), with the census."""

    hunts: list[HuntRecord]
    census: Census


@dataclass
class KinshipRun:
    """The census and, at each December census, the mean pedigree kinship f̄ of the living
    (all ordered pairs, self-pairs included; after the ceiling's removals): 1 − f̄ is the pedigree
    expectation of gene diversity."""

    census: Census
    mean_kinship: np.ndarray     # (years,) f̄ at each census; NaN where none was alive


# ============================================================================ runs
def run_census(scenario: Scenario, seed) -> Census:
    """The census of one plain (uninstrumented) replicate, as sim.model.model.run_replicate gives it."""
    from ..model.model import run_replicate
    return run_replicate(scenario, seed, landscape=landscape_of(scenario)).census


def run_until_extinct(scenario: Scenario, seed) -> Census:
    """The census of one plain replicate that stops at the first census with no cheetah alive and no
    release still to come: the rest of its census is then known (the census arrays keep their
    initial values there: N = 0, not extant), and only the prey would still change."""
    from ..model.model import ReintroductionModel
    m = ReintroductionModel(scenario, landscape_of(scenario), rng=np.random.default_rng(seed))
    for _ in range(scenario.years * 12):
        m.step()
        if m.month == 0 and len(m.agents) == 0 and not m.schedule.releases_after(m.year - 1):
            break
    census = m.census
    m.remove_all_agents()
    return census


def run_tracked(scenario: Scenario, seed) -> LifeRecord:
    """One replicate with every cub's fate and every independent female's lifespan recorded."""
    obs = _LifeObserver()
    m = _run(scenario, seed, obs)
    T = m.t
    ids = list(obs.cub_born)
    f_ids = list(obs.female_indep)
    rec = LifeRecord(
        months=T,
        cub_born=np.array([obs.cub_born[i] for i in ids], dtype=np.int64),
        cub_independent=np.array([i in obs.cub_indep for i in ids], dtype=bool),
        female_start=np.array([obs.female_indep[i][0] for i in f_ids], dtype=np.int64),
        female_age=np.array([obs.female_indep[i][1] for i in f_ids], dtype=np.int64),
        female_dead=np.array([i in obs.female_death for i in f_ids], dtype=bool),
        female_end=np.array([obs.female_death.get(i, T) for i in f_ids], dtype=np.int64),
        census={k: np.asarray(v).copy() for k, v in m.census.items()})
    m.remove_all_agents()
    return rec


def run_offtake(scenario: Scenario, seed) -> OfftakeRun:
    """One replicate with, for every month and hunting unit, the prey density it hunted in, its
    attack rates, handling times, satiation limit and kept share, its condition before hunting,
    its size and its kills (:class:`HuntRecord`)."""
    obs = _HuntObserver()
    m = _run(scenario, seed, obs)
    census = m.census
    m.remove_all_agents()
    return OfftakeRun(hunts=obs.hunts, census=census)


def run_kinship(scenario: Scenario, seed) -> KinshipRun:
    """One replicate with the mean pedigree kinship of the living at every census."""
    kin = np.full(scenario.years, np.nan)

    def on_census(model, year):
        slots = model.cheetahs.gslot
        if slots.size:
            kin[year - 1] = model.genetics.mean_kinship(slots)

    m = _run(scenario, seed, SimpleNamespace(on_census=on_census))
    out = KinshipRun(census=m.census, mean_kinship=kin)
    m.remove_all_agents()
    return out


def run_spring_counts(scenario: Scenario, seed) -> np.ndarray:
    """One replicate's saiga total [animals] at the start of May of every year: before that month's
    step (so before calving, SaigaParams().birth_month, and before that month's prey step)."""
    spring: list[float] = []
    birth_month = SaigaParams().birth_month

    def on_month_start(model, t):
        if model.month == birth_month:
            spring.append(float(model.prey.totals()[0]))

    m = _run(scenario, seed, SimpleNamespace(on_month_start=on_month_start))
    m.remove_all_agents()
    return np.array(spring)


def _run(sc: Scenario, seed, observer):
    """Run one replicate of ``sc`` with one observer; returns the model."""
    from ..model.model import ReintroductionModel
    model = ReintroductionModel(sc, landscape_of(sc), rng=np.random.default_rng(seed), observers=[observer])
    model.run()
    return model


class _LifeObserver:
    """At the end of every month: cubs seen alive for the first time (born), cubs seen before and
    now alive and independent (normally, or as an orphan old enough to survive), and the death of
    every female that became independent (her absence)."""

    def __init__(self) -> None:
        self.cub_born: dict[int, int] = {}
        self.cub_indep: dict[int, int] = {}
        self.female_indep: dict[int, tuple[int, int]] = {}      # id -> (month, age in months)
        self.female_death: dict[int, int] = {}
        self._prev_cubs: set[int] = set()

    def on_month_end(self, model, t: int) -> None:
        pop = model.cheetahs
        uid = pop.uid.tolist()
        cub = (pop.mother >= 0).tolist()
        male = pop.male.tolist()
        age = pop.age.tolist()
        row = {u: k for k, u in enumerate(uid)}
        for i in self._prev_cubs:
            k = row.get(i)
            if k is not None and not cub[k]:
                self.cub_indep[i] = t
                if not male[k]:
                    self.female_indep[i] = (t, age[k])
        cubs = {u for u, c in zip(uid, cub) if c}
        for i in cubs:
            self.cub_born.setdefault(i, t)
        for i in self.female_indep:
            if i not in row and i not in self.female_death:
                self.female_death[i] = t
        self._prev_cubs = cubs


class _HuntObserver:
    """At every hunt (:class:`sim.model.observe.Hunt`), one :class:`HuntRecord`: the event's prey
    densities and kills, and what the model hunted with, read through its own functions."""

    def __init__(self) -> None:
        self.hunts: list[HuntRecord] = []

    def on_hunt(self, model, ev) -> None:
        from ..life import energetics, hunting
        pop = model.cheetahs
        p = model.params
        units, need = model.roster()
        hunt = np.flatnonzero(pop.boma_months[units.leaders] <= 0)        # as sim.life.hunting.hunt_and_eat
        leaders = units.leaders[hunt]
        if leaders.size != ev.kills.shape[0] or not np.array_equal(pop.condition[leaders], ev.condition):
            raise RuntimeError("hunting units of the observer and the model differ")
        need_kg = units.total(need)[hunt]
        want_kg = units.total(energetics.wants(p, need, pop.condition))[hunt]
        r0, r1, c0, c1, _, _, attack, handling = hunting.hunting_grounds(model, leaders, need_kg,
                                                                         hunting.reserve_deficit(model, leaders))
        cell_km = model.landscape.cell_km
        area = np.maximum(((r1 - r0) * (c1 - c0)).astype(float) * (cell_km * cell_km), 1e-9)   # as _hunting_grounds
        self.hunts.append(HuntRecord(
            month=ev.month, t=ev.t, density=ev.density, condition=ev.condition, members=ev.members, kills=ev.kills,
            attack=attack, handling=handling, avail=ev.density * area[:, None], want_kg=want_kg,
            kept=hunting.kills_kept(model, r0, r1, c0, c1),
            cubs=units.total(units.is_cub.astype(float))[hunt].astype(np.int64),
            walker=pop.home_row[leaders] < 0))
