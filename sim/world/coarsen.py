"""The landscape seen at a coarser resolution: the grid the prey fields live on.

Prey are density fields (animals per cell, :mod:`sim.prey.population`), and their monthly
update is a whole-grid pass per species: on the 2.5 km Ustyurt map it was three quarters of a
replicate's time, and it grows with the number of cells. Cheetahs need the fine grid (steps, home ranges,
fences crossed on a walk); prey fields do not: the capacity layers are smooth at the scale of
tens of km and a hunting box covers several coarse cells. So the prey live on the landscape
coarsened by an integer factor ``f`` (``LandscapeSpec.prey_cell_km``), and the model maps its
fine-grid boxes onto it (:mod:`sim.prey.population`).

:func:`coarsened` builds that landscape. Coarse cell ``(R, C)`` is the block of fine rows
``R f .. R f + f - 1`` and columns ``C f .. C f + f - 1``; the last block row or column is partial
when the grid is not a multiple of ``f`` (it is then treated as a full coarse cell whose missing
fine cells hold nothing).

* capacity layers (animals/km², every key of ``capacity``, ``hare`` included): the block's animals
  over the full coarse cell area (sum / f²), so that map totals of K are unchanged;
* habitat, protection, human pressure, and each competitor kind's density: the mean over the
  block's fine cells;
* water, escarpment, road, protected areas: True if any fine cell of the block is;
* sites: the block they fall in; map features (labels for drawing) are not carried over;
* fences: the coarse edges between blocks that lie in different *fence regions* (the areas that
  the fences separate when all gaps are closed, :attr:`Landscape.fence_regions`); a block belongs
  to the region of most of its fine cells. The regions and which of them touch are therefore the
  fine map's (checked: a coarsening that merges or splits a region is refused with a clear
  error). Each coarse edge belongs to the fence whose nearest fine edge is nearest to it, in the
  order of that fine edge along the line; each fine gap opens the nearest still-closed coarse edge
  of its fence, so a fence keeps its number of gaps (at most its number of coarse edges) and a
  removed fence stays removed. A fence that separates no regions (a dead end) has no coarse
  edges: on the prey grid it is no barrier.

Results are cached per landscape object and factor (landscapes are immutable), so a batch worker
coarsens its shared landscape once and a management change (a new landscape) is coarsened once
per replicate.
"""

from __future__ import annotations

import dataclasses
import math
import weakref

import numpy as np

from .landscape import EAST, SOUTH, Fence, Landscape, derived_cache

__all__ = ["coarsened", "prey_factor"]

_CACHE: "weakref.WeakKeyDictionary[Landscape, dict[int, Landscape]]" = weakref.WeakKeyDictionary()


def prey_factor(cell_km: float, prey_cell_km: float | None) -> int:
    """The coarsening factor of the prey grid: the whole number nearest to
    ``prey_cell_km / cell_km`` (halves round up), at least 1 (1 when ``prey_cell_km`` is None)."""
    if prey_cell_km is None:
        return 1
    return max(1, int(math.floor(prey_cell_km / cell_km + 0.5 + 1e-9)))


def coarsened(land: Landscape, f: int) -> Landscape:
    """``land`` at ``f`` times its cell size (see the module docstring); ``land`` itself for f = 1."""
    if f == 1:
        return land
    if f < 1:
        raise ValueError(f"coarsening factor must be >= 1 (got {f})")
    per = derived_cache(_CACHE, land)
    out = per.get(f)
    if out is None:
        out = _coarsen(land, f)
        per[f] = out
    return out


