"""Home ranges follow the prey (sim.life.ranges.follow_prey, run by the month's movement): a
resident whose range no longer feeds it shifts its centre by one range radius towards the prey,
a closed fence on the way blocks the shift, and with nothing to shift to or grow into it leaves.

The map: 30 x 50 cells of 2.5 km, habitat 0.8 everywhere; prey on the landscape grid
(prey_cell_km 2.5). One lone resident female centred on cell (15, 12) with a range of radius
30 km. Ranges are boxes of the same area: half side rint(30 km x sqrt(pi)/2 / 2.5 km) = 11
cells, so her box spans columns 1..23; a shift is rint(30 / 2.5) = 12 cells (30 km, one
radius); the largest range (40 km) spans rint(40 x 0.8862 / 2.5) = 14 cells either side, columns
0..26. Gazelle capacity 2/km² everywhere, but the gazelles are removed from every column west of
28: the prey is only "to the east", beyond the reach of any range around her centre.

Supply by hand (sim.life.ranges: sustainable yield = stock up to half capacity x 27 kg x 0.6 x
r_max 0.3 / 2 = 2.43 kg/yr per animal; the catch term is far larger here): her range 0 kg/yr,
less than abandon_supply_fraction 0.5 x her need (4 kg/day x 365.25 = 1461 kg/yr), so she looks
for a better range. East (centre (15, 24), columns 13..35, rows 4..26): 8 x 23 = 184 cells with
prey x 6.25 animals (half capacity) x 2.43 = 2794.5 kg/yr >= 1461: she shifts there. North-east
and south-east boxes are clipped by the map edge (120 and 112 cells): less.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numba import njit

from sim.config.params import SPECIES
from sim.life import movement, ranges
from sim.model.model import ReintroductionModel
from sim.prey.boxes import _HALF_SIDE
from sim.world.landscape import EAST, Fence
from tests.helpers import flat_landscape, scenario

ROWS, COLS, CENTRE, RADIUS_KM, PREY_FROM_COL = 30, 50, (15, 12), 30.0, 28
GAZELLE = SPECIES.index("gazelle")


def _landscape(fence_col: int | None = None, gap_rows: tuple[int, ...] = ()):
    """The map of the module docstring; optionally a north-south fence on the east edges of
    column ``fence_col`` (all rows), open at ``gap_rows``."""
    land = flat_landscape(ROWS, COLS, saiga=0.0, gazelle=2.0, hare=0.0)
    if fence_col is None:
        return land
    edges = np.array([(EAST, r, fence_col) for r in range(ROWS)], dtype=np.int64)
    gaps = np.zeros(ROWS, dtype=bool)
    gaps[list(gap_rows)] = True
    return dataclasses.replace(land, fences=(Fence("north-south", edges, gaps),))


def _resident(land, *, prey_east: bool = True):
    """The model with the lone resident female of the module docstring, the prey removed west
    of column 28 (or everywhere). Walkers do not settle (settle_prob_per_month ~ 0), so a unit
    that leaves its range is still walking after the month's movement."""
    sc = scenario(prey={"saiga": {"initial_total": 0}, "gazelle": {"initial_total": 2.0 * ROWS * COLS * 6.25}},
                  landscape={"prey_cell_km": 2.5}, cheetah={"settle_prob_per_month": 1e-9})
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(0))
    assert m.prey.factor == 1
    m.prey.N[GAZELLE, :, :PREY_FROM_COL if prey_east else COLS] = 0.0    # before any prey table is built
    (f,) = m.add_cheetahs(sex="F", age_months=60, row=CENTRE[0], col=CENTRE[1])
    f.settle(*CENTRE, RADIUS_KM)
    return m, f


def test_hand_supplies_of_the_set_up():
    """The supplies of the module docstring, from the model's own supply function [kg/yr]."""
    m, _ = _resident(_landscape())
    need = 4.0 * 365.25
    here, east, north_east = ranges.range_supply_kg_year(m, [15, 15, 3], [12, 24, 24], [[RADIUS_KM]] * 3)[:, 0]
    assert here == 0.0
    assert east == pytest.approx(184 * 6.25 * 27 * 0.6 * 0.3 / 2, rel=1e-9) and east >= need
    assert north_east == pytest.approx(120 * 6.25 * 2.43, rel=1e-9) and north_east < east
    largest = ranges.range_supply_kg_year(m, [15], [12], [[40.0]])[0, 0]
    assert largest == 0.0                                   # growing cannot reach the prey


