"""Which scenarios the report puts first and draws: the ranking, the baseline and the scenarios
of the persistence and gene-diversity curves."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .runfiles import ReportError, RunFiles, num

#: Scenarios drawn in the line charts by default: baseline, best, worst and up to 5 more.
MAX_CURVES_DEFAULT = 8


def ranked(files: RunFiles) -> list[str]:
    """Scenario names best first: by P(persist at the horizon); ties by the median time to
    extinction of the runs that died out (later is better; none died out is best), then by mean
    final N; runs without a value last (in manifest order). The report's best and worst options
    are the first and last of this order."""
    def key(r):
        p, te, n = num(r, "p_persist"), num(r, "te_median"), num(r, "N_mean")
        return (0 if math.isfinite(p) else 1, -p if math.isfinite(p) else 0.0,
                -te if math.isfinite(te) else -math.inf, -n if math.isfinite(n) else 0.0)
    return [r["scenario"] for r in sorted(files.summary, key=key)]


def baseline_name(files: RunFiles) -> str | None:
    """The run's baseline: manifest ``baseline``, else the scenario most others are compared with."""
    b = files.manifest.get("baseline")
    if b in files.names:
        return b
    named = [r.get("baseline") for r in files.summary if r.get("baseline") in files.names]
    if named:
        return max(set(named), key=named.count)
    return None


def default_curve_scenarios(files: RunFiles, order: list[str]) -> list[str]:
    """Baseline, best, worst, and up to five more spread evenly over the ranking; in rank order."""
    with_p = [n for n in order if math.isfinite(num(files.row(n), "p_persist"))] or order
    chosen = []
    base = baseline_name(files)
    for n in (base, with_p[0], with_p[-1]):
        if n is not None and n not in chosen:
            chosen.append(n)
    rest = [n for n in with_p if n not in chosen]
    k = min(MAX_CURVES_DEFAULT - len(chosen), len(rest))
    if k > 0:
        picks = np.unique(np.linspace(0, len(rest) - 1, k).round().astype(int))
        chosen += [rest[i] for i in picks]
    return [n for n in order if n in chosen]


def check_curve_names(names: Sequence[str], files: RunFiles) -> list[str]:
    """``names`` without repeats; ReportError if one is not a scenario of the run or none is given."""
    unknown = [n for n in names if n not in files.names]
    if unknown:
        raise ReportError(f"scenarios_for_curves: no scenario named {', '.join(map(repr, unknown))} in "
                          f"{files.run_dir}; scenarios: {', '.join(files.names)}")
    if not names:
        raise ReportError("scenarios_for_curves: give at least one scenario name")
    return list(dict.fromkeys(names))

