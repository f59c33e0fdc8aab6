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
#: (rebreed_cub_age_months R, months between conceptions) of the deterministic breeding cycle
#: (gestation 3, independence 17.5 -> 18, conception certain when allowed): without rebreeding
#: (R >= 18, the rule before rebreeding) a mother conceives in the month after her litter leaves,
#: every 18 + 3 = 21 months; with R < 18 at cub age R, every R + 3 months. For R >= 14 the litter
#: is released at cub age 17 (by the new birth) or leaves at 18: its daughters always start at 18.
CYCLES = [(24, 21), (18, 21), (16, 19), (15, 18), (14, 17)]


@pytest.mark.parametrize("R, period", CYCLES)
def test_lambda_of_the_deterministic_breeding_cycle_matches_the_hand_computed_euler_lotka_root(R, period):
    # Everyone lives to 240 months; a daughter starts at 18 (independent) and conceives at 24,
    # 24 + period, ... <= 144 (period 21 without rebreeding: gestation 3 + 18 months with the
    # litter), each conception giving k/2 daughters who start 3 + 18 months later, i.e. 27 +
    # period j months after the mother.
    k = 4
    p = immortal(k, rebreed_cub_age_months=R)
    delays = [24 + period * j + 21 - 18 for j in range(10) if 24 + period * j <= 144]
    if R >= 18:
        assert delays == [27, 48, 69, 90, 111, 132]
    f = lambda lm: sum(k / 2 * lm ** -d for d in delays) - 1.0         # noqa: E731
    lam_m = brentq(f, 1.0, 2.0, xtol=1e-15)
    assert dm.deterministic_lambda(p) == pytest.approx(lam_m ** 12, rel=1e-10)
    assert dm.deterministic_r(p) == pytest.approx(12 * math.log(lam_m), rel=1e-10)
    assert dm.net_reproductive_rate(p) == pytest.approx(k / 2 * len(delays), rel=1e-12)


@pytest.mark.parametrize("R, period", CYCLES)
def test_stable_stages_of_the_deterministic_cycle_match_the_hand_sum(R, period):
    # Stable flow of daughters b(t) ∝ λ_m^t: a female that started u months ago is counted with
    # weight λ_m^-u (ages 18 + u <= 240 alive at a census); female cubs k/2 of litter j are with
    # her at cub ages 1..17, i.e. u = c_j + 4 - 18 .. c_j + 20 - 18 (with rebreeding too: the
    # litter is released by the new birth in the month of cub age 17, after the census).
    k = 4
    p = immortal(k, rebreed_cub_age_months=R)
    lam_m = dm.deterministic_lambda(p) ** (1 / 12)
    w = lambda u: lam_m ** -u                                             # noqa: E731
    sub = sum(w(u) for u in range(0, 36 - 18))
    adult = sum(w(u) for u in range(36 - 18, 240 - 18 + 1))
    cub = sum(k / 2 * w(u) for c in range(24, 145, period) for u in range(c + 4 - 18, c + 20 - 18 + 1))
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


def _S(p, c: int) -> float:
    """Survival of a cub's background draws at ages 1..c (no competitors), by hand: 17 draws
    (independence_months 17.5), one in the den (age 1 < den_months 2) with survival
    cub_survival_base / cub_survival_after_emergence, 16 after it sharing cub_survival_after_emergence."""
    assert (math.ceil(p.independence_months) - 1, math.ceil(p.den_months) - 1) == (17, 1)
    s_den = p.cub_survival_base / p.cub_survival_after_emergence
    return s_den * p.cub_survival_after_emergence ** ((c - 1) / 16)