def test_a_resident_whose_prey_left_shifts_its_range_one_radius_towards_the_prey():
    m, f = _resident(_landscape())
    movement.move(m)
    assert f.home == (15, 24), "the centre moves 12 cells (one 30 km radius) east"
    assert f.hr_radius_km == RADIUS_KM
    assert (f.row, f.col) == (15, 24)


def test_a_closed_fence_between_the_resident_and_the_prey_blocks_the_shift():
    """A fence on the east edges of column 18, between her centre (column 12) and the prey: no
    shift east (nor north-east or south-east: both L-paths of a diagonal step cross it); no other
    direction has prey and the largest range reaches column 26 only, so she leaves (walks)."""
    m, f = _resident(_landscape(fence_col=18))
    movement.move(m)
    assert f.home is None and f.hr_radius_km == 0.0
    assert f.col <= 18, "a walker never crosses the closed fence"


def test_a_gap_in_the_fence_on_the_way_lets_the_range_shift():
    m, f = _resident(_landscape(fence_col=18, gap_rows=(15,)))
    movement.move(m)
    assert f.home == (15, 24)


def test_a_resident_with_no_prey_in_any_direction_leaves_its_range():
    """No prey anywhere: no direction is better than the empty range and no radius up to 40 km
    feeds her, so she leaves and walks."""
    m, f = _resident(_landscape(), prey_east=False)
    movement.move(m)
    assert f.alive and f.home is None and f.stage == "transient"


def test_claims_from_the_summed_area_table_equal_the_sum_over_residents():
    """sim.life.ranges._claimed (four look-ups in claims_table, less the unit's own claim) gives
    what summing every other resident's need x the share of its box overlapping the range gives."""
    from sim.life.ranges import _claimed, claims_table
    from sim.prey.boxes import _HALF_SIDE

    rng = np.random.default_rng(0)
    R, C, cell, n = 60, 80, 2.5, 50
    rr, cc = rng.integers(0, R, n), rng.integers(0, C, n)
    rad, need = rng.uniform(3, 40, n), rng.uniform(500, 5000, n)
    table = claims_table(R, C, cell, rr, cc, rad, need)

    def box(r, c, radius):
        h = int(max(0.0, np.rint(radius * _HALF_SIDE / cell)))
        return max(r - h, 0), min(r + h + 1, R), max(c - h, 0), min(c + h + 1, C)

    def by_hand(r, c, radius, skip):
        a0, a1, b0, b1 = box(r, c, radius)
        total = 0.0
        for j in range(n):
            if j != skip:
                p0, p1, q0, q1 = box(rr[j], cc[j], rad[j])
                dr, dc = min(a1, p1) - max(a0, p0), min(b1, q1) - max(b0, q0)
                if dr > 0 and dc > 0:
                    total += need[j] * dr * dc / ((p1 - p0) * (q1 - q0))
        return total

    for _ in range(200):
        i, r, c, radius = rng.integers(0, n), rng.integers(0, R), rng.integers(0, C), rng.uniform(3, 40)
        assert _claimed(table, r, c, radius, cell, R, C, rr[i], cc[i], rad[i], need[i]) == pytest.approx(
            by_hand(r, c, radius, i), rel=1e-9, abs=1e-6)
        assert _claimed(table, r, c, radius, cell, R, C, 0, 0, 0.0, 0.0) == pytest.approx(
            by_hand(r, c, radius, -1), rel=1e-9, abs=1e-6)


