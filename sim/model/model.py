"""ReintroductionModel: wires landscape, prey, cheetahs and management into the monthly schedule.

One step is one month (MODEL.md §3), in this order:

1. year start (January): environmental year effects and catastrophes;
2. management events due this month (releases, fences, protection, water, translocations);
3. prey dynamics (:mod:`sim.prey`);
4. cheetah movement: walkers walk (:mod:`sim.walk`), then may settle;
5. hunting and energetics (multi-species functional response, kills removed from the prey);
6. mortality (competing monthly hazards, cause recorded);
7. reproduction (births, then mate finding and conception);
8. ageing and transitions (independence, coalitions, boma release);
9. observation: occupancy every month, the census after December.

:func:`run_replicate` runs one replicate and returns a :class:`sim.census.ReplicateResult`.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import mesa
import numpy as np

from .. import registry as rules
from ..model.results import DEATH_CAUSES, ReplicateResult, SEXES, STAGES, empty_census
from ..cheetahs.cheetah import (DAYS_PER_MONTH, FIRST_YEAR_DRAWS, Cheetah, condition_after_eating, cub_background_hazard,
                      food_need_kg_per_month, months_to_hazard, release_hazard_scale)
from ..cheetahs.genetics import Genetics
from ..world import Landscape, build_landscape
from ..management.events import Schedule, apply_due
from ..world.coarsen import prey_factor
from ..prey.population import PreyPopulation, fine_sat
from ..config.params import SPECIES
from ..config.schema import Scenario
from ..life.walk import WalkGeometry, walk

PHASES = ("year_start", "management", "prey", "movement", "hunting", "mortality", "reproduction",
          "ageing", "census")
CAUSE_INDEX = {c: i for i, c in enumerate(DEATH_CAUSES)}
_SQRT_PI = math.sqrt(math.pi)


class Members(NamedTuple):
    """Members of hunting units, flat: ``members[k]`` belongs to unit ``owner[k]``; per member
    whether it is a dependent cub, its food need [kg/month] and its body condition (0-1)."""
    members: list
    owner: np.ndarray
    is_cub: np.ndarray
    need: np.ndarray
    condition: np.ndarray

    def unit_need(self, units: int) -> np.ndarray:
        """Food each of the ``units`` units needs a month [kg]: the sum over its members."""
        return np.bincount(self.owner, self.need, minlength=units)


class ReintroductionModel(mesa.Model):
    """One replicate of one scenario. All random draws come from ``self.rng`` (seeded)."""

    def __init__(self, scenario: Scenario, landscape: Landscape, *, rng=None, timing: bool = False) -> None:
        super().__init__(rng=rng)
        self.spec = scenario
        self.params = scenario.cheetah
        self.landscape = landscape
        self.schedule = Schedule(scenario)
        mg = scenario.management
        self.enforcement = mg.enforcement
        self.human_factor = mg.human_hazard_factor
        self.road_factor = mg.road_hazard_factor
        self.prey = PreyPopulation(scenario.prey, landscape, month=0, water_gain=mg.water_capacity_gain,
                                   water_radius_km=mg.water_radius_km,
                                   factor=prey_factor(landscape.cell_km, scenario.landscape.prey_cell_km))
        self.genetics = Genetics(self.params.neutral_loci, self.rng)
        self._slot_refs: dict[int, int] = {}
        self._sat: np.ndarray | None = None          # prey summed-area table of this step
        self._roster: tuple | None = None             # units of this month (unit_roster)
        self.move_rule = rules.get("movement", scenario.rules.movement)
        self.density = rules.get("density", scenario.rules.density)(self)
        self.mate_rule = rules.get("mate_finding", scenario.rules.mate_finding)
        self.fr_rule = rules.get("functional_response", scenario.rules.functional_response)
        self.settle_rule = rules.get("settlement", scenario.rules.settlement)
        self._precompute_rates()
        self.landscape_changed(prey=False)

        self.year, self.month = 1, 0
        self.capacity_multiplier = 1.0
        self.hazard_multiplier = 1.0
        self.harsh_winter = False
        self.die_off = False
        self._litter_counter = 0
        self.census = empty_census(scenario.years)
        self.occupancy = np.zeros(landscape.shape, dtype=np.int32)
        self._reset_year()
        self.timing = timing
        self.phase_seconds: dict[str, float] = defaultdict(float)
        self.agent_months = 0

    # ------------------------------------------------------------------ set-up helpers
    def _precompute_rates(self) -> None:
        p = self.params
        self.h_cub = cub_background_hazard(p)
        self.h_sub = {"F": months_to_hazard(p.subadult_survival_female), "M": months_to_hazard(p.subadult_survival_male)}
        self.h_adult = {"F": months_to_hazard(p.adult_survival_female), "M": months_to_hazard(p.adult_survival_male)}
        tau = p.release_hazard_months
        self.h_release0 = {"wild": release_hazard_scale(p.release_survival_wild, tau),
                           "captive": release_hazard_scale(p.release_survival_captive, tau)}
        sp = self.spec.prey.species()
        self.prey_mass = np.array([sp[s].body_mass_kg for s in SPECIES], dtype=float)
        self.prey_pref = np.array([sp[s].cheetah_preference for s in SPECIES], dtype=float)
        land = self.landscape
        step_km = max(p.daily_travel_km_female, p.daily_travel_km_male) * DAYS_PER_MONTH / p.walk_substeps
        self.max_step_cells = max(1, round(step_km / land.cell_km))
        radii = np.geomspace(p.home_range_radius_min_km, p.home_range_radius_max_km, 12)
        self.hr_radii_km = radii
        cdf = np.cumsum(np.asarray(p.litter_size_probs, dtype=float))
        self._litter_cdf = cdf / cdf[-1]

    def landscape_changed(self, prey: bool = True) -> None:
        """Recompute what depends on the landscape after management changed it."""
        land = self.landscape
        self.walk_geometry = WalkGeometry.build(land, self.max_step_cells)
        road = np.zeros((land.rows + 1, land.cols + 1), dtype=np.int64)
        road[1:, 1:] = land.road.cumsum(0).cumsum(1)
        self._road_sat = road
        if prey:
            self.prey.set_landscape(land)

    def litter_size(self) -> int:
        """A litter size drawn from ``litter_size_probs`` (1, 2, ... cubs). The same draw as
        ``rng.choice(len(probs), p=probs) + 1`` (one uniform number against the cumulative
        probabilities), without its per-call validation of ``p``."""
        return int(self._litter_cdf.searchsorted(self.rng.random(), side="right")) + 1

    def next_litter_id(self) -> int:
        self._litter_counter += 1
        return self._litter_counter

    # ------------------------------------------------------------------ genetics slots
    def hold_slot(self, slot: int, new: bool = False) -> None:
        """Keep a genetic slot alive (an animal, or a pregnancy by a sire that may die)."""
        self._slot_refs[slot] = 1 if new else self._slot_refs.get(slot, 0) + 1

    def release_slot(self, slot: int) -> None:
        if slot < 0 or slot not in self._slot_refs:
            return
        self._slot_refs[slot] -= 1
        if self._slot_refs[slot] <= 0:
            del self._slot_refs[slot]
            self.genetics.remove(slot)

    # ------------------------------------------------------------------ queries
    @property
    def cheetahs(self) -> list[Cheetah]:
        return list(self.agents_by_type.get(Cheetah, ()))

    def positions(self, animals) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cols of animals: home-range centre for residents, else the current cell."""
        rr = np.fromiter((a.home[0] if a.home else a.row for a in animals), dtype=np.int64, count=len(animals))
        cc = np.fromiter((a.home[1] if a.home else a.col for a in animals), dtype=np.int64, count=len(animals))
        return rr, cc

    def half_box(self, radius_km) -> np.ndarray:
        """Half-side (cells) of the square with the area of a disk of radius_km."""
        return np.maximum(0, np.rint(np.asarray(radius_km) * _SQRT_PI / 2.0 / self.landscape.cell_km)).astype(np.int64)

    def _boxes(self, rows, cols, half):
        land = self.landscape
        # np.minimum/np.maximum rather than np.clip: the same numbers, without np.clip's Python
        # wrapper (~8 µs a call; this runs several times a month)
        r0 = np.minimum(np.maximum(rows - half, 0), land.rows)
        r1 = np.minimum(np.maximum(rows + half + 1, 0), land.rows)
        c0 = np.minimum(np.maximum(cols - half, 0), land.cols)
        c1 = np.minimum(np.maximum(cols + half + 1, 0), land.cols)
        return r0, r1, c0, c1

    @staticmethod
    def _box_sums(sat, r0, r1, c0, c1):
        """Sums over boxes from a summed-area table (..., rows+1, cols+1); never below 0 (the
        differences of large cumulative sums can round to tiny negatives)."""
        out = sat[..., r1, c1] - sat[..., r0, c1] - sat[..., r1, c0] + sat[..., r0, c0]
        return np.maximum(out, 0, out=out) if isinstance(out, np.ndarray) else max(out, 0)

    def prey_in_boxes(self, r0, r1, c0, c1) -> np.ndarray:
        """Prey animals in each box [animals], shape (species, *r0.shape).

        Few small boxes (hunting groups) are summed directly from the prey fields; many or large
        ones (settlement tries 12 radii per walker) from the step's summed-area table, built once.
        Prey on a coarser grid (``prey.factor`` > 1): the direct sums weight the prey cells a box
        covers in part (:meth:`sim.prey.PreyPopulation.box_totals`); the table is the prey grid's,
        interpolated to the box corners (:func:`sim.prey.fine_sat`; one vectorised pass).
        Totals below 1e-9 animals are round-off of the table's differences, not prey: they are
        set to 0, so that no kill is drawn for an absent species."""
        r0, r1, c0, c1 = (np.asarray(x) for x in (r0, r1, c0, c1))
        f = self.prey.factor
        cells = int(((r1 - r0) * (c1 - c0)).sum())
        N = self.prey.N
        if f > 1 and r0.ndim == 1 and 4 * cells < self.landscape.rows * self.landscape.cols:
            out = self.prey.box_totals(r0, r1, c0, c1).T      # few boxes: summed directly
            out[out < 1e-9] = 0.0
            return out
        if f > 1:                       # prey on a coarser grid (sim.coarsen): spread within prey cells
            corners = fine_sat(self._get_sat(), np.stack([r1, r0, r1, r0]), np.stack([c1, c1, c0, c0]),
                               f, self.landscape.shape)
            out = corners[:, 0] - corners[:, 1] - corners[:, 2] + corners[:, 3]
            out[out < 1e-9] = 0.0
            return out
        if r0.ndim == 1 and 4 * cells < N.shape[1] * N.shape[2]:
            out = np.empty((N.shape[0], r0.size))
            for i, (a, b, c, d) in enumerate(zip(r0.tolist(), r1.tolist(), c0.tolist(), c1.tolist())):
                out[:, i] = N[:, a:b, c:d].sum(axis=(1, 2))
        else:
            out = self._box_sums(self._get_sat(), r0, r1, c0, c1)
        out[out < 1e-9] = 0.0
        return out

    def prey_sat(self) -> np.ndarray:
        """Summed-area table of prey (species, rows+1, cols+1) on the prey grid: one whole-grid
        pass per step."""
        N = self.prey.N
        sat = np.zeros((N.shape[0], N.shape[1] + 1, N.shape[2] + 1))
        np.cumsum(N, axis=1, out=sat[:, 1:, 1:])
        np.cumsum(sat[:, 1:, 1:], axis=2, out=sat[:, 1:, 1:])
        return sat

    def road_within(self, row: int, col: int, radius_km: float) -> bool:
        h = self.half_box(radius_km)
        r0, r1, c0, c1 = self._boxes(np.array([row]), np.array([col]), h)
        return bool(self._box_sums(self._road_sat, r0, r1, c0, c1)[0] > 0)

    # ------------------------------------------------------------------ bookkeeping
    def _reset_year(self) -> None:
        self.year_births = 0
        self.year_breeders: set[int] = set()
        self.year_deaths = np.zeros(len(DEATH_CAUSES), dtype=np.int64)
        self.year_released = 0

    def record_death(self, cause: str) -> None:
        self.year_deaths[CAUSE_INDEX[cause]] += 1
        self._roster = None

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        t = time.perf_counter
        phases = (self.year_start, self.management_phase, self.prey_phase, self.movement_phase,
                  self.hunting_phase, self.mortality_phase, self.reproduction_phase, self.ageing_phase,
                  self.observe)
        if self.timing:
            for name, fn in zip(PHASES, phases):
                t0 = t()
                fn()
                self.phase_seconds[name] += t() - t0
        else:
            for fn in phases:
                fn()
        self.agent_months += len(self.agents)
        self.month += 1
        if self.month == 12:
            self.month = 0
            self.year += 1

    def run(self) -> None:
        for _ in range(self.spec.years * 12):
            self.step()

    # 1 ---------------------------------------------------------------- year start
    def year_start(self) -> None:
        if self.month != 0:
            return
        env = self.spec.environment
        z1, z2 = self.rng.standard_normal(2)
        zs = env.ev_correlation * z1 + math.sqrt(max(0.0, 1 - env.ev_correlation ** 2)) * z2
        self.capacity_multiplier = math.exp(env.ev_capacity_sd * z1 - env.ev_capacity_sd ** 2 / 2)
        self.hazard_multiplier = math.exp(-env.ev_survival_sd * zs - env.ev_survival_sd ** 2 / 2)
        u = self.rng.random(2)
        self.harsh_winter = bool(u[0] < env.harsh_winter_prob)
        self.die_off = bool(u[1] < env.saiga_die_off_prob)
        if self.harsh_winter:
            for name, sp in self.spec.prey.species().items():
                self.prey.catastrophe(name, sp.harsh_winter_mortality)

    # 2 ---------------------------------------------------------------- management
    def management_phase(self) -> None:
        apply_due(self, self.year, self.month)

    # 3 ---------------------------------------------------------------- prey
    def prey_phase(self) -> None:
        env = self.spec.environment
        if self.die_off and self.month == env.die_off_month:
            self.prey.catastrophe("saiga", env.saiga_die_off_severity)
        self.prey.step(self.month, enforcement=self.enforcement, capacity_multiplier=self.capacity_multiplier)
        self._sat = None

    def _get_sat(self) -> np.ndarray:
        if self._sat is None:
            self._sat = self.prey_sat()
        return self._sat

    # 4 ---------------------------------------------------------------- movement and settlement
    def movement_phase(self) -> None:
        if not self.agents:
            return
        leaders, _, unit_need = self.unit_roster()           # who decides where to go, and their needs
        res = [i for i, a in enumerate(leaders) if a.home is not None]
        if self.density.uses_prey and res:
            self._abandon_poor_ranges([leaders[i] for i in res], unit_need[res] * 12)
        walking = [i for i, a in enumerate(leaders) if a.home is None and a.boma_months == 0]
        if not walking:
            return
        animals = [leaders[i] for i in walking]
        p = self.params
        land = self.landscape
        rows = np.fromiter((a.row for a in animals), dtype=np.int64, count=len(animals))
        cols = np.fromiter((a.col for a in animals), dtype=np.int64, count=len(animals))
        heads = np.fromiter((a.heading for a in animals), dtype=np.int64, count=len(animals))
        travel = np.array([p.daily_travel_km_male if a.sex == "M" else p.daily_travel_km_female
                           for a in animals])
        step_cells = np.maximum(1, np.rint(travel * DAYS_PER_MONTH / p.walk_substeps / land.cell_km)).astype(np.int64)
        rows, cols, heads, crossings, gone = walk(self, rows, cols, heads, step_cells, p.walk_substeps,
                                                  self.move_rule, self.rng)
        # road deaths: each group member faces the crossings its group made
        p_cross = min(1.0, p.road_crossing_mortality * self.road_factor)
        for i, a in enumerate(animals):
            group = list(a.coalition or [a])
            for g in group:
                g.row, g.col, g.heading = int(rows[i]), int(cols[i]), int(heads[i])
                for cub in g.cubs:
                    cub.row, cub.col = g.row, g.col
            if gone[i]:
                for g in group:
                    for cub in list(g.cubs):
                        cub.die("emigrated")
                    g.die("emigrated")
                continue
            if crossings[i] and p_cross > 0:
                die = self.rng.random(len(group)) < 1.0 - (1.0 - p_cross) ** crossings[i]
                for g, d in zip(group, die):
                    if d:
                        g.die("road")
        walkers = [a for a in animals if a.alive and (a.coalition is None or a.coalition[0] is a)]
        need = unit_need[walking] * 12 if self._roster is not None else None   # None: somebody died
        self._settle(walkers, [a for a in leaders if a.home is not None], need)

    def _range_supply_kg_year(self, rows, cols, radii_km) -> np.ndarray:
        """Food a range can supply sustainably [kg/year] (prey in the range's box x body mass x
        edible fraction x offtake_fraction_per_year). ``radii_km`` broadcasts against rows/cols."""
        p = self.params
        r0, r1, c0, c1 = self._boxes(rows, cols, self.half_box(radii_km))
        tot = self.prey_in_boxes(r0, r1, c0, c1)                             # (species, ...)
        return np.tensordot(self.prey_mass, tot, axes=1) * p.edible_fraction * p.offtake_fraction_per_year

    def _abandon_poor_ranges(self, res: list[Cheetah], need_kg_year: np.ndarray) -> None:
        """Residents (``res``: the units' leaders; ``need_kg_year``: their units' food needs)
        leave a range whose prey can no longer sustain them (e.g. after the saiga have migrated
        away) or when their body condition is at the starvation threshold."""
        p = self.params
        if not res:
            return
        rows, cols = self.positions(res)
        radius = np.array([a.hr_radius_km for a in res])
        supply = self._range_supply_kg_year(rows, cols, radius)
        for a, s, n in zip(res, supply, need_kg_year):
            if s < p.abandon_supply_fraction * n or a.condition < p.starvation_condition:
                a.leave_range()

    def unit_members(self, units: list[Cheetah]) -> "Members":
        """The members of hunting units (independent animals or coalitions, with the dependent
        cubs of their females), one flat list: see :class:`Members`."""
        groups = [u.coalition or (u,) for u in units]
        members = [m for u, g in zip(units, groups) for m in (*g, *u.cubs)]
        sizes = np.array([(len(g), len(u.cubs)) for u, g in zip(units, groups)], dtype=np.int64).reshape(-1, 2)
        owner = np.repeat(np.arange(len(units)), sizes.sum(axis=1))
        is_cub = np.repeat(np.tile([False, True], len(units)), sizes.ravel())
        rec = np.array([(m.age, len(m.cubs), m.cubs[0].age if m.cubs else math.inf, m.condition)
                        for m in members], dtype=float).reshape(-1, 4)
        need = food_need_kg_per_month(self.params, rec[:, 0], is_cub, rec[:, 1], rec[:, 2])
        return Members(members, owner, is_cub, need, rec[:, 3])

    def unit_roster(self) -> tuple[list[Cheetah], "Members", np.ndarray]:
        """This month's hunting units (independent animals and coalition leaders, in agent
        order), their members (:meth:`unit_members`) and each unit's food need [kg/month].

        Built by the movement phase and reused by hunting: nothing between them changes who
        belongs to a unit, their needs or their condition, except a death (road, emigration),
        which drops it (:meth:`record_death`); hunting drops it when done."""
        month = (self.year, self.month)
        if self._roster is None or self._roster[0] != month:      # never one of another month
            leaders = [a for a in self.agents if a.mother is None and a.leader is a]
            members = self.unit_members(leaders)
            self._roster = (month, leaders, members, members.unit_need(len(leaders)))
        return self._roster[1:]

    def unit_needs_kg_per_month(self, units: list[Cheetah]) -> np.ndarray:
        """Food each hunting unit needs a month [kg]: the sum over its members."""
        return self.unit_members(units).unit_need(len(units))

    def _settle(self, walkers: list[Cheetah], residents: list[Cheetah],
                need_kg_year: np.ndarray | None = None) -> None:
        """Walkers may settle where habitat, prey and space allow (``need_kg_year``: their units'
        food needs; None: computed here)."""
        if need_kg_year is None:
            need_kg_year = self.unit_needs_kg_per_month(walkers) * 12
        keep = [i for i, a in enumerate(walkers) if not (a.origin != "wild_born" and a.months_free < 1)]
        walkers = [walkers[i] for i in keep]
        need_kg_year = np.asarray(need_kg_year)[keep]
        if not walkers:
            return
        p = self.params
        land = self.landscape
        rows = np.array([a.row for a in walkers])
        cols = np.array([a.col for a in walkers])
        habitat_ok = land.habitat[rows, cols] >= p.settle_min_habitat
        radii = self.hr_radii_km
        if self.density.uses_prey:
            supply = self._range_supply_kg_year(rows[:, None], cols[:, None], radii[None, :])   # (n, k)
            enough = supply >= need_kg_year[:, None]
            prey_ok = enough.any(axis=1)
            radius = np.where(prey_ok, radii[np.argmax(enough, axis=1)], radii[-1])
        else:
            prey_ok = np.ones(len(walkers), dtype=bool)
            radius = np.full(len(walkers), radii[0])
        space_ok = self._space_ok(walkers, rows, cols, radius, residents)
        ok = np.asarray(self.settle_rule(self, habitat_ok, prey_ok, space_ok), dtype=bool)
        draw = self.rng.random(len(walkers)) < p.settle_prob_per_month
        for i in np.flatnonzero(ok & draw):
            walkers[i].settle(int(rows[i]), int(cols[i]), float(radius[i]))

    def _space_ok(self, walkers, rows, cols, radius, residents: list[Cheetah] | None = None) -> np.ndarray:
        """Walkers whose same-sex residents (``residents``: units' leaders with a home range;
        None: all of them) leave room at their cell."""
        p = self.params
        res = residents if residents is not None else [
            a for a in self.agents if a.home is not None and a.mother is None and a.leader is a]
        ok = np.ones(len(walkers), dtype=bool)
        if not res:
            return ok
        area = self.landscape.cell_area_km2
        males = [a for a in res if a.sex == "M"]
        females = [a for a in res if a.sex == "F"]
        is_m = np.array([a.sex == "M" for a in walkers])
        if males and is_m.any():
            mr, mc = self.positions(males)
            d2 = ((rows[:, None] - mr[None]) ** 2 + (cols[:, None] - mc[None]) ** 2) * area
            ok &= ~(is_m & (d2 < p.male_territory_spacing_km ** 2).any(axis=1))
        if females and (~is_m).any():
            fr, fc = self.positions(females)
            d2 = ((rows[:, None] - fr[None]) ** 2 + (cols[:, None] - fc[None]) ** 2) * area
            crowd = (d2 < (radius[:, None]) ** 2).sum(axis=1)
            ok &= ~(~is_m & (crowd >= p.female_overlap_max))
        return ok

    # 5 ---------------------------------------------------------------- hunting and energetics
    def hunting_phase(self) -> None:
        """Each hunting unit (independent animal or coalition, with its dependent cubs) kills prey
        in its box, the kills are removed from the prey, and its members eat: adults first, up
        to their need plus what refills their reserve, then the cubs share the rest. Units in a
        boma are fed to full condition."""
        p = self.params
        if not self.agents:
            return
        units, g, unit_need = self.unit_roster()
        self._roster = None                                          # used up: eating changes condition
        if not units:
            return
        n = len(units)
        reserve_max = p.reserve_days * p.food_kg_per_day
        wants = g.need + (1.0 - g.condition) * reserve_max          # need plus reserve refill [kg]
        in_boma = np.fromiter((a.boma_months > 0 for a in units), dtype=bool, count=n)
        hunt = np.flatnonzero(~in_boma)
        intake = np.zeros(n)
        if not self.density.uses_prey:
            intake[hunt] = unit_need[hunt]
        elif hunt.size:
            hunters = [units[i] for i in hunt]
            intake[hunt] = self.hunt(hunters, unit_need[hunt],
                                     np.bincount(g.owner, wants, minlength=n)[hunt])
        adult = ~g.is_cub
        want_adult = np.bincount(g.owner[adult], wants[adult], minlength=n)
        want_cub = np.bincount(g.owner[~adult], wants[~adult], minlength=n)
        share_adult = np.minimum(intake, want_adult)
        share_cub = np.minimum(intake - share_adult, want_cub)
        share = np.where(adult, share_adult[g.owner], share_cub[g.owner])
        want = np.where(adult, want_adult[g.owner], want_cub[g.owner])
        eaten = np.divide(share * wants, want, out=np.zeros_like(share), where=want > 0)
        condition = condition_after_eating(p, g.condition, eaten, g.need)
        condition[in_boma[g.owner]] = 1.0
        for m, c in zip(g.members, condition.tolist()):
            m.condition = c

    def hunt(self, units: list[Cheetah], need_kg: np.ndarray, want_kg: np.ndarray) -> np.ndarray:
        """The month's kills of hunting units, removed from the prey; returns each unit's food
        [kg eaten]. ``need_kg``: the units' food needs this month; ``want_kg``: need plus the
        members' reserve deficits (a unit stops hunting once that is covered)."""
        p = self.params
        adult_month = p.food_kg_per_day * DAYS_PER_MONTH
        need_units = np.maximum(1.0, need_kg / adult_month)
        rows, cols = self.positions(units)
        radius = np.array([a.hr_radius_km if a.home else p.walker_hunt_radius_km for a in units])
        r0, r1, c0, c1 = self._boxes(rows, cols, self.half_box(radius))
        avail = self.prey_in_boxes(r0, r1, c0, c1).T                      # (n, species)
        area = ((r1 - r0) * (c1 - c0) * self.landscape.cell_area_km2).astype(float)
        density = avail / np.maximum(area, 1e-9)[:, None]
        success = np.array([p.hunting_success * (p.captive_hunting_factor
                            if a.origin == "captive" and a.months_free < 12 else 1.0) for a in units])
        condition = np.fromiter((a.condition for a in units), dtype=float, count=len(units))
        hunger = 1.0 + p.hunger_effort * (1.0 - condition)
        attack = p.search_rate_km2_per_day * (success * hunger)[:, None] * self.prey_pref[None, :]
        per_day = self.fr_rule(density, attack, p.handling_days / need_units)
        kills = np.minimum(self.rng.poisson(per_day * DAYS_PER_MONTH), np.floor(avail)).astype(float)
        # satiation: a group stops hunting once its need and reserve deficit are covered
        eaten_per_kill = self.prey_mass * p.edible_fraction * (1.0 - p.kleptoparasitism)
        got = kills @ eaten_per_kill
        over = got > want_kg + eaten_per_kill.max()
        if over.any():
            kills[over] = np.ceil(kills[over] * (want_kg[over] / got[over])[:, None])
        hunted = np.flatnonzero(kills.sum(axis=1) > 0)
        if hunted.size:
            self.prey.remove_kills_in_boxes(r0[hunted], r1[hunted], c0[hunted], c1[hunted], kills[hunted])
        self._sat = None
        return (kills * self.prey_mass).sum(axis=1) * p.edible_fraction * (1.0 - p.kleptoparasitism)

    # 6 ---------------------------------------------------------------- mortality
    def mortality_phase(self) -> None:
        animals = self.cheetahs
        n = len(animals)
        if n == 0:
            return
        p = self.params
        land = self.landscape
        H = np.zeros((n, len(DEATH_CAUSES)))
        h0 = self.h_release0
        # one pass over the animals for everything the hazards read
        rec = np.array([(*(a.home or (a.row, a.col)), a.age, a.mother is not None, a.sex == "M", a.boma_months > 0,
                         a.condition, a.F, a.road_in_range, h0.get(a.origin, 0.0), a.months_free, a.method == "soft")
                        for a in animals], dtype=float)
        rows, cols = rec[:, 0].astype(np.int64), rec[:, 1].astype(np.int64)
        age, cond, F = rec[:, 2], rec[:, 6], rec[:, 7]
        cub, male, boma = rec[:, 3] > 0, rec[:, 4] > 0, rec[:, 5] > 0
        adult = age >= p.adult_months
        h_ind = np.where(male, np.where(adult, self.h_adult["M"], self.h_sub["M"]),
                         np.where(adult, self.h_adult["F"], self.h_sub["F"]))
        ev = self.hazard_multiplier
        H[:, CAUSE_INDEX["background"]] = np.where(cub, self.h_cub, h_ind) * ev
        past = np.maximum(0.0, age - p.senescence_months) / 12.0
        sen = np.where(past > 0, (np.exp(p.senescence_rate_per_year * past) - 1.0) * h_ind * ev, 0.0)
        sen = np.where(age >= p.max_age_months, np.inf, sen)
        H[:, CAUSE_INDEX["senescence"]] = sen
        H[:, CAUSE_INDEX["predation"]] = np.where(cub, p.cub_predation_per_competitor * land.competitors[rows, cols], 0.0)
        H[:, CAUSE_INDEX["inbreeding"]] = np.where(cub & (age < 12), p.lethal_equivalents * F / FIRST_YEAR_DRAWS, 0.0)
        human = land.human[rows, cols] * (1.0 - land.protection[rows, cols] * self.enforcement)
        H[:, CAUSE_INDEX["human"]] = np.where(cub | boma, 0.0, p.human_hazard_per_year / 12.0 * human * self.human_factor)
        road_res = (rec[:, 8] > 0) & ~cub
        p_cross = min(p.road_crossing_mortality * self.road_factor, 1.0 - 1e-12)
        H[:, CAUSE_INDEX["road"]] = np.where(road_res, -math.log(1.0 - p_cross) * p.resident_road_crossings_per_month, 0.0)
        months_free = rec[:, 10]
        fresh = (rec[:, 9] > 0) & ~boma & (months_free < 12)      # released (h0 > 0) less than a year ago
        H[:, CAUSE_INDEX["post_release"]] = np.where(
            fresh, rec[:, 9] * np.exp(-np.minimum(months_free, 12) / p.release_hazard_months)
            * np.where(rec[:, 11] > 0, p.soft_release_hazard_factor, 1.0), 0.0)
        if self.density.uses_prey:
            starving = np.minimum(np.maximum(1.0 - cond / p.starvation_condition, 0.0), 1.0)
            H[:, CAUSE_INDEX["starvation"]] = np.where(starving >= 1.0, np.inf,
                                                       -np.log1p(-np.minimum(starving, 1 - 1e-12)))
        if self.harsh_winter and self.month == 0:
            H[:, CAUSE_INDEX["harsh_winter"]] = -math.log(self.spec.environment.harsh_winter_cheetah_survival)
        total = H.sum(axis=1)
        u = self.rng.random((n, 2))
        with np.errstate(invalid="ignore"):
            p_die = np.where(np.isinf(total), 1.0, -np.expm1(-total))
        dead = np.flatnonzero(u[:, 0] < p_die)
        if dead.size == 0:
            return
        Hd = H[dead]
        inf = np.isinf(Hd)
        share = np.where(inf.any(axis=1, keepdims=True), inf.astype(float), Hd)
        cum = np.cumsum(share, axis=1)
        pick = (cum < (u[dead, 1] * cum[:, -1])[:, None]).sum(axis=1)
        # independent animals first, so orphaned cubs are recorded as such
        order = sorted(range(dead.size), key=lambda k: animals[dead[k]].is_cub)
        for k in order:
            a = animals[dead[k]]
            if a.alive:
                a.die(DEATH_CAUSES[pick[k]])

    # 7 ---------------------------------------------------------------- reproduction
    def reproduction_phase(self) -> None:
        p = self.params
        females, males = [], []
        for a in list(self.agents):
            if a.mother is not None or a.boma_months > 0:          # cubs; animals held in a boma
                continue
            if a.sex == "F":
                if a.pregnant:
                    a.pregnant -= 1
                    if a.pregnant == 0:
                        a.give_birth()
                    continue
                if a.wait:
                    a.wait -= 1
                    continue
                if not a.cubs and p.female_first_conception_months <= a.age <= p.female_last_breeding_months:
                    females.append(a)
            elif a.age >= p.male_breeding_months and (a.home is not None or not p.breeding_males_must_be_resident):
                males.append(a)
        if not females:
            return
        sires = np.asarray(self.mate_rule(self, females, males), dtype=np.int64)
        conceive = self.rng.random(len(females)) < p.conception_prob_per_month
        for f, s, c in zip(females, sires, conceive):
            if c and s != -1:
                f.conceive(males[s] if s >= 0 else None)

    # 8 ---------------------------------------------------------------- ageing
    def ageing_phase(self) -> None:
        p = self.params
        leaving: dict[int, list[Cheetah]] = defaultdict(list)
        independence = p.independence_months
        for a in self.agents:
            a.age += 1
            if a.boma_months > 0:
                a.boma_months -= 1
            elif a.origin != "wild_born":                          # released: months since
                a.months_free += 1
            if a.mother is not None and a.age >= independence:
                leaving[a.litter].append(a)
        for litter in leaving.values():
            for a in litter:
                a.become_independent()
            brothers = [a for a in litter if a.sex == "M"]
            if len(brothers) >= 2 and self.rng.random() < p.coalition_prob:
                for b in brothers:
                    b.coalition = brothers
                lead = brothers[0]
                for b in brothers[1:]:
                    b.row, b.col = lead.row, lead.col

    # 9 ---------------------------------------------------------------- observation
    def observe(self) -> None:
        if self.spec.output.occupancy:
            homes = [a.home for a in self.agents if a.home is not None and a.mother is None]
            if homes:
                r, c = np.array(homes, dtype=np.int64).T
                np.add.at(self.occupancy, (r, c), 1)
        if self.month == 11:
            if self.density.ceiling and self.spec.ceiling is not None:
                self._apply_ceiling(self.spec.ceiling)
            self.take_census()

    def _apply_ceiling(self, K: int) -> None:
        animals = self.cheetahs
        excess = len(animals) - K
        if excess > 0:
            for i in self.rng.choice(len(animals), size=excess, replace=False):
                if animals[i].alive:
                    animals[i].die("ceiling")

    def occupied_area_km2(self, residents: list[Cheetah]) -> float:
        """Area [km²] of the cells within at least one resident's home-range radius (the union,
        so overlapping female ranges and coalition mates count once)."""
        land = self.landscape
        covered = np.zeros(land.shape, dtype=bool)
        for a in residents:
            k, disk = _disk(a.hr_radius_km / land.cell_km)
            r, c = a.home
            r0, c0 = max(r - k, 0), max(c - k, 0)
            r1, c1 = min(r + k + 1, land.rows), min(c + k + 1, land.cols)
            covered[r0:r1, c0:c1] |= disk[r0 - (r - k):r1 - (r - k), c0 - (c - k):c1 - (c - k)]
        return float(covered.sum()) * land.cell_area_km2

    def take_census(self) -> None:
        i = self.year - 1
        c = self.census
        animals = self.cheetahs
        counts = {f"{st}_{sx}": 0 for st in STAGES for sx in SEXES}
        adults = {"F": 0, "M": 0}
        for a in animals:
            counts[f"{a.stage}_{a.sex.lower()}"] += 1
            if a.age >= self.params.adult_months:
                adults[a.sex] += 1
        for k, v in counts.items():
            c[k][i] = v
        nf = sum(1 for a in animals if a.sex == "F")
        c["N"][i] = len(animals)
        c["N_f"][i] = nf
        c["N_m"][i] = len(animals) - nf
        c["adults_f"][i], c["adults_m"][i] = adults["F"], adults["M"]
        c["breeding_females"][i] = len(self.year_breeders)
        c["births"][i] = self.year_births
        c["released"][i] = self.year_released
        for k, cause in enumerate(DEATH_CAUSES):
            c[f"deaths_{cause}"][i] = self.year_deaths[k]
        c["extant"][i] = float(nf > 0 and len(animals) - nf > 0)
        if animals:
            slots = [a.gslot for a in animals]
            c["gene_diversity"][i] = self.genetics.gene_diversity(slots)
            c["mean_F"][i] = float(np.mean([a.F for a in animals]))
            ind = [a.condition for a in animals if not a.is_cub]
            if ind:
                c["mean_condition"][i] = float(np.mean(ind))
        res = [a for a in animals if a.home is not None and not a.is_cub and a.leader is a]
        if res:
            areas = np.array([math.pi * a.hr_radius_km ** 2 for a in res])
            c["mean_home_range_km2"][i] = float(areas.mean())
            c["occupied_km2"][i] = self.occupied_area_km2(res)
        tot = self.prey.totals()
        for k, name in enumerate(SPECIES):
            c[f"prey_{name}"][i] = tot[k]
        c["saiga_male_fraction"][i] = self.prey.saiga_male_fraction
        self._reset_year()


