"""Sensitivity analysis (sim.analysis.sensitivity, sim.analysis.global_sensitivity, the
``sensitivity`` command): the methods on toy functions with known answers, then one tiny real
scenario end to end."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from sim.analysis import global_sensitivity as gs
from sim.analysis import sensitivity as sa
from sim.analysis.stats import summarise_scenario


def _param(path, low, high, base=None, integer=False):
    return sa.SensParam(path, (low + high) / 2 if base is None else base, low, high, "test", integer)


def toy(fn, noise_sd: float = 0.0):
    """An evaluate() for a deterministic function of the point (missing keys at their base
    values), plus replicate noise drawn from each replicate's seed: the same seed gives the same
    noise at every point (common random numbers)."""
    def evaluate(points, seeds):
        base = {"a": 1.0, "b": 1.0, "c": 1.0}
        out = np.empty((len(points), len(seeds), len(sa.OUTPUTS)))
        for i, pt in enumerate(points):
            v = {**base, **pt}
            for j, s in enumerate(seeds):
                e = np.random.default_rng(s).normal(0, noise_sd, 3) if noise_sd else np.zeros(3)
                out[i, j] = np.asarray(fn(v["a"], v["b"], v["c"]), dtype=float) + e
        return out
    return evaluate


SEEDS = [np.random.SeedSequence(7, spawn_key=(i,)) for i in range(4)]


# ============================================================================ OAT
def test_oat_ranks_parameters_by_their_swing_and_pairs_the_noise_away():
    # outputs: (5a + b, -2c, a*b); ranges a 0-2, b 0-2, c 0-1, base 1
    params = [_param("a", 0, 2, 1), _param("b", 0, 2, 1), _param("c", 0.5, 1.5, 1)]
    res = sa.oat(params, toy(lambda a, b, c: (5 * a + b, -2 * c, a * b), noise_sd=3.0), SEEDS,
                 outputs=("x", "y", "z"))
    assert [r.param.path for r in res.ranked("x")] == ["a", "b", "c"]
    assert [r.param.path for r in res.ranked("y")][0] == "c"
    a = res.rows[0]
    # additive noise with common random numbers cancels exactly in the paired differences
    assert a.diff["x"]["low"][0] == pytest.approx(-5.0) and a.diff["x"]["high"][0] == pytest.approx(5.0)
    assert a.diff["x"]["high"][1] == pytest.approx(0.0, abs=1e-9)
    assert res.rows[2].diff["x"]["high"][0] == pytest.approx(0.0, abs=1e-9)
    assert a.swing("x") == pytest.approx(5.0)
    # the levels themselves carry the noise (their intervals are wide)
    m, lo, hi = a.at["x"]["high"]
    assert lo < m < hi and hi - lo > 1.0
    rec = res.table()[0]
    assert rec["parameter"] == "a" and rec["d_x_high"] == pytest.approx(5.0)


def test_oat_uses_wilson_intervals_for_persistence():
    params = [_param("a", 0, 2, 1)]
    res = sa.oat(params, toy(lambda a, b, c: (float(a > 0.5), 0.0, 0.0)), SEEDS)
    assert res.rows[0].at["p_persist"]["low"][:2] == (0.0, 0.0)
    assert res.rows[0].at["p_persist"]["low"][2] > 0.3          # Wilson upper bound of 0 of 4
    assert res.rows[0].diff["p_persist"]["low"][0] == -1.0


def test_replicate_outputs_average_to_the_scenario_summary():
    rng = np.random.default_rng(3)
    years, runs = 6, 5
    cols = {"N": rng.integers(0, 30, (runs, years)).astype(float), "released": np.zeros((runs, years)),
            "extant": rng.integers(0, 2, (runs, years)).astype(float)}
    cols["N"][1, 2:] = 0.0
    cols["released"][:, 0] = 20
    per = np.array([sa.replicate_outputs({k: v[i] for k, v in cols.items()}) for i in range(runs)])
    means = sa.point_means(per[None])[0]
    from sim.model.results import empty_census
    full = {k: np.zeros((runs, years)) for k in empty_census(years)}
    full.update(cols)
    s = summarise_scenario(full, 10, 6.25)
    assert means == pytest.approx([s["p_persist"], s["stoch_r_mean"], s["N_mean"]])


def test_unknown_parameter_names_get_close_matches():
    from sim.config.schema import Scenario
    params = sa.sensitivity_parameters(Scenario(name="x"))
    paths = [p.path for p in params]
    assert "cheetah.lethal_equivalents" in paths and "prey.gazelle.r_max" in paths
    assert all(p.low < p.high for p in params)
    with pytest.raises(sa.UnknownParameterError, match="cheetah.lethal_equivalents"):
        sa.select_parameters(params, ["cheetah.lethal_equivalent"])
    assert [p.path for p in sa.select_parameters(params, ["prey.gazelle.r_max"])] == ["prey.gazelle.r_max"]


# ============================================================================ Morris
def test_morris_finds_the_inert_input_and_the_linear_effect():
    # y = 6a + 0 b + c^2 on a in [0, 2], b in [0, 1], c in [0, 1]: an elementary effect is the change of
    # y per whole range, so a's is 6 x 2 = 12 everywhere (sigma 0); b has none; c's varies (sigma > 0)
    params = [_param("a", 0, 2), _param("b", 0, 1), _param("c", 0, 1)]
    f = toy(lambda a, b, c: (6 * a + c * c, 6 * a + c * c, 0.0))
    res = gs.morris(params, f, SEEDS[:1], trajectories=20, levels=4, seed=11, outputs=("y", "y2", "zero"))
    ix = res.indices["y"]
    assert ix["mu_star"][0] == pytest.approx(12.0) and ix["sigma"][0] == pytest.approx(0.0, abs=1e-9)
    assert ix["mu_star"][1] == pytest.approx(0.0, abs=1e-12)
    assert 0 < ix["mu_star"][2] < 12 and ix["sigma"][2] > 0
    assert [n for n, _ in res.top("y", 3)] == ["a", "c", "b"]
    assert res.X.shape == (20 * 4, 3)
    again = gs.morris(params, f, SEEDS[:1], trajectories=20, levels=4, seed=11, outputs=("y", "y2", "zero"))
    assert np.array_equal(again.X, res.X)            # the design is seeded


# ============================================================================ PRCC
def test_prcc_has_the_known_signs_and_ranking():
    # monotone, non-linear: y = exp(3a) - b^3 + 0.1 c, with replicate noise
    params = [_param("a", 0, 1), _param("b", 0, 1), _param("c", 0, 1)]
    f = toy(lambda a, b, c: (math.exp(3 * a) - b ** 3 + 0.1 * c, -math.exp(3 * a), 0.0), noise_sd=0.05)
    res = gs.prcc(params, f, SEEDS, samples=200, seed=5, outputs=("y", "neg", "flat"))
    c = res.indices["y"]["prcc"]
    assert c[0] > 0.95 and c[1] < -0.5 and 0 < c[2] < -c[1]
    assert res.indices["y"]["p_value"][0] < 1e-10
    assert res.indices["neg"]["prcc"][0] == pytest.approx(-1.0, abs=1e-9)   # monotone in a alone
    assert [n for n, _ in res.top("y", 2)] == ["a", "b"]
    assert np.isnan(res.indices["flat"]["prcc"]).all()                     # no variation: no coefficient


def test_partial_rank_correlation_against_a_direct_computation():
    rng = np.random.default_rng(1)
    X = rng.random((60, 2))
    y = X[:, 0] + 0.5 * X[:, 1] + 0.1 * rng.normal(size=60)
    c, _ = gs.partial_rank_correlation(X, y)
    from scipy.stats import rankdata
    R, ry = rankdata(X, axis=0), rankdata(y)
    Z = np.column_stack([np.ones(60), R[:, 1]])
    ex = R[:, 0] - Z @ np.linalg.lstsq(Z, R[:, 0], rcond=None)[0]
    ey = ry - Z @ np.linalg.lstsq(Z, ry, rcond=None)[0]
    assert c[0] == pytest.approx(np.corrcoef(ex, ey)[0, 1])


# ============================================================================ Sobol
def test_sobol_indices_of_a_linear_function_match_the_analytic_values():
    # y = a + 2b + 0c on [0, 1]^3: V = 1/12 + 4/12; S1 = ST = (0.2, 0.8, 0)
    params = [_param("a", 0, 1), _param("b", 0, 1), _param("c", 0, 1)]
    f = toy(lambda a, b, c: (a + 2 * b, a + 2 * b, 0.0))
    res = gs.sobol(params, f, SEEDS[:1], base_samples=1024, seed=3, outputs=("y", "y2", "zero"))
    ix = res.indices["y"]
    assert ix["S1"] == pytest.approx([0.2, 0.8, 0.0], abs=0.03)
    assert ix["ST"] == pytest.approx([0.2, 0.8, 0.0], abs=0.03)
    assert np.isnan(res.indices["zero"]["S1"]).all()
    with pytest.raises(ValueError, match="power of 2"):
        gs.sobol(params, f, SEEDS[:1], base_samples=100)
