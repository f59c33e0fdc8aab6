"""Sensitivity analysis of a scenario, part 1: the parameters and their ranges, the outputs, and the
one-at-a-time (OAT, "tornado") design and analysis. Global methods (Morris, LHS-PRCC, Sobol) are in
:mod:`sim.analysis.global_sensitivity`.

Pure: nothing here runs the model. Every design takes an injectable

    evaluate(points, seeds) -> array (points × replicates × outputs)

where a *point* is a mapping dotted scenario key → value (``{}`` = the scenario as written),
``seeds`` the replicate seeds (replicate *i* uses ``seeds[i]`` at every point: common random
numbers, so differences between points are paired), and the outputs per replicate are
:data:`OUTPUTS` (see :func:`replicate_outputs`). The model runner is
:func:`sim.runs.sensitivity.scenario_evaluator`; the tests pass toy functions.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..config.params import SPECIES
from ..config.schema import Scenario
from .stats import annual_log_growth, wilson_interval

#: Outputs of every design, per replicate: extant at the horizon (0/1; its mean over replicates is
#: P(persist)), the run's stochastic growth rate r [per year] and N at the horizon [animals].
OUTPUTS = ("p_persist", "stoch_r", "N")
#: Words for the outputs (axis labels, tables).
OUTPUT_LABELS = {"p_persist": "P(persist) at the horizon", "stoch_r": "stochastic growth rate r [per year]",
                 "N": "cheetahs at the horizon N [animals]"}
#: The model (or a toy) at a list of points with a list of replicate seeds → (points, replicates, outputs).
Evaluate = Callable[[list[dict], Sequence], np.ndarray]
#: Normal quantile of the 95 % intervals (the conventional 1.96, as the validation tornado always used).
Z95 = 1.96


class UnknownParameterError(ValueError):
    """A parameter name that is not among the scenario's sensitivity parameters."""


# ============================================================================ parameters
@dataclass(frozen=True)
class SensParam:
    """One parameter of a sensitivity analysis: dotted scenario key, the scenario's value, the
    range [low, high] in the parameter's own unit, why that range, and whether the field is a
    whole number (sampled values are then rounded)."""

    path: str
    base: float
    low: float
    high: float
    range_source: str
    integer: bool = False

    def value(self, x: float) -> float | int:
        """The value to set for a sampled ``x`` (rounded for whole-number fields)."""
        return int(round(x)) if self.integer else float(x)


def _bounds(cls, name: str) -> tuple[float, float]:
    """The (lower, upper) bounds that the pydantic constraints (ge, gt, le, lt) of field ``name`` allow."""
    lo, hi = -math.inf, math.inf
    for m in cls.model_fields[name].metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                lo = max(lo, getattr(m, attr))
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                hi = min(hi, getattr(m, attr))
    return lo, hi


def sensitivity_parameters(sc: Scenario) -> list[SensParam]:
    """The main parameters of a scenario and their sensitivity ranges: every field with a ``sens``
    range in sim/config/params.py (its json_schema_extra), plus each prey species' r_max and
    initial_total (±20 % of the scenario's value where no ``sens`` range is given, clipped to the
    field's allowed range; an initial_total of None, i.e. at capacity, is skipped), and the tolai
    hare's capacity multiplier (0.5–2 x: tolai density on Ustyurt is unconfirmed, the Cape hare
    proxy spans 2.1–8.0 /km², Chammem et al. 2017). A range of zero width (±20 % of 0) is left
    out. Order: cheetah, environment, management, prey."""
    groups = [("cheetah", sc.cheetah), ("environment", sc.environment), ("management", sc.management)]
    groups += [(f"prey.{sp}", getattr(sc.prey, sp)) for sp in SPECIES]
    out: list[SensParam] = []
    for prefix, obj in groups:
        cls = type(obj)
        for name, info in cls.model_fields.items():
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
            integer = info.annotation is int
            if integer:
                lo, hi = int(round(lo)), int(round(hi))
            if not hi > lo:
                continue                    # e.g. ±20 % of an initial_total of 0: nothing to vary
            out.append(SensParam(f"{prefix}.{name}", float(base), lo, hi, why, integer))
    return out


