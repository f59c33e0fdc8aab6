"""Whole-model behaviour: runs, determinism, barriers, functional response, settlement."""

from __future__ import annotations

import numpy as np
import pytest

from sim import registry as rules
from sim.life import hunting, mortality, ranges
from sim.life.energetics import DAYS_PER_MONTH, food_need_kg_per_month
from sim.life.movement import walk
from sim.model import observe
from sim.model.model import ReintroductionModel, run_replicate
from sim.model.results import CENSUS_COLUMNS
from sim.world.geometry import boxes
from tests.helpers import flat_landscape, scenario


def _same(a, b):
    return all(np.array_equal(a.census[k], b.census[k], equal_nan=True) for k in CENSUS_COLUMNS)


def test_no_release_scenario_runs_and_reports_zero_cheetahs():
    land = flat_landscape()
    res = run_replicate(scenario(years=4), 7, landscape=land)
    c = res.census
    assert set(CENSUS_COLUMNS) <= set(c)
    assert list(c["year"]) == [1, 2, 3, 4]
    assert c["N"].sum() == 0 and c["births"].sum() == 0 and c["extant"].sum() == 0
    assert np.all(c["prey_saiga"] > 0)
    assert res.extinction_year() is None


def test_same_seed_same_census_and_other_seed_differs():
    land = flat_landscape()
    sc = scenario(years=6, releases=[{"site": "centre", "females": 5, "males": 3}])
    a = run_replicate(sc, 11, landscape=land)
    b = run_replicate(sc, 11, landscape=land)
    c = run_replicate(sc, 12, landscape=land)
    assert _same(a, b)
    assert np.array_equal(a.occupancy, b.occupancy)
    assert not _same(a, c)


def test_release_counts_and_census_bookkeeping():
    land = flat_landscape()
    sc = scenario(years=3, releases=[{"site": "centre", "females": 4, "males": 2, "month": 1,
                                      "repeat": {"every_years": 1, "times": 2}}])
    c = run_replicate(sc, 3, landscape=land).census
    assert list(c["released"]) == [6, 6, 0]
    # everyone alive is counted once by stage and by sex
    stages = sum(c[f"{st}_{sx}"] for st in ("cub", "subadult", "resident", "transient") for sx in ("f", "m"))
    assert np.array_equal(stages, c["N"]) and np.array_equal(c["N_f"] + c["N_m"], c["N"])
    # births - deaths + releases balance the population
    deaths = sum(c[k] for k in CENSUS_COLUMNS if k.startswith("deaths_"))
    n_prev = np.concatenate([[0], c["N"][:-1]])
    assert np.array_equal(n_prev + c["released"] + c["births"] - deaths, c["N"])


def test_type2_functional_response_is_zero_without_prey_and_saturates():
    fr = rules.get("functional_response", "type2")
    attack = np.array([[1.3, 1.3, 0.9]])                 # km²/day, one unit, three species
    handling = np.full((1, 3), 2.0)                      # days per kill
    zero = fr(np.zeros((1, 3)), attack, handling)
    assert np.all(zero == 0)
    dens = np.array([[1e6, 0.0, 0.0]])
    k = fr(dens, attack, handling)
    assert k.sum() == pytest.approx(1 / 2.0, rel=1e-5)          # one kill per handling time
    assert fr(np.array([[1e6, 1e6, 1e6]]), attack, handling).sum() == pytest.approx(0.5, rel=1e-5)
    low = fr(np.array([[0.01, 0, 0]]), attack, handling)[0, 0]
    assert low == pytest.approx(1.3 * 0.01 / (1 + 1.3 * 2 * 0.01))   # hand value
    # handling per species: a slow-to-eat species saturates the unit sooner
    slow = fr(np.array([[1e6, 0, 0]]), attack, np.array([[4.0, 2.0, 2.0]]))[0, 0]
    assert slow == pytest.approx(1 / 4.0, rel=1e-5)
    # monotone in density
    ds = np.linspace(0, 5, 20)[:, None] * np.array([[1, 0, 0]])
    ks = fr(ds, np.repeat(attack, 20, axis=0), np.full((20, 3), 2.0))[:, 0]
    assert np.all(np.diff(ks) > 0)


def _walkers(model, n, row, col):
    rows = np.full(n, row)
    cols = np.full(n, col)
    return rows, cols, np.full(n, -1), np.full(n, 3)


