"""Theory vs model: the agent-based model in the demography-only case against sim.analysis.demography.

The scenario removes everything but demography (MODEL.md §6): food unlimited (``density:
ceiling`` with no ceiling), mates always available, no year-to-year variation or catastrophes, no
people, roads, post-release or inbreeding effects, a fenced uniform map. Its females then form the
branching process that :mod:`sim.analysis.demography` solves exactly, so the checks are statistical only:
tolerances are 3 standard errors from the replicate spread (jackknife over replicates for pooled
ratios, binomial for extinction fractions). Observed and expected numbers are in every message.
One check is exact: with no deaths before max age, one female cub per litter and certain
conception, the model is deterministic and each census must equal the expected one.

The founders are released at four ages in four months so that the population approaches its
stable structure quickly; the growth window starts late enough that the exact expected trajectory
has the asymptotic slope ln λ (checked, not assumed). Stage shares are compared with the exact
expected shares at the same censuses (the approach to the stable shares is still visible after 14
years; tests/test_demography.py checks that these expected shares converge to the stable ones).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis import demography as dm
from sim.world.build import build_landscape
from sim.config.factories import uniform_reserve
from sim.config.schema import Scenario
from sim.model.model import run_replicate

#: (age in months, month 1-12) of the release groups of the growth runs: 3 females + 1 male each
GROWTH_RELEASES = ((24, 1), (48, 4), (72, 7), (96, 10))
GROWTH_FEMALES = 3
#: the window of the growth check starts at year 7: the exact expected trajectory's slope over years
#: 7-16 is within 0.00003 of ln λ (the damped oscillation of the transient; from year 6 it is 0.0006
#: below ln λ with rebreeding at cub age 14, more than the design check's 0.1 SE; default parameters)
GROWTH_YEARS, GROWTH_REPS, GROWTH_FROM_YEAR = 16, 30, 7


def theory_scenario(years: int, releases: list[dict], competitors: float = 0.0, **cheetah) -> Scenario:
    """The demography-only scenario on a fenced 50 x 50 km uniform map (``cheetah``: overrides).

    No prey animals: the ceiling rule without a ceiling feeds every cheetah. The gazelle capacity
    is the uniform preset's default (1 animal/km²), with no gazelle to use it. Females breed
    whether they hold a range or not (the analysis has no ranges)."""
    return uniform_reserve(
        "theory", years=years, size_km=50.0, gazelle=1.0, prey_at_capacity=False, lions=competitors,
        releases=releases, rules={"density": "ceiling", "mate_finding": "always"},
        max_cheetahs=20_000,        # unlimited growth by design: ~4,100 animals by year 16 (kinship ~0.5 GiB)
        cheetah={"release_survival_wild": 1.0, "release_survival_captive": 1.0, "lethal_equivalents": 0,
                 "human_hazard_per_year": 0, "road_crossing_mortality": 0,
                 "breeding_females_must_be_resident": False, **cheetah})


def release(females: int, age: int, month: int = 1, males: int = 1) -> dict:
    return {"site": "centre", "females": females, "males": males, "age_months": age, "month": month}


def run_many(sc: Scenario, reps: int, entropy: int) -> dict[str, np.ndarray]:
    """Census columns (replicates x years) of ``reps`` independent replicates."""
    land = build_landscape(sc.landscape)
    seeds = np.random.SeedSequence(entropy).spawn(reps)
    res = [run_replicate(sc, s, replicate=i, landscape=land).census for i, s in enumerate(seeds)]
    return {k: np.array([r[k] for r in res]) for k in ("N_f", "cub_f", "adults_f")}


def jackknife_se(stat, *arrays: np.ndarray) -> float:
    """Leave-one-replicate-out standard error of stat(*arrays) (rows = replicates)."""
    n = arrays[0].shape[0]
    vals = np.array([stat(*(np.delete(a, i, axis=0) for a in arrays)) for i in range(n)])
    return float(np.sqrt((n - 1) / n * ((vals - vals.mean()) ** 2).sum()))


def log_slope(totals: np.ndarray, first_year: int) -> float:
    """Least-squares slope of ln(total) against year over years first_year..end (per year)."""
    years = np.arange(1, len(totals) + 1)[first_year - 1:]
    return float(np.polyfit(years, np.log(totals[first_year - 1:]), 1)[0])


DETERMINISTIC = dict(cub_survival_base=1.0, subadult_survival_female=1.0, adult_survival_female=1.0,
                     senescence_rate_per_year=0.0, litter_size_probs=(1.0,), sex_ratio_at_birth=0.0,
                     conception_prob_per_month=1.0)


@pytest.mark.parametrize("extra, founders", [
    # everyone lives to max age 240; founders up to 180 months old (one dies of old age)
    ({}, [(24, 1), (60, 3), (100, 5), (140, 8), (180, 11)]),
    # max age 60 with breeding to 60: mothers die with cubs of 7 months (orphaned, die) or of
    # 12 months (independent at once, aged 13 the next month)
    ({"max_age_months": 60, "female_last_breeding_months": 60}, [(24, 1), (30, 2), (40, 6), (50, 9), (59, 12)]),
    # rebreeding at cub age 8: each litter is released at cub age 11 by the next birth (daughters
    # start as independent subadults aged 12), the last one leaves at 18 or is orphaned
    ({"rebreed_cub_age_months": 8, "max_age_months": 90, "female_last_breeding_months": 80},
     [(24, 1), (33, 2), (41, 6), (70, 9), (85, 12)]),
])
def test_deterministic_life_cycle_gives_exactly_the_expected_female_census(extra, founders):
    # No deaths before max age, one female cub per litter, conception certain: the model has no
    # randomness left, so every census must equal the exact expectation (the month-by-month
    # schedule: conception, gestation, birth, independence, orphaning, max age, release month).
    years = 10
    rel = [release(1, age, month, males=0) for age, month in founders]
    sc = theory_scenario(years, rel, **DETERMINISTIC, **extra)
    got = run_many(sc, 1, entropy=5)
    exp = None
    for age, month in founders:
        e = dm.expected_female_census(sc.cheetah, age, 1, years, release_month=month)
        exp = e if exp is None else {k: exp[k] + e[k] for k in exp}
    sim = {"total": got["N_f"][0], "cub": got["cub_f"][0], "adult": got["adults_f"][0]}
    sim["subadult"] = sim["total"] - sim["cub"] - sim["adult"]
    for k in ("total", "cub", "subadult", "adult"):
        assert np.allclose(sim[k], exp[k], atol=1e-9), \
            f"{k} females per census: model {sim[k].astype(int).tolist()}, expected {np.round(exp[k], 3).tolist()}"


@pytest.fixture(scope="module")
def cheetah():
    return theory_scenario(1, []).cheetah


@pytest.fixture(scope="module")
def growth_runs():
    rel = [release(GROWTH_FEMALES, age, month) for age, month in GROWTH_RELEASES]
    return run_many(theory_scenario(GROWTH_YEARS, rel), GROWTH_REPS, entropy=20250611)


@pytest.fixture(scope="module")
def growth_expected(cheetah):
    """Exact expected female census of the growth runs (sum over the release groups)."""
    out = None
    for age, month in GROWTH_RELEASES:
        e = dm.expected_female_census(cheetah, age, GROWTH_FEMALES, GROWTH_YEARS, release_month=month)
        out = e if out is None else {k: out[k] + e[k] for k in out}
    return out


def test_female_growth_rate_matches_ln_lambda(growth_runs, growth_expected, cheetah):
    Nf = growth_runs["N_f"]
    assert (Nf[:, -1] > 0).all(), "a growth replicate died out; use more founders"
    first = GROWTH_FROM_YEAR
    pooled = lambda N: log_slope(N.sum(axis=0), first)                    # noqa: E731
    sim = pooled(Nf)
    se = jackknife_se(pooled, Nf)
    r = dm.deterministic_r(cheetah)
    exp_slope = log_slope(growth_expected["total"], first)
    msg = (f"simulated pooled slope of ln N_f, years {first}-{GROWTH_YEARS}: {sim:.4f} ± {se:.4f} (SE, "
           f"{GROWTH_REPS} replicates); ln λ = {r:.4f} (λ = {math.exp(r):.4f}/yr); slope of the exact "
           f"expected trajectory over the same years {exp_slope:.4f}")
    # design check: the window is past the transient (exact computation, no randomness)
    assert abs(exp_slope - r) < 0.1 * se, msg
    assert abs(sim - r) < 3 * se, msg


def test_mean_female_numbers_match_the_exact_expectation(growth_runs, growth_expected):
    Nf = growth_runs["N_f"]
    mean = Nf.mean(axis=0)
    se = Nf.std(axis=0, ddof=1) / math.sqrt(Nf.shape[0])
    exp = growth_expected["total"]
    msg = (f"mean females per census {np.round(mean, 1).tolist()}\n expected {np.round(exp, 1).tolist()}\n"
           f" SE {np.round(se, 1).tolist()}")
    assert abs(mean[-1] - exp[-1]) < 3 * se[-1], msg


def test_female_stage_shares_match_the_expected_and_stable_shares(growth_runs, growth_expected, cheetah):
    last = slice(GROWTH_YEARS - 3, GROWTH_YEARS)                          # the last 3 censuses
    Nf, cub, adult = (growth_runs[k][:, last] for k in ("N_f", "cub_f", "adults_f"))
    counts = {"cub": cub, "subadult": Nf - cub - adult, "adult": adult}
    stable = dm.stable_stage_distribution(cheetah)
    lines, bad = [], []
    for k, c in counts.items():
        share = lambda c, N: c.sum() / N.sum()                            # noqa: E731
        sim = share(c, Nf)
        se = jackknife_se(share, c, Nf)
        exp = growth_expected[k][last].sum() / growth_expected["total"][last].sum()
        lines.append(f"{k}: simulated {sim:.4f} ± {se:.4f}, expected {exp:.4f}, stable {stable[k]:.4f}")
        if abs(sim - exp) >= 3 * se:
            bad.append(k)
    assert not bad, "female stage shares, censuses {}-{}:\n".format(GROWTH_YEARS - 2, GROWTH_YEARS) + "\n".join(lines)


@pytest.mark.parametrize("n_females, age, years, competitors, reps", [
    (1, 36, 5, 0.0, 800),
    (2, 120, 5, 0.05, 600),
])
def test_small_founder_groups_die_out_as_often_as_the_branching_process_predicts(
        n_females, age, years, competitors, reps):
    sc = theory_scenario(years, [release(n_females, age)], competitors=competitors)
    runs = run_many(sc, reps, entropy=7000 + 100 * n_females + age)
    gone = int((runs["N_f"][:, -1] == 0).sum())
    expected = dm.extinction_probability(sc.cheetah, age, n_females, years=years, competitors=competitors)
    se = math.sqrt(expected * (1 - expected) / reps)
    msg = (f"{n_females} founder female(s) aged {age} months, competitors {competitors}/km²: female line "
           f"gone by year {years} in {gone}/{reps} = {gone / reps:.3f} of runs; branching process "
           f"{expected:.3f} ± {se:.3f} (binomial SE); ultimate "
           f"{dm.extinction_probability(sc.cheetah, age, n_females, competitors=competitors):.3f}")
    assert abs(gone / reps - expected) < 3 * se, msg