def select_parameters(params: Sequence[SensParam], names: Sequence[str] | None) -> list[SensParam]:
    """The parameters named in ``names`` (dotted keys, in the given order; all if None or empty).
    Raises :class:`UnknownParameterError` naming the unknown ones with close matches."""
    if not names:
        return list(params)
    by_path = {p.path: p for p in params}
    bad = [n for n in names if n not in by_path]
    if bad:
        hints = []
        for n in bad:
            close = difflib.get_close_matches(n, list(by_path), n=3, cutoff=0.5)
            tail = n.rpartition(".")[2]
            close += [p for p in by_path if p.rpartition(".")[2] == tail and p not in close]
            hints.append(f"{n!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        raise UnknownParameterError(f"unknown sensitivity parameter{'s' * (len(bad) > 1)}: {'; '.join(hints)}. "
                                    f"Parameters with a range: {', '.join(by_path)}")
    dup = sorted({n for n in names if list(names).count(n) > 1})
    if dup:
        raise UnknownParameterError(f"parameter{'s' * (len(dup) > 1)} named twice: {', '.join(dup)}")
    return [by_path[n] for n in names]


# ============================================================================ outputs
def replicate_outputs(census: dict) -> np.ndarray:
    """The :data:`OUTPUTS` of one run from its annual census (column → (years,) array): extant
    at the horizon (1.0/0.0), the run's stochastic r = mean over its year pairs of
    ln(N_t+1/N_t) as in :func:`sim.analysis.stats.annual_log_growth` (NaN if it has none) and N at
    the horizon. Averaged over replicates (:func:`point_means`) they equal ``p_persist``,
    ``stoch_r_mean`` and ``N_mean`` of :func:`sim.analysis.stats.summarise_scenario`."""
    c = {k: np.asarray(v)[None, :] for k, v in census.items()}
    r = annual_log_growth(c)[0]
    r = r[np.isfinite(r)]
    return np.array([float(c["extant"][0, -1] >= 0.5), float(r.mean()) if r.size else math.nan,
                     float(c["N"][0, -1])])


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    """Mean over ``axis`` of the finite values; NaN where there are none (no warning)."""
    ok = np.isfinite(x)
    n = ok.sum(axis=axis)
    s = np.where(ok, x, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.where(n > 0, n, 1), np.nan)


def point_means(Y: np.ndarray) -> np.ndarray:
    """(points, outputs) means over replicates of evaluate's (points, replicates, outputs) array,
    each over the replicates where the output is defined (stochastic r is NaN for a run with no
    year pair)."""
    return _nanmean(np.asarray(Y, dtype=float), axis=1)


def mean_interval(x: np.ndarray, proportion: bool) -> tuple[float, float, float]:
    """(mean, lower, upper) of replicate values: the Wilson 95 % interval for a proportion of 0/1
    values, else the normal 95 % interval of the mean (NaN bounds with fewer than two values)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if proportion:
        lo, hi = wilson_interval(int(round(x.sum())), x.size)
        return m, float(lo), float(hi)
    if x.size < 2:
        return m, math.nan, math.nan
    h = Z95 * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, m - h, m + h


def paired_difference(x: np.ndarray, x0: np.ndarray) -> tuple[float, float]:
    """(mean, 95 % half-width) of the paired differences x - x0 over replicates where both are
    defined (normal interval of the mean difference; NaN half-width with fewer than two pairs)."""
    d = np.asarray(x, dtype=float) - np.asarray(x0, dtype=float)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return math.nan, math.nan
    return float(d.mean()), (Z95 * float(d.std(ddof=1)) / math.sqrt(d.size) if d.size > 1 else math.nan)


# ============================================================================ one at a time
@dataclass
class OatRow:
    """One parameter of a tornado: per output, the (mean, lo, hi) at the low value, the base and
    the high value, and the paired differences (mean, 95 % half-width) low − base and high − base."""

    param: SensParam
    at: dict[str, dict[str, tuple[float, float, float]]]       # output -> {"low"/"base"/"high": (m, lo, hi)}
    diff: dict[str, dict[str, tuple[float, float]]]             # output -> {"low"/"high": (mean, half-width)}

    def swing(self, output: str) -> float:
        """The larger |paired difference| of the two ends for ``output`` (0 where undefined)."""
        v = [abs(self.diff[output][e][0]) for e in ("low", "high")]
        v = [x for x in v if math.isfinite(x)]
        return max(v) if v else 0.0


@dataclass
class OatResult:
    """A one-at-a-time analysis: the rows in parameter order, the base point's (mean, lo, hi) per
    output, the raw (points, replicates, outputs) array (point 0 the base, then low and high of
    each parameter in turn) and the number of replicates."""

    rows: list[OatRow]
    base: dict[str, tuple[float, float, float]]
    Y: np.ndarray
    replicates: int
    outputs: tuple[str, ...] = OUTPUTS

    def ranked(self, output: str) -> list[OatRow]:
        """Rows by decreasing swing of ``output`` (stable: ties keep parameter order)."""
        return sorted(self.rows, key=lambda r: r.swing(output), reverse=True)

    def table(self) -> list[dict]:
        """One flat record per parameter (the columns of oat.csv), in decreasing swing of the
        first output that moves."""
        lead = next((o for o in self.outputs if any(r.swing(o) > 0 for r in self.rows)), self.outputs[0])
        out = []
        for r in self.ranked(lead):
            p = r.param
            rec: dict = {"parameter": p.path, "base_value": p.base, "low": p.low, "high": p.high,
                         "range_source": p.range_source}
            for o in self.outputs:
                for end in ("low", "base", "high"):
                    m, lo, hi = r.at[o][end]
                    rec[f"{o}_{end}"], rec[f"{o}_{end}_lo"], rec[f"{o}_{end}_hi"] = m, lo, hi
                for end in ("low", "high"):
                    rec[f"d_{o}_{end}"], rec[f"d_{o}_{end}_halfwidth"] = r.diff[o][end]
                rec[f"swing_{o}"] = r.swing(o)
            out.append(rec)
        return out


def oat_points(params: Sequence[SensParam]) -> list[dict]:
    """The OAT design: the base point ``{}`` (the scenario as written), then for each parameter
    its low and its high value with every other parameter at the scenario's value."""
    pts: list[dict] = [{}]
    for p in params:
        pts += [{p.path: p.value(p.low)}, {p.path: p.value(p.high)}]
    return pts


