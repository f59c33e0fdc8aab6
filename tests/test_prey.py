"""Prey density fields (sim/prey/population.py): growth, survival, poaching, diffusion, fences, migration.

Every expectation is computed by hand from the documented equations, on small hand-built
landscapes (20 x 30 cells of 2.5 km).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.world.landscape import SOUTH, Fence, Landscape
from sim.config.params import GazelleParams, PreyParams, SaigaParams, UrialParams
from sim.prey.population import SPECIES, PreyPopulation

ROWS, COLS, CELL_KM = 20, 30, 2.5
AREA = CELL_KM * CELL_KM
FENCE_ROW = 10           # fence between rows 9 and 10: north = rows 0-9, south = rows 10-19
SAIGA, GAZELLE, URIAL = 0, 1, 2


def make_land(capacity: dict[str, np.ndarray] | None = None, *, fences=(), protection=None,
              water=None) -> Landscape:
    """A plain landscape; capacity layers default to 1 animal/km² everywhere."""
    shape = (ROWS, COLS)
    cap = {k: np.ones(shape) for k in ("saiga_summer", "saiga_winter", "gazelle", "urial")}
    cap.update(capacity or {})
    return Landscape(
        name="test", cell_km=CELL_KM, habitat=np.ones(shape), escarpment=np.zeros(shape, bool),
        water=np.zeros(shape, bool) if water is None else water,
        protection=np.zeros(shape) if protection is None else protection,
        human=np.zeros(shape), road=np.zeros(shape, bool), competitors=np.zeros(shape),
        capacity=cap, fences=tuple(fences))


def west_east_fence(gap_cols=()) -> Fence:
    """A fence along the whole width between rows FENCE_ROW-1 and FENCE_ROW."""
    edges = np.array([(SOUTH, FENCE_ROW - 1, c) for c in range(COLS)])
    gaps = np.zeros(COLS, dtype=bool)
    gaps[list(gap_cols)] = True
    return Fence("border", edges, gaps)


QUIET = dict(r_max=0.0, annual_survival=1.0, poaching_per_year=0.0, diffusion_per_month=0.0)


def params(saiga=None, gazelle=None, urial=None) -> PreyParams:
    """Prey parameters where every process is off (no births, deaths, poaching or movement)
    unless a species' overrides switch it on."""
    return PreyParams(saiga=SaigaParams(**{**QUIET, **(saiga or {})}),
                      gazelle=GazelleParams(**{**QUIET, **(gazelle or {})}),
                      urial=UrialParams(**{**QUIET, **(urial or {})}))


def run(pop: PreyPopulation, first_month: int, months: int, *, enforcement: float = 0.0) -> None:
    for i in range(months):
        pop.step((first_month + i) % 12, enforcement=enforcement)


def random_layer(seed: int, lo: float = 0.5, hi: float = 1.5) -> np.ndarray:
    return np.random.default_rng(seed).uniform(lo, hi, (ROWS, COLS))


# --------------------------------------------------------------------------- growth
def test_population_at_capacity_stays_at_capacity():
    """N = K before the birth pulse: births 1/s - 1 per animal, then a year of survival s."""
    layer = random_layer(1)
    K = layer * AREA
    p = params(gazelle=dict(r_max=0.3, annual_survival=0.85, initial_total=K.sum()))
    pop = PreyPopulation(p, make_land({"gazelle": layer}), month=4)
    np.testing.assert_allclose(pop.N[GAZELLE], K, rtol=1e-12)
    for year in range(3):
        run(pop, 4, 12)                     # birth month (May) to the next birth month
        np.testing.assert_allclose(pop.N[GAZELLE], K, rtol=1e-10)


@pytest.mark.parametrize("theta", [1.0, 2.5])
def test_low_density_converges_to_capacity(theta):
    """The annual map x' = x exp(r (1 - x^theta)) (x = N/K at the pulse) has its fixed point at 1."""
    layer = random_layer(2)
    K = layer * AREA
    p = params(gazelle=dict(r_max=0.3, theta=theta, annual_survival=0.85, initial_total=1e-3 * K.sum()))
    pop = PreyPopulation(p, make_land({"gazelle": layer}), month=4)
    run(pop, 4, 12 * 80)
    np.testing.assert_allclose(pop.N[GAZELLE], K, rtol=1e-6)