@pytest.mark.parametrize("rule", ["habitat_walk", "correlated_walk"])
def test_walkers_never_cross_a_closed_fence(rule):
    land = flat_landscape(30, 30, fence_row=14)
    m = ReintroductionModel(scenario(), land, rng=np.random.default_rng(1))
    rows, cols, heads, step = _walkers(m, 300, 10, 15)
    for _ in range(20):
        rows, cols, heads, _, gone = walk(m, rows, cols, heads, step, 8, rules.get("movement", rule), m.rng)
        assert not gone.any()
        assert rows.max() <= 14, "a walker crossed the closed fence"
    assert rows.min() == 0            # they did explore the north side fully


def test_walkers_cross_only_through_gaps():
    land = flat_landscape(30, 30, fence_row=14, gaps=(15,))
    m = ReintroductionModel(scenario(), land, rng=np.random.default_rng(2))
    rows, cols, heads, step = _walkers(m, 400, 12, 15)
    step[:] = 1                       # unit steps: every crossing is visible
    crossed_at = set()
    for _ in range(40):
        r0, c0 = rows.copy(), cols.copy()
        rows, cols, heads, _, _ = walk(m, rows, cols, heads, step, 1, rules.get("movement", "correlated_walk"), m.rng)
        crossing = (r0 == 14) & (rows == 15)
        crossed_at |= {(int(a), int(b)) for a, b in zip(c0[crossing], cols[crossing])}
    assert crossed_at, "no walker used the gap"
    # a crossing edge is the gap column itself, or a diagonal step that uses it
    assert all(abs(a - b) <= 1 and (a == 15 or b == 15) for a, b in crossed_at), crossed_at


def test_road_crossings_are_counted():
    land = flat_landscape(20, 20, road_col=10)
    m = ReintroductionModel(scenario(), land, rng=np.random.default_rng(3))
    rows, cols = np.array([10]), np.array([5])
    east = rules.register("movement", "_test_east")(lambda model, r, c, h, s, rng: np.full(len(r), 2))
    _, c1, _, crossings, _ = walk(m, rows, cols, np.array([-1]), np.array([3]), 3, east, m.rng)
    assert c1[0] == 14 and crossings[0] == 1


def test_open_boundary_walkers_emigrate_and_closed_edge_holds_them():
    west = rules.register("movement", "_test_west")(lambda model, r, c, h, s, rng: np.full(len(r), 6))
    for open_b in (True, False):
        land = flat_landscape(10, 10, open_boundary=open_b)
        m = ReintroductionModel(scenario(), land, rng=np.random.default_rng(4))
        _, c1, _, _, gone = walk(m, np.array([5]), np.array([3]), np.array([-1]), np.array([2]), 4, west, m.rng)
        assert bool(gone[0]) is open_b
        assert c1[0] == 0


def test_male_territories_exclusive_female_ranges_overlap():
    land = flat_landscape(40, 40, saiga=20.0, gazelle=5.0)
    sc = scenario(years=2, rules={"density": "ceiling"},
                  releases=[{"site": "centre", "females": 6, "males": 6}],
                  cheetah={"settle_prob_per_month": 1.0, "release_survival_wild": 1.0})
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(5))
    for _ in range(18):
        m.step()
    res = [a for a in m.handles if a.home is not None and not a.is_cub]
    males = [a for a in res if a.sex == "M" and a.leader is a]
    assert len(males) >= 2
    spacing = m.params.male_territory_spacing_km
    for i, a in enumerate(males):
        for b in males[i + 1:]:
            d = np.hypot(a.home[0] - b.home[0], a.home[1] - b.home[1]) * land.cell_km
            assert d >= spacing, f"male territories {d:.1f} km apart (< {spacing} km)"


