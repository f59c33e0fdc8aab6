"""ReintroductionModel: one replicate of one scenario, as a Mesa model.

It holds the replicate's state — the landscape (shared, replaced by management changes), the prey
fields (:mod:`sim.prey`), the cheetahs as arrays (:class:`sim.cheetahs.Cheetahs`, each animal
also a Mesa agent handle), genetics, the year's environment, the census — and the rules the
scenario chose. The monthly schedule is :func:`sim.model.month.step`; the processes are
:mod:`sim.life`. :func:`run_replicate` runs one replicate and returns a
:class:`sim.model.results.ReplicateResult`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import mesa
import numpy as np

from .. import life  # noqa: F401  (registers the built-in rules)
from .. import registry
from ..cheetahs.events import DeathRecord, add_animals, apply_deaths, leave_range
from ..cheetahs.genetics import Genetics
from ..cheetahs.handle import Cheetah
from ..cheetahs.population import ORIGINS, Cheetahs
from ..cheetahs.units import Units, units_of
from ..config.params import SPECIES
from ..config.schema import Scenario
from ..life import energetics, hunting, ranges
from ..life.energetics import DAYS_PER_MONTH
from ..life.mortality import Rates, hazard_rules
from ..life.movement import WalkGeometry
from ..management.schedule import Schedule
from ..prey.population import PreyPopulation
from ..world.coarsen import prey_factor
from ..world.geometry import summed_area_table
from ..world import Landscape, build_landscape
from . import invariants, month as schedule
from .observe import Births, Deaths, Hunt, Independence, notify, sexes
from .results import DEATH_CAUSES, ReplicateResult, empty_census

#: Causes drawn as hazards by the built-in rules, in the census order (others are events).
EVENT_CAUSES = ("orphaned", "ceiling", "emigrated", "other")


class ReintroductionModel(mesa.Model):
    """One replicate of one scenario. All random draws come from ``self.rng`` (seeded).

    ``observers``: objects told about births, independence, deaths, hunts and censuses
    (:mod:`sim.model.observe`). ``timing``: time each phase of the month (the benchmark)."""

    def __init__(self, scenario: Scenario, landscape: Landscape, *, rng=None, timing: bool = False,
                 observers=(), env_rng=None) -> None:
        super().__init__(rng=rng)
        #: The year's environment draws from this generator: its own stream under common random
        #: numbers (so options meet the same years), else the model's.
        self.env_rng = self.rng if env_rng is None else env_rng
        self.spec = scenario
        self.params = p = scenario.cheetah
        self.landscape = landscape
        self.schedule = Schedule(scenario)
        mg = scenario.management
        self.enforcement = mg.enforcement
        self.human_factor = mg.human_hazard_factor
        self.road_factor = mg.road_hazard_factor
        self.prey = PreyPopulation(scenario.prey, landscape, month=0, water_gain=mg.water_capacity_gain,
                                   water_radius_km=mg.water_radius_km,
                                   factor=prey_factor(landscape.cell_km, scenario.landscape.prey_cell_km))
        self.cheetahs = Cheetahs()
        self._roster: tuple | None = None
        self.genetics = Genetics(p.neutral_loci, self.rng,
                                 n_lethal_loci=int(round(2 * p.lethal_equivalents * p.lethal_share)))
        self.observers = list(observers)
        self.plugin_params = dict(scenario.plugin_params)
        # the scenario's rules
        r = scenario.rules
        self.move_rule = registry.get("movement", r.movement)
        self.density = registry.get("density", r.density)(self)
        self.mate_rule = registry.get("mate_finding", r.mate_finding)
        self.fr_rule = registry.get("functional_response", r.functional_response)
        self.settle_rule = registry.get("settlement", r.settlement)
        self.food_sources = [registry.get("food_source", name) for name in r.food_sources]
        self.hazard_rules = hazard_rules(r.hazards)
        plugin = tuple(c for c in r.hazards if c not in DEATH_CAUSES)
        self.death_causes = tuple(c for c in DEATH_CAUSES if c != "other") + plugin   # hazard columns
        self.census_causes = DEATH_CAUSES
        self._cause_index = {c: DEATH_CAUSES.index(c) if c in DEATH_CAUSES else DEATH_CAUSES.index("other")
                             for c in self.death_causes}
        self.plugin_deaths = dict.fromkeys(plugin, 0)
        # constants of the parameter set
        self.rates = Rates.of(p)
        sp = scenario.prey.species()
        self.prey_mass = np.array([sp[s].body_mass_kg for s in SPECIES], dtype=float)
        #: Attack rate per km of search path [km²/km] of each prey species (sim.life.hunting.attack_km2_per_km).
        self.prey_attack_km2 = hunting.attack_km2_per_km(scenario.prey)
        self.prey_handling_days = np.array([sp[s].handling_days for s in SPECIES])
        step_km = max(p.daily_travel_km_female, p.daily_travel_km_male) * DAYS_PER_MONTH / p.walk_substeps
        self.max_step_cells = max(1, round(step_km / landscape.cell_km))
        self.hr_radii_km = np.geomspace(p.home_range_radius_min_km, p.home_range_radius_max_km, 12)
        cdf = np.cumsum(np.asarray(p.litter_size_probs, dtype=float))
        self.litter_cdf = cdf / cdf[-1]
        self.landscape_changed(prey=False)
        # the calendar and the year's environment
        self.year, self.month = 1, 0
        self.capacity_multiplier = 1.0
        self.hazard_multiplier = 1.0
        self.harsh_winter = False
        self.die_off = False
        self.drought = False
        self.litters = 0
        self.coalitions = 0
        self.census = empty_census(scenario.years)
        self.occupancy = np.zeros(landscape.shape, dtype=np.int32)
        self.reset_year()
        self.timing = timing
        self.debug_checks = invariants.enabled()      # SIM_CHECKS=1: assert invariants every month
        self.phase_seconds: dict[str, float] = defaultdict(float)
        self.agent_months = 0

    # ------------------------------------------------------------------ landscape
    def landscape_changed(self, prey: bool = True) -> None:
        """Recompute what depends on the landscape after management changed it."""
        land = self.landscape
        self.walk_geometry = WalkGeometry.build(land, self.max_step_cells)
        self.road_table = summed_area_table(land.road)
        self.road_risk_table = summed_area_table(land.road_risk)
        self.competitor_tables = {kind: summed_area_table(layer) for kind, layer in land.competitors.items()
                                  if layer.any()}       # kinds present on the map (the layers are fixed in a run)
        if prey:
            self.prey.set_landscape(land)
            ranges.refresh_road_exposure(self)

    # ------------------------------------------------------------------ queries
    @property
    def t(self) -> int:
        """Month index: 0 = January of year 1."""
        return (self.year - 1) * 12 + self.month

    def roster(self) -> tuple[Units, np.ndarray]:
        """This month's hunting units and every animal's food need [kg/month]
        (:func:`sim.life.energetics.needs`), recomputed only when the population changed (a birth,
        death, independence, coalition or ageing)."""
        version = self.cheetahs.version
        if self._roster is None or self._roster[0] != version:
            units, need = units_of(self.cheetahs), energetics.needs(self)
            units.keep_totals_of(need)
            self._roster = (version, units, need)
        return self._roster[1], self._roster[2]

    @property
    def handles(self) -> list[Cheetah]:
        """The living cheetahs' Mesa agents, in row order."""
        return list(self.cheetahs.handles)

    # ------------------------------------------------------------------ events
    def add_cheetahs(self, n: int = 1, *, sex: str = "F", age_months: int = 36, row: int = 0, col: int = 0,
                     mother: Cheetah | None = None, origin: str = "wild_born", boma_months: int = 0,
                     condition: float = 1.0) -> list[Cheetah]:
        """Put ``n`` animals into the model by hand (tests, notebooks): unrelated founders (a cub
        of ``mother`` too), at (row, col); returns their handles. Releases in scenarios go
        through :mod:`sim.management`."""
        slots = []
        for _ in range(n):
            slots.append(self.genetics.founder())
            self.genetics.hold(slots[-1], new=True)
        rows = add_animals(self, n, male=sex == "M", birth=self.cheetahs.clock - age_months, row=row, col=col,
                           origin=ORIGINS.index(origin), boma_months=boma_months,
                           months_free=10_000 if origin == "wild_born" else 0, condition=condition,
                           gslot=np.array(slots, dtype=np.int64),
                           mother=-1 if mother is None else self.cheetahs.row_of(mother.unique_id),
                           mother_uid=-1 if mother is None else mother.unique_id)
        return [self.cheetahs.handles[r] for r in rows]

    def kill(self, rows: np.ndarray, causes, *, compact: bool = True) -> None:
        """The animals in ``rows`` die of ``causes`` in that order, with all that follows
        (:func:`sim.cheetahs.events.apply_deaths`); recorded by cause and told to observers.
        ``compact``: drop the dead rows now (else the caller compacts)."""
        p = self.params
        rec = DeathRecord()
        apply_deaths(self.cheetahs, rows, causes, genetics=self.genetics,
                     orphan_survival_months=p.orphan_survival_months,
                     remating_delay_months=p.remating_delay_months, record=rec)
        index, counts = self._cause_index, self.year_deaths
        for c in rec.causes:
            counts[index[c] if c in index else DEATH_CAUSES.index(c)] += 1
        if self.plugin_deaths:
            for cause in rec.causes:
                if cause in self.plugin_deaths:
                    self.plugin_deaths[cause] += 1
        if self.observers and len(rec):
            notify(self.observers, "on_deaths", self, Deaths(
                self.t, np.array(rec.uids), sexes(np.array(rec.male, dtype=bool)), np.array(rec.age),
                np.array(rec.causes), np.array(rec.was_cub, dtype=bool)))
        if self.observers and rec.orphans_freed:
            self.record_independence(np.array(rec.orphans_freed), orphaned=True)
        if compact:
            self.cheetahs.compact()

    def settle_units(self, leaders, rows, cols, radius_km) -> None:
        """Units led by ``leaders`` take home ranges (:func:`sim.life.ranges.settle`)."""
        ranges.settle(self, leaders, rows, cols, radius_km)

    def leave_ranges(self, leaders) -> None:
        """Units led by ``leaders`` abandon their home ranges."""
        leave_range(self.cheetahs, np.asarray(leaders))

    def record_births(self, mothers: np.ndarray, cubs: np.ndarray, sizes: np.ndarray) -> None:
        """Litters of ``mothers`` (rows), of ``sizes`` cubs each, ``cubs`` their rows one litter
        after the other: counted for the census and told to observers litter by litter."""
        pop = self.cheetahs
        self.year_births += cubs.size
        self.year_breeders.update(pop.uid[mothers].tolist())
        if self.observers:
            first = 0
            for mother, n in zip(mothers.tolist(), sizes.tolist()):
                litter = cubs[first:first + n]
                first += n
                notify(self.observers, "on_births", self, Births(
                    self.t, np.full(n, pop.uid[mother]), pop.uid[litter].copy(), sexes(pop.male[litter])))

    def record_independence(self, rows: np.ndarray, orphaned: bool = False) -> None:
        if self.observers:
            pop = self.cheetahs
            notify(self.observers, "on_independence", self, Independence(
                self.t, pop.uid[rows].copy(), sexes(pop.male[rows]), pop.age[rows],
                np.full(rows.size, orphaned)))

    def observe_hunt(self, leaders: np.ndarray, density: np.ndarray, kills: np.ndarray) -> None:
        if self.observers:
            pop = self.cheetahs
            lead = pop.leaders()
            unit = np.minimum(np.searchsorted(leaders, lead), leaders.size - 1)
            members = np.bincount(unit[leaders[unit] == lead], minlength=leaders.size)
            notify(self.observers, "on_hunt", self, Hunt(
                self.t, self.month, np.array(density, dtype=float), pop.condition[leaders].copy(),
                members, np.array(kills, dtype=float)))

    def reset_year(self) -> None:
        self.year_births = 0
        self.year_breeders: set[int] = set()
        self.year_deaths = np.zeros(len(DEATH_CAUSES), dtype=np.int64)
        self.year_released = 0

    # ------------------------------------------------------------------ running
    def step(self) -> None:
        """One month (:func:`sim.model.month.step`)."""
        if self.observers:
            notify(self.observers, "on_month_start", self, self.t)
        if self.timing:
            schedule.step(self, timer=self._timed)
        else:
            schedule.step(self)
        if self.observers:
            notify(self.observers, "on_month_end", self, self.t)
        self.agent_months += len(self.cheetahs)
        self.month += 1
        if self.month == 12:
            self.month = 0
            self.year += 1

    def _timed(self, name: str, fn, *args) -> None:
        t0 = time.process_time()
        fn(*args)
        self.phase_seconds[name] += time.process_time() - t0

    def run(self) -> None:
        for _ in range(self.spec.years * 12):
            self.step()