@pytest.mark.parametrize("species", ["gazelle", "urial"])
def test_growth_at_low_density_is_exp_r_max_per_year(species):
    """One year from the birth month at negligible density: total x exp(r_max), with diffusion on
    (it conserves animals)."""
    s = SPECIES.index(species)
    layer = random_layer(3)
    r, surv = 0.3, 0.85
    total0 = 1e-7 * layer.sum() * AREA
    p = params(**{species: dict(r_max=r, annual_survival=surv, diffusion_per_month=0.2, initial_total=total0)})
    pop = PreyPopulation(p, make_land({species: layer}))
    birth = p.species()[species].birth_month
    run(pop, birth, 12)
    assert pop.totals()[s] == pytest.approx(total0 * math.exp(r), rel=1e-6)


def saiga_births(total0, m, r, s, k, c):
    """Births of the saiga pulse solved from their definition with scipy: b replaces a year of
    deaths of the herd after the pulse, b = (e^r / S(m') - 1) x (1 - e^(-m/c)) x N,
    m' = (m N + b/2) / (N + b), S(m) = (1 - m) s + m s^k."""
    from scipy.optimize import brentq

    fec = 1 - math.exp(-m / c)

    def gap(b):
        m_after = (m * total0 + b / 2) / (total0 + b)
        return (math.exp(r) / ((1 - m_after) * s + m_after * s ** k) - 1) * fec * total0 - b

    return 0.0 if fec == 0 else brentq(gap, 0.0, 10 * total0, xtol=1e-15 * total0, rtol=1e-14)


def test_saiga_year_with_male_fraction_matches_hand_calculation():
    """Saiga: births x (1 - exp(-m/c)), half the calves male; males die at k x the female hazard."""
    r, s, k, c, m0 = 0.4, 0.8, 2.0, 0.01, 0.25
    total0 = 1e-7 * ROWS * COLS * AREA
    p = params(saiga=dict(r_max=r, annual_survival=s, male_extra_mortality=k, male_fraction_collapse=c,
                          initial_male_fraction=m0, initial_total=total0, diffusion_per_month=0.3))
    pop = PreyPopulation(p, make_land(), month=4)
    run(pop, 4, 12)
    births = saiga_births(total0, m0, r, s, k, c)
    females = ((1 - m0) * total0 + births / 2) * s
    males = (m0 * total0 + births / 2) * s ** k
    assert pop.totals()[SAIGA] == pytest.approx(females + males, rel=1e-6)
    assert pop.saiga_male_fraction == pytest.approx(males / (females + males), rel=1e-6)


@pytest.mark.parametrize("m0, k", [(0.25, 2.0), (0.4, 3.0), (0.1, 1.0)])
def test_saiga_grows_by_exp_r_max_a_year_at_low_density_whatever_the_male_mortality(m0, k):
    """r_max means what it says for saiga too: with males plentiful (fecundity ~1), one year
    from the birth month at negligible density multiplies the herd by exp(r_max)."""
    r, s = 0.4, 0.8
    total0 = 1e-7 * ROWS * COLS * AREA
    p = params(saiga=dict(r_max=r, annual_survival=s, male_extra_mortality=k, male_fraction_collapse=1e-4,
                          initial_male_fraction=m0, initial_total=total0, diffusion_per_month=0.3))
    pop = PreyPopulation(p, make_land(), month=4)
    run(pop, 4, 12)
    assert pop.totals()[SAIGA] == pytest.approx(total0 * math.exp(r), rel=1e-6)    # density 1e-7 K


def test_fecundity_collapses_when_males_are_scarce():
    """Birth-month step: births x (1 - exp(-m/c)), then one month of sex-specific survival."""
    r, s, k, c = 0.4, 0.8, 2.0, 0.01
    total0 = 1e-7 * ROWS * COLS * AREA

    def total_after_birth_month(m):
        p = params(saiga=dict(r_max=r, annual_survival=s, male_extra_mortality=k, male_fraction_collapse=c,
                              initial_total=total0))
        pop = PreyPopulation(p, make_land(), month=4)
        pop.saiga_male_fraction = m
        pop.step(4, enforcement=0.0)
        return pop.totals()[SAIGA]

    def expected(m):
        births = saiga_births(total0, m, r, s, k, c)
        return (((1 - m) * total0 + births / 2) * s ** (1 / 12)
                + (m * total0 + births / 2) * s ** (k / 12))

    assert total_after_birth_month(0.25) == pytest.approx(expected(0.25), rel=1e-6)
    assert total_after_birth_month(0.002) == pytest.approx(expected(0.002), rel=1e-6)   # 18 % of births
    assert total_after_birth_month(0.0) == pytest.approx(total0 * s ** (1 / 12), rel=1e-12)  # none
    assert expected(0.002) - total0 * s ** (1 / 12) < 0.2 * (expected(0.25) - total0 * s ** (1 / 12))


