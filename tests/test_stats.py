"""PVA statistics on hand-made census arrays (no model runs)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from sim.model.results import CENSUS_COLUMNS, DEATH_CAUSES, ReplicateResult, empty_census
from sim.analysis.stats import (annual_log_growth, by_year, compare_to_baseline, quasi_extinct,
                       summarise_scenario, wilson_interval)


# --------------------------------------------------------------------------- Wilson / Newcombe

@pytest.mark.parametrize("k,n", [(0, 10), (1, 10), (5, 10), (10, 10), (0, 1), (37, 100), (999, 1000)])
@pytest.mark.parametrize("conf", [0.95, 0.9])
def test_wilson_interval_matches_scipy(k, n, conf):
    ci = binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
    lo, hi = wilson_interval(k, n, conf)
    assert lo == pytest.approx(ci.low, abs=1e-12)
    assert hi == pytest.approx(ci.high, abs=1e-12)


def test_wilson_interval_elementwise_on_arrays_and_nan_without_runs():
    k = np.array([0, 3, 7, 0])
    n = np.array([7, 7, 7, 0])
    lo, hi = wilson_interval(k, n)
    for i in range(3):
        assert (lo[i], hi[i]) == pytest.approx(wilson_interval(int(k[i]), int(n[i])))
    assert math.isnan(lo[3]) and math.isnan(hi[3])
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


@pytest.mark.parametrize("k1,n1,k0,n0,lo,hi", [
    # Newcombe (1998) Statistics in Medicine 17:873-890, Table II, method 10
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (5, 56, 0, 29, -0.0381, 0.1926),
])
def test_newcombe_hybrid_interval_reproduces_published_examples(k1, n1, k0, n0, lo, hi):
    d, l, h = compare_to_baseline(k1, n1, k0, n0)
    assert d == pytest.approx(k1 / n1 - k0 / n0)
    assert round(l, 4) == lo and round(h, 4) == hi


def test_newcombe_interval_nan_when_a_group_is_empty():
    assert all(math.isnan(x) for x in compare_to_baseline(3, 10, 0, 0))


# --------------------------------------------------------------------------- hand-made runs

def _run(N, extant, released, gd=None, F=None, deaths=None):
    c = empty_census(len(N))
    c["N"][:] = N
    c["extant"][:] = extant
    c["released"][:] = released
    if gd is not None:
        c["gene_diversity"][:] = gd
    if F is not None:
        c["mean_F"][:] = F
    for cause, vals in (deaths or {}).items():
        c[f"deaths_{cause}"][:] = vals
    c["occupied_km2"][:] = np.asarray(N, dtype=float) * 100.0
    c["prey_saiga"][:] = 1000.0
    return c


nan = math.nan
RUNS = [
    # A: founders in year 1, supplemented in year 4, persists
    _run(N=[4, 5, 6, 8, 8, 9], extant=[1, 1, 1, 1, 1, 1], released=[4, 0, 0, 2, 0, 0],
         gd=[0.9, 0.88, 0.86, 0.85, 0.83, 0.81], F=[0, 0, 0.02, 0.03, 0.05, 0.1],
         deaths={"starvation": [1, 0, 0, 0, 1, 0]}),
    # B: founders in year 1, first extinct (one sex gone) in year 4
    _run(N=[4, 3, 2, 1, 0, 0], extant=[1, 1, 1, 0, 0, 0], released=[4, 0, 0, 0, 0, 0],
         gd=[0.8, 0.7, 0.6, 0.5, nan, nan], deaths={"human": [0, 1, 1, 1, 1, 0]}),
    # C: released in year 2, extinct in year 5
    _run(N=[0, 4, 4, 2, 1, 0], extant=[0, 1, 1, 1, 0, 0], released=[0, 4, 0, 0, 0, 0],
         gd=[nan, 0.85, 0.8, 0.7, 0.5, nan], deaths={"human": [0, 0, 0, 2, 1, 1]}),
    # D: founders in year 1, extinct in year 2
    _run(N=[4, 2, 0, 0, 0, 0], extant=[1, 0, 0, 0, 0, 0], released=[4, 0, 0, 0, 0, 0],
         gd=[0.7, 0.6, nan, nan, nan, nan], deaths={"road": [0, 2, 2, 0, 0, 0]}),
]


def _stack(runs):
    return {c: np.vstack([r[c] for r in runs]) for c in CENSUS_COLUMNS}


def test_summary_of_four_hand_made_runs():
    census = _stack(RUNS)
    s = summarise_scenario(census, quasi_threshold=3, cell_area_km2=6.25)
    assert s["n_replicates"] == 4 and s["n_extant"] == 1
    assert s["p_persist"] == 0.25 and s["pe"] == 0.75
    assert (s["p_persist_lo"], s["p_persist_hi"]) == pytest.approx(wilson_interval(1, 4))
    assert (s["pe_lo"], s["pe_hi"]) == pytest.approx((1 - s["p_persist_hi"], 1 - s["p_persist_lo"]))
    # first extinction in years 4 (B), 5 (C), 2 (D)
    assert s["p_extinct_ever"] == 0.75
    assert s["te_mean"] == pytest.approx(11 / 3)
    assert s["te_median"] == 4
    # N < 3 after the first release year: B (2 in year 3), C (2 in year 4), D (2 in year 2); not A
    assert s["p_quasi"] == 0.75
    # final N: 9, 0, 0, 0
    assert s["N_mean"] == 2.25
    assert s["N_sd"] == pytest.approx(np.std([9, 0, 0, 0], ddof=1))
    assert s["N_q50"] == 0 and s["N_q95"] == pytest.approx(np.quantile([9, 0, 0, 0], 0.95))
    assert s["N_extant_mean"] == 9 and math.isnan(s["N_extant_sd"])
    # stochastic r: pairs with N_t > 0, N_t+1 > 0 and no release in t+1
    r_a = [math.log(5 / 4), math.log(6 / 5), math.log(8 / 8), math.log(9 / 8)]   # 6->8 was a release
    r_b = [math.log(3 / 4), math.log(2 / 3), math.log(1 / 2)]
    r_c = [math.log(4 / 4), math.log(2 / 4), math.log(1 / 2)]                  # 0->4 is no growth
    r_d = [math.log(2 / 4)]
    per_run = [np.mean(r) for r in (r_a, r_b, r_c, r_d)]
    assert s["stoch_r_mean"] == pytest.approx(np.mean(per_run))
    assert s["stoch_r_sd"] == pytest.approx(np.std(r_a + r_b + r_c + r_d, ddof=1))
    assert s["stoch_r_pairs"] == 11
    # gene diversity: founders' census (first release year) 0.9, 0.8, 0.85, 0.7; horizon (A) 0.81
    assert s["gd_initial"] == pytest.approx(0.8125)
    assert s["gd_final"] == pytest.approx(0.81)
    assert s["gd_retained"] == pytest.approx(0.81 / 0.8125)
    assert s["mean_F"] == pytest.approx(0.1)
    # deaths: starvation 2, human 4 + 4, road 4 -> 14
    assert s["deaths_total_mean"] == pytest.approx(14 / 4)
    assert s["death_share_human"] == pytest.approx(8 / 14)
    assert s["death_share_road"] == pytest.approx(4 / 14)
    assert s["death_share_starvation"] == pytest.approx(2 / 14)
    assert sum(s[f"death_share_{c}"] for c in DEATH_CAUSES) == pytest.approx(1.0)
    assert s["prey_saiga_final"] == 1000.0
    assert s["occupied_km2"] == pytest.approx(900 / 4) and s["occupied_km2_extant"] == 900


def test_extinction_years_agree_with_replicate_result():
    census = _stack(RUNS)
    from sim.analysis.stats import first_extinction_index
    idx = first_extinction_index(census)
    for run, i in zip(RUNS, idx):
        rr = ReplicateResult("x", 0, 0, (0,), run)
        assert rr.extinction_year() == (None if i < 0 else int(run["year"][i]))


def test_quasi_extinction_ignores_the_release_year_and_threshold_zero():
    small = _run(N=[2, 3, 4, 5], extant=[1, 1, 1, 1], released=[2, 0, 0, 0])
    census = _stack([small])
    assert quasi_extinct(census, 3).tolist() == [False]     # 2 < 3 only in the release year
    assert quasi_extinct(census, 4).tolist() == [True]      # 3 < 4 in year 2
    assert quasi_extinct(census, 0).tolist() == [False]


def test_annual_log_growth_masks_releases_and_zeros():
    r = annual_log_growth(_stack([RUNS[0]]))[0]
    assert np.isnan(r[2])                                   # year 3 -> 4 had a release
    assert r[0] == pytest.approx(math.log(5 / 4))


def test_by_year_gives_persistence_curves():
    t = by_year(_stack(RUNS), quasi_threshold=3)
    assert t["year"].tolist() == [1, 2, 3, 4, 5, 6]
    assert t["n_extant"].tolist() == [3, 3, 3, 2, 1, 1]   # A 111111 B 111000 C 011100 D 100000
    assert t["p_persist"] == pytest.approx([0.75, 0.75, 0.75, 0.5, 0.25, 0.25])
    assert t["p_extinct_ever"] == pytest.approx([0, 0.25, 0.25, 0.5, 0.75, 0.75])
    assert t["p_quasi"] == pytest.approx([0, 0.25, 0.5, 0.75, 0.75, 0.75])
    assert t["N_mean"] == pytest.approx(np.mean([[4, 5, 6, 8, 8, 9], [4, 3, 2, 1, 0, 0],
                                                 [0, 4, 4, 2, 1, 0], [4, 2, 0, 0, 0, 0]], axis=0))
    # gene diversity over runs extant that year: year 2 -> A 0.88, B 0.7, C 0.85
    assert t["gene_diversity"][1] == pytest.approx((0.88 + 0.7 + 0.85) / 3)
    lo, hi = wilson_interval(2, 4)
    assert (t["p_persist_lo"][3], t["p_persist_hi"][3]) == pytest.approx((lo, hi))


def test_by_year_gives_the_summary_quantities_for_every_year():
    t = by_year(_stack(RUNS), quasi_threshold=3)
    assert t["pe"] == pytest.approx(1 - t["p_persist"])
    assert (t["pe_lo"][3], t["pe_hi"][3]) == pytest.approx((1 - t["p_persist_hi"][3], 1 - t["p_persist_lo"][3]))
    lo, hi = wilson_interval(np.array([0, 1, 2, 3, 3, 3]), np.full(6, 4))
    assert t["p_quasi_lo"] == pytest.approx(lo) and t["p_quasi_hi"] == pytest.approx(hi)
    # year 4: runs A (N 8) and C (N 2) are extant
    assert (t["N_extant_q05"][3], t["N_extant_q50"][3], t["N_extant_q95"][3]) == pytest.approx((2.3, 5, 7.7))
    assert np.isnan(t["N_extant_q50"]).tolist() == [False] * 6
    # gd_initial: first release year of A 0.9, B 0.8, C 0.85 (year 2), D 0.7
    assert t["gd_retained"][1] == pytest.approx((0.88 + 0.7 + 0.85) / 3 / 0.8125)
    # year 2: B one human death, D two road deaths
    assert t["deaths_total_mean"][1] == pytest.approx(3 / 4)
    assert (t["death_share_human"][1], t["death_share_road"][1]) == pytest.approx((1 / 3, 2 / 3))
    assert t["death_share_starvation"][0] == 1 and t["death_share_human"][5] == 1
    # year 2: r of A ln(5/4), B ln(3/4), D ln(2/4); C had no cheetahs in year 1
    assert t["stoch_r_mean"][1] == pytest.approx(np.mean(np.log([5 / 4, 3 / 4, 2 / 4])))
    assert t["stoch_r_pairs"].tolist()[:2] == [0, 3] and np.isnan(t["stoch_r_mean"][0])


def test_last_year_of_by_year_agrees_with_the_summary():
    census = _stack(RUNS)
    t = by_year(census, quasi_threshold=3)
    s = summarise_scenario(census, quasi_threshold=3, cell_area_km2=6.25)
    assert {"pe_hi", "p_quasi_hi", "N_extant_q95", "gd_retained", "mean_F", "deaths_total_mean",
            "death_share_human", "stoch_r_mean", "occupied_km2_extant"} <= set(t) & set(s)
    per_year_rates = ("deaths_total_mean", "death_share_", "stoch_r_")   # horizon-long in the summary
    for c in (c for c in t if c in s and not c.startswith(per_year_rates)):
        assert t[c][-1] == pytest.approx(s[c], nan_ok=True), c


def test_no_successful_runs_gives_nan_not_an_error():
    census = {c: np.zeros((0, 5)) for c in CENSUS_COLUMNS}
    s = summarise_scenario(census, quasi_threshold=10, cell_area_km2=6.25)
    assert s["n_replicates"] == 0
    assert math.isnan(s["p_persist"]) and math.isnan(s["p_persist_lo"]) and math.isnan(s["te_mean"])
    t = by_year(census, quasi_threshold=10)
    assert np.isnan(t["p_persist"]).all() and t["n_replicates"].tolist() == [0] * 5
