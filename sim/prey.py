"""Prey populations (saiga, goitered gazelle, urial) as deterministic density fields.

State: ``N``, a float64 array ``(3, rows, cols)`` of animals per cell in the order of
:data:`SPECIES`, plus the saiga adult male fraction (one number for the whole population, because
horn poaching removes males wherever they are and the fecundity collapse acts on the whole herd).

One month (:meth:`PreyPopulation.step`) is, in this order:

1. birth pulse in each species' birth month: theta-logistic recruitment against the local
   capacity ``K_eff = K x capacity_multiplier`` (the year's environmental multiplier), scaled so
   that at low density a year's growth is ``exp(r_max)`` and ``N = K`` is an equilibrium
   (births replace exactly one year's natural deaths); saiga births are multiplied by the
   fecundity factor ``1 - exp(-m / male_fraction_collapse)`` (Milner-Gulland et al. 2003);
2. natural mortality, monthly survival ``s^(1/12)``; saiga males at ``male_extra_mortality`` x the
   female hazard;
3. poaching, annual fraction ``p x (1 - protection x enforcement)`` per cell; saiga poaching is
   male-biased (``male_poaching_share``);
4. movement: habitat-weighted diffusion to the four orthogonal neighbours, refused across closed
   fence edges and the map edge;
5. saiga seasonal migration (spring and autumn migration months) towards the new season's
   capacity layer, across fences only through their gaps, at most ``migration_gap_throughput``
   saiga per open edge (no cap where a fence has been removed, i.e. all its edges are open).
   Births of every species are density-dependent against the larger of the two seasons' K.

There are no random numbers here: year effects and catastrophes are drawn by the model and passed
in (``capacity_multiplier``, :meth:`catastrophe`). Everything that depends on the landscape is
precomputed in :meth:`PreyPopulation.set_landscape`, so a step is a handful of whole-array
operations (survival and poaching on the stacked array; diffusion species by species on the
flattened grid, which keeps the arrays in cache; ~0.4 ms a month on 180 x 200 cells).
"""

from __future__ import annotations

import math

import numpy as np

from .landscape import Landscape
from .params import SPECIES, PreyParams

__all__ = ["SPECIES", "PreyPopulation", "CAPACITY_LAYERS"]

#: Names of the capacity layers (animals/km²) the landscape must provide.
CAPACITY_LAYERS = ("saiga_summer", "saiga_winter", "gazelle", "urial")