def test_the_kept_claims_table_is_given_again_only_for_bit_identical_residents():
    """A month asks for the residents' claims up to three times; ranges.claims keeps the last
    table and gives it again only while centres, radii and needs are the same to the last bit,
    and in the same order (the table's sums depend on the order)."""
    m, f = _resident(_landscape())
    land = m.landscape
    rr, cc = np.array([15, 5, 20]), np.array([12, 30, 40])
    rad, need = np.array([30.0, 12.5, 20.0]), np.array([1461.0, 900.0, 2000.0])
    first = ranges.claims(m, rr, cc, rad, need)
    np.testing.assert_array_equal(first, ranges.claims_table(land.rows, land.cols, land.cell_km, rr, cc, rad, need))
    assert ranges.claims(m, rr.copy(), cc.copy(), rad.copy(), need.copy()) is first      # same values: kept
    nudged = need.copy()
    nudged[1] = np.nextafter(nudged[1], np.inf)                                         # one bit more
    other = ranges.claims(m, rr, cc, rad, nudged)
    assert other is not first
    np.testing.assert_array_equal(other, ranges.claims_table(land.rows, land.cols, land.cell_km, rr, cc, rad,
                                                             nudged))
    order = [2, 0, 1]
    again = ranges.claims(m, rr[order], cc[order], rad[order], need[order])             # same residents, other order
    assert again is not other
    np.testing.assert_array_equal(again, ranges.claims_table(land.rows, land.cols, land.cell_km, rr[order],
                                                             cc[order], rad[order], need[order]))


def test_range_supply_leaves_out_absent_prey_species_without_changing_a_bit():
    """ranges.supply_inputs keeps only the prey species present on the map: the supply of any
    range equals, bit for bit, the supply computed with every species' (empty) tables."""
    m, f = _resident(_landscape())
    tables, coef = ranges.supply_inputs(m)
    present = m.prey.table()[:, -1, -1] > 0.0
    assert not present.all() and np.array_equal(tables[2], np.flatnonzero(present))
    assert tables[0] is m.prey.yield_table() and tables[1] is m.prey.table()     # not copied
    everything = (m.prey.yield_table(), m.prey.table(), np.arange(present.size))
    full_coef = ranges.supply_coefficients(m)
    subset = (np.ascontiguousarray(tables[0][present]), np.ascontiguousarray(tables[1][present]),
              np.arange(present.sum()))
    subset_coef = np.ascontiguousarray(full_coef[:, present])
    land = m.landscape
    rng = np.random.default_rng(3)
    for _ in range(100):
        r, c, radius = int(rng.integers(0, ROWS)), int(rng.integers(0, COLS)), float(rng.uniform(2, 40))
        got = ranges._supply(tables, r, c, radius, land.cell_km, m.prey.factor, land.rows, land.cols, coef)
        assert got == ranges._supply(everything, r, c, radius, land.cell_km, m.prey.factor, land.rows, land.cols,
                                     full_coef)
        assert np.float64(got).view(np.int64) == np.float64(ranges._supply(
            subset, r, c, radius, land.cell_km, m.prey.factor, land.rows, land.cols, subset_coef)).view(np.int64)
    assert ranges.supply_inputs(m)[0] is tables                          # kept until the prey change
    m.prey.remove_kills(0, 5, 30, 40, np.eye(len(SPECIES))[GAZELLE])
    assert ranges.supply_inputs(m)[0] is not tables


def test_road_exposure_compiled_is_the_box_sums_to_the_bit():
    """The compiled road exposure gives the numbers of half_box, boxes and box_sums on the
    summed-area tables, bit for bit: ranges of every size, on and off the map edge, on roads of
    uneven risk."""
    from sim.world.geometry import box_sums, boxes, half_box
    from tests.helpers import flat_landscape, scenario
    g = np.random.default_rng(3)
    land = flat_landscape(30, 40, road_col=12)
    road = land.road | (g.random(land.shape) < 0.05)
    land = land.replace(road=road, road_risk=np.where(road, g.uniform(0.05, 1.0, land.shape), 0.0))
    m = ReintroductionModel(scenario(), land, rng=np.random.default_rng(0))
    rows, cols, radius = g.integers(-2, 32, 500), g.integers(-2, 42, 500), g.uniform(0.0, 60.0, 500)
    r0, r1, c0, c1 = boxes(rows, cols, half_box(radius, land.cell_km), land.shape)
    count = box_sums(m.road_table, r0, r1, c0, c1)
    risk = box_sums(m.road_risk_table, r0, r1, c0, c1)
    expected = np.divide(risk, count, out=np.zeros(count.shape, dtype=np.float64), where=count > 0)
    got = ranges.road_exposure(m, rows, cols, radius)
    assert got.dtype == np.float64 and np.array_equal(got.view(np.int64), expected.view(np.int64))
    assert (got > 0).any() and (got == 0).any()


