"""Recessive lethal alleles and their purging (sim.cheetahs.genetics, the inbreeding hazard of
sim.life.mortality).

Each founder carries one recessive lethal allele, unique to it, at each of round(2 B s) lethal
loci (B = lethal_equivalents 6.29, s = lethal_share 0.5: 6 loci), so a founder carries 6 lethal
alleles and a population of founders has lethal allele frequency 1/2 at every lethal locus. A cub
homozygous for a lethal (only possible by descent: each lethal is unique) dies at its first
mortality draw. Selection against these homozygotes must purge the lethal load from a small
inbreeding population; without it (neutral), the expected frequency stays at the founders'.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.cheetahs.genetics import Genetics
from sim.life import mortality
from sim.model.model import ReintroductionModel
from tests.helpers import flat_landscape, scenario

LETHAL_LOCI = 6


def test_the_model_gives_each_founder_one_lethal_at_round_2_B_share_loci():
    m = ReintroductionModel(scenario(), flat_landscape(20, 20), rng=np.random.default_rng(0))
    p = m.params
    assert round(2 * p.lethal_equivalents * p.lethal_share) == LETHAL_LOCI == m.genetics.n_lethal_loci
    founders = m.add_cheetahs(5, sex="F", age_months=40)
    slots = [h.gslot for h in founders]
    assert m.genetics.lethal_alleles(slots) == LETHAL_LOCI            # one per locus, per founder
    assert not m.genetics.lethal(slots).any()


def test_a_selfed_founders_offspring_is_lethal_with_probability_one_minus_three_quarters_to_the_six():
    """Selfing a founder: at each lethal locus the child gets the lethal twice with probability
    1/2 x 1/2, so P(lethal) = 1 - (3/4)^6 = 0.82202 by hand; carried lethal alleles stay 6 on
    average (transmission is neutral). 2000 children (fixed seed): within 4 binomial standard
    errors (0.034)."""
    g = Genetics(1, np.random.default_rng(3), n_lethal_loci=LETHAL_LOCI)
    parent = g.founder()
    kids = g.litter(parent, parent, 2000)
    hand = 1 - 0.75 ** 6
    assert hand == pytest.approx(0.82202, abs=1e-5)
    share = g.lethal(kids).mean()
    assert abs(share - hand) < 4 * math.sqrt(hand * (1 - hand) / 2000), share
    # children of two founders are never lethal homozygotes and carry 6 lethal copies on
    # average (one per locus: Binomial(2, 1/2)); 200 children: within 4 x sqrt(6 x 0.5 / 200)
    g2 = Genetics(1, np.random.default_rng(4), n_lethal_loci=LETHAL_LOCI)
    a, b = g2.founder(), g2.founder()
    outbred = g2.litter(a, b, 200)
    assert not g2.lethal(outbred).any()
    assert g2.lethal_alleles(outbred) == pytest.approx(LETHAL_LOCI, abs=4 * math.sqrt(LETHAL_LOCI * 0.5 / 200))


def test_the_inbreeding_hazard_kills_lethal_cubs_at_their_first_draw_and_spreads_the_rest():
    """Monthly inbreeding hazard: infinite for a lethal cub younger than 12 months, 0 once 12;
    for an inbred non-lethal cub B (1 - s) F / 11 (the 11 draws before age one): with F = 0.25,
    6.29 x 0.5 x 0.25 / 11 = 0.071477 per month."""
    m = ReintroductionModel(scenario(), flat_landscape(20, 20), rng=np.random.default_rng(0))
    (mum,) = m.add_cheetahs(sex="F", age_months=60)
    cubs = [m.add_cheetahs(sex="F", age_months=a, mother=mum)[0] for a in (1, 11, 12, 5)]
    pop = m.cheetahs
    rows = [pop.row_of(c.unique_id) for c in cubs]
    pop.lethal[rows[:3]] = True
    pop.F[rows[3]] = 0.25
    h = mortality.inbreeding(m, mortality.Animals(m))
    assert np.isinf(h[rows[0]]) and np.isinf(h[rows[1]])
    assert h[rows[2]] == 0.0
    assert h[rows[3]] == pytest.approx(6.29 * 0.5 * 0.25 / 11, rel=1e-12)
    assert h[rows[3]] == pytest.approx(0.071477, abs=1e-6)
    assert h[pop.row_of(mum.unique_id)] == 0.0


def _wright_fisher(rng, select: bool, N: int = 10, generations: int = 10) -> float:
    """Lethal alleles carried per animal after ``generations`` discrete generations of N animals
    (founders first), each child of two distinct random parents of the previous generation; with
    ``select``, children homozygous for a lethal die at birth (as the model's inbreeding hazard
    kills them at their first draw) and more are made until N survive."""
    g = Genetics(1, rng, n_lethal_loci=LETHAL_LOCI)
    parents = [g.founder() for _ in range(N)]
    for _ in range(generations):
        kids: list[int] = []
        while len(kids) < N:
            a, b = rng.choice(N, size=2, replace=False)
            (kid,) = g.litter(parents[a], parents[b], 1)
            if select and g.lethal([kid])[0]:
                g.remove(kid)
                continue
            kids.append(kid)
        for s in parents:
            g.remove(s)
        parents = kids
    return g.lethal_alleles(parents)


def test_selection_against_lethal_homozygotes_purges_the_lethal_load():
    """100 populations of 10 animals over 10 generations (fixed seed): pedigree F reaches about
    1 - (1 - 1/20)^9 = 0.37, so lethal homozygotes are common and their deaths remove lethal
    copies. Neutral expectation (the same populations without the deaths): 6 lethal alleles per
    animal, the founders' (drift does not change an allele frequency's expectation); the neutral
    runs must agree within 4 standard errors of their mean. With selection the load must fall
    clearly: more than 4 standard errors of the difference below the neutral runs, and below 4.5
    alleles (a 25 % loss). Observed with this seed: 3.49 with selection, 6.27 without
    (standard errors 0.14)."""
    rng = np.random.default_rng(2024)
    reps = 100
    with_selection = np.array([_wright_fisher(rng, True) for _ in range(reps)])
    neutral = np.array([_wright_fisher(rng, False) for _ in range(reps)])
    se_neutral = neutral.std(ddof=1) / math.sqrt(reps)
    se_diff = math.hypot(se_neutral, with_selection.std(ddof=1) / math.sqrt(reps))
    assert abs(neutral.mean() - LETHAL_LOCI) < 4 * se_neutral, (neutral.mean(), se_neutral)
    assert with_selection.mean() < neutral.mean() - 4 * se_diff, (with_selection.mean(), neutral.mean(), se_diff)
    assert with_selection.mean() < 0.75 * LETHAL_LOCI, with_selection.mean()
