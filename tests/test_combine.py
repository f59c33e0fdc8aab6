"""Comparing runs without re-running them (run_scenarios.py report RUN_A RUN_B --out DIR)."""

from __future__ import annotations

import csv
import json

import pytest

from sim.cli import main
from sim.config.schema import Scenario
from sim.runs.batch import run_batch
from sim.runs.combine import CombineError, combine_runs

from .test_report import fake_runner

LAND = {"preset": "uniform", "width_km": 50, "height_km": 30, "cell_km": 2.5, "fenced": True}
REL = {"site": "centre", "females": 4, "males": 4, "year": 1}


def scenario(name, females, baseline=None):
    return Scenario(name=name, years=6, replicates=20, landscape=LAND, baseline=baseline,
                    releases=[{**REL, "females": females}])


def a_run(path, scenarios, commit="a" * 40, dirty=False, baseline=None):
    run_batch(scenarios, path, jobs=1, progress=False, runner=fake_runner, landscapes=False, root_seed=7,
              baseline=baseline)
    m = json.loads((path / "manifest.json").read_text())
    m["git"] = {"commit": commit, "dirty": dirty}
    (path / "manifest.json").write_text(json.dumps(m))
    return path


def rows(path):
    return {r["scenario"]: r for r in csv.DictReader(open(path / "summary.csv", encoding="utf-8"))}


def test_a_new_option_is_compared_with_an_earlier_runs_baseline_as_in_one_batch(tmp_path):
    a = a_run(tmp_path / "a", [scenario("baseline", 4)], baseline="baseline")
    b = a_run(tmp_path / "b", [scenario("eight", 8, baseline="baseline")])
    together = a_run(tmp_path / "one", [scenario("baseline", 4), scenario("eight", 8, baseline="baseline")],
                     baseline="baseline")
    assert main(["report", str(a), str(b), "--out", str(tmp_path / "c")]) == 0
    combined, single = rows(tmp_path / "c"), rows(together)
    for col in ("p_persist", "diff_p_persist", "diff_p_persist_lo", "diff_p_persist_hi", "N_mean"):
        assert combined["eight"][col] == single["eight"][col], col
    assert (tmp_path / "c" / "report.html").is_file()
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["combined_from"]


@pytest.mark.parametrize("change, why", [
    (dict(commit="b" * 40), "runs of different code are not comparable"),
    (dict(dirty=True), "uncommitted changes"),
    (dict(commit=None), "an unknown commit"),
])
def test_runs_of_other_or_unknown_code_are_refused(tmp_path, change, why, capsys):
    a = a_run(tmp_path / "a", [scenario("baseline", 4)])
    b = a_run(tmp_path / "b", [scenario("eight", 8, baseline="baseline")], **change)
    assert main(["report", str(a), str(b), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert why in err and "Traceback" not in err and not (tmp_path / "c").exists()


def test_a_scenario_in_two_runs_is_refused(tmp_path):
    a = a_run(tmp_path / "a", [scenario("baseline", 4)])
    b = a_run(tmp_path / "b", [scenario("baseline", 4)])
    with pytest.raises(CombineError, match="'baseline' is in both"):
        combine_runs([a, b], tmp_path / "c")
