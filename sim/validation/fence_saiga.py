"""Field check *ustyurt_fence_saiga*: on the default Ustyurt map the Kazakhstan–Uzbekistan border
fence must matter. Closed (no gaps), with the preset's gaps, and removed, it must change the share
of saiga that reach the southern winter range across the border (closed < gaps < removed) and the
saiga total; cheetah numbers are reported. (The fence was built across the saiga's winter
migration in 2011–12; passages were cut later: ACBK, Saiga News; field-values-2 E.)"""

from __future__ import annotations

import time

import numpy as np

from ..config.params import SaigaParams
from ..config.schema import Scenario
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, baseline_scenario, check, check_seeds, landscape_of,
                     new_figure, parallel_map, param_from, save_figure)
from .instrumented import SaigaRegionRun, run_saiga_regions

#: The three settings, in the expected order of the saiga share reaching the winter range.
SETTINGS = ("closed", "gaps", "removed")
LABELS = {"closed": "fence closed (no gaps)", "gaps": "default gaps", "removed": "fence removed"}
#: A release site on the Uzbek side of the border: its fence region is "south of the fence".
SOUTH_SITE = "southern_cluster"
#: Where the saiga start: a release site on the Kazakh side (the Ustyurt reserve).
KAZAKH_SITE = "ustyurt_reserve"


def fence_scenarios(years: int) -> dict[str, Scenario]:
    """The baseline scenario for ``years`` years with every saiga starting on the Kazakh side
    (initial_total 0, then the baseline's initial total translocated to KAZAKH_SITE in January of
    year 1: the 2024 count it stands for is a Kazakh count, and the baseline would otherwise
    spread it by January's winter capacity, ~70 % south of the border), no harsh winters or saiga
    die-offs (in the model both strike the whole map alike, whatever the fence: they would only
    add noise), and, for ``removed``, the fence taken down in year 1. ``closed`` is the ``gaps``
    scenario run on the landscape with its gaps closed (instrumented.closed_fences)."""
    base = baseline_scenario()
    data = base.model_dump()
    n = float(base.prey.saiga.initial_total)
    data.update(name="ustyurt_fence_saiga", years=years)
    data["prey"]["saiga"]["initial_total"] = 0.0
    data["environment"].update(harsh_winter_prob=0.0, saiga_die_off_prob=0.0)
    data["management"]["prey_translocations"] = [
        {"year": 1, "month": 1, "species": "saiga", "number": int(n), "site": KAZAKH_SITE}]
    gaps = Scenario.model_validate(data)
    data["management"]["fence_removal"] = [{"year": 1, "fence": "border"}]
    removed = Scenario.model_validate({**data, "name": "ustyurt_fence_removed"})
    return {"closed": gaps, "gaps": gaps, "removed": removed}


def _run(setting: str, sc: Scenario, seed) -> SaigaRegionRun:
    return run_saiga_regions(sc, seed, close_fences=setting == "closed")


def paired_ci(d: np.ndarray) -> tuple[float, float, float]:
    """Mean of paired differences and its 95 % t interval."""
    from scipy import stats
    d = np.asarray(d, dtype=float)
    m = float(d.mean())
    if d.size < 2:
        return m, float("nan"), float("nan")
    h = float(stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))
    return m, m - h, m + h


