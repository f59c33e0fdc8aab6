"""Movement: residents stay in (or leave) their ranges; every other unit walks, may die on the way
(roads, walking off an open map edge), and may settle.

The walk: each month a walking unit makes ``walk_substeps`` straight jumps of ``step_cells``
cells (its sex's daily travel x days a month / substeps) in one of the eight compass headings
chosen by the scenario's movement rule. The path is checked cell by cell, but only for jumps that
start near a fence or a road (precomputed, :class:`WalkGeometry`), so most jumps cost nothing
beyond the rule's choice:

* a closed fence edge stops the jump before it (a diagonal unit step passes if either L-shaped
  orthogonal path is open, as :meth:`sim.world.landscape.Landscape.step_blocked`);
* the map edge stops the jump, or, on an open-boundary map, the walker emigrates;
* entering a road cell counts one road crossing, weighted by the cell's crossing risk (1 on an
  unmitigated road; crossing structures and speed limits lower it: ``Landscape.road_risk``); each
  independent member of the unit survives the month's weighted crossings k with probability
  (1 - ``road_crossing_mortality`` x the road mitigation factor)^k (cubs, carried along by their
  mother, are exempt).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from scipy.ndimage import binary_dilation

from ..registry import DIRECTIONS, register
from ..world.landscape import derived_cache
from . import ranges
from .energetics import DAYS_PER_MONTH


# ------------------------------------------------------------------------------------ rules
@njit(cache=True)
def _habitat_headings(rows, cols, step_cells, weights, u, food, food_row, food_col, food_bias, food_weights):
    """The heading of each walker: direction d with weight habitat(destination)^bias (+ 1e-6)
    x (1 + food at the destination's prey cell)^food_bias (``food``: prey biomass relative to the
    reference, on the prey grid; ``food_row``, ``food_col``: the prey row and column of every
    landscape row and column, :func:`_prey_cells`; food_bias 0: habitat only), drawn with the
    uniform numbers ``u``. ``weights``: habitat^bias of every cell (:func:`habitat_weights`);
    ``food_weights``: (1 + food)^food_bias of the prey cells met so far (NaN: not yet computed,
    filled in here; the same operation, so the same numbers, as computing it anew each time)."""
    n_rows, n_cols = weights.shape
    out = np.empty(rows.size, dtype=np.int64)
    w = np.empty(8)
    for i in range(rows.size):
        total = 0.0
        for d in range(8):
            r = min(max(rows[i] + _DR[d] * step_cells[i], 0), n_rows - 1)
            c = min(max(cols[i] + _DC[d] * step_cells[i], 0), n_cols - 1)
            weight = weights[r, c] + 1e-6
            if food_bias != 0.0:
                fr, fc = food_row[r], food_col[c]
                fw = food_weights[fr, fc]
                if fw != fw:
                    fw = (1.0 + food[fr, fc]) ** food_bias
                    food_weights[fr, fc] = fw
                weight *= fw
            total += weight
            w[d] = total
        target = u[i] * total
        k = 0
        for d in range(8):
            if w[d] < target:
                k += 1
        out[i] = k
    return out


@njit(cache=True)
def _powers(layer, exponent):
    """layer ** exponent, cell by cell, compiled (the very operation :func:`_habitat_headings`
    made per walker and direction, so the same numbers to the last bit)."""
    out = np.empty(layer.shape)
    for r in range(layer.shape[0]):
        for c in range(layer.shape[1]):
            out[r, c] = layer[r, c] ** exponent
    return out


def habitat_weights(land, bias: float) -> np.ndarray:
    """habitat ** bias of every cell of ``land`` (read-only), the habitat part of a heading's
    weight; cached per landscape object (weakly, like :class:`WalkGeometry`) and bias."""
    per = derived_cache(_WEIGHTS, land)
    weights = per.get(bias)
    if weights is None:
        weights = _powers(np.ascontiguousarray(land.habitat, dtype=np.float64), bias)
        weights.setflags(write=False)
        per[bias] = weights
    return weights


#: habitat ** bias per landscape object and bias.
_WEIGHTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@njit(cache=True)
def _prey_cells(n, f):
    """The prey cell (row or column) of each of n landscape cells along an axis, on the prey grid
    coarsened f: a look-up instead of a division per walker and direction."""
    return np.arange(n) // f


def _unknown(food: np.ndarray) -> np.ndarray:
    """The empty memo of food weights (NaN: not yet computed) for :func:`_habitat_headings`."""
    return np.full(food.shape, np.nan)


_DR = DIRECTIONS[:, 0].copy()
_DC = DIRECTIONS[:, 1].copy()


_NO_FOOD = np.zeros((1, 1))


@register("movement", "habitat_walk")
def habitat_walk(model, rows, cols, headings, step_cells, rng):
    """Habitat-biased walk: heading chosen with weight habitat(destination)^walk_habitat_bias
    (destination clipped to the map)."""
    u = rng.random(len(rows))
    return _habitat_headings(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                             np.asarray(step_cells, dtype=np.int64),
                             habitat_weights(model.landscape, float(model.params.walk_habitat_bias)), u,
                             _NO_FOOD, _prey_cells(len(model.landscape.habitat), 1),
                             _prey_cells(model.landscape.habitat.shape[1], 1), 0.0, _NO_FOOD)


@register("movement", "prey_walk")
def prey_walk(model, rows, cols, headings, step_cells, rng):
    """Walk towards habitat and prey: heading chosen with weight habitat(destination)^
    walk_habitat_bias x (1 + prey biomass there / walk_prey_reference_kg_km2)^walk_prey_bias."""
    u = rng.random(len(rows))
    food, f, bias = _food(model)
    return _habitat_headings(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
                             np.asarray(step_cells, dtype=np.int64),
                             habitat_weights(model.landscape, float(model.params.walk_habitat_bias)), u,
                             food, _prey_cells(model.landscape.habitat.shape[0], f),
                             _prey_cells(model.landscape.habitat.shape[1], f), bias, _unknown(food))


def _food(model):
    """Prey biomass [kg/km²] of every prey cell relative to ``walk_prey_reference_kg_km2``, the
    prey grid's coarsening factor, and the bias exponent."""
    p = model.params
    prey = model.prey
    biomass = _biomass(prey.N, model.prey_mass)
    return biomass / (prey.grid.cell_area_km2 * p.walk_prey_reference_kg_km2), prey.factor, float(p.walk_prey_bias)


