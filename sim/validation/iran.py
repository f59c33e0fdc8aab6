"""Field check *iran_low_density*: the Asiatic cheetah pattern in central Iran. With gazelle-sized
prey at about half an animal per km² (Miandasht ≈ 0.36 → 0.71/km²), few hares, no lions and few
wolves, cheetahs hold ranges over 1,000 km² (a female 3,629 km², Farhadinia et al. 2013), some
move 100 km or more between ranges (≈ 150 km, up to 217 km: Farhadinia et al. 2013, 2016), and
the population persists."""

from __future__ import annotations

import time

import numpy as np

from ..config.factories import uniform_reserve
from ..config.params import EnvironmentParams, GazelleParams, HareParams
from ..config.schema import Scenario
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, check, check_seeds, new_figure, parallel_map, param_from,
                     save_figure, wilson)
from .instrumented import RangeRecord, run_ranges

FARHADINIA_2013 = "Farhadinia et al. 2013, Oryx (central Iran)"
FARHADINIA_2016 = "Farhadinia et al. 2016, 'Wandering the barren deserts of Iran'"
#: Side of the square reserve [km]: 90,000 km², about twice the ~49,000 km² of core cheetah habitat
#: mapped in central Iran (Ahmadi et al. 2017), fragmented over a wider area (parameters.md §2).
SIZE_KM = 300.0
#: Gazelle-sized ungulates at capacity [animals/km²]: about the middle of Miandasht WR's counts,
#: ≈ 0.36/km² early 2000s and ≈ 0.71/km² in 2013 (DoE / Iranian Cheetah Society via press; field-values-2 B).
UNGULATES_PER_KM2 = 0.5
#: Hares at capacity [animals/km²]. Assumption: half the low end of the Cape hare proxy, 2.1–8.0/km²
#: in protected southern Tunisian reserves (Chammem et al. 2017), because Iranian cheetah range is
#: grazed desert where hares and small mammals are < 10 % of the diet (Zamani et al. 2017) and tolai
#: were "only at very low densities" in neighbouring Badkhyz (Kaczensky & Linnell 2015) (field-values-2 D).
HARES_PER_KM2 = 1.0
#: Wolves [animals/km²]. Assumption: Iranian wolf density unknown; the Kazakhstan national mean
#: ≈ 0.5 per 100 km² (field-values-2 E), the value of the Ustyurt map: "modest" wolves.
WOLVES_PER_KM2 = 0.005
#: Founders (females, males), aged 36 months, without release losses: an established population
#: of the size photographed in Iran (84 sighted 2011–13; < 40 in 2018: parameters.md §4).
FOUNDERS = (15, 15)
YEARS = 20
#: Criteria, fixed before the model was run.
RANGE_MIN_KM2 = 1000.0           # mean resident range [km²] at least (brief; field 1,137–3,629 km²)
MOVE_KM = 100.0                  # a long move [km]
MOVE_SHARE_MIN = 0.10            # at least this share of settled animals followed 2 years make one
MOVE_MAX_MIN_KM = 150.0          # and the longest at least this [km] (Farhadinia et al. 2013: ~150 km)
FOLLOW_MONTHS = 24               # months an animal is followed after it first settles, to count
PERSISTENCE_MIN = 0.8            # P(both sexes present after YEARS years) at least
TRANSIENT_YEARS = 2              # census years skipped for ranges and density (after the release)


def iran_scenario(years: int = YEARS) -> Scenario:
    """The Iranian system on a fenced SIZE_KM square of 2.5 km cells (the edge stands for the
    limits of the inhabited range): gazelle-sized prey and hares at the densities above, without
    poaching (the densities stand for the animals there), wolves, no lions, leopards or people;
    default year-to-year variation, no Ustyurt catastrophes; FOUNDERS released at the centre in
    January of year 1 without release losses."""
    env = EnvironmentParams()
    return uniform_reserve(
        "iran_low_density", years=years, size_km=SIZE_KM, gazelle=UNGULATES_PER_KM2, wolves=WOLVES_PER_KM2,
        prey_poaching=0.0, landscape={"hare_density": HARES_PER_KM2},
        releases=[{"year": 1, "month": 1, "females": FOUNDERS[0], "males": FOUNDERS[1], "age_months": 36}],
        cheetah={"release_survival_wild": 1.0},
        environment={"ev_survival_sd": env.ev_survival_sd, "ev_capacity_sd": env.ev_capacity_sd})


