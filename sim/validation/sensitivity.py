"""Sensitivity check *sensitivity*: one-at-a-time changes of the main parameters of the baseline
scenario (every field with a ``sens`` range, plus each prey species' r_max and initial_total) and
their effect on P(persist) at the horizon and on the stochastic growth rate r (a tornado chart)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..config.params import SPECIES
from ..config.schema import Scenario
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, baseline_scenario, check, check_seeds, new_figure,
                     parallel_map, save_figure, wilson)
from .instrumented import run_until_extinct


@dataclass(frozen=True)
class SensParam:
    """One parameter varied one at a time: dotted scenario path, low and high values, why."""

    path: str
    base: float
    low: float
    high: float
    range_source: str


def _bounds(cls, name: str) -> tuple[float, float]:
    """The (lower, upper) bounds that the pydantic constraints (ge, gt, le, lt) of field ``name`` allow."""
    lo, hi = -math.inf, math.inf
    for m in cls.model_fields[name].metadata:
        lo = max(lo, getattr(m, "ge", None) if getattr(m, "ge", None) is not None else -math.inf)
        lo = max(lo, getattr(m, "gt", None) if getattr(m, "gt", None) is not None else -math.inf)
        hi = min(hi, getattr(m, "le", None) if getattr(m, "le", None) is not None else math.inf)
        hi = min(hi, getattr(m, "lt", None) if getattr(m, "lt", None) is not None else math.inf)
    return lo, hi


def sensitivity_parameters(sc: Scenario) -> list[SensParam]:
    """The main parameters of a scenario and their sensitivity ranges: every field with a ``sens``
    range in sim/config/params.py (its json_schema_extra), plus each prey species' r_max and
    initial_total (±20 % of the scenario's value where no ``sens`` range is given; an
    initial_total of None, i.e. at capacity, is skipped), and the tolai hare's capacity
    multiplier (0.5–2: tolai density on Ustyurt is unconfirmed, the Cape hare proxy spans 2.1–8.0
    /km², Chammem et al. 2017)."""
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
            hare_k = prefix == "prey.hare" and name == "capacity_multiplier"
            base = getattr(obj, name)
            if (sens is None and not forced and not hare_k) or base is None:
                continue
            if hare_k:
                lo, hi, why = 0.5 * base, 2.0 * base, "tolai density unconfirmed (Cape hare proxy 2.1–8.0 /km²)"
            elif sens is not None:
                lo, hi, why = float(sens[0]), float(sens[1]), "`sens` range in sim/config/params.py"
            else:
                lo, hi, why = 0.8 * base, 1.2 * base, "±20 % of the scenario value"
                blo, bhi = _bounds(cls, name)
                lo, hi = max(lo, blo), min(hi, bhi)
            if info.annotation is int:
                lo, hi = int(round(lo)), int(round(hi))
            out.append(SensParam(f"{prefix}.{name}", float(base), lo, hi, why))
    return out


def _with(sc: Scenario, path: str, value, name: str) -> Scenario:
    """A copy of ``sc`` named ``name`` with the value at the dotted ``path`` set (and validated)."""
    data = sc.model_dump()
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value
    data["name"] = name
    return Scenario.model_validate(data)


def _sens_replicate(sc: Scenario, seed) -> tuple[float, float]:
    """(extant at the horizon 0/1, the run's stochastic r = mean annual ln(N_t+1/N_t)); the run
    stops once the cheetahs are extinct for good (:func:`.instrumented.run_until_extinct`)."""
    from ..analysis.stats import annual_log_growth
    c = run_until_extinct(sc, seed)
    r = annual_log_growth({k: np.asarray(v)[None, :] for k, v in c.items()})[0]
    r = r[np.isfinite(r)]
    return float(c["extant"][-1] >= 0.5), (float(r.mean()) if r.size else math.nan)


@check("sensitivity", "sensitivity")
def check_sensitivity(settings: Settings) -> CheckResult:
    """One-at-a-time sensitivity of P(persist) and stochastic r in the baseline scenario."""
    t0 = time.perf_counter()
    base = baseline_scenario()
    if settings.quick:
        base = _with(base, "years", 5, base.name)
    reps = settings.n(24, 2)
    params = sensitivity_parameters(base)
    variants = [base]
    for sp in params:
        for tag, v in (("lo", sp.low), ("hi", sp.high)):
            variants.append(_with(base, sp.path, v, f"sens_{sp.path}_{tag}"))
    # common random numbers: replicate i of every variant uses the same seed
    seeds = check_seeds(settings, "sensitivity", reps)
    tasks = [(v, s) for v in variants for s in seeds]
    res = np.array(parallel_map(_sens_replicate, tasks, settings.jobs), dtype=float).reshape(len(variants), reps, 2)
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
    fig, ax = new_figure(1700, 120 + 34 * len(rows), ncols=2, sharey=True)
    a0, a1 = ax[0]
    y = np.arange(len(rows))[::-1]
    labels = []
    for row in rows:
        sp = row["param"]
        fmt = "{:g}" if abs(sp.low) < 1e4 else "{:,.0f}"
        labels.append(f"{sp.path}  ({fmt.format(sp.low)} / {fmt.format(sp.high)})")
    for a, key, title, xl in ((a0, "dP", "P(persist) at the horizon", f"change in P(persist) at year {base.years}"),
                              (a1, "dr", "stochastic growth rate r", "change in mean r (per year)")):
        for j, (tag, col, lab) in enumerate((("lo", colour(0), "low value"), ("hi", colour(1), "high value"))):
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
    path = save_figure(fig, settings, "sensitivity")
    top = rows[:5]
    top_txt = "; ".join(f"{row['param'].path}: Δr {row['dr_lo'][0]:+.3f} / {row['dr_hi'][0]:+.3f}" for row in top)
    maxdp = max((abs(row[k][0]) for row in rows for k in ("dP_lo", "dP_hi") if np.isfinite(row[k][0])), default=0.0)
    n_ok = int(np.isfinite(r).sum())
    return CheckResult(
        name="sensitivity", group="sensitivity", title="Sensitivity of the baseline scenario (tornado)",
        compares="change in P(persist) at the horizon and in the stochastic growth rate r of the baseline scenario "
                 "when each main parameter is set to the low or the high end of its range, one at a time",
        method=(f"scenarios/baseline.yaml ({base.years} years); {len(params)} parameters: every field with a `sens` "
                "range in sim/config/params.py plus each prey species' r_max and initial_total (±20 % where no range "
                f"is given). {reps} replicates per variant with common random numbers (replicate i of every variant "
                "uses the same seed), so differences are paired; error bars: 95 % normal intervals of the paired "
                "mean difference. r of a run = mean over its years of ln(N_t+1/N_t) while N > 0 (sim.analysis.stats). "
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