SAIGA, GAZELLE, URIAL = 0, 1, 2
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
    """

    def __init__(self, params: PreyParams, landscape: Landscape, *, month: int = 0,
                 water_gain: float = 1.5, water_radius_km: float = 10.0) -> None:
        _check_month(month)
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
        self._diffusion = np.array([p.diffusion_per_month for p in self._sp])

        self.saiga_male_fraction: float = float(saiga.initial_male_fraction)
        self.set_landscape(landscape)

        # Initial animals in proportion to each species' capacity in the starting season.
        K = self._K[self.season(month)]
        self.N = np.zeros_like(K)
        for s, p in enumerate(self._sp):
            total_k = K[s].sum()
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
        """
        if water_gain is not None:
            self.water_gain = float(water_gain)
        if water_radius_km is not None:
            self.water_radius_km = float(water_radius_km)
        self.landscape = landscape
        rows, cols = landscape.shape
        area = landscape.cell_area_km2

        missing = [k for k in CAPACITY_LAYERS if k not in landscape.capacity]
        if missing:
            raise ValueError(f"landscape {landscape.name!r} has no capacity layer(s) {missing}; "
                             f"required: {list(CAPACITY_LAYERS)} (animals/km²)")
        layers = {}
        for k in CAPACITY_LAYERS:
            a = np.asarray(landscape.capacity[k], dtype=np.float64)
            if a.shape != (rows, cols):
                raise ValueError(f"capacity layer {k!r} has shape {a.shape}, expected {(rows, cols)}")
            if not np.all(np.isfinite(a)) or (a < 0).any():
                raise ValueError(f"capacity layer {k!r} must be finite and >= 0 animals/km²")
            layers[k] = a

        # Gazelle gather at water: capacity x water_gain within water_radius_km of water.
        water = np.asarray(landscape.water, dtype=bool)
        gazelle = layers["gazelle"] * (area * self._sp[GAZELLE].capacity_multiplier)
        if water.any() and self.water_gain != 1.0:
            from scipy.ndimage import distance_transform_edt

            dist_km = distance_transform_edt(~water, sampling=landscape.cell_km)
            gazelle = np.where(dist_km <= self.water_radius_km + 1e-9, gazelle * self.water_gain, gazelle)
        urial = layers["urial"] * (area * self._sp[URIAL].capacity_multiplier)
        saiga_mult = area * self._sp[SAIGA].capacity_multiplier
        self._K = [np.stack([layers["saiga_winter"] * saiga_mult, gazelle, urial]),
                   np.stack([layers["saiga_summer"] * saiga_mult, gazelle, urial])]
        for K in self._K:
            K.setflags(write=False)

        # Diffusion. A cell j with open neighbours sends d x N_j to them, split by the neighbours'
        # K; so cell i receives K_i x sum over its open neighbours j of a_j, a_j = N_j d / W_j,
        # W_j = sum of K over j's open neighbours. A step computes a = N x g (g = d / W), sums a
        # over the four shifted neighbours on the flattened grid, and leaves out the few pairs
        # that cross a closed edge or wrap around the map edge (precomputed index lists).
        east_closed, south_closed = landscape.barriers
        open_e = ~np.asarray(east_closed, dtype=bool)    # (rows, cols-1): edge (r,c)-(r,c+1)
        open_s = ~np.asarray(south_closed, dtype=bool)   # (rows-1, cols): edge (r,c)-(r+1,c)
        d = self._diffusion[:, None, None]
        self._gain = []     # per season: g = d / W, flat (3, rows*cols); 0 where W = 0
        self._stay = []     # per season: 1 - d where W > 0, else 1
        for K in self._K:
            W = np.zeros_like(K)
            W[:, :, :-1] += K[:, :, 1:] * open_e
            W[:, :, 1:] += K[:, :, :-1] * open_e
            W[:, :-1, :] += K[:, 1:, :] * open_s
            W[:, 1:, :] += K[:, :-1, :] * open_s
            g = np.divide(np.broadcast_to(d, W.shape), W, out=np.zeros_like(W), where=W > 0)
            stay = np.where(W > 0, 1.0 - d, 1.0)
            self._gain.append(g.reshape(3, -1))
            self._stay.append(stay.reshape(3, -1))
        idx = np.arange(rows * cols).reshape(rows, cols)
        # East/west shifts by 1 on the flat grid: refuse closed east edges and the wrap from the
        # last column of one row to the first column of the next.
        blocked_e = np.zeros((rows, cols), dtype=bool)
        blocked_e[:, :-1] = ~open_e
        blocked_e[:-1, -1] = True                       # wrap (the very last cell has no successor)
        left = idx[blocked_e]                           # pair (left, left + 1) is refused
        top = idx[:-1, :][~open_s]                      # pair (top, top + cols) is refused
        # Refused pairs as (west-to-east destinations, east sources, north sources, south sources).
        self._refused = (left + 1, left + 1, top, top + cols)
        self._a = np.empty(rows * cols)          # scratch buffers (diffusion, births)
        # For the birth pulse: 1/K (0 where K = 0) and a 0/1 mask of cells with capacity.
        # Births are density-dependent against the larger of the two seasons' K, so saiga that a
        # fence strands on their winter range at calving still calve (against the winter K).
        K_birth = np.maximum(self._K[0], self._K[1])
        inv = np.divide(1.0, K_birth, out=np.zeros_like(K_birth), where=K_birth > 0).reshape(3, -1)
        has = (K_birth > 0).astype(np.float64).reshape(3, -1)
        self._inv_K = [inv, inv]
        self._has_K = [has, has]
        self._inflow = np.empty(rows * cols)

        # Poaching depends on protection x enforcement; cached per enforcement value.
        protection = np.asarray(landscape.protection, dtype=np.float64)
        if not np.all(np.isfinite(protection)) or (protection < 0).any() or (protection > 1).any():
            raise ValueError("landscape protection layer must lie in 0-1")
        self._protection = protection
        self._poach_enforcement: float | None = None

        # Fence regions for migration (regions separated by fences with all gaps closed).
        self._regions = np.ascontiguousarray(landscape.fence_regions, dtype=np.intp).ravel()
        n_reg = int(self._regions.max()) + 1
        self._n_regions = n_reg
        self._gap_counts = landscape.gap_counts()
        self._gap_capacity = self._gap_counts * self._sp[SAIGA].migration_gap_throughput
        # Where every fence edge between two regions is open (fence removed), flow is not capped.
        edges_between = np.zeros_like(self._gap_counts)
        reg2d = landscape.fence_regions
        for fence in landscape.fences:
            for axis, r, c in fence.edges:
                a = reg2d[r, c]
                b = reg2d[r, c + 1] if axis == 0 else reg2d[r + 1, c]
                if a != b:
                    edges_between[a, b] += 1
                    edges_between[b, a] += 1
        fully_open = (edges_between > 0) & (self._gap_counts == edges_between)
        self._gap_capacity = np.where(fully_open, np.inf, self._gap_capacity)
        reach = (self._gap_counts > 0) | np.eye(n_reg, dtype=bool)
        self._reach = reach
        self._region_K = [np.bincount(self._regions, weights=K[SAIGA].ravel(), minlength=n_reg)
                          for K in self._K]
        # Few regions (the usual case): region sums as a matrix-vector product (faster than
        # bincount); many regions: bincount.
        self._region_onehot = ((self._regions[None, :] == np.arange(n_reg)[:, None]).astype(np.float64)
                               if n_reg <= 8 else None)

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
        """Capacity K in animals per cell, shape (3, rows, cols), for the season of ``month``
        (before the year's environmental multiplier). Read-only."""
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

        # 1. Birth pulse.
        for s, p in enumerate(self._sp):
            if p.birth_month == month:
                self._births(s, season, capacity_multiplier)

        # 2-3. Natural mortality then poaching, applied as one multiplication per cell.
        keep, poached_frac = self._poaching_survival(enforcement)
        saiga = N[SAIGA]
        total = float(saiga.sum())
        sp = self.params.saiga
        s_f = self._monthly_survival[SAIGA]
        s_m = s_f ** sp.male_extra_mortality                # exp(-k h) with h = -ln(s)/12
        m = self.saiga_male_fraction
        s_tot = (1.0 - m) * s_f + m * s_m
        if total > 0 and s_tot > 0:
            m = m * s_m / s_tot
            poached = s_tot * float(np.vdot(saiga, poached_frac[SAIGA]))
            after_mortality = total * s_tot
            males = m * after_mortality
            male_poached = min(sp.male_poaching_share * poached, males)
            remaining = after_mortality - poached
            self.saiga_male_fraction = (males - male_poached) / remaining if remaining > 0 else m
        N *= keep
        saiga *= s_tot

        # 4. Habitat-weighted diffusion (mass conserving; refused across closed edges).
        self._diffuse(season)

        # 5. Saiga seasonal migration.
        if month in (sp.spring_migration_month, sp.autumn_migration_month):
            self._migrate(season)

    def _diffuse(self, season: int) -> None:
        """Move a fraction ``diffusion_per_month`` of each cell's animals to its open orthogonal
        neighbours in proportion to their K (see :meth:`set_landscape`). Works species by species
        on the flattened grid so the arrays stay in cache."""
        rows, cols = self.landscape.shape
        flat = self.N.reshape(3, -1)
        K = self._K[season].reshape(3, -1)
        gain, stay = self._gain[season], self._stay[season]
        a, inflow = self._a, self._inflow
        left_dst, right, top, bottom = self._refused
        for s in range(3):
            if self._diffusion[s] == 0.0:
                continue
            x = flat[s]
            np.multiply(x, gain[s], out=a)
            # Each shift adds a neighbour's a; refused pairs are excluded exactly (no float
            # residue leaks across a closed fence): the first shift zeroes the refused
            # destinations, the others temporarily zero the refused sources.
            inflow[0] = 0.0
            inflow[1:] = a[:-1]                                  # from the western neighbour
            inflow[left_dst] = 0.0
            saved = a[right]
            a[right] = 0.0
            np.add(inflow[:-1], a[1:], out=inflow[:-1])          # from the eastern neighbour
            a[right] = saved
            saved = a[top]
            a[top] = 0.0
            np.add(inflow[cols:], a[:-cols], out=inflow[cols:])  # from the northern neighbour
            a[top] = saved
            a[bottom] = 0.0                                      # a is not used after this
            np.add(inflow[:-cols], a[cols:], out=inflow[:-cols])  # from the southern neighbour
            np.multiply(inflow, K[s], out=inflow)
            np.multiply(x, stay[s], out=x)
            np.add(x, inflow, out=x)

    def _births(self, s: int, season: int, capacity_multiplier: float) -> None:
        """Theta-logistic birth pulse of species ``s`` against K_eff = K x capacity_multiplier.

        births = N x max(0, exp(r_max (1 - (N/K_eff)^theta)) / s - 1): a year of natural
        survival s after the pulse then gives growth exp(r_max) at low density and N = K as
        equilibrium. No births where K_eff = 0.
        """
        if capacity_multiplier <= 0.0:
            return
        p = self._sp[s]
        N = self.N[s].reshape(-1)
        x = self._a                                         # scratch, animals per animal
        np.multiply(N, self._inv_K[season][s], out=x)       # N / K (0 where K = 0)
        if capacity_multiplier != 1.0:
            x *= 1.0 / capacity_multiplier
        if p.theta != 1.0:
            with np.errstate(over="ignore"):
                np.power(x, p.theta, out=x)
            np.minimum(x, 1e6, out=x)                       # exp(r (1 - 1e6)) is 0 anyway
        np.subtract(1.0, x, out=x)
        x *= p.r_max
        np.exp(x, out=x)
        x *= 1.0 / p.annual_survival
        x -= 1.0
        np.maximum(x, 0.0, out=x)
        x *= self._has_K[season][s]                         # no births where K = 0
        x *= N                                              # births per cell
        if s == SAIGA:
            m = self.saiga_male_fraction
            x *= 1.0 - math.exp(-m / p.male_fraction_collapse)
            total = float(N.sum())
            born = float(x.sum())
            if total + born > 0:
                self.saiga_male_fraction = (m * total + 0.5 * born) / (total + born)
        N += x

    def _poaching_survival(self, enforcement: float) -> tuple[np.ndarray, np.ndarray]:
        """Per-cell monthly keep fraction (natural survival x not poached; saiga: poaching only)
        and the saiga poached fraction, cached for the last enforcement value."""
        if self._poach_enforcement != enforcement:
            p_eff = self._poaching[:, None, None] * (1.0 - self._protection * enforcement)[None]
            not_poached = (1.0 - p_eff) ** (1.0 / 12.0)
            keep = not_poached.copy()
            keep[1:] *= self._monthly_survival[1:, None, None]
            self._poach_cache = (keep, 1.0 - not_poached)
            self._poach_enforcement = enforcement
        return self._poach_cache

    def _migrate(self, season: int) -> None:
        """Move saiga towards the new season's capacity, across fences only through gaps.

        Region totals N_r; desired flow r -> q (q != r, G[r, q] > 0) is
        N_r x Kt_q / sum of Kt over r and the regions reachable from it; actual flow is
        min(desired, G[r, q] x throughput). Then each region's saiga are spread in proportion to
        the new season's K (old pattern kept where the region has no K).
        """
        saiga = self.N[SAIGA]
        flat = saiga.ravel()
        n = self._n_regions
        onehot = self._region_onehot
        N_r = onehot @ flat if onehot is not None else np.bincount(self._regions, weights=flat, minlength=n)
        Kt = self._region_K[season]
        if n > 1:
            reach_K = self._reach * Kt[None, :]
            denom = reach_K.sum(axis=1)
            share = np.divide(reach_K, denom[:, None], out=np.zeros_like(reach_K), where=denom[:, None] > 0)
            np.fill_diagonal(share, 0.0)
            flow = np.minimum(N_r[:, None] * share, self._gap_capacity)
            N_new = N_r - flow.sum(axis=1) + flow.sum(axis=0)
            np.maximum(N_new, 0.0, out=N_new)
        else:
            N_new = N_r
        to_k = np.divide(N_new, Kt, out=np.zeros(n), where=Kt > 0)
        keep_old = np.divide(N_new, N_r, out=np.zeros(n), where=(Kt <= 0) & (N_r > 0))
        K = self._K[season][SAIGA].ravel()
        regions = self._regions
        if n == 1:
            if Kt[0] > 0:
                np.multiply(K, to_k[0], out=flat)
            else:
                flat *= keep_old[0]
            return
        new = to_k[regions] * K
        if (Kt <= 0).any():
            new += keep_old[regions] * flat
        flat[:] = new

    # ------------------------------------------------------------------ external events
    def catastrophe(self, species: str, fraction: float) -> float:
        """Kill ``fraction`` (0-1) of ``species`` everywhere (harsh winter, die-off); returns the
        number of animals killed. The saiga male fraction is unchanged."""
        s = _species_index(species)
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"catastrophe fraction must lie in 0-1 (got {fraction})")
        killed = float(self.N[s].sum()) * fraction
        self.N[s] *= 1.0 - fraction
        return killed

    def remove_kills(self, r0: int, r1: int, c0: int, c1: int, kills: np.ndarray) -> np.ndarray:
        """Remove ``kills[s]`` animals of each species from the box rows r0:r1, cols c0:c1.

        Every cell of the box loses the same fraction of its animals (kills proportional to
        density), never more than the box holds. Returns the animals actually removed, shape (3,).
        Saiga kills take males in proportion, so the male fraction is unchanged.
        """
        r0, c0 = max(r0, 0), max(c0, 0)
        box = self.N[:, r0:r1, c0:c1]
        present = box.sum(axis=(1, 2))
        removed = np.minimum(np.maximum(np.asarray(kills, dtype=np.float64), 0.0), present)
        frac = np.divide(removed, present, out=np.zeros(3), where=present > 0)
        box *= (1.0 - frac)[:, None, None]
        return removed

    def add(self, species: str, r: int, c: int, number: float) -> None:
        """Translocate ``number`` animals of ``species`` into cell (r, c). Translocated saiga are
        assumed to have the population's male fraction (unchanged)."""
        s = _species_index(species)
        if not (number >= 0 and math.isfinite(number)):
            raise ValueError(f"translocated number must be a finite number >= 0 (got {number})")
        rows, cols = self.N.shape[1:]
        if not (0 <= r < rows and 0 <= c < cols):
            raise ValueError(f"translocation cell ({r}, {c}) lies outside the {rows} x {cols} grid")
        self.N[s, r, c] += number


def _species_index(species: str) -> int:
    try:
        return SPECIES.index(species)
    except ValueError:
        raise ValueError(f"unknown prey species {species!r}; allowed: {list(SPECIES)}") from None


def _check_month(month: int) -> None:
    if not 0 <= month <= 11:
        raise ValueError(f"month must be 0-11 (0 = January), got {month}")
