"""Field checks *serengeti_cub_survival* and *kgalagadi_cub_survival*: cub survival and population
growth with lion-level cub predation (Serengeti: Laurenson 1994, Kelly et al. 1998) and with few
large competitors (Kgalagadi: Mills & Mills 2014), from the shared field runs of :mod:`.field_pool`."""

from __future__ import annotations

import math
import time

import numpy as np

from ..reporting.figstyle import colour
from .common import CheckResult, Param, Settings, check, new_figure, save_figure
from .field_pool import (KTP_CUB_SURVIVAL, SERENGETI_COMPETITORS, SERENGETI_CUB_SURVIVAL, field_params,
                         field_runs)


@check("serengeti_cub_survival", "field")
def check_serengeti(settings: Settings) -> CheckResult:
    """Serengeti: lion-level cub predation → cub survival ≈ 5 % and no population growth."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    fr = field_runs(settings, "serengeti")
    sc = fr.scenario
    ch = sc.cheetah
    theory_cs = dem.cub_survival_to_independence(ch, SERENGETI_COMPETITORS)
    theory_lam = dem.deterministic_lambda(ch, SERENGETI_COMPETITORS)
    cs_lo, cs_hi = 0.02, 0.10
    lam_lo, lam_hi = 0.80, 1.02
    ok_cs = cs_lo <= fr.cub_survival <= cs_hi
    ok_lam = lam_lo <= fr.lambda_obs <= lam_hi
    fig, ax = new_figure(1600, 750, ncols=2)
    a0, a1 = ax[0]
    vals = [fr.cub_survival, theory_cs, SERENGETI_CUB_SURVIVAL]
    a0.bar([0, 1, 2], vals, color=[colour(0), colour(1), colour(2)])
    a0.errorbar([0], [fr.cub_survival], yerr=[[fr.cub_survival - fr.cub_ci[0]], [fr.cub_ci[1] - fr.cub_survival]],
                fmt="none", color="black", capsize=6)
    a0.axhspan(cs_lo, cs_hi, color="grey", alpha=0.15, label="tolerance 2–10 %")
    a0.set_xticks([0, 1, 2], ["agent model", "life-cycle theory\n(no starvation)", "Laurenson 1994\n(6 of 125)"])
    a0.set_ylabel("cub survival, birth to independence")
    a0.set_title("Serengeti cub survival")
    a0.legend()
    yrs = np.arange(1, sc.years + 1)
    mean = fr.N.mean(axis=0)
    q = np.percentile(fr.N, [5, 95], axis=0)
    a1.fill_between(yrs, q[0], q[1], color=colour(0), alpha=0.2, label="agent model, 5–95 % of runs")
    a1.plot(yrs, mean, "o-", color=colour(0), ms=4, label=f"agent model, mean (λ = {fr.lambda_obs:.3f}/yr)")
    a1.plot(yrs, mean[0] * theory_lam ** (yrs - 1), "--", color=colour(1),
            label=f"life-cycle theory λ = {theory_lam:.3f}/yr")
    a1.plot(yrs, np.full(len(yrs), mean[0]), ":", color="grey", label="no growth (λ = 1)")
    a1.set_yscale("log")
    a1.set_xlabel("census year")
    a1.set_ylabel("cheetahs alive (all ages), log scale")
    a1.set_title("Serengeti population")
    a1.legend(fontsize=9)
    path = save_figure(fig, settings, "serengeti_cub_survival")
    return CheckResult(
        name="serengeti_cub_survival", group="field", title="Serengeti: cub survival and no growth",
        compares="cub survival from birth to independence and the population growth rate of a Serengeti-like "
                 "system (lion-level cub predation) vs Laurenson (1994): 4.8 % (6 of 125 cubs), and Kelly et al. "
                 "(1998): a population that does not grow",
        method=(f"{fr.reps} replicates of {sc.years} years on a fenced uniform 150 × 150 km map: 30 F + 30 M adults "
                f"at the start, competitor density {SERENGETI_COMPETITORS} /km² (the lion density that "
                "cub_predation_per_lion was derived from), abundant prey, prey-limited rules, default "
                "year-to-year variation, no people, roads or catastrophes. An instrumented model records every "
                "cub born and every cub that becomes independent (normally or as an orphan old enough to "
                "survive); survival = independent / born over cubs born early enough for their fate to be "
                f"known ({fr.cubs_born} cubs; the census counted {fr.census_births} births, the tracker "
                f"{fr.tracked_births}). λ = exp(slope of ln Σ N) over census years 2–12. 95 % intervals: "
                "bootstrap over replicates."),
        parameters=field_params(sc) + [Param("cub survival (Serengeti)", "0.048", "Laurenson 1994; Mills & Mills 2014"),
                                       Param("population trend", "no growth", "Kelly et al. 1998")],
        expected=(f"cub survival ≈ {SERENGETI_CUB_SURVIVAL} (Laurenson 1994); λ ≈ 1 or below (Kelly et al. 1998); "
                  f"life-cycle theory without starvation: {theory_cs:.3f}, λ = {theory_lam:.3f}/yr"),
        tolerance=f"cub survival in {cs_lo}–{cs_hi}; λ in {lam_lo}–{lam_hi} (does not grow, and does not crash: "
                  "the population was followed for 25 years)",
        observed=(f"cub survival {fr.cub_survival:.3f} (95 % CI {fr.cub_ci[0]:.3f}–{fr.cub_ci[1]:.3f}); "
                  f"λ = {fr.lambda_obs:.3f}/yr (95 % CI {fr.lambda_ci[0]:.3f}–{fr.lambda_ci[1]:.3f})"),
        passed=bool(ok_cs and ok_lam), figure=path, replicates=fr.reps, seconds=time.perf_counter() - t0,
        values={"cub_survival": fr.cub_survival, "lambda": fr.lambda_obs, "theory_cub_survival": theory_cs,
                "theory_lambda": theory_lam, "deaths": fr.deaths},
        notes="Deaths by cause in all runs: " + ", ".join(f"{k} {v}" for k, v in fr.deaths.items() if v))


@check("kgalagadi_cub_survival", "field")
def check_kgalagadi(settings: Settings) -> CheckResult:
    """Kgalagadi: few large competitors → cub survival several times the Serengeti value."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    ser = field_runs(settings, "serengeti")
    ktp = field_runs(settings, "kgalagadi")
    sc = ktp.scenario
    comp = sc.landscape.lion_density
    ratio = ktp.cub_survival / ser.cub_survival if ser.cub_survival > 0 else math.inf
    theory = dem.cub_survival_to_independence(sc.cheetah, comp)
    need = 3.0
    ok = ratio >= need
    fig, ax = new_figure(1300, 800)
    a = ax[0, 0]
    vals = [ser.cub_survival, ktp.cub_survival]
    a.bar([0, 1], vals, color=[colour(1), colour(0)], width=0.5, label="agent model")
    for i, f in enumerate((ser, ktp)):
        a.errorbar([i], [f.cub_survival], yerr=[[f.cub_survival - f.cub_ci[0]], [f.cub_ci[1] - f.cub_survival]],
                   fmt="none", color="black", capsize=6)
    a.plot([0, 1], [SERENGETI_CUB_SURVIVAL, KTP_CUB_SURVIVAL], "D", color=colour(2), ms=10,
           label="field: Serengeti 0.048; Kgalagadi ≈ 7 × (Mills & Mills 2014)")
    a.plot([1], [need * ser.cub_survival], "_", color="black", ms=40, mew=2, label="3 × the model's Serengeti value")
    a.set_xticks([0, 1], [f"Serengeti\n({SERENGETI_COMPETITORS} competitors/km²)",
                          f"Kgalagadi\n({comp:.4f} competitors/km²)"])
    a.set_ylabel("cub survival, birth to independence")
    a.set_title(f"Cub survival with few large competitors: ratio {ratio:.1f}")
    a.legend(fontsize=9)
    path = save_figure(fig, settings, "kgalagadi_cub_survival")
    return CheckResult(
        name="kgalagadi_cub_survival", group="field", title="Kgalagadi: cub survival with few competitors",
        compares="cub survival in a Kgalagadi-like system (few large competitors) vs the Serengeti-like system "
                 "of *serengeti_cub_survival*; Mills & Mills (2014): about 7 times higher in the Kgalagadi",
        method=(f"as for the Serengeti ({ktp.reps} replicates of {sc.years} years, 15 F + 15 M at the start, the "
                "same abundant prey), but a competitor density "
                f"{comp:.4f} /km²: the density whose cub predation hazard is the lions' 6.7 % share of cub "
                "mortality (Mills & Mills 2014) when total cub survival is ≈ 7 × 0.048 = 0.34 "
                "(C: 0.067 × (−ln 0.34) / 17.5 months / 0.9 per competitor). Only the competitor density "
                f"differs from the Serengeti runs. {ktp.cubs_born} cubs of known fate."),
        parameters=field_params(sc, [Param("lions' share of KTP cub mortality", "6.7 %", "Mills & Mills 2014"),
                                     Param("KTP cub survival", "≈ 7 × 0.048", "Mills & Mills 2014 (ratio; P)")]),
        expected=(f"cub survival ≥ 3 × the Serengeti value (field ratio ≈ 7); life-cycle theory without "
                  f"starvation: {theory:.3f}"),
        tolerance="ratio Kgalagadi / Serengeti ≥ 3",
        observed=(f"Kgalagadi {ktp.cub_survival:.3f} (95 % CI {ktp.cub_ci[0]:.3f}–{ktp.cub_ci[1]:.3f}) vs Serengeti "
                  f"{ser.cub_survival:.3f}: ratio {ratio:.2f}; Kgalagadi λ = {ktp.lambda_obs:.3f}/yr"),
        passed=bool(ok), figure=path, replicates=ktp.reps, seconds=time.perf_counter() - t0,
        values={"ratio": ratio, "cub_survival": ktp.cub_survival, "theory": theory, "deaths": ktp.deaths},
        notes="Deaths by cause in the Kgalagadi runs: " + ", ".join(f"{k} {v}" for k, v in ktp.deaths.items() if v))
