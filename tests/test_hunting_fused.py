"""The fused compiled steps of the monthly hunt equal, bit for bit, the numpy steps they replace
(sim.life.hunting, sim.prey.boxes): the reserve deficits computed inside the hunting-grounds pass,
the walking units it lists, box totals with corner weights shared by the species, and the
one-pass clipping of box bounds."""

from __future__ import annotations

import numpy as np

from sim.life import energetics, hunting
from sim.model.model import ReintroductionModel
from sim.prey import boxes
from tests.helpers import flat_landscape, scenario


def _mixed_model(seed: int = 3) -> ReintroductionModel:
    """Residents and walkers, mothers with cubs of several ages, uneven body condition."""
    land = flat_landscape(40, 40)
    m = ReintroductionModel(scenario(), land, rng=np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    for k in range(12):
        r, c = int(rng.integers(0, 40)), int(rng.integers(0, 40))
        (h,) = m.add_cheetahs(1, sex="F" if k % 2 else "M", age_months=30 + 7 * k, row=r, col=c,
                              condition=0.3 + 0.05 * k)
        if k % 3:
            h.settle(r, c, 8.0 + k)
        if k % 2:
            m.add_cheetahs(1 + k % 3, sex="M", age_months=2 + 3 * k % 15, row=r, col=c, mother=h,
                           condition=0.2 + 0.06 * k)
    return m


def _numpy_reserve_deficit(m, leaders):
    """The numpy formula of :func:`sim.life.hunting.reserve_deficit` before it was compiled."""
    units, need = m.roster()
    k = np.searchsorted(units.leaders, leaders)
    return (units.total(need * (1.0 - m.cheetahs.condition)) / np.maximum(units.total(need), 1e-12))[k]


def test_reserve_deficit_computed_in_the_hunting_grounds_pass_is_the_numpy_value():
    m = _mixed_model()
    units, need = m.roster()
    leaders = units.leaders
    assert leaders.size > 3
    hunger = _numpy_reserve_deficit(m, leaders)
    assert np.array_equal(hunting.reserve_deficit(m, leaders), hunger)
    assert np.array_equal(hunting._reserve_deficit(units.owner, need, m.cheetahs.condition, leaders), hunger)
    sub = leaders[::2]
    assert np.array_equal(hunting._reserve_deficit(units.owner, need, m.cheetahs.condition, sub),
                          _numpy_reserve_deficit(m, sub))
    need_kg = units.total(need)
    fused = hunting.hunting_grounds(m, leaders, need_kg)
    given = hunting.hunting_grounds(m, leaders, need_kg, hunger)
    assert len(fused) == len(given) == 8
    for a, b in zip(fused, given):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_walking_units_listed_by_the_hunting_grounds_pass_are_those_without_a_home_range():
    m = _mixed_model()
    units, need = m.roster()
    pop = m.cheetahs
    p = m.params
    out = hunting._hunting_grounds(
        pop.home_row, pop.home_col, pop.row, pop.col, pop.hr_radius_km, pop.origin, pop.months_free,
        pop.mother, pop.birth, pop.clock, units.leaders, units.total(need), np.zeros(0), units.owner, need,
        pop.condition, m.prey.table(), m.prey.factor, m.landscape.rows, m.landscape.cols, m.landscape.cell_km,
        m.prey_attack_km2, m.prey_handling_days, p.walker_hunt_radius_km, 100.0, p.search_path_km_per_day,
        p.den_search_factor, p.den_months, p.hunger_effort, p.captive_hunting_factor, 1)
    assert 0 < out[2].size < units.leaders.size and (pop.mother >= 0).any()
    assert np.array_equal(out[2], np.flatnonzero(pop.home_row[units.leaders] < 0))


def test_kills_kept_without_competitors_is_one_minus_the_scavengers_share():
    m = _mixed_model()
    m.competitor_tables = {}
    r = np.arange(5, dtype=np.int64)
    kept = hunting.kills_kept(m, r, r + 3, r, r + 3)
    assert np.array_equal(kept, (1.0 - m.params.kleptoparasitism) * np.exp(-np.zeros(5)))


def _corner(sat, s, r, c, f, n_rows, n_cols):
    """The summed-area value at fine corner (r, c), interpolated within the prey cell as the model
    did before the corner weights were shared (plain Python, every species on its own)."""
    q, a = divmod(r, f)
    p, b = divmod(c, f)
    u = a / min(f, max(n_rows - q * f, 1))
    v = b / min(f, max(n_cols - p * f, 1))
    q1 = min(q + 1, sat.shape[1] - 1)
    p1 = p + 1 if p + 1 < sat.shape[2] else p
    s00, s01, s10, s11 = sat[s, q, p], sat[s, q, p1], sat[s, q1, p], sat[s, q1, p1]
    return s00 + u * (s10 - s00) + v * (s01 - s00) + (u * v) * (s11 - s10 - s01 + s00)


def _box_totals_per_species(sat, r0, r1, c0, c1, f, n_rows, n_cols):
    """Box totals with each corner interpolated per species (:func:`_corner`)."""
    out = np.empty((r0.size, sat.shape[0]))
    for i in range(r0.size):
        for s in range(sat.shape[0]):
            x = (_corner(sat, s, r1[i], c1[i], f, n_rows, n_cols) - _corner(sat, s, r0[i], c1[i], f, n_rows, n_cols)
                 - _corner(sat, s, r1[i], c0[i], f, n_rows, n_cols) + _corner(sat, s, r0[i], c0[i], f, n_rows, n_cols))
            out[i, s] = x if x >= boxes.ROUND_OFF_ANIMALS else 0.0
    return out


def test_box_totals_with_shared_corner_weights_equal_the_per_species_interpolation():
    rng = np.random.default_rng(7)
    for f, n_rows, n_cols in ((1, 20, 17), (2, 21, 18), (3, 20, 25)):
        R, C = -(-n_rows // f), -(-n_cols // f)
        N = rng.gamma(0.7, 3.0, size=(4, R, C)) * (rng.random((4, R, C)) < 0.7)
        sat = np.zeros((4, R + 1, C + 1))
        sat[:, 1:, 1:] = N.cumsum(1).cumsum(2)
        r0, c0 = rng.integers(0, n_rows, 60), rng.integers(0, n_cols, 60)
        r1 = np.minimum(r0 + rng.integers(0, 9, 60), n_rows)
        c1 = np.minimum(c0 + rng.integers(0, 9, 60), n_cols)
        got = boxes.box_totals(sat, r0, r1, c0, c1, f, n_rows, n_cols)
        assert np.array_equal(got, _box_totals_per_species(sat, r0, r1, c0, c1, f, n_rows, n_cols))


def test_clipping_int64_bounds_in_one_pass_equals_the_numpy_clipping():
    rng = np.random.default_rng(11)
    r0, r1, c0, c1 = (rng.integers(-5, 30, 50) for _ in range(4))
    fast = boxes.clipped(r0, r1, c0, c1, 20, 25)
    slow = boxes.clipped(*(x.astype(np.int32) for x in (r0, r1, c0, c1)), 20, 25)     # the numpy path
    for a, b in zip(fast, slow):
        assert a.dtype == b.dtype == np.int64 and np.array_equal(a, b)
    assert np.array_equal(r0, r0.copy())


def test_eaters_pass_equals_the_numpy_wants_boma_and_unit_totals():
    m = _mixed_model()
    pop = m.cheetahs
    pop.boma_months[pop.row_of(m.handles[0].unique_id)] = 2           # one unit fed in a boma
    units, need = m.roster()
    p = m.params
    want, in_boma, hunt, kg = hunting._hunters(units.owner, units.leaders, pop.boma_months, need, pop.condition,
                                               p.reserve_days * p.food_kg_per_day)
    numpy_want = energetics.wants(p, need, pop.condition)
    numpy_boma = pop.boma_months[units.leaders] > 0
    numpy_hunt = np.flatnonzero(~numpy_boma)
    assert numpy_boma.any() and numpy_hunt.size
    assert np.array_equal(want, numpy_want)
    assert np.array_equal(in_boma, numpy_boma) and np.array_equal(hunt, numpy_hunt)
    assert np.array_equal(kg[0], units.total(need)[numpy_hunt])
    assert np.array_equal(kg[1], units.total(numpy_want)[numpy_hunt])


def test_scaling_rows_in_place_equals_numpy_fancy_scaling():
    rng = np.random.default_rng(5)
    x = rng.random((9, 4))
    rows = np.array([1, 4, 8], dtype=np.int64)
    factor = 1.0 - rng.random(3)
    expected = x.copy()
    expected[rows] *= factor[:, None]
    hunting._scale_rows(x, rows, factor)
    assert np.array_equal(x, expected)


def _remove_kills_reference(N, r0, r1, c0, c1, kills, f, n_rows, n_cols):
    """The removal with each row's cover computed where used (as before the covers were kept per box)."""
    loss = np.zeros_like(N)
    for i in range(r0.size):
        if r1[i] <= r0[i] or c1[i] <= c0[i]:
            continue
        fr0, fr1 = boxes._span(r0[i], r1[i], f, n_rows)
        fc0, fc1 = boxes._span(c0[i], c1[i], f, n_cols)
        for s in range(N.shape[0]):
            if kills[i, s] <= 0.0:
                continue
            present = 0.0
            for R in range(fr0, fr1 + 1):
                wr = boxes._cover(R, r0[i], r1[i], f, n_rows)
                for C in range(fc0, fc1 + 1):
                    present += wr * boxes._cover(C, c0[i], c1[i], f, n_cols) * N[s, R, C]
            if present <= 0.0:
                continue
            frac = min(kills[i, s], present) / present
            for R in range(fr0, fr1 + 1):
                wr = boxes._cover(R, r0[i], r1[i], f, n_rows)
                for C in range(fc0, fc1 + 1):
                    loss[s, R, C] += frac * wr * boxes._cover(C, c0[i], c1[i], f, n_cols)
    return np.where(loss != 0.0, N * np.maximum(1.0 - loss, 0.0), N)


def test_remove_kills_with_covers_kept_per_box_equals_the_reference_bit_for_bit():
    rng = np.random.default_rng(13)
    for f, n_rows, n_cols in ((1, 20, 17), (2, 21, 18), (3, 20, 25)):
        R, C = -(-n_rows // f), -(-n_cols // f)
        N = rng.gamma(0.7, 30.0, size=(4, R, C)) * (rng.random((4, R, C)) < 0.8)
        r0, c0 = rng.integers(0, n_rows, 40), rng.integers(0, n_cols, 40)
        r1 = np.minimum(r0 + rng.integers(0, 9, 40), n_rows)
        c1 = np.minimum(c0 + rng.integers(0, 9, 40), n_cols)
        kills = np.floor(rng.gamma(0.5, 4.0, size=(40, 4)))
        expected = _remove_kills_reference(N, r0, r1, c0, c1, kills, f, n_rows, n_cols)
        got = N.copy()
        boxes.remove_kills(got, r0, r1, c0, c1, kills, f, n_rows, n_cols, np.zeros_like(N))
        assert np.array_equal(got, expected)


def test_competitor_box_means_added_in_one_pass_equal_the_numpy_sum():
    rng = np.random.default_rng(17)
    for layer in (rng.gamma(0.5, 0.02, size=(30, 26)), rng.integers(0, 5, size=(30, 26))):
        from sim.world.geometry import summed_area_table
        sat = summed_area_table(layer)
        r0, c0 = rng.integers(0, 30, 50), rng.integers(0, 26, 50)
        r1, c1 = np.minimum(r0 + rng.integers(0, 7, 50), 30), np.minimum(c0 + rng.integers(0, 7, 50), 26)
        expected = np.zeros(50)
        expected += 0.7 * hunting._box_mean(sat, r0, r1, c0, c1)
        expected += 1.3 * hunting._box_mean(sat, r0, r1, c0, c1)
        got = np.zeros(50)
        hunting._add_box_mean(got, 0.7, sat, r0, r1, c0, c1)
        hunting._add_box_mean(got, 1.3, sat, r0, r1, c0, c1)
        assert np.array_equal(got, expected)
