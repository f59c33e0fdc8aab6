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


@dataclass
class BreedingRecord:
    """Every litter of one replicate, with its fate, and every female born in the run.

    A litter is recorded at its birth (the model's births event, month ``t`` of the reproduction
    phase); its cubs are followed through the deaths and independence events. ``emerged``: cubs
    still alive at the end of month t + ``den_months`` (the month-end after which a field observer
    first sees a litter leave the lair; a litter with 0 there was never seen in the field).
    ``independent``: cubs that became independent (at the normal age, at the mother's next
    birth, or orphaned but old enough to survive). Mothers are ids; ``mother_born`` is the month
    the mother was born in the run, -1 for a released founder (her age then comes from her
    release age)."""

    months: int                  # months simulated (the run's length T)
    den_months: int              # months after the birth month at which ``emerged`` is counted
    litter_t: np.ndarray         # (litters,) int: month t of the birth
    litter_mother: np.ndarray    # (litters,) int: the mother's id
    mother_born: np.ndarray      # (litters,) int: month the mother was born in the run; -1: founder
    mother_age: np.ndarray       # (litters,) int: the mother's age at the birth [months]
    mother_end: np.ndarray       # (litters,) int: month t of the mother's death; ``months`` if alive at the end
    litter_size: np.ndarray      # (litters,) int: cubs born
    emerged: np.ndarray          # (litters,) int: cubs alive at the end of month t + den_months
    independent: np.ndarray      # (litters,) int: cubs that became independent
    female_born: np.ndarray      # (females,) int: month t a female of the run was born
    female_end: np.ndarray       # (females,) int: month t of her death; ``months`` if alive (censored)
    female_id: np.ndarray        # (females,) int: her id (= litter_mother of her litters)
    census: Census


@dataclass
class RangeRecord:
    """Where every independent animal was at the end of every month, and the resident ranges at
    every December census, of one replicate. A location is the home-range centre of a resident,
    else the cell the animal stands in (:meth:`sim.cheetahs.population.Cheetahs.positions`)."""

    cell_km: float
    months: int
    track_id: np.ndarray         # (fixes,) int: animal id, one fix per independent animal and month
    track_t: np.ndarray          # (fixes,) int: month t
    track_row: np.ndarray        # (fixes,) int: location cell
    track_col: np.ndarray
    track_resident: np.ndarray   # (fixes,) bool: the animal had a home range
    track_male: np.ndarray       # (fixes,) bool
    range_year: np.ndarray       # (ranges,) int: census year (1-based) of a resident unit's range
    range_male: np.ndarray       # (ranges,) bool: the unit's leader is male
    range_km2: np.ndarray        # (ranges,) float: its area π r² [km²]
    census: Census


@dataclass
class SaigaRegionRun:
    """Saiga in each fence region at the start of every month (before that month's processes),
    of one replicate: regions are the areas the landscape's fences separate when all their gaps
    are closed (:attr:`sim.world.landscape.Landscape.fence_regions`, on the prey grid)."""

    months: int
    saiga: np.ndarray            # (months, regions) saiga [animals] at the start of month t
    region_of_site: dict         # release-site name -> its fence region
    census: Census


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


def run_breeding(scenario: Scenario, seed) -> BreedingRecord:
    """One replicate with every litter's birth, size, cubs at emergence and at independence, and
    every female born in the run (birth and death months)."""
    obs = _BreedingObserver(int(round(scenario.cheetah.den_months)))
    m = _run(scenario, seed, obs)
    T = m.t
    L = obs.litters
    cubs = [lit["cubs"] for lit in L]
    dead = obs.cub_death
    emerged = [sum(1 for c in cs if dead.get(c, T + 1) > lit["t"] + obs.den) for cs, lit in zip(cubs, L)]
    indep = [sum(1 for c in cs if c in obs.independent) for cs in cubs]
    fem = [u for u, (born, male) in obs.born.items() if not male]
    rec = BreedingRecord(
        months=T, den_months=obs.den,
        litter_t=np.array([lit["t"] for lit in L], dtype=np.int64),
        litter_mother=np.array([lit["mother"] for lit in L], dtype=np.int64),
        mother_born=np.array([lit["mother_born"] for lit in L], dtype=np.int64),
        mother_age=np.array([lit["mother_age"] for lit in L], dtype=np.int64),
        mother_end=np.array([obs.death.get(lit["mother"], T) for lit in L], dtype=np.int64),
        litter_size=np.array([len(cs) for cs in cubs], dtype=np.int64),
        emerged=np.array(emerged, dtype=np.int64), independent=np.array(indep, dtype=np.int64),
        female_born=np.array([obs.born[u][0] for u in fem], dtype=np.int64),
        female_end=np.array([obs.death.get(u, T) for u in fem], dtype=np.int64),
        female_id=np.array(fem, dtype=np.int64),
        census={k: np.asarray(v).copy() for k, v in m.census.items()})
    m.remove_all_agents()
    return rec


