"""The debug mode (SIM_CHECKS=1, on in the test suite) stops a replicate at a broken invariant."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import invariants
from sim.model.model import ReintroductionModel

from .helpers import flat_landscape, scenario


def model():
    sc = scenario(years=2, releases=[{"site": "centre", "females": 3, "males": 3, "month": 1}])
    return ReintroductionModel(sc, flat_landscape(20, 20), rng=np.random.default_rng(2))


def test_the_test_suite_runs_in_debug_mode_and_runs_do_not_by_default(monkeypatch):
    assert invariants.enabled() and model().debug_checks
    monkeypatch.delenv("SIM_CHECKS")
    assert not invariants.enabled()


def test_a_negative_prey_density_is_caught_in_its_month():
    m = model()
    m.step()
    m.prey.N[1, 3, 3] = -5.0
    with pytest.raises(invariants.InvariantBroken, match=r"year 1, month 2: prey densities must be finite and >= 0"):
        m.step()


def test_a_death_missing_from_the_census_breaks_the_population_balance():
    m = model()
    for _ in range(11):
        m.step()
    m.year_released += 1                   # an animal counted as released that never arrived
    with pytest.raises(invariants.InvariantBroken, match="population balance"):
        m.step()


def test_a_normal_replicate_keeps_every_invariant():
    m = model()
    for _ in range(24):
        m.step()
    assert m.census["N"][1] == len(m.cheetahs)
