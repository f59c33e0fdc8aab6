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


def _side(x, y, xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """For points (x, y) [km]: the side of the polyline (xs, ys) they lie on (+1 left or on it,
    -1 right, seen along the line on the map) and whether their nearest point of the line is inside its span (not an
    end point)."""
    best = np.full(x.shape, np.inf)
    side = np.zeros(x.shape)
    interior = np.zeros(x.shape, dtype=bool)
    last = len(xs) - 2
    for i in range(len(xs) - 1):
        ax, ay, bx, by = xs[i], ys[i], xs[i + 1], ys[i + 1]
        dx, dy = bx - ax, by - ay
        t = ((x - ax) * dx + (y - ay) * dy) / max(dx * dx + dy * dy, 1e-12)
        tc = np.clip(t, 0.0, 1.0)
        d = np.hypot(x - (ax + tc * dx), y - (ay + tc * dy))
        closer = d < best
        best = np.where(closer, d, best)
        side = np.where(closer, np.sign(dx * (y - ay) - dy * (x - ax)), side)
        inner = ((t >= 0.0) | (i > 0)) & ((t <= 1.0) | (i < last))
        interior = np.where(closer, inner, interior)
    return np.where(side == 0, 1.0, side), interior        # cells on the line count as left of it


def fence_along(land, points, name: str) -> Fence:
    """A closed fence along the line through ``points``: every edge between two neighbouring
    cells that lie on opposite sides of the line, within one cell of it and beside its span,
    ordered along the line (so gaps can be spread evenly). ValueError if the line crosses no
    cell edge (too short, or off the map)."""
    xs, ys = points_km(land, points)
    x, y = _centres(land)
    side, interior = _side(x, y, xs, ys)
    dist, arc = nearest_on_polyline(x, y, xs, ys)
    near = (dist <= land.cell_km * math.sqrt(2)) & interior
    er, ec = np.nonzero(near[:, :-1] & near[:, 1:] & (side[:, :-1] * side[:, 1:] < 0))
    sr, sc = np.nonzero(near[:-1, :] & near[1:, :] & (side[:-1, :] * side[1:, :] < 0))
    edges = np.concatenate([np.column_stack([np.full(er.size, EAST), er, ec]),
                            np.column_stack([np.full(sr.size, SOUTH), sr, sc])]).astype(np.int64)
    if edges.size == 0:
        raise ValueError(f"fence {name!r}: the line through {list(points)} crosses no cell edge of the map")
    mid_arc = np.concatenate([(arc[er, ec] + arc[er, ec + 1]) / 2, (arc[sr, sc] + arc[sr + 1, sc]) / 2])
    edges = edges[np.argsort(mid_arc, kind="stable")]
    return Fence(name, edges, np.zeros(len(edges), dtype=bool), approximate=True)


def edges_in(fence: Fence, mask: np.ndarray) -> np.ndarray:
    """Bool per edge of ``fence``: either cell of the edge lies in ``mask``."""
    axis, r, c = fence.edges[:, 0], fence.edges[:, 1], fence.edges[:, 2]
    r2 = np.where(axis == SOUTH, r + 1, r)
    c2 = np.where(axis == EAST, c + 1, c)
    return mask[r, c] | mask[r2, c2]


__all__ = ["points_km", "line_cells", "band", "polygon", "fence_along", "edges_in"]
