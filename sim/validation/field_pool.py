"""The field runs shared by the Serengeti, Kgalagadi and female-lifespan checks: resident cheetah
populations on a fenced uniform map with a field system's competitor density, run once per
validation run with every cub's fate and every female's lifespan recorded
(:func:`.instrumented.run_tracked`), and pooled into cub survival, growth rate λ and mean
female lifespan with bootstrap intervals over replicates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..config.params import CheetahParams
from ..config.schema import Scenario
from ..model.results import DEATH_CAUSES
from .common import Param, Settings, check_seeds, field_scenario, log_slope, parallel_map, param_from
from .instrumented import LifeRecord, run_tracked

#: Serengeti lion-level competitor density [animals/km²] (cub_predation_per_lion's source).
SERENGETI_COMPETITORS = 0.15
#: Cub survival birth → independence in the Serengeti (Laurenson 1994: 6 of 125 cubs).
SERENGETI_CUB_SURVIVAL = 0.048
#: Kgalagadi: lions were 6.7 % of cub mortality cases (Mills & Mills 2014) and cub survival about
#: 7 x the Serengeti value (≈ 0.34); the competitor density giving that share of the cub hazard.
KTP_CUB_SURVIVAL = 7 * SERENGETI_CUB_SURVIVAL
KTP_LION_SHARE = 0.067


def kaplan_meier_mean(lengths: np.ndarray, observed: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean lifespan [months] from discrete-month survival data: ``lengths[i]`` is the number of
    month starts u >= 1 at which female i was seen alive after her first month as an independent
    animal (the count sim.analysis.demography.female_lifespan_after_independence averages); ``observed``
    False means she was still alive at the end of the run (censored at that count).
    Returns (Σ_u S(u), S) with S the Kaplan-Meier survival at month starts u = 0, 1, ...; the sum
    is a restricted mean if S has not reached 0 at the longest follow-up."""
    lengths = np.asarray(lengths, dtype=np.int64)
    observed = np.asarray(observed, dtype=bool)
    if lengths.size == 0:
        return math.nan, np.ones(1)
    U = int(lengths.max()) + 1
    S = np.ones(U + 1)
    for v in range(U):
        at_risk = np.sum(observed & (lengths >= v)) + np.sum(~observed & (lengths > v))
        deaths = np.sum(observed & (lengths == v))
        S[v + 1] = S[v] * (1.0 - deaths / at_risk) if at_risk > 0 else S[v]
    return float(S[1:].sum()), S


@dataclass
class FieldRuns:
    """Pooled outcome of one field system's replicates (95 % intervals: bootstrap over replicates)."""

    scenario: Scenario
    reps: int
    cub_survival: float                # share of cubs of known fate that became independent
    cub_ci: tuple[float, float]
    cubs_born: int                     # cubs of known fate (born early enough)
    lambda_obs: float                  # growth rate [per year] of the summed population
    lambda_ci: tuple[float, float]
    N: np.ndarray                      # (reps, years) cheetahs alive at each census
    lifespan_years: float              # mean female lifespan after independence [years] (Kaplan–Meier)
    lifespan_ci: tuple[float, float]
    lifespan_n: int                    # females followed
    km: np.ndarray                     # Kaplan–Meier survival at month starts after independence
    deaths: dict                       # cause -> deaths in all runs
    census_births: int                 # births counted by the census
    tracked_births: int                # cubs recorded by the tracker (seen alive at a month's end)


