"""Saiga migration between the seasons' ranges: twice a year the saiga move towards the new
season's capacity, across fences only through their gaps (regions are the parts of the map the
closed fences separate; :mod:`sim.prey.tables` builds them, their reachability and the gaps'
throughput)."""

from __future__ import annotations

import numpy as np


def migrate_saiga(flat: np.ndarray, regions: np.ndarray, n: int, Kt: np.ndarray, K: np.ndarray,
                  reach: np.ndarray, gap_capacity: np.ndarray) -> None:
    """Move the saiga in ``flat`` (saiga per prey cell, flattened; changed in place) towards the
    new season's capacity ``K`` (per prey cell) [animals].

    ``regions``: region of each prey cell (``n`` regions); ``Kt``: the new season's capacity per
    region; ``reach[r, q]``: whether region q can be reached from r; ``gap_capacity[r, q]``: the
    most saiga that can pass from r to q through the gaps. Region totals N_r; desired flow
    r -> q (q != r, reachable) is N_r x Kt_q / sum of Kt over r and the regions reachable from it;
    actual flow is min(desired, gap capacity). Then each region's saiga are spread in proportion
    to the new season's K (old pattern kept where the region has no K).
    """
    N_r = np.bincount(regions, weights=flat, minlength=n)
    if n > 1:
        reach_K = reach * Kt[None, :]
        denom = reach_K.sum(axis=1)
        share = np.divide(reach_K, denom[:, None], out=np.zeros_like(reach_K), where=denom[:, None] > 0)
        np.fill_diagonal(share, 0.0)
        flow = np.minimum(N_r[:, None] * share, gap_capacity)
        N_new = N_r - flow.sum(axis=1) + flow.sum(axis=0)
        np.maximum(N_new, 0.0, out=N_new)
    else:
        N_new = N_r
    to_k = np.divide(N_new, Kt, out=np.zeros(n), where=Kt > 0)
    keep_old = np.divide(N_new, N_r, out=np.zeros(n), where=(Kt <= 0) & (N_r > 0))
    if n == 1:
        if Kt[0] > 0:
            np.multiply(K, to_k[0], out=flat)
        else:
            flat *= keep_old[0]
        return
    if (Kt <= 0).any():
        new = to_k[regions] * K
        new += keep_old[regions] * flat
        flat[:] = new
    else:
        np.multiply(to_k[regions], K, out=flat)
