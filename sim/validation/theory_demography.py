"""Theory check *demography_growth*: the growth rate λ and stage structure of the demography-only
agent model against the dominant eigenvalue and eigenvector of the projection matrix built from
the same vital rates (sim.analysis.demography)."""

from __future__ import annotations

import time

import numpy as np

from ..config.params import CheetahParams
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, check, check_seeds, demography_only, field_info, log_slope,
                     new_figure, parallel_map, param_from, save_figure)
from .instrumented import run_census

FOUNDER_AGES = tuple(24 + 6 * i for i in range(12))      # months; one founder per release month


@check("demography_growth", "theory")
def check_demography_growth(settings: Settings) -> CheckResult:
    """Growth rate and stage structure of the demography-only model vs the dominant eigenvalue
    and eigenvector of the projection matrix (sim.analysis.demography)."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    years = settings.n(15, 10)
    reps = settings.n(24, 4)
    fit_from = 6 if years >= 12 else 4                      # first census year used in the fit
    releases = [{"year": 1, "month": 1 + i, "females": 1, "males": 0, "age_months": a}
                for i, a in enumerate(FOUNDER_AGES)]
    sc = demography_only(name="demography_growth", years=years, releases=releases)
    ch = sc.cheetah
    lam = dem.deterministic_lambda(ch)
    stable = dem.stable_stage_distribution(ch)
    exp = {k: np.zeros(years) for k in ("cub", "subadult", "adult", "total")}
    for i, a in enumerate(FOUNDER_AGES):
        e = dem.expected_female_census(ch, a, 1, years, release_month=1 + i)
        for k in exp:
            exp[k] += e[k]
    out = parallel_map(run_census, [(sc, s) for s in check_seeds(settings, "demography_growth", reps)],
                       settings.jobs)
    Nf = np.array([o["N_f"] for o in out], dtype=float)           # (reps, years)
    cubs = np.array([o["cub_f"] for o in out], dtype=float)
    adults = np.array([o["adults_f"] for o in out], dtype=float)
    yrs = np.arange(1, years + 1)
    sel = yrs >= fit_from

    def fit_lambda(total: np.ndarray) -> float:
        return float(np.exp(log_slope(yrs[sel], total[sel])))

    lam_obs = fit_lambda(Nf.sum(axis=0))
    lam_exp_traj = fit_lambda(exp["total"])
    rng = np.random.default_rng(0)
    boot = [fit_lambda(Nf[rng.integers(0, reps, reps)].sum(axis=0)) for _ in range(400)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    last = yrs > years - 5                                          # pooled over the last 5 censuses
    tot = Nf[:, last].sum()
    share = {"cub": cubs[:, last].sum() / tot, "adult": adults[:, last].sum() / tot}
    share["subadult"] = 1.0 - share["cub"] - share["adult"]
    tol_lam, tol_share = 0.02, 0.03
    ok_lam = abs(lam_obs - lam) <= tol_lam
    ok_share = all(abs(share[k] - stable[k]) <= tol_share for k in stable)

    fig, ax = new_figure(1600, 700, ncols=2)
    a0, a1 = ax[0]
    mean = Nf.mean(axis=0)
    q = np.percentile(Nf, [5, 95], axis=0)
    a0.fill_between(yrs, q[0], q[1], color=colour(0), alpha=0.2, label="agent model, 5–95 % of runs")
    a0.plot(yrs, mean, "o-", color=colour(0), label=f"agent model, mean of {reps} runs")
    a0.plot(yrs, exp["total"], "--", color=colour(1), lw=2, label="projection matrix: expected females")
    ref = exp["total"][fit_from - 1] * lam ** (yrs - fit_from)
    a0.plot(yrs, ref, ":", color="black", lw=2, label=f"growth at dominant eigenvalue λ = {lam:.3f}/yr")
    a0.set_yscale("log")
    a0.set_xlabel("census year (December)")
    a0.set_ylabel("females alive (cubs included), log scale")
    a0.set_title("Growth: agent model vs projection matrix")
    a0.legend(fontsize=9)
    x = np.arange(3)
    keys = ("cub", "subadult", "adult")
    a1.bar(x - 0.2, [share[k] for k in keys], 0.4, color=colour(0), label=f"agent model, years {years - 4}–{years}")
    a1.bar(x + 0.2, [stable[k] for k in keys], 0.4, color=colour(1), label="dominant eigenvector (stable)")
    a1.set_xticks(x, ["cubs (dependent)", "independent,\nyounger than adult age", "adults"])
    a1.set_ylabel("share of females")
    a1.set_title("Stage structure")
    a1.legend(fontsize=9)
    path = save_figure(fig, settings, "demography_growth")
    return CheckResult(
        name="demography_growth", group="theory", title="Demography-only growth rate and stage structure",
        compares="female population growth rate λ and the shares of females by stage in the agent model "
                 "vs the dominant eigenvalue and eigenvector of the monthly (age × reproductive state) "
                 "projection matrix built from the same vital rates (sim.analysis.demography)",
        method=(f"{reps} replicates of {years} years; 12 founder females aged {FOUNDER_AGES[0]}–{FOUNDER_AGES[-1]} "
                "months released one a month (January–December of year 1) so that the founders' cohorts "
                "do not oscillate in step; demography-only rules (food unlimited via `density: ceiling` "
                "without a ceiling, `mate_finding: always`, no environmental variation, catastrophes, people, "
                "roads, post-release losses or inbreeding depression). λ_obs = exp(slope of ln Σ females) "
                f"over census years {fit_from}–{years} (95 % CI: bootstrap over replicates). Stage shares "
                "pooled over the last five censuses."),
        parameters=[param_from("cheetah.cub_survival_base", ch, "cub_survival_base"),
                    param_from("cheetah.subadult_survival_female", ch, "subadult_survival_female"),
                    param_from("cheetah.adult_survival_female", ch, "adult_survival_female"),
                    param_from("cheetah.conception_prob_per_month", ch, "conception_prob_per_month"),
                    param_from("cheetah.female_first_conception_months", ch, "female_first_conception_months"),
                    param_from("cheetah.independence_months", ch, "independence_months"),
                    Param("cheetah.litter_size_probs", str(ch.litter_size_probs),
                          field_info(CheetahParams, "litter_size_probs")["source"])],
        expected=(f"λ = {lam:.4f}/yr (dominant eigenvalue); the exact expected trajectory of these founders "
                  f"gives {lam_exp_traj:.4f}/yr over the same years. Stable shares: cubs {stable['cub']:.3f}, "
                  f"subadults {stable['subadult']:.3f}, adults {stable['adult']:.3f}"),
        tolerance=f"|λ_obs − λ| ≤ {tol_lam}; each stage share within ±{tol_share} of the eigenvector",
        observed=(f"λ_obs = {lam_obs:.4f}/yr (95 % CI {lo:.4f}–{hi:.4f}); shares: cubs {share['cub']:.3f}, "
                  f"subadults {share['subadult']:.3f}, adults {share['adult']:.3f}"),
        passed=bool(ok_lam and ok_share), figure=path, replicates=reps, seconds=time.perf_counter() - t0,
        values={"lambda": lam, "lambda_obs": lam_obs, "share": share, "stable": stable})