def test_cub_survival_with_a_mother_of_constant_survival_matches_the_hand_formula():
    p = DEFAULT
    sig = p.adult_survival_female ** (1 / 12)                         # mother aged 40..57: no senescence
    # orphaned at cub age c = 12..16 (survives own draws 1..c) or with her mother through age 17
    hand = sum(sig ** (c - 1) * (1 - sig) * _S(p, c) for c in range(12, 17)) + sig ** 16 * _S(p, 17)
    assert dm.cub_survival_to_independence(p, mother_age_months=40) == pytest.approx(hand, rel=1e-12)
    # an immortal mother: just the cub's own 17 monthly draws, i.e. exactly cub_survival_base
    imm = CheetahParams(adult_survival_female=1.0, subadult_survival_female=1.0)
    assert dm.cub_survival_to_independence(imm, mother_age_months=40) == pytest.approx(imm.cub_survival_base, rel=1e-12)
    avg = dm.cub_survival_to_independence(p)
    assert 0.4 < avg < _S(p, 17)


def test_bad_founder_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="founders_age_months"):
        dm.extinction_probability(DEFAULT, 400, 1)
    with pytest.raises(ValueError, match="n_females"):
        dm.extinction_probability(DEFAULT, 36, -1)
    with pytest.raises(ValueError, match="release_month"):
        dm.extinction_probability(DEFAULT, 36, 1, years=2, release_month=13)
    with pytest.raises(ValueError, match="competitors"):
        dm.deterministic_lambda(DEFAULT, -1.0)


# ------------------------------------------------------------------------------ rebreeding
#: The analysis before rebreeding (commit 625142b, sim/analysis/demography.py without
#: rebreed_cub_age_months: conception only without cubs), computed on that commit for these
#: parameter sets: (λ, R0, generation time [months], stable shares cub/subadult/adult, ultimate
#: extinction of one founder aged 36, by year 10 released in April, stable cub survival, expected
#: total females at the censuses 1..6 of 5 founders aged 30 released in March, ultimate extinction
#: of each daughter type).
OLD_RULE = {
    ("default", 0.0): (
        1.2183821308858864, 2.7373581869031893, 53.21065322445161,
        (0.4521163268297673, 0.21279924901819006, 0.33508442415204265), 0.25293431027990904,
        0.23003984480084413, 0.49039568070901013,
        (10.6315972340002, 8.318881290789278, 16.045632484875803, 13.9302076186986, 22.18829870585934,
         22.85743183785754),
        {(18, "open"): 0.41350729194503466, (13, "open"): 0.4655790868644688, (14, "open"): 0.4555483990593507,
         (15, "open"): 0.44532944261546725, (16, "open"): 0.43491868386882343, (17, "open"): 0.4243125228311478}),
    ("default", 0.05): (
        1.0589495327515548, 1.3820004630371443, 65.08318422817528,
        (0.416955916651144, 0.15113732910536842, 0.43190675424348757), 0.6160602551666067,
        0.3699573908915318, 0.23071197765581447,
        (9.392548876638486, 7.07736469351115, 10.56293435870866, 9.648302641059566, 11.788774485743392,
         12.269577737802067),
        {(18, "open"): 0.68870141082369, (13, "open"): 0.7163400772072093, (14, "open"): 0.7110159889119655,
         (15, "open"): 0.7055919713919779, (16, "open"): 0.700066149049134, (17, "open"): 0.6944366110817229}),
    ("mixed", 0.0): (
        1.311559855372441, 3.2255791715869466, 40.891773498118305,
        (0.46000923400618937, 0.27520854330841094, 0.2647822226853997), 0.20879460003306205,
        0.19919936970460195, 0.5003021089453129,
        (10.594540612675619, 8.124135198409864, 15.267731816329617, 24.67260680453285, 22.086084294168515,
         41.22720066244761),
        {(15, "open"): 0.34484424571871025, (10, "open"): 0.3946821709062534, (11, "open"): 0.38332080008921837,
         (12, "open"): 0.3717461846911747, (13, "open"): 0.3599543222680457, (14, "open"): 0.3479411352528206,
         (15, "pregnant"): 0.32656069337239485}),
    ("mixed", 0.05): (
        1.1249755448773227, 1.7820210826173797, 52.81983184399361,
        (0.41612020524009585, 0.2108332432165008, 0.37304655154340344), 0.43710769637373575,
        0.32045737063104923, 0.27128705653204077,
        (9.566459437833704, 6.831868589927243, 10.026315626347182, 14.457639400647192, 11.829389319464022,
         17.486579889396992),
        {(15, "open"): 0.5242990518127092, (10, "open"): 0.561004248929986, (11, "open"): 0.5527646212909383,
         (12, "open"): 0.5443703418962308, (13, "open"): 0.53581850804606, (14, "open"): 0.5271061625590803,
         (15, "pregnant"): 0.5121615336869412}),
}
#: the defaults of that commit, every parameter the analysis reads (pinned: defaults may change;
#: cub_predation_per_lion was then named cub_predation_per_competitor)
OLD_DEFAULTS = dict(gestation_months=3, litter_size_probs=(0.03, 0.15, 0.35, 0.3, 0.13, 0.04), sex_ratio_at_birth=0.5,
                    female_first_conception_months=24, female_last_breeding_months=144,
                    conception_prob_per_month=0.5, remating_delay_months=1, independence_months=17.5,
                    orphan_survival_months=12.0, cub_survival_base=0.55, subadult_survival_female=0.8,
                    # the rule then spread cub_survival_base evenly over the 17 draws: this share after the
                    # den (16 of 17 draws) gives the same hazard in every month
                    cub_survival_after_emergence=0.55 ** (16 / 17),
                    adult_months=36, adult_survival_female=0.92, senescence_months=102,
                    senescence_rate_per_year=0.35, max_age_months=240, cub_predation_per_lion=0.9)
