"""One species' monthly survival and diffusion sweep, compiled (:meth:`sim.prey.population.
PreyPopulation._survive_and_diffuse`).

Every cell gets, in this order, the operations of the plain whole-grid numpy computation::

    x *= keep; x *= scale            # survival and poaching (the second only if scale != 1)
    a = x * gain                     # animals leaving the cell [animals], x the neighbours' weight
    x = x * stay + K * (((a_west + a_east) + a_north) + a_south)

with refused neighbour pairs (closed fence edges, the map edge, the row wrap) reading a zero, so
the results are those of the numpy sweep bit for bit (one compiled pass instead of a dozen array
operations per species and month).
"""

from __future__ import annotations

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
    zero, where refused). ``diffuse`` False: survival only. A cell's inflow is taken once its
    southern neighbour's ``a`` is known (one row ahead), in one pass over the grid."""
    n = x.size
    if not diffuse:
        for i in range(n):
            x[i] *= keep[i]
            if scale != 1.0:
                x[i] *= scale
        return
    done = 0                                    # a = x gain is known for cells [0, done)
    k = 0                                       # the next exceptional cell
    for i in range(n):
        end = min(i + cols + 1, n)
        while done < end:
            x[done] *= keep[done]
            if scale != 1.0:
                x[done] *= scale
            ap[cols + done] = x[done] * gain[done]
            done += 1
        if k < special.size and special[k] == i:
            inflow = ((ap[src[0, k]] + ap[src[1, k]]) + ap[src[2, k]]) + ap[src[3, k]]
            k += 1
        else:
            inflow = ((ap[cols + i - 1] + ap[cols + i + 1]) + ap[i]) + ap[2 * cols + i]
        x[i] = x[i] * stay[i] + inflow * K[i]


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
