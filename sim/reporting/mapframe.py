"""Plot coordinates of a landscape grid, shared by the landscape map (sim.reporting.maps) and the
report's occupancy figure (sim.reporting.figureset), so both put a cell at the same place.

Longitude/latitude [degrees] when the landscape has WGS84 bounds, else km east of the west edge
and km north of the south edge. Cell (r, c) spans rows [r, r+1] and columns [c, c+1]; row 0 is
the north edge.
"""

from __future__ import annotations

import math

import numpy as np

#: km per degree of latitude (and of longitude at the equator), for the scale bar.
KM_PER_DEGREE = 111.32


class MapFrame:
    """Where a (rows, cols) grid of ``cell_km`` cells lies in plot coordinates.

    ``bounds``: WGS84 (west, south, east, north) in degrees, or None for a grid in km.
    Attributes: ``extent`` (west, east, south, north) for imshow and the axis limits; ``x0, y0``
    the north-west corner and ``dx, dy`` the step per column and per row (dy < 0: rows run
    south); ``aspect`` the y/x scale that keeps 1 km as long east-west as north-south;
    ``km_per_x`` km per unit of x (for a scale bar)."""

    def __init__(self, shape: tuple[int, int], cell_km: float,
                 bounds: tuple[float, float, float, float] | None = None) -> None:
        self.rows, self.cols = shape
        self.cell_km = cell_km
        self.geo = bounds is not None
        if bounds is not None:
            w, s, e, n = bounds
            self.x0, self.y0 = w, n
            self.dx = (e - w) / self.cols
            self.dy = -(n - s) / self.rows
            self.mid_lat = (s + n) / 2
            self.km_per_x = KM_PER_DEGREE * math.cos(math.radians(self.mid_lat))
            self.aspect = 1 / math.cos(math.radians(self.mid_lat))
            self.extent = (w, e, s, n)
        else:
            self.x0, self.y0 = 0.0, self.rows * cell_km
            self.dx, self.dy = cell_km, -cell_km
            self.km_per_x = 1.0
            self.aspect = 1.0
            self.extent = (0.0, self.cols * cell_km, 0.0, self.rows * cell_km)

    @classmethod
    def of(cls, land) -> "MapFrame":
        """The frame of a :class:`sim.world.landscape.Landscape` (its shape, cell size, bounds)."""
        return cls(land.shape, land.cell_km, land.bounds)

    def xy(self, row_f, col_f) -> tuple[np.ndarray, np.ndarray]:
        """Plot coordinates of continuous cell positions (row, column; corners are whole numbers)."""
        return self.x0 + np.asarray(col_f, dtype=float) * self.dx, self.y0 + np.asarray(row_f, dtype=float) * self.dy

    def centres(self, rc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Plot coordinates of the centres of cells ``rc`` ((k, 2) rows and columns)."""
        rc = np.asarray(rc).reshape(-1, 2)
        return self.xy(rc[:, 0] + 0.5, rc[:, 1] + 0.5)

    def edge_ends(self, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Plot coordinates (x0, y0, x1, y1) of the ends of cell edges ``(axis, row, col)`` as
        fences store them (:class:`sim.world.landscape.Fence`): the edge east of cell (r, c)
        (axis 0) runs from corner (r, c+1) to (r+1, c+1), the one south of it (axis 1) from
        (r+1, c) to (r+1, c+1)."""
        edges = np.asarray(edges).reshape(-1, 3)
        r, c = edges[:, 1].astype(float), edges[:, 2].astype(float)
        east = edges[:, 0] == 0
        x0, y0 = self.xy(np.where(east, r, r + 1), np.where(east, c + 1, c))
        x1, y1 = self.xy(r + 1, c + 1)
        return x0, y0, x1, y1

    def edge_segments(self, edges: np.ndarray) -> np.ndarray:
        """Cell edges as line segments (k, 2 ends, (x, y)) for a LineCollection."""
        x0, y0, x1, y1 = self.edge_ends(edges)
        return np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)


def closed_fence_edges(land) -> np.ndarray:
    """Every closed fence edge of a landscape as ``(axis, row, col)`` rows (axis 0 = east of the
    cell, 1 = south of it), east edges first, each axis in row-major order."""
    east, south = land.barriers
    parts = [np.column_stack([np.full(len(rc), axis), rc])
             for axis, rc in ((0, np.argwhere(east)), (1, np.argwhere(south)))]
    return np.concatenate(parts).astype(np.int64)
