"""Lines and areas drawn on the grid by scenario levers: the cells of a road, the band of a
corridor, a polygon, and a fence along a line.

Coordinates are km east of the map's west edge (x) and south of its north edge (y); the centre
of cell (row, col) is ((col + 0.5) x cell_km, (row + 0.5) x cell_km). Points of a line are
given by the scenario as named sites or [row, col] cells (:func:`points_km`).
"""

from __future__ import annotations

import math

import numpy as np

from .landscape import EAST, SOUTH, Fence
from .shapes import inside_polygon, nearest_on_polyline, polyline_cells


def points_km(land, points) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) [km] of the cell centres of ``points``: site names of ``land`` or (row, col) cells.
    KeyError naming the site (and listing the sites) for an unknown name; ValueError for a cell
    off the map."""
    xs, ys = [], []
    for p in points:
        if isinstance(p, str):
            if p not in land.sites:
                raise KeyError(f"no site named {p!r}; sites: {', '.join(sorted(land.sites))}")
            r, c = land.sites[p]
        else:
            r, c = int(p[0]), int(p[1])
            if not land.inside(r, c):
                raise ValueError(f"cell [{r}, {c}] lies off the map ({land.rows} rows x {land.cols} cols)")
        xs.append((c + 0.5) * land.cell_km)
        ys.append((r + 0.5) * land.cell_km)
    return np.array(xs), np.array(ys)


def _centres(land) -> tuple[np.ndarray, np.ndarray]:
    rr, cc = np.mgrid[: land.rows, : land.cols]
    return (cc + 0.5) * land.cell_km, (rr + 0.5) * land.cell_km


def line_cells(land, points) -> np.ndarray:
    """Cells (k, 2) of (row, col) a line through ``points`` passes through, in order."""
    xs, ys = points_km(land, points)
    return polyline_cells(xs, ys, land.cell_km, land.rows, land.cols)


def band(land, points, width_km: float) -> np.ndarray:
    """Bool mask: cells whose centre lies within ``width_km`` / 2 of the line through ``points``
    (at least the cells the line passes through, so a band narrower than a cell is not empty)."""
    xs, ys = points_km(land, points)
    x, y = _centres(land)
    dist, _ = nearest_on_polyline(x, y, xs, ys)
    mask = dist <= width_km / 2.0
    rc = polyline_cells(xs, ys, land.cell_km, land.rows, land.cols)
    mask[rc[:, 0], rc[:, 1]] = True
    return mask


def polygon(land, cells) -> np.ndarray:
    """Bool mask: cells whose centre lies inside the polygon with vertices at the centres of ``cells``
    ([row, col]) or on its outline's cells."""
    pts = np.asarray(cells, dtype=float)
    px, py = (pts[:, 1] + 0.5) * land.cell_km, (pts[:, 0] + 0.5) * land.cell_km
    x, y = _centres(land)
    mask = inside_polygon(x, y, px, py)
    ring = np.vstack([pts, pts[:1]]).astype(int)
    rc = polyline_cells((ring[:, 1] + 0.5) * land.cell_km, (ring[:, 0] + 0.5) * land.cell_km, land.cell_km,
                        land.rows, land.cols)
    mask[rc[:, 0], rc[:, 1]] = True
    return mask


def fence_along(land, points, name: str) -> Fence:
    """A closed fence along the line through ``points`` (cell centres, the line drawn on half a
    cell past its first and last point so the end cells are crossed too): the edges of
    :func:`crossed_edges`, ordered along the line (so gaps can be spread evenly). ValueError if
    the line crosses no cell edge (too short, or off the map)."""
    xs, ys = points_km(land, points)
    u, v = xs / land.cell_km, ys / land.cell_km                    # continuous (col, row) [cells]
    for end, nxt in ((0, 1), (-1, -2)):
        du, dv = u[end] - u[nxt], v[end] - v[nxt]
        length = math.hypot(du, dv)
        if length > 0:
            u[end] += 0.5 * du / length
            v[end] += 0.5 * dv / length
    edges = crossed_edges(u, v, land.rows, land.cols)
    if edges.size == 0:
        raise ValueError(f"fence {name!r}: the line through {list(points)} crosses no cell edge of the map")
    return Fence(name, edges, np.zeros(len(edges), dtype=bool), approximate=True)


#: Shift (col, row) [cells] of fence lines before their crossed edges are found (:func:`crossed_edges`).
NUDGE = (3.1e-7, 1.7e-7)


def crossed_edges(col: np.ndarray, row: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Cell edges ``(axis, row, col)`` that a polyline (vertices in continuous cell coordinates,
    see :meth:`Grid.to_cells`) crosses, ordered along it: the SOUTH edge of (r, c) when the line
    crosses the step between the centres of (r, c) and (r+1, c), the EAST edge when it crosses the
    step from (r, c) to (r, c+1). Only edges inside the grid. The line is first moved by
    :data:`NUDGE` (a few 1e-7 of a cell, under a millimetre, different east and south) so that it
    never runs exactly through a cell centre: a line along a row of centres, or a diagonal through
    them, would otherwise leave holes or double edges."""
    col = np.asarray(col, dtype=float) + NUDGE[0]
    row = np.asarray(row, dtype=float) + NUDGE[1]
    out: list[tuple[float, int, int, int]] = []      # (position along the line, axis, row, col)
    for k in range(len(col) - 1):
        u0, v0, u1, v1 = col[k], row[k], col[k + 1], row[k + 1]
        # vertical steps (r, c) -> (r+1, c) lie on u = c + 0.5: crossed where the segment meets that line
        for axis, a0, a1, b0, b1, n_a, n_b in ((SOUTH, u0, u1, v0, v1, cols, rows),
                                               (EAST, v0, v1, u0, u1, rows, cols)):
            if a0 == a1:
                continue
            lo, hi = min(a0, a1), max(a0, a1)
            first, last = math.floor(lo - 0.5) + 1, math.floor(hi - 0.5)   # centre lines m + 0.5 in (lo, hi]
            for m in range(max(first, 0), min(last, n_a - 1) + 1):
                t = (m + 0.5 - a0) / (a1 - a0)
                b = b0 + t * (b1 - b0)
                j = math.floor(b - 0.5)              # the step from centre j to centre j + 1
                if 0 <= j < n_b - 1:
                    out.append((k + t, axis, j, m) if axis == SOUTH else (k + t, axis, m, j))
    out.sort(key=lambda e: e[0])
    edges = np.array([e[1:] for e in out], dtype=np.int64).reshape(-1, 3)
    if len(edges):
        _, first_seen = np.unique(edges, axis=0, return_index=True)
        edges = edges[np.sort(first_seen)]
    return edges


def edges_in(fence: Fence, mask: np.ndarray) -> np.ndarray:
    """Bool per edge of ``fence``: either cell of the edge lies in ``mask``."""
    axis, r, c = fence.edges[:, 0], fence.edges[:, 1], fence.edges[:, 2]
    r2 = np.where(axis == SOUTH, r + 1, r)
    c2 = np.where(axis == EAST, c + 1, c)
    return mask[r, c] | mask[r2, c2]


__all__ = ["points_km", "line_cells", "band", "polygon", "fence_along", "crossed_edges", "edges_in"]
