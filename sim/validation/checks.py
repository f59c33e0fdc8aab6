"""Validation: the model checked against theory and field data, written up in docs/validation.md.

``python -m sim.validation [--out docs/validation.md] [--quick] [--only NAME ...] [--strict]``
runs every check (or the named ones), draws one figure per check into
``<out folder>/figures/validation/`` and writes the report. Each check is a function returning a
:class:`CheckResult`: what is compared, the parameters used and their sources, the expected value
or range with its tolerance, the observed value, pass/fail and the figure. The report is generated
from these records (date, git commit, replicates and run time of the last run): nothing in it is
typed by hand, so it cannot disagree with the code.

Three groups of checks:

* **theory**: submodels against analytic results (:mod:`sim.demography` for the female life
  cycle; drift, theta-logistic, type II functional response, correlated random walk; fences);
* **field**: patterns from cheetah and saiga field studies the model must reproduce with
  parameters set for that system (sources in ``/work/shared/research/parameters.md``);
* **sensitivity**: one-at-a-time changes of the main parameters in the baseline scenario.

A failing check is reported as FAIL and the exit status stays 0 (``--strict``: 1), so a model
that disagrees with a field pattern is documented rather than hidden. Nothing is cached between
runs; temporary files live in a temporary folder.

Instrumentation that the census does not provide (cubs reaching independence, female lifespans,
kills per hunting group, mean kinship) comes from subclasses of
:class:`sim.model.ReintroductionModel` defined here; the model itself is not changed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import os
import platform
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Sequence

import numpy as np

from ..model.results import DEATH_CAUSES
from ..cheetahs.cheetah import DAYS_PER_MONTH
from ..config.params import (CheetahParams, EnvironmentParams, GazelleParams, ManagementBaseline, SaigaParams,
                     SPECIES)
from ..config.schema import Scenario

REPO = Path(__file__).resolve().parents[2]
PARAMETERS_MD = "/work/shared/research/parameters.md"
#: Okabe & Ito (2008) colour-blind-safe palette (same as sim.figures).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
DPI = 150
QUIET_ENVIRONMENT = {"ev_survival_sd": 0.0, "ev_capacity_sd": 0.0, "harsh_winter_prob": 0.0,
                     "saiga_die_off_prob": 0.0}


# ============================================================================ records and registry
@dataclass
class Param:
    """A parameter as a check used it: dotted name, value with unit, and where the value is from."""

    name: str
    value: str
    source: str


@dataclass
class CheckResult:
    """The outcome of one validation check (one section of docs/validation.md)."""

    name: str
    group: str                 # "theory", "field" or "sensitivity"
    title: str
    compares: str              # what is compared with what
    method: str                # how the model was run and the quantity measured
    parameters: list[Param]
    expected: str              # expected value or range (with its source)
    tolerance: str             # the pass criterion
    observed: str
    passed: bool
    figure: Path | None = None
    replicates: int = 0
    seconds: float = 0.0
    values: dict = field(default_factory=dict)   # machine-readable numbers (tests, report)
    notes: str = ""


@dataclass
class Settings:
    """How a validation run is done: ``quick`` shrinks replicates and horizons (tests);
    ``jobs`` worker processes; ``seed`` the root of every check's seeds; ``fig_dir`` where figures go."""

    fig_dir: Path
    quick: bool = False
    jobs: int = 2
    seed: int = 20250

    def n(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Check:
    name: str
    group: str
    fn: Callable[[Settings], CheckResult]


CHECKS: dict[str, Check] = {}


def check(name: str, group: str):
    """Register a check function under ``name`` (order of registration = order in the report)."""
    def deco(fn):
        CHECKS[name] = Check(name, group, fn)
        return fn
    return deco


# ============================================================================ helpers: parameters
def _field_info(cls, name: str) -> dict:
    info = cls.model_fields[name]
    extra = info.json_schema_extra or {}
    return {"unit": extra.get("unit", ""), "source": extra.get("source", ""), "sens": extra.get("sens")}


def _p(label: str, obj, name: str, *, source: str | None = None, fmt: str = "{:g}") -> Param:
    """A Param for field ``name`` of the parameter group ``obj`` (value, unit and source from
    sim/params.py unless ``source`` overrides it, e.g. a value set for a field system)."""
    info = _field_info(type(obj), name)
    v = getattr(obj, name)
    text = fmt.format(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
    return Param(label, f"{text} {info['unit']}".strip(), source if source is not None else info["source"])


def _fmt(x: float, spec: str = ".3f") -> str:
    return "n/a" if x is None or not np.isfinite(x) else format(x, spec)


def _seeds(settings: Settings, check_name: str, n: int, offset: int = 0) -> list[np.random.SeedSequence]:
    """Independent seeds of a check: SeedSequence(root, spawn_key=(crc32(check), i))."""
    key = zlib.crc32(check_name.encode())
    return [np.random.SeedSequence(settings.seed, spawn_key=(key, offset + i)) for i in range(n)]


def _parallel(fn: Callable, args: Sequence[tuple], jobs: int) -> list:
    """fn(*a) for every a, in order; on ``jobs`` loky worker processes when jobs > 1."""
    if jobs <= 1 or len(args) <= 1:
        return [fn(*a) for a in args]
    import joblib
    return joblib.Parallel(n_jobs=jobs, backend="loky", batch_size=1)(joblib.delayed(fn)(*a) for a in args)


def wilson(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    from ..analysis.stats import wilson_interval
    lo, hi = wilson_interval(k, n, conf)
    return float(lo), float(hi)


# ============================================================================ helpers: scenarios
def uniform_scenario(name: str, *, years: int, size_km: float = 100.0, cell_km: float = 2.5,
                     gazelle: float = 0.0, saiga: float = 0.0, competitors: float = 0.0,
                     fenced: bool = True, releases: Sequence[dict] = (), cheetah: dict | None = None,
                     rules: dict | None = None, ceiling: int | None = None,
                     environment: dict | None = None, prey: dict | None = None) -> Scenario:
    """A scenario on the ``uniform`` preset: a size_km x size_km square (fenced all round unless
    ``fenced`` is False), prey at capacity [animals/km²] and no poaching, no people, no roads, no
    year-to-year variation or catastrophes (unless ``environment`` says otherwise)."""
    area = size_km * size_km
    prey_spec = {"saiga": {"initial_total": saiga * area, "poaching_per_year": 0.0},
                 "gazelle": {"initial_total": gazelle * area, "poaching_per_year": 0.0},
                 "urial": {"initial_total": 0.0, "poaching_per_year": 0.0}}
    for sp, over in (prey or {}).items():
        prey_spec[sp] = {**prey_spec[sp], **over}
    return Scenario(
        name=name, years=years, replicates=1, ceiling=ceiling,
        landscape={"preset": "uniform", "cell_km": cell_km, "width_km": size_km, "height_km": size_km,
                   "fenced": fenced, "saiga_density": saiga, "gazelle_density": gazelle,
                   "urial_density": 0.0, "competitor_density": competitors, "human_value": 0.0},
        prey=prey_spec, cheetah=cheetah or {}, environment={**QUIET_ENVIRONMENT, **(environment or {})},
        releases=[{"site": "centre", "source": "wild", "method": "hard", **r} for r in releases],
        rules=rules or {}, output={"occupancy": False})


def _landscape(sc: Scenario):
    from ..world.build import build_landscape
    return build_landscape(sc.landscape, REPO)


# ============================================================================ helpers: figures
def _figure(w_px: int = 1500, h_px: int = 900, ncols: int = 1, nrows: int = 1, **kw):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(w_px / DPI, h_px / DPI), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    for ax in axes.ravel():
        ax.grid(True, color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
    return fig, axes


def _save(fig, settings: Settings, name: str) -> Path:
    settings.fig_dir.mkdir(parents=True, exist_ok=True)
    path = settings.fig_dir / f"{name}.png"
    fig.savefig(path, dpi=DPI, format="png", facecolor="white")
    return path


def _c(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


# ============================================================================ instrumented models
def _model_classes():
    """The instrumented model subclasses (imported lazily: mesa is slow to import)."""
    global _TrackedModel, _OfftakeModel, _KinshipModel
    if "_TrackedModel" in globals():
        return
    from ..model.model import ReintroductionModel

    class TrackedModel(ReintroductionModel):
        """Records, month by month, when each cub was first seen (born), when each cub became
        independent (normally, or as an orphan old enough to survive), and when each female that
        became independent disappeared (died). Months count from 0 = January of year 1; an event seen at the
        end of step t is dated t."""

        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.t = 0
            self.cub_born: dict[int, int] = {}
            self.cub_indep: dict[int, int] = {}
            self.female_indep: dict[int, tuple[int, int]] = {}      # id -> (month, age in months)
            self.female_death: dict[int, int] = {}
            self._prev_cubs: set[int] = set()

        def step(self) -> None:
            super().step()
            t = self.t
            alive = {a.unique_id: a for a in self.agents}
            for i in self._prev_cubs:
                a = alive.get(i)
                if a is not None and not a.is_cub:
                    self.cub_indep[i] = t
                    if a.sex == "F":
                        self.female_indep[i] = (t, a.age)
            cubs = {i for i, a in alive.items() if a.is_cub}
            for i in cubs:
                self.cub_born.setdefault(i, t)
            for i in self.female_indep:
                if i not in alive and i not in self.female_death:
                    self.female_death[i] = t
            self._prev_cubs = cubs
            self.t += 1

    class OfftakeModel(ReintroductionModel):
        """Records, for every hunting unit and month, the prey density it hunted in (the input of
        the functional response), its body condition before hunting and the kills it made."""

        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.log: list[dict] = []
            fr = self.fr_rule
            self._fr_in = None

            def recording_fr(density, attack, handling):
                self._fr_in = np.array(density, dtype=float)
                return fr(density, attack, handling)

            self.fr_rule = recording_fr
            remove = self.prey.remove_kills_in_boxes

            def recording_remove(r0, r1, c0, c1, kills):
                for box in zip(r0.tolist(), r1.tolist(), c0.tolist(), c1.tolist(), np.array(kills, dtype=float)):
                    self._removed.append((box[:4], box[4]))
                return remove(r0, r1, c0, c1, kills)

            self.prey.remove_kills_in_boxes = recording_remove

        def hunting_phase(self) -> None:
            units = [a for a in self.agents if not a.is_cub and a.leader is a and not a.in_boma]
            if not units:
                return super().hunting_phase()
            cond = np.array([a.condition for a in units])
            n_members = np.array([len(a.coalition or [a]) + len(a.cubs) for a in units])
            p = self.params
            rows, cols = self.positions(units)
            radius = np.array([a.hr_radius_km if a.home else p.walker_hunt_radius_km for a in units])
            r0, r1, c0, c1 = self._boxes(rows, cols, self.half_box(radius))
            self._removed = []
            self._fr_in = None
            super().hunting_phase()
            if self._fr_in is None:
                return
            kills = np.zeros((len(units), 3))
            boxes = {}
            for i, b in enumerate(zip(r0.tolist(), r1.tolist(), c0.tolist(), c1.tolist())):
                boxes.setdefault(b, []).append(i)
            for box, k in self._removed:
                box = (max(box[0], 0), box[1], max(box[2], 0), box[3])
                cand = boxes.get(box) or boxes.get(tuple(box))
                if cand:
                    kills[cand.pop(0)] = k
            self.log.append({"month": self.month, "density": self._fr_in, "condition": cond,
                             "members": n_members, "kills": kills})

    class KinshipModel(ReintroductionModel):
        """Adds the mean pedigree kinship of the living (all ordered pairs, self-pairs included)
        to every census: 1 - mean kinship is the pedigree expectation of gene diversity."""

        def __init__(self, *a, **kw) -> None:
            super().__init__(*a, **kw)
            self.mean_kinship = np.full(self.spec.years, np.nan)

        def take_census(self) -> None:
            slots = np.array([a.gslot for a in self.agents], dtype=np.int64)
            if slots.size:
                # pedigree kinship matrix of sim.genetics (read-only use of its array)
                self.mean_kinship[self.year - 1] = float(self.genetics._kin[np.ix_(slots, slots)].mean())
            super().take_census()

    _TrackedModel, _OfftakeModel, _KinshipModel = TrackedModel, OfftakeModel, KinshipModel


def _run(cls_name: str, sc: Scenario, seed):
    """Run one replicate of ``sc`` with an instrumented model class; returns the model."""
    _model_classes()
    cls = globals()[cls_name]
    model = cls(sc, _landscape(sc), rng=np.random.default_rng(seed))
    model.run()
    return model


# ============================================================================ THEORY
# ---------------------------------------------------------------------------- demography only
def demography_only(cheetah: dict | None = None, *, name: str, years: int, releases: Sequence[dict],
                    competitors: float = 0.0) -> Scenario:
    """The demography-only case of sim.demography: unlimited food (``ceiling`` rule without a
    ceiling), a mate always available, no variation, catastrophes, people, roads, release losses
    or inbreeding depression; a constant competitor density adds cub predation."""
    ch = {"release_survival_wild": 1.0, "lethal_equivalents": 0.0, **(cheetah or {})}
    return uniform_scenario(name, years=years, size_km=100.0, gazelle=0.0, competitors=competitors,
                            releases=releases, cheetah=ch,
                            rules={"density": "ceiling", "mate_finding": "always",
                                   "movement": "correlated_walk"})


def _growth_replicate(sc: Scenario, seed) -> dict:
    from ..model.model import run_replicate
    c = run_replicate(sc, seed, landscape=_landscape(sc)).census
    return {k: np.asarray(c[k]) for k in ("N_f", "cub_f", "adults_f")}


FOUNDER_AGES = tuple(24 + 6 * i for i in range(12))      # months; one founder per release month


@check("demography_growth", "theory")
def check_demography_growth(settings: Settings) -> CheckResult:
    """Growth rate and stage structure of the demography-only model vs the dominant eigenvalue
    and eigenvector of the projection matrix (sim.demography)."""
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
    out = _parallel(_growth_replicate, [(sc, s) for s in _seeds(settings, "demography_growth", reps)],
                    settings.jobs)
    Nf = np.array([o["N_f"] for o in out], dtype=float)           # (reps, years)
    cubs = np.array([o["cub_f"] for o in out], dtype=float)
    adults = np.array([o["adults_f"] for o in out], dtype=float)
    yrs = np.arange(1, years + 1)
    sel = yrs >= fit_from

    def fit_lambda(total: np.ndarray) -> float:
        return float(np.exp(np.polyfit(yrs[sel], np.log(total[sel]), 1)[0]))

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

    fig, ax = _figure(1600, 700, ncols=2)
    a0, a1 = ax[0]
    mean = Nf.mean(axis=0)
    q = np.percentile(Nf, [5, 95], axis=0)
    a0.fill_between(yrs, q[0], q[1], color=_c(0), alpha=0.2, label="agent model, 5–95 % of runs")
    a0.plot(yrs, mean, "o-", color=_c(0), label=f"agent model, mean of {reps} runs")
    a0.plot(yrs, exp["total"], "--", color=_c(1), lw=2, label="projection matrix: expected females")
    ref = exp["total"][fit_from - 1] * lam ** (yrs - fit_from)
    a0.plot(yrs, ref, ":", color="black", lw=2, label=f"growth at dominant eigenvalue λ = {lam:.3f}/yr")
    a0.set_yscale("log")
    a0.set_xlabel("census year (December)")
    a0.set_ylabel("females alive (cubs included), log scale")
    a0.set_title("Growth: agent model vs projection matrix")
    a0.legend(fontsize=9)
    x = np.arange(3)
    keys = ("cub", "subadult", "adult")
    a1.bar(x - 0.2, [share[k] for k in keys], 0.4, color=_c(0), label=f"agent model, years {years - 4}–{years}")
    a1.bar(x + 0.2, [stable[k] for k in keys], 0.4, color=_c(1), label="dominant eigenvector (stable)")
    a1.set_xticks(x, ["cubs (dependent)", "independent,\nyounger than adult age", "adults"])
    a1.set_ylabel("share of females")
    a1.set_title("Stage structure")
    a1.legend(fontsize=9)
    path = _save(fig, settings, "demography_growth")
    return CheckResult(
        name="demography_growth", group="theory", title="Demography-only growth rate and stage structure",
        compares="female population growth rate λ and the shares of females by stage in the agent model "
                 "vs the dominant eigenvalue and eigenvector of the monthly (age × reproductive state) "
                 "projection matrix built from the same vital rates (sim.demography)",
        method=(f"{reps} replicates of {years} years; 12 founder females aged {FOUNDER_AGES[0]}–{FOUNDER_AGES[-1]} "
                "months released one a month (January–December of year 1) so that the founders' cohorts "
                "do not oscillate in step; demography-only rules (food unlimited via `density: ceiling` "
                "without a ceiling, `mate_finding: always`, no environmental variation, catastrophes, people, "
                "roads, post-release losses or inbreeding depression). λ_obs = exp(slope of ln Σ females) "
                f"over census years {fit_from}–{years} (95 % CI: bootstrap over replicates). Stage shares "
                "pooled over the last five censuses."),
        parameters=[_p("cheetah.cub_survival_base", ch, "cub_survival_base"),
                    _p("cheetah.subadult_survival_female", ch, "subadult_survival_female"),
                    _p("cheetah.adult_survival_female", ch, "adult_survival_female"),
                    _p("cheetah.conception_prob_per_month", ch, "conception_prob_per_month"),
                    _p("cheetah.female_first_conception_months", ch, "female_first_conception_months"),
                    _p("cheetah.independence_months", ch, "independence_months"),
                    Param("cheetah.litter_size_probs", str(ch.litter_size_probs),
                          _field_info(CheetahParams, "litter_size_probs")["source"])],
        expected=(f"λ = {lam:.4f}/yr (dominant eigenvalue); the exact expected trajectory of these founders "
                  f"gives {lam_exp_traj:.4f}/yr over the same years. Stable shares: cubs {stable['cub']:.3f}, "
                  f"subadults {stable['subadult']:.3f}, adults {stable['adult']:.3f}"),
        tolerance=f"|λ_obs − λ| ≤ {tol_lam}; each stage share within ±{tol_share} of the eigenvector",
        observed=(f"λ_obs = {lam_obs:.4f}/yr (95 % CI {lo:.4f}–{hi:.4f}); shares: cubs {share['cub']:.3f}, "
                  f"subadults {share['subadult']:.3f}, adults {share['adult']:.3f}"),
        passed=bool(ok_lam and ok_share), figure=path, replicates=reps, seconds=time.perf_counter() - t0,
        values={"lambda": lam, "lambda_obs": lam_obs, "share": share, "stable": stable})


# ---------------------------------------------------------------------------- founder extinction
def _extinction_replicate(sc: Scenario, seed) -> bool:
    from ..model.model import run_replicate
    c = run_replicate(sc, seed, landscape=_landscape(sc)).census
    return bool(c["N_f"][-1] == 0)


EXTINCTION_COMPETITORS = 0.05     # animals/km²: λ ≈ 1.05, so small groups often die out


@check("founder_extinction", "theory")
def check_founder_extinction(settings: Settings) -> CheckResult:
    """Extinction of small founder groups in the demography-only model vs the multi-type
    branching process (sim.demography.extinction_probability)."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    years = 10
    reps = settings.n(300, 40)
    groups = (1, 2, 3, 5)
    age = 36
    tasks, index = [], []
    scs = {}
    for n in groups:
        sc = demography_only(name=f"founder_extinction_{n}", years=years, competitors=EXTINCTION_COMPETITORS,
                             releases=[{"year": 1, "month": 1, "females": n, "males": 0, "age_months": age}])
        scs[n] = sc
        for s in _seeds(settings, f"founder_extinction_{n}", reps):
            tasks.append((sc, s))
            index.append(n)
    out = np.array(_parallel(_extinction_replicate, tasks, settings.jobs))
    index = np.array(index)
    ch = scs[1].cheetah
    rows = []
    ok = True
    for n in groups:
        k = int(out[index == n].sum())
        p_exp = dem.extinction_probability(ch, age, n, years=years, competitors=EXTINCTION_COMPETITORS)
        p_ult = dem.extinction_probability(ch, age, n, years=None, competitors=EXTINCTION_COMPETITORS)
        lo, hi = wilson(k, reps, 0.99)
        good = lo <= p_exp <= hi
        ok &= good
        rows.append({"n": n, "k": k, "obs": k / reps, "lo": lo, "hi": hi, "exp": p_exp, "ultimate": p_ult,
                     "pass": good})
    lam = dem.deterministic_lambda(ch, EXTINCTION_COMPETITORS)

    fig, ax = _figure(1300, 850)
    a = ax[0, 0]
    x = np.array(groups)
    obs = np.array([r["obs"] for r in rows])
    a.errorbar(x, obs, yerr=[obs - [r["lo"] for r in rows], np.array([r["hi"] for r in rows]) - obs],
               fmt="o", color=_c(0), capsize=5, ms=8, label=f"agent model ({reps} runs each, 99 % Wilson CI)")
    a.plot(x, [r["exp"] for r in rows], "s--", color=_c(1), ms=8, label=f"branching process, by year {years}")
    a.plot(x, [r["ultimate"] for r in rows], "^:", color=_c(2), ms=8, label="branching process, ultimate")
    a.set_xticks(x)
    a.set_xlabel("founder females released (aged 36 months)")
    a.set_ylabel(f"probability that no female is alive at year {years}")
    a.set_ylim(0, 1)
    a.set_title(f"Extinction of small founder groups (λ = {lam:.3f}/yr)")
    a.legend()
    path = _save(fig, settings, "founder_extinction")
    return CheckResult(
        name="founder_extinction", group="theory", title="Extinction of small founder groups",
        compares="share of runs in which the female line has died out by the census of year 10, for 1, 2, 3 "
                 "and 5 founder females, vs the multi-type Galton–Watson branching process of the same "
                 "life cycle (sim.demography.extinction_probability, finite horizon)",
        method=(f"{reps} replicates per group size; demography-only rules as in *demography_growth*; founders "
                f"aged {age} months released in January of year 1; competitor density "
                f"{EXTINCTION_COMPETITORS} animals/km² (cub predation) so that λ = {lam:.3f}/yr and extinction "
                "is common but not certain."),
        parameters=[_p("cheetah.cub_predation_per_competitor", ch, "cub_predation_per_competitor"),
                    Param("landscape.competitor_density", f"{EXTINCTION_COMPETITORS} animals/km²",
                          "chosen for the check (λ slightly above 1)"),
                    _p("cheetah.cub_survival_base", ch, "cub_survival_base"),
                    _p("cheetah.adult_survival_female", ch, "adult_survival_female")],
        expected="; ".join(f"{r['n']} F: {r['exp']:.3f}" for r in rows),
        tolerance="each branching-process probability inside the 99 % Wilson interval of the simulated share",
        observed="; ".join(f"{r['n']} F: {r['obs']:.3f} ({r['lo']:.3f}–{r['hi']:.3f})" for r in rows),
        passed=bool(ok), figure=path, replicates=reps * len(groups), seconds=time.perf_counter() - t0,
        values={"rows": rows, "lambda": lam})


# ---------------------------------------------------------------------------- drift
def _kinship_replicate(sc: Scenario, seed) -> dict:
    m = _run("_KinshipModel", sc, seed)
    c = m.census
    out = {"gd": np.asarray(c["gene_diversity"]), "mk": m.mean_kinship.copy(), "N": np.asarray(c["N"]),
           "adults_f": np.asarray(c["adults_f"]), "adults_m": np.asarray(c["adults_m"]),
           "breeding_females": np.asarray(c["breeding_females"])}
    m.remove_all_agents()
    return out


DRIFT_CEILING = 60          # animals (all ages)


@check("gene_diversity_drift", "theory")
def check_gene_diversity_drift(settings: Settings) -> CheckResult:
    """Gene diversity of a population held at a ceiling vs H_t = H_0 (1 − 1/(2 N_e))^t."""
    from ..analysis import demography as dem
    t0 = time.perf_counter()
    years = settings.n(60, 20)
    reps = settings.n(24, 4)
    sc = uniform_scenario(
        "gene_diversity_drift", years=years, size_km=100.0, ceiling=DRIFT_CEILING,
        releases=[{"year": 1, "month": 1, "females": 10, "males": 10, "age_months": 30}],
        cheetah={"release_survival_wild": 1.0, "lethal_equivalents": 0.0},
        rules={"density": "ceiling", "mate_finding": "anywhere", "movement": "correlated_walk"})
    out = _parallel(_kinship_replicate, [(sc, s) for s in _seeds(settings, "gene_diversity_drift", reps)],
                    settings.jobs)
    alive = np.array([np.isfinite(o["gd"][-1]) and o["N"][-1] > 0 for o in out])
    gd = np.array([o["gd"] for o in out])[alive]
    mk = np.array([o["mk"] for o in out])[alive]
    yrs = np.arange(1, years + 1)
    start = 5 if years > 10 else 2
    sel = yrs >= start
    gd_mean = gd.mean(axis=0)
    ped = 1.0 - mk.mean(axis=0)

    def rate(series: np.ndarray) -> float:
        """Per-year decline rate of a diversity series: −slope of its log over the fit years."""
        return float(-np.polyfit(yrs[sel], np.log(series[sel]), 1)[0])

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
    af = np.array([o["adults_f"] for o in out])[alive][:, sel].mean()
    am = np.array([o["adults_m"] for o in out])[alive][:, sel].mean()
    n_mean = np.array([o["N"] for o in out])[alive][:, sel].mean()
    Ne_sex = 4 * af * am / (af + am)
    H0 = ped[start - 1]
    drift = H0 * (1.0 - 1.0 / (2.0 * Ne)) ** ((yrs - start) / T_years)
    tol = 0.10
    ok = abs(ratio - 1.0) <= tol and len(gd) >= max(2, reps // 2)

    fig, ax = _figure(1400, 850)
    a = ax[0, 0]
    q = np.percentile(gd, [5, 95], axis=0)
    a.fill_between(yrs, q[0], q[1], color=_c(0), alpha=0.2, label="agent model, 5–95 % of runs")
    a.plot(yrs, gd_mean, "o-", ms=4, color=_c(0), label=f"agent model: gene diversity of genotypes (mean of {len(gd)})")
    a.plot(yrs, ped, "--", color=_c(1), lw=2, label="pedigree expectation 1 − mean kinship")
    a.plot(yrs[sel], drift[sel], ":", color="black", lw=2.5,
           label=f"H₀(1 − 1/(2Nₑ))^(t/T), Nₑ = {Ne:.1f}, T = {T_years:.1f} yr")
    a.set_xlabel("census year")
    a.set_ylabel("gene diversity (expected heterozygosity)")
    a.set_title(f"Drift at a ceiling of {DRIFT_CEILING} cheetahs")
    a.legend(fontsize=9)
    path = _save(fig, settings, "gene_diversity_drift")
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
                f"{T_years:.1f} yr (sim.demography.generation_time_months, the growing population's value) gives "
                "1/(2N_e). **What this tests:** that Mendelian transmission and the gene-diversity bookkeeping "
                "lose diversity at the drift rate the simulated pedigree implies. It does *not* test that the "
                "simulated N_e is realistic; for orientation N_e is reported beside the mean census size and "
                "the sex-ratio formula 4 N_m N_f/(N_m + N_f) applied to the animals of adult age (a census "
                "shortcut that ignores the variance in reproductive success and the younger breeders)."),
        parameters=[_p("cheetah.neutral_loci", sc.cheetah, "neutral_loci"),
                    Param("ceiling", f"{DRIFT_CEILING} animals", "chosen for the check"),
                    _p("cheetah.lethal_equivalents", sc.cheetah, "lethal_equivalents",
                       source="set to 0 for the check (pure drift)")],
        expected=f"genotype decline rate = pedigree rate {r_ped:.5f}/yr (N_e = {Ne:.1f} per generation)",
        tolerance=f"ratio of the two rates within 1 ± {tol}",
        observed=(f"genotype rate {r_gd:.5f}/yr, ratio {ratio:.3f} (95 % CI {lo:.3f}–{hi:.3f}); "
                  f"N_e = {Ne:.1f} vs mean census N = {n_mean:.1f} (N_e/N = {Ne / n_mean:.2f}) and "
                  f"4N_mN_f/(N_m+N_f) of adults = {Ne_sex:.1f}; {len(gd)} of {reps} runs extant at the end"),
        passed=bool(ok), figure=path, replicates=reps, seconds=time.perf_counter() - t0,
        values={"rate_gd": r_gd, "rate_ped": r_ped, "ratio": ratio, "Ne": Ne, "N": n_mean, "Ne_sex": Ne_sex})


# ---------------------------------------------------------------------------- prey logistic
def theta_logistic(N0: float, K: float, r: float, theta: float, years: int,
                   survival: float | None = None) -> np.ndarray:
    """N_t, t = 0..years, of the discrete theta-logistic (theta-Ricker) map
    N_{t+1} = N_t exp(r (1 − (N_t/K)^θ)) [animals], counted just before each birth pulse.

    ``survival``: the annual natural survival s of sim.prey, whose births cannot be negative, so
    above K the population falls by no more than natural deaths: N_{t+1} = N_t max(exp(...), s)."""
    out = np.empty(years + 1)
    out[0] = N0
    for t in range(years):
        g = math.exp(r * (1.0 - (out[t] / K) ** theta))
        out[t + 1] = out[t] * (max(g, survival) if survival is not None else g)
    return out


@check("prey_logistic", "theory")
def check_prey_logistic(settings: Settings) -> CheckResult:
    """sim.prey alone: yearly totals vs the analytic theta-logistic trajectory."""
    from ..world.build import build_landscape
    from ..config.params import PreyParams
    from ..prey.population import PreyPopulation
    from ..config.schema import LandscapeSpec
    t0 = time.perf_counter()
    years = 30
    K_density = 2.0                             # gazelle per km²
    spec = LandscapeSpec(preset="uniform", width_km=50, height_km=50, gazelle_density=K_density,
                         saiga_density=0.0, urial_density=0.0)
    land = build_landscape(spec, REPO)
    K = K_density * land.area_km2
    g0 = GazelleParams()
    # (r_max per year, theta, start as a multiple of K, diffusion per month, tolerance)
    cases = [(0.30, 1.0, 0.02, 0.0, 1e-6), (0.30, 1.0, 1.8, 0.0, 1e-6), (0.30, 2.5, 0.02, 0.0, 1e-6),
             (1.0, 1.0, 0.02, 0.0, 1e-6), (0.30, 1.0, 0.02, g0.diffusion_per_month, 0.01)]
    curves, ok = [], True
    for r, theta, start, diff, tol in cases:
        gz = {"r_max": r, "theta": theta, "poaching_per_year": 0.0, "initial_total": start * K,
              "diffusion_per_month": diff}
        prey = PreyParams(saiga={"initial_total": 0.0}, gazelle=gz, urial={"initial_total": 0.0})
        pop = PreyPopulation(prey, land, month=0, water_gain=1.0)
        birth = prey.gazelle.birth_month
        s = prey.gazelle.annual_survival
        sim = []
        for y in range(years):
            for m in range(12):
                if m == birth:
                    sim.append(pop.totals()[1])          # just before the birth pulse
                pop.step(m, enforcement=0.0)
        sim = np.array(sim)
        # density dependence acts at the pulse, so the map holds for the pre-pulse counts; N_0 is
        # the start total after the months of natural survival before the first pulse
        n0 = start * K * s ** (birth / 12.0)
        expected = theta_logistic(n0, K, r, theta, years - 1, survival=s)
        textbook = theta_logistic(n0, K, r, theta, years - 1)
        rel = float(np.max(np.abs(sim - expected) / expected))
        rel_textbook = float(np.max(np.abs(sim - textbook) / textbook))
        ok &= rel <= tol
        edge = float(pop.N[1][0, pop.N.shape[2] // 2] / pop.N[1][pop.N.shape[1] // 2, pop.N.shape[2] // 2])
        curves.append({"r": r, "theta": theta, "start": start, "diffusion": diff, "tol": tol, "sim": sim,
                       "expected": expected, "textbook": textbook, "rel": rel, "rel_textbook": rel_textbook,
                       "edge_ratio": edge})
    fig, ax = _figure(1400, 850)
    a = ax[0, 0]
    t = np.arange(years)
    for i, cv in enumerate(curves):
        lab = (f"r_max = {cv['r']:g}/yr, θ = {cv['theta']:g}, N₀ = {cv['start']:g} K"
               + (f", diffusion {cv['diffusion']:g}/month" if cv["diffusion"] else ""))
        a.plot(t, cv["sim"] / land.area_km2, "o" if not cv["diffusion"] else "x", color=_c(i), ms=5,
               label=f"sim.prey: {lab}")
        a.plot(t, cv["expected"] / land.area_km2, "-", color=_c(i), lw=1.5, alpha=0.8)
        if cv["rel_textbook"] > 1e-6 and not cv["diffusion"]:
            a.plot(t, cv["textbook"] / land.area_km2, "--", color=_c(i), lw=1.2, alpha=0.8,
                   label="theta-logistic without the floor on births (negative recruitment)")
    a.axhline(K_density, color="grey", ls=":", label=f"capacity K = {K_density:g} animals/km²")
    a.set_xlabel("year (count just before the birth pulse in May)")
    a.set_ylabel("goitered gazelle density (animals/km²)")
    a.set_title("Prey growth: sim.prey (points) vs theta-logistic map (lines)")
    a.legend(fontsize=8, loc="upper right")
    path = _save(fig, settings, "prey_logistic")
    above = curves[1]
    dif = curves[-1]
    return CheckResult(
        name="prey_logistic", group="theory", title="Prey approach to capacity (theta-logistic)",
        compares="yearly totals of one prey species simulated by sim.prey alone vs the analytic discrete "
                 "theta-logistic trajectory N_{t+1} = N_t exp(r_max (1 − (N_t/K)^θ))",
        method=("goitered gazelle on a uniform 50 × 50 km map (K = 2 animals/km², no poaching, no water points, "
                "no environmental variation), 30 years of monthly steps; totals compared every year just before "
                "the birth pulse (density dependence acts at the pulse, and the pulse is scaled so that a year "
                "of natural survival after it gives exactly the map above, so agreement should be to rounding; "
                "N_0 is the start total after the months of survival before the first pulse). Five cases: low "
                "start, start above K, θ = 2.5, r_max = 1 (overshoot and damped oscillation), and the default "
                "diffusion between cells (the other cases have none, to test the local dynamics exactly). "
                "sim.prey's births are never negative, so above K the expected map is "
                "N_{t+1} = N_t max(exp(r_max (1 − (N_t/K)^θ)), s) with s the natural annual survival."),
        parameters=[_p("prey.gazelle.annual_survival", g0, "annual_survival"),
                    Param("prey.gazelle.r_max", "0.3 and 1.0 per year", "chosen for the check "
                          f"(default {g0.r_max:g}: {_field_info(GazelleParams, 'r_max')['source']})"),
                    Param("prey.gazelle.theta", "1 and 2.5", "chosen for the check"),
                    _p("prey.gazelle.diffusion_per_month", g0, "diffusion_per_month"),
                    Param("landscape.gazelle_density", "2 animals/km²", "chosen for the check")],
        expected="the theta-logistic trajectory of each case (births floored at zero above K)",
        tolerance="largest relative difference over all years ≤ 1e-6 per case without diffusion, ≤ 0.01 with "
                  "the default diffusion",
        observed=("largest relative differences " + ", ".join(f"{cv['rel']:.1e}" for cv in curves)
                  + f"; the start above K differs from the textbook map (no floor) by up to "
                  f"{100 * above['rel_textbook']:.1f} %"),
        passed=bool(ok), figure=path, replicates=1, seconds=time.perf_counter() - t0,
        values={"max_rel_error": max(cv["rel"] for cv in curves[:-1]), "diffusion_rel_error": dif["rel"],
                "edge_to_centre": dif["edge_ratio"]},
        notes=("With diffusion, cells at the map edge hold fewer animals than the centre "
               f"(edge/centre density {dif['edge_ratio']:.3f} after 30 years at K). The diffusion rule of "
               "sim.prey sends each cell's emigrants to its open neighbours in proportion to their K, so its "
               "stationary distribution is proportional to K_i × Σ_(neighbours) K_j rather than to K_i: cells "
               "with fewer open neighbours (map edge, along closed fences) are depleted, and the total stays "
               "slightly below ΣK."))


# ---------------------------------------------------------------------------- offtake
OFFTAKE_DENSITIES = (0.25, 0.5, 1.0, 2.0, 4.0)     # gazelle per km²


def _offtake_replicate(sc: Scenario, seed) -> dict:
    m = _run("_OfftakeModel", sc, seed)
    deaths = int(sum(m.census[f"deaths_{c}"].sum() for c in DEATH_CAUSES))
    log = m.log
    m.remove_all_agents()
    return {"log": log, "deaths": deaths}


def expected_kills(density: np.ndarray, condition: np.ndarray, p: CheetahParams, mass_kg: float,
                   preference: float, margin_kg: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Expected kills per month of solitary adults (no cubs) hunting one prey species, computed
    from the parameters: the Holling type II mean μ = 30.44 a D / (1 + a h D) with
    a = search_rate x success x (1 + hunger_effort (1 − condition)) x preference, and the expected
    kills after satiation, E[f(X)] with X ~ Poisson(μ), f(x) = x if x e ≤ want + margin else
    ceil(want / e), e = kg eaten per kill, want = need + (1 − condition) x reserve, margin = kg
    eaten from one kill of the largest prey species (the rule of
    sim.model.ReintroductionModel.hunting_phase; default e). Returns (μ, E[f(X)])."""
    from scipy.stats import poisson
    a = p.search_rate_km2_per_day * p.hunting_success * (1 + p.hunger_effort * (1 - condition)) * preference
    mu = DAYS_PER_MONTH * a * density / (1 + a * p.handling_days * density)
    e = mass_kg * p.edible_fraction * (1 - p.kleptoparasitism)
    need = p.food_kg_per_day * DAYS_PER_MONTH
    want = need + (1 - condition) * p.reserve_days * p.food_kg_per_day
    margin = e if margin_kg is None else margin_kg
    m = np.floor((want + margin) / e)            # largest count kept as drawn
    cap = np.ceil(want / e)
    x = np.arange(0, int(max(m.max(), 1)) + 1)
    pmf = poisson.pmf(x[None, :], mu[:, None])
    kept = (pmf * x[None, :] * (x[None, :] <= m[:, None])).sum(axis=1)
    over = poisson.sf(m, mu)
    return mu, kept + cap * over


@check("predator_prey_offtake", "theory")
def check_predator_prey_offtake(settings: Settings) -> CheckResult:
    """Kills per cheetah per month vs the functional response at the prey density experienced."""
    t0 = time.perf_counter()
    years = settings.n(4, 2)
    reps = settings.n(4, 1)
    base_ch = {"adult_survival_female": 1.0, "adult_survival_male": 1.0, "subadult_survival_female": 1.0,
               "subadult_survival_male": 1.0, "conception_prob_per_month": 0.0, "release_survival_wild": 1.0}
    tasks = []
    for D in OFFTAKE_DENSITIES:
        sc = uniform_scenario(f"offtake_{D:g}", years=years, size_km=150.0, cell_km=2.5, gazelle=D,
                              releases=[{"year": 1, "month": 1, "females": 6, "males": 6, "age_months": 36}],
                              cheetah=base_ch, rules={"movement": "correlated_walk"})
        tasks += [(sc, s) for s in _seeds(settings, f"offtake_{D:g}", reps)]
    out = _parallel(_offtake_replicate, tasks, settings.jobs)
    sc = tasks[0][0]
    p = sc.cheetah
    g = sc.prey.gazelle
    # the model allows one kill of the largest prey species (present or not) beyond the want
    margin = max(sp.body_mass_kg for sp in sc.prey.species().values()) * p.edible_fraction * (1 - p.kleptoparasitism)
    dens, obs, mu_all, exp_all, cond_all = [], [], [], [], []
    for o in out:
        for rec in o["log"]:
            solo = rec["members"] == 1
            d = rec["density"][solo, 1]
            mu, ex = expected_kills(d, rec["condition"][solo], p, g.body_mass_kg, g.cheetah_preference,
                                    margin)
            dens.append(d)
            obs.append(rec["kills"][solo, 1])
            mu_all.append(mu)
            exp_all.append(ex)
            cond_all.append(rec["condition"][solo])
    dens, obs, mu_all, exp_all = (np.concatenate(v) for v in (dens, obs, mu_all, exp_all))
    deaths = sum(o["deaths"] for o in out)
    ratio = obs.sum() / exp_all.sum()
    se = math.sqrt(obs.sum()) / exp_all.sum()       # Poisson-like counting error of the ratio
    tol = 0.05
    ok = abs(ratio - 1) <= tol
    edges = np.quantile(dens, np.linspace(0, 1, 13))
    bins = np.clip(np.searchsorted(edges, dens, side="right") - 1, 0, len(edges) - 2)
    bx, bo, be, bm, bse = [], [], [], [], []
    for b in range(len(edges) - 1):
        s = bins == b
        if s.sum() < 5:
            continue
        bx.append(dens[s].mean())
        bo.append(obs[s].mean())
        bse.append(obs[s].std(ddof=1) / math.sqrt(s.sum()))
        be.append(exp_all[s].mean())
        bm.append(mu_all[s].mean())
    fig, ax = _figure(1400, 850)
    a = ax[0, 0]
    grid = np.linspace(0, dens.max() * 1.05, 200)
    for i, cnd in enumerate((1.0, 0.5)):
        mu_g, ex_g = expected_kills(grid, np.full_like(grid, cnd), p, g.body_mass_kg, g.cheetah_preference,
                                    margin)
        a.plot(grid, mu_g, ":", color=_c(2 + i), lw=1.5, label=f"type II without satiation, condition {cnd:g}")
        a.plot(grid, ex_g, "-", color=_c(2 + i), lw=1.5, label=f"type II with satiation cap, condition {cnd:g}")
    a.plot(bx, be, "s", color=_c(1), ms=8, mfc="none", mew=2,
           label="expected for the densities and conditions met (binned)")
    a.errorbar(bx, bo, yerr=1.96 * np.array(bse), fmt="o", color=_c(0), ms=6, capsize=4,
               label="agent model: kills made (binned mean, 95 % CI)")
    a.set_xlabel("gazelle density in the hunting area (animals/km²)")
    a.set_ylabel("kills per cheetah per month")
    a.set_title("Offtake: agent model vs functional response")
    a.legend(fontsize=8.5, loc="lower right")
    path = _save(fig, settings, "predator_prey_offtake")
    n_um = len(obs)
    return CheckResult(
        name="predator_prey_offtake", group="theory", title="Predator–prey offtake",
        compares="kills per cheetah per month in the agent model vs the kills the type II functional response "
                 "predicts for the prey densities the cheetahs experienced, with the satiation cap of "
                 "sim.model.hunting_phase (a group stops once its need plus reserve deficit is covered)",
        method=(f"one prey species (goitered gazelle) at {', '.join(f'{d:g}' for d in OFFTAKE_DENSITIES)} "
                f"animals/km² on a fenced uniform 150 × 150 km map; 6 F + 6 M adults released, then a fixed "
                f"number of cheetahs: survival 1, conception 0, no people, no variation; {years} years × {reps} "
                "replicates per density. An instrumented model records, for each solitary hunter and month, "
                "the density in its hunting box (the functional response's input), its body condition before "
                "hunting and the kills removed from its box. The expectation is computed independently from the "
                "parameters (`expected_kills`): Poisson kills with the type II mean, hunger raising the search "
                "rate, and the satiation cap (kills drawn are kept unless they exceed the want by more than "
                f"one kill of the largest prey species, {margin:.1f} kg — urial, even where none live — else cut "
                "to ceil(want / kg per kill))."),
        parameters=[_p("cheetah.search_rate_km2_per_day", p, "search_rate_km2_per_day"),
                    _p("cheetah.handling_days", p, "handling_days"),
                    _p("cheetah.hunting_success", p, "hunting_success"),
                    _p("cheetah.hunger_effort", p, "hunger_effort"),
                    _p("cheetah.edible_fraction", p, "edible_fraction"),
                    _p("cheetah.kleptoparasitism", p, "kleptoparasitism"),
                    _p("cheetah.reserve_days", p, "reserve_days"),
                    _p("prey.gazelle.body_mass_kg", g, "body_mass_kg")],
        expected=f"total kills = Σ expected kills over {n_um} hunter-months ({exp_all.sum():.0f} kills)",
        tolerance=f"observed / expected within 1 ± {tol}",
        observed=(f"{obs.sum():.0f} kills, ratio {ratio:.3f} (± {1.96 * se:.3f}, 95 % counting error); "
                  f"{deaths} cheetah deaths (starvation) in all runs"),
        passed=bool(ok), figure=path, replicates=len(tasks), seconds=time.perf_counter() - t0,
        values={"ratio": ratio, "kills": float(obs.sum()), "expected": float(exp_all.sum()), "deaths": deaths})


# ---------------------------------------------------------------------------- movement
def _walk_model(land, max_step_cells: int, persistence: float):
    """The parts of a model that sim.walk.walk and the movement rules read."""
    from ..life.walk import WalkGeometry
    return SimpleNamespace(landscape=land, walk_geometry=WalkGeometry.build(land, max_step_cells),
                           params=SimpleNamespace(walk_persistence=persistence, walk_habitat_bias=2.0))


def crw_msd(n_steps: np.ndarray, step: float, persistence: float) -> np.ndarray:
    """Mean squared displacement after n jumps of the 8-heading correlated walk of
    sim.rules.correlated_walk: keep the heading with probability p, else a uniformly random one of
    8 (the first heading uniform). Orthogonal jumps have length ``step``, diagonal ones step·√2, so
    E|v|² = 1.5 step² and E[v_i·v_j] = p^|i−j| E|v|²:
    MSD(n) = E|v|² [n (1 + p)/(1 − p) − 2 p (1 − p^n)/(1 − p)²] (in the units of step²)."""
    n = np.asarray(n_steps, dtype=float)
    v2 = 1.5 * step * step
    p = persistence
    if p >= 1:
        return v2 * n * n
    return v2 * (n * (1 + p) / (1 - p) - 2 * p * (1 - p ** n) / (1 - p) ** 2)


@check("movement_msd", "theory")
def check_movement_msd(settings: Settings) -> CheckResult:
    """Mean squared displacement of correlated_walk (sim.walk.walk) vs the analytic CRW."""
    from .. import registry as rules
    from ..config.schema import LandscapeSpec
    from ..world.build import build_landscape
    t0 = time.perf_counter()
    p0 = CheetahParams()
    cell_km = 2.5
    step_cells = max(1, round(p0.daily_travel_km_female * DAYS_PER_MONTH / p0.walk_substeps / cell_km))
    jumps = p0.walk_substeps * settings.n(12, 6)              # one year of monthly walking
    walkers = settings.n(20000, 6000)
    size_cells = 2 * step_cells * jumps + 10
    land = build_landscape(LandscapeSpec(preset="uniform", cell_km=cell_km, width_km=size_cells * cell_km,
                                         height_km=size_cells * cell_km, fenced=True,
                                         gazelle_density=0.0), REPO)
    from ..life.walk import walk
    rule = rules.get("movement", "correlated_walk")
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(zlib.crc32(b"msd"),)))
    c0 = size_cells // 2
    curves, worst = [], 0.0
    for pers in (0.0, p0.walk_persistence, 0.9):
        model = _walk_model(land, step_cells, pers)
        rows = np.full(walkers, c0)
        cols = np.full(walkers, c0)
        heads = np.full(walkers, -1)
        steps = np.full(walkers, step_cells)
        msd = np.zeros(jumps + 1)
        for j in range(1, jumps + 1):
            rows, cols, heads, _, _ = walk(model, rows, cols, heads, steps, 1, rule, rng)
            msd[j] = np.mean(((rows - c0) ** 2 + (cols - c0) ** 2)) * cell_km ** 2
        n = np.arange(jumps + 1)
        theory = crw_msd(n, step_cells * cell_km, pers)
        rel = float(np.max(np.abs(msd[1:] - theory[1:]) / theory[1:]))
        worst = max(worst, rel)
        curves.append((pers, msd, theory, rel))
    tol = 0.05
    fig, ax = _figure(1400, 850)
    a = ax[0, 0]
    months = np.arange(jumps + 1) / p0.walk_substeps
    for i, (pers, msd, theory, rel) in enumerate(curves):
        a.plot(months[::2], msd[::2], "o", color=_c(i), ms=4, label=f"sim.walk, persistence {pers:g}")
        a.plot(months, theory, "-", color=_c(i), lw=1.5, label=f"analytic CRW, persistence {pers:g}")
    a.set_xlabel("months of walking (8 jumps a month)")
    a.set_ylabel("mean squared displacement (km²)")
    a.set_title(f"Correlated random walk: {walkers} walkers, jumps of {step_cells * cell_km:g} km")
    a.legend(fontsize=9)
    path = _save(fig, settings, "movement_msd")
    return CheckResult(
        name="movement_msd", group="theory", title="Movement: mean squared displacement",
        compares="mean squared displacement of walkers moved by sim.walk.walk with the `correlated_walk` rule "
                 "vs the analytic MSD of a correlated random walk with the same jump lengths and persistence",
        method=(f"{walkers} walkers from the centre of an open uniform map large enough never to be reached "
                f"({size_cells} × {size_cells} cells of {cell_km} km), jumps of {step_cells} cells "
                f"(female travel {p0.daily_travel_km_female} km/day × 30.44 days / {p0.walk_substeps} sub-steps), "
                f"{jumps} jumps (one year); persistence 0, {p0.walk_persistence} (default) and 0.9. Analytic: "
                "MSD(n) = E|v|² [n(1+p)/(1−p) − 2p(1−p^n)/(1−p)²], E|v|² = 1.5 (jump)² for 8 headings "
                "(diagonal jumps are √2 longer)."),
        parameters=[_p("cheetah.walk_persistence", p0, "walk_persistence"),
                    _p("cheetah.daily_travel_km_female", p0, "daily_travel_km_female"),
                    _p("cheetah.walk_substeps", p0, "walk_substeps")],
        expected="the analytic MSD after every jump",
        tolerance=f"largest relative difference over all jumps and persistences ≤ {tol}",
        observed=f"largest relative difference {worst:.4f}",
        passed=bool(worst <= tol), figure=path, replicates=walkers, seconds=time.perf_counter() - t0,
        values={"max_rel_error": worst})


# ---------------------------------------------------------------------------- fences
def fenced_landscape(rows: int, cols: int, fence_row: int, gaps: Sequence[int], cell_km: float = 2.5):
    """A uniform landscape with a west-east fence along the south edges of ``fence_row`` (gaps at
    the given columns); prey capacity 1 gazelle/km² everywhere; map edge closed."""
    from ..world.landscape import SOUTH, Fence, Landscape
    z = np.zeros((rows, cols))
    edges = np.array([(SOUTH, fence_row, c) for c in range(cols)], dtype=np.int64)
    g = np.zeros(cols, dtype=bool)
    g[list(gaps)] = True
    return Landscape(name="fence-check", cell_km=cell_km, habitat=z + 0.8, escarpment=z.astype(bool),
                     water=z.astype(bool), protection=z.copy(), human=z.copy(), road=z.astype(bool),
                     competitors=z.copy(), capacity={"saiga_summer": z + 1, "saiga_winter": z + 1,
                                                     "gazelle": z + 1, "urial": z.copy()},
                     fences=(Fence("border", edges, g),), sites={"centre": (rows // 2, cols // 2)})


@check("fence_crossing", "theory")
def check_fence_crossing(settings: Settings) -> CheckResult:
    """No walker or prey crosses closed fence edges; both pass through gaps."""
    from .. import registry as rules
    from ..config.params import PreyParams
    from ..prey.population import PreyPopulation
    from ..life.walk import walk
    t0 = time.perf_counter()
    rows, cols, fence_row = 60, 60, 29
    walkers = settings.n(4000, 1000)
    jumps = settings.n(8 * 24, 8 * 12)
    p0 = CheetahParams()
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(zlib.crc32(b"fence"),)))
    results = {}
    for label, gaps in (("closed", ()), ("gaps", (10, 30, 50))):
        land = fenced_landscape(rows, cols, fence_row, gaps)
        for rule_name in ("correlated_walk", "habitat_walk"):
            model = _walk_model(land, 4, p0.walk_persistence)
            rule = rules.get("movement", rule_name)
            r = rng.integers(0, fence_row + 1, walkers)
            c = rng.integers(0, cols, walkers)
            h = np.full(walkers, -1)
            steps = rng.integers(1, 5, walkers)                  # 1-4 cells per jump
            north = r <= fence_row
            crossings = 0
            for _ in range(jumps):
                r, c, h, _, _ = walk(model, r, c, h, steps, 1, rule, rng)
                now = r <= fence_row
                crossings += int((now != north).sum())
                north = now
            results[(label, rule_name)] = {"crossings": crossings, "south_share": float((~north).mean())}
        # prey: all gazelle start north of the fence, diffusion for `months` months
        prey = PreyParams(saiga={"initial_total": 0.0}, gazelle={"initial_total": 1000.0, "poaching_per_year": 0.0,
                                                                  "r_max": 0.0},
                          urial={"initial_total": 0.0})
        pop = PreyPopulation(prey, land, month=0, water_gain=1.0)
        pop.N[1, fence_row + 1:, :] = 0.0
        for m in range(60):
            pop.step(m % 12, enforcement=0.0)
        results[(label, "prey")] = {"south_share": float(pop.N[1, fence_row + 1:, :].sum() / pop.N[1].sum())}
    closed_ok = all(results[("closed", r)]["crossings"] == 0 for r in ("correlated_walk", "habitat_walk")) \
        and results[("closed", "prey")]["south_share"] == 0.0
    gaps_ok = all(results[("gaps", r)]["crossings"] > 0 for r in ("correlated_walk", "habitat_walk")) \
        and results[("gaps", "prey")]["south_share"] > 0.0
    fig, ax = _figure(1500, 750, ncols=2)
    a0, a1 = ax[0]
    labels = ["correlated_walk", "habitat_walk"]
    x = np.arange(2)
    for i, lab in enumerate(("closed", "gaps")):
        a0.bar(x + (i - 0.5) * 0.4, [results[(lab, r)]["crossings"] for r in labels], 0.4, color=_c(i),
               label="fence closed" if lab == "closed" else "fence with 3 gaps")
    for i, r in enumerate(labels):
        for j, lab in enumerate(("closed", "gaps")):
            v = results[(lab, r)]["crossings"]
            a0.annotate(str(v), (i + (j - 0.5) * 0.4, v), ha="center", va="bottom", fontsize=10)
    a0.set_xticks(x, labels)
    a0.set_ylabel(f"fence crossings by {walkers} walkers in {jumps // 8} months")
    a0.set_title("Cheetah walkers")
    a0.legend()
    vals = [100 * results[(lab, "prey")]["south_share"] for lab in ("closed", "gaps")]
    a1.bar([0, 1], vals, color=[_c(0), _c(1)])
    for i, v in enumerate(vals):
        a1.annotate(f"{v:.2f} %", (i, v), ha="center", va="bottom", fontsize=10)
    a1.set_xticks([0, 1], ["fence closed", "fence with 3 gaps"])
    a1.set_ylabel("gazelle south of the fence after 5 years (% of all)")
    a1.set_title("Prey diffusion")
    path = _save(fig, settings, "fence_crossing")
    obs = "; ".join(f"{lab}/{r}: {results[(lab, r)]['crossings']} crossings" for lab in ("closed", "gaps")
                    for r in labels)
    obs += (f"; prey south of the fence: closed {100 * results[('closed', 'prey')]['south_share']:.3g} %, "
            f"with gaps {100 * results[('gaps', 'prey')]['south_share']:.3g} %")
    return CheckResult(
        name="fence_crossing", group="theory", title="Fences: no crossing except at gaps",
        compares="moves across a west–east fence line by cheetah walkers (sim.walk.walk, both movement rules) "
                 "and by prey diffusion (sim.prey), with the fence closed and with 3 gaps",
        method=(f"{rows} × {cols} cells of 2.5 km, fence along the south edges of row {fence_row}; {walkers} "
                f"walkers start north of it at random, jumps of 1–4 cells (diagonal jumps included), "
                f"{jumps} jumps; a crossing is a change of side between jumps. Prey: gazelle start only north "
                "of the fence (no births), 60 months of diffusion."),
        parameters=[_p("cheetah.walk_persistence", p0, "walk_persistence"),
                    _p("cheetah.walk_habitat_bias", p0, "walk_habitat_bias"),
                    _p("prey.gazelle.diffusion_per_month", GazelleParams(), "diffusion_per_month")],
        expected="closed fence: 0 crossings and no prey south of it; with gaps: crossings > 0 and prey south",
        tolerance="exact (counts)",
        observed=obs, passed=bool(closed_ok and gaps_ok), figure=path, replicates=walkers,
        seconds=time.perf_counter() - t0,
        values={f"{k[0]}_{k[1]}": v for k, v in results.items()})


# ============================================================================ FIELD DATA
def kaplan_meier_mean(lengths: np.ndarray, observed: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean lifespan [months] from discrete-month survival data: ``lengths[i]`` is the number of
    month starts u >= 1 at which female i was seen alive after her first month as an independent
    animal (the count sim.demography.female_lifespan_after_independence averages); ``observed``
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


def _life_replicate(sc: Scenario, seed) -> dict:
    """One instrumented replicate: cub fates, female lifespans and the census."""
    m = _run("_TrackedModel", sc, seed)
    T = m.t
    ids = list(m.cub_born)
    born = np.array([m.cub_born[i] for i in ids], dtype=np.int64)
    indep = np.array([i in m.cub_indep for i in ids], dtype=bool)
    f_ids = list(m.female_indep)
    f_start = np.array([m.female_indep[i][0] for i in f_ids], dtype=np.int64)
    f_age = np.array([m.female_indep[i][1] for i in f_ids], dtype=np.int64)
    f_dead = np.array([i in m.female_death for i in f_ids], dtype=bool)
    f_end = np.array([m.female_death.get(i, T) for i in f_ids], dtype=np.int64)
    c = {k: np.asarray(v).copy() for k, v in m.census.items()}
    m.remove_all_agents()
    return {"T": T, "born": born, "indep": indep, "f_start": f_start, "f_age": f_age, "f_dead": f_dead,
            "f_end": f_end, "census": c}


@dataclass
class FieldRuns:
    """Pooled outcome of one field system's replicates."""

    scenario: Scenario
    reps: int
    cub_survival: float
    cub_ci: tuple[float, float]
    cubs_born: int
    lambda_obs: float
    lambda_ci: tuple[float, float]
    N: np.ndarray                      # (reps, years)
    lifespan_years: float
    lifespan_ci: tuple[float, float]
    lifespan_n: int
    km: np.ndarray
    deaths: dict
    census_births: int
    tracked_births: int


def _pool_field(sc: Scenario, out: list[dict], lam_years: tuple[int, int]) -> FieldRuns:
    """Cub survival (cohorts born early enough for their fate to be known), λ (log-linear fit of
    the summed N over ``lam_years``) and female lifespan after normal independence, with 95 %
    intervals from a bootstrap over replicates (litters and families are not independent)."""
    I = int(math.ceil(sc.cheetah.independence_months))

    def cub(sel):
        b = i = 0
        for o in (out[k] for k in sel):
            known = o["born"] <= o["T"] - 1 - I
            b += int(known.sum())
            i += int((o["indep"] & known).sum())
        return (i / b if b else math.nan), b

    def lam(sel):
        N = np.array([out[k]["census"]["N"] for k in sel]).sum(axis=0)
        y = np.arange(1, len(N) + 1)
        s = (y >= lam_years[0]) & (y <= lam_years[1]) & (N > 0)
        if s.sum() < 3:
            return math.nan
        return float(np.exp(np.polyfit(y[s], np.log(N[s]), 1)[0]))

    def life(sel):
        L, obs = [], []
        for o in (out[k] for k in sel):
            normal = o["f_age"] >= sc.cheetah.independence_months
            L.append((o["f_end"] - o["f_start"] - 1)[normal])
            obs.append(o["f_dead"][normal])
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

    deaths = {c: int(sum(o["census"][f"deaths_{c}"].sum() for o in out)) for c in DEATH_CAUSES}
    return FieldRuns(scenario=sc, reps=len(out), cub_survival=cs, cub_ci=ci(bc), cubs_born=born,
                     lambda_obs=lm, lambda_ci=ci(bl), N=np.array([o["census"]["N"] for o in out]),
                     lifespan_years=ls, lifespan_ci=ci(bs), lifespan_n=nf, km=S, deaths=deaths,
                     census_births=int(sum(o["census"]["births"].sum() for o in out)),
                     tracked_births=int(sum(len(o["born"]) for o in out)))


#: Serengeti lion-level competitor density [animals/km²] (cub_predation_per_competitor's source).
SERENGETI_COMPETITORS = 0.15
#: Cub survival birth → independence in the Serengeti (Laurenson 1994: 6 of 125 cubs).
SERENGETI_CUB_SURVIVAL = 0.048
#: Kgalagadi: lions were 6.7 % of cub mortality cases (Mills & Mills 2014) and cub survival about
#: 7 x the Serengeti value (≈ 0.34); the competitor density giving that share of the cub hazard.
KTP_CUB_SURVIVAL = 7 * SERENGETI_CUB_SURVIVAL
KTP_LION_SHARE = 0.067
FIELD_PREY_DENSITY = 5.0            # gazelle-sized prey per km², so that food does not limit


def ktp_competitor_density(cheetah: CheetahParams) -> float:
    """Competitor density [animals/km²] whose cub predation hazard is the lions' share of the total
    cub hazard in the Kgalagadi: 0.067 x (−ln 0.34) / independence_months / cub_predation_per_competitor."""
    total = -math.log(KTP_CUB_SURVIVAL) / cheetah.independence_months
    return KTP_LION_SHARE * total / cheetah.cub_predation_per_competitor


def field_scenario(name: str, *, years: int, competitors: float, prey_density: float = FIELD_PREY_DENSITY,
                   size_km: float = 150.0, females: int = 15, males: int = 15) -> Scenario:
    """A resident cheetah population on a fenced uniform map: prey at ``prey_density`` (gazelle-sized,
    prey-limited rules), competitors at ``competitors`` /km², no people or roads, the default
    year-to-year variation but no Ustyurt catastrophes; founders without release losses (they
    stand for an established population)."""
    return uniform_scenario(
        name, years=years, size_km=size_km, gazelle=prey_density, competitors=competitors,
        releases=[{"year": 1, "month": 1, "females": females, "males": males, "age_months": 36}],
        cheetah={"release_survival_wild": 1.0},
        environment={"ev_survival_sd": EnvironmentParams().ev_survival_sd,
                     "ev_capacity_sd": EnvironmentParams().ev_capacity_sd})


_FIELD_CACHE: dict = {}


def field_runs(settings: Settings, system: str) -> FieldRuns:
    """Run (once per validation run) the replicates of the Serengeti or Kgalagadi system."""
    key = (system, settings.quick, settings.seed)
    if key in _FIELD_CACHE:
        return _FIELD_CACHE[key]
    ch = CheetahParams()
    if system == "serengeti":
        sc = field_scenario("serengeti", years=settings.n(30, 12), competitors=SERENGETI_COMPETITORS,
                            females=30, males=30)
        reps, lam_years = settings.n(40, 6), (2, 12)
    elif system == "kgalagadi":
        sc = field_scenario("kgalagadi", years=settings.n(12, 8), competitors=ktp_competitor_density(ch))
        reps, lam_years = settings.n(24, 4), (2, 12)
    else:
        raise ValueError(f"unknown field system {system!r}")
    out = _parallel(_life_replicate, [(sc, s) for s in _seeds(settings, system, reps)], settings.jobs)
    res = _pool_field(sc, out, lam_years)
    _FIELD_CACHE[key] = res
    return res


def _field_params(sc: Scenario, extra: Sequence[Param] = ()) -> list[Param]:
    ch = sc.cheetah
    return [Param("landscape.competitor_density", f"{sc.landscape.competitor_density:.4g} animals/km²", ""),
            _p("cheetah.cub_predation_per_competitor", ch, "cub_predation_per_competitor"),
            _p("cheetah.cub_survival_base", ch, "cub_survival_base"),
            Param("landscape.gazelle_density", f"{sc.landscape.gazelle_density:g} animals/km²",
                  "assumption: abundant prey, so that food does not limit (Laurenson 1994: predation caused "
                  "73 % of Serengeti cub deaths); not a sourced density"),
            *extra,
            _p("cheetah.subadult_survival_female", ch, "subadult_survival_female"),
            _p("cheetah.adult_survival_female", ch, "adult_survival_female"),
            Param("cheetah.release_survival_wild", "1", "set for the check: the founders stand for an "
                  "established population (no release losses)")]


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
    fig, ax = _figure(1600, 750, ncols=2)
    a0, a1 = ax[0]
    vals = [fr.cub_survival, theory_cs, SERENGETI_CUB_SURVIVAL]
    a0.bar([0, 1, 2], vals, color=[_c(0), _c(1), _c(2)])
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
    a1.fill_between(yrs, q[0], q[1], color=_c(0), alpha=0.2, label="agent model, 5–95 % of runs")
    a1.plot(yrs, mean, "o-", color=_c(0), ms=4, label=f"agent model, mean (λ = {fr.lambda_obs:.3f}/yr)")
    a1.plot(yrs, mean[0] * theory_lam ** (yrs - 1), "--", color=_c(1),
            label=f"life-cycle theory λ = {theory_lam:.3f}/yr")
    a1.plot(yrs, np.full(len(yrs), mean[0]), ":", color="grey", label="no growth (λ = 1)")
    a1.set_yscale("log")
    a1.set_xlabel("census year")
    a1.set_ylabel("cheetahs alive (all ages), log scale")
    a1.set_title("Serengeti population")
    a1.legend(fontsize=9)
    path = _save(fig, settings, "serengeti_cub_survival")
    return CheckResult(
        name="serengeti_cub_survival", group="field", title="Serengeti: cub survival and no growth",
        compares="cub survival from birth to independence and the population growth rate of a Serengeti-like "
                 "system (lion-level cub predation) vs Laurenson (1994): 4.8 % (6 of 125 cubs), and Kelly et al. "
                 "(1998): a population that does not grow",
        method=(f"{fr.reps} replicates of {sc.years} years on a fenced uniform 150 × 150 km map: 30 F + 30 M adults "
                f"at the start, competitor density {SERENGETI_COMPETITORS} /km² (the lion density that "
                "cub_predation_per_competitor was derived from), abundant prey, prey-limited rules, default "
                "year-to-year variation, no people, roads or catastrophes. An instrumented model records every "
                "cub born and every cub that becomes independent (normally or as an orphan old enough to "
                "survive); survival = independent / born over cubs born early enough for their fate to be "
                f"known ({fr.cubs_born} cubs; the census counted {fr.census_births} births, the tracker "
                f"{fr.tracked_births}). λ = exp(slope of ln Σ N) over census years 2–12. 95 % intervals: "
                "bootstrap over replicates."),
        parameters=_field_params(sc) + [Param("cub survival (Serengeti)", "0.048", "Laurenson 1994; Mills & Mills 2014"),
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
    comp = sc.landscape.competitor_density
    ratio = ktp.cub_survival / ser.cub_survival if ser.cub_survival > 0 else math.inf
    rng = np.random.default_rng(3)
    theory = dem.cub_survival_to_independence(sc.cheetah, comp)
    need = 3.0
    ok = ratio >= need
    fig, ax = _figure(1300, 800)
    a = ax[0, 0]
    vals = [ser.cub_survival, ktp.cub_survival]
    a.bar([0, 1], vals, color=[_c(1), _c(0)], width=0.5, label="agent model")
    for i, f in enumerate((ser, ktp)):
        a.errorbar([i], [f.cub_survival], yerr=[[f.cub_survival - f.cub_ci[0]], [f.cub_ci[1] - f.cub_survival]],
                   fmt="none", color="black", capsize=6)
    a.plot([0, 1], [SERENGETI_CUB_SURVIVAL, KTP_CUB_SURVIVAL], "D", color=_c(2), ms=10,
           label="field: Serengeti 0.048; Kgalagadi ≈ 7 × (Mills & Mills 2014)")
    a.plot([1], [need * ser.cub_survival], "_", color="black", ms=40, mew=2, label="3 × the model's Serengeti value")
    a.set_xticks([0, 1], [f"Serengeti\n({SERENGETI_COMPETITORS} competitors/km²)",
                          f"Kgalagadi\n({comp:.4f} competitors/km²)"])
    a.set_ylabel("cub survival, birth to independence")
    a.set_title(f"Cub survival with few large competitors: ratio {ratio:.1f}")
    a.legend(fontsize=9)
    path = _save(fig, settings, "kgalagadi_cub_survival")
    del rng
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
        parameters=_field_params(sc, [Param("lions' share of KTP cub mortality", "6.7 %", "Mills & Mills 2014"),
                                      Param("KTP cub survival", "≈ 7 × 0.048", "Mills & Mills 2014 (ratio; P)")]),
        expected=(f"cub survival ≥ 3 × the Serengeti value (field ratio ≈ 7); life-cycle theory without "
                  f"starvation: {theory:.3f}"),
        tolerance="ratio Kgalagadi / Serengeti ≥ 3",
        observed=(f"Kgalagadi {ktp.cub_survival:.3f} (95 % CI {ktp.cub_ci[0]:.3f}–{ktp.cub_ci[1]:.3f}) vs Serengeti "
                  f"{ser.cub_survival:.3f}: ratio {ratio:.2f}; Kgalagadi λ = {ktp.lambda_obs:.3f}/yr"),
        passed=bool(ok), figure=path, replicates=ktp.reps, seconds=time.perf_counter() - t0,
        values={"ratio": ratio, "cub_survival": ktp.cub_survival, "theory": theory, "deaths": ktp.deaths},
        notes="Deaths by cause in the Kgalagadi runs: " + ", ".join(f"{k} {v}" for k, v in ktp.deaths.items() if v))


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
    fig, ax = _figure(1300, 800)
    a = ax[0, 0]
    S = fr.km
    u = np.arange(len(S)) / 12.0
    a.step(u, S, where="post", color=_c(0), lw=2,
           label=f"agent model (Kaplan–Meier, {fr.lifespan_n} females): mean {fr.lifespan_years:.2f} yr")
    cyc = dem.life_cycle(ch, 0.0)
    Sx = cyc.S[cyc.I: cyc.X + 1]
    a.plot(np.arange(len(Sx) + 1) / 12.0, np.concatenate([[1.0], np.cumprod(Sx)]), "--", color=_c(1), lw=2,
           label=f"life-cycle theory: mean {theory:.2f} yr")
    a.axvline(6.2, color=_c(2), ls=":", lw=2, label="Kelly et al. 1998: mean 6.2 yr")
    a.set_xlabel("years since independence")
    a.set_ylabel("share of females alive")
    a.set_title("Female survival after independence (Serengeti runs)")
    a.legend()
    path = _save(fig, settings, "female_lifespan")
    return CheckResult(
        name="female_lifespan", group="field", title="Female lifespan after independence",
        compares="mean lifespan of females after they become independent vs Kelly et al. (1998): 6.2 years in the "
                 "Serengeti",
        method=("the instrumented Serengeti runs of *serengeti_cub_survival*: every female that became independent at "
                "the normal age is followed until she dies; females alive at the end are censored; mean = Σ of the "
                "Kaplan–Meier survival at each month start after independence (the count "
                "sim.demography.female_lifespan_after_independence computes). 95 % interval: bootstrap over "
                "replicates."),
        parameters=[_p("cheetah.subadult_survival_female", ch, "subadult_survival_female"),
                    _p("cheetah.adult_survival_female", ch, "adult_survival_female"),
                    _p("cheetah.adult_months", ch, "adult_months"),
                    _p("cheetah.senescence_months", ch, "senescence_months"),
                    _p("cheetah.senescence_rate_per_year", ch, "senescence_rate_per_year"),
                    Param("mean female lifespan after independence", "6.2 yr", "Kelly et al. 1998 (Serengeti)")],
        expected=f"≈ 6.2 years (Kelly et al. 1998); life-cycle theory (no starvation) {theory:.2f} years",
        tolerance=f"{lo}–{hi} years, from at least 20 females",
        observed=(f"{fr.lifespan_years:.2f} years (95 % CI {fr.lifespan_ci[0]:.2f}–{fr.lifespan_ci[1]:.2f}) from "
                  f"{fr.lifespan_n} females; Kaplan–Meier survival at the longest follow-up {S[-1]:.3f}"),
        passed=bool(ok), figure=path, replicates=fr.reps, seconds=time.perf_counter() - t0,
        values={"lifespan_years": fr.lifespan_years, "theory": theory, "n": fr.lifespan_n})


def intake_vs_need(p: CheetahParams, mass_kg: float, density: float, cubs: int = 0, cub_age: float = 12.0,
                   condition: float = 1.0) -> tuple[float, float]:
    """(expected kg eaten, kg needed) per month of a hunting group at a prey density [animals/km²]
    by the type II response of sim.model (no satiation, no depletion): a mother with ``cubs``
    weaned cubs aged ``cub_age`` months shares one search rate, and only the handling time is
    divided by the group's need in adult units."""
    base = p.food_kg_per_day * DAYS_PER_MONTH
    frac = min(1.0, 0.3 + 0.7 * (cub_age - p.cub_weaning_months) / max(p.independence_months - p.cub_weaning_months, 1e-9))
    units = 1.0 + cubs * frac
    a = p.search_rate_km2_per_day * p.hunting_success * (1 + p.hunger_effort * (1 - condition))
    per_day = a * density / (1 + a * (p.handling_days / max(units, 1.0)) * density)
    kg = per_day * DAYS_PER_MONTH * mass_kg * p.edible_fraction * (1 - p.kleptoparasitism)
    return kg, units * base


NAMIBIA_DENSITIES = (0.2, 0.3, 0.5)       # ungulates (gazelle-sized) per km²
MARKER_MEAN_KM2 = 1651.0
NAMIBIA_RANGE_KM2 = (554.0, 7063.0)


def _home_range_replicate(sc: Scenario, seed) -> dict:
    from ..model.model import run_replicate
    c = run_replicate(sc, seed, landscape=_landscape(sc)).census
    return {k: np.asarray(c[k]) for k in ("mean_home_range_km2", "N", "resident_f", "resident_m",
                                           "deaths_starvation")}


@check("namibia_home_range", "field")
def check_namibia_home_range(settings: Settings) -> CheckResult:
    """Arid Namibia: at low prey density, home ranges of several hundred to over 1,600 km²."""
    t0 = time.perf_counter()
    years = settings.n(8, 4)
    reps = settings.n(8, 2)
    tasks = []
    scs = {}
    for d in NAMIBIA_DENSITIES:
        sc = uniform_scenario(f"namibia_{d:g}", years=years, size_km=300.0, cell_km=2.5, gazelle=d,
                              releases=[{"year": 1, "month": 1, "females": 10, "males": 10, "age_months": 36}],
                              cheetah={"release_survival_wild": 1.0},
                              environment={"ev_survival_sd": EnvironmentParams().ev_survival_sd,
                                           "ev_capacity_sd": EnvironmentParams().ev_capacity_sd})
        scs[d] = sc
        tasks += [(sc, s) for s in _seeds(settings, f"namibia_{d:g}", reps)]
    out = _parallel(_home_range_replicate, tasks, settings.jobs)
    per = {}
    for k, d in enumerate(NAMIBIA_DENSITIES):
        hr = np.array([o["mean_home_range_km2"] for o in out[k * reps:(k + 1) * reps]])[:, 1:]   # years 2..
        res = np.array([o["resident_f"] + o["resident_m"] for o in out[k * reps:(k + 1) * reps]])[:, 1:]
        w = np.where(np.isfinite(hr), res, 0)
        mean = float((np.nan_to_num(hr) * w).sum() / w.sum()) if w.sum() else math.nan
        per[d] = {"mean": mean, "q": np.nanpercentile(hr, [5, 95]) if np.isfinite(hr).any() else (math.nan,) * 2,
                  "residents": float(res.mean()),
                  "starved": int(sum(o["deaths_starvation"].sum() for o in out[k * reps:(k + 1) * reps]))}
    overall = float(np.nanmean([v["mean"] for v in per.values()]))
    ok_each = all(NAMIBIA_RANGE_KM2[0] <= v["mean"] <= NAMIBIA_RANGE_KM2[1] for v in per.values())
    ok_mean = MARKER_MEAN_KM2 / 2 <= overall <= MARKER_MEAN_KM2 * 2
    p = scs[NAMIBIA_DENSITIES[0]].cheetah
    fig, ax = _figure(1300, 800)
    a = ax[0, 0]
    x = np.array(NAMIBIA_DENSITIES)
    m = np.array([per[d]["mean"] for d in x])
    q = np.array([per[d]["q"] for d in x])
    a.errorbar(x, m, yerr=[m - q[:, 0], q[:, 1] - m], fmt="o-", color=_c(0), ms=8, capsize=5,
               label="agent model: mean resident home range (5–95 % of yearly run means)")
    a.axhline(MARKER_MEAN_KM2, color=_c(1), ls="--", lw=2, label="Marker et al. 2008: mean 1,651 km²")
    a.axhspan(MARKER_MEAN_KM2 / 2, MARKER_MEAN_KM2 * 2, color=_c(1), alpha=0.1, label="tolerance for the mean: ×/÷ 2")
    a.axhspan(*NAMIBIA_RANGE_KM2, color="grey", alpha=0.08, label="central Namibia 554–7,063 km² (Hunter)")
    a.axhline(math.pi * p.home_range_radius_max_km ** 2, color="black", ls=":",
              label=f"model's largest home range (radius {p.home_range_radius_max_km:g} km)")
    a.set_xlabel("prey density (gazelle-sized ungulates per km²)")
    a.set_ylabel("home-range area (km²)")
    a.set_title("Home ranges at low prey density (arid Namibia)")
    a.legend(fontsize=8.5)
    path = _save(fig, settings, "namibia_home_range")
    return CheckResult(
        name="namibia_home_range", group="field", title="Arid Namibia: home-range size at low prey density",
        compares="mean home-range area of resident cheetahs at low prey density vs Marker et al. (2008): mean "
                 "1,651 km² (SD 1,594) on north-central Namibian farmland, and 554–7,063 km² in central Namibia",
        method=(f"{reps} replicates × {years} years per prey density ({', '.join(f'{d:g}' for d in NAMIBIA_DENSITIES)} "
                "gazelle-sized ungulates/km²) on a fenced uniform 300 × 300 km map, 10 F + 10 M at the start, "
                "prey-limited rules, no competitors, people or roads, default year-to-year variation. The census "
                "reports the mean home-range area of residents each December; mean over years 2–end weighted by "
                "the number of residents. Ranges are sized so that their prey can sustain the resident "
                "(offtake_fraction_per_year of the prey biomass in range)."),
        parameters=[_p("cheetah.offtake_fraction_per_year", p, "offtake_fraction_per_year"),
                    _p("cheetah.food_kg_per_day", p, "food_kg_per_day"),
                    _p("cheetah.edible_fraction", p, "edible_fraction"),
                    _p("cheetah.home_range_radius_max_km", p, "home_range_radius_max_km"),
                    _p("prey.gazelle.body_mass_kg", GazelleParams(), "body_mass_kg"),
                    Param("landscape.gazelle_density", "0.2, 0.3, 0.5 animals/km²",
                          "assumption: 'low prey density' of arid farmland (no sourced density in parameters.md)")],
        expected="several hundred to over 1,600 km²: Marker et al. 2008 mean 1,651 km²; central Namibia 554–7,063 km²",
        tolerance=(f"each density's mean within {NAMIBIA_RANGE_KM2[0]:,.0f}–{NAMIBIA_RANGE_KM2[1]:,.0f} km², and the "
                   f"mean over the three densities within a factor 2 of 1,651 km² ({MARKER_MEAN_KM2 / 2:,.0f}–"
                   f"{MARKER_MEAN_KM2 * 2:,.0f} km²)"),
        observed=("; ".join(f"{d:g}/km²: {per[d]['mean']:,.0f} km² ({per[d]['residents']:.1f} residents, "
                            f"{per[d]['starved']} starved)" for d in NAMIBIA_DENSITIES)
                  + f"; mean {overall:,.0f} km²"),
        passed=bool(ok_each and ok_mean), figure=path, replicates=reps * len(NAMIBIA_DENSITIES),
        seconds=time.perf_counter() - t0,
        values={"per_density": {d: v["mean"] for d, v in per.items()}, "mean": overall},
        notes=_namibia_diagnosis(p, GazelleParams().body_mass_kg))


def _namibia_diagnosis(p: CheetahParams, mass_kg: float) -> str:
    """Intake against need at the Namibian densities (and 1/km²), from the type II response."""
    parts = []
    for d in (*NAMIBIA_DENSITIES, 1.0):
        solo, need1 = intake_vs_need(p, mass_kg, d)
        hungry, _ = intake_vs_need(p, mass_kg, d, condition=0.0)
        fam, needf = intake_vs_need(p, mass_kg, d, cubs=3, cub_age=12)
        famh, _ = intake_vs_need(p, mass_kg, d, cubs=3, cub_age=12, condition=0.0)
        parts.append(f"{d:g}/km²: solitary {solo:.0f} kg ({hungry:.0f} at condition 0) vs need {need1:.0f} kg; "
                     f"mother with 3 cubs of 12 months {fam:.0f} kg ({famh:.0f}) vs {needf:.0f} kg")
    return ("Intake against need per month from the type II response of the model (no depletion, no "
            "satiation): " + "; ".join(parts) + ". A group's kills depend on the prey density, not on the "
            "size of its range, and a mother with cubs searches at a single cheetah's rate (only the handling "
            "time is shared), so below about 0.5 gazelle-sized prey/km² cheetahs cannot meet their need "
            "however large their range, and families starve at higher densities still.")


#: Ustyurt saiga, Kazakh spring aerial counts (parameters.md §6.1): year -> animals.
SAIGA_COUNTS = {2016: 1900, 2019: 5900, 2021: 12000, 2022: 28000, 2023: 39700, 2024: 63600}


def _spring_count_model():
    _model_classes()
    from ..model.model import ReintroductionModel
    if "_SpringCountModel" not in globals():
        class SpringCountModel(ReintroductionModel):
            """Records the saiga total at the start of May (before calving) every year."""

            def __init__(self, *a, **kw) -> None:
                super().__init__(*a, **kw)
                self.spring = []

            def step(self) -> None:
                if self.month == SaigaParams().birth_month:
                    self.spring.append(float(self.prey.totals()[0]))
                super().step()

        globals()["_SpringCountModel"] = SpringCountModel


def _saiga_replicate(sc: Scenario, seed) -> np.ndarray:
    _spring_count_model()
    m = _run("_SpringCountModel", sc, seed)
    out = np.array(m.spring)
    m.remove_all_agents()
    return out


@check("ustyurt_saiga_recovery", "field")
def check_saiga_recovery(settings: Settings) -> CheckResult:
    """Ustyurt saiga from the 2016 count (~1,900) to the 2024 order of magnitude (63,600)."""
    from ..config.loading import load_scenarios
    t0 = time.perf_counter()
    reps = settings.n(40, 6)
    base = [s for s, _ in load_scenarios([REPO / "scenarios" / "baseline.yaml"])][0]

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
    seeds = _seeds(settings, "saiga", reps)
    res = _parallel(_saiga_replicate, [(sc, s) for s in seeds] + [(proj, s) for s in seeds], settings.jobs)
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
    fig, ax = _figure(1300, 800)
    a = ax[0, 0]
    for i, (o, lab) in enumerate(((out, "hindcast: no die-off"), (out_proj, "projection: default die-off risk"))):
        qq = np.percentile(o, [5, 50, 95], axis=0)
        a.fill_between(years, qq[0], qq[2], color=_c(2 * i), alpha=0.15, label=f"model {lab}, 5–95 % of runs")
        a.plot(years, qq[1], "-" if i == 0 else "--", color=_c(2 * i), lw=2, label=f"model {lab}, median")
    ky = np.array(list(SAIGA_COUNTS))
    a.plot(ky, [SAIGA_COUNTS[y] for y in ky], "D", color=_c(1), ms=9, label="Kazakh aerial counts (spring)")
    a.fill_between([2023.8, 2024.2], lo, hi, color="grey", alpha=0.3, label="tolerance for 2024")
    a.set_yscale("log")
    a.set_xlabel("year (count before calving, April–May)")
    a.set_ylabel("saiga on the Ustyurt (animals), log scale")
    a.set_title("Ustyurt saiga recovery 2016–2024")
    a.legend(fontsize=9)
    path = _save(fig, settings, "ustyurt_saiga_recovery")
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
        parameters=[_p("prey.saiga.r_max", s, "r_max"), _p("prey.saiga.annual_survival", s, "annual_survival"),
                    _p("prey.saiga.male_extra_mortality", s, "male_extra_mortality"),
                    _p("prey.saiga.poaching_per_year", s, "poaching_per_year"),
                    _p("management.enforcement", sc.management, "enforcement"),
                    _p("environment.harsh_winter_prob", sc.environment, "harsh_winter_prob"),
                    _p("prey.saiga.harsh_winter_mortality", s, "harsh_winter_mortality"),
                    Param("environment.saiga_die_off_prob", "0 (hindcast); "
                          f"{proj.environment.saiga_die_off_prob:g} per year (projection)",
                          _field_info(EnvironmentParams, "saiga_die_off_prob")["source"]),
                    Param("prey.saiga.initial_total", "1,900 animals", "Zuther & Salemgareev 2016 (2016 count, G)")],
        expected=f"tens of thousands by 2024 (63,600 counted; Altyn Dala 2024): {growth_obs:.2f}× a year on average",
        tolerance=f"median of the 2024 hindcast counts within {lo:,.0f}–{hi:,.0f}",
        observed=(f"hindcast median {med:,.0f} (5–95 %: {q5:,.0f}–{q95:,.0f}; {growth_model:.2f}× a year); "
                  f"projection with die-offs median {med_p:,.0f} (5–95 %: {p5:,.0f}–{p95:,.0f})"),
        passed=bool(ok), figure=path, replicates=2 * reps, seconds=time.perf_counter() - t0,
        values={"median_2024": med, "q05": float(q5), "q95": float(q95), "median_2024_projection": med_p,
                "growth_model": growth_model, "growth_observed": growth_obs})


# ============================================================================ SENSITIVITY
@dataclass(frozen=True)
class SensParam:
    """One parameter varied one at a time: dotted scenario path, low and high values, why."""

    path: str
    base: float
    low: float
    high: float
    range_source: str


def _bounds(cls, name: str) -> tuple[float, float]:
    lo, hi = -math.inf, math.inf
    for m in cls.model_fields[name].metadata:
        lo = max(lo, getattr(m, "ge", None) if getattr(m, "ge", None) is not None else -math.inf)
        lo = max(lo, getattr(m, "gt", None) if getattr(m, "gt", None) is not None else -math.inf)
        hi = min(hi, getattr(m, "le", None) if getattr(m, "le", None) is not None else math.inf)
        hi = min(hi, getattr(m, "lt", None) if getattr(m, "lt", None) is not None else math.inf)
    return lo, hi


def sensitivity_parameters(sc: Scenario) -> list[SensParam]:
    """The main parameters of a scenario and their sensitivity ranges: every field with a ``sens``
    range in sim/params.py (its json_schema_extra), plus each prey species' r_max and
    initial_total (±20 % of the scenario's value where no ``sens`` range is given)."""
    groups = [("cheetah", sc.cheetah), ("environment", sc.environment), ("management", sc.management)]
    groups += [(f"prey.{sp}", getattr(sc.prey, sp)) for sp in SPECIES]
    out: list[SensParam] = []
    for prefix, obj in groups:
        cls = type(obj)
        for name in cls.model_fields:
            info = cls.model_fields[name]
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            sens = extra.get("sens")
            forced = prefix.startswith("prey.") and name in ("r_max", "initial_total")
            if sens is None and not forced:
                continue
            base = getattr(obj, name)
            if sens is not None:
                lo, hi, why = float(sens[0]), float(sens[1]), "`sens` range in sim/params.py"
            else:
                lo, hi, why = 0.8 * base, 1.2 * base, "±20 % of the scenario value"
                blo, bhi = _bounds(cls, name)
                lo, hi = max(lo, blo), min(hi, bhi)
            if info.annotation is int:
                lo, hi = int(round(lo)), int(round(hi))
            out.append(SensParam(f"{prefix}.{name}", float(base), lo, hi, why))
    return out


def _with(sc: Scenario, path: str, value, name: str) -> Scenario:
    data = sc.model_dump()
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value
    data["name"] = name
    return Scenario.model_validate(data)


def _sens_replicate(sc: Scenario, seed) -> tuple[float, float]:
    """(extant at the horizon 0/1, the run's stochastic r = mean annual ln(N_t+1/N_t)).

    The run stops at the first census with no cheetah alive and no release still to come: the
    rest of its census is then known (N = 0, not extant), and only the prey would still change."""
    from ..model.model import ReintroductionModel
    from ..analysis.stats import annual_log_growth
    m = ReintroductionModel(sc, _landscape(sc), rng=np.random.default_rng(seed))
    for _ in range(sc.years * 12):
        m.step()
        if m.month == 0 and len(m.agents) == 0 and not m.schedule.releases_after(m.year - 1):
            break
    c = m.census
    r = annual_log_growth({k: np.asarray(v)[None, :] for k, v in c.items()})[0]
    r = r[np.isfinite(r)]
    m.remove_all_agents()
    return float(c["extant"][-1] >= 0.5), (float(r.mean()) if r.size else math.nan)


@check("sensitivity", "sensitivity")
def check_sensitivity(settings: Settings) -> CheckResult:
    """One-at-a-time sensitivity of P(persist) and stochastic r in the baseline scenario."""
    from ..config.loading import load_scenarios
    t0 = time.perf_counter()
    base = [s for s, _ in load_scenarios([REPO / "scenarios" / "baseline.yaml"])][0]
    if settings.quick:
        base = _with(base, "years", 5, base.name)
    reps = settings.n(24, 2)
    params = sensitivity_parameters(base)
    variants = [base]
    for sp in params:
        for tag, v in (("lo", sp.low), ("hi", sp.high)):
            variants.append(_with(base, sp.path, v, f"sens_{sp.path}_{tag}"))
    # common random numbers: replicate i of every variant uses the same seed
    seeds = _seeds(settings, "sensitivity", reps)
    tasks = [(v, s) for v in variants for s in seeds]
    res = np.array(_parallel(_sens_replicate, tasks, settings.jobs), dtype=float).reshape(len(variants), reps, 2)
    ext, r = res[..., 0], res[..., 1]

    def paired(x: np.ndarray, x0: np.ndarray) -> tuple[float, float]:
        d = x - x0
        d = d[np.isfinite(d)]
        if d.size == 0:
            return math.nan, math.nan
        return float(d.mean()), (1.96 * float(d.std(ddof=1)) / math.sqrt(d.size) if d.size > 1 else math.nan)

    rows = []
    for k, sp in enumerate(params):
        lo_i, hi_i = 1 + 2 * k, 2 + 2 * k
        rows.append({"param": sp, "dP_lo": paired(ext[lo_i], ext[0]), "dP_hi": paired(ext[hi_i], ext[0]),
                     "dr_lo": paired(r[lo_i], r[0]), "dr_hi": paired(r[hi_i], r[0])})

    def size(row):
        v = [abs(row["dr_lo"][0]), abs(row["dr_hi"][0])]
        v = [x for x in v if np.isfinite(x)]
        return max(v) if v else 0.0

    rows.sort(key=size, reverse=True)
    p0 = float(ext[0].mean())
    r0 = float(np.nanmean(r[0]))
    plo, phi = wilson(int(ext[0].sum()), reps)
    fig, ax = _figure(1700, 120 + 34 * len(rows), ncols=2, sharey=True)
    a0, a1 = ax[0]
    y = np.arange(len(rows))[::-1]
    labels = []
    for row in rows:
        sp = row["param"]
        fmt = "{:g}" if abs(sp.low) < 1e4 else "{:,.0f}"
        labels.append(f"{sp.path}  ({fmt.format(sp.low)} / {fmt.format(sp.high)})")
    for a, key, title, xl in ((a0, "dP", "P(persist) at the horizon", f"change in P(persist) at year {base.years}"),
                              (a1, "dr", "stochastic growth rate r", "change in mean r (per year)")):
        for j, (tag, col, lab) in enumerate((("lo", _c(0), "low value"), ("hi", _c(1), "high value"))):
            m = np.array([row[f"{key}_{tag}"][0] for row in rows])
            e = np.array([row[f"{key}_{tag}"][1] for row in rows])
            a.barh(y + (0.2 if tag == "lo" else -0.2), np.nan_to_num(m), 0.4, color=col, label=lab,
                   xerr=np.nan_to_num(e), error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#555555"})
        a.axvline(0, color="black", lw=0.8)
        a.set_xlabel(xl)
        a.set_title(title)
        a.legend(loc="lower right", fontsize=9)
    a0.set_yticks(y, labels, fontsize=8)
    if not ext.any() or ext.all():
        a0.text(0.5, 0.5, f"P(persist) = {ext.mean():.0f} in every run of the baseline and of every variant:\n"
                "this measure cannot move here; read the growth rate (right)",
                transform=a0.transAxes, ha="center", va="center", fontsize=10, color="#444444",
                bbox={"facecolor": "white", "edgecolor": "#bbbbbb"})
    path = _save(fig, settings, "sensitivity")
    top = rows[:5]
    top_txt = "; ".join(f"{row['param'].path}: Δr {row['dr_lo'][0]:+.3f} / {row['dr_hi'][0]:+.3f}" for row in top)
    maxdp = max((abs(row[k][0]) for row in rows for k in ("dP_lo", "dP_hi") if np.isfinite(row[k][0])), default=0.0)
    n_ok = int(np.isfinite(r).sum())
    return CheckResult(
        name="sensitivity", group="sensitivity", title="Sensitivity of the baseline scenario (tornado)",
        compares="change in P(persist) at the horizon and in the stochastic growth rate r of the baseline scenario "
                 "when each main parameter is set to the low or the high end of its range, one at a time",
        method=(f"scenarios/baseline.yaml ({base.years} years); {len(params)} parameters: every field with a `sens` "
                "range in sim/params.py plus each prey species' r_max and initial_total (±20 % where no range is "
                f"given). {reps} replicates per variant with common random numbers (replicate i of every variant "
                "uses the same seed), so differences are paired; error bars: 95 % normal intervals of the paired "
                "mean difference. r of a run = mean over its years of ln(N_t+1/N_t) while N > 0 (sim.stats). "
                f"With {reps} replicates a change in P(persist) smaller than about {1.96 * 0.5 / math.sqrt(reps):.2f} "
                "cannot be told from zero."),
        parameters=[Param(sp.path, f"{sp.low:g} / {sp.base:g} / {sp.high:g} (low / base / high)", sp.range_source)
                    for sp in params],
        expected="descriptive (no expected value): which parameters move persistence and growth most",
        tolerance="all variants run",
        observed=(f"baseline P(persist) = {p0:.2f} (95 % CI {plo:.2f}–{phi:.2f}), mean r = {r0:+.3f}/yr; largest "
                  f"|ΔP(persist)| {maxdp:.2f}; top parameters by |Δr|: {top_txt}"),
        passed=bool(n_ok > 0), figure=path, replicates=reps * len(variants), seconds=time.perf_counter() - t0,
        values={"rows": [{"path": row["param"].path, **{k: row[k] for k in ("dP_lo", "dP_hi", "dr_lo", "dr_hi")}}
                         for row in rows], "p_persist": p0, "r": r0})


# ============================================================================ report
def _git() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)docs/validation.md", ":(exclude)docs/figures/validation"],
                               cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    if not head:
        return "unknown (not a git checkout)"
    return head + (" with uncommitted changes" if dirty else "")


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


GROUP_TITLES = {"theory": "Theory: submodels against analytic results",
                "field": "Field data: patterns the model must reproduce",
                "sensitivity": "Sensitivity"}


def render_report(results: list[CheckResult], out: Path, *, settings: Settings, seconds: float,
                  command: str) -> str:
    """The markdown of docs/validation.md from the check records of this run."""
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    n_pass = sum(r.passed for r in results)
    lines = [
        "# Validation",
        "",
        "<!-- GENERATED by `python -m sim.validation` (make validate); do not edit by hand. -->",
        "",
        "The model checked against theory (its submodels against analytic results) and against field data "
        "(patterns from cheetah and saiga studies it must reproduce with parameters set for that system), "
        "with a one-at-a-time sensitivity analysis of the baseline scenario. Every section below is written "
        "by `sim/validation.py` from the run it reports; figures are in `figures/validation/`. Sources of "
        "parameters: `docs/parameters.md` (generated from `sim/params.py`) and the parameter dossier "
        "(`research/parameters.md`). A failing check is reported as FAIL and left failing: it documents "
        "what the model gets wrong.",
        "",
        "## Last run",
        "",
        f"- date: {now}",
        f"- git commit: {_git()}",
        f"- command: `{command}`",
        f"- mode: {'quick (reduced replicates and horizons; not for reading)' if settings.quick else 'full'}; "
        f"root seed {settings.seed}; {settings.jobs} worker process(es)",
        f"- run time: {seconds / 60:.1f} min ({seconds:.0f} s)",
        f"- Python {platform.python_version()}, numpy {np.__version__}, machine {platform.machine()}",
        f"- result: **{n_pass} of {len(results)} checks pass**",
        "",
        "| check | group | expected | observed | result |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| [{r.title}](#{r.name.replace('_', '-')}) | {r.group} | {_md_escape(r.expected)} | "
                     f"{_md_escape(r.observed)} | {'PASS' if r.passed else '**FAIL**'} |")
    for group, title in GROUP_TITLES.items():
        rs = [r for r in results if r.group == group]
        if not rs:
            continue
        lines += ["", f"## {title}"]
        for r in rs:
            lines += ["", f"<a id=\"{r.name.replace('_', '-')}\"></a>", f"### {r.title}", "",
                      f"**Result: {'PASS' if r.passed else 'FAIL'}** (check `{r.name}`; {r.replicates} "
                      f"replicates/units; {r.seconds:.0f} s)", "",
                      f"- **Compared:** {r.compares}.",
                      f"- **How:** {r.method}",
                      f"- **Expected:** {r.expected}.",
                      f"- **Tolerance:** {r.tolerance}.",
                      f"- **Observed:** {r.observed}."]
            if r.notes:
                lines.append(f"- **Notes:** {r.notes}")
            lines += ["", "Parameters used:", "", "| parameter | value | source |", "|---|---|---|"]
            for p in r.parameters:
                lines.append(f"| `{p.name}` | {_md_escape(p.value)} | {_md_escape(p.source) or '—'} |")
            if r.figure is not None:
                rel = os.path.relpath(r.figure, out.parent)
                lines += ["", f"![{r.title}]({rel.replace(os.sep, '/')})"]
    lines.append("")
    return "\n".join(lines)


def run_checks(names: Sequence[str] | None, settings: Settings, *, progress: bool = True) -> list[CheckResult]:
    """Run the named checks (all if None) in registration order; a check that raises becomes a
    failed record carrying the error, so one broken check does not lose the others."""
    import traceback
    names = list(CHECKS) if not names else list(names)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise KeyError(f"unknown check(s): {', '.join(unknown)}; available: {', '.join(CHECKS)}")
    _FIELD_CACHE.clear()
    results = []
    for name in (n for n in CHECKS if n in names):
        chk = CHECKS[name]
        t0 = time.perf_counter()
        if progress:
            print(f"[validation] {name} ...", file=sys.stderr, flush=True)
        try:
            res = chk.fn(settings)
        except Exception as e:  # a check's crash is a failed check, reported with its traceback
            res = CheckResult(name=name, group=chk.group, title=name.replace("_", " "),
                              compares="(the check raised before it could compare anything)", method="—",
                              parameters=[], expected="—", tolerance="—",
                              observed=f"ERROR {type(e).__name__}: {e}", passed=False,
                              seconds=time.perf_counter() - t0, notes=traceback.format_exc().replace("\n", " ⏎ "))
        if progress:
            print(f"[validation] {name}: {'PASS' if res.passed else 'FAIL'} ({res.seconds:.0f} s) — "
                  f"{res.observed}", file=sys.stderr, flush=True)
        results.append(res)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.validation",
                                 description="Run the validation checks and write docs/validation.md.")
    ap.add_argument("--out", default="docs/validation.md", help="markdown report to write (figures go to "
                    "<its folder>/figures/validation/); default docs/validation.md")
    ap.add_argument("--quick", action="store_true", help="few replicates and short horizons (tests)")
    ap.add_argument("--only", action="append", default=None, metavar="NAME",
                    help=f"run only this check (repeat or comma-separate); checks: {', '.join(CHECKS)}")
    ap.add_argument("--strict", action="store_true", help="exit with status 1 if any check fails")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs available)")
    ap.add_argument("--seed", type=int, default=20250, help="root seed of every check (default 20250)")
    args = ap.parse_args(argv)
    names = [n.strip() for part in (args.only or []) for n in part.split(",") if n.strip()] or None
    if names:
        unknown = [n for n in names if n not in CHECKS]
        if unknown:
            print(f"error: unknown check(s) {', '.join(unknown)}; available: {', '.join(CHECKS)}", file=sys.stderr)
            return 2
    jobs = args.jobs
    if jobs is None:
        try:
            jobs = len(os.sched_getaffinity(0))
        except AttributeError:
            jobs = os.cpu_count() or 1
    if jobs < 1:
        print("error: --jobs must be >= 1", file=sys.stderr)
        return 2
    out = Path(args.out)
    settings = Settings(fig_dir=out.parent / "figures" / "validation", quick=args.quick, jobs=jobs, seed=args.seed)
    t0 = time.perf_counter()
    results = run_checks(names, settings)
    seconds = time.perf_counter() - t0
    command = "python -m sim.validation " + " ".join(sys.argv[1:] if argv is None else argv)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(results, out, settings=settings, seconds=seconds, command=command.strip()),
                   encoding="utf-8")
    failed = [r.name for r in results if not r.passed]
    print(f"[validation] {len(results) - len(failed)} of {len(results)} checks pass"
          + (f"; FAIL: {', '.join(failed)}" if failed else "") + f"; report: {out} ({seconds:.0f} s)",
          file=sys.stderr)
    return 1 if (failed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
