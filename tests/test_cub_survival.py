"""Cub survival to independence in the demography-only case: the cub's hazards are counted once.

Demography only (sim.validation.common.demography_only: food unlimited through the ceiling rule
without a ceiling, a mate always available, quiet environment, no people, roads, lions, release
losses or inbreeding depression) and every default hazard rule in force. A dependent cub's only
non-zero hazard is then the background one: a cub is born after the month's mortality phase and
becomes independent at the ageing of age 17 -> 18 (independence_months 17.5), so it faces 17
monthly draws (ages 1..17); the draw in the den (age 1 < den_months 2) carries survival
s_den = cub_survival_base / cub_survival_after_emergence = 0.8 / 0.97, the 16 after it
s_a = 0.97^(1/16) each, so with its mother alive it survives them with probability
s_den s_a^16 = cub_survival_base = 0.8.

Its mother dies with monthly probability 1 - sig, sig = 0.92^(1/12) = 0.993075 (adult female, no
senescence before 102 months). A cub orphaned at cub age c >= 12 (orphan_survival_months)
becomes independent if it survives its own draw that month; younger orphans die. By hand, with
S(c) = s_den s_a^(c-1) the survival of the draws at ages 1..c:

    P = Σ_{c=12..16} sig^(c-1) (1 - sig) S(c) + sig^16 S(17) = 0.74128

(at c = 17 the cub becomes independent whether or not its mother dies). A cub hazard counted
twice (S(c)^2) would give 0.5931, far outside the tolerance.
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


def _S(p, c: int) -> float:
    """Survival of a cub's background draws at ages 1..c: one den draw (age 1), then c - 1 after."""
    s_den = p.cub_survival_base / p.cub_survival_after_emergence
    s_a = p.cub_survival_after_emergence ** (1 / 16)
    return s_den * s_a ** (c - 1)


def _hand_parts(p) -> tuple[float, float]:
    """(independent with the mother alive, independent as an orphan): sig^17 S(17) and
    Σ_{c=12..17} sig^(c-1) (1 - sig) S(c); they add up to the module docstring's P."""
    sig = p.adult_survival_female ** (1 / 12)
    return sig ** 17 * _S(p, 17), sum(sig ** (c - 1) * (1 - sig) * _S(p, c) for c in range(12, 18))


def _hand(p) -> float:
    sig = p.adult_survival_female ** (1 / 12)
    return sum(sig ** (c - 1) * (1 - sig) * _S(p, c) for c in range(12, 17)) + sig ** 16 * _S(p, 17)


def _scenario(females: int = 500):
    """Demography only; founders may breed where they walk (they need not settle first)."""
    return demography_only({"breeding_females_must_be_resident": False}, name="cub-survival", years=3,
                           releases=[{"year": 1, "month": 1, "females": females, "males": 0, "age_months": 40}])


def test_hand_values_of_cub_survival_with_a_mortal_mother():
    p = _scenario().cheetah
    assert (p.cub_survival_base, p.cub_survival_after_emergence, p.adult_survival_female, p.independence_months,
            p.orphan_survival_months, p.den_months) == (0.8, 0.97, 0.92, 17.5, 12.0, 2.0)
    assert _hand(p) == pytest.approx(0.74128, abs=1e-5)
    with_mother, orphan = _hand_parts(p)
    assert with_mother + orphan == pytest.approx(_hand(p), rel=1e-12)
    assert (with_mother, orphan) == (pytest.approx(0.71087, abs=1e-5), pytest.approx(0.03041, abs=1e-5))


def test_a_dependent_cubs_only_hazard_is_the_background_one_split_between_the_den_and_after_it():
    sc = _scenario()
    assert sc.rules.hazards == DEFAULT_HAZARDS
    m = ReintroductionModel(sc, landscape_of(sc), rng=np.random.default_rng(0))
    (mum,) = m.add_cheetahs(sex="F", age_months=60, row=20, col=20)
    cubs = [m.add_cheetahs(sex=s, age_months=a, row=20, col=20, mother=mum)[0]
            for s, a in (("F", 1), ("F", 2), ("M", 17))]
    H = mortality.hazards(m, m.death_causes)
    h_den, h_after = -math.log(0.8 / 0.97), -math.log(0.97) / 16     # 1 draw in the den, 16 after it
    for c, h_cub in zip(cubs, (h_den, h_after, h_after)):
        row = H[m.cheetahs.row_of(c.unique_id)]
        assert row[m.death_causes.index("background")] == pytest.approx(h_cub, rel=1e-12)
        assert row.sum() == pytest.approx(h_cub, rel=1e-12), dict(zip(m.death_causes, row))
    assert h_den + 16 * h_after == pytest.approx(-math.log(m.params.cub_survival_base), rel=1e-12)


@pytest.mark.parametrize("base, after, den_months, expect_den, expect_after", [
    (0.8, 0.97, 2.0, 0.8 / 0.97, 0.97),          # the defaults
    (0.95, 0.85, 2.0, 1.0, 0.95),                # base above 'after': no den losses, all after it
    (0.8, 0.97, 0.0, 1.0, 0.8),                  # no den: every loss after it
    (0.8, 0.97, 3.0, 0.8 / 0.97, 0.97),          # a longer den: two draws share its losses
])
def test_den_and_after_survival_multiply_to_the_base_survival(base, after, den_months, expect_den, expect_after):
    from types import SimpleNamespace
    p = SimpleNamespace(cub_survival_base=base, cub_survival_after_emergence=after, den_months=den_months,
                        independence_months=17.5)
    n_den = max(0, math.ceil(den_months) - 1)
    h_den, h_after = mortality.cub_background_hazards(p)
    assert math.exp(-h_den * n_den) == pytest.approx(expect_den, rel=1e-12)
    assert math.exp(-h_after * (17 - n_den)) == pytest.approx(expect_after, rel=1e-12)
    assert math.exp(-h_den * n_den - h_after * (17 - n_den)) == pytest.approx(base, rel=1e-12)


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