@njit(cache=True)
def _biomass(N, mass):
    out = np.zeros(N.shape[1:])
    for s in range(N.shape[0]):
        for r in range(N.shape[1]):
            for c in range(N.shape[2]):
                out[r, c] += N[s, r, c] * mass[s]
    return out


@njit(cache=True)
def _habitat_steps(rows, cols, headings, gone, crossings, step_cells, u, weights, food, food_f, food_bias,
                   food_weights, check, east, south, road, risk, open_boundary):
    """Sub-steps of :func:`habitat_walk` or :func:`prey_walk` and their jumps, in place, one per
    row of ``u`` (the uniform numbers, (sub-steps, walkers)): the same numbers as the rule followed
    by the walk engine's jump, sub-step after sub-step."""
    food_row, food_col = _prey_cells(weights.shape[0], food_f), _prey_cells(weights.shape[1], food_f)
    for s in range(u.shape[0]):
        d = _habitat_headings(rows, cols, step_cells, weights, u[s], food, food_row, food_col, food_bias,
                              food_weights)
        for i in range(rows.size):
            if not gone[i]:
                headings[i] = d[i]
        _jump(rows, cols, d, gone, step_cells, check, east, south, road, risk, open_boundary, crossings)


def _walk_month(model, rows, cols, headings, step_cells, substeps, rng, food, food_f, food_bias):
    """:func:`walk` with :func:`habitat_walk` or :func:`prey_walk`, compiled. The same draws in the
    same order: one uniform number per walker and sub-step. On a closed map nobody leaves, so all
    sub-steps are walked and their numbers drawn at once (``rng.random((substeps, n))`` gives the
    numbers of ``substeps`` calls of ``rng.random(n)``, in order); on an open map the walk stops
    once every walker has left, so each sub-step draws its own."""
    geo = model.walk_geometry
    land = model.landscape
    weights = habitat_weights(land, float(model.params.walk_habitat_bias))
    open_boundary = bool(land.open_boundary)
    food_weights = _unknown(food) if food_bias != 0.0 else _NO_FOOD
    crossings = np.zeros(rows.size, dtype=np.float64)
    gone = np.zeros(rows.size, dtype=bool)
    args = (weights, food, food_f, food_bias, food_weights, geo.check, geo.east, geo.south, geo.road, geo.risk,
            open_boundary)
    if not open_boundary:
        _habitat_steps(rows, cols, headings, gone, crossings, step_cells, rng.random((substeps, rows.size)), *args)
        return rows, cols, headings, crossings, gone
    for _ in range(substeps):
        if gone.all():
            break
        _habitat_steps(rows, cols, headings, gone, crossings, step_cells, rng.random((1, rows.size)), *args)
    return rows, cols, headings, crossings, gone


