"""The walk engine: monthly movement of non-resident cheetahs as straight jumps on the grid.

Each month a walker makes ``walk_substeps`` jumps. A jump goes ``step_cells`` cells in one of the
eight compass headings chosen by the movement rule (:mod:`sim.rules`). The path is checked cell
by cell, but only for jumps that start near a fence or a road (precomputed masks), so most jumps
cost nothing beyond the rule's choice:

* a closed fence edge stops the jump before it (a diagonal unit step passes if either L-shaped
  orthogonal path is open, as :meth:`sim.landscape.Landscape.step_blocked`);
* the map edge stops the jump, or, on an open-boundary map, the walker emigrates;
* entering a road cell counts one road crossing (the model turns crossings into a mortality risk).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import binary_dilation

from ..world.landscape import derived_cache
from ..registry import DIRECTIONS


@dataclass
class WalkGeometry:
    """Per-landscape precomputation for the walk (built once per landscape and max jump length).

    :meth:`build` caches the geometry per landscape object (weakly: dropped with the landscape),
    so the replicates a worker runs on one landscape share it (``check`` is read-only; the
    others are the landscape's own layers).
    Landscapes are immutable (management makes a new one), so the cache never goes stale.
    """

    check: np.ndarray      # bool (rows, cols): a jump from here may meet a fence or road
    east: np.ndarray
    south: np.ndarray
    road: np.ndarray

    @classmethod
    def build(cls, land, max_step_cells: int) -> "WalkGeometry":
        key = max(int(max_step_cells) + 1, 1)
        per = derived_cache(_GEOMETRY, land)
        geo = per.get(key)
        if geo is None:
            east, south = land.barriers
            mark = np.zeros(land.shape, dtype=bool)
            for fence in land.fences:
                mark[fence.edges[:, 1], fence.edges[:, 2]] = True
            mark |= land.road
            check = binary_dilation(mark, iterations=key) if mark.any() else mark
            geo = cls(check=check, east=east, south=south, road=land.road)
            check.setflags(write=False)
            if len(per) >= 4:
                per.pop(next(iter(per)))
            per[key] = geo
        return geo


#: WalkGeometry per landscape object and dilation (max jump + 1 cells).
_GEOMETRY: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _blocked(east, south, r, c, dr, dc) -> bool:
    """Unit step (dr, dc) from (r, c) crosses a closed edge (both cells inside the map)."""
    if dr == 0:
        return bool(east[r, c if dc > 0 else c - 1])
    if dc == 0:
        return bool(south[r if dr > 0 else r - 1, c])
    p1 = east[r, c if dc > 0 else c - 1] or south[r if dr > 0 else r - 1, c + dc]
    p2 = south[r if dr > 0 else r - 1, c] or east[r + dr, c if dc > 0 else c - 1]
    return bool(p1 and p2)


def walk_path(geo: WalkGeometry, rows: int, cols: int, r: int, c: int, dr: int, dc: int, n: int,
              open_boundary: bool) -> tuple[int, int, int, bool]:
    """Follow a jump of n unit steps; returns (row, col, road crossings, emigrated)."""
    crossings = 0
    for _ in range(n):
        nr, nc = r + dr, c + dc
        if not (0 <= nr < rows and 0 <= nc < cols):
            return r, c, crossings, open_boundary
        if _blocked(geo.east, geo.south, r, c, dr, dc):
            break
        if geo.road[nr, nc] and not geo.road[r, c]:
            crossings += 1
        r, c = nr, nc
    return r, c, crossings, False


def walk(model, rows: np.ndarray, cols: np.ndarray, headings: np.ndarray, step_cells: np.ndarray,
         substeps: int, rule, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Move walkers for one month.

    Returns new (rows, cols, headings, road_crossings, emigrated) arrays. Walkers that emigrate
    stop where they left the map.
    """
    land = model.landscape
    geo = model.walk_geometry
    R, C = land.rows, land.cols
    rows = rows.astype(np.int64).copy()
    cols = cols.astype(np.int64).copy()
    headings = headings.astype(np.int64).copy()
    crossings = np.zeros(len(rows), dtype=np.int64)
    gone = np.zeros(len(rows), dtype=bool)
    for _ in range(substeps):
        live = ~gone
        if not live.any():
            break
        d = np.asarray(rule(model, rows, cols, headings, step_cells, rng), dtype=np.int64)
        headings = np.where(live, d, headings)
        dr, dc = DIRECTIONS[d, 0], DIRECTIONS[d, 1]
        tr, tc = rows + dr * step_cells, cols + dc * step_cells
        inside = (tr >= 0) & (tr < R) & (tc >= 0) & (tc < C)
        slow = live & (geo.check[rows, cols] | ~inside)
        fast = live & ~slow
        rows[fast], cols[fast] = tr[fast], tc[fast]
        for i in np.flatnonzero(slow):
            r, c, x, em = walk_path(geo, R, C, int(rows[i]), int(cols[i]), int(dr[i]), int(dc[i]),
                                    int(step_cells[i]), land.open_boundary)
            rows[i], cols[i] = r, c
            crossings[i] += x
            gone[i] = em
    return rows, cols, headings, crossings, gone
