"""Cub survival to independence in the demography-only case: the cub's hazards are counted once.

Demography only (sim.validation.common.demography_only: food unlimited through the ceiling rule
without a ceiling, a mate always available, quiet environment, no people, roads, lions, release
losses or inbreeding depression) and every default hazard rule in force. A dependent cub's only
non-zero hazard is then the background one, h = -ln(cub_survival_base) / 17 per month: a cub is
born after the month's mortality phase and becomes independent at the ageing of age 17 -> 18
(independence_months 17.5), so it faces 17 monthly draws (ages 1..17) and, with its mother alive,
survives them with probability exp(-17 h) = cub_survival_base = 0.8.

Its mother dies with monthly probability 1 - sig, sig = 0.92^(1/12) = 0.993075 (adult female, no
senescence before 102 months). A cub orphaned at cub age c >= 12 (orphan_survival_months)
becomes independent if it survives its own draw that month; younger orphans die. By hand, with
s = 0.8^(1/17) per month:

    P = Σ_{c=12..16} sig^(c-1) (1 - sig) s^c + sig^16 s^17 = 0.74216

(at c = 17 the cub becomes independent whether or not its mother dies). A cub hazard counted
twice (s = 0.8^(2/17)) would give 0.5946, far outside the tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis import demography
from sim.config.schema import DEFAULT_HAZARDS
from sim.life import mortality
from sim.model.model import ReintroductionModel
from sim.validation.common import demography_only, landscape_of


def _hand_parts(p) -> tuple[float, float]:
    """(independent with the mother alive, independent as an orphan): sig^17 s^17 and
    Σ_{c=12..17} sig^(c-1) (1 - sig) s^c; they add up to the module docstring's P."""
    sig = p.adult_survival_female ** (1 / 12)
    s = p.cub_survival_base ** (1 / 17)
    return sig ** 17 * s ** 17, sum(sig ** (c - 1) * (1 - sig) * s ** c for c in range(12, 18))


def _hand(p) -> float:
    sig = p.adult_survival_female ** (1 / 12)
    s = p.cub_survival_base ** (1 / 17)
    return sum(sig ** (c - 1) * (1 - sig) * s ** c for c in range(12, 17)) + sig ** 16 * s ** 17


def _scenario(females: int = 500):
    """Demography only; founders may breed where they walk (they need not settle first)."""
    return demography_only({"breeding_females_must_be_resident": False}, name="cub-survival", years=3,
                           releases=[{"year": 1, "month": 1, "females": females, "males": 0, "age_months": 40}])


def test_hand_values_of_cub_survival_with_a_mortal_mother():
    p = _scenario().cheetah
    assert (p.cub_survival_base, p.adult_survival_female, p.independence_months, p.orphan_survival_months) == \
        (0.8, 0.92, 17.5, 12.0)
    assert _hand(p) == pytest.approx(0.74216, abs=1e-5)
    with_mother, orphan = _hand_parts(p)
    assert with_mother + orphan == pytest.approx(_hand(p), rel=1e-12)
    assert (with_mother, orphan) == (pytest.approx(0.71087, abs=1e-5), pytest.approx(0.03129, abs=1e-5))


def test_a_dependent_cubs_only_hazard_is_the_background_one_spread_over_its_17_draws():
    sc = _scenario()
    assert sc.rules.hazards == DEFAULT_HAZARDS
    m = ReintroductionModel(sc, landscape_of(sc), rng=np.random.default_rng(0))
    (mum,) = m.add_cheetahs(sex="F", age_months=60, row=20, col=20)
    cubs = [m.add_cheetahs(sex=s, age_months=a, row=20, col=20, mother=mum)[0] for s, a in (("F", 1), ("M", 17))]
    H = mortality.hazards(m, m.death_causes)
    h_cub = -math.log(0.8) / 17
    for c in cubs:
        row = H[m.cheetahs.row_of(c.unique_id)]
        assert row[m.death_causes.index("background")] == pytest.approx(h_cub, rel=1e-12)
        assert row.sum() == pytest.approx(h_cub, rel=1e-12), dict(zip(m.death_causes, row))
    assert 17 * h_cub == pytest.approx(-math.log(m.params.cub_survival_base), rel=1e-12)


class _CubFates:
    """Births, independence and deaths of cubs, from the model's observer hooks."""

    def __init__(self) -> None:
        self.born: dict[int, int] = {}
        self.independent: set[int] = set()
        self.orphaned: set[int] = set()
        self.died_as_cub: set[int] = set()

    def on_births(self, model, ev) -> None:
        self.born.update(dict.fromkeys(ev.cub_uid.tolist(), ev.t))

    def on_independence(self, model, ev) -> None:
        self.independent.update(ev.uid.tolist())
        self.orphaned.update(ev.uid[ev.orphaned].tolist())

    def on_deaths(self, model, ev) -> None:
        self.died_as_cub.update(ev.uid[ev.was_cub].tolist())


def test_simulated_cub_survival_to_independence_is_the_hand_value():
    """500 founder females aged 40 months (no males: an unrelated immigrant sire is assumed),
    26 months (fixed seed). A cub born in month t is decided by the end of month t + 17, so the
    cubs born in months 0..8 (about 1700) are counted; a cub survives if it became independent
    and did not die as a cub (an orphan dying in the month it was freed does not). The share must
    lie within 4 binomial standard errors (about 0.043) of the hand value 0.74216. Its two parts
    as well: independent with the mother alive (hand 0.71087) and freed as an orphan aged 12-17
    months who survives that month (hand 0.03129, about 53 cubs; 4 standard errors about 0.017)."""
    sc = _scenario()
    fates = _CubFates()
    m = ReintroductionModel(sc, landscape_of(sc), rng=np.random.default_rng(3), observers=[fates])
    months = 26
    for _ in range(months):
        m.step()
    cubs = [u for u, t in fates.born.items() if t <= months - 18]
    assert len(cubs) > 1200
    assert all(u in fates.independent or u in fates.died_as_cub for u in cubs), "an undecided cub was counted"
    survived = np.array([u in fates.independent and u not in fates.died_as_cub for u in cubs])
    hand = _hand(sc.cheetah)
    se = math.sqrt(hand * (1 - hand) / len(cubs))
    assert abs(survived.mean() - hand) < 4 * se, (survived.mean(), hand, se, len(cubs))
    as_orphan = np.array([u in fates.orphaned for u in cubs]) & survived
    for share, part in zip(((survived & ~as_orphan).mean(), as_orphan.mean()), _hand_parts(sc.cheetah)):
        assert abs(share - part) < 4 * math.sqrt(part * (1 - part) / len(cubs)), (share, part)


def test_the_decomposition_gives_the_hand_value():
    p = _scenario().cheetah
    assert demography.cub_survival_to_independence(p, mother_age_months=40) == pytest.approx(_hand(p), rel=1e-12)