#: A movement rule may offer its whole month as one call (same arguments as :func:`walk`, less
#: the rule): :func:`walk` then uses it.
habitat_walk.month = lambda model, *a: _walk_month(model, *a, _NO_FOOD, 1, 0.0)
prey_walk.month = lambda model, *a: _walk_month(model, *a, *_food(model))


@register("movement", "correlated_walk")
def correlated_walk(model, rows, cols, headings, step_cells, rng):
    """Correlated random walk: keep the heading with probability walk_persistence, else turn to a
    uniformly random heading (habitat ignored)."""
    keep = rng.random(len(rows)) < model.params.walk_persistence
    new = rng.integers(0, 8, size=len(rows))
    return np.where(keep & (headings >= 0), headings, new)


# ------------------------------------------------------------------------------------ walk engine
@dataclass
class WalkGeometry:
    """Per-landscape precomputation for the walk (built once per landscape and max jump length).

    :meth:`build` caches the geometry per landscape object (weakly: dropped with the landscape),
    so the replicates a worker runs on one landscape share it (``check`` is read-only; the
    others are the landscape's own layers). Landscapes are immutable (management makes a new
    one), so the cache never goes stale.
    """

    check: np.ndarray      # bool (rows, cols): a jump from here may meet a fence or road
    east: np.ndarray
    south: np.ndarray
    road: np.ndarray
    risk: np.ndarray       # float (rows, cols): crossing risk of road cells (Landscape.road_risk)

    @classmethod
    def build(cls, land, max_step_cells: int) -> "WalkGeometry":
        key = max(int(max_step_cells) + 1, 1)
        per = derived_cache(_GEOMETRY, land)
        geo = per.get(key)
        if geo is None:
            east, south = land.barriers
            mark = np.zeros(land.shape, dtype=bool)
            for fence in land.fences:
                mark[fence.edges[:, 1], fence.edges[:, 2]] = True
            mark |= land.road
            check = binary_dilation(mark, iterations=key) if mark.any() else mark
            geo = cls(check=check, east=east, south=south, road=land.road, risk=land.road_risk)
            check.setflags(write=False)
            if len(per) >= 4:
                per.pop(next(iter(per)))
            per[key] = geo
        return geo


#: WalkGeometry per landscape object and dilation (max jump + 1 cells).
_GEOMETRY: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@njit(cache=True)
def _blocked(east, south, r, c, dr, dc):
    """Unit step (dr, dc) from (r, c) crosses a closed edge (both cells inside the map)."""
    if dr == 0:
        return east[r, c if dc > 0 else c - 1]
    if dc == 0:
        return south[r if dr > 0 else r - 1, c]
    p1 = east[r, c if dc > 0 else c - 1] or south[r if dr > 0 else r - 1, c + dc]
    p2 = south[r if dr > 0 else r - 1, c] or east[r + dr, c if dc > 0 else c - 1]
    return p1 and p2


