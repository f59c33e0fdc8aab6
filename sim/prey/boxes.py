"""Prey in boxes of landscape cells: the hunting areas and home ranges of the cheetahs.

The prey live on a grid coarsened ``f`` x ``f`` from the landscape (:mod:`sim.world.coarsen`);
cheetahs ask about boxes of landscape cells. A prey cell's animals are taken to be spread evenly
over its landscape cells, so a box covering a fraction w of a prey cell's landscape cells holds w
of its animals. Both queries here are compiled loops (numba): one pass over the boxes, no
temporary arrays, whatever the number of boxes.

* :func:`box_totals` reads a summed-area table of the prey grid, interpolated bilinearly to the
  box corners (exact for prey spread evenly within a prey cell; with f = 1 it is the plain table).
* :func:`remove_kills` takes each box's kills out of the prey cells it touches in proportion to
  the animals there, all boxes at once (each from the prey present at the start).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Totals below this [animals] are round-off of the summed-area table's differences, not prey;
#: they count as 0 (so that no kill is drawn for an absent species).
ROUND_OFF_ANIMALS = 1e-9


@njit(cache=True)
def _axis(x, f, n, size):
    """Along one axis of the prey grid (coarsened ``f`` from ``n`` landscape cells; a summed-area
    table ``size`` corners long): the coarse corners q, q1 either side of the fine corner x and
    x's weight towards q1 (a prey cell's animals spread evenly over its landscape cells)."""
    q, a = divmod(x, f)
    return q, min(q + 1, size - 1), a / min(f, max(n - q * f, 1))


@njit(cache=True)
def _box_axes(r0, r1, c0, c1, f, n_rows, n_cols, size_r, size_c):
    """:func:`_axis` of a box's four sides (rows r0, r1; cols c0, c1) in one tuple: the same for
    every species and table, so loops over them compute it once."""
    return _axis(r0, f, n_rows, size_r) + _axis(r1, f, n_rows, size_r) + _axis(c0, f, n_cols, size_c) \
        + _axis(c1, f, n_cols, size_c)


@njit(cache=True)
def _at(sat, s, q, q1, u, p, p1, v):
    """Species s's summed-area value at a fine corner, bilinear between the coarse corners rows
    q, q1 (weight u) and cols p, p1 (weight v) (:func:`_axis`)."""
    s00 = sat[s, q, p]
    s01 = sat[s, q, p1]
    s10 = sat[s, q1, p]
    s11 = sat[s, q1, p1]
    return s00 + u * (s10 - s00) + v * (s01 - s00) + (u * v) * (s11 - s10 - s01 + s00)


@njit(cache=True)
def _box(sat, s, axes):
    """Species s's animals in a box from its :func:`_box_axes`: corners (r1, c1) - (r0, c1) -
    (r1, c0) + (r0, c0) of the summed-area table ``sat``; round-off below
    :data:`ROUND_OFF_ANIMALS` counts as 0."""
    qa, qa1, ua, qb, qb1, ub, pa, pa1, va, pb, pb1, vb = axes
    x = (_at(sat, s, qb, qb1, ub, pb, pb1, vb) - _at(sat, s, qa, qa1, ua, pb, pb1, vb)
         - _at(sat, s, qb, qb1, ub, pa, pa1, va) + _at(sat, s, qa, qa1, ua, pa, pa1, va))
    return x if x >= ROUND_OFF_ANIMALS else 0.0


@njit(cache=True)
def box_totals(sat, r0, r1, c0, c1, f, n_rows, n_cols):
    """Animals of each species in boxes of landscape cells rows r0[i]:r1[i], cols c0[i]:c1[i]
    (1-d arrays, already clipped to the map), shape (boxes, species), from the summed-area table
    ``sat`` (species, R+1, C+1) of the prey grid coarsened ``f`` from n_rows x n_cols cells."""
    n = r0.size
    S = sat.shape[0]
    out = np.empty((n, S))
    for i in range(n):
        axes = _box_axes(r0[i], r1[i], c0[i], c1[i], f, n_rows, n_cols, sat.shape[1], sat.shape[2])
        for s in range(S):
            out[i, s] = _box(sat, s, axes)
    return out


@njit(cache=True)
def _span(lo, hi, f, n):
    """Prey cells [first, last] that the landscape cells lo:hi (of n) touch along one axis."""
    first = lo // f
    last = (max(lo, hi - 1)) // f
    return first, min(last, (n - 1) // f)


@njit(cache=True)
def _cover(k, lo, hi, f, n):
    """Fraction of prey cell k's landscape cells (along one axis) inside lo:hi."""
    start = k * f
    end = min(start + f, n)
    return max(min(end, hi) - max(start, lo), 0) / max(end - start, 1)


