"""The deterministic growth rate includes the mortality a scenario imposes (sim.analysis.imposed)."""

from __future__ import annotations

import math

import pytest

from sim.analysis.demography import deterministic_lambda
from sim.config.factories import uniform_reserve
from sim.runs.outputs import deterministic_growth


def reserve(**kw):
    landscape = {"human_value": kw.pop("human", 0.0), "wolf_density": kw.pop("wolves", 0.0)}
    return uniform_reserve("r", years=5, size_km=50, gazelle=1.0, landscape=landscape,
                           environment={"harsh_winter_prob": kw.pop("winters", 0.0)}, **kw)


def test_without_imposed_mortality_it_is_the_life_tables_lambda():
    sc = reserve()
    lam, r = deterministic_growth(sc)
    assert lam == pytest.approx(deterministic_lambda(sc.cheetah)) and r == pytest.approx(math.log(lam))


def test_people_winters_and_wolves_lower_it_and_management_raises_it_back():
    plain = deterministic_growth(reserve())[0]
    people = deterministic_growth(reserve(human=0.8))[0]
    winters = deterministic_growth(reserve(winters=0.5))[0]
    wolves = deterministic_growth(reserve(wolves=0.05))[0]
    assert people < plain and winters < plain and wolves < plain
    patrolled = reserve(human=0.8).model_copy()
    patrolled = patrolled.model_validate({**patrolled.model_dump(), "management": {
        "patrols": [{"year": 1, "box": [0, 0, 19, 19], "strength": 0.9}]}})
    assert people < deterministic_growth(patrolled)[0] < plain
