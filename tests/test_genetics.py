"""Behaviour of sim.cheetahs.genetics: founders, Mendelian inheritance, pedigree kinship and drift.

Every expectation is derived by hand or analytically (comments give the derivation); stochastic
checks use tolerances computed from the sampling spread of the data they test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.cheetahs.genetics import Genetics, expected_heterozygosity_after


def make(n_loci: int = 10, seed: int = 1, cap: int = 4) -> Genetics:
    return Genetics(n_loci, np.random.default_rng(seed), initial_capacity=cap)


# ------------------------------------------------------------------ founders
def test_founders_are_unrelated_non_inbred_and_carry_unique_alleles():
    g = make(n_loci=5)
    a, b, c = g.founder(), g.founder(), g.founder()
    for x in (a, b, c):
        assert g.F(x) == 0.0
        assert g.kinship(x, x) == 0.5
    assert g.kinship(a, b) == g.kinship(b, c) == g.kinship(a, c) == 0.0
    # k-th founder ever carries alleles 2k and 2k+1 at every locus
    for k, x in enumerate((a, b, c)):
        assert np.array_equal(g.genotype(x), np.tile([2 * k, 2 * k + 1], (5, 1)))
    assert g.n_alive == 3 and g.n_founders == 3


@pytest.mark.parametrize("n", [1, 2, 7, 50])
def test_gene_diversity_of_n_founders_is_one_minus_one_over_2n(n):
    # 2n distinct alleles each at frequency 1/(2n): 1 - 2n (1/(2n))^2 = 1 - 1/(2n)
    g = make(n_loci=3)
    for _ in range(n):
        g.founder()
    assert g.gene_diversity() == pytest.approx(1 - 1 / (2 * n), abs=1e-12)
    assert g.alleles_per_locus() == 2 * n
    assert g.mean_F() == 0.0
    # mean kinship over n^2 ordered pairs: only the n self-pairs (0.5 each) are non-zero -> 1/(2n)
    assert g.mean_kinship() == pytest.approx(1 / (2 * n))


def test_empty_population_statistics_are_nan():
    g = make()
    assert math.isnan(g.gene_diversity()) and math.isnan(g.mean_F())
    assert math.isnan(g.mean_kinship()) and math.isnan(g.alleles_per_locus())
    x = g.founder()
    g.remove(x)
    assert g.n_alive == 0
    assert math.isnan(g.gene_diversity()) and math.isnan(g.mean_F())


def test_gene_diversity_of_a_single_outbred_child_is_one_half():
    # After both founder parents die, one child holds one allele from each: two alleles at
    # frequency 1/2 per locus -> 1 - 2 (1/4) = 0.5 exactly.
    g = make(n_loci=8)
    m, f = g.founder(), g.founder()
    c = g.offspring(m, f)
    g.remove(m)
    g.remove(f)
    assert g.gene_diversity() == pytest.approx(0.5)
    assert g.alleles_per_locus() == 2 and g.living_slots().tolist() == [c]


# ------------------------------------------------------------------ classic pedigree values
def test_classic_pedigree_kinship_and_inbreeding_values():
    g = make(n_loci=4)
    m, f, other = g.founder(), g.founder(), g.founder()
    s1, s2 = g.litter(m, f, 2)                 # full sibs
    assert g.F(s1) == 0.0                      # parents unrelated
    assert g.kinship(s1, s2) == pytest.approx(0.25)        # full sibs
    assert g.kinship(m, s1) == pytest.approx(0.25)         # parent-offspring
    assert g.kinship(s1, s1) == pytest.approx(0.5)
    h = g.offspring(m, other)                  # half sib of s1 through the mother
    assert g.kinship(s1, h) == pytest.approx(0.125)
    assert g.kinship(f, h) == 0.0
    inbred = g.offspring(s1, s2)               # full-sib mating
    assert g.F(inbred) == pytest.approx(0.25)
    assert g.kinship(inbred, inbred) == pytest.approx(0.5 * 1.25)
    # kinship of the inbred child with its grandparent: 0.5 (θ(s1,m) + θ(s2,m)) = 0.25
    assert g.kinship(inbred, m) == pytest.approx(0.25)
    po = g.offspring(m, s1)                    # parent x offspring mating
    assert g.F(po) == pytest.approx(0.25)
    # mother's self-kinship 0.5, θ(m, s1) = 0.25: θ(po, m) = 0.5 (0.5 + 0.25) = 0.375
    assert g.kinship(po, m) == pytest.approx(0.375)


def test_selfing_gives_F_one_half_and_kinship_with_parent_equal_parent_self_kinship():
    g = make()
    a = g.founder()
    s = g.offspring(a, a)
    assert g.F(s) == pytest.approx(0.5)
    assert g.kinship(s, a) == pytest.approx(0.5)


def test_parents_must_be_alive_and_bad_arguments_are_rejected():
    g = make()
    m, f = g.founder(), g.founder()
    g.remove(f)
    with pytest.raises(ValueError, match="father"):
        g.offspring(m, f)
    with pytest.raises(ValueError, match="mother"):
        g.litter(99, m, 2)
    with pytest.raises(ValueError):
        g.remove(f)
    with pytest.raises(ValueError, match="n_loci"):
        Genetics(0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="Generator"):
        Genetics(3, 42)
    assert g.litter(m, m, 0) == []


# ------------------------------------------------------------------ Mendelian inheritance
def test_each_child_allele_comes_from_the_right_parent_and_each_is_transmitted_half_the_time():
    n_loci, births = 20, 2000
    g = make(n_loci=n_loci, seed=7)
    # Parents are children of founders, so their genotypes differ between loci.
    mom = g.offspring(g.founder(), g.founder())
    dad = g.offspring(g.founder(), g.founder())
    gm, gf = g.genotype(mom), g.genotype(dad)
    assert np.all(gm[:, 0] != gm[:, 1]) and np.all(gf[:, 0] != gf[:, 1])
    from_first = np.zeros((births, 2, n_loci), dtype=bool)  # child allele == parent's column 0?
    for i in range(births):
        kids = [g.offspring(mom, dad)] if i % 2 else g.litter(mom, dad, 1)
        c = g.genotype(kids[0])
        assert np.all((c[:, 0] == gm[:, 0]) | (c[:, 0] == gm[:, 1]))   # maternal allele
        assert np.all((c[:, 1] == gf[:, 0]) | (c[:, 1] == gf[:, 1]))   # paternal allele
        from_first[i, 0] = c[:, 0] == gm[:, 0]
        from_first[i, 1] = c[:, 1] == gf[:, 0]
        g.remove(kids[0])
    assert g.capacity <= 8                                     # slots were reused
    # Overall: n = births * 2 * n_loci Bernoulli(1/2) draws; sd = sqrt(0.25 / n).
    n = from_first.size
    assert abs(from_first.mean() - 0.5) < 4 * math.sqrt(0.25 / n)
    # Per parent and locus: n = births draws each; 4.5 sd keeps the family-wise error ~1e-4.
    per = from_first.mean(axis=0)
    print(f"\ntransmission of allele 0: overall {from_first.mean():.4f}, per-locus range "
          f"{per.min():.3f}-{per.max():.3f} (sd {math.sqrt(0.25 / births):.4f})")
    assert np.all(np.abs(per - 0.5) < 4.5 * math.sqrt(0.25 / births))
    # Unlinked loci: the same-parent pick agrees between locus 0 and 1 half the time.
    agree = (from_first[:, 0, 0] == from_first[:, 0, 1]).mean()
    assert abs(agree - 0.5) < 4 * math.sqrt(0.25 / births)
    # Maternal and paternal picks are independent of each other.
    agree_mp = (from_first[:, 0, :] == from_first[:, 1, :]).mean()
    assert abs(agree_mp - 0.5) < 4 * math.sqrt(0.25 / (births * n_loci))


# ------------------------------------------------------------------ drift
def test_wright_fisher_drift_loses_gene_diversity_and_gains_F_at_rate_one_over_2N():
    """Ideal Wright-Fisher population: N constant, each child picks mother and father uniformly
    and independently among the previous generation (selfing allowed), previous generation removed.

    Each child gene is then an independent uniform draw from the 2N parental genes, so for the
    uncorrected H = 1 − Σp²: E[H_{t+1} | H_t] = H_t (1 − 1/(2N)) exactly, with H_0 = 1 − 1/(2N)
    (unique founder alleles). Pedigree F of generation t is the probability that a child's two
    genes are IBD: E[F_t] = 1 − (1 − 1/(2N))^t (F_0 = 0 for founders).
    """
    N, n_loci, T, R = 20, 40, 20, 150
    checkpoints = (1, 5, 10, 20)
    H = np.empty((R, T + 1))
    F = np.empty((R, T + 1))
    K = np.empty((R, T + 1))                 # mean kinship incl. self-pairs
    rng_mating = np.random.default_rng(2024)
    for r in range(R):
        g = Genetics(n_loci, np.random.default_rng(1000 + r), initial_capacity=8)
        parents = np.array([g.founder() for _ in range(N)])
        H[r, 0], F[r, 0] = g.gene_diversity(), g.mean_F()
        for t in range(1, T + 1):
            mothers = parents[rng_mating.integers(0, N, N)]
            fathers = parents[rng_mating.integers(0, N, N)]
            children = np.array([g.offspring(m, f) for m, f in zip(mothers, fathers)])
            for p in parents:
                g.remove(p)
            parents = children
            H[r, t], F[r, t], K[r, t] = g.gene_diversity(), g.mean_F(), g.mean_kinship()
        assert g.n_alive == N and g.capacity <= 64
    lam = 1 - 1 / (2 * N)
    H0 = 1 - 1 / (2 * N)
    assert np.all(H[:, 0] == H0)
    print()
    for t in checkpoints:
        h_exp = expected_heterozygosity_after(H0, N, t)
        f_exp = 1 - lam ** t
        h_se = H[:, t].std(ddof=1) / math.sqrt(R)
        f_se = F[:, t].std(ddof=1) / math.sqrt(R)
        print(f"t={t:2d}: H obs {H[:, t].mean():.4f} exp {h_exp:.4f} (se {h_se:.4f}); "
              f"F obs {F[:, t].mean():.4f} exp {f_exp:.4f} (se {f_se:.4f})")
        assert abs(H[:, t].mean() - h_exp) < 4 * h_se
        assert abs(F[:, t].mean() - f_exp) < 4 * f_se
        # Pedigree view of the same loss: E[1 − mean kinship] = E[H_t] (Σp² is the genotype
        # realisation of mean kinship over ordered pairs including self-pairs).
        k_se = K[:, t].std(ddof=1) / math.sqrt(R)
        assert abs((1 - K[:, t].mean()) - h_exp) < 4 * k_se
    # Power: the test would reject drift at a 20 % smaller effective size (Ne = 0.8 N).
    t = T
    h_wrong = expected_heterozygosity_after(H0, 0.8 * N, t)
    assert abs(H[:, t].mean() - h_wrong) > 4 * H[:, t].std(ddof=1) / math.sqrt(R)


# ------------------------------------------------------------------ slot reuse vs naive pedigree
def _naive_kinship(mother: dict, father: dict):
    """Kinship by the textbook recursion on an id-ordered pedigree (ids increase with birth)."""
    memo: dict = {}

    def theta(a: int, b: int) -> float:
        if a < b:
            a, b = b, a                      # a is the younger: never an ancestor of b
        key = (a, b)
        if key in memo:
            return memo[key]
        if a == b:
            v = 0.5 if a not in mother else 0.5 * (1 + theta(mother[a], father[a]))
        elif a not in mother:
            v = 0.0                          # founder: unrelated to everyone older
        else:
            v = 0.5 * (theta(mother[a], b) + theta(father[a], b))
        memo[key] = v
        return v

    return theta


def test_kinship_of_the_living_stays_exact_through_deaths_and_slot_reuse():
    rng = np.random.default_rng(11)
    g = Genetics(6, np.random.default_rng(12), initial_capacity=2)
    mother: dict[int, int] = {}
    father: dict[int, int] = {}
    slot_of: dict[int, int] = {}             # individual id -> slot, living only
    next_id = 0

    def add(slot, m=None, f=None):
        nonlocal next_id
        slot_of[next_id] = slot
        if m is not None:
            mother[next_id], father[next_id] = m, f
        next_id += 1

    for _ in range(4):
        add(g.founder())
    for step in range(400):
        living = list(slot_of)
        u = rng.random()
        if u < 0.45 and len(living) >= 2:
            m, f = rng.choice(living, 2, replace=False)
            kids = g.litter(slot_of[m], slot_of[f], int(rng.integers(1, 5)))
            for k in kids:
                add(k, m, f)
        elif u < 0.95 and len(living) > 3:
            dead = living[int(rng.integers(len(living)))]
            g.remove(slot_of.pop(dead))
        else:
            add(g.founder())
        if len(slot_of) > 25:                # keep it small: cull the oldest
            g.remove(slot_of.pop(min(slot_of)))
    theta = _naive_kinship(mother, father)
    ids = sorted(slot_of)
    naive = np.array([[theta(a, b) for b in ids] for a in ids])
    got = np.array([[g.kinship(slot_of[a], slot_of[b]) for b in ids] for a in ids])
    np.testing.assert_allclose(got, naive, rtol=0, atol=1e-12)
    F_naive = np.array([2 * theta(a, a) - 1 for a in ids])
    np.testing.assert_allclose([g.F(slot_of[a]) for a in ids], F_naive, atol=1e-12)
    assert g.mean_F() == pytest.approx(F_naive.mean())
    # The pedigree is non-trivial: inbred and related animals exist, and slots were reused.
    assert F_naive.max() > 0.1 and naive[~np.eye(len(ids), dtype=bool)].max() > 0.2
    assert g.capacity < next_id              # slots were reused
    print(f"\n{next_id} animals through {g.capacity} slots; {len(ids)} living; "
          f"max F {F_naive.max():.3f}")


def test_a_founder_in_a_reused_slot_is_unrelated_to_the_previous_occupants_kin():
    g = make(cap=2)
    m, f = g.founder(), g.founder()
    kid = g.offspring(m, f)
    g.remove(m)
    new = g.founder()
    assert new == m                          # slot reused
    assert g.kinship(new, kid) == 0.0 and g.kinship(new, f) == 0.0 and g.F(new) == 0.0
    assert g.genotype(new)[0, 0] == 2 * 2    # third founder ever: alleles 4, 5


def test_storage_grows_by_doubling_and_keeps_existing_kinships():
    g = make(cap=1)
    a, b = g.founder(), g.founder()
    kids = g.litter(a, b, 5)
    assert g.capacity == 8
    assert g.kinship(kids[0], kids[4]) == pytest.approx(0.25)
    assert g.kinship(a, kids[2]) == pytest.approx(0.25)


# ------------------------------------------------------------------ reproducibility & helper
def _run(seed: int) -> np.ndarray:
    g = Genetics(12, np.random.default_rng(seed))
    fs = [g.founder() for _ in range(6)]
    kids = g.litter(fs[0], fs[1], 3) + [g.offspring(fs[2], fs[3])]
    g.remove(fs[0])
    grand = g.litter(kids[0], kids[3], 2)
    return np.stack([g.genotype(s) for s in kids + grand])


def test_same_seed_gives_same_genotypes_and_different_seed_differs():
    assert np.array_equal(_run(5), _run(5))
    assert not np.array_equal(_run(5), _run(6))


def test_expected_heterozygosity_after_matches_hand_values():
    assert expected_heterozygosity_after(1.0, 10, 2) == pytest.approx(0.95 ** 2)
    assert expected_heterozygosity_after(0.8, 50, 0) == 0.8
    with pytest.raises(ValueError):
        expected_heterozygosity_after(1.0, 0, 1)


def _sequential_reference(g: Genetics, mother: int, father: int, picks: np.ndarray, slots: list[int]) -> None:
    """The kinship recursion child by child in plain Python, as the definition states it."""
    hw = g._high_water
    for i, s in enumerate(slots):
        F_child = g._kin[mother, father]
        for locus in range(g._genotype.shape[1]):
            g._genotype[s, locus, 0] = g._genotype[mother, locus, picks[i, 0, locus]]
            g._genotype[s, locus, 1] = g._genotype[father, locus, picks[i, 1, locus]]
        row = 0.5 * (g._kin[mother, :hw] + g._kin[father, :hw])
        row[s] = 0.5 * (1.0 + F_child)
        g._kin[s, :hw] = row
        g._kin[:hw, s] = row
        g._F[s] = F_child


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_litters_filled_at_once_or_queued_equal_children_added_one_after_the_other(seed):
    """The compiled fill writes a litter's kinship columns in one pass and the reproduction phase
    queues a month's litters: kinship, F and genotypes must be exactly those of adding the children
    one by one with the recursion (litter-mates see each other; a later litter's parents see the
    earlier litter's children; freed slots are reused)."""
    def population(rng_seed):
        g = Genetics(n_loci=4, rng=np.random.default_rng(rng_seed))
        adults = [g.founder() for _ in range(6)]
        kids = g.litter(adults[0], adults[1], 3) + g.litter(adults[2], adults[3], 2)
        kids += g.litter(kids[0], kids[1], 1)    # inbred (F = 1/4): its parents' rows differ
        g.remove(kids[1])                        # a freed slot the next litters reuse
        return g, adults, kids

    rng = np.random.default_rng(seed)
    plan = [(int(rng.integers(0, 4)), int(rng.integers(4, 6)), int(rng.integers(1, 6))) for _ in range(4)]
    queued, adults, kids = population(seed)
    direct, _, _ = population(seed)
    reference, _, _ = population(seed)
    parents = adults[:4] + [kids[5], kids[2]]
    for k, (a, b, n) in enumerate(plan):
        mum, dad = parents[a], parents[b]
        got_q = queued.litter(mum, dad, n, queue=True)
        got_d = direct.litter(mum, dad, n)
        picks = reference._rng.integers(0, 2, size=(n, 2, reference._genotype.shape[1]))
        slots = [reference._allocate() for _ in range(n)]
        _sequential_reference(reference, mum, dad, picks, slots)
        assert got_q == got_d == slots
    assert queued._queue                         # nothing filled yet ...
    F_queued = queued.inbreeding(queued.living_slots())   # ... until it is read
    assert not queued._queue
    for g in (queued, direct):
        hw = reference._high_water
        living = reference.living_slots()
        np.testing.assert_array_equal(g._kin[np.ix_(living, living)], reference._kin[np.ix_(living, living)])
        np.testing.assert_array_equal(g._F[living], reference._F[living])
        np.testing.assert_array_equal(g._genotype[:hw], reference._genotype[:hw])
    np.testing.assert_array_equal(F_queued, reference._F[reference.living_slots()])


def test_inbreeding_of_several_slots_rejects_dead_ones():
    g = Genetics(n_loci=2, rng=np.random.default_rng(0))
    a, b = g.founder(), g.founder()
    child = g.litter(a, b, 1)[0]
    np.testing.assert_array_equal(g.inbreeding([a, child]), [0.0, 0.0])
    g.remove(b)
    with pytest.raises(ValueError, match="not all living"):
        g.inbreeding([a, b])
