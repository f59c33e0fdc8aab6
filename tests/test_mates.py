"""Mate finding by roaming males (sim.life.reproduction.roaming_males) against hand values, and
kin avoidance.

A breeding male finds an available female this month with probability exp(-d² / 2σ²), d the
distance between them [km] and σ = daily_travel_km_male x sqrt(days per month) [km]. With the
defaults: σ = 6.13 km/day x sqrt(30.4375) = 6.13 x 5.51702 = 33.819 km, 2σ² = 2287.5 km², so

    d =  0 km: P = 1
    d = 20 km: P = exp(-400 / 2287.5)  = 0.83957
    d = 40 km: P = exp(-1600 / 2287.5) = 0.49686
    d = 60 km: P = exp(-3600 / 2287.5) = 0.20726

Distances are between cells of 2.5 km: 0, 8, 16 and 24 cells apart in one row.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.cheetahs.events import become_independent
from sim.life import reproduction
from sim.life.reproduction import male_search_sd_km, roaming_males
from sim.model.model import ReintroductionModel
from tests.helpers import flat_landscape, scenario

HAND_P = {0: 1.0, 20: 0.83957, 40: 0.49686, 60: 0.20726}     # distance [km] -> P(find), by hand


class _ConstantRng:
    """Stands in for the model's rng: every uniform number is ``u`` (so a male finds a female iff
    u < P(find), and ties among finders go to the first)."""

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self, shape=None):
        return np.full(shape, self.u) if shape is not None else self.u


def _model(**cheetah) -> ReintroductionModel:
    return ReintroductionModel(scenario(cheetah=cheetah), flat_landscape(20, 40), rng=np.random.default_rng(8))


def _rows(m, handles) -> np.ndarray:
    return np.array([m.cheetahs.row_of(h.unique_id) for h in handles], dtype=np.int64)


def test_male_search_spread_is_daily_travel_times_root_days_per_month():
    p = scenario().cheetah
    assert p.daily_travel_km_male == 6.13
    assert male_search_sd_km(p) == pytest.approx(33.819, abs=1e-3)
    two_sigma2 = 2 * male_search_sd_km(p) ** 2
    for d, prob in HAND_P.items():
        assert math.exp(-d * d / two_sigma2) == pytest.approx(prob, abs=1e-5)


@pytest.mark.parametrize("d_km", [0, 20, 40, 60])
def test_the_find_probability_is_the_hand_value_to_a_part_in_a_million(d_km):
    """With every uniform number u set just below the hand P(find) the male finds her; just
    above it, he does not: the rule's probability is pinned to within 1e-6 (relative)."""
    m = _model()
    (f,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=5)
    (male,) = m.add_cheetahs(sex="M", age_months=60, row=10, col=5 + d_km * 2 // 5)
    exact = math.exp(-d_km ** 2 / (2 * male_search_sd_km(m.params) ** 2))
    assert exact == pytest.approx(HAND_P[d_km], abs=1e-5)
    females, males = _rows(m, [f]), _rows(m, [male])
    m.rng = _ConstantRng(exact * (1 - 1e-6))
    assert roaming_males(m, females, males).tolist() == [0]
    if d_km:                                   # at d = 0 every u < 1 finds her
        m.rng = _ConstantRng(exact * (1 + 1e-6))
        assert roaming_males(m, females, males).tolist() == [-1]


def test_the_share_of_females_found_at_each_distance_matches_the_hand_probability():
    """One male in column 5 and 4 x 250 females 0, 20, 40 and 60 km east of him; each
    male-female pair gets its own draw, so each female is found (and mates) with the hand
    probability. Four months of draws (fixed seed): 1000 trials per distance, each frequency
    within 4 binomial standard errors sqrt(P (1 - P) / 1000) (at most 0.063) of the hand value."""
    m = _model()
    (male,) = m.add_cheetahs(sex="M", age_months=60, row=10, col=5)
    groups = {d: _rows(m, m.add_cheetahs(250, sex="F", age_months=60, row=10, col=5 + d * 2 // 5)) for d in HAND_P}
    females = np.concatenate(list(groups.values()))
    found = np.zeros(len(females))
    months = 4
    for _ in range(months):
        found += roaming_males(m, females, _rows(m, [male])) == 0
    start = 0
    for d, rows in groups.items():
        share = found[start:start + len(rows)].sum() / (months * len(rows))
        start += len(rows)
        p = HAND_P[d]
        se = math.sqrt(p * (1 - p) / (months * len(rows)))
        assert abs(share - p) <= 4 * se + 1e-12, (d, share, p, se)


def _mother_and_son(m):
    """A founder female and her adult son, made by the model's own birth (pedigree kinship 1/4),
    and an unrelated founder male, all in one cell; the son is made independent and 40 months
    old by hand."""
    pop = m.cheetahs
    (mum,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=10)
    (dad,) = m.add_cheetahs(sex="M", age_months=60, row=10, col=10)
    i, j = pop.row_of(mum.unique_id), pop.row_of(dad.unique_id)
    pop.sire_uid[i], pop.sire_slot[i] = dad.unique_id, pop.gslot[j]
    m.genetics.hold(int(pop.gslot[j]))
    cubs = reproduction.give_birth(m, np.array([i]))
    son = pop.handles[cubs[0]]
    assert son.sex == "M"
    become_independent(pop, cubs)
    pop.birth[cubs] = pop.clock - 40
    (stranger,) = m.add_cheetahs(sex="M", age_months=60, row=10, col=10)
    assert m.genetics.kinship(mum.gslot, son.gslot) == pytest.approx(0.25, abs=1e-15)
    assert m.genetics.kinship(mum.gslot, stranger.gslot) == 0.0
    return mum, son, stranger


def test_a_male_as_related_as_the_kin_avoidance_threshold_is_never_chosen():
    """Her son (kinship 0.25 = kin_avoidance_kinship) finds her for certain (same cell) but is
    never her mate, in 300 months of draws: with the unrelated male also there she always takes
    him; with her son alone she has no mate."""
    m = _model(sex_ratio_at_birth=1.0)
    assert m.params.kin_avoidance_kinship == 0.25
    mum, son, stranger = _mother_and_son(m)
    female = _rows(m, [mum])
    for _ in range(300):
        assert roaming_males(m, female, _rows(m, [son, stranger])).tolist() == [1]
        assert roaming_males(m, female, _rows(m, [son])).tolist() == [-1]


def test_with_kin_avoidance_switched_off_the_son_is_chosen_half_the_time():
    """kin_avoidance_kinship 0.5 (off for a son): both males find her, she picks one at random:
    the son 150 ± 4 x 8.7 times in 300."""
    m = _model(sex_ratio_at_birth=1.0, kin_avoidance_kinship=0.5)
    mum, son, stranger = _mother_and_son(m)
    picks = np.array([roaming_males(m, _rows(m, [mum]), _rows(m, [son, stranger]))[0] for _ in range(300)])
    assert set(picks.tolist()) <= {0, 1}
    assert abs((picks == 0).sum() - 150) <= 4 * math.sqrt(300 * 0.25)
