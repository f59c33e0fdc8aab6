"""Field check *breeding_lion_free*: inter-birth interval and age at first litter in a fenced,
lion-free, prey-rich reserve against Bissett & Bernard (2011), the fenced Eastern Cape reserves:
17.8 months between litters, first litter at 27.4 months; litter sizes at emergence (4.2) and at
independence (4.7 without lions) are reported beside the model's, not compared."""

from __future__ import annotations

import time

import numpy as np

from ..reporting.figstyle import colour
from .common import (FIELD_PREY_DENSITY, CheckResult, Param, Settings, check, check_seeds, field_scenario,
                     new_figure, parallel_map, param_from, save_figure)
from .instrumented import BreedingRecord, run_breeding

BISSETT = "Bissett & Bernard 2011, Afr. J. Wildl. Res. 41:181 (Kwandwe + 7 fenced SA reserves)"
#: Bissett & Bernard (2011): mean inter-birth interval [months], age at first litter [months],
#: litter size at emergence [cubs], cubs per litter at independence without lions [cubs].
FIELD_IBI_MONTHS = 17.8
FIELD_FIRST_LITTER_MONTHS = 27.4
FIELD_EMERGENCE_CUBS = 4.2
FIELD_INDEPENDENCE_CUBS = 4.7
#: Tolerances [months], fixed before the model was run: ± 3 months on each mean.
IBI_TOL_MONTHS = 3.0
FIRST_LITTER_TOL_MONTHS = 3.0
#: Follow-up needed for a record to count [months]: an interval only from a litter born at least
#: this long before the end of the run; a first litter only of a female born at least
#: FIRST_LITTER_FOLLOW_MONTHS before the end (so late intervals and late first litters are not cut off).
IBI_FOLLOW_MONTHS = 48
FIRST_LITTER_FOLLOW_MONTHS = 72
#: Litters of known fate at independence: born at least this long before the end [months].
INDEPENDENCE_FOLLOW_MONTHS = 24


def _visible(r: BreedingRecord) -> np.ndarray:
    """Litters a field observer would have recorded: at least one cub seen at emergence, and
    emergence within the run."""
    return (r.emerged > 0) & (r.litter_t + r.den_months < r.months)


def intervals(r: BreedingRecord, litters: np.ndarray, *, after: np.ndarray | None = None) -> tuple[list, int]:
    """Inter-birth intervals [months] of one replicate between successive litters (of a mother)
    among the selected ``litters`` (bool mask), counted from a litter born at least
    IBI_FOLLOW_MONTHS before the end; ``after`` (bool mask) keeps only intervals that start at
    such a litter. Returns the intervals and the number censored (mother alive at the end with
    no next litter)."""
    out, censored = [], 0
    idx = np.flatnonzero(litters)
    for mother in np.unique(r.litter_mother[idx]).tolist():
        k = idx[r.litter_mother[idx] == mother]
        k = k[np.argsort(r.litter_t[k], kind="stable")]
        t = r.litter_t[k]
        for j in range(len(k)):
            if t[j] > r.months - IBI_FOLLOW_MONTHS or (after is not None and not after[k[j]]):
                continue
            if j + 1 < len(k):
                out.append(int(t[j + 1] - t[j]))
            elif r.mother_end[k[j]] >= r.months:
                censored += 1
    return out, censored


def first_litters(r: BreedingRecord, litters: np.ndarray) -> tuple[list, int]:
    """Age [months] at the first selected litter of each female born in the run at least
    FIRST_LITTER_FOLLOW_MONTHS before its end, and the number of such females that reached
    27 months but had no selected litter."""
    ages, none = [], 0
    for i, born, end in zip(r.female_id.tolist(), r.female_born.tolist(), r.female_end.tolist()):
        if born > r.months - FIRST_LITTER_FOLLOW_MONTHS:
            continue
        mine = litters & (r.litter_mother == i)
        if mine.any():
            ages.append(int(r.litter_t[mine].min() - born))
        elif end - born >= 27:
            none += 1
    return ages, none


