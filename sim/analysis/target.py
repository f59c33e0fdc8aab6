"""Target search ("what would it take"): the smallest value of one numeric scenario key whose
probability of persistence meets a goal, ``P(persist) >= goal``, with a stated confidence.

The search is pure logic over an injected ``evaluate(value, replicate_indices) -> bool array``
(replicate ``i`` persisted or not at that value); :mod:`sim.runs.target` supplies one that runs the
model with common random numbers (replicate ``i`` gets the same seed at every value), tests supply
synthetic ones. An evaluator may also have ``batch(requests)`` (a list of ``(value, indices)``),
used to run several values at once.

Method: bisection on a monotone grid with Bonferroni-adjusted repeated confidence bounds
----------------------------------------------------------------------------------------
Assumption: P(persist) does not decrease with the value (more founders, more prey, more
enforcement). It is checked, not trusted: a warning names values whose estimates are clearly out
of order (:func:`monotonicity_warnings`).

1. *Grid*: integer keys search whole numbers (``step`` 1 unless given), float keys a grid of
   ``step`` (:func:`value_grid`).
2. *Looks*: a value is evaluated in looks of doubling size, ``first``, ``2·first``, ... up to
   ``most`` replicates (:func:`look_schedule`, L looks). After each look the value is decided with
   exact one-sided Clopper–Pearson bounds (Clopper & Pearson 1934, Biometrika 26:404–413):
   *meets* if the lower bound is >= goal, *fails* if the upper bound is < goal, else *undecided*;
   a decided value gets no more replicates; an undecided one after L looks is *exhausted*.
3. *Error control*: every bound is taken at level ``alpha = (1 - confidence) / (m · L)``, m the
   number of grid values (Bonferroni over every value and look the search could ever decide). The
   looks make these repeated confidence bounds (Jennison & Turnbull 1989, "Interim analyses: the
   repeated confidence interval approach", JRSS B 51:305–361), valid whatever the stopping rule;
   the Bonferroni sum over all m·L possible decisions keeps them valid although which values are
   evaluated depends on the data and, with common random numbers, the values' outcomes are
   correlated. So with probability >= ``confidence`` *every* decision is right at once: the
   answer meets the goal and the values reported as failing fail it, whether or not P(persist)
   is monotone. Monotonicity is needed only to read the answer as the *smallest* such value.
4. *Search*: a coarse grid (``coarse`` values, ends included) gets a first look together (it also
   draws the curve and tests monotonicity). Then, bisection: the threshold lies between the
   largest value that fails and the smallest value above it that meets; the next look goes to the
   not-yet-decided value nearest the middle of that bracket, so replicates are spent only where
   the answer is uncertain, and values at P(persist) close to the goal get up to ``most``
   replicates. It stops when the bracket holds no value that can still be decided, or at the
   replicate ``budget``.

Why not the alternatives: Wald's SPRT (1945) tests one value between two hypotheses p0 < p1 and
needs that indifference zone chosen; probabilistic bisection (Waeber, Frazier & Henderson 2013,
"Bisection search with noisy responses", SIAM J. Control Optim. 51:2261–2279; Karp & Kleinberg
2007) assumes a known, constant probability of a wrong answer, while here it depends on the
unknown distance of P(persist) from the goal. The design above makes no such assumption, spends
few replicates on values far from the goal (20–40 decide a value with P(persist) near 0 or 1) and
gives a plain confidence statement; its price is the conservative Bonferroni level.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .stats import wilson_interval

#: Most grid values one search may have (each may get up to ``most`` replicates).
MAX_GRID = 10_000
#: Grid intervals of a float key when no step is given.
DEFAULT_FLOAT_INTERVALS = 20

Evaluate = Callable[[float, np.ndarray], np.ndarray]


def parse_goal(text: str) -> float:
    """The goal ``p_persist>=x`` as x, the required probability of persistence in [0, 1];
    ValueError with the accepted form otherwise."""
    m = re.fullmatch(r"\s*p_persist\s*>=\s*(\S+)\s*", str(text))
    if m is None:
        raise ValueError(f"--goal {text!r}: write it as p_persist>=X with X in [0, 1], e.g. p_persist>=0.9")
    try:
        x = float(m.group(1))
    except ValueError:
        raise ValueError(f"--goal {text!r}: {m.group(1)!r} is not a number; write e.g. p_persist>=0.9") from None
    if not 0.0 <= x <= 1.0 or math.isnan(x):
        raise ValueError(f"--goal {text!r}: {x:g} is not a probability; X must be in [0, 1] (e.g. p_persist>=0.9)")
    return x


def value_grid(lo: float, hi: float, step: float | None = None, integer: bool = True,
               intervals: int = DEFAULT_FLOAT_INTERVALS, option: str = "--range") -> np.ndarray:
    """The values to search: ``lo, lo+step, ...`` up to ``hi`` (``hi`` added if the steps miss it).

    ``integer``: whole numbers (``lo``, ``hi`` and ``step`` must be whole; step 1 by default);
    else floats, step ``(hi - lo) / intervals`` by default. ValueError for an empty or reversed
    range, a step <= 0 or more than :data:`MAX_GRID` values (``option`` names the range in it)."""
    step_opt = "--step" + option.removeprefix("--range")
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        raise ValueError(f"{option} {lo:g} {hi:g}: the range is empty or reversed; give LOW HIGH with LOW < HIGH")
    if integer:
        if lo != int(lo) or hi != int(hi):
            raise ValueError(f"{option} {lo:g} {hi:g}: the key takes whole numbers; give whole LOW and HIGH")
        step = 1 if step is None else step
        if step != int(step) or step < 1:
            raise ValueError(f"{step_opt} {step:g}: the key takes whole numbers; the step must be a whole number >= 1")
    else:
        step = (hi - lo) / intervals if step is None else step
        if not step > 0:
            raise ValueError(f"{step_opt} {step:g}: must be > 0")
    n = int(math.floor((hi - lo) / step + 1e-9)) + 1
    if n > MAX_GRID:
        raise ValueError(f"{option} {lo:g} {hi:g} with {step_opt} {step:g} makes {n:,} values; at most {MAX_GRID:,}")
    vals = lo + step * np.arange(n)
    if hi - vals[-1] > 1e-9 * max(1.0, abs(hi)):
        vals = np.append(vals, hi)
    return np.round(vals).astype(np.int64) if integer else np.round(vals, 12)


def look_schedule(first: int, most: int) -> tuple[int, ...]:
    """Cumulative replicates after each look: ``first, 2·first, 4·first, ...``, ending at ``most``."""
    if first < 1 or most < first:
        raise ValueError(f"need 1 <= first <= most replicates, got first={first}, most={most}")
    out = [first]
    while out[-1] < most:
        out.append(min(2 * out[-1], most))
    return tuple(out)


def clopper_pearson(k: int, n: int, alpha: float) -> tuple[float, float]:
    """Exact one-sided Clopper–Pearson bounds of a binomial proportion, each at level ``alpha``:
    P(p < lower) <= alpha and P(p > upper) <= alpha. ``(0, 1)`` when n == 0."""
    from scipy.special import betaincinv     # the regularised incomplete beta's inverse

    if n == 0:
        return 0.0, 1.0
    lo = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, alpha))
    hi = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1.0 - alpha))
    return lo, hi


@dataclass
class Point:
    """One grid value and what the search learnt about it: ``n`` replicates (indices 0..n-1, the
    same at every value), ``k`` persisted, the decision and its Bonferroni-level bounds."""

    value: float
    persisted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    looks: int = 0
    decision: str = "untested"           # meets | fails | undecided
    bound_lo: float = 0.0
    bound_hi: float = 1.0

    @property
    def n(self) -> int:
        return int(self.persisted.size)

    @property
    def k(self) -> int:
        return int(self.persisted.sum())

    @property
    def p(self) -> float:
        return self.k / self.n if self.n else math.nan

    def wilson(self, confidence: float) -> tuple[float, float]:
        """Wilson interval of P(persist) at the stated confidence (the curve's band, unadjusted)."""
        return wilson_interval(self.k, self.n, confidence)


@dataclass
class TargetResult:
    """A finished search. ``answer``: smallest value that meets the goal with the confidence
    (None if none does); ``below``: largest value that fails it (None if none does); under
    monotonicity the true threshold lies in (below, answer]."""

    goal: float
    confidence: float
    alpha: float
    schedule: tuple[int, ...]
    grid: np.ndarray
    points: dict[int, Point]             # grid index -> evaluated point
    answer: float | None
    below: float | None
    stopped_by_budget: bool
    warnings: list[str]

    @property
    def replicates(self) -> int:
        return sum(p.n for p in self.points.values())

    def evaluated(self) -> list[Point]:
        return [self.points[i] for i in sorted(self.points)]

    def rows(self) -> list[dict]:
        """One row per evaluated value (target.csv)."""
        out = []
        for pt in self.evaluated():
            lo, hi = pt.wilson(self.confidence)
            out.append({"value": pt.value, "replicates": pt.n, "persisted": pt.k, "p_persist": pt.p,
                        "wilson_lo": lo, "wilson_hi": hi, "decision_lo": pt.bound_lo,
                        "decision_hi": pt.bound_hi, "decision": pt.decision})
        return out

    def best(self) -> Point | None:
        """The best value evaluated: the largest, under monotonicity (the highest estimate among
        values with fewer replicates would often be a lucky draw)."""
        pts = self.evaluated()
        return pts[-1] if pts else None

    def statement(self, key: str, goal_text: str | None = None) -> str:
        """One sentence for the user: the answer and the threshold's interval, or that no value of
        the range meets the goal (with the best value seen)."""
        goal_text = goal_text or f"p_persist>={self.goal:g}"
        conf = f"{100 * self.confidence:g} % confidence"
        lo, hi = _fmt(self.grid[0]), _fmt(self.grid[-1])
        tail = " (stopped at the replicate budget)" if self.stopped_by_budget else ""
        if self.answer is not None:
            if self.below is not None:
                where = f"threshold between {_fmt(self.below)} and {_fmt(self.answer)}"
            elif self.answer == self.grid[0]:
                where = "the bottom of the range: the goal may be met below it too"
            else:
                where = f"threshold at or below {_fmt(self.answer)}; no smaller value was shown to fail"
            return f"smallest {key} meeting {goal_text} with {conf}: {_fmt(self.answer)} ({where}){tail}"
        b = self.best()
        if b is None:
            return f"no value in {lo}–{hi} was evaluated{tail}"
        blo, bhi = b.wilson(self.confidence)
        why = ("it fails the goal with " + conf) if b.decision == "fails" else \
            f"{b.decision} after {b.n} replicates"
        return (f"no value in {lo}–{hi} meets {goal_text} with {conf}: best was {key} = {_fmt(b.value)} with "
                f"P(persist) {b.p:.2f} [{blo:.2f}, {bhi:.2f}] ({why}){tail}")


def _fmt(v) -> str:
    return f"{float(v):g}"


def _run_batch(evaluate, requests: list[tuple[float, np.ndarray]]) -> list[np.ndarray]:
    batch = getattr(evaluate, "batch", None)
    if batch is not None:
        return list(batch(requests))
    return [evaluate(v, idx) for v, idx in requests]


def find_threshold(grid: Sequence[float], evaluate: Evaluate, goal: float, *, confidence: float = 0.95,
                   first: int = 20, most: int = 320, coarse: int = 5, budget: int | None = None,
                   tests: int | None = None, progress: Callable[[Point], None] | None = None) -> TargetResult:
    """Search ``grid`` (increasing values) for the smallest value with P(persist) >= ``goal`` at
    ``confidence`` (module docstring). ``first``/``most``: replicates of a value's first look and
    at most; ``coarse``: values of the first stage; ``budget``: most replicates in all (None: no
    limit beyond ``most`` per value); ``tests``: the number of grid values the Bonferroni level is
    divided by (default ``len(grid)``; a frontier passes all of its values); ``progress``: called
    with each value's point after each of its looks."""
    grid = np.asarray(grid)
    if grid.ndim != 1 or grid.size == 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("grid must be a non-empty, strictly increasing list of values")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    schedule = look_schedule(first, most)
    m = grid.size
    alpha = (1.0 - confidence) / ((tests or m) * len(schedule))
    points: dict[int, Point] = {}
    used = 0

    def advance(indices: list[int]) -> None:
        nonlocal used
        reqs = []
        for i in indices:
            pt = points.setdefault(i, Point(value=grid[i].item()))
            reqs.append((pt.value, np.arange(pt.n, schedule[pt.looks])))
        for i, (v, idx), out in zip(indices, reqs, _run_batch(evaluate, reqs)):
            out = np.asarray(out, dtype=bool)
            if out.shape != idx.shape:
                raise ValueError(f"evaluate({v}, {idx.size} replicates) returned {out.shape[0] if out.ndim else 0} outcomes")
            pt = points[i]
            pt.persisted = np.concatenate([pt.persisted, out])
            pt.looks += 1
            used += idx.size
            pt.bound_lo, pt.bound_hi = clopper_pearson(pt.k, pt.n, alpha)
            pt.decision = ("meets" if pt.bound_lo >= goal else "fails" if pt.bound_hi < goal else "undecided")
            if progress is not None:
                progress(pt)

    first_stage = sorted({int(round(x)) for x in np.linspace(0, m - 1, min(max(coarse, 2), m))})
    advance(first_stage)
    stopped = False
    while True:
        lo_i, hi_i = _bracket(points, m)
        open_ = [i for i in range(lo_i + 1, hi_i)
                 if i not in points or (points[i].decision == "undecided" and points[i].looks < len(schedule))]
        if not open_:
            break
        mid = (lo_i + hi_i) / 2.0
        pick = min(open_, key=lambda i: (abs(i - mid), i))
        cost = schedule[points[pick].looks if pick in points else 0] - (points[pick].n if pick in points else 0)
        if budget is not None and used + cost > budget:
            stopped = True
            break
        advance([pick])
    lo_i, hi_i = _bracket(points, m)
    result = TargetResult(goal=goal, confidence=confidence, alpha=alpha, schedule=schedule, grid=grid,
                          points=points, answer=grid[hi_i].item() if hi_i < m else None,
                          below=grid[lo_i].item() if lo_i >= 0 else None, stopped_by_budget=stopped,
                          warnings=[])
    result.warnings = monotonicity_warnings(result)
    return result


def _bracket(points: dict[int, Point], m: int) -> tuple[int, int]:
    """(largest index that fails, or -1; smallest index above it that meets, or m)."""
    fails = [i for i, p in points.items() if p.decision == "fails"]
    lo = max(fails, default=-1)
    meets = [i for i, p in points.items() if p.decision == "meets" and i > lo]
    return lo, min(meets, default=m)


def monotonicity_warnings(result: TargetResult) -> list[str]:
    """Warnings where the estimates contradict the assumption that P(persist) does not decrease
    with the value: a value that meets the goal below one that fails it (both decisions at the
    Bonferroni level), or a lower value whose Wilson interval lies wholly above a higher value's.
    One warning per kind, naming the most extreme pair and how many pairs there are."""
    pts = result.evaluated()
    decided, disjoint = [], []
    for a_i, a in enumerate(pts):
        for b in pts[a_i + 1:]:
            if a.decision == "meets" and b.decision == "fails":
                decided.append((a, b))
            elif a.n and b.n and a.wilson(result.confidence)[0] > b.wilson(result.confidence)[1]:
                disjoint.append((a, b))
    out = []
    for pairs, what in ((decided, "meets the goal but the larger {b} fails it"),
                        (disjoint, "has P(persist) {pa:.2f} but the larger {b} only {pb:.2f} (Wilson intervals "
                                   "do not overlap)")):
        if pairs:
            a, b = max(pairs, key=lambda ab: ab[0].p - ab[1].p)
            more = f" ({len(pairs)} such pairs)" if len(pairs) > 1 else ""
            out.append(f"P(persist) is not monotone in the value: {_fmt(a.value)} "
                       + what.format(b=_fmt(b.value), pa=a.p, pb=b.p) + more)
    if out:
        out.append("the search assumes P(persist) does not decrease with the value; its answer is the "
                   "smallest value above every failing one, which may not be the smallest that meets the goal")
    return out


def find_frontier(grid1: Sequence[float], grid2: Sequence[float], evaluator_for: Callable[[float], Evaluate],
                  goal: float, **kw) -> list[TargetResult]:
    """The viability frontier of two keys: for each value of the second key (``grid2``), the
    :func:`find_threshold` search over the first (``grid1``) with ``evaluator_for(value2)``. The
    Bonferroni level is divided by every (value1, value2) pair, so the whole frontier holds at the
    stated confidence at once. ``kw``: the options of :func:`find_threshold` (``budget`` is per
    search)."""
    tests = len(grid1) * len(grid2)
    return [find_threshold(grid1, evaluator_for(v2), goal, tests=tests, **kw) for v2 in grid2]


__all__ = ["parse_goal", "value_grid", "look_schedule", "clopper_pearson", "find_threshold", "find_frontier",
           "monotonicity_warnings", "Point", "TargetResult", "MAX_GRID"]
