"""Common random numbers: options compared on the same environmental years, with a paired interval."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from sim.analysis.stats import compare_paired, compare_to_baseline
from sim.config.factories import uniform_reserve
from sim.model.model import run_replicate
from sim.runs.batch import run_batch
from sim.runs.seeds import replicate_seed


class Years:
    """Records the year's environment at each census."""

    def __init__(self):
        self.seen = []

    def on_census(self, m, year):
        self.seen.append((m.capacity_multiplier, m.hazard_multiplier, m.harsh_winter, m.die_off, m.drought))


def option(name, females, paired=True, baseline=None, **kw):
    sc = uniform_reserve(name, years=8, size_km=50, gazelle=1.0, saiga=0.5, quiet=False,
                         releases=[{"females": females, "males": 3}], **kw)
    return sc.model_copy(update={"common_random_numbers": paired, "baseline": baseline})


def years_of(sc, i=0, root=5):
    obs = Years()
    run_replicate(sc, replicate_seed(root, sc.name, i, paired=sc.common_random_numbers), observers=[obs])
    return obs.seen


def test_paired_options_meet_the_same_environmental_years():
    a, b = option("few", 3), option("many", 12)
    assert years_of(a) == years_of(b)
    assert years_of(a, i=1) != years_of(a, i=0)              # replicates still differ


def test_unpaired_options_do_not_share_years_and_pairing_is_off_by_default():
    assert uniform_reserve("x", years=2).common_random_numbers is False
    a, b = option("few", 3, paired=False), option("many", 12, paired=False)
    assert years_of(a) != years_of(b)


def test_paired_years_survive_a_drought_trend_in_one_option_only():
    a = option("dry", 3, environment={"trends": [{"setting": "drought_prob", "steps": [[3, 0.5]]}]})
    b = option("plain", 3)
    ya, yb = years_of(a), years_of(b)
    # droughts change the dry option's capacity, never its harsh winters or die-offs
    assert [y[2:4] for y in ya] == [y[2:4] for y in yb]


def test_the_paired_interval_on_a_known_table():
    # 40 runs: 20 persisted in both, 10 only in the scenario, 2 only in the baseline, 8 in neither
    x1 = np.array([1] * 20 + [1] * 10 + [0] * 2 + [0] * 8, dtype=bool)
    x0 = np.array([1] * 20 + [0] * 10 + [1] * 2 + [0] * 8, dtype=bool)
    diff, lo, hi = compare_paired(x1, x0)
    p12, p21 = 11 / 42, 3 / 42                                 # Bonett & Price's adjusted proportions
    half = 1.959964 * np.sqrt((p12 + p21 - (p12 - p21) ** 2) / 42)
    assert diff == pytest.approx(8 / 40)
    assert (lo, hi) == pytest.approx((p12 - p21 - half, p12 - p21 + half), abs=1e-6)
    # concordant pairs carry no doubt: pairing is narrower than treating the runs as independent
    _, lo_i, hi_i = compare_to_baseline(30, 40, 22, 40)
    assert hi - lo < hi_i - lo_i


def test_a_batch_of_paired_options_reports_the_paired_difference(tmp_path):
    base = option("baseline", 3, replicates=6)
    more = option("more", 10, replicates=6, baseline="baseline")
    run_batch([base, more], tmp_path / "out", jobs=1, root_seed=3)
    rows = {r["scenario"]: r for r in csv.DictReader(open(tmp_path / "out" / "summary.csv"))}
    assert rows["more"]["diff_method"] == "paired" and rows["baseline"]["diff_method"] == ""
    indep = option("indep", 10, paired=False, replicates=6, baseline="baseline")
    run_batch([base, indep], tmp_path / "out2", jobs=1, root_seed=3)
    rows = {r["scenario"]: r for r in csv.DictReader(open(tmp_path / "out2" / "summary.csv"))}
    assert rows["indep"]["diff_method"] == "independent"