#: the parameter sets, with R = ceil(independence_months) (the smallest R that gives the old rule)
OLD_RULE_SETS = {"default": dict(OLD_DEFAULTS, rebreed_cub_age_months=18),
                 "mixed": dict(OLD_DEFAULTS, rebreed_cub_age_months=15, independence_months=15.0,
                               remating_delay_months=3, gestation_months=4, female_first_conception_months=14,
                               orphan_survival_months=9.0, cub_survival_after_emergence=0.55 ** (13 / 14))}


@pytest.mark.parametrize("name, comp", list(OLD_RULE))
@pytest.mark.parametrize("extra_R", [0, 6])
def test_rebreeding_from_independence_age_on_gives_exactly_the_old_rule(name, comp, extra_R):
    kw = dict(OLD_RULE_SETS[name])
    kw["rebreed_cub_age_months"] += extra_R
    p = CheetahParams(**kw)
    lam, R0, T, stages, q_ult, q_10, cub, census, types = OLD_RULE[(name, comp)]
    cyc = dm.life_cycle(p, comp)
    # no state has a pregnancy with cubs or a wait carried: the chain of the old rule
    assert not any(k > 0 and c > 0 for k, c, n, w in cyc.states)
    assert cyc.n_states == 1 + cyc.g + max(cyc.d - 1, 0) + (cyc.I - 1) * cyc.Lmax
    assert dm.deterministic_lambda(p, comp) == pytest.approx(lam, rel=1e-12)
    assert dm.net_reproductive_rate(p, comp) == pytest.approx(R0, rel=1e-12)
    assert dm.generation_time_months(p, comp) == pytest.approx(T, rel=1e-12)
    got = dm.stable_stage_distribution(p, comp)
    assert [got[k] for k in dm.STAGE_NAMES] == pytest.approx(stages, rel=1e-12)
    assert dm.extinction_probability(p, 36, 1, competitors=comp) == pytest.approx(q_ult, rel=1e-12)
    assert dm.extinction_probability(p, 36, 1, years=10, competitors=comp, release_month=4) == \
        pytest.approx(q_10, rel=1e-12)
    assert dm.cub_survival_to_independence(p, comp) == pytest.approx(cub, rel=1e-12)
    e = dm.expected_female_census(p, 30, 5, 6, comp, release_month=3)
    assert e["total"] == pytest.approx(census, rel=1e-12)
    named = {(a, "open" if r == dm.OPEN else "pregnant" if r == cyc.preg(cyc.g) else r): q
             for (a, r), q in dm.type_extinction_probabilities(p, comp).items()}
    assert named.keys() == types.keys()
    for key, q in types.items():
        assert named[key] == pytest.approx(q, rel=1e-11), key


