"""Theory check *gene_diversity_drift*: the rate at which the simulated genotypes lose gene
diversity at a population ceiling, against the drift rate H_t = H_0 (1 − 1/(2 N_e))^(t/T) for the
effective size N_e implied by the simulated pedigree (mean kinship of the living)."""

from __future__ import annotations

import math
import time

import numpy as np

from ..config.factories import uniform_reserve
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, check, check_seeds, log_slope, new_figure, parallel_map,
                     param_from, save_figure)
from .instrumented import run_kinship

DRIFT_CEILING = 60          # animals (all ages)


@check("gene_diversity_drift", "theory")
def check_gene_diversity_drift(settings: Settings) -> CheckResult:
    """Gene diversity of a population held at a ceiling vs H_t = H_0 (1 − 1/(2 N_e))^t."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    years = settings.n(60, 20)
    reps = settings.n(24, 4)
    sc = uniform_reserve(
        "gene_diversity_drift", years=years, size_km=100.0, ceiling=DRIFT_CEILING, prey_poaching=0.0,
        releases=[{"year": 1, "month": 1, "females": 10, "males": 10, "age_months": 30}],
        cheetah={"release_survival_wild": 1.0, "lethal_equivalents": 0.0},
        rules={"density": "ceiling", "mate_finding": "anywhere", "movement": "correlated_walk"})
    out = parallel_map(run_kinship, [(sc, s) for s in check_seeds(settings, "gene_diversity_drift", reps)],
                       settings.jobs)
    alive = np.array([np.isfinite(o.census["gene_diversity"][-1]) and o.census["N"][-1] > 0 for o in out])
    gd = np.array([o.census["gene_diversity"] for o in out])[alive]
    mk = np.array([o.mean_kinship for o in out])[alive]
    yrs = np.arange(1, years + 1)
    start = 5 if years > 10 else 2
    sel = yrs >= start
    gd_mean = gd.mean(axis=0)
    ped = 1.0 - mk.mean(axis=0)

    def rate(series: np.ndarray) -> float:
        """Per-year decline rate of a diversity series: −slope of its log over the fit years."""
        return -log_slope(yrs[sel], series[sel])

    r_gd = rate(gd_mean)
    r_ped = rate(ped)
    rng = np.random.default_rng(1)
    boot = []
    for _ in range(400):
        i = rng.integers(0, len(gd), len(gd))
        boot.append(rate(gd[i].mean(axis=0)) / rate(1.0 - mk[i].mean(axis=0)))
    lo, hi = np.percentile(boot, [2.5, 97.5])
    ratio = r_gd / r_ped
    T_years = dem.generation_time_months(sc.cheetah) / 12.0
    per_gen = 1.0 - math.exp(-r_ped * T_years)          # loss of diversity per generation
    Ne = 1.0 / (2.0 * per_gen)
    af = np.array([o.census["adults_f"] for o in out])[alive][:, sel].mean()
    am = np.array([o.census["adults_m"] for o in out])[alive][:, sel].mean()
    n_mean = np.array([o.census["N"] for o in out])[alive][:, sel].mean()
    Ne_sex = 4 * af * am / (af + am)
    H0 = ped[start - 1]
    drift = H0 * (1.0 - 1.0 / (2.0 * Ne)) ** ((yrs - start) / T_years)
    tol = 0.10
    ok = abs(ratio - 1.0) <= tol and len(gd) >= max(2, reps // 2)

    fig, ax = new_figure(1400, 850)
    a = ax[0, 0]
    q = np.percentile(gd, [5, 95], axis=0)
    a.fill_between(yrs, q[0], q[1], color=colour(0), alpha=0.2, label="agent model, 5–95 % of runs")
    a.plot(yrs, gd_mean, "o-", ms=4, color=colour(0),
           label=f"agent model: gene diversity of genotypes (mean of {len(gd)})")
    a.plot(yrs, ped, "--", color=colour(1), lw=2, label="pedigree expectation 1 − mean kinship")
    a.plot(yrs[sel], drift[sel], ":", color="black", lw=2.5,
           label=f"H₀(1 − 1/(2Nₑ))^(t/T), Nₑ = {Ne:.1f}, T = {T_years:.1f} yr")
    a.set_xlabel("census year")
    a.set_ylabel("gene diversity (expected heterozygosity)")
    a.set_title(f"Drift at a ceiling of {DRIFT_CEILING} cheetahs")
    a.legend(fontsize=9)
    path = save_figure(fig, settings, "gene_diversity_drift")
    return CheckResult(
        name="gene_diversity_drift", group="theory", title="Gene diversity lost by drift",
        compares="the yearly rate at which gene diversity of the simulated genotypes (20 neutral loci with "
                 "founder-unique alleles) declines vs the rate that H_t = H_0 (1 − 1/(2 N_e))^(t/T) gives for the "
                 "effective size N_e implied by the pedigree",
        method=(f"{reps} replicates of {years} years: 10 F + 10 M founders, `density: ceiling` with a ceiling of "
                f"{DRIFT_CEILING} animals (random removals each December), food unlimited, mates anywhere on the "
                "map, no inbreeding depression, no variation. **How N_e is estimated:** from the pedigree, "
                "independently of the genotypes: the mean kinship f̄ of the living (all ordered pairs, self-pairs "
                "included) is recorded at every census; 1 − f̄ is the expected gene diversity, and its yearly "
                f"decline rate (log-linear fit over years {start}–{years}) per generation of T = "
                f"{T_years:.1f} yr (sim.analysis.demography.generation_time_months, the growing population's value) "
                "gives 1/(2N_e). **What this tests:** that Mendelian transmission and the gene-diversity bookkeeping "
                "lose diversity at the drift rate the simulated pedigree implies. It does *not* test that the "
                "simulated N_e is realistic; for orientation N_e is reported beside the mean census size and "
                "the sex-ratio formula 4 N_m N_f/(N_m + N_f) applied to the animals of adult age (a census "
                "shortcut that ignores the variance in reproductive success and the younger breeders)."),
        parameters=[param_from("cheetah.neutral_loci", sc.cheetah, "neutral_loci"),
                    Param("ceiling", f"{DRIFT_CEILING} animals", "chosen for the check"),
                    param_from("cheetah.lethal_equivalents", sc.cheetah, "lethal_equivalents",
                               source="set to 0 for the check (pure drift)")],
        expected=f"genotype decline rate = pedigree rate {r_ped:.5f}/yr (N_e = {Ne:.1f} per generation)",
        tolerance=f"ratio of the two rates within 1 ± {tol}",
        observed=(f"genotype rate {r_gd:.5f}/yr, ratio {ratio:.3f} (95 % CI {lo:.3f}–{hi:.3f}); "
                  f"N_e = {Ne:.1f} vs mean census N = {n_mean:.1f} (N_e/N = {Ne / n_mean:.2f}) and "
                  f"4N_mN_f/(N_m+N_f) of adults = {Ne_sex:.1f}; {len(gd)} of {reps} runs extant at the end"),
        passed=bool(ok), figure=path, replicates=reps, seconds=time.perf_counter() - t0,
        values={"rate_gd": r_gd, "rate_ped": r_ped, "ratio": ratio, "Ne": Ne, "N": n_mean, "Ne_sex": Ne_sex})