def test_a_female_may_settle_inside_resident_female_ranges_up_to_the_overlap_limit():
    land = flat_landscape(40, 40)
    sc = scenario(years=1, releases=[{"site": "centre", "females": 6, "males": 2, "month": 1}],
                  cheetah={"female_overlap_max": 3})
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(5))
    m.step()                                              # the release
    females = [a for a in m.handles if a.sex == "F"]
    males = [a for a in m.handles if a.sex == "M"]
    males[0].settle(20, 20, 10.0)
    walkers = np.array([m.cheetahs.row_of(a.unique_id) for a in (females[0], males[1])])
    rows, cols, radius = np.array([20, 20]), np.array([21, 21]), np.array([10.0, 10.0])

    def space_ok():
        residents = np.flatnonzero(m.cheetahs.home_row >= 0)
        return ranges.space_ok(m, walkers, rows, cols, radius, residents)

    # a male is excluded by a resident male nearby; a female next to him is not
    assert list(space_ok()) == [True, False]
    for k, f in enumerate(females[1:4]):                  # 1, 2, then 3 resident females around
        f.settle(20, 19 + k, 10.0)
        expected = k + 1 < m.params.female_overlap_max
        assert bool(space_ok()[0]) is expected, k + 1


def test_home_ranges_are_larger_where_prey_is_scarce():
    areas = {}
    for dens in (0.3, 3.0):
        land = flat_landscape(80, 80, saiga=dens, gazelle=0.0)
        sc = scenario(years=1, releases=[{"site": "centre", "females": 8, "males": 0, "month": 1}],
                      cheetah={"settle_prob_per_month": 1.0},
                      prey={"saiga": {"initial_total": dens * 80 * 80 * 6.25}, "gazelle": {"initial_total": 0}})
        m = ReintroductionModel(sc, land, rng=np.random.default_rng(6))
        for _ in range(4):
            m.step()
        hr = [np.pi * a.hr_radius_km ** 2 for a in m.handles if a.home is not None]
        assert hr, f"nobody settled at {dens} saiga/km²"
        areas[dens] = np.mean(hr)
    assert areas[0.3] > 4 * areas[3.0]
    assert 500 < areas[0.3] < 5000      # Namibian farmland scale at low prey (Marker et al. 2008)


def _only_release_hazard(source: str, method: str, batches: int = 8):
    """500 x batches females released in January of year 1, every other cause of death off
    (4,000 by default: under max_cheetahs, and a kinship matrix of 128 MiB instead of 2 GiB)."""
    release = {"site": "centre", "females": 500, "males": 0, "month": 1, "age_months": 40,
               "source": source, "method": method, "boma_months": 1 if method == "soft" else 0}
    return scenario(years=2, rules={"density": "ceiling"},
                    cheetah={"adult_survival_female": 1.0, "subadult_survival_female": 1.0,
                             "settle_prob_per_month": 1e-9},       # walkers only: fast
                    releases=[release] * batches)


@pytest.mark.parametrize("source, key", [("wild", "release_survival_wild"), ("captive", "release_survival_captive")])
def test_post_release_survival_over_the_first_free_year_is_the_stated_factor(source, key):
    sc = _only_release_hazard(source, "hard")
    n = sum(r.females for r in sc.releases)
    c = run_replicate(sc, 5, landscape=flat_landscape()).census
    survived = 1.0 - c["deaths_post_release"][0] / n
    expected = getattr(sc.cheetah, key)
    se = (expected * (1 - expected) / n) ** 0.5
    assert abs(survived - expected) < 3.5 * se, (survived, expected)
    assert c["deaths_post_release"][1] == 0          # the hazard ends after 12 free months
    assert c["N"][1] == n - c["deaths_post_release"][0]


def test_inbreeding_hazard_is_spread_over_the_draws_a_cub_faces_before_age_one(monkeypatch):
    draws: dict[int, int] = {}
    month = mortality.month

    def recording(m):
        for a in m.handles:
            if a.is_cub and a.age < 12:
                draws[a.unique_id] = draws.get(a.unique_id, 0) + 1
        month(m)

    monkeypatch.setattr(mortality, "month", recording)
    sc = scenario(years=4, rules={"density": "ceiling", "mate_finding": "always"},
                  cheetah={"cub_survival_base": 1.0, "adult_survival_female": 1.0, "lethal_equivalents": 0},
                  releases=[{"site": "centre", "females": 5, "males": 0, "month": 1, "age_months": 40}])
    m = ReintroductionModel(sc, flat_landscape(), rng=np.random.default_rng(2))
    m.run()
    born_early = [a for a in m.handles if a.age >= 13 and a.mother_id is not None]
    assert born_early
    assert {draws[a.unique_id] for a in born_early} == {mortality.FIRST_YEAR_DRAWS}