def test_rebreeding_adds_pregnancies_with_cubs_and_raises_lambda():
    old = dm.life_cycle(CheetahParams(rebreed_cub_age_months=18))
    new = dm.life_cycle(DEFAULT)                                      # R = 14
    # pregnant with k months left and cubs of age c: conceived at cub age c - (g + 1 - k) >= 14
    with_cubs = {(k, c) for k, c, n, w in new.states if k > 0 and c > 0}
    assert with_cubs == {(3, 15), (3, 16), (3, 17), (2, 16), (2, 17), (1, 17)}
    assert new.n_states == old.n_states + len(with_cubs) * new.Lmax
    # with R + g = 17 = I - 1 a litter is released at cub age 17 at the latest: no new daughter type
    assert new.types == old.types
    assert dm.deterministic_lambda(DEFAULT) > dm.deterministic_lambda(CheetahParams(rebreed_cub_age_months=18))
    # earlier rebreeding releases younger daughters: new types (age c + 1, open), c = R + g .. 16
    p = CheetahParams(rebreed_cub_age_months=6)
    assert set(dm.life_cycle(p).types) - set(old.types) == {(a, dm.OPEN) for a in range(10, 13)}


@pytest.mark.parametrize("R", [3, 6, 10, 14, 17, 18, 24])
def test_interbirth_interval_without_deaths_is_the_hand_value(R):
    # immortal mother and cubs, conception p per month from cub age R on (or from the month after
    # the litter leaves, I = 18): next birth R + N + g months after the last (N failures)
    p = CheetahParams(adult_survival_female=1.0, subadult_survival_female=1.0, senescence_rate_per_year=0.0,
                      cub_survival_base=1.0, rebreed_cub_age_months=R)
    cp = p.conception_prob_per_month
    hand = min(R, 18) + p.gestation_months + (1 - cp) / cp
    assert dm.mean_interbirth_interval(p, 40) == pytest.approx(hand, rel=1e-12)


def test_interbirth_interval_shortens_as_mothers_rebreed_with_younger_cubs():
    # defaults (mother and cub deaths; litters reared to the next birth, mothers who breed again)
    ibi = {R: dm.mean_interbirth_interval(CheetahParams(rebreed_cub_age_months=R), 40) for R in range(3, 25)}
    assert all(ibi[R] < ibi[R + 1] for R in range(3, 18))              # shorter with every month less
    assert all(ibi[R] == pytest.approx(ibi[18], rel=1e-12) for R in range(18, 25))   # the old rule
    # one month earlier rebreeding, about one month shorter (R + g + (1-p)/p without deaths)
    assert all(0.98 < ibi[R + 1] - ibi[R] < 1.02 for R in range(3, 18))
    # the default (R = 14) is ~18 months, the lion-free field value 17.8 (Bissett); 22 without rebreeding
    assert 17.5 < ibi[14] < 18.5 and 21.5 < ibi[18] < 22.5
    # ... and λ rises as R falls
    lams = [dm.deterministic_lambda(CheetahParams(rebreed_cub_age_months=R)) for R in (18, 16, 14, 10, 6)]
    assert all(a < b for a, b in zip(lams, lams[1:]))


