"""Theory check *founder_extinction*: how often small founder groups die out in the
demography-only agent model, against the multi-type branching process of the same life cycle
(sim.analysis.demography.extinction_probability)."""

from __future__ import annotations

import time

import numpy as np

from ..config.schema import Scenario
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, check, check_seeds, demography_only, new_figure,
                     parallel_map, param_from, save_figure, wilson)
from .instrumented import run_census

#: The check's design: lion-level competitors [animals/km²] such that the demography-only λ is
#: this value [per year], so small founder groups often die out and their extinction shares are
#: measured well (computed from the parameters by :func:`extinction_competitors`, not chosen by hand).
TARGET_LAMBDA = 1.05


def extinction_competitors(cheetah) -> float:
    """Lion density [animals/km²] at which the analytic demography-only λ equals TARGET_LAMBDA
    (cub predation lowers λ monotonically); 0 if λ is already at or below it without lions."""
    from scipy.optimize import brentq
    from ..analysis import demography as dem
    if dem.deterministic_lambda(cheetah, 0.0) <= TARGET_LAMBDA:
        return 0.0
    hi = 0.05
    while dem.deterministic_lambda(cheetah, hi) > TARGET_LAMBDA:
        hi *= 2.0
    return float(brentq(lambda c: dem.deterministic_lambda(cheetah, c) - TARGET_LAMBDA, 0.0, hi, xtol=1e-6))


def _extinct(sc: Scenario, seed) -> bool:
    """One replicate: True if no female is alive at the last census."""
    return bool(run_census(sc, seed)["N_f"][-1] == 0)


@check("founder_extinction", "theory")
def check_founder_extinction(settings: Settings) -> CheckResult:
    """Extinction of small founder groups in the demography-only model vs the multi-type
    branching process (sim.analysis.demography.extinction_probability)."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    years = 10
    reps = settings.n(300, 40)
    groups = (1, 2, 3, 5)
    age = 36
    competitors = round(extinction_competitors(demography_only(name="probe", years=1, releases=[]).cheetah), 4)
    tasks, index = [], []
    scs = {}
    for n in groups:
        sc = demography_only(name=f"founder_extinction_{n}", years=years, lions=competitors,
                             releases=[{"year": 1, "month": 1, "females": n, "males": 0, "age_months": age}])
        scs[n] = sc
        for s in check_seeds(settings, f"founder_extinction_{n}", reps):
            tasks.append((sc, s))
            index.append(n)
    out = np.array(parallel_map(_extinct, tasks, settings.jobs))
    index = np.array(index)
    ch = scs[1].cheetah
    rows = []
    ok = True
    for n in groups:
        k = int(out[index == n].sum())
        p_exp = dem.extinction_probability(ch, age, n, years=years, competitors=competitors)
        p_ult = dem.extinction_probability(ch, age, n, years=None, competitors=competitors)
        lo, hi = wilson(k, reps, 0.99)
        good = lo <= p_exp <= hi
        ok &= good
        rows.append({"n": n, "k": k, "obs": k / reps, "lo": lo, "hi": hi, "exp": p_exp, "ultimate": p_ult,
                     "pass": good})
    lam = dem.deterministic_lambda(ch, competitors)

    fig, ax = new_figure(1300, 850)
    a = ax[0, 0]
    x = np.array(groups)
    obs = np.array([r["obs"] for r in rows])
    a.errorbar(x, obs, yerr=[obs - [r["lo"] for r in rows], np.array([r["hi"] for r in rows]) - obs],
               fmt="o", color=colour(0), capsize=5, ms=8, label=f"agent model ({reps} runs each, 99 % Wilson CI)")
    a.plot(x, [r["exp"] for r in rows], "s--", color=colour(1), ms=8, label=f"branching process, by year {years}")
    a.plot(x, [r["ultimate"] for r in rows], "^:", color=colour(2), ms=8, label="branching process, ultimate")
    a.set_xticks(x)
    a.set_xlabel("founder females released (aged 36 months)")
    a.set_ylabel(f"probability that no female is alive at year {years}")
    a.set_ylim(0, 1)
    a.set_title(f"Extinction of small founder groups (λ = {lam:.3f}/yr)")
    a.legend()
    path = save_figure(fig, settings, "founder_extinction")
    return CheckResult(
        name="founder_extinction", group="theory", title="Extinction of small founder groups",
        compares="share of runs in which the female line has died out by the census of year 10, for 1, 2, 3 "
                 "and 5 founder females, vs the multi-type Galton–Watson branching process of the same "
                 "life cycle (sim.analysis.demography.extinction_probability, finite horizon)",
        method=(f"{reps} replicates per group size; demography-only rules as in *demography_growth*; founders "
                f"aged {age} months released in January of year 1; competitor density "
                f"{competitors} lions/km² (cub predation), computed so that the analytic λ = {TARGET_LAMBDA} "
                f"(λ = {lam:.3f}/yr) and extinction is common but not certain."),
        parameters=[param_from("cheetah.cub_predation_per_lion", ch, "cub_predation_per_lion"),
                    Param("landscape.lion_density", f"{competitors} animals/km²",
                          f"the check's design: the density giving analytic λ = {TARGET_LAMBDA}"),
                    param_from("cheetah.cub_survival_base", ch, "cub_survival_base"),
                    param_from("cheetah.adult_survival_female", ch, "adult_survival_female")],
        expected="; ".join(f"{r['n']} F: {r['exp']:.3f}" for r in rows),
        tolerance="each branching-process probability inside the 99 % Wilson interval of the simulated share",
        observed="; ".join(f"{r['n']} F: {r['obs']:.3f} ({r['lo']:.3f}–{r['hi']:.3f})" for r in rows),
        passed=bool(ok), figure=path, replicates=reps * len(groups), seconds=time.perf_counter() - t0,
        values={"rows": rows, "lambda": lam})