def test_occupied_area_is_the_union_of_home_ranges():
    land = flat_landscape(40, 40, cell_km=1.0)
    sc = scenario(years=1, releases=[{"site": "centre", "females": 3, "males": 0, "month": 1}])
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(1))
    m.step()
    a, b, c = m.handles
    area = lambda *hs: observe.occupied_area_km2(m, np.array([m.cheetahs.row_of(h.unique_id) for h in hs]))  # noqa: E731
    a.settle(10, 10, 5.0)
    one = area(a)
    assert abs(one - np.pi * 25) / (np.pi * 25) < 0.1           # a disk of radius 5 km on 1 km cells
    b.settle(10, 10, 5.0)
    assert area(a, b) == one                                      # the same range counts once
    c.settle(30, 30, 5.0)
    assert area(a, b, c) == 2 * one                               # disjoint ranges add up
    c.settle(0, 0, 5.0)                                           # clipped at the map corner
    assert 0.2 * one < area(c) < 0.35 * one


def _fine_view(N: np.ndarray, f: int, shape: tuple[int, int]) -> np.ndarray:
    """Prey per landscape cell when each prey cell's animals are spread evenly over its landscape
    cells (f x f, fewer in a last partial row or column)."""
    count = np.kron(np.ones(N.shape[1:]), np.ones((f, f)))[:shape[0], :shape[1]]
    count = np.add.reduceat(np.add.reduceat(count, np.arange(0, shape[0], f), 0), np.arange(0, shape[1], f), 1)
    return np.kron(N / count, np.ones((f, f)))[:, :shape[0], :shape[1]]


