"""The model runs the checks make, and the records they need that the annual census lacks.

Checks call only the ``run_*`` functions below and read only the plain data classes they return,
so how the records are collected can change without touching a check. Every function runs one
replicate of a scenario with ``np.random.default_rng(seed)`` on the scenario's landscape and
returns plain numpy data (picklable: the functions run in worker processes).

Today the records come from subclasses of :class:`sim.model.model.ReintroductionModel`
(``_subclasses``) that override ``step``, ``hunting_phase`` or ``take_census`` and wrap the
functional response and the prey's kill removal; the model itself is not changed. They are
meant to be replaced by observers passed as ``ReintroductionModel(..., observers=[...])``
(``on_births``, ``on_independence``, ``on_deaths``, ``on_hunt``, ``on_census``); each data
class says exactly what is recorded and when, which a hook implementation must reproduce for
the checks' numbers to stay the same.

Time: ``t`` counts months from 0 = January of year 1; an event seen at the end of month t
(after the model's step of that month) is dated t. Census arrays have one entry per year
(December census), as in :attr:`ReintroductionModel.census`.
"""

from __future__ import annotations

import functools
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
    Species columns follow sim.config.params.SPECIES (saiga, gazelle, urial)."""

    month: int                   # calendar month 0–11
    density: np.ndarray          # (units, species) prey [animals/km²] in the hunting box (fed to the FR)
    condition: np.ndarray        # (units,) body condition 0–1 of the unit's leader before eating
    members: np.ndarray          # (units,) animals in the unit: coalition members (or 1) + dependent cubs
    kills: np.ndarray            # (units, species) prey killed and removed [animals]


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
    m = _run(_subclasses().TrackedModel, scenario, seed)
    T = m.t
    ids = list(m.cub_born)
    f_ids = list(m.female_indep)
    rec = LifeRecord(
        months=T,
        cub_born=np.array([m.cub_born[i] for i in ids], dtype=np.int64),
        cub_independent=np.array([i in m.cub_indep for i in ids], dtype=bool),
        female_start=np.array([m.female_indep[i][0] for i in f_ids], dtype=np.int64),
        female_age=np.array([m.female_indep[i][1] for i in f_ids], dtype=np.int64),
        female_dead=np.array([i in m.female_death for i in f_ids], dtype=bool),
        female_end=np.array([m.female_death.get(i, T) for i in f_ids], dtype=np.int64),
        census={k: np.asarray(v).copy() for k, v in m.census.items()})
    m.remove_all_agents()
    return rec


def run_offtake(scenario: Scenario, seed) -> OfftakeRun:
    """One replicate with, for every month and hunting unit, the prey density it hunted in, its
    condition before hunting, its size and its kills."""
    m = _run(_subclasses().OfftakeModel, scenario, seed)
    hunts = [HuntRecord(month=r["month"], density=r["density"], condition=r["condition"],
                        members=r["members"], kills=r["kills"]) for r in m.log]
    census = m.census
    m.remove_all_agents()
    return OfftakeRun(hunts=hunts, census=census)


def run_kinship(scenario: Scenario, seed) -> KinshipRun:
    """One replicate with the mean pedigree kinship of the living at every census."""
    m = _run(_subclasses().KinshipModel, scenario, seed)
    out = KinshipRun(census=m.census, mean_kinship=m.mean_kinship.copy())
    m.remove_all_agents()
    return out


def run_spring_counts(scenario: Scenario, seed) -> np.ndarray:
    """One replicate's saiga total [animals] at the start of May of every year: before that month's
    step (so before calving, SaigaParams().birth_month, and before that month's prey step).
    The observer hooks above have no call at the start of a month: a hook implementation of
    this one needs such a call (or the model to record the count)."""
    m = _run(_subclasses().SpringCountModel, scenario, seed)
    out = np.array(m.spring)
    m.remove_all_agents()
    return out


def _run(cls, sc: Scenario, seed):
    """Run one replicate of ``sc`` with the model class ``cls``; returns the model."""
    model = cls(sc, landscape_of(sc), rng=np.random.default_rng(seed))
    model.run()
    return model


# ============================================================================ subclasses
@functools.cache
def _subclasses() -> SimpleNamespace:
    """The instrumented model subclasses (defined lazily: mesa is slow to import)."""
    from ..model.model import ReintroductionModel

    class TrackedModel(ReintroductionModel):
        """Records, month by month, when each cub was first seen (born), when each cub became
        independent (normally, or as an orphan old enough to survive), and when each female that
        became independent disappeared (died). Months count from 0 = January of year 1; an event seen at the
        end of step t is dated t."""

        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.t = 0
            self.cub_born: dict[int, int] = {}
            self.cub_indep: dict[int, int] = {}
            self.female_indep: dict[int, tuple[int, int]] = {}      # id -> (month, age in months)
            self.female_death: dict[int, int] = {}
            self._prev_cubs: set[int] = set()

        def step(self) -> None:
            super().step()
            t = self.t
            alive = {a.unique_id: a for a in self.agents}
            for i in self._prev_cubs:
                a = alive.get(i)
                if a is not None and not a.is_cub:
                    self.cub_indep[i] = t
                    if a.sex == "F":
                        self.female_indep[i] = (t, a.age)
            cubs = {i for i, a in alive.items() if a.is_cub}
            for i in cubs:
                self.cub_born.setdefault(i, t)
            for i in self.female_indep:
                if i not in alive and i not in self.female_death:
                    self.female_death[i] = t
            self._prev_cubs = cubs
            self.t += 1

    class OfftakeModel(ReintroductionModel):
        """Records, for every hunting unit and month, the prey density it hunted in (the input of
        the functional response), its body condition before hunting and the kills it made."""

        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.log: list[dict] = []
            fr = self.fr_rule
            self._fr_in = None

            def recording_fr(density, attack, handling):
                self._fr_in = np.array(density, dtype=float)
                return fr(density, attack, handling)

            self.fr_rule = recording_fr
            remove = self.prey.remove_kills_in_boxes

            def recording_remove(r0, r1, c0, c1, kills):
                for box in zip(r0.tolist(), r1.tolist(), c0.tolist(), c1.tolist(), np.array(kills, dtype=float)):
                    self._removed.append((box[:4], box[4]))
                return remove(r0, r1, c0, c1, kills)

            self.prey.remove_kills_in_boxes = recording_remove

        def hunting_phase(self) -> None:
            units = [a for a in self.agents if not a.is_cub and a.leader is a and not a.in_boma]
            if not units:
                return super().hunting_phase()
            cond = np.array([a.condition for a in units])
            n_members = np.array([len(a.coalition or [a]) + len(a.cubs) for a in units])
            p = self.params
            rows, cols = self.positions(units)
            radius = np.array([a.hr_radius_km if a.home else p.walker_hunt_radius_km for a in units])
            r0, r1, c0, c1 = self._boxes(rows, cols, self.half_box(radius))
            self._removed = []
            self._fr_in = None
            super().hunting_phase()
            if self._fr_in is None:
                return
            kills = np.zeros((len(units), 3))
            boxes = {}
            for i, b in enumerate(zip(r0.tolist(), r1.tolist(), c0.tolist(), c1.tolist())):
                boxes.setdefault(b, []).append(i)
            for box, k in self._removed:
                box = (max(box[0], 0), box[1], max(box[2], 0), box[3])
                cand = boxes.get(box) or boxes.get(tuple(box))
                if cand:
                    kills[cand.pop(0)] = k
            self.log.append({"month": self.month, "density": self._fr_in, "condition": cond,
                             "members": n_members, "kills": kills})

    class KinshipModel(ReintroductionModel):
        """Adds the mean pedigree kinship of the living (all ordered pairs, self-pairs included)
        to every census: 1 - mean kinship is the pedigree expectation of gene diversity."""

        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.mean_kinship = np.full(self.spec.years, np.nan)

        def take_census(self) -> None:
            slots = np.array([a.gslot for a in self.agents], dtype=np.int64)
            if slots.size:
                # pedigree kinship matrix of sim.genetics (read-only use of its array)
                self.mean_kinship[self.year - 1] = float(self.genetics._kin[np.ix_(slots, slots)].mean())
            super().take_census()

    class SpringCountModel(ReintroductionModel):
        """Records the saiga total at the start of May (before calving) every year."""

        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.spring = []

        def step(self) -> None:
            if self.month == SaigaParams().birth_month:
                self.spring.append(float(self.prey.totals()[0]))
            super().step()

    return SimpleNamespace(TrackedModel=TrackedModel, OfftakeModel=OfftakeModel, KinshipModel=KinshipModel,
                           SpringCountModel=SpringCountModel)
