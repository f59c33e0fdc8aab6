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


# ============================================================================ the command
TINY = """\
name: tiny
years: 3
replicates: 4
landscape: {preset: uniform, width_km: 25, height_km: 25, fenced: true, gazelle_density: 3.0}
prey:
  saiga: {initial_total: 0}
  urial: {initial_total: 0}
releases:
  - {year: 1, month: 1, females: 4, males: 4, site: centre}
"""


@pytest.fixture
def tiny(tmp_path):
    f = tmp_path / "tiny.yaml"
    f.write_text(TINY, encoding="utf-8")
    return f


@pytest.mark.parametrize("extra, fragment", [
    (["--method", "morriss"], "did you mean 'morris'"),
    (["--method", "tornado"], "must be one of oat, morris, prcc, sobol, all"),
    (["--params", "cheetah.lethal_equivalent"], "did you mean cheetah.lethal_equivalents"),
    (["--params", "gazelle.r_max"], "prey.gazelle.r_max"),
    (["--method", "prcc", "--params", "prey.gazelle.r_max,prey.hare.r_max", "--samples", "3"],
     "needs at least 4 samples"),
    (["--method", "morris", "--params", "prey.gazelle.r_max"], "need at least 2 parameters"),
    (["--method", "sobol", "--sobol-samples", "48"], "power of 2"),
    (["--name", "tiyn"], "did you mean 'tiny'"),
    (["--replicates", "1"], "--replicates: got 1, must be"),
])
def test_bad_sensitivity_options_exit_2_with_one_clear_message(tiny, tmp_path, capsys, extra, fragment):
    from sim.cli import main
    assert main(["sensitivity", str(tiny), "--out", str(tmp_path / "out"), *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_file_with_several_scenarios_needs_a_name(tmp_path, capsys):
    from sim.cli import main
    f = tmp_path / "two.yaml"
    f.write_text(TINY + "sweep: {releases.0.females: [4, 6]}\n", encoding="utf-8")
    assert main(["sensitivity", str(f), "--list-params"]) == 2
    err = capsys.readouterr().err
    assert "holds 2 scenarios (tiny__females=4, tiny__females=6); choose one with --name" in err
    assert main(["sensitivity", str(f), "--name", "tiny__females=6", "--list-params"]) == 0
    assert "prey.gazelle.r_max" in capsys.readouterr().out


def test_tiny_scenario_end_to_end_writes_every_file(tiny, tmp_path, capsys):
    """Uniform 25 km map, 3 years, 2 parameters, 4 paired replicates, every default method; the
    tornado's base point equals the scenario's replicates with the paired seeds, run on one process
    (the study ran on two)."""
    from sim.cli import main
    from sim.config.loading import load_scenarios
    from sim.runs import sensitivity as rs
    out = tmp_path / "sens"
    params = "cheetah.cub_survival_base,prey.gazelle.r_max"
    assert main(["sensitivity", str(tiny), "--params", params, "--method", "all", "--replicates", "4",
                 "--trajectories", "2", "--samples", "4", "--jobs", "2", "--seed", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"results: {out}" in printed and "top 5 by morris (mu*):" in printed
    for name in ("oat.csv", "morris.csv", "prcc.csv", "morris_points.csv", "prcc_points.csv", "sensitivity.json",
                 "sensitivity.html", "tornado.png", "tornado.svg", "morris.png", "morris.svg", "prcc.png"):
        assert (out / name).stat().st_size > 200, name
    oat_rows = list(csv.DictReader((out / "oat.csv").open(encoding="utf-8")))
    assert sorted(r["parameter"] for r in oat_rows) == sorted(params.split(","))
    morris_rows = list(csv.DictReader((out / "morris.csv").open(encoding="utf-8")))
    assert {"p_persist_mu_star", "stoch_r_sigma", "N_mu_star_conf"} <= set(morris_rows[0])
    assert len(list(csv.DictReader((out / "morris_points.csv").open(encoding="utf-8")))) == 2 * 3
    record = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert record["settings"]["model_runs"] == (5 + 6 + 4) * 4 and record["settings"]["root_seed"] == 5
    assert record["versions"]["SALib"] and "commit" in record["versions"]["git"]
    assert "Morris screening" in (out / "sensitivity.html").read_text(encoding="utf-8")
    (sc, _), = load_scenarios([tiny])
    Y = rs.scenario_evaluator(sc, tiny.parent, jobs=1)([{}], rs.paired_seeds(5, 4))
    base = sa.point_means(Y)[0]
    row = oat_rows[0]
    assert [float(row["p_persist_base"]), float(row["stoch_r_base"]), float(row["N_base"])] == pytest.approx(base)
