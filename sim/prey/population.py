"""Prey populations (saiga, goitered gazelle, urial, tolai hare: :data:`SPECIES`, the fields of
:class:`sim.config.params.PreyParams`) as deterministic density fields on the prey grid
(``landscape.prey_cell_km``, :mod:`sim.world.coarsen`).

State: ``N``, a float64 array ``(species, rows, cols)`` of animals per prey cell in the order of
:data:`SPECIES`, plus the saiga adult male fraction (one number for the whole population, because
horn poaching removes males wherever they are and the fecundity collapse acts on the whole herd).

One month (:meth:`PreyPopulation.step`) is, in this order:

1. birth pulse in each species' birth month: theta-logistic recruitment against the local
   capacity ``K_eff = K x capacity_multiplier`` (the year's environmental multiplier), scaled so
   that at low density a year's growth is ``exp(r_max)`` and ``N = K`` is an equilibrium
   (births replace exactly one year's natural deaths; for saiga, those of the herd with its
   post-pulse male fraction, since males die faster); saiga births are multiplied by the
   fecundity factor ``1 - exp(-m / male_fraction_collapse)`` (Milner-Gulland et al. 2003);
2. natural mortality, monthly survival ``s^(1/12)``; saiga males at ``male_extra_mortality`` x the
   female hazard;
3. poaching, annual fraction ``p x (1 - protection x enforcement) x (1 - patrol)`` per cell; saiga poaching is
   male-biased (``male_poaching_share``);
4. movement: diffusion to the four orthogonal neighbours weighted by their capacity K, refused across closed
   fence edges and the map edge;
5. saiga seasonal migration (spring and autumn migration months) towards the new season's
   capacity layer, across fences only through their gaps, at most ``migration_gap_throughput``
   saiga per open edge (no cap where a fence has been removed, i.e. all its edges are open).
   Births of every species are density-dependent against the larger of the two seasons' K.

There are no random numbers here: year effects and catastrophes are drawn by the model and passed
in (``capacity_multiplier``, :meth:`catastrophe`). Everything that depends on the landscape is
precomputed once per landscape object (:meth:`PreyPopulation.set_landscape`, shared read-only by
all populations on it), so a step is a handful of array operations per species:

* survival, poaching and diffusion in one compiled sweep per species over the flattened grid
  (:mod:`sim.prey.diffusion`, row by row; fixed offsets for the four neighbours); refused neighbour pairs
  (fences, map edge) are exceptional cells with their own index lists;
* a species with capacity on a small part of the map (urial: ~7 % of the Ustyurt cells) is swept
  over its own cells only (index lists of cells and neighbours), unless some of its animals are
  elsewhere (then the whole grid);
* the birth pulse is computed over the cells with capacity only.

Every cell gets the same floating-point operations in the same order as the plain whole-grid
formulas, so the results do not depend on these shortcuts to the last bit. (That matters: the
model's hunting turns prey densities into Poisson draws, and a density of 1e-15 instead of 0
would consume a random number and shift the whole random stream.) Cost on this project's
2-core benchmark machine: ~0.27 ms a month on the default 5 km prey grid of the Ustyurt map
(109 x 98 cells), ~1.0 ms on 2.5 km cells (218 x 196) (bench/README.md).

The grid: the landscape coarsened ``factor`` x ``factor`` (:mod:`sim.world.coarsen`,
``LandscapeSpec.prey_cell_km``); ``N`` and every table live on it. The model works in landscape
cells: :meth:`PreyPopulation.remove_kills`, :meth:`PreyPopulation.animals_in_boxes` and
:meth:`PreyPopulation.add` take landscape cells, with each prey cell's animals spread evenly over
its landscape cells (:mod:`sim.prey.boxes`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..config.params import SPECIES, PreyParams
from ..world.coarsen import coarsened
from ..world.geometry import summed_area_table
from ..world.landscape import Landscape
from . import boxes
from .diffusion import sweep, sweep_compact
from .migration import migrate_saiga
from .tables import COMPACT_FRACTION, build_tables, freeze, landscape_tables

#: Index of the saiga: the migratory species, with a male fraction (horn poaching, collapse).
SAIGA = SPECIES.index("saiga")

__all__ = ["SPECIES", "PreyPopulation"]

#: Cell side (km) on which ``diffusion_per_month`` is defined (the default landscape cell).
DIFFUSION_REFERENCE_CELL_KM = 2.5
#: Largest fraction of a cell's animals one diffusion sweep moves (the parameter's upper bound).
MAX_DIFFUSION_PER_SWEEP = 0.8

WINTER, SUMMER = 0, 1


class PreyPopulation:
    """The three prey species as animals per cell on the landscape grid.

    Parameters
    ----------
    params:
        Life history, poaching, movement and initial totals of each species.
    landscape:
        The grid: capacity layers (animals/km²), water, protection, fences.
    month:
        Calendar month (0 = January) of the start; chooses the saiga season layer used to place
        the initial saiga.
    water_gain:
        Multiplier on gazelle capacity within ``water_radius_km`` of any water cell (km between
        cell centres); ``ManagementBaseline.water_capacity_gain``.
    water_radius_km:
        Radius of the water effect, km.
    factor:
        The prey grid is ``landscape`` coarsened ``factor`` x ``factor`` (:mod:`sim.world.coarsen`;
        ``LandscapeSpec.prey_cell_km``). ``N`` is on that grid (:attr:`grid`); the methods that
        take cells (:meth:`remove_kills`, :meth:`add`) take cells of ``landscape``.
    """

    def __init__(self, params: PreyParams, landscape: Landscape, *, month: int = 0,
                 water_gain: float = 1.5, water_radius_km: float = 10.0, factor: int = 1) -> None:
        _check_month(month)
        if not (isinstance(factor, (int, np.integer)) and factor >= 1):
            raise ValueError(f"prey grid factor must be a whole number >= 1 (got {factor})")
        self.factor = int(factor)
        self.params = params
        self._sp = [getattr(params, name) for name in SPECIES]
        saiga = params.saiga
        if saiga.spring_migration_month == saiga.autumn_migration_month:
            raise ValueError("prey.saiga: spring_migration_month and autumn_migration_month must differ "
                             f"(both are {saiga.spring_migration_month})")
        self.water_gain = float(water_gain)
        self.water_radius_km = float(water_radius_km)
        if not (self.water_gain >= 1 and math.isfinite(self.water_gain)):
            raise ValueError(f"water_gain must be a finite number >= 1 (got {water_gain})")
        if not (self.water_radius_km > 0 and math.isfinite(self.water_radius_km)):
            raise ValueError(f"water_radius_km must be a positive number (got {water_radius_km})")

        # Per-species constants (arrays of 3, species order).
        self._annual_survival = np.array([p.annual_survival for p in self._sp])
        self._monthly_survival = self._annual_survival ** (1.0 / 12.0)
        self._poaching = np.array([p.poaching_per_year for p in self._sp])
        self._diffusion_ref = np.array([p.diffusion_per_month for p in self._sp])   # on 2.5 km cells

        self.saiga_male_fraction: float = float(saiga.initial_male_fraction)
        self.set_landscape(landscape)

        # Initial animals in proportion to each species' capacity in the starting season.
        K = self._K[self.season(month)]
        self.N = np.zeros_like(K)
        self._sat: np.ndarray | None = None           # summed-area table of N (animals_in_boxes)
        self._yield_sat: np.ndarray | None = None     # ... of the stock that yields (yield_table)
        self._month = month
        self._loss: np.ndarray | None = None          # scratch of remove_kills_in_boxes
        for s, p in enumerate(self._sp):
            total_k = K[s].sum()
            if p.initial_total is None:
                self.N[s] = K[s]
                continue
            if p.initial_total == 0:
                continue
            if total_k <= 0:
                raise ValueError(
                    f"prey.{SPECIES[s]}.initial_total is {p.initial_total:g} but the species' capacity "
                    f"is zero everywhere on landscape {landscape.name!r} (season of month {month}); "
                    "set initial_total: 0 or give the species some capacity")
            self.N[s] = K[s] * (p.initial_total / total_k)

    # ------------------------------------------------------------------ landscape-dependent setup
    def set_landscape(self, landscape: Landscape, *, water_gain: float | None = None,
                      water_radius_km: float | None = None) -> None:
        """Precompute everything that depends on the landscape (call again after management
        changes fences, protection or water).

        Computes per season (winter, summer; only saiga differs): capacity per cell K (animals per
        cell; gazelle x water_gain near water), 1/K for the birth pulse, the diffusion gain
        d / W and staying fraction, the index lists of refused neighbour pairs (closed fence
        edges, map edge); the protection layer (poaching cache is reset); fence regions, open-gap
        counts and each region's saiga capacity. ``water_gain`` / ``water_radius_km`` replace the
        values given to the constructor when passed.

        The tables are built once per landscape object and parameter set and shared (read-only)
        by every population on that landscape (:func:`_landscape_tables`): a batch worker that
        runs many replicates on one landscape builds them once. Landscapes are immutable (a
        management change makes a new one), so the cache never goes stale.
        """
        if water_gain is not None:
            self.water_gain = float(water_gain)
        if water_radius_km is not None:
            self.water_radius_km = float(water_radius_km)
        self.landscape = landscape
        self.grid = grid = coarsened(landscape, self.factor)
        landscape = grid
        # diffusion_per_month is defined on 2.5 km cells: on cells of side L the same diffusivity
        # (km²/month) moves d (2.5 / L)² per month; above MAX_DIFFUSION_PER_SWEEP it is split
        # into equal sweeps (diffusion only, after the month's survival sweep).
        scaled = self._diffusion_ref * (DIFFUSION_REFERENCE_CELL_KM / grid.cell_km) ** 2
        self._sweeps = [max(1, math.ceil(d / MAX_DIFFUSION_PER_SWEEP - 1e-12)) for d in scaled.tolist()]
        self._diffusion = scaled / np.array(self._sweeps, dtype=np.float64)
        key = (self.water_gain, self.water_radius_km, tuple(p.capacity_multiplier for p in self._sp),
               tuple(self._diffusion.tolist()), self._sp[SAIGA].migration_gap_throughput, SPECIES,
               COMPACT_FRACTION)
        tables = landscape_tables(landscape, key, lambda: build_tables(
            landscape, SPECIES, self._sp, self._diffusion, self.water_gain, self.water_radius_km, SAIGA))
        self._tables = tables
        for name, value in tables.items():
            if not name.startswith("poach"):
                setattr(self, "_" + name, value)
        # Scratch buffers (per population, never shared).
        n, cols = self._n_cells, self._cols
        self._apad = np.zeros(n + 2 * cols)           # a = x gain, with a zero row before and after
        self._a = np.empty(n)                         # births on the whole grid
        self._ones = np.ones(n)                       # keep fraction of the diffusion-only sweeps
        self._compact_a = [None if comp is None else np.zeros(comp["cells"].size + 1)
                           for comp in self._compact]
        self._poach_enforcement: float | None = None
        self._poach_cache = None
        self._keep_cache: list[np.ndarray] | None = None

    # ------------------------------------------------------------------ queries
    def season(self, month: int) -> int:
        """SUMMER (1) from the spring migration month (inclusive) to the autumn migration month
        (exclusive), otherwise WINTER (0). Works when the summer wraps past December."""
        spring = self.params.saiga.spring_migration_month
        autumn = self.params.saiga.autumn_migration_month
        if spring < autumn:
            return SUMMER if spring <= month < autumn else WINTER
        return SUMMER if (month >= spring or month < autumn) else WINTER

    def capacity_per_cell(self, month: int) -> np.ndarray:
        """Capacity K in animals per prey cell, shape (3, rows, cols) of the prey grid, for the
        season of ``month`` (before the year's environmental multiplier). Read-only."""
        _check_month(month)
        return self._K[self.season(month)]

    def totals(self) -> np.ndarray:
        """Animals of each species on the whole map, shape (3,)."""
        return self.N.sum(axis=(1, 2))

    # ------------------------------------------------------------------ the monthly step
    def step(self, month: int, *, enforcement: float, capacity_multiplier: float = 1.0) -> None:
        """Advance one month (see the module docstring for the order of processes).

        ``enforcement`` (0-1): anti-poaching strength this month. ``capacity_multiplier`` (>= 0):
        the year's environmental multiplier on prey capacity, used by the birth pulse.
        """
        _check_month(month)
        if not 0.0 <= enforcement <= 1.0:
            raise ValueError(f"enforcement must lie in 0-1 (got {enforcement})")
        if not (capacity_multiplier >= 0 and math.isfinite(capacity_multiplier)):
            raise ValueError(f"capacity_multiplier must be a finite number >= 0 (got {capacity_multiplier})")
        season = self.season(month)
        N = self.N
        self._month = month
        self._sat = self._yield_sat = None

        # 1. Birth pulse.
        for s, p in enumerate(self._sp):
            if p.birth_month == month:
                self._births(s, season, capacity_multiplier)

        # 2-3. Natural mortality then poaching, applied as one multiplication per cell (in the
        # diffusion sweep below; saiga also x s_tot, the sex-weighted natural survival).
        _, poached_frac = self._poaching_survival(enforcement)
        saiga = N[SAIGA]
        total = float(saiga.sum())
        sp = self.params.saiga
        s_f = self._monthly_survival[SAIGA]
        s_m = s_f ** sp.male_extra_mortality                # exp(-k h) with h = -ln(s)/12
        m = self.saiga_male_fraction
        s_tot = (1.0 - m) * s_f + m * s_m
        if total > 0 and s_tot > 0:
            m = m * s_m / s_tot
            poached = s_tot * _dot(saiga.ravel(), poached_frac[SAIGA])
            after_mortality = total * s_tot
            males = m * after_mortality
            male_poached = min(sp.male_poaching_share * poached, males)
            remaining = after_mortality - poached
            self.saiga_male_fraction = (males - male_poached) / remaining if remaining > 0 else m
        # 4. Habitat-weighted diffusion (mass conserving; refused across closed edges), species by
        # species, in one sweep with the survival multiplication (same operations, same order).
        flat = N.reshape(N.shape[0], -1)
        for s in range(N.shape[0]):
            if s == SAIGA and total == 0.0:
                continue                                    # no saiga anywhere: nothing to do
            self._survive_and_diffuse(flat[s], s, season, enforcement, s_tot if s == SAIGA else 1.0)
            for _ in range(self._sweeps[s] - 1):            # small prey cells: more diffusion sweeps
                self._survive_and_diffuse(flat[s], s, season, enforcement, 1.0, survive=False)

        # 5. Saiga seasonal migration.
        if month in (sp.spring_migration_month, sp.autumn_migration_month):
            self._migrate(season)

    def _keep(self, enforcement: float) -> list[np.ndarray]:
        """Per species, the monthly keep fraction (:meth:`_poaching_survival`), flat over the grid
        or, for a compact species, over its own cells."""
        self._poaching_survival(enforcement)
        return self._keep_cache

    def _survive_and_diffuse(self, x: np.ndarray, s: int, season: int, enforcement: float,
                             scale: float, survive: bool = True) -> None:
        """One species (``x``: its flat N, updated in place): survival and poaching (the cell's
        keep fraction, then the scalar ``scale``), then movement of a fraction
        ``diffusion_per_month`` of each cell's animals to its open orthogonal neighbours in
        proportion to their K (see :meth:`set_landscape`).

        Every cell gets exactly the operations, in the same order, of the plain whole-grid
        computation ``x *= keep; x *= scale; a = x * gain;
        x = x * stay + K * (((a_west + a_east) + a_north) + a_south)`` (refused terms are 0), so
        the result does not depend on the compact path to the last bit (:mod:`sim.prey.diffusion`).
        ``survive=False``: diffusion only (keep fraction 1), for the extra sweeps of small cells.
        """
        comp = self._compact[s]
        ones = self._ones
        diffuse = self._diffusion[s] != 0.0
        keep = self._keep(enforcement)[s] if survive else (ones if comp is None else ones[:comp["cells"].size])
        if comp is not None:
            if not _any_positive(x, comp["outside"]):    # no animals off the species' cells
                sweep_compact(x, comp["cells"], keep, scale, comp["gain"][season], comp["stay"][season],
                              comp["K"][season], comp["nbr"], self._compact_a[s], diffuse)
                return
            keep = self._poaching_survival(enforcement)[0][s] if survive else ones
        sweep(x, keep, scale, self._gain[season][s], self._stay[season][s], self._K_flat[season][s], self._apad,
              self._cols, self._special, self._src, diffuse)

    def _births(self, s: int, season: int, capacity_multiplier: float) -> None:
        """Theta-logistic birth pulse of species ``s`` against K_eff = K x capacity_multiplier.

        births = N x max(0, exp(r_max (1 - (N/K_eff)^theta)) / s - 1): a year of natural
        survival s after the pulse then gives growth exp(r_max) at low density and N = K as
        equilibrium. No births where K_eff = 0 (computed over the cells with K > 0 only).
        """
        if capacity_multiplier <= 0.0:
            return
        p = self._sp[s]
        N = self.N[s].reshape(-1)
        cells = self._birth_cells[s]
        Nc = N.take(cells)
        x = Nc * self._birth_inv_K[s]                       # N / K, animals per animal
        if capacity_multiplier != 1.0:
            x *= 1.0 / capacity_multiplier
        if p.theta != 1.0:
            with np.errstate(over="ignore"):
                np.power(x, p.theta, out=x)
            np.minimum(x, 1e6, out=x)                       # exp(r (1 - 1e6)) is 0 anyway
        np.subtract(1.0, x, out=x)
        x *= p.r_max
        np.exp(x, out=x)                                    # the year's growth factor per cell
        if s != SAIGA:
            x *= 1.0 / p.annual_survival
            x -= 1.0
            np.maximum(x, 0.0, out=x)
            x *= Nc                                         # births per cell
        else:
            x = self._saiga_births(x, Nc, N, cells)
        Nc += x
        N[cells] = Nc

    def saiga_year_survival(self, male_fraction: float) -> float:
        """Natural survival over a year of a saiga herd with this adult male fraction: females
        survive ``annual_survival``, males at ``male_extra_mortality`` x the female hazard."""
        sp = self.params.saiga
        return (1.0 - male_fraction) * sp.annual_survival + male_fraction * sp.annual_survival ** sp.male_extra_mortality

    def _saiga_births(self, growth: np.ndarray, Nc: np.ndarray, N: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Saiga births per cell for the year's growth factor per cell.

        Births replace a year of the herd's natural deaths, and the herd after the pulse has a
        higher male fraction (half the calves are male; males die faster), so the survival that
        births divide by is that of the herd after the pulse: births solve
        b = (growth / S(m') - 1) x fecundity with m' = (m N + b / 2) / (N + b), iterated to a
        fixed point (it contracts: five rounds reach 1e-8). The fecundity factor
        1 - exp(-m / male_fraction_collapse) uses the males before the rut."""
        p = self.params.saiga
        m = self.saiga_male_fraction
        fecundity = 1.0 - math.exp(-m / p.male_fraction_collapse)
        total = float(N.sum())
        whole = self._a                                     # births on the whole grid (0 elsewhere),
        m_after = m
        for _ in range(100):
            births = np.maximum(growth / self.saiga_year_survival(m_after) - 1.0, 0.0) * Nc * fecundity
            whole.fill(0.0)                                 # summed as a whole-grid array
            whole[cells] = births
            born = float(whole.sum())
            previous, m_after = m_after, (m * total + 0.5 * born) / (total + born) if total + born > 0 else m
            if abs(m_after - previous) <= 1e-14:
                break
        self.saiga_male_fraction = m_after
        return births

    def _poaching_survival(self, enforcement: float) -> tuple[np.ndarray, np.ndarray]:
        """Per-cell monthly keep fraction (natural survival x not poached; saiga: poaching only)
        and the saiga poached fraction, flat (species, cells); cached for the last enforcement value
        (and shared, read-only, by the populations on the same landscape tables)."""
        if self._poach_enforcement != enforcement:
            key = (enforcement, tuple(self._poaching.tolist()), tuple(self._monthly_survival.tolist()))
            shared = self._tables["poach_cache"]
            entry = shared.get(key)
            if entry is None:
                p_eff = self._poaching[:, None, None] * ((1.0 - self._protection * enforcement) * self._patrol_keep)[None]
                not_poached = (1.0 - p_eff) ** (1.0 / 12.0)
                keep = not_poached.copy()
                others = np.arange(keep.shape[0]) != SAIGA          # the saiga's survival: s_tot
                keep[others] *= self._monthly_survival[others, None, None]
                S = keep.shape[0]
                keep = keep.reshape(S, -1)
                entry = (keep, (1.0 - not_poached).reshape(S, -1),
                         [keep[s] if comp is None else keep[s][comp["cells"]]
                          for s, comp in enumerate(self._compact)])
                freeze(entry)
                if len(shared) >= 4:
                    shared.pop(next(iter(shared)))
                shared[key] = entry
            self._poach_cache = entry[:2]
            self._keep_cache = entry[2]
            self._poach_enforcement = enforcement
        return self._poach_cache

    def _migrate(self, season: int) -> None:
        """Move saiga towards the new season's capacity, across fences only through gaps
        (:func:`sim.prey.migration.migrate_saiga`)."""
        migrate_saiga(self.N[SAIGA].ravel(), self._regions, self._n_regions, self._region_K[season],
                      self._K_flat[season][SAIGA], self._reach, self._gap_capacity)

    # ------------------------------------------------------------------ external events
    def catastrophe(self, species: str, fraction: float) -> float:
        """Kill ``fraction`` (0-1) of ``species`` everywhere (harsh winter, die-off); returns the
        number of animals killed. The saiga male fraction is unchanged."""
        s = _species_index(species)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"catastrophe fraction must lie in 0-1 (got {fraction})")
        killed = float(self.N[s].sum()) * fraction
        self.N[s] *= 1.0 - fraction
        self._sat = self._yield_sat = None
        return killed

    def remove_kills(self, r0: int, r1: int, c0: int, c1: int, kills: np.ndarray) -> np.ndarray:
        """Remove ``kills[s]`` animals of each species from the box of landscape cells rows
        r0:r1, cols c0:c1: :meth:`remove_kills_in_boxes` for one box. Returns the animals
        actually removed, shape (3,)."""
        one = lambda x: np.array([x], dtype=np.int64)           # noqa: E731
        return self.remove_kills_in_boxes(one(r0), one(r1), one(c0), one(c1),
                                          np.asarray(kills, dtype=np.float64)[None, :])[0]

    def remove_kills_in_boxes(self, r0, r1, c0, c1, kills: np.ndarray) -> np.ndarray:
        """Remove the month's kills of all hunting units at once: ``kills[i, s]`` animals of
        species s from box i (landscape cells rows r0[i]:r1[i], cols c0[i]:c1[i]).

        Each unit takes its kills from the prey in its box at the start of the removal, spread
        over the box in proportion to density; where boxes overlap, a cell loses the sum of the
        units' fractions, never more than all its animals; a unit never takes more than its box
        holds (:func:`sim.prey.boxes.remove_kills`). Simultaneous rather than one unit after the
        other, so the result does not depend on the order of the units. Returns the animals each
        unit removed, shape (n, species). Saiga kills take males in proportion, so the male
        fraction is unchanged.
        """
        kills = np.ascontiguousarray(kills, dtype=np.float64)
        if kills.shape[0] == 0:
            return np.zeros((0, self.N.shape[0]))
        self._sat = self._yield_sat = None
        rows, cols = self.landscape.shape
        r0, r1, c0, c1 = boxes.clipped(r0, r1, c0, c1, rows, cols)
        if self._loss is None:
            self._loss = np.zeros_like(self.N)
        return boxes.remove_kills(self.N, r0, r1, c0, c1, kills, self.factor, rows, cols, self._loss)

    def add(self, species: str, r: int, c: int, number: float) -> None:
        """Translocate ``number`` animals of ``species`` into landscape cell (r, c) (its prey
        cell). Translocated saiga are assumed to have the population's male fraction (unchanged)."""
        s = _species_index(species)
        if not (number >= 0 and math.isfinite(number)):
            raise ValueError(f"translocated number must be a finite number >= 0 (got {number})")
        rows, cols = self.landscape.shape
        if not (0 <= r < rows and 0 <= c < cols):
            raise ValueError(f"translocation cell ({r}, {c}) lies outside the {rows} x {cols} grid")
        self.N[s, r // self.factor, c // self.factor] += number
        self._sat = self._yield_sat = None

    # ------------------------------------------------------------------ prey in boxes
    def animals_in_boxes(self, r0, r1, c0, c1) -> np.ndarray:
        """Prey animals in boxes of landscape cells (rows r0:r1, cols c0:c1; arrays of one shape,
        clipped to the map), shape (species, *r0.shape) [animals], from the summed-area table of
        the prey grid (built once per change of the prey; :func:`sim.prey.boxes.box_totals`).
        Totals below 1e-9 animals are round-off, and count as 0."""
        shape = np.shape(r0)
        rows, cols = self.landscape.shape
        r0, r1, c0, c1 = boxes.clipped(r0, r1, c0, c1, rows, cols)
        out = boxes.box_totals(self.table(), r0, r1, c0, c1, self.factor, rows, cols)
        return out.T.reshape((self.N.shape[0],) + shape)

    def animals_in_ranges(self, rows, cols, radii_km, cell_km: float) -> np.ndarray:
        """Prey animals in home ranges centred on landscape cells (rows, cols) with radii
        ``radii_km`` (one row of radii per centre, shape (centres, radii)), each as the box of
        the same area clipped to the map: shape (centres, radii, species)
        (:func:`sim.prey.boxes.range_totals`)."""
        r, c = self.landscape.shape
        return boxes.range_totals(self.table(), np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                                  np.asarray(radii_km, dtype=np.float64), float(cell_km), self.factor, r, c)

    def yield_table(self) -> np.ndarray:
        """Summed-area table (species, rows+1, cols+1) of the stock that can yield food
        sustainably: each prey cell's animals, but no more than half its capacity in this season
        (a logistic stock yields most, its maximum sustainable yield, at half its capacity; more
        animals do not yield more). Built on first use after a change of the prey."""
        if self._yield_sat is None:
            self._yield_sat = summed_area_table(self.N, cap=self._K[self.season(self._month)], cap_scale=0.5)
        return self._yield_sat

    def table(self) -> np.ndarray:
        """Summed-area table (species, rows+1, cols+1) of the prey grid (built on first use
        after a change)."""
        if self._sat is None:
            self._sat = summed_area_table(self.N)
        return self._sat


def _species_index(species: str) -> int:
    try:
        return SPECIES.index(species)
    except ValueError:
        raise ValueError(f"unknown prey species {species!r}; allowed: {list(SPECIES)}") from None


def _check_month(month: int) -> None:
    if not 0 <= month <= 11:
        raise ValueError(f"month must be 0-11 (0 = January), got {month}")


@njit(cache=True)
def _dot(a, b):
    """Σ a b in order (no BLAS call: the same bits whatever the machine's BLAS threads)."""
    s = 0.0
    for i in range(a.size):
        s += a[i] * b[i]
    return s


@njit(cache=True)
def _any_positive(x, where):
    """Whether x > 0 anywhere ``where`` is non-zero."""
    for i in range(x.size):
        if where[i] != 0.0 and x[i] > 0.0:
            return True
    return False