def test_cub_survival_when_the_next_litter_releases_the_cubs_matches_the_hand_formula():
    # immortal mother aged 40 at the birth: she conceives at cub age c0 = R, R+1, ... (p each
    # month); the cub is released by the next birth at cub age c0 + g after c0 + g draws if
    # c0 + g <= 17, else it leaves at 18 after 17 draws
    R = 8
    p = CheetahParams(adult_survival_female=1.0, subadult_survival_female=1.0, rebreed_cub_age_months=R)
    cp, g = p.conception_prob_per_month, p.gestation_months
    hand = sum(cp * (1 - cp) ** (c0 - R) * _S(p, c0 + g) for c0 in range(R, 17 - g + 1)) + \
        (1 - cp) ** (17 - g - R + 1) * _S(p, 17)
    assert dm.cub_survival_to_independence(p, mother_age_months=40) == pytest.approx(hand, rel=1e-12)
    # certain conception: every litter is released at cub age R + g = 11
    p1 = CheetahParams(adult_survival_female=1.0, subadult_survival_female=1.0, rebreed_cub_age_months=R,
                       conception_prob_per_month=1.0)
    assert dm.cub_survival_to_independence(p1, mother_age_months=40) == pytest.approx(_S(p, 11), rel=1e-12)


@pytest.mark.parametrize("kw", [
    {"rebreed_cub_age_months": 3},                                                   # young daughters
    {"rebreed_cub_age_months": 9, "orphan_survival_months": 6.0, "female_first_conception_months": 14,
     "remating_delay_months": 0},                                                    # orphans conceive
    # a wait after losing a litter while pregnant is carried into the next litter (d >= R)
    {"rebreed_cub_age_months": 4, "remating_delay_months": 12, "gestation_months": 2, "independence_months": 12.0,
     "orphan_survival_months": 3.0, "female_first_conception_months": 12, "cub_survival_base": 0.2},
])
def test_rebreeding_variants_renewal_projection_and_generating_function_agree(kw):
    p = CheetahParams(**kw)
    cyc = dm.life_cycle(p, 0.05)
    lam_m, v = power_iteration_lambda(dm.projection_matrix(p, 0.05))
    assert dm.deterministic_lambda(p, 0.05) == pytest.approx(lam_m ** 12, rel=1e-9)
    T = len(cyc.types)
    h = 1e-6
    one = np.ones((1, T))
    G = cyc.offspring_pgf(np.vstack([one, one - h * np.eye(T)]))
    mean = (G[0] - G[1:]).T / h
    assert np.allclose(G[0], 1.0, atol=1e-12)
    assert np.allclose(mean, cyc.cohorts()["M"].sum(axis=0), rtol=1e-5, atol=1e-8)
    # each state's transitions given survival sum to 1 (p = 0 and p = 1)
    assert np.allclose(cyc.P0.sum(axis=1), 1.0) and np.allclose(cyc.P1.sum(axis=1), 0.0)


def test_a_wait_carried_through_a_pregnancy_blocks_conception_in_the_next_litter():
    # d = 12 >= R = 4: a mother who loses her litter while pregnant starts her next litter with the
    # full wait (it does not count down in pregnancy) and cannot conceive at cub ages 1..12
    # (a pregnancy starts at k = g = 3 months left; lost in that month, the litter leaves her
    # pregnant with 2 months left and the wait of 12 months)
    kw = {"rebreed_cub_age_months": 4, "remating_delay_months": 12, "gestation_months": 3,
          "independence_months": 14.0, "cub_survival_base": 0.2}
    cyc = dm.life_cycle(CheetahParams(**kw))
    carried = {(k, c, w) for k, c, n, w in cyc.states if w > 0 and (k > 0 or c > 0)}
    assert {(k, c, w) for k, c, w in carried if k > 0} == {(2, 0, 12), (1, 0, 12)}
    assert {(0, c, 13 - c) for c in range(1, 13)} <= carried          # counting down with the litter
    # with d < R nothing is carried (the wait would end before the cubs are R months old)
    short = dm.life_cycle(CheetahParams(**{**kw, "remating_delay_months": 3}))
    assert not any(w > 0 and (k > 0 or c > 0) for k, c, n, w in short.states)
