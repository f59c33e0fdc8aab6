"""Field check *ustyurt_saiga_recovery*: saiga on the default Ustyurt map, started at the 2016 count,
against the Kazakh spring aerial counts to 2024 (hindcast without mass die-offs; the default
die-off risk shown as a projection)."""

from __future__ import annotations

import time

import numpy as np

from ..config.params import EnvironmentParams
from ..config.schema import Scenario
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, baseline_scenario, check, check_seeds, field_info,
                     new_figure, parallel_map, param_from, save_figure)
from .instrumented import run_spring_counts

#: Ustyurt saiga, Kazakh spring aerial counts (parameters.md §6.1): year -> animals.
SAIGA_COUNTS = {2016: 1900, 2019: 5900, 2021: 12000, 2022: 28000, 2023: 39700, 2024: 63600}


@check("ustyurt_saiga_recovery", "field")
def check_saiga_recovery(settings: Settings) -> CheckResult:
    """Ustyurt saiga from the 2016 count (~1,900) to the 2024 order of magnitude (63,600)."""
    t0 = time.perf_counter()
    reps = settings.n(40, 6)
    base = baseline_scenario()

    def variant(name: str, die_off: float | None) -> Scenario:
        data = base.model_dump()
        data.update(name=name, years=9, releases=[])
        data["prey"]["saiga"]["initial_total"] = 1900.0
        if die_off is not None:
            data["environment"]["saiga_die_off_prob"] = die_off
        return Scenario.model_validate(data)

    # hindcast: no saiga mass die-off is recorded on the Ustyurt in 2016-2024 (parameters.md §6.2)
    sc = variant("ustyurt_saiga_hindcast", 0.0)
    proj = variant("ustyurt_saiga_projection", None)
    seeds = check_seeds(settings, "saiga", reps)
    res = parallel_map(run_spring_counts, [(sc, s) for s in seeds] + [(proj, s) for s in seeds], settings.jobs)
    out, out_proj = np.array(res[:reps]), np.array(res[reps:])
    years = 2016 + np.arange(out.shape[1])
    at = out[:, years == 2024][:, 0]
    at_proj = out_proj[:, years == 2024][:, 0]
    med = float(np.median(at))
    q5, q95 = np.percentile(at, [5, 95])
    med_p = float(np.median(at_proj))
    p5, p95 = np.percentile(at_proj, [5, 95])
    growth_obs = (SAIGA_COUNTS[2024] / SAIGA_COUNTS[2016]) ** (1 / 8)
    growth_model = (med / out[:, 0].mean()) ** (1 / 8)
    lo, hi = 20000.0, 150000.0
    ok = lo <= med <= hi
    s = sc.prey.saiga
    fig, ax = new_figure(1300, 800)
    a = ax[0, 0]
    for i, (o, lab) in enumerate(((out, "hindcast: no die-off"), (out_proj, "projection: default die-off risk"))):
        qq = np.percentile(o, [5, 50, 95], axis=0)
        a.fill_between(years, qq[0], qq[2], color=colour(2 * i), alpha=0.15, label=f"model {lab}, 5–95 % of runs")
        a.plot(years, qq[1], "-" if i == 0 else "--", color=colour(2 * i), lw=2, label=f"model {lab}, median")
    ky = np.array(list(SAIGA_COUNTS))
    a.plot(ky, [SAIGA_COUNTS[y] for y in ky], "D", color=colour(1), ms=9, label="Kazakh aerial counts (spring)")
    a.fill_between([2023.8, 2024.2], lo, hi, color="grey", alpha=0.3, label="tolerance for 2024")
    a.set_yscale("log")
    a.set_xlabel("year (count before calving, April–May)")
    a.set_ylabel("saiga on the Ustyurt (animals), log scale")
    a.set_title("Ustyurt saiga recovery 2016–2024")
    a.legend(fontsize=9)
    path = save_figure(fig, settings, "ustyurt_saiga_recovery")
    return CheckResult(
        name="ustyurt_saiga_recovery", group="field", title="Ustyurt saiga recovery 2016–2024",
        compares="the model's saiga on the default Ustyurt map, started at the 2016 count, vs the Kazakh aerial "
                 "counts to 2024 (1,900 in 2016 → 63,600 in 2024; Zuther & Salemgareev 2016, Altyn Dala 2024)",
        method=(f"{reps} replicates of the baseline scenario without cheetahs, saiga initial_total 1,900 "
                "(year 1 = 2016), today's poaching and enforcement, default year-to-year variation and harsh "
                "winters; saiga counted at the start of May (before calving) every year. **Hindcast** (pass/fail): "
                "no saiga mass die-off, since none is recorded on the Ustyurt in 2016–2024 (the 2015 die-off was "
                "in Betpak-Dala; parameters.md §6.2). **Projection** (for comparison, same seeds): the default "
                "die-off risk. The counts cover the Kazakh side only, the model the whole map."),
        parameters=[param_from("prey.saiga.r_max", s, "r_max"),
                    param_from("prey.saiga.annual_survival", s, "annual_survival"),
                    param_from("prey.saiga.male_extra_mortality", s, "male_extra_mortality"),
                    param_from("prey.saiga.poaching_per_year", s, "poaching_per_year"),
                    param_from("management.enforcement", sc.management, "enforcement"),
                    param_from("environment.harsh_winter_prob", sc.environment, "harsh_winter_prob"),
                    param_from("prey.saiga.harsh_winter_mortality", s, "harsh_winter_mortality"),
                    Param("environment.saiga_die_off_prob", "0 (hindcast); "
                          f"{proj.environment.saiga_die_off_prob:g} per year (projection)",
                          field_info(EnvironmentParams, "saiga_die_off_prob")["source"]),
                    Param("prey.saiga.initial_total", "1,900 animals", "Zuther & Salemgareev 2016 (2016 count, G)")],
        expected=f"tens of thousands by 2024 (63,600 counted; Altyn Dala 2024): {growth_obs:.2f}× a year on average",
        tolerance=f"median of the 2024 hindcast counts within {lo:,.0f}–{hi:,.0f}",
        observed=(f"hindcast median {med:,.0f} (5–95 %: {q5:,.0f}–{q95:,.0f}; {growth_model:.2f}× a year); "
                  f"projection with die-offs median {med_p:,.0f} (5–95 %: {p5:,.0f}–{p95:,.0f})"),
        passed=bool(ok), figure=path, replicates=2 * reps, seconds=time.perf_counter() - t0,
        values={"median_2024": med, "q05": float(q5), "q95": float(q95), "median_2024_projection": med_p,
                "growth_model": growth_model, "growth_observed": growth_obs})