# ---------------------------------------------------------------------- block reductions
def _pad(a: np.ndarray, f: int, fill=0) -> np.ndarray:
    rows, cols = a.shape
    R, C = -(-rows // f), -(-cols // f)
    if (R * f, C * f) == (rows, cols):
        return a
    out = np.full((R * f, C * f), fill, dtype=a.dtype)
    out[:rows, :cols] = a
    return out


def _block_sum(a: np.ndarray, f: int) -> np.ndarray:
    p = _pad(np.asarray(a, dtype=np.float64), f)
    return p.reshape(p.shape[0] // f, f, p.shape[1] // f, f).sum(axis=(1, 3))


def _block_any(a: np.ndarray, f: int) -> np.ndarray:
    p = _pad(np.asarray(a, dtype=bool), f, False)
    return p.reshape(p.shape[0] // f, f, p.shape[1] // f, f).any(axis=(1, 3))


def _coarsen(land: Landscape, f: int) -> Landscape:
    count = _block_sum(np.ones(land.shape), f)        # fine cells per block (f² except at the edges)

    def mean(a):
        return _block_sum(a, f) / count

    capacity = {k: _block_sum(v, f) / (f * f) for k, v in land.capacity.items()}
    sites = {k: (int(r) // f, int(c) // f) for k, (r, c) in land.sites.items()}
    out = Landscape(
        name=land.name, cell_km=land.cell_km * f, habitat=mean(land.habitat),
        escarpment=_block_any(land.escarpment, f), water=_block_any(land.water, f),
        protection=np.clip(mean(land.protection), 0.0, 1.0), human=np.clip(mean(land.human), 0.0, 1.0),
        patrol=np.clip(mean(land.patrol), 0.0, 1.0),
        road=_block_any(land.road, f), competitors={k: mean(v) for k, v in land.competitors.items()},
        capacity=capacity, fences=_coarse_fences(land, f), sites=sites,
        protected_areas={k: _block_any(v, f) for k, v in land.protected_areas.items()},
        features=(), open_boundary=land.open_boundary, bounds=land.bounds, crs=land.crs,
        notes=f"{land.name} coarsened {f} x {f} (prey grid, {land.cell_km * f:g} km cells)")
    if land.fences:
        fine_n = int(land.fence_regions.max()) + 1
        coarse_n = int(out.fence_regions.max()) + 1
        if coarse_n != fine_n:
            raise ValueError(
                f"landscape {land.name!r}: at {land.cell_km * f:g} km cells the fences separate {coarse_n} "
                f"regions instead of {fine_n} (a region narrower than a prey cell); set "
                f"landscape.prey_cell_km to {land.cell_km:g} (prey on the landscape grid) or a smaller multiple")
    return out


# ---------------------------------------------------------------------- fences
def _edge_midpoints(edges: np.ndarray, scale: float) -> np.ndarray:
    """Midpoints (row, col) in fine-cell units of edges ``(axis, r, c)`` on a grid of ``scale``
    fine cells per cell."""
    axis, r, c = edges[:, 0], edges[:, 1].astype(float), edges[:, 2].astype(float)
    return np.stack([np.where(axis == EAST, r + 0.5, r + 1.0),
                     np.where(axis == EAST, c + 1.0, c + 0.5)], axis=1) * scale


def _coarse_fences(land: Landscape, f: int) -> tuple[Fence, ...]:
    if not land.fences:
        return ()
    from scipy.spatial import cKDTree

    reg = land.fence_regions
    n_reg = int(reg.max()) + 1
    votes = np.stack([_block_sum(reg == k, f) for k in range(n_reg)])
    creg = votes.argmax(axis=0)                        # ties: the lowest label
    east = np.argwhere(creg[:, :-1] != creg[:, 1:])    # (R, C): edge east of (R, C)
    south = np.argwhere(creg[:-1, :] != creg[1:, :])
    edges = np.concatenate([np.column_stack([np.full(len(east), EAST), east]),
                            np.column_stack([np.full(len(south), SOUTH), south])]).astype(np.int64)
    if edges.size == 0:
        return tuple(dataclasses.replace(fe, edges=np.zeros((0, 3), np.int64), gaps=np.zeros(0, bool))
                     for fe in land.fences)
    # Nearest fine fence edge of each coarse edge: its fence, and its place along that fence.
    fine_owner = np.concatenate([np.full(len(fe.edges), k) for k, fe in enumerate(land.fences)])
    fine_index = np.concatenate([np.arange(len(fe.edges)) for fe in land.fences])
    fine_mid = np.concatenate([_edge_midpoints(np.asarray(fe.edges), 1.0) for fe in land.fences])
    coarse_mid = _edge_midpoints(edges, float(f))
    _, nearest = cKDTree(fine_mid).query(coarse_mid)
    owner, order = fine_owner[nearest], fine_index[nearest]

    out = []
    for k, fe in enumerate(land.fences):
        mine = np.flatnonzero(owner == k)
        mine = mine[np.lexsort((mine, order[mine]))]   # along the fine line (ties: a fixed order)
        e = edges[mine]
        gaps = np.zeros(len(e), dtype=bool)
        fine_gaps = np.flatnonzero(np.asarray(fe.gaps))
        if len(e) and fine_gaps.size >= len(e):
            gaps[:] = True
        elif len(e) and fine_gaps.size:
            mid = coarse_mid[mine]
            for g_mid in _edge_midpoints(np.asarray(fe.edges)[fine_gaps], 1.0):
                d = ((mid - g_mid) ** 2).sum(axis=1)
                d[gaps] = np.inf
                gaps[int(np.argmin(d))] = True
        out.append(dataclasses.replace(fe, edges=e, gaps=gaps))
    return tuple(out)

