"""Boxes and disks on the grid: the shapes of home ranges and hunting areas.

A home range of radius R [km] is represented, for prey and road queries, by the square box of the
same area (side R √π) centred on its cell, clipped to the map; for occupancy maps by the disk of
cells whose centres lie within R.
"""

from __future__ import annotations

import math

import numpy as np

_SQRT_PI = math.sqrt(math.pi)


def half_box(radius_km, cell_km: float) -> np.ndarray:
    """Half-side [cells] of the square with the area of a disk of ``radius_km``."""
    return np.maximum(0, np.rint(np.asarray(radius_km) * _SQRT_PI / 2.0 / cell_km)).astype(np.int64)


def boxes(rows, cols, half, shape: tuple[int, int]):
    """(r0, r1, c0, c1) of the boxes of half-side ``half`` around (rows, cols), clipped to a grid
    of ``shape``; rows r0:r1, cols c0:c1."""
    n_rows, n_cols = shape
    # np.minimum/np.maximum rather than np.clip: the same numbers without np.clip's Python wrapper
    r0 = np.minimum(np.maximum(rows - half, 0), n_rows)
    r1 = np.minimum(np.maximum(rows + half + 1, 0), n_rows)
    c0 = np.minimum(np.maximum(cols - half, 0), n_cols)
    c1 = np.minimum(np.maximum(cols + half + 1, 0), n_cols)
    return r0, r1, c0, c1


def summed_area_table(layer: np.ndarray) -> np.ndarray:
    """Summed-area table (..., rows+1, cols+1) of a layer (..., rows, cols)."""
    sat = np.zeros(layer.shape[:-2] + (layer.shape[-2] + 1, layer.shape[-1] + 1),
                   dtype=np.result_type(layer.dtype, np.int64))
    np.cumsum(layer, axis=-2, out=sat[..., 1:, 1:])
    np.cumsum(sat[..., 1:, 1:], axis=-1, out=sat[..., 1:, 1:])
    return sat


def box_sums(sat: np.ndarray, r0, r1, c0, c1):
    """Sums over boxes from a summed-area table (..., rows+1, cols+1); never below 0 (the
    differences of large cumulative sums can round to tiny negatives)."""
    out = sat[..., r1, c1] - sat[..., r0, c1] - sat[..., r1, c0] + sat[..., r0, c0]
    return np.maximum(out, 0, out=out) if isinstance(out, np.ndarray) else max(out, 0)


def disk(radius_cells: float) -> tuple[int, np.ndarray]:
    """Half-width k and the (2k+1, 2k+1) mask of cells whose centres lie within the radius."""
    k = int(math.floor(radius_cells))
    d = np.arange(-k, k + 1)
    return k, d[:, None] ** 2 + d[None, :] ** 2 <= radius_cells ** 2


def union_of_disks(shape: tuple[int, int], rows, cols, radius_cells) -> np.ndarray:
    """Bool layer: cells within at least one of the disks (centre (row, col), radius in cells)."""
    covered = np.zeros(shape, dtype=bool)
    n_rows, n_cols = shape
    for r, c, rad in zip(np.asarray(rows).tolist(), np.asarray(cols).tolist(), np.asarray(radius_cells).tolist()):
        k, mask = disk(rad)
        r0, c0 = max(r - k, 0), max(c - k, 0)
        r1, c1 = min(r + k + 1, n_rows), min(c + k + 1, n_cols)
        covered[r0:r1, c0:c1] |= mask[r0 - (r - k):r1 - (r - k), c0 - (c - k):c1 - (c - k)]
    return covered