def _pool_field(sc: Scenario, out: list[LifeRecord], lam_years: tuple[int, int]) -> FieldRuns:
    """Cub survival (cohorts born early enough for their fate to be known), λ (log-linear fit of
    the summed N over ``lam_years``) and female lifespan after normal independence, with 95 %
    intervals from a bootstrap over replicates (litters and families are not independent)."""
    I = int(math.ceil(sc.cheetah.independence_months))

    def cub(sel):
        b = i = 0
        for o in (out[k] for k in sel):
            known = o.cub_born <= o.months - 1 - I
            b += int(known.sum())
            i += int((o.cub_independent & known).sum())
        return (i / b if b else math.nan), b

    def lam(sel):
        N = np.array([out[k].census["N"] for k in sel]).sum(axis=0)
        y = np.arange(1, len(N) + 1)
        s = (y >= lam_years[0]) & (y <= lam_years[1]) & (N > 0)
        if s.sum() < 3:
            return math.nan
        return float(np.exp(log_slope(y[s], N[s])))

    def life(sel):
        L, obs = [], []
        for o in (out[k] for k in sel):
            normal = o.female_age >= sc.cheetah.independence_months
            L.append((o.female_end - o.female_start - 1)[normal])
            obs.append(o.female_dead[normal])
        L = np.concatenate(L) if L else np.zeros(0, int)
        obs = np.concatenate(obs) if obs else np.zeros(0, bool)
        mean, S = kaplan_meier_mean(L, obs)
        return mean / 12.0, S, len(L)

    allsel = list(range(len(out)))
    cs, born = cub(allsel)
    lm = lam(allsel)
    ls, S, nf = life(allsel)
    rng = np.random.default_rng(7)
    bc, bl, bs = [], [], []
    for _ in range(200):
        sel = rng.integers(0, len(out), len(out))
        bc.append(cub(sel)[0])
        bl.append(lam(sel))
        bs.append(life(sel)[0])

    def ci(v):
        v = np.asarray(v, dtype=float)
        v = v[np.isfinite(v)]
        return tuple(np.percentile(v, [2.5, 97.5])) if v.size else (math.nan, math.nan)

    deaths = {c: int(sum(o.census[f"deaths_{c}"].sum() for o in out)) for c in DEATH_CAUSES}
    return FieldRuns(scenario=sc, reps=len(out), cub_survival=cs, cub_ci=ci(bc), cubs_born=born,
                     lambda_obs=lm, lambda_ci=ci(bl), N=np.array([o.census["N"] for o in out]),
                     lifespan_years=ls, lifespan_ci=ci(bs), lifespan_n=nf, km=S, deaths=deaths,
                     census_births=int(sum(o.census["births"].sum() for o in out)),
                     tracked_births=int(sum(len(o.cub_born) for o in out)))


def ktp_competitor_density(cheetah: CheetahParams) -> float:
    """Competitor density [animals/km²] whose cub predation hazard is the lions' share of the total
    cub hazard in the Kgalagadi: 0.067 x (−ln 0.34) / independence_months / cub_predation_per_lion."""
    total = -math.log(KTP_CUB_SURVIVAL) / cheetah.independence_months
    return KTP_LION_SHARE * total / cheetah.cub_predation_per_lion


#: FieldRuns by (system, quick, root seed); emptied at the start of every validation run.
_FIELD_CACHE: dict = {}


def clear_field_cache() -> None:
    """Forget the pooled field runs (run_checks calls this so that every run simulates afresh)."""
    _FIELD_CACHE.clear()


def field_runs(settings: Settings, system: str) -> FieldRuns:
    """Run (once per validation run) the replicates of the Serengeti or Kgalagadi system."""
    key = (system, settings.quick, settings.seed)
    if key in _FIELD_CACHE:
        return _FIELD_CACHE[key]
    ch = CheetahParams()
    if system == "serengeti":
        # Quick mode still needs ~150 females followed for up to ~20 years: with 12 years and 6
        # replicates (~65 females, follow-up cut at ~10 years) the restricted mean lifespan ran
        # 0.7 years low on average and ranged 4.2-5.7 years over root seeds (full mode: 5.76).
        sc = field_scenario("serengeti", years=settings.n(30, 24), lions=SERENGETI_COMPETITORS,
                            females=30, males=30)
        reps, lam_years = settings.n(40, 12), (2, 12)
    elif system == "kgalagadi":
        sc = field_scenario("kgalagadi", years=settings.n(12, 8), lions=ktp_competitor_density(ch))
        reps, lam_years = settings.n(24, 4), (2, 12)
    else:
        raise ValueError(f"unknown field system {system!r}")
    out = parallel_map(run_tracked, [(sc, s) for s in check_seeds(settings, system, reps)], settings.jobs)
    res = _pool_field(sc, out, lam_years)
    _FIELD_CACHE[key] = res
    return res


def field_params(sc: Scenario, extra: Sequence[Param] = ()) -> list[Param]:
    """The parameters a field check reports: the system's competitor density and prey, the cub and
    female survival parameters, and ``extra`` (field values) after the prey."""
    ch = sc.cheetah
    return [Param("landscape.lion_density", f"{sc.landscape.lion_density:.4g} animals/km²", ""),
            param_from("cheetah.cub_predation_per_lion", ch, "cub_predation_per_lion"),
            param_from("cheetah.cub_survival_base", ch, "cub_survival_base"),
            Param("landscape.gazelle_density", f"{sc.landscape.gazelle_density:g} animals/km²",
                  "assumption: abundant prey, so that food does not limit (Laurenson 1994: predation caused "
                  "73 % of Serengeti cub deaths); not a sourced density"),
            *extra,
            param_from("cheetah.subadult_survival_female", ch, "subadult_survival_female"),
            param_from("cheetah.adult_survival_female", ch, "adult_survival_female"),
            Param("cheetah.release_survival_wild", "1", "set for the check: the founders stand for an "
                  "established population (no release losses)")]
