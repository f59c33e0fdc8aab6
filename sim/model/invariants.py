"""Invariants of a replicate, asserted every month in the debug mode (``SIM_CHECKS=1``; the test
suite sets it, runs do not by default): a broken one raises :class:`InvariantBroken` naming the
quantity, the year and month, so a bug shows where it happens instead of as odd numbers in a report.

Checked: prey fields finite and not negative; body condition in [0, 1]; and in each December's
census: stages and sexes sum to N, the population balance N = N(last year) + births + released −
deaths by every cause, gene diversity, mean F and the saiga male fraction in [0, 1], prey totals
finite and not negative.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from .results import DEATH_CAUSES, SEXES, STAGES


def enabled() -> bool:
    """Whether the debug mode is on (environment variable SIM_CHECKS set to 1)."""
    return os.environ.get("SIM_CHECKS", "") == "1"


class InvariantBroken(AssertionError):
    """A model invariant failed (debug mode)."""


def _fail(m: Any, what: str) -> None:
    raise InvariantBroken(f"{m.spec.name}, year {m.year}, month {m.month + 1}: {what}")


def check_month(m: Any) -> None:
    """The month's invariants (after the month's processes, before the calendar moves on)."""
    N = m.prey.N
    if not np.isfinite(N).all() or (N < 0).any():
        _fail(m, f"prey densities must be finite and >= 0 (min {np.nanmin(N):g}, NaN: {int(np.isnan(N).sum())})")
    cond = m.cheetahs.condition
    if cond.size and not ((cond >= 0) & (cond <= 1)).all():
        _fail(m, f"body condition outside [0, 1] (min {cond.min():g}, max {cond.max():g})")
    if m.month == 11:
        check_census(m, m.year - 1)


def check_census(m: Any, i: int) -> None:
    """The census row of year index ``i`` (just written)."""
    c = m.census
    n = c["N"][i]
    if sum(c[f"{st}_{sx}"][i] for st in STAGES for sx in SEXES) != n or c["N_f"][i] + c["N_m"][i] != n:
        _fail(m, "stages or sexes do not sum to N")
    before = c["N"][i - 1] if i > 0 else 0.0
    deaths = sum(c[f"deaths_{cause}"][i] for cause in DEATH_CAUSES)
    if before + c["births"][i] + c["released"][i] - deaths != n:
        _fail(m, f"population balance: {before:g} + births {c['births'][i]:g} + released {c['released'][i]:g} "
                 f"- deaths {deaths:g} != N {n:g}")
    for col in ("gene_diversity", "mean_F", "saiga_male_fraction", "mean_condition"):
        v = c[col][i]
        if not math.isnan(v) and not 0.0 <= v <= 1.0:
            _fail(m, f"{col} = {v:g} outside [0, 1]")
    for col in c:
        if col.startswith("prey_") and not (np.isfinite(c[col][i]) and c[col][i] >= 0):
            _fail(m, f"{col} = {c[col][i]:g} must be finite and >= 0")


__all__ = ["enabled", "check_month", "check_census", "InvariantBroken"]
