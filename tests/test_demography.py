"""Analytical demography (sim.analysis.demography): hand-checkable special cases and internal cross-checks.

Pure analytics, no model runs. The hand cases set vital rates so that the female life cycle is
deterministic or a single-type Galton-Watson process with a closed-form answer.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from sim.analysis import demography as dm
from sim.config.params import CheetahParams

DEFAULT = CheetahParams()


def immortal(k: int, **kw) -> CheetahParams:
    """No deaths before max age, litter size fixed at k, conception certain when allowed."""
    probs = tuple(1.0 if i == k - 1 else 0.0 for i in range(k))
    base = dict(cub_survival_base=1.0, subadult_survival_female=1.0, adult_survival_female=1.0,
                senescence_rate_per_year=0.0, litter_size_probs=probs, sex_ratio_at_birth=0.5,
                conception_prob_per_month=1.0)
    return CheetahParams(**{**base, **kw})


def power_iteration_lambda(A, iters: int = 200000, tol: float = 1e-13) -> tuple[float, np.ndarray]:
    """Dominant eigenvalue and vector of a non-negative sparse matrix (monthly).

    Stops on the residual ||A v - λ v||₁ / λ (v normalised to sum 1), not on the change between
    iterations, which can be tiny long before convergence when the second eigenvalue is close.
    """
    v = np.ones(A.shape[0]) / A.shape[0]
    lam = 0.0
    for _ in range(iters):
        w = A @ v
        lam = w.sum()                                  # v sums to 1
        if np.abs(w - lam * v).sum() < tol * lam:
            return lam, v
        v = w / lam
    raise AssertionError("power iteration did not converge")


# ------------------------------------------------------------------------------ growth rate
def test_lambda_of_the_deterministic_breeding_cycle_matches_the_hand_computed_euler_lotka_root():
    # Everyone lives to 240 months; a daughter starts at 18 (independent) and conceives at 24,
    # 45, 66, ... (gestation 3 + 18 months with the litter): conceptions c_j = 24 + 21 j <= 144,
    # each giving k/2 daughters who start at c_j + 21, i.e. 27 + 21 j months after the mother.
    k = 4
    p = immortal(k)
    delays = [24 + 21 * j + 21 - 18 for j in range(10) if 24 + 21 * j <= 144]
    assert delays == [27, 48, 69, 90, 111, 132]
    f = lambda lm: sum(k / 2 * lm ** -d for d in delays) - 1.0         # noqa: E731
    lam_m = brentq(f, 1.0, 2.0, xtol=1e-15)
    assert dm.deterministic_lambda(p) == pytest.approx(lam_m ** 12, rel=1e-10)
    assert dm.deterministic_r(p) == pytest.approx(12 * math.log(lam_m), rel=1e-10)
    assert dm.net_reproductive_rate(p) == pytest.approx(k / 2 * len(delays), rel=1e-12)


def test_stable_stages_of_the_deterministic_cycle_match_the_hand_sum():
    # Stable flow of daughters b(t) ∝ λ_m^t: a female that started u months ago is counted with
    # weight λ_m^-u (ages 18 + u <= 240 alive at a census); female cubs k/2 of litter j are with
    # her at cub ages 1..17, i.e. u = c_j + 4 - 18 .. c_j + 20 - 18.
    k = 4
    p = immortal(k)
    lam_m = dm.deterministic_lambda(p) ** (1 / 12)
    w = lambda u: lam_m ** -u                                             # noqa: E731
    sub = sum(w(u) for u in range(0, 36 - 18))
    adult = sum(w(u) for u in range(36 - 18, 240 - 18 + 1))
    cub = sum(k / 2 * w(u) for c in range(24, 145, 21) for u in range(c + 4 - 18, c + 20 - 18 + 1))
    tot = sub + adult + cub
    got = dm.stable_stage_distribution(p)
    assert got["subadult"] == pytest.approx(sub / tot, rel=1e-9)
    assert got["adult"] == pytest.approx(adult / tot, rel=1e-9)
    assert got["cub"] == pytest.approx(cub / tot, rel=1e-9)


@pytest.mark.parametrize("kw", [
    {},                                                           # defaults
    {"remating_delay_months": 0},                                 # conceive in the month of loss
    {"remating_delay_months": 3, "gestation_months": 4},          # waiting states
    {"female_first_conception_months": 14, "orphan_survival_months": 9.0},   # orphans conceive
    {"independence_months": 15.0, "litter_size_probs": (0.2, 0.5, 0.3), "sex_ratio_at_birth": 0.3},
])
def test_renewal_lambda_equals_the_dominant_eigenvalue_of_the_projection_matrix(kw):
    p = CheetahParams(**kw)
    for comp in (0.0, 0.05):
        lam_m, v = power_iteration_lambda(dm.projection_matrix(p, comp))
        assert dm.deterministic_lambda(p, comp) == pytest.approx(lam_m ** 12, rel=1e-9), (kw, comp)


def test_projection_matrix_stable_vector_gives_the_stable_stage_distribution():
    for comp in (0.0, 0.05):
        lam_m, v = power_iteration_lambda(dm.projection_matrix(DEFAULT, comp))
        cyc = dm.life_cycle(DEFAULT, comp)
        vecs = dm._stage_vectors(cyc)
        counts = {k: vecs[k] @ v for k in dm.STAGE_NAMES}
        tot = sum(counts.values())
        got = dm.stable_stage_distribution(DEFAULT, comp)
        for k in dm.STAGE_NAMES:
            assert got[k] == pytest.approx(counts[k] / tot, abs=1e-9), k


def test_expected_census_from_founders_converges_to_lambda_and_the_stable_stages():
    e = dm.expected_female_census(DEFAULT, 36, 10, 80)
    growth = e["total"][-1] / e["total"][-2]
    assert growth == pytest.approx(dm.deterministic_lambda(DEFAULT), rel=1e-6)
    stable = dm.stable_stage_distribution(DEFAULT)
    for k in dm.STAGE_NAMES:
        assert e[k][-1] / e["total"][-1] == pytest.approx(stable[k], abs=1e-6)
    # the first census: 10 adults alive after 12 months of adult survival, plus their first cubs
    assert e["adult"][0] == pytest.approx(10 * DEFAULT.adult_survival_female, rel=1e-12)


def test_competitor_predation_lowers_lambda_and_cub_survival():
    lams = [dm.deterministic_lambda(DEFAULT, c) for c in (0.0, 0.02, 0.05, 0.15)]
    assert all(a > b for a, b in zip(lams, lams[1:]))
    assert dm.cub_survival_to_independence(DEFAULT, 0.15) < dm.cub_survival_to_independence(DEFAULT)


def test_zero_fecundity_gives_lambda_below_one_and_certain_extinction():
    p = CheetahParams(conception_prob_per_month=0.0, senescence_months=240)
    assert dm.deterministic_lambda(p) < 1.0
    assert dm.deterministic_lambda(p) == 0.0
    assert dm.extinction_probability(p, 36, 5) == 1.0
    # by a horizon the founder just has to die: 60 months of adult survival, no senescence
    s = p.adult_survival_female
    assert dm.extinction_probability(p, 36, 1, years=5) == pytest.approx(1 - s ** 5, rel=1e-12)
    assert dm.extinction_probability(p, 36, 3, years=5) == pytest.approx((1 - s ** 5) ** 3, rel=1e-12)
    with pytest.raises(ValueError, match="stable stage"):
        dm.stable_stage_distribution(p)


# ------------------------------------------------------------------------------ extinction
def test_one_litter_of_three_gives_the_binomial_galton_watson_extinction_sqrt5_minus_2():
    # Nobody dies before max age; one litter of 3 (last breeding age 36 allows one conception:
    # the next would be at 45),
    # each cub a daughter with probability 1/2: offspring ~ Bin(3, 1/2), q = ((1+q)/2)^3,
    # i.e. (q - 1)(q² + 4q - 1) = 0 → q = √5 - 2.
    p = immortal(3, female_last_breeding_months=36)
    q = dm.type_extinction_probabilities(p)[(18, dm.OPEN)]
    assert q == pytest.approx(math.sqrt(5) - 2, abs=1e-12)
    # a founder of 24 months is in the same position (breeds once, then lives on)
    assert dm.extinction_probability(p, 24, 1) == pytest.approx(math.sqrt(5) - 2, abs=1e-12)
    # a founder too old to conceive leaves nothing
    assert dm.extinction_probability(p, 40, 1) == 1.0


def test_geometric_offspring_gives_the_linear_fractional_extinction_p0_over_b():
    # A daughter survives ages 18..23 with probability π (subadult survival π² per year over
    # 6 months), then conceives at 24 for sure and has one litter of all-female, all-surviving
    # cubs of geometric size P(L) = (1-b) b^(L-1): offspring P(0) = 1-π, P(k) = π(1-b)b^(k-1),
    # the linear fractional law with q = (1-π)/b when the mean π/(1-b) > 1.
    pi_, b = 0.8, 0.5
    Lmax = 80
    probs = tuple((1 - b) * b ** (L - 1) for L in range(1, Lmax + 1))
    probs = tuple(x / sum(probs) for x in probs)
    p = immortal(1, litter_size_probs=probs, sex_ratio_at_birth=0.0, female_last_breeding_months=36,
                 adult_months=24, subadult_survival_female=pi_ ** 2)
    q = dm.type_extinction_probabilities(p)[(18, dm.OPEN)]
    assert q == pytest.approx((1 - pi_) / b, abs=1e-10)
    # the mean offspring number is π/(1-b)
    assert dm.net_reproductive_rate(p) == pytest.approx(pi_ / (1 - b), rel=1e-9)


def test_exactly_one_daughter_each_gives_lambda_one_and_lines_that_never_die_out():
    # singular process: one all-female, all-surviving cub in one litter per female; R0 = 1
    p = immortal(1, sex_ratio_at_birth=0.0, female_last_breeding_months=36)
    assert dm.net_reproductive_rate(p) == pytest.approx(1.0, abs=1e-12)
    assert dm.deterministic_lambda(p) == pytest.approx(1.0, abs=1e-12)
    assert dm.extinction_probability(p, 18, 1) == 0.0
    # ... whereas with some chance of no daughter, R0 < 1 and the line surely dies out
    sub = immortal(1, sex_ratio_at_birth=0.1, female_last_breeding_months=36)
    assert dm.deterministic_lambda(sub) < 1.0
    assert dm.extinction_probability(sub, 18, 1) == 1.0


def test_extinction_of_n_founders_is_q_to_the_n():
    q1 = dm.extinction_probability(DEFAULT, 36, 1)
    assert 0 < q1 < 1
    for n in (2, 3, 10):
        assert dm.extinction_probability(DEFAULT, 36, n) == pytest.approx(q1 ** n, rel=1e-12)
    qs = [dm.extinction_probability(DEFAULT, 48, n, years=10) for n in range(1, 6)]
    assert all(a > b for a, b in zip(qs, qs[1:]))
    assert qs[2] == pytest.approx(qs[0] ** 3, rel=1e-12)
    assert dm.extinction_probability(DEFAULT, 36, 0) == 1.0


def test_finite_horizon_extinction_rises_with_the_horizon_to_the_ultimate_value():
    for comp in (0.0, 0.05):
        ult = dm.extinction_probability(DEFAULT, 36, 1, competitors=comp)
        fin = [dm.extinction_probability(DEFAULT, 36, 1, years=y, competitors=comp) for y in (1, 2, 5, 10, 20)]
        assert all(a <= b for a, b in zip(fin, fin[1:]))
        assert all(f <= ult + 1e-12 for f in fin)
    # converged after 150 years when λ is well above 1 (near λ = 1, comp 0.05, lines linger longer)
    ult = dm.extinction_probability(DEFAULT, 36, 1)
    assert dm.extinction_probability(DEFAULT, 36, 1, years=150) == pytest.approx(ult, abs=1e-9)
    # releasing later in the year leaves fewer months to the last census
    assert dm.extinction_probability(DEFAULT, 36, 1, years=3, release_month=7) < \
        dm.extinction_probability(DEFAULT, 36, 1, years=3)
    assert dm.extinction_probability(DEFAULT, 36, 1, years=0) == 0.0


def test_offspring_pgf_derivative_at_one_equals_the_expected_offspring_of_the_forward_pass():
    # Two separate code paths: backward generating function vs forward expected values.
    for kw in ({}, {"female_first_conception_months": 14, "orphan_survival_months": 9.0,
                    "remating_delay_months": 0}):
        p = CheetahParams(**kw)
        cyc = dm.life_cycle(p, 0.05)
        T = len(cyc.types)
        h = 1e-6
        one = np.ones((1, T))
        G = cyc.offspring_pgf(np.vstack([one, one - h * np.eye(T)]))
        mean = (G[0] - G[1:]).T / h                # mean[i, j] = dG_i/ds_j at s = 1
        assert np.allclose(G[0], 1.0, atol=1e-12)
        assert np.allclose(mean, cyc.cohorts()["M"].sum(axis=0), rtol=1e-5, atol=1e-8)


# ------------------------------------------------------------------------------ field quantities
def test_female_lifespan_with_constant_survival_is_the_geometric_sum():
    s = 0.85
    p = CheetahParams(subadult_survival_female=s, adult_survival_female=s, senescence_rate_per_year=0.0,
                      max_age_months=360)
    sig = s ** (1 / 12)
    n = 360 - 18                     # months from independence (18) to certain death at 360
    months = sig * (1 - sig ** n) / (1 - sig)
    assert dm.female_lifespan_after_independence(p) == pytest.approx(months / 12, rel=1e-12)
    # the default calibration aims at Kelly et al.'s 6.2 years; record what it gives
    assert 4.0 < dm.female_lifespan_after_independence(DEFAULT) < 8.0


def test_cub_survival_with_a_mother_of_constant_survival_matches_the_hand_formula():
    p = DEFAULT
    draws = math.ceil(p.independence_months) - 1                      # monthly draws of a cub: 17
    sc = p.cub_survival_base ** (1 / draws)                           # per month, no competitors
    sig = p.adult_survival_female ** (1 / 12)                         # mother aged 40..57: no senescence
    # orphaned at cub age c = 12..16 (survives own draws 1..c) or with her mother through age 17
    hand = sum(sig ** (c - 1) * (1 - sig) * sc ** c for c in range(12, 17)) + sig ** 16 * sc ** 17
    assert dm.cub_survival_to_independence(p, mother_age_months=40) == pytest.approx(hand, rel=1e-12)
    # an immortal mother: just the cub's own 17 monthly draws, i.e. exactly cub_survival_base
    imm = CheetahParams(adult_survival_female=1.0, subadult_survival_female=1.0)
    assert dm.cub_survival_to_independence(imm, mother_age_months=40) == pytest.approx(imm.cub_survival_base, rel=1e-12)
    avg = dm.cub_survival_to_independence(p)
    assert 0.4 < avg < sc ** 17


def test_bad_founder_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="founders_age_months"):
        dm.extinction_probability(DEFAULT, 400, 1)
    with pytest.raises(ValueError, match="n_females"):
        dm.extinction_probability(DEFAULT, 36, -1)
    with pytest.raises(ValueError, match="release_month"):
        dm.extinction_probability(DEFAULT, 36, 1, years=2, release_month=13)
    with pytest.raises(ValueError, match="competitors"):
        dm.deterministic_lambda(DEFAULT, -1.0)
