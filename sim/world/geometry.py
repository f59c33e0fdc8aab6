"""Boxes and disks on the grid: the shapes of home ranges and hunting areas.

A home range of radius R [km] is represented, for prey and road queries, by the square box of the
same area (side R √π) centred on its cell, clipped to the map; for the occupied area by the disk
of cells whose centres lie within R.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Default of the largest landscape grid a scenario may ask for [cells] (in force: sim.limits
#: ``cells``, raisable with ``--limit cells=N``). Building a map takes ~240 bytes a cell at its peak
#: (measured on the ustyurt preset: 34 MiB at 42,728 cells, 186 MiB at 683,648) and the model keeps
#: several arrays a cell per replicate; 1.5 million cells is the ustyurt map on ~0.42 km cells,
#: 35 x the default's cells. A finer cell_km (0.11 km: 22 million cells, ~5 GiB) would exhaust a
#: laptop's memory at ``check``, before any message.
MAX_CELLS = 1_500_000


def max_cells() -> int:
    """The largest landscape grid allowed now [cells] (sim.limits ``cells``)."""
    from ..limits import current
    return current().cells

_SQRT_PI = math.sqrt(math.pi)


def grid_shape(height_km: float, width_km: float, cell_km: float) -> tuple[int, int]:
    """(rows, cols) of a map of height_km x width_km on cells of cell_km: the nearest whole
    numbers of cells, at least 1."""
    return max(1, round(height_km / cell_km)), max(1, round(width_km / cell_km))


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


def summed_area_table(layer: np.ndarray, cap: np.ndarray | None = None, cap_scale: float = 1.0) -> np.ndarray:
    """Summed-area table (..., rows+1, cols+1) of a layer (..., rows, cols): entry [r, c] is the
    sum of the layer over rows < r and cols < c (integers for an integer or boolean layer).

    ``cap`` (float layers only; the layer's shape, finite): the table of the layer capped cell by
    cell at ``cap_scale`` x cap, the same numbers as the table of ``np.minimum(layer, cap_scale *
    cap)`` without making that array."""
    if layer.dtype.kind in "biu":
        if cap is not None:
            raise ValueError("summed_area_table: a cap applies to float layers only")
        sat = np.zeros(layer.shape[:-2] + (layer.shape[-2] + 1, layer.shape[-1] + 1), dtype=np.int64)
        np.cumsum(layer, axis=-2, out=sat[..., 1:, 1:])
        np.cumsum(sat[..., 1:, 1:], axis=-1, out=sat[..., 1:, 1:])
        return sat
    flat = np.ascontiguousarray(layer, dtype=np.float64).reshape((-1,) + layer.shape[-2:])
    if cap is None:
        table = _float_table(flat)
    else:
        table = _capped_float_table(flat, np.ascontiguousarray(cap, dtype=np.float64).reshape(flat.shape),
                                    float(cap_scale))
    return table.reshape(layer.shape[:-2] + (layer.shape[-2] + 1, layer.shape[-1] + 1))


@njit(cache=True)
def _float_table(layer):
    """Summed-area table of float layers (k, rows, cols), in the order of np.cumsum down the rows
    and then along each row (the same numbers to the last bit)."""
    k, n_rows, n_cols = layer.shape
    sat = np.zeros((k, n_rows + 1, n_cols + 1))
    for s in range(k):
        for r in range(n_rows):                  # down each column, the rows in turn (memory order)
            for c in range(n_cols):
                sat[s, r + 1, c + 1] = sat[s, r, c + 1] + layer[s, r, c]
        _along_rows(sat, s)
    return sat


@njit(cache=True)
def _capped_float_table(layer, cap, cap_scale):
    """:func:`_float_table` of min(layer, cap_scale x cap) cell by cell (np.minimum's value for a
    finite cap), without making the capped layers."""
    k, n_rows, n_cols = layer.shape
    sat = np.zeros((k, n_rows + 1, n_cols + 1))
    for s in range(k):
        for r in range(n_rows):
            for c in range(n_cols):
                x = layer[s, r, c]
                limit = cap_scale * cap[s, r, c]
                sat[s, r + 1, c + 1] = sat[s, r, c + 1] + (limit if limit < x else x)
        _along_rows(sat, s)
    return sat


@njit(cache=True)
def _along_rows(sat, s):
    """Second pass of a summed-area table: cumulative sums along each row of layer s, in place."""
    for r in range(1, sat.shape[1]):
        acc = 0.0
        for c in range(1, sat.shape[2]):
            acc += sat[s, r, c]
            sat[s, r, c] = acc


def box_sums(sat: np.ndarray, r0, r1, c0, c1):
    """Sums over boxes from a summed-area table (..., rows+1, cols+1); never below 0 (the
    differences of large cumulative sums can round to tiny negatives)."""
    out = sat[..., r1, c1] - sat[..., r0, c1] - sat[..., r1, c0] + sat[..., r0, c0]
    return np.maximum(out, 0, out=out) if isinstance(out, np.ndarray) else max(out, 0)


def union_of_disks(shape: tuple[int, int], rows, cols, radius_cells) -> np.ndarray:
    """Bool layer: cells whose centres lie within at least one of the disks (centre (row, col),
    radius in cells)."""
    return _union_of_disks(shape[0], shape[1], np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                           np.asarray(radius_cells, dtype=np.float64))


@njit(cache=True)
def _union_of_disks(n_rows, n_cols, rows, cols, radius_cells):
    covered = np.zeros((n_rows, n_cols), dtype=np.bool_)
    for i in range(rows.size):
        rad = radius_cells[i]
        k = int(np.floor(rad))
        for dr in range(-k, k + 1):
            r = rows[i] + dr
            if r < 0 or r >= n_rows:
                continue
            for dc in range(-k, k + 1):
                c = cols[i] + dc
                if 0 <= c < n_cols and dr * dr + dc * dc <= rad * rad:
                    covered[r, c] = True
    return covered
