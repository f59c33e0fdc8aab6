"""Field check *female_lifespan*: mean lifespan of females after independence in the Serengeti
field runs (Kaplan–Meier) against Kelly et al. (1998): 6.2 years."""

from __future__ import annotations

import time

import numpy as np

from ..reporting.figstyle import colour
from .common import CheckResult, Param, Settings, check, new_figure, param_from, save_figure
from .field_pool import field_runs


@check("female_lifespan", "field")
def check_female_lifespan(settings: Settings) -> CheckResult:
    """Mean female lifespan after independence ≈ 6 years (Kelly et al. 1998: 6.2 yr)."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    fr = field_runs(settings, "serengeti")
    ch = fr.scenario.cheetah
    theory = dem.female_lifespan_after_independence(ch)
    lo, hi = 4.5, 8.0
    ok = lo <= fr.lifespan_years <= hi and fr.lifespan_n >= 20
    fig, ax = new_figure(1300, 800)
    a = ax[0, 0]
    S = fr.km
    u = np.arange(len(S)) / 12.0
    a.step(u, S, where="post", color=colour(0), lw=2,
           label=f"agent model (Kaplan–Meier, {fr.lifespan_n} females): mean {fr.lifespan_years:.2f} yr")
    cyc = dem.life_cycle(ch, 0.0)
    Sx = cyc.S[cyc.I: cyc.X + 1]
    a.plot(np.arange(len(Sx) + 1) / 12.0, np.concatenate([[1.0], np.cumprod(Sx)]), "--", color=colour(1), lw=2,
           label=f"life-cycle theory: mean {theory:.2f} yr")
    a.axvline(6.2, color=colour(2), ls=":", lw=2, label="Kelly et al. 1998: mean 6.2 yr")
    a.set_xlabel("years since independence")
    a.set_ylabel("share of females alive")
    a.set_title("Female survival after independence (Serengeti runs)")
    a.legend()
    path = save_figure(fig, settings, "female_lifespan")
    return CheckResult(
        name="female_lifespan", group="field", title="Female lifespan after independence",
        compares="mean lifespan of females after they become independent vs Kelly et al. (1998): 6.2 years in the "
                 "Serengeti",
        method=("the instrumented Serengeti runs of *serengeti_cub_survival*: every female that became independent at "
                "the normal age is followed until she dies; females alive at the end are censored; mean = Σ of the "
                "Kaplan–Meier survival at each month start after independence (the count "
                "sim.analysis.demography.female_lifespan_after_independence computes). 95 % interval: bootstrap over "
                "replicates."),
        parameters=[param_from("cheetah.subadult_survival_female", ch, "subadult_survival_female"),
                    param_from("cheetah.adult_survival_female", ch, "adult_survival_female"),
                    param_from("cheetah.adult_months", ch, "adult_months"),
                    param_from("cheetah.senescence_months", ch, "senescence_months"),
                    param_from("cheetah.senescence_rate_per_year", ch, "senescence_rate_per_year"),
                    Param("mean female lifespan after independence", "6.2 yr", "Kelly et al. 1998 (Serengeti)")],
        expected=f"≈ 6.2 years (Kelly et al. 1998); life-cycle theory (no starvation) {theory:.2f} years",
        tolerance=f"{lo}–{hi} years, from at least 20 females",
        observed=(f"{fr.lifespan_years:.2f} years (95 % CI {fr.lifespan_ci[0]:.2f}–{fr.lifespan_ci[1]:.2f}) from "
                  f"{fr.lifespan_n} females; Kaplan–Meier survival at the longest follow-up {S[-1]:.3f}"),
        passed=bool(ok), figure=path, replicates=fr.reps, seconds=time.perf_counter() - t0,
        values={"lifespan_years": fr.lifespan_years, "theory": theory, "n": fr.lifespan_n})
