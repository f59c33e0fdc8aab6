"""The compiled month of walking (sim.life.movement): the same walk, to the bit and the draw, as
the rule's sub-steps taken one by one by the generic walk engine."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numba import njit

from sim import registry as rules
from sim.life import movement
from sim.life.movement import _habitat_headings, _unknown, habitat_weights, walk
from sim.model.model import ReintroductionModel
from tests.helpers import flat_landscape, scenario


def _model(open_boundary: bool, seed: int = 5, road_col: int | None = 17, fence_row: int | None = 20):
    """A 40 x 40 map of uneven habitat (0.02-0.9), a road and a fence with a gap, prey spread
    unevenly (so the prey term of prey_walk matters)."""
    land = flat_landscape(40, 40, fence_row=fence_row, gaps=(8,), road_col=road_col, open_boundary=open_boundary)
    habitat = np.random.default_rng(seed).uniform(0.02, 0.9, land.shape)
    land = dataclasses.replace(land, habitat=habitat)
    m = ReintroductionModel(scenario(cheetah={"walk_habitat_bias": 1.7}), land, rng=np.random.default_rng(seed))
    m.prey.N *= np.random.default_rng(seed + 1).uniform(0.0, 3.0, m.prey.N.shape)
    return m


def _walkers(n: int, seed: int):
    g = np.random.default_rng(seed)
    return (g.integers(0, 40, n), g.integers(0, 40, n), g.integers(-1, 8, n), g.choice([1, 3, 9], n))


def _one_by_one(rule):
    """The rule without its compiled month: the walk engine then calls it once per sub-step."""
    return lambda *a: rule(*a)


@pytest.mark.parametrize("open_boundary", [False, True])
@pytest.mark.parametrize("name", ["habitat_walk", "prey_walk"])
def test_compiled_month_walks_as_the_substeps_one_by_one(name, open_boundary):
    rule = rules.get("movement", name)
    assert rule.month is not None
    for seed, n in ((1, 60), (2, 7), (3, 1), (4, 0)):
        out = []
        for r in (rule, _one_by_one(rule)):
            m = _model(open_boundary)
            m.rng = np.random.default_rng(seed)
            rows, cols, heads, step = _walkers(n, seed)
            res = walk(m, rows, cols, heads, step, 8, r, m.rng)
            out.append((res, m.rng.bit_generator.state, m.rng.random()))
        (a, state_a, next_a), (b, state_b, next_b) = out
        for x, y in zip(a, b):
            assert x.dtype == y.dtype and np.array_equal(x, y)
        assert state_a == state_b and next_a == next_b          # the same draws, no more, no fewer
    if open_boundary:                                             # the walk did reach the open edge
        m = _model(True)
        res = walk(m, *_walkers(200, 9), 8, rule, m.rng)
        assert res[4].any() and res[3].any()


@pytest.mark.parametrize("open_boundary", [False, True])
def test_the_walk_draws_until_everyone_has_left_an_open_map(open_boundary):
    """Jumps of 40 cells leave a 40 x 40 map in any heading: on an open map everyone is gone after
    the first sub-step, which alone draws; on a closed map all eight sub-steps draw."""
    m = _model(open_boundary, road_col=None, fence_row=None)
    ref = np.random.default_rng()
    ref.bit_generator.state = m.rng.bit_generator.state
    _, _, _, _, gone = walk(m, np.array([20, 21]), np.array([20, 19]), np.array([-1, -1]), np.array([40, 40]), 8,
                            rules.get("movement", "prey_walk"), m.rng)
    assert bool(gone.all()) is open_boundary
    ref.random(2 if open_boundary else 16)
    assert m.rng.bit_generator.state == ref.bit_generator.state


@njit(cache=True)
def _headings_as_before(rows, cols, step_cells, habitat, bias, u, food, food_f, food_bias):
    """The headings as computed before the weight tables: habitat ** bias and (1 + food) **
    food_bias anew for every walker and direction."""
    n_rows, n_cols = habitat.shape
    out = np.empty(rows.size, dtype=np.int64)
    w = np.empty(8)
    for i in range(rows.size):
        total = 0.0
        for d in range(8):
            r = min(max(rows[i] + movement._DR[d] * step_cells[i], 0), n_rows - 1)
            c = min(max(cols[i] + movement._DC[d] * step_cells[i], 0), n_cols - 1)
            weight = habitat[r, c] ** bias + 1e-6
            if food_bias != 0.0:
                weight *= (1.0 + food[r // food_f, c // food_f]) ** food_bias
            total += weight
            w[d] = total
        target = u[i] * total
        k = 0
        for d in range(8):
            if w[d] < target:
                k += 1
        out[i] = k
    return out


@pytest.mark.parametrize("bias, food_bias", [(2.0, 0.0), (1.7, 1.0), (0.5, 0.35), (3.0, 2.5)])
def test_weight_tables_give_the_headings_of_the_powers_taken_anew(bias, food_bias):
    m = _model(False)
    land = m.landscape
    g = np.random.default_rng(7)
    food = g.uniform(0.0, 5.0, (20, 20))
    rows, cols, _, step = _walkers(5000, 8)
    u = g.random(rows.size)
    weights = habitat_weights(land, bias)
    assert habitat_weights(land, bias) is weights and not weights.flags.writeable
    new = _habitat_headings(rows, cols, step, weights, u, food, np.arange(40) // 2, np.arange(40) // 2, food_bias,
                            _unknown(food))
    old = _headings_as_before(rows, cols, step, land.habitat, bias, u, food, 2, food_bias)
    assert np.array_equal(new, old)
    # the table holds the very numbers of the compiled power, cell by cell
    assert np.array_equal(weights, np.array([[x ** bias for x in row] for row in land.habitat.tolist()]))


def test_carry_units_moves_every_member_as_the_numpy_bookkeeping_did():
    """movement._carry_units: members of walking units go where their leader went, independent
    members take its heading, cubs keep theirs; the same as the fancy-indexing it replaced."""
    g = np.random.default_rng(11)
    n = 300
    lead = np.arange(n)
    for i in range(1, n):                       # some animals follow an earlier one (cub or coalition)
        if g.random() < 0.4:
            lead[i] = lead[g.integers(0, i)]
    leaders = np.flatnonzero(lead == np.arange(n))
    owner = np.searchsorted(leaders, lead)
    is_cub = (lead != np.arange(n)) & (g.random(n) < 0.5)
    walking = leaders[g.random(leaders.size) < 0.5]
    rows, cols, heads = g.integers(0, 50, walking.size), g.integers(0, 50, walking.size), g.integers(0, 8, walking.size)
    row, col, heading = g.integers(0, 50, n), g.integers(0, 50, n), g.integers(-1, 8, n)
    expected = row.copy(), col.copy(), heading.copy()
    unit_index = np.searchsorted(leaders, walking)
    slot = np.full(len(leaders), -1)
    slot[unit_index] = np.arange(walking.size)
    follows = slot[owner]
    moved = np.flatnonzero(follows >= 0)
    expected[0][moved] = rows[follows[moved]]
    expected[1][moved] = cols[follows[moved]]
    indep = moved[~is_cub[moved]]
    expected[2][indep] = heads[follows[indep]]
    got_index, got_follows = movement._carry_units(leaders, walking, owner, is_cub, rows, cols, heads, row, col, heading)
    assert np.array_equal(got_index, unit_index) and np.array_equal(got_follows, follows)
    for a, b in zip((row, col, heading), expected):
        assert np.array_equal(a, b)