def settled_moves(r: RangeRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per animal followed at least FOLLOW_MONTHS after it first settled: the largest distance
    [km] between two of its monthly locations from that month on (range centres; the cell it
    stood in while nomadic). Also every move of a range centre (shift, or a new range after a
    nomadic spell) [km], and each animal's male flag."""
    longest, male = [], []
    centre_moves = []
    ids = r.track_id
    order = np.lexsort((r.track_t, ids))
    ids, t, row, col, res, ml = (ids[order], r.track_t[order], r.track_row[order], r.track_col[order],
                                 r.track_resident[order], r.track_male[order])
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], ids.size]
    for a, b in zip(starts.tolist(), ends.tolist()):
        settled = np.flatnonzero(res[a:b])
        if settled.size == 0:
            continue
        k = a + settled[0]
        rr, cc, rs = row[k:b], col[k:b], res[k:b]
        cr, ccn = rr[rs], cc[rs]
        if cr.size > 1:
            change = np.flatnonzero((cr[1:] != cr[:-1]) | (ccn[1:] != ccn[:-1]))
            centre_moves += (np.hypot(cr[change + 1] - cr[change], ccn[change + 1] - ccn[change]) * r.cell_km).tolist()
        if t[b - 1] - t[k] + 1 < FOLLOW_MONTHS:
            continue
        pts = np.unique(np.column_stack([rr, cc]), axis=0).astype(float)
        d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
        longest.append(float(d.max()) * r.cell_km)
        male.append(bool(ml[k]))
    return np.array(longest), np.array(centre_moves), np.array(male, dtype=bool)