@njit(cache=True)
def remove_kills(N, r0, r1, c0, c1, kills, f, n_rows, n_cols, loss):
    """Remove ``kills[i, s]`` animals of species s from box i (rows r0[i]:r1[i], cols
    c0[i]:c1[i] of the landscape, clipped to it) of the prey field N (species, R, C), in place.

    Each box takes its kills from the prey present in it at the start, spread over the box in
    proportion to density: a prey cell loses the fraction w x kills / (animals in the box) of its
    animals for each box covering a share w of it; where boxes overlap the fractions add up
    (never more than all of a cell's animals). A box never gives more than it holds. ``loss``: a
    scratch array like N (returned zeroed). Returns the animals each box gave, (boxes, species).
    """
    n, S = kills.shape
    removed = np.zeros((n, S))
    lo_r = np.full(S, N.shape[1])           # per species, the prey cells any box took from
    hi_r = np.full(S, -1)
    lo_c = np.full(S, N.shape[2])
    hi_c = np.full(S, -1)
    wr = np.empty(N.shape[1])              # the box's cover of each prey row and column
    wc = np.empty(N.shape[2])
    for i in range(n):
        if r1[i] <= r0[i] or c1[i] <= c0[i]:
            continue
        fr0, fr1 = _span(r0[i], r1[i], f, n_rows)
        fc0, fc1 = _span(c0[i], c1[i], f, n_cols)
        for R in range(fr0, fr1 + 1):
            wr[R] = _cover(R, r0[i], r1[i], f, n_rows)
        for C in range(fc0, fc1 + 1):
            wc[C] = _cover(C, c0[i], c1[i], f, n_cols)
        for s in range(S):
            if kills[i, s] <= 0.0:
                continue
            present = 0.0
            for R in range(fr0, fr1 + 1):
                for C in range(fc0, fc1 + 1):
                    present += wr[R] * wc[C] * N[s, R, C]
            if present <= 0.0:
                continue
            take = min(kills[i, s], present)
            removed[i, s] = take
            frac = take / present
            for R in range(fr0, fr1 + 1):
                fw = frac * wr[R]
                for C in range(fc0, fc1 + 1):
                    loss[s, R, C] += fw * wc[C]
            lo_r[s], hi_r[s] = min(lo_r[s], fr0), max(hi_r[s], fr1)
            lo_c[s], hi_c[s] = min(lo_c[s], fc0), max(hi_c[s], fc1)
    for s in range(S):
        for R in range(lo_r[s], hi_r[s] + 1):
            for C in range(lo_c[s], hi_c[s] + 1):
                if loss[s, R, C] != 0.0:
                    N[s, R, C] *= max(1.0 - loss[s, R, C], 0.0)
                    loss[s, R, C] = 0.0
    return removed


_HALF_SIDE = np.sqrt(np.pi) / 2.0


@njit(cache=True)
def range_totals(sat, rows, cols, radii_km, cell_km, f, n_rows, n_cols):
    """Animals of each species in home ranges centred on cells (rows[i], cols[i]) with radii
    ``radii_km[i, k]`` [km], each as the box of the same area (half-side rint(R √π / 2 / cell)
    cells, clipped to the map): shape (centres, radii, species). See :func:`box_totals`."""
    n, k = radii_km.shape
    S = sat.shape[0]
    out = np.empty((n, k, S))
    for i in range(n):
        for j in range(k):
            h = np.int64(max(0.0, np.rint(radii_km[i, j] * _HALF_SIDE / cell_km)))
            r0 = min(max(rows[i] - h, 0), n_rows)
            r1 = min(max(rows[i] + h + 1, 0), n_rows)
            c0 = min(max(cols[i] - h, 0), n_cols)
            c1 = min(max(cols[i] + h + 1, 0), n_cols)
            axes = _box_axes(r0, r1, c0, c1, f, n_rows, n_cols, sat.shape[1], sat.shape[2])
            for s in range(S):
                out[i, j, s] = _box(sat, s, axes)
    return out


def clipped(r0, r1, c0, c1, rows: int, cols: int):
    """Box bounds as flat int64 arrays clipped to a rows x cols grid (r0 <= r1, c0 <= c1)."""
    if all(isinstance(x, np.ndarray) and x.ndim == 1 and x.dtype == np.int64 for x in (r0, r1, c0, c1)):
        return tuple(_clip(r0, r1, c0, c1, rows, cols))          # the usual case: one compiled pass
    r0 = np.minimum(np.maximum(np.ravel(r0).astype(np.int64), 0), rows)
    c0 = np.minimum(np.maximum(np.ravel(c0).astype(np.int64), 0), cols)
    r1 = np.minimum(np.maximum(np.ravel(r1).astype(np.int64), r0), rows)
    c1 = np.minimum(np.maximum(np.ravel(c1).astype(np.int64), c0), cols)
    return r0, r1, c0, c1


@njit(cache=True)
def _clip(r0, r1, c0, c1, rows, cols):
    """:func:`clipped` of 1-d int64 bounds in one pass: a (4, boxes) array (new, the inputs unchanged)."""
    out = np.empty((4, r0.size), dtype=np.int64)
    for i in range(r0.size):
        out[0, i] = min(max(r0[i], 0), rows)
        out[2, i] = min(max(c0[i], 0), cols)
        out[1, i] = min(max(r1[i], out[0, i]), rows)
        out[3, i] = min(max(c1[i], out[2, i]), cols)
    return out
