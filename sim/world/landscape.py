"""The landscape: numpy layers on a raster grid, fences as impassable cell edges.

Grid convention: ``layer[row, col]``, row 0 at the north edge, col 0 at the west edge; cells are
``cell_km`` on a side. Every layer is a numpy array of shape ``(rows, cols)``.

Barriers are stored on cell *edges*, so a move between two neighbouring cells is refused in O(1):

* ``barrier_east[r, c]`` (shape ``(rows, cols-1)``): the edge between ``(r, c)`` and ``(r, c+1)``;
* ``barrier_south[r, c]`` (shape ``(rows-1, cols)``): the edge between ``(r, c)`` and ``(r+1, c)``.

They are the union of the closed edges of all :class:`Fence` lines. A fence keeps its edges in
order along the line, with a ``gaps`` flag per edge, so management can open gaps evenly or
remove the fence. A diagonal step is allowed when either of its two L-shaped orthogonal paths is
free.

Prey capacity (``capacity``, animals/km² at K) has one layer per key of :data:`CAPACITY_KEYS`;
``hare`` (small prey, tolai hare) is zeros when a builder gives none. Competitors
(``competitors``, animals/km²) have one layer per kind of :data:`COMPETITOR_KINDS`, every kind
always present (zeros where a kind is absent).

The landscape is built once per worker (:func:`sim.world.build.build_landscape`, cached) and shared
read-only by replicates; management changes make per-replicate copies (:meth:`Landscape.replace`).
"""

from __future__ import annotations

import dataclasses
import functools
import weakref
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

EAST, SOUTH = 0, 1

#: Kinds of large carnivores that compete with cheetahs and kill their cubs: the keys of
#: :attr:`Landscape.competitors` (each a layer of animals/km²; zeros where the kind is absent).
COMPETITOR_KINDS: tuple[str, ...] = ("lion", "wolf", "leopard")

#: Keys of :attr:`Landscape.capacity` (animals/km² at carrying capacity K): saiga in summer and in
#: winter, goitered gazelle, urial, and small prey (tolai hare; zeros when a builder gives none).
CAPACITY_KEYS: tuple[str, ...] = ("saiga_summer", "saiga_winter", "gazelle", "urial", "hare")


@dataclass(frozen=True, eq=False)
class Fence:
    """An impassable line of cell edges with optional gaps (crossings).

    ``edges``: int array ``(n, 3)`` of ``(axis, row, col)`` ordered along the line, where axis
    ``EAST`` (0) means the edge east of ``(row, col)`` and ``SOUTH`` (1) the edge south of it.
    ``gaps``: bool array ``(n,)``, True where the edge is open.
    """

    name: str
    edges: np.ndarray
    gaps: np.ndarray
    approximate: bool = True

    @property
    def n_gaps(self) -> int:
        """Number of open edges."""
        return int(self.gaps.sum())

    def with_more_gaps(self, add: int) -> "Fence":
        """Open ``add`` more gaps, spread evenly along the still-closed edges."""
        closed = np.flatnonzero(~self.gaps)
        if closed.size == 0 or add <= 0:
            return self
        pick = closed[np.unique(np.linspace(0, closed.size - 1, min(add, closed.size)).round().astype(int))]
        gaps = self.gaps.copy()
        gaps[pick] = True
        return dataclasses.replace(self, gaps=gaps)

    def removed(self) -> "Fence":
        """The fence taken down: every edge open (kept, so its line can still be drawn)."""
        return dataclasses.replace(self, gaps=np.ones_like(self.gaps))


@dataclass(frozen=True, eq=False)
class Feature:
    """A labelled feature for the map (site, reserve, road, well, fence ...)."""

    name: str
    kind: str
    cells: np.ndarray           # int (k, 2) of (row, col)
    approximate: bool = True