def oat(params: Sequence[SensParam], evaluate: Evaluate, seeds: Sequence,
        outputs: Sequence[str] = OUTPUTS) -> OatResult:
    """One-at-a-time sensitivity (tornado): every parameter at its low and its high value, the
    others at the scenario's; each of the 2k + 1 points run with the same replicate seeds, so the
    differences from the base are paired (mean and 95 % normal interval of the per-replicate
    difference). ``outputs`` names the columns evaluate returns (the first is a 0/1 proportion
    when it is ``p_persist``: Wilson intervals for its levels)."""
    Y = np.asarray(evaluate(oat_points(params), list(seeds)), dtype=float)
    if Y.shape != (2 * len(params) + 1, len(seeds), len(outputs)):
        raise ValueError(f"evaluate returned shape {Y.shape}, expected {(2 * len(params) + 1, len(seeds), len(outputs))}")
    prop = {o: o == "p_persist" for o in outputs}
    base = {o: mean_interval(Y[0, :, j], prop[o]) for j, o in enumerate(outputs)}
    rows = []
    for k, p in enumerate(params):
        lo_i, hi_i = 1 + 2 * k, 2 + 2 * k
        at = {o: {"low": mean_interval(Y[lo_i, :, j], prop[o]), "base": base[o],
                  "high": mean_interval(Y[hi_i, :, j], prop[o])} for j, o in enumerate(outputs)}
        diff = {o: {"low": paired_difference(Y[lo_i, :, j], Y[0, :, j]),
                    "high": paired_difference(Y[hi_i, :, j], Y[0, :, j])} for j, o in enumerate(outputs)}
        rows.append(OatRow(p, at, diff))
    return OatResult(rows, base, Y, len(seeds), tuple(outputs))


@dataclass
class SensitivityStudy:
    """Everything one sensitivity study found, for the files and the page: the scenario's name
    and horizon, the parameters, the settings and seeds (a JSON-able record) and each method's
    result (None if not run)."""

    scenario: str
    years: int
    params: list[SensParam]
    settings: dict
    oat: OatResult | None = None
    morris: object | None = None        # sim.analysis.global_sensitivity.MorrisResult
    prcc: object | None = None          # sim.analysis.global_sensitivity.PrccResult
    sobol: object | None = None         # sim.analysis.global_sensitivity.SobolResult
    seconds: dict = field(default_factory=dict)

    def top(self, method: str, output: str, n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` most influential parameters of ``method`` for ``output`` with their measure
        (OAT swing, Morris mu*, |PRCC|, Sobol total index), largest first."""
        if method == "oat" and self.oat is not None:
            return [(r.param.path, r.swing(output)) for r in self.oat.ranked(output)[:n]]
        res = getattr(self, method, None)
        return [] if res is None else res.top(output, n)


__all__ = ["OUTPUTS", "OUTPUT_LABELS", "SensParam", "sensitivity_parameters", "select_parameters",
           "UnknownParameterError", "replicate_outputs", "point_means", "mean_interval", "paired_difference",
           "OatRow", "OatResult", "oat_points", "oat", "SensitivityStudy"]