@njit(cache=True)
def _jump(rows, cols, d, gone, step_cells, check, east, south, road, risk, open_boundary, crossings):
    """One jump of every walker still on the map, in place: the walker heads d (0..7)
    ``step_cells`` cells; jumps from cells marked in ``check`` (or leaving the map) are followed
    cell by cell (fences stop them, road cells entered add their crossing risk to ``crossings``,
    the open map edge is emigration)."""
    n_rows, n_cols = check.shape
    for i in range(rows.size):
        if gone[i]:
            continue
        dr, dc = _DR[d[i]], _DC[d[i]]
        r, c = rows[i], cols[i]
        tr, tc = r + dr * step_cells[i], c + dc * step_cells[i]
        inside = 0 <= tr < n_rows and 0 <= tc < n_cols
        if inside and not check[r, c]:
            rows[i], cols[i] = tr, tc
            continue
        for _ in range(step_cells[i]):
            nr, nc = r + dr, c + dc
            if not (0 <= nr < n_rows and 0 <= nc < n_cols):
                gone[i] = open_boundary
                break
            if _blocked(east, south, r, c, dr, dc):
                break
            if road[nr, nc] and not road[r, c]:
                crossings[i] += risk[nr, nc]
            r, c = nr, nc
        rows[i], cols[i] = r, c


