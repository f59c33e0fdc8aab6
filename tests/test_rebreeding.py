"""Rebreeding (sim.life.reproduction): a mother conceives again once her dependent cubs are
rebreed_cub_age_months (14) old, and her next litter's birth makes the older litter independent.

A hand-built family: a resident female of 60 months with three cubs of 13 months, and an
unrelated male of 60 months in the same cell (roaming males: found with probability 1 at
distance 0), conception_prob_per_month 1. Each month below is the reproduction phase followed by
the ageing phase (as in the model's schedule); by hand (cub age at the reproduction phase):

    cubs 13: too young (13 < 14), no conception
    cubs 14: she conceives (gestation 3 months)
    cubs 15, 16: pregnant, 2 then 1 months left
    cubs 17: she gives birth; the three cubs of 17 months become independent subadults without a
             home range, before independence_months (17.5) would have freed them at the ageing

so her litters are 17 months apart (14 + 3).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.life import development, reproduction
from sim.model.model import ReintroductionModel
from tests.helpers import flat_landscape, scenario


def _family(**cheetah):
    sc = scenario(cheetah={"conception_prob_per_month": 1.0, **cheetah})
    if not cheetah:
        assert (sc.cheetah.rebreed_cub_age_months, sc.cheetah.gestation_months,
                sc.cheetah.independence_months) == (14, 3, 17.5)
    events = SimpleNamespace(births=[], independence=[])
    obs = SimpleNamespace(on_births=lambda m, ev: events.births.append(ev),
                          on_independence=lambda m, ev: events.independence.append(ev))
    m = ReintroductionModel(sc, flat_landscape(20, 20), rng=np.random.default_rng(1), observers=[obs])
    (mum,) = m.add_cheetahs(sex="F", age_months=60, row=10, col=10)
    cubs = [m.add_cheetahs(sex=s, age_months=13, row=10, col=10, mother=mum)[0] for s in "FMM"]
    (male,) = m.add_cheetahs(sex="M", age_months=60, row=10, col=10)
    mum.settle(10, 10, 10.0)
    return m, mum, cubs, male, events


def _month(m) -> None:
    reproduction.month(m)
    development.month(m)


def test_a_mother_conceives_when_her_cubs_are_14_months_and_the_birth_frees_them_at_17():
    m, mum, cubs, male, events = _family()
    pop = m.cheetahs
    assert all(c.is_cub and c.age == 13 for c in cubs)
    _month(m)                                                  # cubs 13: too young
    assert mum.pregnant == 0
    _month(m)                                                  # cubs 14: she conceives
    assert mum.pregnant == 3
    assert pop.sire_uid[pop.row_of(mum.unique_id)] == male.unique_id
    for left in (2, 1):                                        # cubs 15, 16
        _month(m)
        assert mum.pregnant == left
        assert all(c.is_cub and c.mother is mum for c in cubs) and not events.births
    assert all(c.age == 17 and c.is_cub for c in cubs)
    t_birth = m.t
    reproduction.month(m)                                      # cubs 17: the birth
    assert mum.pregnant == 0
    assert len(events.births) == 1
    new = [pop.handles[pop.row_of(u)] for u in events.births[0].cub_uid.tolist()]
    assert new and all(c.is_cub and c.mother is mum and c.age == 0 and c.father_id == male.unique_id for c in new)
    assert mum.cubs == new
    assert all(not c.is_cub and c.home is None and c.stage == "subadult" and c.age == 17 for c in cubs)
    (ev,) = events.independence
    assert sorted(ev.uid.tolist()) == sorted(c.unique_id for c in cubs) and not ev.orphaned.any()
    assert ev.t == t_birth
    assert mum.home == (10, 10), "the mother keeps her range"
    # the ageing that follows has no more cubs of hers to free, and she is not available again
    development.month(m)
    assert len(events.independence) == 1
    reproduction.month(m)
    assert mum.pregnant == 0


def test_without_rebreeding_before_independence_the_litter_leaves_at_the_ageing():
    """The control: rebreed_cub_age_months 24 (never while she has dependent cubs): no
    conception, and the cubs leave at the ageing from 17 to 18 months (independence_months 17.5)."""
    m, mum, cubs, male, events = _family(rebreed_cub_age_months=24)
    for _ in range(4):                                         # cubs 13 .. 16
        _month(m)
        assert mum.pregnant == 0 and all(c.is_cub for c in cubs)
    _month(m)                                                  # cubs 17 -> 18
    assert all(not c.is_cub and c.age == 18 for c in cubs)
    assert not events.births
