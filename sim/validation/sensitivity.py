"""Sensitivity check *sensitivity*: one-at-a-time changes of the main parameters of the baseline
scenario (every field with a ``sens`` range, plus each prey species' r_max and initial_total) and
their effect on P(persist) at the horizon and on the stochastic growth rate r (a tornado chart).

The parameters, the design and the paired differences are :mod:`sim.analysis.sensitivity` (the
code of ``run_scenarios.py sensitivity --method oat``), the chart
:func:`sim.reporting.sensitivity.draw_tornado`; this check keeps its own seeds
(:func:`.common.check_seeds`) and runs (:func:`.instrumented.run_until_extinct`, which stops a run
once it is extinct for good), so its numbers are those of earlier validation reports."""

from __future__ import annotations

import math
import time

import numpy as np

from ..analysis.sensitivity import oat, replicate_outputs, sensitivity_parameters
from ..config.schema import Scenario
from ..config.sweep import set_key
from ..reporting.sensitivity import draw_tornado
from .common import (CheckResult, Param, Settings, baseline_scenario, check, check_seeds, new_figure,
                     parallel_map, save_figure, wilson)
from .instrumented import run_until_extinct

#: The outputs this check reports (of sim.analysis.sensitivity.OUTPUTS), in its chart's order.
CHECK_OUTPUTS = ("p_persist", "stoch_r")


def _with(sc: Scenario, point: dict, name: str) -> Scenario:
    """A copy of ``sc`` named ``name`` with each dotted key of ``point`` set (and validated)."""
    data = sc.model_dump()
    for key, value in point.items():
        set_key(data, key, value)
    data["name"] = name
    return Scenario.model_validate(data)


def _sens_replicate(sc: Scenario, seed) -> np.ndarray:
    """(extant at the horizon 0/1, the run's stochastic r, N at the horizon) of a run that stops once
    the cheetahs are extinct for good (:func:`.instrumented.run_until_extinct`)."""
    return replicate_outputs(run_until_extinct(sc, seed))


def _evaluator(base: Scenario, jobs: int):
    """evaluate(points, seeds) for :func:`sim.analysis.sensitivity.oat` on the validation's runs."""
    def evaluate(points, seeds):
        variants = [_with(base, p, base.name) for p in points]
        out = parallel_map(_sens_replicate, [(v, s) for v in variants for s in seeds], jobs)
        return np.asarray(out, dtype=float).reshape(len(points), len(seeds), -1)[..., :len(CHECK_OUTPUTS)]
    return evaluate


@check("sensitivity", "sensitivity")
def check_sensitivity(settings: Settings) -> CheckResult:
    """One-at-a-time sensitivity of P(persist) and stochastic r in the baseline scenario."""
    t0 = time.perf_counter()
    base = baseline_scenario()
    if settings.quick:
        base = _with(base, {"years": 5}, base.name)
    reps = settings.n(24, 2)
    params = sensitivity_parameters(base)
    # common random numbers: replicate i of every variant uses the same seed
    seeds = check_seeds(settings, "sensitivity", reps)
    res = oat(params, _evaluator(base, settings.jobs), seeds, outputs=CHECK_OUTPUTS)
    ext, r = res.Y[..., 0], res.Y[..., 1]
    fig, ax = new_figure(1700, 120 + 34 * len(params), ncols=2, sharey=True)
    rows = draw_tornado(ax[0], res, CHECK_OUTPUTS, "stoch_r", base.years)
    path = save_figure(fig, settings, "sensitivity")
    p0, r0 = res.base["p_persist"][0], res.base["stoch_r"][0]
    plo, phi = wilson(int(ext[0].sum()), reps)
    top_txt = "; ".join(f"{row.param.path}: Δr {row.diff['stoch_r']['low'][0]:+.3f} / "
                        f"{row.diff['stoch_r']['high'][0]:+.3f}" for row in rows[:5])
    maxdp = max((abs(row.diff["p_persist"][e][0]) for row in rows for e in ("low", "high")
                 if np.isfinite(row.diff["p_persist"][e][0])), default=0.0)
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
                "cannot be told from zero. The same code as `run_scenarios.py sensitivity --method oat` "
                "(sim.analysis.sensitivity; docs/sensitivity.md)."),
        parameters=[Param(sp.path, f"{sp.low:g} / {sp.base:g} / {sp.high:g} (low / base / high)", sp.range_source)
                    for sp in params],
        expected="descriptive (no expected value): which parameters move persistence and growth most",
        tolerance="all variants run",
        observed=(f"baseline P(persist) = {p0:.2f} (95 % CI {plo:.2f}–{phi:.2f}), mean r = {r0:+.3f}/yr; largest "
                  f"|ΔP(persist)| {maxdp:.2f}; top parameters by |Δr|: {top_txt}"),
        passed=bool(n_ok > 0), figure=path, replicates=reps * (2 * len(params) + 1), seconds=time.perf_counter() - t0,
        values={"rows": [{"path": row.param.path,
                          **{f"d{'P' if o == 'p_persist' else 'r'}_{e[:2]}": row.diff[o][e]
                             for o in CHECK_OUTPUTS for e in ("low", "high")}} for row in rows],
                "p_persist": p0, "r": r0})
