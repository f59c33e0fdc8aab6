"""What a prey population precomputes from a landscape: capacities per season, the diffusion
gains and the exceptional cells of the sweep, birth cells, fence regions for the saiga migration.

Built once per landscape object and parameter set and shared (read-only) by every population on
that landscape (:func:`landscape_tables`): a batch worker that runs many replicates on one
landscape builds them once. Landscapes are immutable (a management change makes a new one), so
the cache never goes stale.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..world.landscape import Landscape, derived_cache

#: A species whose cells with capacity are at most this fraction of the map is swept over those
#: cells only (index lists); denser species over the whole flat grid (shifted slices).
COMPACT_FRACTION = 0.2



def capacity_layers(name: str, sp) -> tuple[str, str]:
    """The landscape's capacity layers [animals/km²] of species ``name`` in winter and summer:
    ``<name>_winter`` and ``<name>_summer`` for a migratory species, else ``<name>`` in both."""
    return (f"{name}_winter", f"{name}_summer") if sp.migratory else (name, name)


#: Tables per landscape object (weakly held: dropped with the landscape) and parameter key.
_TABLES: "weakref.WeakKeyDictionary[Landscape, dict]" = weakref.WeakKeyDictionary()
_TABLES_PER_LANDSCAPE = 2


def landscape_tables(landscape: Landscape, key: tuple, build) -> dict:
    """The tables of ``landscape`` for parameter ``key``, built by ``build()`` on first use.
    At most ``_TABLES_PER_LANDSCAPE`` parameter sets are kept per landscape (oldest dropped)."""
    per = derived_cache(_TABLES, landscape)
    tables = per.get(key)
    if tables is None:
        tables = build()
        freeze(tables)
        if len(per) >= _TABLES_PER_LANDSCAPE:
            per.pop(next(iter(per)))
        per[key] = tables
    return tables


def freeze(obj) -> None:
    """Make every array in a (nested) table read-only: the tables are shared by populations."""
    if isinstance(obj, np.ndarray):
        obj.setflags(write=False)
    elif isinstance(obj, dict):
        for v in obj.values():
            freeze(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            freeze(v)


def build_tables(landscape: Landscape, names: tuple[str, ...], sp: list, diffusion: np.ndarray,
                 water_gain: float, water_radius_km: float, migrant: int) -> dict:
    """Everything :class:`PreyPopulation` precomputes from a landscape (see
    :meth:`PreyPopulation.set_landscape`) for the species ``names`` (parameters ``sp``; the
    migratory species has index ``migrant``); each key becomes the population's ``_<key>``
    attribute (``poach_cache``: per-enforcement poaching tables, filled by the populations)."""
    rows, cols = landscape.shape
    n = rows * cols
    area = landscape.cell_area_km2
    S = len(names)
    needed = list(dict.fromkeys(k for name, p in zip(names, sp) for k in capacity_layers(name, p)))
    missing = [k for k in needed if k not in landscape.capacity]
    if missing:
        raise ValueError(f"landscape {landscape.name!r} has no capacity layer(s) {missing}; "
                         f"required: {needed} (animals/km²)")
    layers = {}
    for k in needed:
        a = np.asarray(landscape.capacity[k], dtype=np.float64)
        if a.shape != (rows, cols):
            raise ValueError(f"capacity layer {k!r} has shape {a.shape}, expected {(rows, cols)}")
        if not np.all(np.isfinite(a)) or (a < 0).any():
            raise ValueError(f"capacity layer {k!r} must be finite and >= 0 animals/km²")
        layers[k] = a
    protection = np.array(landscape.protection, dtype=np.float64)     # a copy: tables are frozen
    if not np.all(np.isfinite(protection)) or (protection < 0).any() or (protection > 1).any():
        raise ValueError("landscape protection layer must lie in 0-1")
    # Ranger patrols (inside or outside reserves) take their own share off poaching: keep x (1 - patrol).
    patrol_keep = 1.0 - np.array(landscape.patrol, dtype=np.float64)
    if not np.all(np.isfinite(patrol_keep)) or (patrol_keep < 0).any() or (patrol_keep > 1).any():
        raise ValueError("landscape patrol layer must lie in 0-1")

    # Capacity per cell [animals] and season; water-dependent species (gazelle) gather at water:
    # capacity x water_gain within water_radius_km of water.
    water = np.asarray(landscape.water, dtype=bool)
    near_water = None
    if water.any() and water_gain != 1.0:
        from scipy.ndimage import distance_transform_edt

        near_water = distance_transform_edt(~water, sampling=landscape.cell_km) <= water_radius_km + 1e-9
    K_seasons = [np.empty((S, rows, cols)), np.empty((S, rows, cols))]
    for s, (name, p) in enumerate(zip(names, sp)):
        for season, layer in enumerate(capacity_layers(name, p)):
            k = layers[layer] * (area * p.capacity_multiplier)
            if p.water_dependent and near_water is not None:
                k = np.where(near_water, k * water_gain, k)
            K_seasons[season][s] = k
    K_flat = [K.reshape(S, -1) for K in K_seasons]

    # Diffusion. A cell j with open neighbours sends d x N_j to them, split by the neighbours'
    # K; so cell i receives K_i x sum over its open neighbours j of a_j, a_j = N_j d / W_j,
    # W_j = sum of K over j's open neighbours. A step computes a = N x g (g = d / W), sums a
    # over the four neighbours, and leaves out the pairs that cross a closed edge or wrap
    # around the map edge (precomputed index lists).
    east_closed, south_closed = landscape.barriers
    open_e = ~np.asarray(east_closed, dtype=bool)    # (rows, cols-1): edge (r,c)-(r,c+1)
    open_s = ~np.asarray(south_closed, dtype=bool)   # (rows-1, cols): edge (r,c)-(r+1,c)
    d = diffusion[:, None, None]
    gains, stays = [], []   # per season: g = d / W, flat (S, rows*cols), 0 where W = 0; 1 - d or 1
    for K in K_seasons:
        W = np.zeros_like(K)
        W[:, :, :-1] += K[:, :, 1:] * open_e
        W[:, :, 1:] += K[:, :, :-1] * open_e
        W[:, :-1, :] += K[:, 1:, :] * open_s
        W[:, 1:, :] += K[:, :-1, :] * open_s
        g = np.divide(np.broadcast_to(d, W.shape), W, out=np.zeros_like(W), where=W > 0)
        stay = np.where(W > 0, 1.0 - d, 1.0)
        gains.append(g.reshape(S, -1))
        stays.append(stay.reshape(S, -1))
    idx = np.arange(n).reshape(rows, cols)
    # East/west shifts by 1 on the flat grid: refuse closed east edges and the wrap from the
    # last column of one row to the first column of the next.
    blocked_e = np.zeros((rows, cols), dtype=bool)
    blocked_e[:, :-1] = ~open_e
    blocked_e[:-1, -1] = True                       # wrap (the very last cell has no successor)
    left = idx[blocked_e]                           # pair (left, left + 1) is refused
    top = idx[:-1, :][~open_s]                      # pair (top, top + cols) is refused

    # Species that live on a small part of the map (urial on the escarpments) are swept over
    # their cells only: index lists of the cells with capacity in either season and of their
    # open neighbours (position m, past the species' m cells, reads zero: no neighbour, or a
    # refused pair).
    ok = np.zeros((4, rows, cols), dtype=bool)      # open edge to the W, E, N, S neighbour
    ok[0, :, 1:] = open_e
    ok[1, :, :-1] = open_e
    ok[2, 1:, :] = open_s
    ok[3, :-1, :] = open_s
    compact = []
    for s in range(S):
        live = np.flatnonzero((K_seasons[0][s] > 0) | (K_seasons[1][s] > 0))
        if live.size > COMPACT_FRACTION * n:
            compact.append(None)
            continue
        m = live.size
        pos = np.full(n + 1, m, dtype=np.intp)      # pos[n]: off the grid
        pos[live] = np.arange(m)
        nb = np.stack([live - 1, live + 1, live - cols, live + cols])
        nb = np.where(ok.reshape(4, -1)[:, live], nb, n)
        outside = np.ones(n)
        outside[live] = 0.0
        compact.append(dict(cells=live, nbr=pos[nb].ravel(), outside=outside,
                            gain=[g[s][live] for g in gains], stay=[st[s][live] for st in stays],
                            K=[K[s][live] for K in K_flat]))

    # Birth pulse: the cells with capacity and their 1/K (no births elsewhere). Births are
    # density-dependent against the larger of the two seasons' K, so saiga that a fence strands
    # on their winter range at calving still calve (against the winter K).
    K_birth = np.maximum(K_seasons[0], K_seasons[1]).reshape(S, -1)
    birth_cells = [np.flatnonzero(K_birth[s] > 0) for s in range(S)]
    birth_inv_K = [1.0 / K_birth[s][cells] for s, cells in enumerate(birth_cells)]

    # Fence regions for migration (regions separated by fences with all gaps closed).
    regions = np.array(landscape.fence_regions, dtype=np.intp).ravel()     # a copy: tables are frozen
    n_reg = int(regions.max()) + 1
    gap_counts = landscape.gap_counts()
    gap_capacity = gap_counts * sp[migrant].migration_gap_throughput
    # Where every fence edge between two regions is open (fence removed), flow is not capped.
    edges_between = np.zeros_like(gap_counts)
    reg2d = landscape.fence_regions
    for fence in landscape.fences:
        for axis, r, c in fence.edges:
            a = reg2d[r, c]
            b = reg2d[r, c + 1] if axis == 0 else reg2d[r + 1, c]
            if a != b:
                edges_between[a, b] += 1
                edges_between[b, a] += 1
    fully_open = (edges_between > 0) & (gap_counts == edges_between)
    gap_capacity = np.where(fully_open, np.inf, gap_capacity)
    reach = (gap_counts > 0) | np.eye(n_reg, dtype=bool)

    t = dict(K=K_seasons, K_flat=K_flat, gain=gains, stay=stays, compact=compact,
             birth_cells=birth_cells, birth_inv_K=birth_inv_K, protection=protection, patrol_keep=patrol_keep,
             regions=regions, n_regions=n_reg, gap_counts=gap_counts, gap_capacity=gap_capacity,
             reach=reach,
             region_K=[np.bincount(regions, weights=K[migrant].ravel(), minlength=n_reg) for K in K_seasons],
             poach_cache={})
    t.update(_diffusion_layout(rows, cols, left, top))
    return t


def _diffusion_layout(rows: int, cols: int, left: np.ndarray, top: np.ndarray) -> dict:
    """The exceptional cells of the whole-grid diffusion sweep (:func:`sim.prey.diffusion.sweep`).

    ``a`` (animals leaving a cell x its gain) lives in ``PreyPopulation._apad`` with one zero row
    before and after the flat grid, so a cell's four neighbours are at fixed offsets with no
    special case at the map's top and bottom. Destinations where some neighbour pair is refused
    (a closed edge, or the west/east wrap between rows) are ``special`` (sorted) and read their
    terms from ``src`` (4, special: west, east, north, south) with the refused ones at a zero of
    the padding (index 0), in the same order of additions ((west + east) + north) + south, so no
    rounding residue crosses a fence.
    """
    n = rows * cols
    # Refused (destination) sets per direction of the inflow.
    w_refused = left + 1            # pair (left, left + 1): no inflow from the west into left + 1
    e_refused = left                # ... and none from the east into left
    n_refused = top + cols          # pair (top, top + cols): none from the north into top + cols
    s_refused = top                 # ... and none from the south into top
    special = np.unique(np.concatenate([w_refused, e_refused, n_refused, s_refused])).astype(np.intp)
    src = np.stack([
        np.where(np.isin(special, w_refused), 0, cols + special - 1),
        np.where(np.isin(special, e_refused), 0, cols + special + 1),
        np.where(np.isin(special, n_refused), 0, special),
        np.where(np.isin(special, s_refused), 0, 2 * cols + special),
    ]).astype(np.intp)
    return dict(n_cells=n, cols=cols, special=special, src=src)