@check("ustyurt_fence_saiga", "field")
def check_fence_saiga(settings: Settings) -> CheckResult:
    """Closed < gaps < removed for saiga wintering across the border; totals differ."""
    t0 = time.perf_counter()
    reps = settings.n(30, 8)            # quick: enough replicates for a fair pass/fail of the totals (make test)
    years = 10
    scs = fence_scenarios(years)
    seeds = check_seeds(settings, "fence_saiga", reps)
    args = [(s, scs[s], seed) for s in SETTINGS for seed in seeds]
    out = parallel_map(_run, args, settings.jobs)
    runs = {s: out[i * reps:(i + 1) * reps] for i, s in enumerate(SETTINGS)}
    south = runs["gaps"][0].region_of_site[SOUTH_SITE]
    north = runs["gaps"][0].region_of_site[KAZAKH_SITE]
    jan = 12 * np.arange(1, years)                       # January of years 2..N (after each autumn migration)
    may_last = 12 * (years - 1) + SaigaParams().birth_month
    autumn = scs["gaps"].prey.saiga.autumn_migration_month
    before = 12 * np.arange(1, years) + autumn           # start of the autumn migration month, years 2..N
    share, total, cheetahs, extant, monthly, crossing = {}, {}, {}, {}, {}, {}
    for s in SETTINGS:
        sh = np.array([r.saiga[:, south] / np.maximum(r.saiga.sum(axis=1), 1e-12) for r in runs[s]])
        monthly[s] = sh.mean(axis=0)
        share[s] = sh[:, jan].mean(axis=1)
        crossing[s] = (sh[:, before + 1] - sh[:, before]).mean(axis=1)
        total[s] = np.array([r.saiga[may_last].sum() for r in runs[s]])
        cheetahs[s] = np.array([r.census["N"][-1] for r in runs[s]])
        extant[s] = np.array([r.census["extant"][-1] for r in runs[s]])
    d_gc = paired_ci(share["gaps"] - share["closed"])
    d_rg = paired_ci(share["removed"] - share["gaps"])
    t_rc = paired_ci(total["removed"] - total["closed"])
    t_gc = paired_ci(total["gaps"] - total["closed"])
    t_rg = paired_ci(total["removed"] - total["gaps"])
    c_rc = paired_ci(cheetahs["removed"] - cheetahs["closed"])
    ok_order = d_gc[1] > 0 and d_rg[1] > 0
    ok_total = t_rc[1] > 0 or t_rc[2] < 0
    land = landscape_of(scs["gaps"])
    reg = land.fence_regions
    kw = land.capacity["saiga_winter"]
    ks = land.capacity["saiga_summer"]
    fine_south = reg == reg[land.sites[SOUTH_SITE]]
    kw_south = float(kw[fine_south].sum() / kw.sum())
    ks_south = float(ks[fine_south].sum() / ks.sum())
    fence = land.fence("border")
    throughput = scs["gaps"].prey.saiga.migration_gap_throughput

    fig, ax = new_figure(1600, 1100, ncols=2, nrows=2)
    (a0, a1), (a2, a3) = ax
    tm = np.arange(12 * years) / 12.0 + 1
    for i, s in enumerate(SETTINGS):
        a0.plot(tm, 100 * monthly[s], color=colour(i), lw=2, label=LABELS[s])
    a0.axhline(100 * kw_south, color="grey", ls=":", lw=1.5, label=f"winter capacity south: {100 * kw_south:.0f} %")
    a0.set_xlabel("year (start of each month)")
    a0.set_ylabel("saiga south of the border fence (% of all)")
    a0.set_title("Seasonal migration across the border")
    a0.legend(fontsize=8)
    x = np.arange(3)
    means = [100 * share[s].mean() for s in SETTINGS]
    err = [100 * 1.96 * share[s].std(ddof=1) / np.sqrt(reps) if reps > 1 else 0 for s in SETTINGS]
    a1.bar(x, means, yerr=err, color=[colour(i) for i in range(3)], capsize=6)
    for i, v in enumerate(means):
        a1.annotate(f"{v:.1f} %", (i, v), ha="center", va="bottom", fontsize=10)
    a1.set_xticks(x, [LABELS[s] for s in SETTINGS])
    a1.set_ylabel("saiga south of the fence in January (% of all)")
    a1.set_title(f"Winter share, years 2–{years} (mean, 95 % CI)")
    yr = np.arange(1, years + 1)
    for i, s in enumerate(SETTINGS):
        may = np.array([r.saiga[12 * (yr - 1) + SaigaParams().birth_month].sum(axis=1) for r in runs[s]])
        q = np.percentile(may, [25, 50, 75], axis=0)
        a2.fill_between(yr, q[0], q[2], color=colour(i), alpha=0.15)
        a2.plot(yr, q[1], color=colour(i), lw=2, label=f"{LABELS[s]} (median, quartiles)")
        n = np.array([r.census["N"] for r in runs[s]])
        a3.plot(yr, n.mean(axis=0), color=colour(i), lw=2, label=LABELS[s])
    a2.set_xlabel("year (count at the start of May, before calving)")
    a2.set_ylabel("saiga on the map")
    a2.set_title("Saiga totals")
    a2.legend(fontsize=8)
    a3.set_xlabel("year (December census)")
    a3.set_ylabel("cheetahs (mean of replicates)")
    a3.set_title("Cheetahs (reported only)")
    a3.legend(fontsize=8)
    path = save_figure(fig, settings, "ustyurt_fence_saiga")

    def pct(c):
        return f"{100 * c[0]:+.1f} points (95 % CI {100 * c[1]:+.1f} to {100 * c[2]:+.1f})"

    def num(c):
        return f"{c[0]:+,.0f} (95 % CI {c[1]:+,.0f} to {c[2]:+,.0f})"

    obs = ("January share south of the fence: " + ", ".join(f"{LABELS[s]} {100 * share[s].mean():.1f} %" for s in SETTINGS)
           + f"; gaps − closed {pct(d_gc)}, removed − gaps {pct(d_rg)} [{'ok' if ok_order else 'out'}]. Saiga at the "
           f"start of May, year {years}: " + ", ".join(f"{LABELS[s]} {np.mean(total[s]):,.0f}" for s in SETTINGS)
           + f"; removed − closed {num(t_rc)} [{'ok' if ok_total else 'out'}], gaps − closed {num(t_gc)}, removed − gaps "
           f"{num(t_rg)}. Reported: cheetahs at year {years}: "
           + ", ".join(f"{LABELS[s]} {np.mean(cheetahs[s]):.1f} (extant {np.mean(extant[s]):.2f})" for s in SETTINGS)
           + f"; removed − closed {c_rc[0]:+.1f} (95 % CI {c_rc[1]:+.1f} to {c_rc[2]:+.1f}). Net share crossing "
           "south in the autumn migration (share south after it − before it): "
           + ", ".join(f"{LABELS[s]} {100 * crossing[s].mean():+.1f} points" for s in SETTINGS))
    base = scs["gaps"]
    return CheckResult(
        name="ustyurt_fence_saiga", group="field", title="Ustyurt border fence: saiga winter migration",
        compares=("the default Ustyurt map with the border fence closed, with its default gaps and removed: the share of "
                  "saiga reaching the southern winter range across the border, the saiga total and (reported) cheetah "
                  "numbers. Expected from the field record: the fence (2011–12) lies across the winter migration to "
                  "Uzbekistan (ACBK, Saiga News; CMS 2024), so closed < gaps < removed"),
        method=(f"{reps} replicates (the same seeds in each setting) of {years} years of the baseline scenario: its "
                f"releases, poaching, enforcement and year-to-year variation; all {base.management.prey_translocations[0].number:,} "
                f"saiga start at the {KAZAKH_SITE} site on the Kazakh side in January of year 1 (the Kazakh count they "
                "stand for; the baseline's own start spreads them by January's winter capacity, "
                f"{100 * kw_south:.0f} % south of the border, where a closed fence would trap them); no harsh winters or "
                "saiga die-offs (in the model both strike the whole map alike, whatever the fence). **closed**: the "
                f"preset's {fence.n_gaps} gaps closed (the landscape given to the model with every gap shut: no scenario "
                "key closes gaps); **gaps**: the preset as it is; **removed**: management fence_removal in year 1. "
                "Saiga are counted in each fence region at the start of every month (instrumented.run_saiga_regions). "
                "**Share reaching the winter range**: saiga south of the fence (the region of the "
                f"{SOUTH_SITE} site, Uzbek side) at the start of January, as a share of all saiga, mean over the winters "
                f"of years 2–{years}; **total**: saiga on the map at the start of May of year {years} (before calving, "
                "as the aerial counts). Differences between settings are paired by seed, 95 % t intervals."),
        parameters=[param_from("prey.saiga.migration_gap_throughput", base.prey.saiga, "migration_gap_throughput"),
                    Param("border fence gaps (preset)", f"{fence.n_gaps} gaps of {len(fence.edges)} edges",
                          "sim.world.ustyurt_data.BORDER_GAPS (assumption: passages confirmed in use, number unknown)"),
                    param_from("prey.saiga.spring_migration_month", base.prey.saiga, "spring_migration_month"),
                    param_from("prey.saiga.autumn_migration_month", base.prey.saiga, "autumn_migration_month"),
                    param_from("prey.saiga.diffusion_per_month", base.prey.saiga, "diffusion_per_month"),
                    param_from("prey.saiga.r_max", base.prey.saiga, "r_max"),
                    param_from("prey.saiga.poaching_per_year", base.prey.saiga, "poaching_per_year"),
                    Param("prey.saiga.initial_total", f"{base.management.prey_translocations[0].number:,} animals, "
                          f"all at {KAZAKH_SITE}", "baseline: Altyn Dala 2024 aerial census, Kazakh Ustyurt"),
                    Param("saiga capacity south of the fence", f"winter {100 * kw_south:.0f} %, summer "
                          f"{100 * ks_south:.0f} % of the map's", "sim.world.ustyurt_data (seasonal ranges: placement "
                          "sourced, shapes assumption)"),
                    Param("environment", "harsh_winter_prob 0, saiga_die_off_prob 0", "this check (noise only)")],
        expected=("closed < gaps < removed for the share of saiga south of the fence in winter (closed: none can reach "
                  f"it; removed: about the winter capacity share, {100 * kw_south:.0f} %); the fence changes the saiga "
                  "total (the field record suggests fewer with it); cheetahs reported"),
        tolerance=("the paired differences gaps − closed and removed − gaps of the winter share both exceed their 95 % "
                   "intervals (lower bound > 0), and the 95 % interval of the total's difference removed − closed "
                   "excludes 0 (fixed before the model was run)"),
        observed=obs, passed=bool(ok_order and ok_total), figure=path, replicates=3 * reps,
        notes=("How to read it: migration across a fence with gaps is capped in both directions at once (the gap "
               "throughput per migration), so compare the net autumn crossing with the winter share: where the "
               "crossing is much smaller, the saiga south of the fence in winter are a herd that stays there all year "
               "rather than migrants. Saiga births are density-dependent against the larger of the two seasons' "
               "capacities in each cell (sim.prey.population), so a herd held in the winter range over the summer "
               "breeds against the winter capacity; with gaps, a split herd can then outgrow a freely migrating one."),
        seconds=time.perf_counter() - t0,
        values={**{f"share_{s}": float(share[s].mean()) for s in SETTINGS},
                **{f"total_{s}": float(np.mean(total[s])) for s in SETTINGS},
                **{f"cheetahs_{s}": float(np.mean(cheetahs[s])) for s in SETTINGS},
                "share_gaps_minus_closed": d_gc, "share_removed_minus_gaps": d_rg, "total_removed_minus_closed": t_rc,
                **{f"autumn_crossing_{s}": float(crossing[s].mean()) for s in SETTINGS},
                "winter_capacity_south": kw_south, "summer_capacity_south": ks_south, "north_region": north, "south_region": south,
                "gap_throughput": throughput})