def test_extreme_parameters_give_no_negative_or_nan_densities():
    rng = np.random.default_rng(4)
    layer = rng.uniform(0, 50, (ROWS, COLS)) * (rng.random((ROWS, COLS)) < 0.6)
    layer[0, 0] = 1.0
    extreme = dict(r_max=2.0, theta=10.0, annual_survival=0.01, poaching_per_year=0.99,
                   diffusion_per_month=0.8, initial_total=1e6)
    p = PreyParams(saiga=SaigaParams(**extreme, male_extra_mortality=10, male_poaching_share=1.0,
                                     migration_gap_throughput=1e9),
                   gazelle=GazelleParams(**extreme), urial=UrialParams(**extreme))
    cap = {k: layer for k in ("saiga_summer", "saiga_winter", "gazelle", "urial")}
    pop = PreyPopulation(p, make_land(cap, fences=[west_east_fence([3])], protection=rng.random((ROWS, COLS))))
    for month in range(120):
        pop.step(month % 12, enforcement=float(month % 2), capacity_multiplier=[0.0, 100.0, 1.0][month % 3])
        if month % 7 == 0:
            pop.catastrophe("saiga", 0.99)
            pop.remove_kills(-3, 40, 5, 9, np.array([1e9, 1e9, 1e9]))
        assert np.isfinite(pop.N).all() and (pop.N >= 0).all()
        assert 0.0 <= pop.saiga_male_fraction <= 1.0


# --------------------------------------------------------------------------- diffusion
def test_diffusion_splits_leavers_among_neighbours_by_their_capacity():
    layer = np.ones((ROWS, COLS))
    layer[4, 5], layer[6, 5], layer[5, 4], layer[5, 6] = 1.0, 2.0, 3.0, 4.0   # N, S, W, E of (5, 5)
    d = 0.4
    p = params(gazelle=dict(diffusion_per_month=d, initial_total=0.0))
    pop = PreyPopulation(p, make_land({"gazelle": layer}))
    pop.add("gazelle", 5, 5, 100.0)
    pop.step(1, enforcement=0.0)
    g = pop.N[GAZELLE]
    assert g[5, 5] == pytest.approx(100 * (1 - d))
    for (r, c), w in {(4, 5): 1, (6, 5): 2, (5, 4): 3, (5, 6): 4}.items():
        assert g[r, c] == pytest.approx(100 * d * w / 10)
    # A corner cell has only two neighbours; both get half of the leavers.
    pop.N[:] = 0.0
    pop.add("gazelle", 0, 0, 100.0)
    pop.step(1, enforcement=0.0)
    assert g[0, 0] == pytest.approx(100 * (1 - d))
    assert g[0, 1] == pytest.approx(100 * d / 2) and g[1, 0] == pytest.approx(100 * d / 2)