def walk(model, rows: np.ndarray, cols: np.ndarray, headings: np.ndarray, step_cells: np.ndarray,
         substeps: int, rule, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Move walkers for one month: ``substeps`` jumps, headings from ``rule``.

    Returns new (rows, cols, headings, road_crossings, emigrated) arrays (road crossings weighted
    by the crossing risk of the cells entered). Walkers that emigrate
    stop where they left the map.
    """
    land = model.landscape
    geo = model.walk_geometry
    rows = np.array(rows, dtype=np.int64)            # copies: the walk moves them in place
    cols = np.array(cols, dtype=np.int64)
    headings = np.array(headings, dtype=np.int64)
    step_cells = np.asarray(step_cells, dtype=np.int64)
    whole_month = getattr(rule, "month", None)
    if whole_month is not None:
        return whole_month(model, rows, cols, headings, step_cells, substeps, rng)
    crossings = np.zeros(len(rows), dtype=np.float64)
    gone = np.zeros(len(rows), dtype=bool)
    for _ in range(substeps):
        if gone.all():
            break
        d = np.asarray(rule(model, rows, cols, headings, step_cells, rng), dtype=np.int64)
        headings = np.where(gone, headings, d)
        _jump(rows, cols, d, gone, step_cells, geo.check, geo.east, geo.south, geo.road, geo.risk,
              bool(land.open_boundary), crossings)
    return rows, cols, headings, crossings, gone


# ------------------------------------------------------------------------------------ the month
def move(m: Any) -> None:
    """The month's movement (see the module docstring): residents whose range no longer feeds
    them shift, grow or leave it (:func:`sim.life.ranges.follow_prey`); walking units walk, die on
    roads or by leaving the map, and may settle (:func:`sim.life.ranges.settle_walkers`)."""
    pop = m.cheetahs
    if len(pop) == 0:
        return
    p = m.params
    units, need = m.roster()
    leaders = units.leaders
    unit_need_year = units.total(need) * 12
    land = m.landscape
    steps = [max(1, round(km * DAYS_PER_MONTH / p.walk_substeps / land.cell_km))     # cells a jump, per sex
             for km in (p.daily_travel_km_female, p.daily_travel_km_male)]
    res_leaders, res_need, walking, step_cells = _residents_and_walkers(
        leaders, unit_need_year, pop.home_row, pop.boma_months, pop.male, steps[0], steps[1])
    if res_leaders.size and m.density.uses_prey and getattr(m.settle_rule, "follows_prey", True):
        ranges.follow_prey(m, res_leaders, res_need)
        res_leaders, res_need, walking, step_cells = _residents_and_walkers(
            leaders, unit_need_year, pop.home_row, pop.boma_months, pop.male, steps[0], steps[1])
    if walking.size == 0:
        return
    version = pop.version
    rows, cols, heads, crossings, gone = walk(m, pop.row[walking], pop.col[walking], pop.heading[walking],
                                              step_cells, p.walk_substeps, m.move_rule, m.rng)
    unit_index, follows = _carry_units(leaders, walking, units.owner, units.is_cub, rows, cols, heads,
                                       pop.row, pop.col, pop.heading)
    _deaths_on_the_way(m, units, walking, follows, crossings, gone)
    if pop.version == version and pop.alive.all():
        # nobody died (nor lies dead uncompacted): the month's units, and their needs, stand
        ranges.settle_walkers(m, walking, res_leaders, unit_need_year[unit_index], res_need)
        return
    alive = pop.alive[walking]
    lead_now = pop.leaders()
    walkers = walking[alive & (lead_now[walking] == walking)]
    new = pop.compact()
    if new is not None:
        walkers, res_leaders = new[walkers], new[res_leaders]
    if walkers.size:
        after, need = m.roster()
        unit_need = after.total(need)[np.searchsorted(after.leaders, walkers)]
        ranges.settle_walkers(m, walkers, res_leaders, unit_need * 12, res_need)


@njit(cache=True)
def _residents_and_walkers(leaders, unit_need, home_row, boma_months, male, step_female, step_male):
    """The month's resident units (leaders, in row order) and their needs (``unit_need``, per
    unit), and the walking units: leaders without a home range and out of the boma, in row
    order, with the cells a jump of each (``step_female``, ``step_male``, by the leader's sex)."""
    n = leaders.size
    res = np.empty(n, dtype=np.int64)
    res_need = np.empty(n)
    walking = np.empty(n, dtype=np.int64)
    step_cells = np.empty(n, dtype=np.int64)
    r = w = 0
    for k in range(n):
        a = leaders[k]
        if home_row[a] >= 0:
            res[r] = a
            res_need[r] = unit_need[k]
            r += 1
        elif boma_months[a] == 0:
            walking[w] = a
            step_cells[w] = step_male if male[a] else step_female
            w += 1
    return res[:r], res_need[:r], walking[:w], step_cells[:w]


@njit(cache=True)
def _carry_units(leaders, walking, owner, is_cub, rows, cols, heads, row, col, heading):
    """Every member of a walking unit goes where its leader went (``rows``, ``cols``, in place in
    the population's ``row`` and ``col``); its independent members take the leader's heading.
    Returns each walking unit's index among the month's units (``leaders``; ``walking`` is a
    subset, both in row order) and, per animal, the index in ``walking`` of the unit it follows
    (-1: not walking)."""
    unit_index = np.searchsorted(leaders, walking)
    slot = np.full(leaders.size, -1)
    for k in range(walking.size):
        slot[unit_index[k]] = k
    follows = np.empty(owner.size, dtype=np.int64)
    for i in range(owner.size):
        k = slot[owner[i]]
        follows[i] = k
        if k >= 0:
            row[i] = rows[k]
            col[i] = cols[k]
            if not is_cub[i]:
                heading[i] = heads[k]
    return unit_index, follows


def _deaths_on_the_way(m: Any, units, walking: np.ndarray, follows: np.ndarray, crossings: np.ndarray,
                       gone: np.ndarray) -> None:
    """Units that walked off an open map edge are lost (cubs first, then each member); each member
    of a unit that crossed roads dies with probability 1 - (1 - p)^crossings (crossings weighted
    by the cells' crossing risk; one draw per member, units in order)."""
    pop = m.cheetahs
    p = m.params
    p_cross = min(1.0, p.road_crossing_mortality * m.road_factor)
    for i in np.flatnonzero(gone | (crossings > 0)).tolist():
        members = np.flatnonzero((follows == i) & ~units.is_cub)
        if gone[i]:
            rows, causes = [], []
            for g in members.tolist():
                cubs = np.flatnonzero((pop.mother == g) & pop.alive).tolist()
                rows += cubs + [g]
            m.kill(np.array(rows, dtype=np.int64), ["emigrated"] * len(rows), compact=False)
        elif p_cross > 0:
            die = m.rng.random(members.size) < 1.0 - (1.0 - p_cross) ** crossings[i]
            if die.any():
                m.kill(members[die], ["road"] * int(die.sum()), compact=False)