def run_ranges(scenario: Scenario, seed) -> RangeRecord:
    """One replicate with every independent animal's location at the end of every month and
    the resident units' range areas at every census."""
    obs = _RangeObserver()
    m = _run(scenario, seed, obs)
    fx = np.array(obs.fixes, dtype=np.int64).reshape(-1, 6)
    rg = np.array(obs.ranges, dtype=np.float64).reshape(-1, 3)
    rec = RangeRecord(
        cell_km=float(m.landscape.cell_km), months=m.t,
        track_id=fx[:, 0], track_t=fx[:, 1], track_row=fx[:, 2], track_col=fx[:, 3],
        track_resident=fx[:, 4].astype(bool), track_male=fx[:, 5].astype(bool),
        range_year=rg[:, 0].astype(np.int64), range_male=rg[:, 1].astype(bool), range_km2=rg[:, 2],
        census={k: np.asarray(v).copy() for k, v in m.census.items()})
    m.remove_all_agents()
    return rec


def closed_fences(land):
    """The landscape with every gap of every fence closed (a fence without crossings); the
    model is run on it unchanged. (The presets set their gaps; no scenario key closes them.)"""
    import dataclasses
    return land.replace(fences=tuple(dataclasses.replace(f, gaps=np.zeros_like(f.gaps)) for f in land.fences))


def run_saiga_regions(scenario: Scenario, seed, close_fences: bool = False) -> SaigaRegionRun:
    """One replicate with the saiga in each fence region at the start of every month;
    ``close_fences``: run on the scenario's landscape with every fence gap closed
    (:func:`closed_fences`)."""
    from ..model.model import ReintroductionModel
    from ..config.params import SPECIES
    land = landscape_of(scenario)
    if close_fences:
        land = closed_fences(land)
    rows: list[np.ndarray] = []
    saiga = SPECIES.index("saiga")

    def on_month_start(model, t):
        grid = model.prey.grid
        rows.append(np.bincount(grid.fence_regions.ravel(), weights=model.prey.N[saiga].ravel(),
                                minlength=int(grid.fence_regions.max()) + 1))

    m = ReintroductionModel(scenario, land, rng=np.random.default_rng(seed),
                            observers=[SimpleNamespace(on_month_start=on_month_start)])
    m.run()
    grid = m.prey.grid
    sites = {name: int(grid.fence_regions[r // m.prey.factor, c // m.prey.factor])
             for name, (r, c) in m.landscape.sites.items()}
    out = SaigaRegionRun(months=m.t, saiga=np.array(rows), region_of_site=sites,
                         census={k: np.asarray(v).copy() for k, v in m.census.items()})
    m.remove_all_agents()
    return out


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


class _BreedingObserver:
    """Litters from the births events; cub deaths and independence from their events; the birth
    months of every animal born in the run and the death month of every animal."""

    def __init__(self, den_months: int) -> None:
        self.den = den_months
        self.litters: list[dict] = []
        self.born: dict[int, tuple[int, bool]] = {}        # id -> (month born, male)
        self.death: dict[int, int] = {}                     # id -> month of death
        self.cub_death: dict[int, int] = {}
        self.independent: set[int] = set()

    def on_births(self, model, ev) -> None:
        mother = int(ev.mother_uid[0])
        if mother in self.born:
            mother_born = self.born[mother][0]
            age = ev.t - mother_born
        else:
            mother_born = -1
            age = int(model.cheetahs.age[model.cheetahs.row_of(mother)])
        cubs = [int(u) for u in ev.cub_uid]
        self.litters.append({"t": ev.t, "mother": mother, "mother_born": mother_born, "mother_age": age,
                             "cubs": cubs})
        for u, sex in zip(cubs, ev.cub_sex.tolist()):
            self.born[u] = (ev.t, sex == "M")

    def on_deaths(self, model, ev) -> None:
        for u, cub in zip(ev.uid.tolist(), ev.was_cub.tolist()):
            self.death[u] = ev.t
            if cub:
                self.cub_death[u] = ev.t

    def on_independence(self, model, ev) -> None:
        self.independent.update(int(u) for u in ev.uid)


class _RangeObserver:
    """At the end of every month, the location of every independent animal out of a boma; at
    every census, each resident unit's range area."""

    def __init__(self) -> None:
        self.fixes: list[tuple[int, int, int, int, int, int]] = []
        self.ranges: list[tuple[int, int, float]] = []

    def on_month_end(self, model, t: int) -> None:
        pop = model.cheetahs
        rows = np.flatnonzero((pop.mother < 0) & (pop.boma_months == 0))
        if rows.size == 0:
            return
        r, c = pop.positions(rows)
        res = pop.home_row[rows] >= 0
        for k in range(rows.size):
            self.fixes.append((int(pop.uid[rows[k]]), t, int(r[k]), int(c[k]), int(res[k]),
                               int(pop.male[rows[k]])))

    def on_census(self, model, year: int) -> None:
        pop = model.cheetahs
        if len(pop) == 0:
            return
        lead = pop.leaders()
        res = np.flatnonzero((pop.home_row >= 0) & (pop.mother < 0) & (lead == np.arange(len(pop))))
        for i in res.tolist():
            self.ranges.append((year, int(pop.male[i]), float(np.pi * pop.hr_radius_km[i] ** 2)))


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
