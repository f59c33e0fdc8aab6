"""Shapes on map kilometres for drawing the stylised map, vectorised over cells with numpy.

Coordinates are km east of the map's west edge (x) and km south of its north edge (y), as in
the landscape grid (row 0 north): point-in-polygon and ellipse masks, soft-edged ellipse
weights, distance to a polyline, the cells a polyline crosses, distance to the nearest marked
cell, and densities scaled to a total. Used to draw the stylised Ustyurt map (:mod:`sim.world.ustyurt`).
"""

from __future__ import annotations

import math

import numpy as np


def inside_polygon(x, y, px, py) -> np.ndarray:
    """Even-odd point-in-polygon test, broadcasting x and y (km)."""
    inside = np.zeros(np.broadcast_shapes(np.shape(x), np.shape(y)), dtype=bool)
    n = len(px)
    for i in range(n):
        x1, y1, x2, y2 = px[i], py[i], px[(i + 1) % n], py[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_cross = x1 + (x2 - x1) * (y - y1) / (y2 - y1)
        inside ^= crosses & (x < x_cross)
    return inside


def inside_ellipse(x, y, cx, cy, a, b, angle_deg) -> np.ndarray:
    """Cells (broadcast x, y in km) inside an ellipse; angle of semi-axis a from east, counter-
    clockwise as seen on the map (y grows southward, hence the sign)."""
    t = math.radians(angle_deg)
    dx, dy = x - cx, -(y - cy)
    u = dx * math.cos(t) + dy * math.sin(t)
    v = -dx * math.sin(t) + dy * math.cos(t)
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0


def soft_ellipse(x, y, cx, cy, a, b, angle_deg, edge: float = 0.25) -> np.ndarray:
    """Weight (0-1, broadcast x, y in km) of a soft-edged ellipse: ``1 / (1 + exp((r - 1) / edge))``
    with r the elliptical radius (0 at the centre, 1 on the ellipse of :func:`inside_ellipse`),
    so the weight is about 1 well inside, 0.5 on the outline and fades outside over ``edge``
    semi-axes."""
    t = math.radians(angle_deg)
    dx, dy = x - cx, -(y - cy)
    u = dx * math.cos(t) + dy * math.sin(t)
    v = -dx * math.sin(t) + dy * math.cos(t)
    r = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    return 1.0 / (1.0 + np.exp(np.minimum((r - 1.0) / edge, 700.0)))


def nearest_on_polyline(x, y, px, py) -> tuple[np.ndarray, np.ndarray]:
    """Distance [km] from points to a polyline and the arc length [km] of the nearest point."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    best = np.full(x.shape, np.inf)
    arc = np.zeros(x.shape)
    start = 0.0
    for i in range(len(px) - 1):
        ax, ay, bx, by = px[i], py[i], px[i + 1], py[i + 1]
        length = math.hypot(bx - ax, by - ay)
        t = np.clip(((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / max(length ** 2, 1e-12), 0, 1)
        d = np.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)))
        closer = d < best
        best = np.where(closer, d, best)
        arc = np.where(closer, start + t * length, arc)
        start += length
    return best, arc


def polyline_cells(px, py, cell_km: float, rows: int, cols: int) -> np.ndarray:
    """Cells (row, col) a polyline passes through, in order along it, inside the map."""
    pts = []
    for i in range(len(px) - 1):
        length = math.hypot(px[i + 1] - px[i], py[i + 1] - py[i])
        n = max(2, int(math.ceil(length / (cell_km / 4))))
        t = np.linspace(0.0, 1.0, n, endpoint=False)
        pts.append(np.column_stack([py[i] + t * (py[i + 1] - py[i]), px[i] + t * (px[i + 1] - px[i])]))
    pts.append(np.array([[py[-1], px[-1]]]))
    rc = np.floor(np.concatenate(pts) / cell_km).astype(np.int64)
    ok = (rc[:, 0] >= 0) & (rc[:, 0] < rows) & (rc[:, 1] >= 0) & (rc[:, 1] < cols)
    rc = rc[ok]
    if rc.size == 0:
        return rc.reshape(0, 2)
    keep = np.ones(len(rc), dtype=bool)
    keep[1:] = np.any(rc[1:] != rc[:-1], axis=1)
    rc = rc[keep]
    _, first = np.unique(rc, axis=0, return_index=True)
    return rc[np.sort(first)]


def distance_km(mask: np.ndarray, cell_km: float) -> np.ndarray:
    """Distance [km] from each cell centre to the nearest True cell (inf if there is none)."""
    from scipy.ndimage import distance_transform_edt

    if not mask.any():
        return np.full(mask.shape, np.inf)
    return distance_transform_edt(~mask, sampling=cell_km)


def cells_of(mask: np.ndarray) -> np.ndarray:
    """The (row, col) of every True cell, int64 (k, 2), in row-major order."""
    return np.argwhere(mask).astype(np.int64)


def scale_to_total(weight: np.ndarray, total: float, cell_area_km2: float) -> np.ndarray:
    """Density [animals/km²] proportional to weight, summing to ``total`` animals over the map."""
    s = float(weight.sum())
    if s <= 0:
        return np.zeros_like(weight, dtype=np.float64)
    return (weight * (total / (s * cell_area_km2))).astype(np.float64)


__all__ = ["inside_polygon", "inside_ellipse", "soft_ellipse", "nearest_on_polyline", "polyline_cells",
           "distance_km", "cells_of", "scale_to_total"]
