"""Lines and areas drawn on the grid by scenario levers: the cells of a road, the band of a
corridor, a polygon, and a fence along a line.

A line is a list of parts, each a (k, 2) array of continuous (col, row) vertices [cells]: cell
(r, c) spans c ≤ col < c + 1 and r ≤ row < r + 1, so its centre is (c + 0.5, r + 0.5). A
scenario gives a line either through points (:func:`points_cells`: named sites, [row, col] cells,
or map coordinates {lon, lat} / {x, y} on a georeferenced landscape) or ``along`` a named line of
the landscape (``landscape.gis.vectors.lines``); :func:`line_of` turns either into parts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .landscape import EAST, SOUTH, Fence
from .shapes import inside_polygon, nearest_on_polyline, polyline_cells


def _map_point(land, p) -> tuple[float, float]:
    """Continuous (col, row) of a map point ({lon, lat} or {x, y} in the landscape's CRS)."""
    if land.transform is None or land.crs is None:
        raise ValueError(f"map coordinates need a georeferenced landscape; the {land.name} landscape "
                         "has none: give site names or [row, col] cells")
    if p.lon is not None:
        x, y = float(p.lon), float(p.lat)
        if str(land.crs).upper() not in ("EPSG:4326", "WGS84", "OGC:CRS84"):
            from rasterio.warp import transform

            xs, ys = transform("EPSG:4326", land.crs, [x], [y])
            x, y = xs[0], ys[0]
    else:
        x, y = float(p.x), float(p.y)
    x0, a, _, y0, _, e = land.transform
    return (x - x0) / a, (y - y0) / e


def points_cells(land, points) -> np.ndarray:
    """(k, 2) continuous (col, row) of ``points``: the centres of named sites and [row, col] cells,
    or map points. KeyError naming an unknown site (and listing the sites); ValueError for a point
    off the map."""
    out = []
    for p in points:
        if isinstance(p, str):
            if p not in land.sites:
                raise KeyError(f"no site named {p!r}; sites: {', '.join(sorted(land.sites))}")
            r, c = land.sites[p]
            u, v = c + 0.5, r + 0.5
        elif isinstance(p, (tuple, list)):
            r, c = int(p[0]), int(p[1])
            if not land.inside(r, c):
                raise ValueError(f"cell [{r}, {c}] lies off the map ({land.rows} rows x {land.cols} cols)")
            u, v = c + 0.5, r + 0.5
        else:
            u, v = _map_point(land, p)
            if not (0 <= u < land.cols and 0 <= v < land.rows):
                what = f"lon {p.lon}, lat {p.lat}" if p.lon is not None else f"x {p.x}, y {p.y}"
                raise ValueError(f"map point ({what}) lies off the map (cell [{math.floor(v)}, {math.floor(u)}]; "
                                 f"{land.rows} rows x {land.cols} cols)")
        out.append((u, v))
    return np.array(out, dtype=float).reshape(-1, 2)


def line_of(land, ev: Any) -> tuple[list[np.ndarray], bool]:
    """The parts of the line a lever draws (``ev.through`` points or ``ev.along`` a named line of
    the landscape), and whether it runs between cell centres (then fences go half a cell past
    its end points, so the end cells are crossed too)."""
    if getattr(ev, "along", None) is not None:
        if ev.along not in land.lines:
            names = sorted(land.lines)
            raise KeyError(f"no line named {ev.along!r} in the {land.name} landscape"
                           + (f" (lines: {', '.join(names)})" if names else
                              " (it has none: give landscape.gis.vectors.lines, or points with 'through')"))
        return [np.asarray(part, dtype=float) for part in land.lines[ev.along]], False
    return [points_cells(land, ev.through)], True


def _centres(land) -> tuple[np.ndarray, np.ndarray]:
    rr, cc = np.mgrid[: land.rows, : land.cols]
    return (cc + 0.5) * land.cell_km, (rr + 0.5) * land.cell_km


def line_cells(land, parts) -> np.ndarray:
    """Cells (k, 2) of (row, col) the line's parts pass through, in order."""
    km = land.cell_km
    cells = [polyline_cells(p[:, 0] * km, p[:, 1] * km, km, land.rows, land.cols) for p in parts]
    return np.concatenate(cells) if cells else np.zeros((0, 2), dtype=np.int64)


def band(land, parts, width_km: float) -> np.ndarray:
    """Bool mask: cells whose centre lies within ``width_km`` / 2 of the line (at least the cells
    the line passes through, so a band narrower than a cell is not empty)."""
    x, y = _centres(land)
    mask = np.zeros(land.shape, dtype=bool)
    for p in parts:
        dist, _ = nearest_on_polyline(x, y, p[:, 0] * land.cell_km, p[:, 1] * land.cell_km)
        mask |= dist <= width_km / 2.0
    rc = line_cells(land, parts)
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


def fence_along(land, parts, name: str, *, extend: bool = True) -> Fence:
    """A closed fence along the line's parts: the edges of :func:`crossed_edges`, ordered along
    the line (so gaps can be spread evenly). ``extend``: draw each part half a cell past its end
    points (lines between cell centres, so the end cells are crossed too). ValueError if the line
    crosses no cell edge (too short, or off the map)."""
    found = []
    for part in parts:
        u, v = part[:, 0].copy(), part[:, 1].copy()
        if extend and len(u) >= 2:
            for end, nxt in ((0, 1), (-1, -2)):
                du, dv = u[end] - u[nxt], v[end] - v[nxt]
                length = math.hypot(du, dv)
                if length > 0:
                    u[end] += 0.5 * du / length
                    v[end] += 0.5 * dv / length
        found.append(crossed_edges(u, v, land.rows, land.cols))
    edges = np.concatenate(found) if found else np.zeros((0, 3), dtype=np.int64)
    if len(edges):
        _, first = np.unique(edges, axis=0, return_index=True)
        edges = edges[np.sort(first)]
    if edges.size == 0:
        raise ValueError(f"fence {name!r}: the line crosses no cell edge of the map")
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


__all__ = ["points_cells", "line_of", "line_cells", "band", "polygon", "fence_along", "crossed_edges", "edges_in"]
