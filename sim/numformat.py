"""Numbers as text: the project's number formats, one function per format.

* :func:`data_number` / :func:`data_numbers`: the one format of every data file a batch writes
  (summary.csv, by_year.csv, replicates.csv.gz): exact and short, so files compare byte for byte.
* :func:`fixed`: a fixed number of decimals for people (the report's tables), with a marker
  for a missing value.
* :func:`compact`: ``%g`` (six significant digits) for parameter defaults and limits in the
  generated docs.

A leaf module (numpy only), so sim.runs, sim.reporting and sim.validation can all use it
without importing each other.
"""

from __future__ import annotations

import math

import numpy as np

#: Largest magnitude below which every whole float64 is an exact integer (2**53).
_EXACT_INT = 2 ** 53


def data_number(v) -> str:
    """A value as a data-file cell: '' for None and NaN, '1'/'0' for booleans, 'inf'/'-inf',
    whole numbers without a decimal point (below 2**53 in magnitude), other floats as Python's
    shortest round-trip ``repr`` (reading the text back gives the same float), anything else
    as ``str``."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f):
            return "" if math.isnan(f) else ("inf" if f > 0 else "-inf")
        return str(int(f)) if f.is_integer() and abs(f) < _EXACT_INT else repr(f)
    return str(v)


def data_numbers(a: np.ndarray) -> list[str]:
    """:func:`data_number` of every value of a float array (flattened, C order): the same strings,
    vectorised for the tidy census (millions of cells)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    whole = np.isfinite(a) & (a == np.trunc(a)) & (np.abs(a) < _EXACT_INT)
    if whole.all():
        return list(map(str, a.astype(np.int64).tolist()))
    out = np.empty(a.size, dtype=object)
    out[whole] = list(map(str, a[whole].astype(np.int64).tolist()))
    rest = a[~whole]
    finite = np.isfinite(rest)
    strs = np.empty(rest.size, dtype=object)
    strs[finite] = list(map(repr, rest[finite].tolist()))
    strs[~finite] = [data_number(v) for v in rest[~finite].tolist()]
    out[~whole] = strs
    return out.tolist()


def fixed(v, spec: str = ".2f", missing: str = "—") -> str:
    """``format(v, spec)`` for a finite Python int or float (numpy float64 is one), else
    ``missing`` (NaN, inf, None, text)."""
    return format(v, spec) if isinstance(v, (int, float)) and math.isfinite(v) else missing


def compact(v) -> str:
    """A parameter value for the docs: floats as ``%g`` (six significant digits, no trailing
    zeros), tuples as ``(a, b)`` of such values, anything else as ``str``."""
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, tuple):
        return "(" + ", ".join(compact(x) for x in v) + ")"
    return str(v)
