"""Scenarios in words for the report: the settings in which two scenarios differ, the releases,
and the main cause of loss."""

from __future__ import annotations

import math
from typing import Any

from ..model.results import DEATH_CAUSES
from .figstyle import CAUSE_LABELS
from .runfiles import RunFiles, num

# Keys that name or describe a scenario rather than change what is simulated.
_LABEL_KEYS = ("name", "description", "family", "baseline")
#: Stands for a setting that one of two compared scenarios does not have (see dotted_diff).
MISSING = object()


def main_cause(row: dict) -> str:
    """The cause behind most losses (deaths and emigration) of a summary row, with its share."""
    shares = {c: num(row, f"death_share_{c}") for c in DEATH_CAUSES}
    shares = {c: v for c, v in shares.items() if math.isfinite(v) and v > 0}
    if not shares:
        return "no deaths or emigration"
    c = max(shares, key=shares.get)
    return f"{CAUSE_LABELS.get(c, c)} ({100 * shares[c]:.0f} %)"


def setting_text(v: Any) -> str:
    """A scenario setting as text for the methods section (floats to 6 significant digits)."""
    if v is MISSING:
        return "(absent)"
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, dict):          # unset (None) entries left out to keep it short
        return "{" + ", ".join(f"{k}: {setting_text(x)}" for k, x in v.items() if x is not None) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(setting_text(x) for x in v) + "]"
    return str(v)



def dotted_diff(base: Any, other: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Settings that differ between two resolved scenario dicts, as (dotted key, base value,
    other value), e.g. ``("releases[0].females", 10, 20)``. Dicts recurse by key, lists of
    dicts by index (an element only one side has is one entry), other values compare whole.
    Values absent on one side are the sentinel ``MISSING``."""
    out: list[tuple[str, Any, Any]] = []
    if isinstance(base, dict) and isinstance(other, dict):
        for k in list(other) + [k for k in base if k not in other]:
            key = f"{prefix}.{k}" if prefix else str(k)
            if k not in base:
                out.append((key, MISSING, other[k]))
            elif k not in other:
                out.append((key, base[k], MISSING))
            else:
                out += dotted_diff(base[k], other[k], key)
    elif (isinstance(base, list) and isinstance(other, list)
          and any(isinstance(x, dict) for x in base + other)):
        for i in range(max(len(base), len(other))):
            key = f"{prefix}[{i}]"
            if i >= len(base):
                out.append((key, MISSING, other[i]))
            elif i >= len(other):
                out.append((key, base[i], MISSING))
            else:
                out += dotted_diff(base[i], other[i], key)
    elif base != other:
        out.append((prefix, base, other))
    return out


def scenario_differences(files: RunFiles, name: str, reference: str) -> list[str]:
    """Lines 'key: base → this' for the settings of ``name`` that differ from ``reference``."""
    a, b = files.entry(reference), files.entry(name)
    if a is None or b is None:
        return []
    sa = {k: v for k, v in a.get("scenario", {}).items() if k not in _LABEL_KEYS}
    sb = {k: v for k, v in b.get("scenario", {}).items() if k not in _LABEL_KEYS}
    return [f"{k}: {setting_text(x)} → {setting_text(y)}" for k, x, y in dotted_diff(sa, sb)]


def releases_text(sc: dict) -> str:
    """The releases of a resolved scenario dict in one line (who, where, when, how)."""
    parts = []
    for r in sc.get("releases", []):
        where = r.get("site") or f"cell {r.get('cell')}"
        rep = r.get("repeat")
        again = f", repeated {rep['times']}× every {rep['every_years']} years" if rep else ""
        boma = f" after {r['boma_months']} months in a boma" if r.get("boma_months") else ""
        parts.append(f"{r.get('females', 0)} ♀ + {r.get('males', 0)} ♂ at {where} in year {r.get('year')} "
                     f"({r.get('source')}-caught, {r.get('method')} release{boma}{again})"
                     .replace("captive-caught", "captive-bred"))
    return "; ".join(parts) or "no releases"
