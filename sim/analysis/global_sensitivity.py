"""Sensitivity analysis of a scenario, part 2: global methods over the parameters' whole ranges,
with SALib (Herman & Usher 2017) for the designs and the Morris and Sobol estimators.

* **Morris** elementary-effects screening (Morris 1991): ``T`` trajectories of k + 1 points on a
  ``levels``-level grid; per parameter mu* = mean |elementary effect| (Campolongo et al. 2007), sigma
  = SD of the effects (non-linearity or interactions) and a bootstrap 95 % interval of mu*.
  Effects are in output units per whole range of the parameter (SALib's ``delta`` on the unit
  scale), so parameters with different units compare.
* **LHS-PRCC** (Marino et al. 2008): a Latin hypercube of ``S`` points; per parameter the partial
  rank correlation coefficient with each output (monotone association with the other parameters'
  ranks held fixed) and its p-value (t test with S − 2 − (k − 1) degrees of freedom).
* **Sobol** first-order and total indices by Saltelli's scheme (Saltelli et al. 2010):
  ``N (k + 2)`` points, the most expensive; for a few parameters.

Pure: each function takes the parameters (:class:`sim.analysis.sensitivity.SensParam`), an
``evaluate(points, seeds)`` (see :mod:`sim.analysis.sensitivity`), the replicate seeds (the same at
every point: common random numbers) and a ``seed`` for the design and the bootstrap. Outputs are
the means over replicates (:func:`sim.analysis.sensitivity.point_means`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .sensitivity import OUTPUTS, Evaluate, SensParam, point_means


def problem(params: Sequence[SensParam]) -> dict:
    """The SALib problem: parameter names (dotted keys) and [low, high] bounds."""
    return {"num_vars": len(params), "names": [p.path for p in params],
            "bounds": [[float(p.low), float(p.high)] for p in params]}


def to_points(params: Sequence[SensParam], X: np.ndarray) -> list[dict]:
    """Rows of a design matrix as points (dotted key → value; whole-number fields rounded)."""
    return [{p.path: p.value(x) for p, x in zip(params, row)} for row in np.asarray(X)]


def _evaluate_means(params, X, evaluate: Evaluate, seeds, outputs) -> np.ndarray:
    """(points, outputs) means over replicates of evaluate at the rows of X."""
    Y = np.asarray(evaluate(to_points(params, X), list(seeds)), dtype=float)
    if Y.shape != (len(X), len(seeds), len(outputs)):
        raise ValueError(f"evaluate returned shape {Y.shape}, expected {(len(X), len(seeds), len(outputs))}")
    return point_means(Y)


def _check_varied(params: Sequence[SensParam]) -> None:
    flat = [p.path for p in params if not p.high > p.low]
    if flat:
        raise ValueError(f"parameters without a range (low >= high): {', '.join(flat)}")


def _top(table: dict[str, dict[str, np.ndarray]], names: list[str], output: str, key: str, n: int):
    v = np.abs(np.asarray(table[output][key], dtype=float))
    order = sorted(range(len(names)), key=lambda i: -v[i] if math.isfinite(v[i]) else math.inf)
    return [(names[i], float(v[i])) for i in order[:n]]


# ============================================================================ Morris
@dataclass
class MorrisResult:
    """Morris screening: the design X (points × k), the point means Y (points × outputs) and per
    output the arrays (k,) ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` (95 % half-width)."""

    names: list[str]
    X: np.ndarray
    Y: np.ndarray
    indices: dict[str, dict[str, np.ndarray]]
    trajectories: int
    levels: int
    outputs: tuple[str, ...] = OUTPUTS

    def top(self, output: str, n: int = 5) -> list[tuple[str, float]]:
        """The n parameters with the largest mu* for ``output``."""
        return _top(self.indices, self.names, output, "mu_star", n)

    def table(self) -> list[dict]:
        """One record per parameter: mu, mu*, sigma and mu*_conf of each output (morris.csv)."""
        return [{"parameter": name, **{f"{o}_{k}": float(self.indices[o][k][i]) for o in self.outputs
                                       for k in ("mu_star", "mu_star_conf", "sigma", "mu")}}
                for i, name in enumerate(self.names)]


def morris(params: Sequence[SensParam], evaluate: Evaluate, seeds: Sequence, *, trajectories: int = 10,
           levels: int = 4, seed: int = 0, outputs: Sequence[str] = OUTPUTS,
           num_resamples: int = 1000) -> MorrisResult:
    """Morris elementary-effects screening with SALib: ``trajectories`` x (k + 1) points on a
    ``levels``-level grid over each parameter's range; the bootstrap interval of mu* from
    ``num_resamples`` resamples. Sampling and bootstrap are seeded with ``seed``. Whole-number
    parameters are rounded when set; the effects use the grid values (the rounding is at most half
    a unit)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    _check_varied(params)
    prob = problem(params)
    X = morris_sample.sample(prob, trajectories, num_levels=levels, seed=seed)
    Y = _evaluate_means(params, X, evaluate, seeds, outputs)
    out = {}
    for j, o in enumerate(outputs):
        res = morris_analyze.analyze(prob, X, Y[:, j], num_resamples=num_resamples, conf_level=0.95,
                                     num_levels=levels, seed=seed)
        out[o] = {k: np.asarray(res[k], dtype=float) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
    return MorrisResult(prob["names"], X, Y, out, trajectories, levels, tuple(outputs))


# ============================================================================ LHS-PRCC
def _ranks(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata
    return rankdata(x, axis=0)


def partial_rank_correlation(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PRCC of each column of X (n × k) with y (n,) and its two-sided p-value (Marino et al. 2008):
    rank-transform X and y; for input i regress the ranks of x_i and of y on the ranks of the other
    inputs (with intercept) and correlate the two residuals; t = r sqrt((n − 2 − p)/(1 − r²)) with
    p = k − 1 inputs held fixed. NaN where y or x_i has no variation left (or y has a NaN)."""
    from scipy.stats import t as student_t

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = X.shape
    coef = np.full(k, np.nan)
    pval = np.full(k, np.nan)
    if not np.isfinite(y).all() or n - 2 - (k - 1) < 1:
        return coef, pval
    R = _ranks(X)
    ry = _ranks(y)
    for i in range(k):
        Z = np.column_stack([np.ones(n), np.delete(R, i, axis=1)])
        res_x = R[:, i] - Z @ np.linalg.lstsq(Z, R[:, i], rcond=None)[0]
        res_y = ry - Z @ np.linalg.lstsq(Z, ry, rcond=None)[0]
        sx, sy = np.sqrt(res_x @ res_x), np.sqrt(res_y @ res_y)
        if sx < 1e-12 * n or sy < 1e-12 * n:
            continue
        r = float(np.clip(res_x @ res_y / (sx * sy), -1.0, 1.0))
        df = n - 2 - (k - 1)
        coef[i] = r
        pval[i] = 0.0 if abs(r) >= 1 else float(2 * student_t.sf(abs(r) * math.sqrt(df / (1 - r * r)), df))
    return coef, pval


@dataclass
class PrccResult:
    """LHS-PRCC: the design X (samples × k), the point means Y (samples × outputs) and per output
    the arrays (k,) ``prcc`` and ``p_value``."""

    names: list[str]
    X: np.ndarray
    Y: np.ndarray
    indices: dict[str, dict[str, np.ndarray]]
    samples: int
    outputs: tuple[str, ...] = OUTPUTS

    def top(self, output: str, n: int = 5) -> list[tuple[str, float]]:
        """The n parameters with the largest |PRCC| for ``output``."""
        return _top(self.indices, self.names, output, "prcc", n)

    def table(self) -> list[dict]:
        """One record per parameter: PRCC and p-value of each output (prcc.csv)."""
        return [{"parameter": name, **{f"{o}_{k}": float(self.indices[o][k][i]) for o in self.outputs
                                       for k in ("prcc", "p_value")}}
                for i, name in enumerate(self.names)]


def prcc(params: Sequence[SensParam], evaluate: Evaluate, seeds: Sequence, *, samples: int = 50,
         seed: int = 0, outputs: Sequence[str] = OUTPUTS) -> PrccResult:
    """Latin hypercube of ``samples`` points over the parameters' ranges (SALib, seeded), the
    model's means at each, and the PRCC of every parameter with every output. Needs samples ≥
    k + 2; Marino et al. (2008) advise samples > 4k/3 at the very least, more for stable p-values."""
    from SALib.sample import latin

    _check_varied(params)
    if samples < len(params) + 2:
        raise ValueError(f"LHS-PRCC with {len(params)} parameters needs at least {len(params) + 2} samples, got {samples}")
    prob = problem(params)
    X = latin.sample(prob, samples, seed=seed)
    Y = _evaluate_means(params, X, evaluate, seeds, outputs)
    Xv = np.array([[p.value(x) for p, x in zip(params, row)] for row in X], dtype=float)   # the values set
    out = {}
    for j, o in enumerate(outputs):
        c, pv = partial_rank_correlation(Xv, Y[:, j])
        out[o] = {"prcc": c, "p_value": pv}
    return PrccResult(prob["names"], X, Y, out, samples, tuple(outputs))


# ============================================================================ Sobol
@dataclass
class SobolResult:
    """Sobol indices: the design X, the point means Y and per output the arrays (k,) ``S1``,
    ``S1_conf``, ``ST``, ``ST_conf`` (95 % bootstrap half-widths)."""

    names: list[str]
    X: np.ndarray
    Y: np.ndarray
    indices: dict[str, dict[str, np.ndarray]]
    base_samples: int
    outputs: tuple[str, ...] = OUTPUTS

    def top(self, output: str, n: int = 5) -> list[tuple[str, float]]:
        """The n parameters with the largest total index for ``output``."""
        return _top(self.indices, self.names, output, "ST", n)

    def table(self) -> list[dict]:
        """One record per parameter: S1, ST and their 95 % half-widths per output (sobol.csv)."""
        return [{"parameter": name, **{f"{o}_{k}": float(self.indices[o][k][i]) for o in self.outputs
                                       for k in ("S1", "S1_conf", "ST", "ST_conf")}}
                for i, name in enumerate(self.names)]


def sobol(params: Sequence[SensParam], evaluate: Evaluate, seeds: Sequence, *, base_samples: int = 64,
          seed: int = 0, outputs: Sequence[str] = OUTPUTS, num_resamples: int = 1000) -> SobolResult:
    """First-order and total Sobol indices (Saltelli et al. 2010 estimators, SALib): a scrambled
    Sobol' sequence of ``base_samples`` (a power of 2) x (k + 2) points, seeded with ``seed``.
    An output with a NaN at any point (e.g. r where every run died out at once) gets NaN indices."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    _check_varied(params)
    if base_samples < 2 or base_samples & (base_samples - 1):
        raise ValueError(f"Sobol base samples must be a power of 2 (e.g. 64), got {base_samples}")
    prob = problem(params)
    X = sobol_sample.sample(prob, base_samples, calc_second_order=False, seed=seed)
    Y = _evaluate_means(params, X, evaluate, seeds, outputs)
    out = {}
    for j, o in enumerate(outputs):
        keys = ("S1", "S1_conf", "ST", "ST_conf")
        if not np.isfinite(Y[:, j]).all() or np.ptp(Y[:, j]) == 0:
            out[o] = {k: np.full(len(params), np.nan) for k in keys}
            continue
        res = sobol_analyze.analyze(prob, Y[:, j], calc_second_order=False, num_resamples=num_resamples,
                                    conf_level=0.95, seed=seed)
        out[o] = {k: np.asarray(res[k], dtype=float) for k in keys}
    return SobolResult(prob["names"], X, Y, out, base_samples, tuple(outputs))


__all__ = ["problem", "to_points", "MorrisResult", "morris", "partial_rank_correlation", "PrccResult", "prcc",
           "SobolResult", "sobol"]