def _spread_km2(cell_km: float, factor: int, d: float, months: int) -> float:
    """Per-axis variance (km²) of gazelle released in one prey cell after ``months`` of diffusion
    on a uniform 120 x 120 km map of ``cell_km`` cells with prey cells ``factor`` times larger."""
    from tests.helpers import flat_landscape

    n = round(120 / cell_km)
    quiet = dict(initial_total=0.0)
    pop = PreyPopulation(params(saiga=quiet, urial=quiet, gazelle=dict(diffusion_per_month=d, initial_total=0.0)),
                         flat_landscape(n, n, cell_km=cell_km, gazelle=1.0), factor=factor)
    pop.add("gazelle", n // 2, n // 2, 1000.0)
    run(pop, 0, months)
    g = pop.N[GAZELLE]
    L = cell_km * factor
    x = (np.arange(g.shape[1]) + 0.5) * L
    p = g.sum(axis=0) / g.sum()
    return float((p * x * x).sum() - (p * x).sum() ** 2)


def test_prey_diffusivity_in_km2_per_month_does_not_depend_on_the_prey_cell_size():
    """diffusion_per_month is defined on 2.5 km cells: a 4-neighbour walk moving d of the animals
    a month spreads them by d/2 x (2.5 km)² per axis and month, on any prey grid (coarser cells
    move d (2.5/L)²; finer ones split it into sweeps of at most 0.8)."""
    d, months = 0.3, 6
    expected = months * d / 2 * 2.5 ** 2
    for cell_km, factor in ((2.5, 1), (2.5, 2), (5.0, 1), (1.25, 1), (1.25, 4)):
        assert _spread_km2(cell_km, factor, d, months) == pytest.approx(expected, rel=1e-9), (cell_km, factor)


def test_nothing_leaves_a_cell_whose_neighbours_have_no_capacity():
    layer = np.zeros((ROWS, COLS))
    layer[5, 5] = 1.0
    p = params(gazelle=dict(diffusion_per_month=0.5, initial_total=10.0))
    pop = PreyPopulation(p, make_land({"gazelle": layer}))
    run(pop, 0, 6)
    assert pop.N[GAZELLE, 5, 5] == 10.0 and pop.N[GAZELLE].sum() == 10.0


def test_diffusion_and_migration_conserve_animals():
    rng = np.random.default_rng(5)
    cap = {k: random_layer(10 + i, 0.0, 2.0) * (rng.random((ROWS, COLS)) < 0.8)
           for i, k in enumerate(("saiga_summer", "saiga_winter", "gazelle", "urial"))}
    on = dict(diffusion_per_month=0.5, initial_total=1e5)
    p = params(saiga={**on, "migration_gap_throughput": 500.0}, gazelle=on, urial=on)
    pop = PreyPopulation(p, make_land(cap, fences=[west_east_fence([2, 17])]))
    pop.N[...] = rng.uniform(0, 100, pop.N.shape)       # not at the equilibrium pattern
    before = pop.totals()
    for month in range(24):                             # includes 4 migration months
        pop.step(month % 12, enforcement=0.0)
        np.testing.assert_allclose(pop.totals(), before, rtol=1e-9)


# --------------------------------------------------------------------------- fences and migration
def north_south_saiga_land(fence: Fence | None) -> tuple[Landscape, np.ndarray, np.ndarray]:
    """Saiga summer range north of the fence line, winter range south of it."""
    summer, winter = np.zeros((ROWS, COLS)), np.zeros((ROWS, COLS))
    summer[:FENCE_ROW] = random_layer(6)[:FENCE_ROW]
    winter[FENCE_ROW:] = random_layer(7)[FENCE_ROW:]
    land = make_land({"saiga_summer": summer, "saiga_winter": winter},
                     fences=[] if fence is None else [fence])
    return land, summer * AREA, winter * AREA


def test_closed_fence_stops_diffusion_and_migration():
    land, _, _ = north_south_saiga_land(west_east_fence())
    on = dict(diffusion_per_month=0.5, initial_total=1e4)
    pop = PreyPopulation(params(saiga=on, gazelle=on, urial=on), land, month=0)
    north0 = pop.N[:, :FENCE_ROW].sum(axis=(1, 2))
    south0 = pop.N[:, FENCE_ROW:].sum(axis=(1, 2))
    assert north0[SAIGA] == 0.0 and south0[SAIGA] == pytest.approx(1e4)
    for month in range(36):
        pop.step(month % 12, enforcement=0.0)
        np.testing.assert_allclose(pop.N[:, :FENCE_ROW].sum(axis=(1, 2)), north0, rtol=1e-12)
        np.testing.assert_allclose(pop.N[:, FENCE_ROW:].sum(axis=(1, 2)), south0, rtol=1e-12)
    assert pop.N[SAIGA, :FENCE_ROW].max() == 0.0        # not even rounding residue crosses


def test_migration_through_gaps_is_limited_by_gap_throughput():
    throughput, gaps = 100.0, [4, 20]
    land, summer_K, _ = north_south_saiga_land(west_east_fence(gaps))
    p = params(saiga=dict(initial_total=1e4, migration_gap_throughput=throughput))
    pop = PreyPopulation(p, land, month=0)
    south_pattern = pop.N[SAIGA, FENCE_ROW:].copy()
    run(pop, 0, 4)                                      # spring migration in month 3
    moved = len(gaps) * throughput                      # all 10,000 want to go north
    assert pop.N[SAIGA, :FENCE_ROW].sum() == pytest.approx(moved, rel=1e-12)
    np.testing.assert_allclose(pop.N[SAIGA, :FENCE_ROW], moved * summer_K[:FENCE_ROW] / summer_K.sum(),
                               rtol=1e-12)
    # The south has no summer capacity: the stranded saiga keep their pattern.
    np.testing.assert_allclose(pop.N[SAIGA, FENCE_ROW:], south_pattern * (1e4 - moved) / 1e4, rtol=1e-12)
    run(pop, 4, 7)                                      # autumn migration in month 10: all 200 return
    assert pop.N[SAIGA, :FENCE_ROW].sum() == pytest.approx(0.0, abs=1e-9)


def test_removed_fence_allows_full_redistribution():
    land, summer_K, _ = north_south_saiga_land(west_east_fence().removed())
    # 30 open edges x 3,000 saiga per edge is more than the 10,000 saiga.
    pop = PreyPopulation(params(saiga=dict(initial_total=1e4)), land, month=0)
    run(pop, 0, 4)
    np.testing.assert_allclose(pop.N[SAIGA], 1e4 * summer_K / summer_K.sum(), rtol=1e-12)


def test_removed_fence_does_not_cap_migration_even_for_a_huge_herd():
    land, summer_K, _ = north_south_saiga_land(west_east_fence().removed())
    # 1e9 saiga is far more than 30 edges x 3,000: a removed fence must not act as gaps.
    pop = PreyPopulation(params(saiga=dict(initial_total=1e9)), land, month=0)
    run(pop, 0, 4)
    np.testing.assert_allclose(pop.N[SAIGA], 1e9 * summer_K / summer_K.sum(), rtol=1e-12)


def test_saiga_stranded_on_winter_range_still_calve():
    """A closed fence keeps saiga on their winter range over the May birth pulse; they calve
    against the winter capacity (the larger of the two seasons' K in those cells)."""
    land, _, winter_K = north_south_saiga_land(west_east_fence())
    p = params(saiga=dict(initial_total=1e3, r_max=0.4, annual_survival=0.8, male_extra_mortality=1.0,
                          initial_male_fraction=0.5))
    pop = PreyPopulation(p, land, month=0)
    before = pop.N[SAIGA].sum()
    run(pop, 0, 5)                                      # Jan..May (birth month 4)
    m = 0.5
    fecundity = 1 - math.exp(-m / 0.01)
    s_m = 0.8 ** (1 / 12)
    # 4 months of survival before the pulse, births at low density, then one more month
    n_pulse = before * s_m ** 4
    births = n_pulse * (math.exp(0.4 * (1 - n_pulse / winter_K.sum())) / 0.8 - 1) * fecundity
    # density dependence is per cell; with N proportional to K, N/K is the same in every cell
    assert pop.N[SAIGA].sum() == pytest.approx((n_pulse + births) * s_m, rel=1e-9)
    assert pop.N[SAIGA, :FENCE_ROW].sum() == 0.0


def test_migration_splits_by_capacity_of_reachable_regions():
    """Summer capacity on both sides: region r sends N_r x Kt_q / (Kt_r + Kt_q) if the gaps allow."""
    summer = random_layer(8)
    winter = np.zeros((ROWS, COLS))
    winter[FENCE_ROW:] = 1.0
    land = make_land({"saiga_summer": summer, "saiga_winter": winter}, fences=[west_east_fence([0])])
    pop = PreyPopulation(params(saiga=dict(initial_total=1e4, migration_gap_throughput=1e6)), land)
    run(pop, 0, 4)
    K = summer * AREA
    share_north = K[:FENCE_ROW].sum() / K.sum()
    assert pop.N[SAIGA, :FENCE_ROW].sum() == pytest.approx(1e4 * share_north, rel=1e-12)


# --------------------------------------------------------------------------- poaching
def test_poaching_is_lower_in_protected_cells():
    protection = np.zeros((ROWS, COLS))
    protection[:, :15] = 1.0
    p_year, enforcement = 0.3, 0.5
    p = params(gazelle=dict(poaching_per_year=p_year, initial_total=ROWS * COLS))
    pop = PreyPopulation(p, make_land(protection=protection))
    pop.step(1, enforcement=enforcement)
    g = pop.N[GAZELLE]
    np.testing.assert_allclose(g[:, :15], (1 - p_year * (1 - enforcement)) ** (1 / 12), rtol=1e-12)
    np.testing.assert_allclose(g[:, 15:], (1 - p_year) ** (1 / 12), rtol=1e-12)


def test_male_biased_poaching_lowers_the_male_fraction():
    p_year, share, m0 = 0.5, 0.9, 0.25
    p = params(saiga=dict(poaching_per_year=p_year, male_poaching_share=share, initial_male_fraction=m0,
                          initial_total=1e4))
    pop = PreyPopulation(p, make_land())
    pop.step(1, enforcement=0.0)
    q = 1 - (1 - p_year) ** (1 / 12)
    assert pop.totals()[SAIGA] == pytest.approx(1e4 * (1 - q), rel=1e-12)
    assert pop.saiga_male_fraction == pytest.approx((m0 - share * q) / (1 - q), rel=1e-12)


def test_poaching_never_takes_more_males_than_exist():
    p = params(saiga=dict(poaching_per_year=0.9, male_poaching_share=1.0, initial_male_fraction=0.05,
                          initial_total=1e4))
    pop = PreyPopulation(p, make_land())
    pop.step(1, enforcement=0.0)        # 17.5 % poached > 5 % males
    assert pop.saiga_male_fraction == 0.0
    assert pop.totals()[SAIGA] == pytest.approx(1e4 * 0.1 ** (1 / 12), rel=1e-12)


# --------------------------------------------------------------------------- external events
def test_remove_kills_never_removes_more_than_present():
    p = params(saiga=dict(initial_total=ROWS * COLS), gazelle=dict(initial_total=2 * ROWS * COLS),
               urial=dict(initial_total=0.0))
    pop = PreyPopulation(p, make_land())
    m0 = pop.saiga_male_fraction
    removed = pop.remove_kills(2, 6, 3, 8, np.array([5.0, 100.0, 1.0]))   # box of 20 cells
    np.testing.assert_allclose(removed, [5.0, 40.0, 0.0])
    np.testing.assert_allclose(pop.N[SAIGA, 2:6, 3:8], 1.0 - 5.0 / 20)
    assert (pop.N[GAZELLE, 2:6, 3:8] == 0).all()
    assert pop.totals()[GAZELLE] == pytest.approx(2 * ROWS * COLS - 40)   # outside untouched
    assert pop.saiga_male_fraction == m0


def test_catastrophe_removes_the_fraction():
    pop = PreyPopulation(params(urial=dict(initial_total=800.0)), make_land())
    killed = pop.catastrophe("urial", 0.3)
    assert killed == pytest.approx(240.0)
    assert pop.totals()[URIAL] == pytest.approx(560.0)
    with pytest.raises(ValueError, match="unknown prey species"):
        pop.catastrophe("wolf", 0.1)


# --------------------------------------------------------------------------- capacity layers
def test_capacity_layers_seasons_and_water():
    water = np.zeros((ROWS, COLS), bool)
    water[10, 15] = True
    summer, winter = random_layer(8), random_layer(9)
    land = make_land({"saiga_summer": summer, "saiga_winter": winter}, water=water)
    p = params(saiga=dict(initial_total=1e4))
    pop = PreyPopulation(p, land, month=5, water_gain=1.5, water_radius_km=5.0)
    # Initial saiga in proportion to the summer layer (June).
    np.testing.assert_allclose(pop.N[SAIGA], 1e4 * summer / summer.sum(), rtol=1e-12)
    for month in range(12):
        expected = summer if 3 <= month < 10 else winter
        np.testing.assert_allclose(pop.capacity_per_cell(month)[SAIGA], expected * AREA)
    # Gazelle K x 1.5 within 5 km (2 cells) of the well: the 13 cells with dr² + dc² <= 4.
    gain = pop.capacity_per_cell(0)[GAZELLE] / AREA
    rr, cc = np.ogrid[:ROWS, :COLS]
    near = (rr - 10) ** 2 + (cc - 15) ** 2 <= 4
    assert near.sum() == 13
    np.testing.assert_allclose(gain[near], 1.5)
    np.testing.assert_allclose(gain[~near], 1.0)


def test_bad_inputs_are_refused_with_clear_messages():
    pop = PreyPopulation(params(), make_land())
    with pytest.raises(ValueError, match="enforcement"):
        pop.step(1, enforcement=1.5)
    with pytest.raises(ValueError, match="month"):
        pop.step(12, enforcement=0.5)
    with pytest.raises(ValueError, match="outside"):
        pop.add("saiga", ROWS, 0, 5.0)
    zero = np.zeros((ROWS, COLS))
    with pytest.raises(ValueError, match="gazelle.initial_total"):
        PreyPopulation(params(gazelle=dict(initial_total=10.0)), make_land({"gazelle": zero}))
