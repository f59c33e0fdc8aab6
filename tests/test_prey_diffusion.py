"""The compiled survival and diffusion sweep (sim/prey/diffusion.py) against the numpy sweep it
replaced (block by block of rows, shifted slices, exceptional cells recomputed), bit for bit, on
a fenced map with a compact species."""

from __future__ import annotations

import numpy as np
import pytest

from sim.prey.diffusion import sweep, sweep_compact
from sim.prey.population import PreyPopulation
from tests.test_prey import COLS, ROWS, make_land, params, west_east_fence


def numpy_sweep(x, keep, scale, gain, stay, K, cols, special, src, diffuse, block_cells):
    """The numpy sweep of PreyPopulation._survive_and_diffuse before it was compiled."""
    n = x.size
    mul, add = np.multiply, np.add
    if not diffuse:
        mul(x, keep, out=x)
        if scale != 1.0:
            mul(x, scale, out=x)
        return
    ap = np.zeros(n + 2 * cols)
    blocks = []
    block_rows = max(1, block_cells // max(cols, 1))
    for r0 in range(0, n // cols, block_rows):
        lo, hi = r0 * cols, min(n // cols, r0 + block_rows) * cols
        i0, i1 = np.searchsorted(special, [lo, hi])
        blocks.append((lo, hi, special[i0:i1] - lo, np.ascontiguousarray(src[:, i0:i1]).ravel(), int(i1 - i0)))
    done = 0
    for lo, hi, loc, src_b, m in blocks:
        end = min(hi + cols, n)
        if end > done:
            xs = x[done:end]
            mul(xs, keep[done:end], out=xs)
            if scale != 1.0:
                mul(xs, scale, out=xs)
            mul(xs, gain[done:end], out=ap[cols + done:cols + end])
            done = end
        inflow = np.empty(hi - lo)
        add(ap[cols + lo - 1:cols + hi - 1], ap[cols + lo + 1:cols + hi + 1], out=inflow)
        add(inflow, ap[lo:hi], out=inflow)
        add(inflow, ap[2 * cols + lo:2 * cols + hi], out=inflow)
        if m:
            t = ap.take(src_b).reshape(4, m)
            v = t[0]
            add(v, t[1], out=v)
            add(v, t[2], out=v)
            add(v, t[3], out=v)
            inflow[loc] = v
        mul(inflow, K[lo:hi], out=inflow)
        xs = x[lo:hi]
        mul(xs, stay[lo:hi], out=xs)
        add(xs, inflow, out=xs)


def numpy_sweep_compact(x, cells, keep, scale, gain, stay, K, nbr, diffuse):
    """The numpy compact sweep (PreyPopulation._survive_and_diffuse_compact) before it was compiled."""
    m = cells.size
    xl = x.take(cells)
    xl *= keep
    if scale != 1.0:
        xl *= scale
    if diffuse:
        a = np.zeros(m + 1)
        np.multiply(xl, gain, out=a[:m])
        t = a.take(nbr).reshape(4, m)
        v = t[0]
        v += t[1]
        v += t[2]
        v += t[3]
        v *= K
        xl *= stay
        xl += v
    x[cells] = xl


def fenced_population():
    rng = np.random.default_rng(7)
    urial = np.zeros((ROWS, COLS))
    urial[2:6, 3:9] = rng.uniform(0.5, 2.0, (4, 6))             # a small range: swept compactly
    cap = {"gazelle": rng.uniform(0.0, 2.0, (ROWS, COLS)), "urial": urial,
           "saiga_summer": rng.uniform(0.5, 1.5, (ROWS, COLS)), "saiga_winter": rng.uniform(0.5, 1.5, (ROWS, COLS))}
    p = params(saiga=dict(diffusion_per_month=0.3), gazelle=dict(diffusion_per_month=0.2),
               urial=dict(diffusion_per_month=0.1))
    return PreyPopulation(p, make_land(cap, fences=[west_east_fence([2, 17])]), month=4), rng


@pytest.mark.parametrize("diffuse", [True, False])
@pytest.mark.parametrize("scale", [1.0, 0.97])
@pytest.mark.parametrize("block_cells", [1 << 15, 2 * COLS, 1])
def test_the_compiled_sweep_is_the_numpy_sweep_bit_for_bit(diffuse, scale, block_cells):
    pop, rng = fenced_population()
    assert pop._special.size > 0
    n = ROWS * COLS
    for season in (0, 1):
        for s in range(pop.N.shape[0]):
            x = rng.uniform(0.0, 5.0, n)
            keep = rng.uniform(0.9, 1.0, n)
            gain, stay, K = pop._gain[season][s], pop._stay[season][s], pop._K_flat[season][s]
            want = x.copy()
            numpy_sweep(want, keep, scale, gain, stay, K, COLS, pop._special, pop._src, diffuse, block_cells)
            got = x.copy()
            sweep(got, keep, scale, gain, stay, K, np.zeros(n + 2 * COLS), COLS, pop._special, pop._src, diffuse)
            assert np.array_equal(got.view(np.int64), want.view(np.int64))


@pytest.mark.parametrize("diffuse", [True, False])
@pytest.mark.parametrize("scale", [1.0, 0.97])
def test_the_compiled_compact_sweep_is_the_numpy_one_bit_for_bit(diffuse, scale):
    pop, rng = fenced_population()
    comps = [(s, c) for s, c in enumerate(pop._compact) if c is not None]
    assert comps
    for season in (0, 1):
        for s, comp in comps:
            cells = comp["cells"]
            x = np.zeros(ROWS * COLS)
            x[cells] = rng.uniform(0.0, 5.0, cells.size)
            keep = rng.uniform(0.9, 1.0, cells.size)
            args = (comp["gain"][season], comp["stay"][season], comp["K"][season], comp["nbr"])
            want = x.copy()
            numpy_sweep_compact(want, cells, keep, scale, *args, diffuse)
            got = x.copy()
            sweep_compact(got, cells, keep, scale, *args, np.zeros(cells.size + 1), diffuse)
            assert np.array_equal(got.view(np.int64), want.view(np.int64))
