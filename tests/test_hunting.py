"""Hunting rules against hand computations (sim.life.hunting): the search area a unit covers, the
kill rate of the type II functional response on a uniform prey density, and the food small prey
(hares) give.

Units: attack rates km²/day (km² of a unit's search strip a day in which prey met is hunted and
caught), densities animals/km², handling days per kill, kills per day or month, food kg/month
(one month = 365.25 / 12 = 30.4375 days).

The functional response is spied on by wrapping the model's ``fr_rule`` (an attribute of the
model instance, so the model code is untouched): the wrapper records the densities, attack rates
and handling times the model feeds it and the expected kills per day it returns.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.config.params import SPECIES
from sim.life import energetics, hunting
from sim.life.energetics import DAYS_PER_MONTH
from sim.model.model import ReintroductionModel
from tests.helpers import flat_landscape, scenario

GAZELLE, HARE = SPECIES.index("gazelle"), SPECIES.index("hare")


def _spy_on_functional_response(m) -> dict:
    """Record what the model passes to its functional response rule (and what it returns)."""
    seen: dict = {}
    rule = m.fr_rule

    def spy(density, attack, handling):
        out = rule(density, attack, handling)
        seen.update(density=density.copy(), attack=attack.copy(), handling=handling.copy(), per_day=out.copy())
        return out

    m.fr_rule = spy
    return seen


def _unit_index(m, handle) -> int:
    """Index of the unit led by ``handle`` among the hunting units (leaders in row order)."""
    units, _ = m.roster()
    return int(np.searchsorted(units.leaders, m.cheetahs.row_of(handle.unique_id)))


# ------------------------------------------------------------------------------------ 1. search area
def test_attack_rate_per_km_of_path_is_the_detection_strip_times_preference_times_success():
    """Per km of search path each species is met in a strip 2 x detection radius wide, hunted
    with the cheetah's preference and caught with hunt_success. With the defaults, by hand
    [km²/km]: saiga 2 x 0.5 x 1.0 x 0.5 = 0.5; gazelle 2 x 0.5 x 1.0 x 0.5 = 0.5; urial
    2 x 0.5 x 0.7 x 0.25 = 0.175; hare 2 x 0.05 x 1.0 x 0.5 = 0.05."""
    sc = scenario()
    m = ReintroductionModel(sc, flat_landscape(20, 20), rng=np.random.default_rng(0))
    sp = sc.prey.species()
    hand = [2 * sp[s].detection_radius_km * sp[s].cheetah_preference * sp[s].hunt_success for s in SPECIES]
    np.testing.assert_allclose(m.prey_attack_km2, hand, rtol=1e-15)
    defaults = dict(zip(SPECIES, (0.5, 0.5, 0.175, 0.05)))            # the hand values in the docstring
    np.testing.assert_allclose(m.prey_attack_km2, [defaults[s] for s in SPECIES], rtol=1e-12)
    np.testing.assert_allclose(m.prey_handling_days, [sp[s].handling_days for s in SPECIES])


def test_search_path_is_cut_in_the_den_raised_by_hunger_and_halved_for_captive_bred_animals():
    """The attack rate of each unit [km²/day] = search path [km/day] x the strip per km
    (previous test). Default path 12.3 km/day, so for gazelle (0.5 km²/km), by hand:

    * a lone resident female at full condition: 12.3 x 0.5 = 6.15;
    * a mother whose 3 cubs are 1 month old (in the den, < den_months = 2): x den_search_factor
      0.51 -> 3.1365; her cubs of exactly 2 months are out of the den: 6.15;
    * a lone female at condition 0.4 (reserve deficit 0.6): x (1 + hunger_effort 1.0 x 0.6) =
      9.84;
    * a full mother whose two 8-month cubs are at condition 0.5: each cub needs w = 0.3 + 0.7 x
      (8 - 3) / (17.5 - 3) = 0.54138 of an adult, so the unit's need-weighted deficit is
      2 w x 0.5 / (1 + 2 w) = 0.25993 and the path x 1.25993 -> 7.7486;
    * a captive-bred female in her first free month: x captive_hunting_factor 0.5 -> 3.075.

    Handling [days per kill] is the species' handling time shared by the unit's adult
    equivalents of food need: a coalition of two males handles a gazelle in 0.5 / 2 = 0.25 d."""
    m = ReintroductionModel(scenario(), flat_landscape(20, 20), rng=np.random.default_rng(0))
    p = m.params
    spec = m.spec.prey.gazelle
    assert (p.search_path_km_per_day, p.den_search_factor, p.den_months, p.hunger_effort,
            p.captive_hunting_factor, spec.detection_radius_km, spec.hunt_success,
            spec.handling_days) == (12.3, 0.51, 2.0, 1.0, 0.5, 0.5, 0.5, 0.5), "defaults changed: redo the hand values"
    (lone,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=10)
    (den_mum,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=10)
    for _ in range(3):
        m.add_cheetahs(sex="F", age_months=1, row=10, col=10, mother=den_mum)
    (out_mum,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=10)
    for _ in range(2):
        m.add_cheetahs(sex="M", age_months=2, row=10, col=10, mother=out_mum)
    (hungry,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=10, condition=0.4)
    (family,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=10)
    for _ in range(2):
        m.add_cheetahs(sex="F", age_months=8, row=10, col=10, mother=family, condition=0.5)
    (captive,) = m.add_cheetahs(sex="F", age_months=30, row=10, col=10, origin="captive")
    brothers = m.add_cheetahs(2, sex="M", age_months=40, row=10, col=10)
    m.cheetahs.coalition[[m.cheetahs.row_of(b.unique_id) for b in brothers]] = 1
    for h in (lone, den_mum, out_mum, hungry, family, captive, brothers[0]):
        h.settle(10, 10, 10.0)
    seen = _spy_on_functional_response(m)
    hunting.hunt_and_eat(m)

    w = 0.3 + 0.7 * (8 - 3) / (17.5 - 3)
    hand = {lone: 6.15, den_mum: 12.3 * 0.51 * 0.5, out_mum: 6.15, hungry: 12.3 * 1.6 * 0.5,
            family: 12.3 * (1 + 2 * w * 0.5 / (1 + 2 * w)) * 0.5, captive: 12.3 * 0.5 * 0.5,
            brothers[0]: 6.15}
    assert hand[family] == pytest.approx(7.7486, abs=1e-4)
    for h, a in hand.items():
        assert seen["attack"][_unit_index(m, h), GAZELLE] == pytest.approx(a, rel=1e-12), h.unique_id
    # every species scales with the same path: the hare's strip is a tenth of the gazelle's
    i = _unit_index(m, den_mum)
    assert seen["attack"][i, HARE] == pytest.approx(12.3 * 0.51 * 0.05, rel=1e-12)
    assert seen["handling"][_unit_index(m, brothers[0]), GAZELLE] == pytest.approx(0.25, rel=1e-12)
    assert seen["handling"][_unit_index(m, lone), GAZELLE] == pytest.approx(0.5, rel=1e-12)


# ------------------------------------------------------------------------------------ 2. kill interval
def _hunting_model(land, sc, n_units: int, seed: int):
    """``n_units`` lone resident females sharing one range of radius 20 km at the map's centre
    (each its own unit), a hunt observer, and the prey kept as they are (kills are not removed,
    so every month is hunted on the same density)."""
    m = ReintroductionModel(sc, land, rng=np.random.default_rng(seed))
    r, c = land.rows // 2, land.cols // 2
    for h in m.add_cheetahs(n_units, sex="F", age_months=60, row=r, col=c):
        h.settle(r, c, 20.0)
    kills: list[np.ndarray] = []
    m.observers.append(SimpleNamespace(on_hunt=lambda model, ev: kills.append(ev.kills.copy())))
    m.prey.remove_kills_in_boxes = lambda *a: None         # instance override: a fixed prey field
    units, need = m.roster()
    want = energetics.wants(m.params, need, m.cheetahs.condition)
    return m, units.leaders, units.total(need), units.total(want), kills


@pytest.mark.parametrize("D, kills_per_day, interval_days", [(0.02, 0.115874, 8.6301), (0.1, 0.470363, 2.1260)])
def test_kill_interval_on_a_uniform_gazelle_density_is_the_type2_value(D, kills_per_day, interval_days):
    """One hunting unit on a uniform gazelle density D [animals/km²], no other prey. By hand,
    with a = 12.3 km/day x 0.5 km²/km = 6.15 km²/day and h = 0.5 days per kill:

    * D = 0.02: k = a D / (1 + a h D) = 0.123 / 1.0615 = 0.115874 kills/day, one kill every
      8.630 days, 3.5270 kills a month;
    * D = 0.1:  k = 0.615 / 1.3075 = 0.470363 kills/day, one every 2.126 days, 14.317 a month.

    Satiation must not bind: the food need is raised to 15 kg/day (456.6 kg/month, so a unit
    stops only after about 31 gazelles of 27 kg x 0.6 edible x 0.95 kept; P(Poisson(14.3) > 30)
    < 1e-4). The density the model feeds the functional response and the expected kills it gets
    back are checked exactly; then 20 units x 300 months of Poisson kills (fixed seed): the mean
    kills a month must lie within 4 Poisson standard errors sqrt(k x 30.44 / 6000) of the hand
    value (D = 0.02: ±0.097 of 3.527; D = 0.1: ±0.195 of 14.317)."""
    assert kills_per_day * interval_days == pytest.approx(1.0, abs=1e-4)
    a, h = 12.3 * 0.5, 0.5
    assert a * D / (1 + a * h * D) == pytest.approx(kills_per_day, rel=1e-5)
    land = flat_landscape(30, 30, saiga=0.0, gazelle=D, hare=0.0)
    sc = scenario(prey={"saiga": {"initial_total": 0}, "gazelle": {"initial_total": D * 30 * 30 * 6.25}},
                  cheetah={"food_kg_per_day": 15.0})
    n_units, months = 20, 300
    m, leaders, need, want, kills = _hunting_model(land, sc, n_units, seed=11)
    seen = _spy_on_functional_response(m)
    for _ in range(months):
        hunting.kills_as_food(m, leaders, need, want)
    np.testing.assert_allclose(seen["density"][:, GAZELLE], D, rtol=1e-9)
    assert np.all(seen["density"][:, [s for s in range(len(SPECIES)) if s != GAZELLE]] == 0)
    np.testing.assert_allclose(seen["attack"][:, GAZELLE], a, rtol=1e-12)
    np.testing.assert_allclose(seen["per_day"][:, GAZELLE], kills_per_day, rtol=1e-5)
    K = np.array(kills)[:, :, GAZELLE]                      # (months, units)
    expected = kills_per_day * DAYS_PER_MONTH
    se = np.sqrt(expected / K.size)
    mean = K.mean()
    assert abs(mean - expected) < 4 * se, (mean, expected, se)
    observed_interval = DAYS_PER_MONTH / mean
    assert observed_interval == pytest.approx(interval_days, rel=4 * se / expected)


# ------------------------------------------------------------------------------------ 3. hares
def test_food_from_hares_alone_is_the_hand_value():
    """Hares only, at 2 hares/km². By hand: a = 12.3 km/day x 2 x 0.05 km x 1.0 x 0.5 =
    0.615 km²/day, h = 0.05 d, so k = a D / (1 + a h D) = 1.23 / 1.0615 = 1.158737 hares/day,
    35.269 hares a month. Each gives 2.1 kg x 0.6 edible x (1 - 0.05 lost to scavengers) =
    1.197 kg, so a lone cheetah gets 42.217 kg/month (1.387 kg/day: 35 % of its 4 kg/day need;
    satiation does not bind). Monte Carlo: 20 units x 100 months (fixed seed); the mean food
    must lie within 4 standard errors (1.197 kg x sqrt(35.27 / 2000) = 0.159 kg) of the hand
    value."""
    hare = scenario().prey.hare
    assert (hare.body_mass_kg, hare.detection_radius_km, hare.hunt_success,
            hare.handling_days) == (2.1, 0.05, 0.5, 0.05), "defaults changed: redo the hand values"
    land = flat_landscape(30, 30, saiga=0.0, gazelle=0.0, hare=2.0)
    sc = scenario(prey={"saiga": {"initial_total": 0}, "gazelle": {"initial_total": 0}})
    p = sc.cheetah
    assert (p.edible_fraction, p.kleptoparasitism) == (0.6, 0.05)
    n_units, months = 20, 100
    m, leaders, need, want, kills = _hunting_model(land, sc, n_units, seed=5)
    seen = _spy_on_functional_response(m)
    food = np.array([hunting.kills_as_food(m, leaders, need, want) for _ in range(months)])
    k = 0.615 * 2.0 / (1 + 0.615 * 0.05 * 2.0)
    assert k == pytest.approx(1.158737, rel=1e-6)
    np.testing.assert_allclose(seen["per_day"][:, HARE], k, rtol=1e-9)
    kg_per_hare = 2.1 * 0.6 * 0.95
    hand_kg = k * DAYS_PER_MONTH * kg_per_hare
    assert hand_kg == pytest.approx(42.217, abs=1e-3)
    assert hand_kg < need[0]                                 # satiation does not bind
    K = np.array(kills)[:, :, HARE]
    np.testing.assert_allclose(food, K * kg_per_hare, rtol=1e-12)    # food = kills x edible kg kept
    se = kg_per_hare * np.sqrt(k * DAYS_PER_MONTH / food.size)
    assert abs(food.mean() - hand_kg) < 4 * se, (food.mean(), hand_kg, se)
