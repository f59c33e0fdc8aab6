"""One species' monthly survival and diffusion sweep, compiled (:meth:`sim.prey.population.
PreyPopulation._survive_and_diffuse`).

Every cell gets, in this order, the operations of the plain whole-grid numpy computation::

    x *= keep; x *= scale            # survival and poaching (the second only if scale != 1)
    a = x * gain                     # animals leaving the cell [animals], x the neighbours' weight
    x = x * stay + K * (((a_west + a_east) + a_north) + a_south)

with refused neighbour pairs (closed fence edges, the map edge, the row wrap) reading a zero, so
the results are those of the numpy sweep bit for bit. Compiled row by row in simple loops over
contiguous rows (which the compiler vectorises), so it is faster than the dozen numpy operations
it replaced on small and large grids alike.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def sweep(x, keep, scale, gain, stay, K, ap, cols, special, src, diffuse):
    """The sweep over the whole flat grid ``x`` (animals per prey cell, updated in place).

    ``keep``: each cell's keep fraction (survival x poaching); ``scale``: one more survival
    factor for every cell; ``gain``, ``stay``, ``K``: the season's diffusion gain, staying
    fraction and capacity per cell; ``ap``: scratch of n + 2 ``cols`` zeros (a = x gain at
    ``cols`` + cell, a zero row before and after, so the north and south neighbours of the first
    and last rows read zero); ``special``: the cells (sorted) with a refused neighbour pair and
    ``src`` (4, special): the indices in ``ap`` of their west, east, north and south terms (0, a
    zero, where refused). ``diffuse`` False: survival only. Row by row: ``a`` one row ahead (the
    row's southern inflow), the row's inflows (then those of its exceptional cells), its new animals."""
    n = x.size
    if not diffuse:
        _survive(x, keep, scale)
        return
    inflow = np.empty(cols)
    done = 0                                    # a = x gain is known for cells [0, done)
    k = 0                                       # the next exceptional cell
    for lo in range(0, n, cols):                # row by row
        hi = min(lo + cols, n)
        end = min(hi + cols, n)                 # one row ahead: the row's southern inflow
        _survive(x[done:end], keep[done:end], scale)
        _times(x[done:end], gain[done:end], ap[cols + done:cols + end])
        done = end
        _add4(ap[cols + lo - 1:cols + hi - 1], ap[cols + lo + 1:cols + hi + 1], ap[lo:hi],
              ap[2 * cols + lo:2 * cols + hi], inflow)
        while k < special.size and special[k] < hi:
            inflow[special[k] - lo] = ((ap[src[0, k]] + ap[src[1, k]]) + ap[src[2, k]]) + ap[src[3, k]]
            k += 1
        _stay_and_receive(x[lo:hi], stay[lo:hi], inflow, K[lo:hi])


@njit(cache=True)
def _survive(x, keep, scale):
    """x *= keep, then *= ``scale`` unless it is 1, in place."""
    if scale != 1.0:
        for i in range(x.size):
            x[i] = x[i] * keep[i] * scale
    else:
        for i in range(x.size):
            x[i] *= keep[i]


@njit(cache=True)
def _times(x, gain, out):
    """out = x gain."""
    for i in range(x.size):
        out[i] = x[i] * gain[i]


@njit(cache=True)
def _add4(west, east, north, south, out):
    """out = ((west + east) + north) + south."""
    for i in range(west.size):
        out[i] = ((west[i] + east[i]) + north[i]) + south[i]


@njit(cache=True)
def _stay_and_receive(x, stay, inflow, K):
    """x = x stay + inflow K, in place."""
    for i in range(x.size):
        x[i] = x[i] * stay[i] + inflow[i] * K[i]


@njit(cache=True)
def sweep_compact(x, cells, keep, scale, gain, stay, K, nbr, a, diffuse):
    """:func:`sweep` over a species' own cells ``cells`` of the flat grid ``x`` (it has no animals
    elsewhere, and cells without capacity receive nothing): ``keep``, ``gain``, ``stay``, ``K``
    per own cell; ``nbr`` (4 x m, flat): the positions among the m own cells of each one's west,
    east, north and south neighbour (m: absent or refused); ``a``: scratch of m + 1 with a[m] = 0."""
    m = cells.size
    for j in range(m):
        v = x[cells[j]] * keep[j]
        if scale != 1.0:
            v *= scale
        x[cells[j]] = v
        if diffuse:
            a[j] = v * gain[j]
    if not diffuse:
        return
    for j in range(m):
        inflow = ((a[nbr[j]] + a[nbr[m + j]]) + a[nbr[2 * m + j]]) + a[nbr[3 * m + j]]
        x[cells[j]] = x[cells[j]] * stay[j] + inflow * K[j]