def _disk(radius_cells: float) -> tuple[int, np.ndarray]:
    """Half-width k and the (2k+1, 2k+1) mask of cells whose centres lie within the radius."""
    k = int(math.floor(radius_cells))
    d = np.arange(-k, k + 1)
    return k, d[:, None] ** 2 + d[None, :] ** 2 <= radius_cells ** 2


def run_replicate(scenario: Scenario, seed, replicate: int = 0, landscape: Landscape | None = None,
                  base_dir: str | Path = ".", timing: bool = False) -> ReplicateResult:
    """Run one replicate of a resolved scenario with its own seed; same seed, same result."""
    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    if landscape is None:
        landscape = build_landscape(scenario.landscape, base_dir)
    model = ReintroductionModel(scenario, landscape, rng=np.random.default_rng(seed), timing=timing)
    model.run()
    result = ReplicateResult(
        scenario=scenario.name, replicate=replicate, seed_entropy=int(seed.entropy) if isinstance(seed.entropy, int) else 0,
        seed_spawn_key=tuple(seed.spawn_key), census=model.census,
        occupancy=model.occupancy if scenario.output.occupancy else None,
        extra={"agent_months": model.agent_months, "phase_seconds": dict(model.phase_seconds)})
    model.remove_all_agents()
    return result