@pytest.mark.parametrize("f", [1, 2, 3, 5])
def test_supply_is_that_of_box_totals_to_the_bit(f):
    """ranges._supply finds each corner's prey cells once for all species and both tables; its
    supply is that of sim.prey.boxes.box_totals (the corner-by-corner interpolation) on the same
    boxes, bit for bit, whatever the coarsening f of the prey grid and wherever the range lies."""
    from sim.prey.boxes import box_totals
    g = np.random.default_rng(f)
    n_rows, n_cols, cell_km = 23, 31, 2.5
    shape = (3, -(-n_rows // f) + 1, -(-n_cols // f) + 1)
    tables = tuple(np.cumsum(np.cumsum(np.pad(g.uniform(0, 50, (3, shape[1] - 1, shape[2] - 1)) *
                                              (g.random((3, shape[1] - 1, shape[2] - 1)) < 0.7),
                                              ((0, 0), (1, 0), (1, 0))), axis=1), axis=2) for _ in range(2))
    tables += (np.arange(3),)
    coef = g.uniform(0.5, 30.0, (2, 3))
    for _ in range(300):
        r, c, radius = int(g.integers(-3, n_rows + 3)), int(g.integers(-3, n_cols + 3)), float(g.uniform(0, 40))
        h = max(0, int(np.rint(radius * _HALF_SIDE / cell_km)))
        box = [np.array([min(max(x, 0), n)]) for x, n in ((r - h, n_rows), (r + h + 1, n_rows),
                                                          (c - h, n_cols), (c + h + 1, n_cols))]
        area = max(float((box[1][0] - box[0][0]) * (box[3][0] - box[2][0])) * cell_km * cell_km, 1e-9)
        y, stock = (box_totals(t, *box, f, n_rows, n_cols)[0] for t in tables[:2])
        expected = 0.0
        for s in range(3):
            expected += min(y[s] * coef[0, s], stock[s] / area * coef[1, s])
        got = ranges._supply(tables, r, c, radius, cell_km, f, n_rows, n_cols, coef)
        assert np.float64(got).view(np.int64) == np.float64(expected).view(np.int64)


def _claims_table_cell_by_cell(n_rows, n_cols, cell_km, res_rows, res_cols, res_radius, res_need):
    """ranges.claims_table as first written: every cell in turn, row after row."""
    diff = np.zeros((n_rows + 1, n_cols + 1))
    for j in range(res_rows.size):
        k = np.int64(max(0.0, np.rint(res_radius[j] * _HALF_SIDE / cell_km)))
        p0, p1 = max(res_rows[j] - k, 0), min(res_rows[j] + k + 1, n_rows)
        q0, q1 = max(res_cols[j] - k, 0), min(res_cols[j] + k + 1, n_cols)
        if p1 <= p0 or q1 <= q0:
            continue
        v = res_need[j] / ((p1 - p0) * (q1 - q0))
        diff[p0, q0] += v
        diff[p0, q1] -= v
        diff[p1, q0] -= v
        diff[p1, q1] += v
    sat = np.zeros((n_rows + 1, n_cols + 1))
    for i in range(n_rows):
        run = 0.0
        for j in range(n_cols):
            run += diff[i, j]
            diff[i, j] = run + (diff[i - 1, j] if i > 0 else 0.0)
            sat[i + 1, j + 1] = sat[i, j + 1] + sat[i + 1, j] - sat[i, j] + diff[i, j]
    return sat


_cell_by_cell = njit(cache=True)(_claims_table_cell_by_cell)


@pytest.mark.parametrize("n_rows, n_cols", [(30, 41), (31, 40), (1, 7), (8, 1), (2, 2), (3, 5), (33, 9)])
def test_claims_table_is_that_of_the_cell_by_cell_sums_to_the_bit(n_rows, n_cols):
    """claims_table skips the zero rows above and columns left of every range and takes the rows
    four at a time: the same table, bit for bit, as summing cell by cell (residents anywhere, off the
    map, with no need, crowded in one corner, or none)."""
    g = np.random.default_rng(n_rows * 100 + n_cols)
    for n in (0, 1, 2, 5, 40):
        for where in ("anywhere", "south-east", "off the map"):
            lo_r, lo_c = (n_rows // 2, n_cols // 2) if where == "south-east" else (0, 0)
            rows = g.integers(lo_r, n_rows, n) + (n_rows + 20) * (where == "off the map") * (g.random(n) < 0.5)
            cols = g.integers(lo_c, n_cols, n)
            radius = g.uniform(0.0, 25.0, n)
            need = np.where(g.random(n) < 0.2, 0.0, g.uniform(100.0, 5000.0, n))
            args = (n_rows, n_cols, 2.5, rows.astype(np.int64), cols.astype(np.int64), radius, need)
            got = ranges.claims_table(*args)
            for expected in (_cell_by_cell(*args), _claims_table_cell_by_cell(*args)):
                assert np.array_equal(got.view(np.int64), expected.view(np.int64))


def test_settling_filters_compiled_match_their_numpy_forms():
    """ranges._may_settle and ranges._centres give what the numpy expressions they replaced give
    (released animals settle after a month free; a resident's position is its range centre)."""
    from sim.cheetahs.population import WILD_BORN
    g = np.random.default_rng(5)
    n = 200
    origin, months_free = g.integers(0, 3, n), g.integers(-1, 3, n)
    home_row = np.where(g.random(n) < 0.5, g.integers(0, 40, n), -1)
    home_col, row, col = g.integers(0, 40, n), g.integers(0, 40, n), g.integers(0, 40, n)
    some = np.sort(g.choice(n, 80, replace=False))
    keep = ~((origin[some] != WILD_BORN) & (months_free[some] < 1))
    assert np.array_equal(ranges._may_settle(some, origin, months_free, WILD_BORN), keep)
    home = home_row[some] >= 0
    r, c = ranges._centres(some, home_row, home_col, row, col)
    assert np.array_equal(r, np.where(home, home_row[some], row[some]))
    assert np.array_equal(c, np.where(home, home_col[some], col[some]))


def test_room_among_settlers_reads_their_cells_from_the_population_columns():
    """ranges._room_among takes the settling leaders and the population's columns: of two males
    closer than the spacing only the first (in the given order) keeps his place; a female keeps
    hers while fewer than overlap_max kept females lie within her radius."""
    row = np.array([0, 10, 10, 50, 10, 10, 10])
    col = np.array([0, 10, 11, 50, 12, 13, 14])
    male = np.array([False, True, True, True, False, False, False])
    radius = np.full(6, 10.0)
    order = np.array([2, 1, 3, 4, 5, 6])          # leaders in the (random) order they settle
    keep = ranges._room_among(order, row, col, male, radius, 6.25, 25.0 ** 2, 2)
    assert keep.tolist() == [True, False, True, True, True, False]


def test_resident_ranges_compiled_is_the_numpy_selection():
    """ranges._resident_ranges: the residents' centres, radii and yearly needs as claimed_share
    selected them with numpy (leaders with a home range, their unit totals x 12)."""
    rng = np.random.default_rng(3)
    n = 40
    home_row = np.where(rng.random(n) < 0.6, rng.integers(0, 50, n), -1)
    home_col = rng.integers(0, 50, n)
    radius = rng.uniform(5.0, 40.0, n)
    leaders = np.sort(rng.choice(n, 25, replace=False))
    unit_need = rng.uniform(50.0, 400.0, leaders.size)
    res = leaders[home_row[leaders] >= 0]
    want = (home_row[res], home_col[res], radius[res], unit_need[home_row[leaders] >= 0] * 12)
    got = ranges._resident_ranges(leaders, home_row, home_col, radius, unit_need)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and np.array_equal(g, w)