@pytest.mark.parametrize("prey_cell_km, f", [(2.5, 1), (5.0, 2), (10.0, 4)])
def test_prey_in_boxes_equals_the_sums_of_the_prey_fields_and_is_zero_for_absent_prey(prey_cell_km, f):
    land = flat_landscape(30, 30)                         # 2.5 km cells; 30 / 4 leaves a partial prey cell
    sc = scenario(prey={"urial": {"initial_total": 0}}, landscape={"prey_cell_km": prey_cell_km})
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(0))
    assert m.prey.factor == f and m.prey.N.shape[1:] == (-(-30 // f),) * 2
    m.prey.N[:] *= np.random.default_rng(1).random(m.prey.N.shape)
    fine = _fine_view(m.prey.N, f, land.shape)
    rng = np.random.default_rng(2)
    for n, half in ((3, 2), (40, 9)):                     # few small boxes: direct; many large: table
        rows, cols = rng.integers(0, 30, n), rng.integers(0, 30, n)
        r0, r1, c0, c1 = boxes(rows, cols, np.full(n, half), land.shape)
        got = m.prey.animals_in_boxes(r0, r1, c0, c1)
        want = np.array([fine[:, a:b, c:d].sum(axis=(1, 2)) for a, b, c, d in zip(r0, r1, c0, c1)]).T
        assert np.allclose(got, want, rtol=1e-9, atol=1e-6)
        assert np.all(got[2] == 0.0)                      # no urial anywhere: exactly zero


@pytest.mark.parametrize("f", [2, 3])
def test_kills_on_a_coarse_prey_grid_come_evenly_out_of_the_boxs_landscape_cells(f):
    """A box of landscape cells loses the same fraction of the prey in each of its cells, as on
    the fine grid: prey cells it covers only partly lose that part's share."""
    land = flat_landscape(20, 20)                         # f = 3: a last partial row and column
    sc = scenario(landscape={"prey_cell_km": 2.5 * f})
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(0))
    m.prey.N[:] *= np.random.default_rng(3).random(m.prey.N.shape) + 0.5
    before = _fine_view(m.prey.N, f, land.shape)
    box = (3, 12, 5, 9)                                   # rows 3-11, cols 5-8: not aligned with prey cells
    present = before[:, 3:12, 5:9].sum(axis=(1, 2))
    kills = np.array([10.0, 3.0, 0.0, 0.0])
    removed = m.prey.remove_kills(*box, kills)
    np.testing.assert_allclose(removed, kills)
    after_total = m.prey.N.sum(axis=(1, 2))
    np.testing.assert_allclose(after_total, before.sum(axis=(1, 2)) - kills, rtol=1e-12)
    # Inside the box, each landscape cell's share of the box's prey is unchanged by the kills
    # (prey cells wholly inside lose the box's fraction, partly covered ones that fraction x cover).
    r0, r1, c0, c1 = box
    frac_lost = kills[:2] / present[:2]
    for s in range(2):
        for R in range(m.prey.N.shape[1]):
            for C in range(m.prey.N.shape[2]):
                rows = np.arange(R * f, min(R * f + f, 20))
                cols = np.arange(C * f, min(C * f + f, 20))
                cover = (((rows >= r0) & (rows < r1)).sum() * ((cols >= c0) & (cols < c1)).sum()) / (rows.size * cols.size)
                expect = before[s, R * f, C * f] * (rows.size * cols.size) * (1 - frac_lost[s] * cover)
                assert m.prey.N[s, R, C] == pytest.approx(expect, rel=1e-12)
    # More kills than the box holds: it gives up what it holds (its cells' share), never more.
    holds = _fine_view(m.prey.N, f, land.shape)[0, 3:12, 5:9].sum()
    removed = m.prey.remove_kills(*box, np.array([1e9, 0.0, 0.0, 0.0]))
    assert removed[0] == pytest.approx(holds, rel=1e-12)
    assert (m.prey.N >= 0).all()


def test_a_translocation_lands_in_the_prey_cell_of_its_landscape_cell():
    land = flat_landscape(20, 20)
    m = ReintroductionModel(scenario(landscape={"prey_cell_km": 5.0}), land, rng=np.random.default_rng(0))
    before = m.prey.N.copy()
    m.prey.add("gazelle", 7, 12, 40.0)
    diff = m.prey.N - before
    assert diff[1, 3, 6] == 40.0 and np.count_nonzero(diff) == 1
    with pytest.raises(ValueError, match="outside the 20 x 20 grid"):
        m.prey.add("gazelle", 20, 0, 1.0)


@pytest.mark.parametrize("f", [1, 2, 3])
def test_kills_of_all_groups_are_removed_at_once_and_overlapping_boxes_share_the_loss(f):
    """Many groups' kills removed together: disjoint boxes lose exactly what they would alone;
    where boxes overlap, each cell loses the sum of the groups' fractions, the groups together
    remove exactly their kills, and the result does not depend on the groups' order."""
    land = flat_landscape(20, 20)
    sc = scenario(landscape={"prey_cell_km": 2.5 * f})
    fresh = lambda: ReintroductionModel(sc, land, rng=np.random.default_rng(0))   # noqa: E731
    base = fresh().prey.N * (np.random.default_rng(4).random(fresh().prey.N.shape) + 0.5)
    boxes = np.array([(0, 6, 0, 6), (12, 20, 13, 20), (3, 9, 2, 8), (10, 15, 0, 20)])  # 0 and 2 overlap
    kills = np.array([[4.0, 2.0, 0.0, 0.0], [3.0, 0.0, 0.0, 0.0], [5.0, 1.0, 0.0, 0.0], [2.0, 3.0, 0.0, 0.0]])   # no urial or hare
    together = fresh()
    together.prey.N[:] = base
    removed = together.prey.remove_kills_in_boxes(*boxes.T, kills)
    np.testing.assert_allclose(removed, kills)
    np.testing.assert_allclose(together.prey.N.sum(axis=(1, 2)), base.sum(axis=(1, 2)) - kills.sum(axis=0),
                               rtol=1e-12)
    reversed_ = fresh()
    reversed_.prey.N[:] = base
    reversed_.prey.remove_kills_in_boxes(*boxes[::-1].T, kills[::-1])
    np.testing.assert_allclose(reversed_.prey.N, together.prey.N, rtol=1e-13)
    # Each landscape cell loses the sum of the fractions of the boxes covering it (prey cells:
    # the sum over their landscape cells, as the animals are spread evenly within a prey cell).
    fine = _fine_view(base, f, land.shape)
    loss = np.zeros_like(fine)
    for (a, b, c, d), k in zip(boxes, kills):
        held = fine[:, a:b, c:d].sum(axis=(1, 2))
        loss[:, a:b, c:d] += np.divide(k, held, out=np.zeros(len(k)), where=held > 0)[:, None, None]
    after = fine * (1 - loss)
    blocks = np.arange(0, 20, f)
    expect = np.add.reduceat(np.add.reduceat(after, blocks, axis=1), blocks, axis=2)
    np.testing.assert_allclose(together.prey.N, expect, rtol=1e-12)


def test_overlapping_groups_never_take_more_than_a_cell_holds():
    land = flat_landscape(10, 10)
    m = ReintroductionModel(scenario(landscape={"prey_cell_km": 2.5}), land, rng=np.random.default_rng(0))
    box = np.array([2, 6, 2, 6])
    holds = m.prey.N[:, 2:6, 2:6].sum(axis=(1, 2))
    kills = np.vstack([holds, holds])                    # two groups, each taking the whole box
    removed = m.prey.remove_kills_in_boxes(*np.vstack([box, box]).T, kills)
    np.testing.assert_allclose(removed, kills)           # what each group found in its box ...
    assert (m.prey.N[:, 2:6, 2:6] == 0).all()            # ... but the cells only lose what they hold
    assert (m.prey.N >= 0).all()


# --------------------------------------------------------------------------- energetics

def test_food_need_by_stage_weaning_and_lactation():
    p = scenario().cheetah                          # 4 kg/day, weaning 3 months, independence 17.5
    adult = p.food_kg_per_day * DAYS_PER_MONTH
    age = np.array([40, 1, 3, 17.5, 30, 30, 30])
    is_cub = np.array([False, True, True, True, False, False, False])
    n_cubs = np.array([0, 0, 0, 0, 3, 3, 0])
    youngest = np.array([np.inf, np.inf, np.inf, np.inf, 2, 5, np.inf])
    need = food_need_kg_per_month(p, age, is_cub, n_cubs, youngest)
    np.testing.assert_allclose(need, [adult, 0.0, 0.3 * adult, adult,
                                      adult * (1 + p.lactation_extra_need), adult, adult])


def test_adults_eat_first_and_cubs_share_what_is_left():
    """A mother and two weaned cubs whose hunt brings exactly what the mother wants: she refills
    her reserve, the cubs get nothing and lose (need / reserve) of their condition."""
    m = ReintroductionModel(scenario(), flat_landscape(), rng=np.random.default_rng(0))
    p = m.params
    (mother,) = m.add_cheetahs(sex="F", age_months=60, row=5, col=5)
    cubs = [m.add_cheetahs(sex=s, age_months=8, row=5, col=5, mother=mother)[0] for s in "FM"]
    assert mother.cubs == cubs
    mother.condition, cubs[0].condition, cubs[1].condition = 0.5, 0.8, 0.9
    reserve = p.reserve_days * p.food_kg_per_day
    mother_want = float(food_need_kg_per_month(p, 60, False, 2, 8)) + 0.5 * reserve
    m.food_sources = [lambda m, leaders, need, want: np.full(len(leaders), mother_want)]
    hunting.hunt_and_eat(m)
    assert mother.condition == pytest.approx(1.0)
    cub_need = float(food_need_kg_per_month(p, 8, True, 0, np.inf))
    assert cubs[0].condition == pytest.approx(0.8 - cub_need / reserve)
    assert cubs[1].condition == pytest.approx(0.9 - cub_need / reserve)
    # More food: the cubs share the rest in proportion to what each wants.
    extra = 10.0
    mother.condition, cubs[0].condition, cubs[1].condition = 0.5, 0.8, 0.9
    m.food_sources = [lambda m, leaders, need, want: np.full(len(leaders), mother_want + extra)]
    hunting.hunt_and_eat(m)
    wants = [cub_need + (1 - c) * reserve for c in (0.8, 0.9)]
    for cub, c0, w in zip(cubs, (0.8, 0.9), wants):
        assert cub.condition == pytest.approx(c0 + (extra * w / sum(wants) - cub_need) / reserve)


def test_a_family_in_a_boma_is_fed_to_full_condition():
    m = ReintroductionModel(scenario(), flat_landscape(), rng=np.random.default_rng(0))
    (mother,) = m.add_cheetahs(sex="F", age_months=60, row=5, col=5, origin="wild", boma_months=2)
    (cub,) = m.add_cheetahs(sex="M", age_months=8, row=5, col=5, mother=mother)
    mother.condition, cub.condition = 0.3, 0.2
    hunting.hunt_and_eat(m)
    assert mother.condition == 1.0 and cub.condition == 1.0