def _boot_mean(per_rep: list[list], rng, n: int = 2000) -> tuple[float, float, float]:
    """Pooled mean of per-replicate lists and its 95 % bootstrap interval over replicates."""
    flat = [x for xs in per_rep for x in xs]
    if not flat:
        return float("nan"), float("nan"), float("nan")
    sums = np.array([sum(xs) for xs in per_rep], dtype=float)
    counts = np.array([len(xs) for xs in per_rep], dtype=float)
    pick = rng.integers(0, len(per_rep), size=(n, len(per_rep)))
    c = counts[pick].sum(axis=1)
    boot = sums[pick].sum(axis=1)[c > 0] / c[c > 0]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(np.mean(flat)), float(lo), float(hi)


@check("breeding_lion_free", "field")
def check_breeding_lion_free(settings: Settings) -> CheckResult:
    """Inter-birth interval ≈ 17.8 months and first litter ≈ 27.4 months without lions."""
    t0 = time.perf_counter()
    reps = settings.n(10, 2)
    years = settings.n(20, 12)
    sc = field_scenario("breeding_lion_free", years=years, lions=0.0)
    runs: list[BreedingRecord] = parallel_map(run_breeding, [(sc, s) for s in check_seeds(settings, "breeding", reps)],
                                              settings.jobs)
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(7, 11)))
    ibi, ibi_all, ibi_reared, ibi_lost, afl, afl_any = [], [], [], [], [], []
    censored = no_litter = 0
    emerge, indep, born_sizes = [], [], []
    cubs_emerged = cubs_independent = 0
    for r in runs:
        vis = _visible(r)
        anyl = r.litter_t < r.months
        xs, c = intervals(r, vis)
        ibi.append(xs)
        censored += c
        ibi_all.append(intervals(r, anyl)[0])
        ibi_reared.append(intervals(r, anyl, after=r.independent > 0)[0])
        ibi_lost.append(intervals(r, anyl, after=r.independent == 0)[0])
        a, n = first_litters(r, vis)
        afl.append(a)
        no_litter += n
        afl_any.append(first_litters(r, anyl)[0])
        emerge += r.emerged[vis].tolist()
        known = r.litter_t <= r.months - INDEPENDENCE_FOLLOW_MONTHS
        indep += r.independent[known & (r.independent > 0)].tolist()
        cubs_emerged += int(r.emerged[known].sum())
        cubs_independent += int(np.minimum(r.independent, r.emerged)[known].sum())
        born_sizes += r.litter_size.tolist()
    m_ibi, ibi_lo, ibi_hi = _boot_mean(ibi, rng)
    m_afl, afl_lo, afl_hi = _boot_mean(afl, rng)
    m_all = _boot_mean(ibi_all, rng)[0]
    m_reared = _boot_mean(ibi_reared, rng)[0]
    m_lost = _boot_mean(ibi_lost, rng)[0]
    m_afl_any = _boot_mean(afl_any, rng)[0]
    n_ibi = sum(len(x) for x in ibi)
    n_afl = sum(len(x) for x in afl)
    min_ibi, min_afl = settings.n(30, 10), settings.n(20, 5)
    ok_ibi = abs(m_ibi - FIELD_IBI_MONTHS) <= IBI_TOL_MONTHS and n_ibi >= min_ibi
    ok_afl = abs(m_afl - FIELD_FIRST_LITTER_MONTHS) <= FIRST_LITTER_TOL_MONTHS and n_afl >= min_afl
    mean_emerge = float(np.mean(emerge)) if emerge else float("nan")
    mean_indep = float(np.mean(indep)) if indep else float("nan")
    mean_born = float(np.mean(born_sizes)) if born_sizes else float("nan")
    N_last = np.array([r.census["N"][-1] for r in runs])
    s_emerged = cubs_independent / cubs_emerged if cubs_emerged else float("nan")

    fig, ax = new_figure(1800, 700, ncols=3)
    a0, a1, a2 = ax[0]
    flat_ibi = [x for xs in ibi for x in xs]
    flat_afl = [x for xs in afl for x in xs]
    for a, data, field_v, tol, lab, mean in (
            (a0, flat_ibi, FIELD_IBI_MONTHS, IBI_TOL_MONTHS, "inter-birth interval (months)", m_ibi),
            (a1, flat_afl, FIELD_FIRST_LITTER_MONTHS, FIRST_LITTER_TOL_MONTHS, "age at first litter (months)", m_afl)):
        if data:
            a.hist(data, bins=np.arange(min(data) - 0.5, max(data) + 1.5, 1.0), color=colour(0), alpha=0.8,
                   label=f"model (mean {mean:.1f})")
        a.axvspan(field_v - tol, field_v + tol, color="grey", alpha=0.25, label="tolerance")
        a.axvline(field_v, color=colour(1), lw=2, ls="--", label=f"Bissett & Bernard 2011: {field_v:g}")
        a.set_xlabel(lab)
        a.set_ylabel("count (all replicates)")
        a.legend(fontsize=9)
    a0.set_title("Between litters seen at emergence")
    a1.set_title("Females born in the reserve")
    x = np.arange(3)
    a2.bar(x - 0.2, [mean_born, mean_emerge, mean_indep], 0.4, color=colour(0), label="model")
    a2.bar(x + 0.2, [np.nan, FIELD_EMERGENCE_CUBS, FIELD_INDEPENDENCE_CUBS], 0.4, color=colour(1),
           label="Bissett & Bernard 2011 (reported only)")
    a2.set_xticks(x, ["birth", "emergence", "independence\n(litters rearing ≥ 1)"])
    a2.set_ylabel("cubs per litter")
    a2.set_title("Litter size (not a pass/fail criterion)")
    a2.legend(fontsize=9)
    path = save_figure(fig, settings, "breeding_lion_free")
    ch = sc.cheetah
    return CheckResult(
        name="breeding_lion_free", group="field", title="Breeding without lions: inter-birth interval, first litter",
        compares=("the model's inter-birth interval and age at first litter in a fenced, lion-free, prey-rich reserve "
                  f"vs {BISSETT}: {FIELD_IBI_MONTHS} months between litters, first litter at "
                  f"{FIELD_FIRST_LITTER_MONTHS} months"),
        method=(f"{reps} replicates of {years} years on the fenced 150 km x 150 km uniform reserve of the field checks "
                f"without lions (common.field_scenario, prey {FIELD_PREY_DENSITY:g} gazelle-sized animals/km², "
                "15 + 15 founders aged 36 months), every litter recorded by the model's births events and its cubs "
                "followed through the deaths and independence events (instrumented.run_breeding). Measured as a field "
                "team observing mothers would: a litter is *seen* if at least one cub is alive at emergence (the end "
                f"of the month {ch.den_months:g} months after the birth month, den_months); litters lost in the lair are "
                "never seen. **Inter-birth interval**: months between the birth months of a mother's successive seen "
                "litters, whether the first was reared or not (Bissett & Bernard's abstract does not restrict it), "
                f"counted from litters born at least {IBI_FOLLOW_MONTHS} months before the end (mothers that died "
                "before a next litter give no interval; mothers alive without one are censored). **Age at first "
                "litter**: months from a female's own birth to the birth month of her first seen litter, females born "
                f"in the reserve at least {FIRST_LITTER_FOLLOW_MONTHS} months before the end. Means pooled over "
                "replicates, 95 % intervals by bootstrap over replicates. Litter sizes at emergence and at "
                "independence are reported only: the model's litter size at birth is an input (litter_size_probs, "
                "KTP den counts, mean 3.47), below the 4.2 seen at emergence on these reserves, and the 4.7 at "
                "independence comes from a different subset of litters than the 4.2 (it exceeds it), so neither "
                "is a test of the model's dynamics. Both tested means are close to calibration targets "
                "(rebreed_cub_age_months and female_first_conception_months were set from these two numbers); the "
                "check shows whether the realised values, with mate finding, residency, conception and den losses, "
                "come out where the calibration intended."),
        parameters=[param_from("cheetah.rebreed_cub_age_months", ch, "rebreed_cub_age_months"),
                    param_from("cheetah.gestation_months", ch, "gestation_months"),
                    param_from("cheetah.conception_prob_per_month", ch, "conception_prob_per_month"),
                    param_from("cheetah.female_first_conception_months", ch, "female_first_conception_months"),
                    param_from("cheetah.independence_months", ch, "independence_months"),
                    param_from("cheetah.remating_delay_months", ch, "remating_delay_months"),
                    param_from("cheetah.breeding_females_must_be_resident", ch, "breeding_females_must_be_resident"),
                    param_from("cheetah.daily_travel_km_male", ch, "daily_travel_km_male"),
                    param_from("cheetah.kin_avoidance_kinship", ch, "kin_avoidance_kinship"),
                    param_from("cheetah.cub_survival_base", ch, "cub_survival_base"),
                    param_from("cheetah.den_months", ch, "den_months"),
                    Param("cheetah.litter_size_probs", f"mean {ch.mean_litter_size:.2f} cubs",
                          "Mills & Mills 2014 (KTP): 3.4 (2-5) in the den"),
                    Param("gazelle-sized prey density", f"{FIELD_PREY_DENSITY:g} animals/km²",
                          "assumption: prey-rich, so that food does not limit (common.FIELD_PREY_DENSITY)"),
                    Param("lions", "0 animals/km²", "lion-free reserves of Bissett & Bernard 2011"),
                    Param("inter-birth interval; first litter", f"{FIELD_IBI_MONTHS:g}; {FIELD_FIRST_LITTER_MONTHS:g} "
                          "months", BISSETT),
                    Param("litter size at emergence; at independence without lions",
                          f"{FIELD_EMERGENCE_CUBS:g}; {FIELD_INDEPENDENCE_CUBS:g} cubs", BISSETT)],
        expected=(f"inter-birth interval {FIELD_IBI_MONTHS:g} months, first litter at {FIELD_FIRST_LITTER_MONTHS:g} months "
                  "(Bissett & Bernard 2011)"),
        tolerance=(f"mean interval within ±{IBI_TOL_MONTHS:g} months ({FIELD_IBI_MONTHS - IBI_TOL_MONTHS:.1f}–"
                   f"{FIELD_IBI_MONTHS + IBI_TOL_MONTHS:.1f}) from at least {min_ibi} intervals, and mean age at first "
                   f"litter within ±{FIRST_LITTER_TOL_MONTHS:g} months ({FIELD_FIRST_LITTER_MONTHS - FIRST_LITTER_TOL_MONTHS:.1f}–"
                   f"{FIELD_FIRST_LITTER_MONTHS + FIRST_LITTER_TOL_MONTHS:.1f}) from at least {min_afl} females "
                   "(fixed before the model was run)"),
        observed=(f"inter-birth interval {m_ibi:.1f} months (95 % CI {ibi_lo:.1f}–{ibi_hi:.1f}; {n_ibi} intervals, "
                  f"{censored} censored) [{'ok' if ok_ibi else 'out'}]; first litter at {m_afl:.1f} months "
                  f"(95 % CI {afl_lo:.1f}–{afl_hi:.1f}; {n_afl} females; {no_litter} reached 27 months without a seen "
                  f"litter) [{'ok' if ok_afl else 'out'}]. Reported only: interval over all litters {m_all:.1f}, "
                  f"after a litter that reared ≥ 1 cub {m_reared:.1f}, after one that reared none {m_lost:.1f} months; "
                  f"first litter of any fate {m_afl_any:.1f} months; cubs per litter at birth {mean_born:.2f}, at "
                  f"emergence {mean_emerge:.2f} (field 4.2), at independence {mean_indep:.2f} (field 4.7); cub "
                  f"survival emergence → independence {s_emerged:.2f} ({cubs_independent} of {cubs_emerged}; ~0.97 "
                  "without large predators, Bissett, Bernard & Parker 2007); "
                  f"cheetahs at the end {np.mean(N_last):.0f} (mean)"),
        notes=("Cub survival from emergence to independence is reported because the model's lion-free value can be "
               "compared with ~0.97 (Bissett, Bernard & Parker 2007, fenced SA reserves without large predators) and "
               "11 of 14 (Wachter et al. 2011, lion-free Namibia). cub_survival_base puts its den share (cub_survival_base "
               "/ cub_survival_after_emergence) in the den months and cub_survival_after_emergence after them; the rest "
               "of the gap is what the model adds itself: starvation, orphaning, inbreeding depression, harsh winters."),
        passed=bool(ok_ibi and ok_afl), figure=path, replicates=reps, seconds=time.perf_counter() - t0,
        values={"ibi_months": m_ibi, "ibi_ci": (ibi_lo, ibi_hi), "ibi_n": n_ibi, "first_litter_months": m_afl,
                "first_litter_ci": (afl_lo, afl_hi), "first_litter_n": n_afl, "ibi_all_litters": m_all,
                "ibi_after_reared": m_reared, "ibi_after_lost": m_lost, "first_litter_any": m_afl_any,
                "litter_at_birth": mean_born, "litter_at_emergence": mean_emerge,
                "litter_at_independence": mean_indep, "survival_emergence_to_independence": s_emerged})