@check("iran_low_density", "field")
def check_iran_low_density(settings: Settings) -> CheckResult:
    """Ranges > 1,000 km², moves ≥ 100 km by some animals, persistence over 20 years."""
    t0 = time.perf_counter()
    reps = settings.n(20, 4)
    sc = iran_scenario(YEARS)
    runs: list[RangeRecord] = parallel_map(run_ranges, [(sc, s) for s in check_seeds(settings, "iran", reps)],
                                           settings.jobs)
    areas = np.concatenate([r.range_km2[r.range_year > TRANSIENT_YEARS] for r in runs])
    males = np.concatenate([r.range_male[r.range_year > TRANSIENT_YEARS] for r in runs])
    mean_area = float(areas.mean()) if areas.size else float("nan")
    cap_km2 = np.pi * sc.cheetah.home_range_radius_max_km ** 2
    at_cap = float((areas >= cap_km2 * (1 - 1e-9)).mean()) if areas.size else float("nan")
    f_area = float(areas[~males].mean()) if (~males).any() else float("nan")
    m_area = float(areas[males].mean()) if males.any() else float("nan")
    moves = [settled_moves(r) for r in runs]
    longest = np.concatenate([m[0] for m in moves])
    centre = np.concatenate([m[1] for m in moves])
    n_long = int((longest >= MOVE_KM).sum())
    share = n_long / longest.size if longest.size else float("nan")
    s_lo, s_hi = wilson(n_long, longest.size) if longest.size else (float("nan"), float("nan"))
    top = float(longest.max()) if longest.size else float("nan")
    extant = np.array([r.census["extant"][-1] for r in runs])
    k_ext = int(extant.sum())
    p_ext = k_ext / reps
    e_lo, e_hi = wilson(k_ext, reps)
    N = np.array([r.census["N"] for r in runs])
    density = float(N[:, TRANSIENT_YEARS:].mean()) / (SIZE_KM ** 2 / 1000.0)
    prey_left = float(np.mean([r.census["prey_gazelle"][TRANSIENT_YEARS:].mean() for r in runs])) / SIZE_KM ** 2
    ok_range = mean_area >= RANGE_MIN_KM2
    ok_move = longest.size > 0 and share >= MOVE_SHARE_MIN and top >= MOVE_MAX_MIN_KM
    ok_persist = p_ext >= PERSISTENCE_MIN

    fig, ax = new_figure(1800, 650, ncols=3)
    a0, a1, a2 = ax[0]
    if areas.size:
        a0.hist([areas[~males], areas[males]], bins=12, stacked=True, color=[colour(0), colour(2)],
                label=["females", "males"])
    a0.axvline(RANGE_MIN_KM2, color="grey", ls=":", lw=2, label="criterion: mean ≥ 1,000 km²")
    a0.axvline(3629, color=colour(1), ls="--", lw=2, label="female 3,629 km² (Farhadinia 2013)")
    a0.set_xlabel("resident range (km²)")
    a0.set_ylabel(f"ranges at censuses, years {TRANSIENT_YEARS + 1}–{YEARS}")
    a0.set_title(f"Ranges (mean {mean_area:,.0f} km²)")
    a0.legend(fontsize=8)
    if longest.size:
        a1.hist(longest, bins=np.arange(0, max(longest.max(), 220) + 20, 20), color=colour(0), alpha=0.8,
                label="largest distance between locations")
    if centre.size:
        a1.hist(centre, bins=np.arange(0, max(centre.max(), 220) + 20, 20), histtype="step", color=colour(2), lw=2,
                label="range-centre moves")
    a1.axvline(MOVE_KM, color="grey", ls=":", lw=2, label="100 km")
    a1.axvline(217, color=colour(1), ls="--", lw=2, label="217 km (Farhadinia 2016)")
    a1.set_xlabel("km")
    a1.set_ylabel("animals / moves")
    a1.set_title(f"Moves after settling ({100 * share:.0f} % ≥ 100 km)")
    a1.legend(fontsize=8)
    years = np.arange(1, N.shape[1] + 1)
    for n in N:
        a2.plot(years, n, color=colour(0), alpha=0.3, lw=1)
    a2.plot(years, N.mean(axis=0), color=colour(0), lw=2.5, label="mean of replicates")
    a2.axhspan(SIZE_KM ** 2 / 1000.0, 2 * SIZE_KM ** 2 / 1000.0, color=colour(1), alpha=0.15,
               label="1–2 per 1,000 km² (Panthera 2012)")
    a2.set_xlabel("year")
    a2.set_ylabel("cheetahs (December census)")
    a2.set_title(f"Persistence: {k_ext} of {reps} extant at year {YEARS}")
    a2.legend(fontsize=8)
    path = save_figure(fig, settings, "iran_low_density")
    ch = sc.cheetah
    return CheckResult(
        name="iran_low_density", group="field", title="Iran: large ranges, long moves, persistence at low prey",
        compares=("resident range size, long moves and persistence of cheetahs at Iranian prey densities vs central Iran: "
                  f"a female's range 3,629 km² and ~150 km moves between reserves ({FARHADINIA_2013}); two males "
                  f"> 1,700 km² in 5 months; up to 217 km between locations, ≥ 9 of 17 adults using several reserves "
                  f"({FARHADINIA_2016}); a population persisting at 1–2 cheetahs per 1,000 km² (Panthera 2012, S)"),
        method=(f"{reps} replicates of {YEARS} years on a fenced {SIZE_KM:g} km x {SIZE_KM:g} km uniform reserve of 2.5 km "
                f"cells ({SIZE_KM ** 2:,.0f} km², about twice the ~49,000 km² core habitat of central Iran, Ahmadi et al. "
                f"2017): gazelle-sized prey at capacity {UNGULATES_PER_KM2:g}/km², hares {HARES_PER_KM2:g}/km², no prey "
                f"poaching, wolves {WOLVES_PER_KM2:g}/km², no lions, leopards, people or roads, default year-to-year "
                f"variation, no catastrophes; {FOUNDERS[0]} females and {FOUNDERS[1]} males aged 36 months released at "
                "the centre without release losses (an established population). Records: instrumented.run_ranges (every "
                "independent animal's location at each month's end: its range centre if resident, else its cell; "
                "every resident unit's range π r² at each census). **Ranges**: mean over resident units and censuses of "
                f"years {TRANSIENT_YEARS + 1}–{YEARS}. **Long moves**: for every animal followed at least {FOLLOW_MONTHS} "
                "months after it first settled (so release exploration and natal dispersal do not count), the largest "
                "distance between two of its monthly locations from then on (as camera-trap or collar locations of "
                "known adults); range-centre moves (shifts, and new ranges after a nomadic spell) are shown too. "
                f"**Persistence**: share of replicates with both sexes present at the year-{YEARS} census (Wilson 95 % "
                "interval). Density and the prey left are reported."),
        parameters=[Param("gazelle-sized prey at capacity", f"{UNGULATES_PER_KM2:g} animals/km²",
                          "Miandasht WR ≈ 0.36 → 0.71/km² (DoE / Iranian Cheetah Society via press; field-values-2 B)"),
                    Param("hares at capacity", f"{HARES_PER_KM2:g} animals/km²",
                          "assumption: half the low end of the Cape hare proxy 2.1–8.0/km² (Chammem et al. 2017); hares "
                          "< 10 % of the Iranian diet (Zamani et al. 2017); tolai 'only at very low densities' in Badkhyz "
                          "(Kaczensky & Linnell 2015)"),
                    Param("wolves", f"{WOLVES_PER_KM2:g} animals/km²",
                          "assumption: Iranian wolf density unknown; Kazakhstan national mean (field-values-2 E)"),
                    Param("reserve", f"{SIZE_KM:g} km x {SIZE_KM:g} km, fenced edge, 2.5 km cells",
                          "assumption: about twice central Iran's ~49,000 km² core habitat (Ahmadi et al. 2017)"),
                    Param("founders", f"{FOUNDERS[0]} F + {FOUNDERS[1]} M, 36 months, no release losses",
                          "assumption: the size of the photographed population (84 sighted 2011–13; < 40 in 2018)"),
                    param_from("prey.gazelle.r_max", GazelleParams(), "r_max"),
                    param_from("prey.gazelle.body_mass_kg", GazelleParams(), "body_mass_kg"),
                    param_from("prey.hare.r_max", HareParams(), "r_max"),
                    param_from("cheetah.home_range_radius_max_km", ch, "home_range_radius_max_km"),
                    param_from("cheetah.abandon_supply_fraction", ch, "abandon_supply_fraction"),
                    param_from("cheetah.track_condition", ch, "track_condition"),
                    param_from("cheetah.cub_predation_per_wolf", ch, "cub_predation_per_wolf"),
                    param_from("cheetah.food_kg_per_day", ch, "food_kg_per_day")],
        expected=("resident ranges over 1,000 km² (female 3,629 km², coalition 1,137 km², males > 1,700 km² in 5 months); "
                  "some animals moving ≥ 100 km (≈ 150 km, up to 217 km); the population persists"),
        tolerance=(f"mean resident range ≥ {RANGE_MIN_KM2:,.0f} km²; at least {100 * MOVE_SHARE_MIN:.0f} % of the animals "
                   f"followed {FOLLOW_MONTHS} months after settling have two locations ≥ {MOVE_KM:g} km apart, the "
                   f"longest ≥ {MOVE_MAX_MIN_KM:g} km; P(extant at year {YEARS}) ≥ {PERSISTENCE_MIN:g} (all fixed "
                   "before the model was run)"),
        observed=(f"mean range {mean_area:,.0f} km² (females {f_area:,.0f}, males {m_area:,.0f}; {areas.size} range-years, "
                  f"{100 * at_cap:.0f} % at the largest radius, {cap_km2:,.0f} km²) "
                  f"[{'ok' if ok_range else 'out'}]; {n_long} of {longest.size} animals ({100 * share:.0f} %, 95 % CI "
                  f"{100 * s_lo:.0f}–{100 * s_hi:.0f} %) moved ≥ 100 km after settling, longest {top:.0f} km; range-centre "
                  f"moves ≥ 100 km: {int((centre >= MOVE_KM).sum())} of {centre.size} [{'ok' if ok_move else 'out'}]; "
                  f"extant at year {YEARS}: {k_ext} of {reps} ({p_ext:.2f}, 95 % CI {e_lo:.2f}–{e_hi:.2f}) "
                  f"[{'ok' if ok_persist else 'out'}]. Reported: {density:.2f} cheetahs per 1,000 km² (years "
                  f"{TRANSIENT_YEARS + 1}–{YEARS}; field 1–2), gazelle-sized prey left {prey_left:.2f}/km²; mean N at "
                  f"year {YEARS} {N[:, -1].mean():.1f}"),
        notes=("Ranges take one of 12 radii (home_range_radius_min_km to _max_km, geometric steps), so their areas are "
               "discrete; a range at the largest radius is one whose prey could not feed the unit at any smaller one. "
               "People, roads and leopards, which kill Iranian cheetahs, are left out: the check asks whether the "
               "prey alone let the population persist."),
        passed=bool(ok_range and ok_move and ok_persist), figure=path, replicates=reps, seconds=time.perf_counter() - t0,
        values={"mean_range_km2": mean_area, "female_range_km2": f_area, "male_range_km2": m_area,
                "share_at_largest_range": at_cap, "long_move_share": share, "longest_km": top, "animals_followed": int(longest.size),
                "p_extant": p_ext, "density_per_1000km2": density, "prey_left_per_km2": prey_left})