@dataclass(frozen=True, eq=False)
class Landscape:
    """Raster layers of the study area (see module docstring for conventions)."""

    name: str
    cell_km: float
    habitat: np.ndarray          # float 0-1: cheetah habitat suitability
    escarpment: np.ndarray       # bool: chinks (cliffs), urial habitat
    water: np.ndarray            # bool: natural and artificial water points
    protection: np.ndarray       # float 0-1: protected-area strength (1 = strict reserve)
    human: np.ndarray            # float 0-1: herder/livestock pressure
    road: np.ndarray             # bool: highway and railway cells
    competitors: Mapping[str, np.ndarray]  # kind (COMPETITOR_KINDS) -> float animals/km²; all kinds present
    capacity: Mapping[str, np.ndarray]   # animals/km² at K: CAPACITY_KEYS (saiga_summer ... hare)
    fences: tuple[Fence, ...] = ()
    sites: Mapping[str, tuple[int, int]] = field(default_factory=dict)     # release sites (row, col)
    protected_areas: Mapping[str, np.ndarray] = field(default_factory=dict)  # name -> bool mask
    features: tuple[Feature, ...] = ()
    open_boundary: bool = False  # True: walking off the map edge is emigration; False: edge refuses
    bounds: tuple[float, float, float, float] | None = None   # WGS84 (west, south, east, north) degrees
    crs: str | None = None
    #: Affine transform of the grid in ``crs``, GDAL order (x of the west edge, cell width, 0,
    #: y of the north edge, 0, -cell height) [CRS units: metres for gis, degrees for ustyurt, whose
    #: stylised map is drawn on a plate carrée]; None for the uniform preset. Lets outputs be
    #: written as GeoTIFF and levers take map coordinates ({lon, lat}).
    transform: tuple[float, float, float, float, float, float] | None = None
    #: Named lines for management levers (``along: <name>``): name -> parts, each (k, 2) continuous
    #: (col, row) vertices [cells] (cell (r, c) spans c ≤ col < c + 1, r ≤ row < r + 1).
    lines: Mapping[str, tuple[np.ndarray, ...]] = field(default_factory=dict)
    notes: str = ""
    #: float 0-1: ranger patrol strength, inside or outside protected areas (poaching and
    #: persecution x (1 - patrol)); zeros when not given.
    patrol: np.ndarray | None = None
    #: float >= 0: road-crossing risk of each road cell relative to an unmitigated road (1; crossing
    #: structures and speed limits lower it); 0 off roads. ``road`` as 0/1 when not given.
    road_risk: np.ndarray | None = None

    def __post_init__(self) -> None:
        """Complete and check the per-kind layers: every competitor kind present (missing kinds
        as zeros), no unknown kind, ``capacity['hare']`` zeros when not given, every competitor
        and capacity layer of the grid's shape. Raises TypeError/ValueError naming the landscape."""
        shape = np.shape(self.habitat)
        given = self.competitors
        if not isinstance(given, Mapping):
            raise TypeError(
                f"landscape {self.name!r}: competitors must be a mapping of kind to layer [animals/km²] "
                f"with kinds {', '.join(COMPETITOR_KINDS)} (missing kinds are zeros); got "
                f"{type(given).__name__}{f' of shape {np.shape(given)}' if hasattr(given, 'shape') else ''}. "
                "Write competitors={} for none, or e.g. competitors={'wolf': layer}")
        unknown = sorted(set(given) - set(COMPETITOR_KINDS))
        if unknown:
            raise ValueError(f"landscape {self.name!r}: unknown competitor kind(s) {', '.join(map(repr, unknown))}; "
                             f"kinds: {', '.join(COMPETITOR_KINDS)}")
        competitors = {k: (np.asarray(given[k], dtype=np.float64) if k in given else np.zeros(shape))
                       for k in COMPETITOR_KINDS}
        capacity = self.capacity
        if "hare" not in capacity:
            capacity = {**capacity, "hare": np.zeros(shape)}
        for what, layers in (("competitors", competitors), ("capacity", capacity)):
            for k, a in layers.items():
                if np.shape(a) != shape:
                    raise ValueError(f"landscape {self.name!r}: {what}[{k!r}] has shape {np.shape(a)}, "
                                     f"the grid {shape} (rows, cols)")
        object.__setattr__(self, "competitors", competitors)
        object.__setattr__(self, "capacity", capacity)
        patrol = np.zeros(shape) if self.patrol is None else np.asarray(self.patrol, dtype=np.float64)
        risk = (np.asarray(self.road, dtype=np.float64) if self.road_risk is None
                else np.asarray(self.road_risk, dtype=np.float64))
        for what, a in (("patrol", patrol), ("road_risk", risk)):
            if np.shape(a) != shape:
                raise ValueError(f"landscape {self.name!r}: {what} has shape {np.shape(a)}, the grid {shape} (rows, cols)")
        object.__setattr__(self, "patrol", patrol)
        object.__setattr__(self, "road_risk", risk)

    # ---------------------------------------------------------------- geometry
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of every layer."""
        return self.habitat.shape  # type: ignore[return-value]

    @property
    def rows(self) -> int:
        """Number of cell rows (north to south)."""
        return self.habitat.shape[0]

    @property
    def cols(self) -> int:
        """Number of cell columns (west to east)."""
        return self.habitat.shape[1]

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell [km²]."""
        return self.cell_km * self.cell_km

    @property
    def area_km2(self) -> float:
        """Area of the whole grid [km²]."""
        return self.rows * self.cols * self.cell_area_km2

    def replace(self, **changes) -> "Landscape":
        """A copy with some layers replaced (others shared, read-only). A new ``road`` layer
        without a ``road_risk`` gets the unmitigated risk (1 on every road cell)."""
        if "road" in changes and "road_risk" not in changes:
            changes["road_risk"] = None
        out = dataclasses.replace(self, **changes)
        if "fences" in changes:
            out.__dict__.pop("barriers", None)
            out.__dict__.pop("near_fence", None)
        return out

    # ---------------------------------------------------------------- barriers
    @functools.cached_property
    def barriers(self) -> tuple[np.ndarray, np.ndarray]:
        """(barrier_east, barrier_south): closed fence edges as boolean arrays."""
        east = np.zeros((self.rows, max(self.cols - 1, 0)), dtype=bool)
        south = np.zeros((max(self.rows - 1, 0), self.cols), dtype=bool)
        for fence in self.fences:
            closed = fence.edges[~fence.gaps]
            e = closed[closed[:, 0] == EAST]
            s = closed[closed[:, 0] == SOUTH]
            east[e[:, 1], e[:, 2]] = True
            south[s[:, 1], s[:, 2]] = True
        return east, south

    @property
    def barrier_east(self) -> np.ndarray:
        """Bool ``(rows, cols-1)``: the edge east of ``(r, c)`` is closed."""
        return self.barriers[0]

    @property
    def barrier_south(self) -> np.ndarray:
        """Bool ``(rows-1, cols)``: the edge south of ``(r, c)`` is closed."""
        return self.barriers[1]

    @functools.cached_property
    def near_fence(self) -> np.ndarray:
        """Bool layer: cells within 12 cells of any fence edge (where a jump must be path-checked)."""
        from scipy.ndimage import binary_dilation

        mark = np.zeros(self.shape, dtype=bool)
        for fence in self.fences:
            mark[fence.edges[:, 1], fence.edges[:, 2]] = True
        if not mark.any():
            return mark
        return binary_dilation(mark, iterations=12)

    def step_blocked(self, r: int, c: int, dr: int, dc: int) -> bool:
        """Whether the unit step (dr, dc in -1..1) from (r, c) crosses a closed edge.

        The map edge is not checked here (see :meth:`inside`).
        """
        east, south = self.barriers

        def h(rr: int, cc: int, d: int) -> bool:      # horizontal move from (rr, cc) by d
            return bool(east[rr, cc if d > 0 else cc - 1])

        def v(rr: int, cc: int, d: int) -> bool:      # vertical move from (rr, cc) by d
            return bool(south[rr if d > 0 else rr - 1, cc])

        if dr == 0 and dc == 0:
            return False
        if dr == 0:
            return h(r, c, dc)
        if dc == 0:
            return v(r, c, dr)
        path1 = h(r, c, dc) or v(r, c + dc, dr)      # east/west first, then north/south
        path2 = v(r, c, dr) or h(r + dr, c, dc)      # north/south first
        return path1 and path2

    def inside(self, r: int, c: int) -> bool:
        """Whether cell (r, c) lies on the grid."""
        return 0 <= r < self.rows and 0 <= c < self.cols

    def walk_line(self, r0: int, c0: int, r1: int, c1: int) -> tuple[int, int, list[tuple[int, int]]]:
        """Walk the straight line from (r0, c0) towards (r1, c1) cell by cell.

        Stops before the first closed edge or the map edge. Returns the last reached cell and the
        list of cells visited (start excluded), so callers can count road crossings.
        """
        n = max(abs(r1 - r0), abs(c1 - c0))
        r, c = r0, c0
        visited: list[tuple[int, int]] = []
        for i in range(1, n + 1):
            nr = r0 + round((r1 - r0) * i / n)
            nc = c0 + round((c1 - c0) * i / n)
            if not self.inside(nr, nc) or self.step_blocked(r, c, nr - r, nc - c):
                break
            r, c = nr, nc
            visited.append((r, c))
        return r, c, visited

    # ---------------------------------------------------------------- fence regions
    @functools.cached_property
    def fence_regions(self) -> np.ndarray:
        """Int layer labelling the areas that fences separate when all their gaps are closed."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        rows, cols = self.shape
        full_e = np.zeros((rows, max(cols - 1, 0)), dtype=bool)
        full_s = np.zeros((max(rows - 1, 0), cols), dtype=bool)
        for fence in self.fences:
            e = fence.edges[fence.edges[:, 0] == EAST]
            s = fence.edges[fence.edges[:, 0] == SOUTH]
            full_e[e[:, 1], e[:, 2]] = True
            full_s[s[:, 1], s[:, 2]] = True
        idx = np.arange(rows * cols).reshape(rows, cols)
        a = np.concatenate([idx[:, :-1][~full_e], idx[:-1, :][~full_s]])
        b = np.concatenate([idx[:, 1:][~full_e], idx[1:, :][~full_s]])
        g = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(rows * cols, rows * cols))
        _, labels = connected_components(g, directed=False)
        return labels.reshape(rows, cols).astype(np.int32)

    def gap_counts(self) -> np.ndarray:
        """Square int matrix: open fence edges between each pair of fence regions."""
        reg = self.fence_regions
        n = int(reg.max()) + 1
        out = np.zeros((n, n), dtype=np.int64)
        for fence in self.fences:
            for axis, r, c in fence.edges[fence.gaps]:
                a = reg[r, c]
                b = reg[r, c + 1] if axis == EAST else reg[r + 1, c]
                if a != b:
                    out[a, b] += 1
                    out[b, a] += 1
        return out

    # ---------------------------------------------------------------- helpers
    def cells_within(self, r: int, c: int, radius_km: float) -> np.ndarray:
        """Bool mask of cells whose centres lie within radius_km of cell (r, c)."""
        rr, cc = np.ogrid[: self.rows, : self.cols]
        return ((rr - r) ** 2 + (cc - c) ** 2) * self.cell_area_km2 <= radius_km ** 2

    def fence(self, name: str) -> Fence:
        """The fence called ``name`` (KeyError listing the fences if there is none)."""
        for f in self.fences:
            if f.name == name:
                return f
        raise KeyError(f"no fence named {name!r}; fences: {[f.name for f in self.fences]}")


def derived_cache(store: "weakref.WeakKeyDictionary", land) -> dict:
    """The dict in ``store`` of things derived from the landscape ``land`` (prey tables, walk
    geometry, the prey grid), dropped with the landscape. Landscapes are immutable (management
    makes new ones), so such caches never go stale. A fresh, uncached dict when ``land`` cannot be
    weakly referenced."""
    try:
        return store.setdefault(land, {})
    except TypeError:
        return {}