def streams(seed: np.random.SeedSequence) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """(model, environment) seeds of a replicate under common random numbers: children of its
    seed with spawn keys ... + (0,) and ... + (1,) (the seed object itself is not changed)."""
    return tuple(np.random.SeedSequence(entropy=seed.entropy, spawn_key=tuple(seed.spawn_key) + (k,))
                 for k in (0, 1))


def replicate_model(scenario: Scenario, landscape: Landscape, seed, *, timing: bool = False,
                    observers=()) -> tuple[ReintroductionModel, np.random.SeedSequence]:
    """The model of a replicate with seed ``seed`` (a SeedSequence or an int) at month 0, built as
    :func:`run_replicate` builds it (under common random numbers the environment draws from its
    own stream, :func:`streams`), and the seed of the model's own generator. The browser view
    steps it month by month; a headless run with the same seed gives the same months."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    env_rng = None
    if scenario.common_random_numbers:          # the environment on its own stream (sim.runs.seeds.streams)
        seed, env_seed = streams(seed)
        env_rng = np.random.default_rng(env_seed)
    model = ReintroductionModel(scenario, landscape, rng=np.random.default_rng(seed), timing=timing,
                                observers=observers, env_rng=env_rng)
    return model, seed


def run_replicate(scenario: Scenario, seed, replicate: int = 0, landscape: Landscape | None = None,
                  base_dir: str | Path = ".", timing: bool = False, observers=()) -> ReplicateResult:
    """Run one replicate of a resolved scenario with its own seed; same seed, same result."""
    if landscape is None:
        landscape = build_landscape(scenario.landscape, base_dir)
    model, seed = replicate_model(scenario, landscape, seed, timing=timing, observers=observers)
    model.run()
    extra = {"agent_months": model.agent_months, "phase_seconds": dict(model.phase_seconds)}
    if model.plugin_deaths:
        extra["deaths_by_plugin_cause"] = dict(model.plugin_deaths)
    result = ReplicateResult(
        scenario=scenario.name, replicate=replicate, seed_entropy=int(seed.entropy) if isinstance(seed.entropy, int) else 0,
        seed_spawn_key=tuple(seed.spawn_key), census=model.census,
        occupancy=model.occupancy if scenario.output.occupancy else None, extra=extra)
    model.remove_all_agents()
    model.cheetahs.drop_handles()
    return result
