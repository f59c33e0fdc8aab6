"""Size limits that refuse resource bombs before any work starts, and how to raise them.

Each limit has a default here, the reason for it, and a name. A command raises (or lowers) one
with the global option ``--limit NAME=VALUE`` (repeatable, before the command:
``run_scenarios.py --limit cells=3000000 run big.yaml``), a library user or a cluster job with the
environment variable ``SIM_LIMITS="cells=3000000,sweep=20000"``. The option writes the variable, so
worker processes started afterwards see the same limits; a batch also records the limits it ran
with in its manifest and its work units carry them (sim.runs.worker), so a resume and a remote dask
worker apply them too.

Limits (docs/reliability.md says what each guards against and what it costs to raise it):

========== ======================= =====================================================================
name       default                 what it bounds
========== ======================= =====================================================================
nesting    50 levels               YAML nesting of a scenario file (sim.config.loading)
values     100,000                 values in a scenario file once YAML aliases are expanded
extends    50 files                base files in one ``extends`` chain
sweep      10,000 scenarios        members of one ``sweep`` (sim.config.sweep)
cells      1,500,000 cells         landscape grid cells, and values in a .npy layer header
hours      2.0 h                   estimated run time above which ``run`` needs ``--yes``
gb         5.0 GB                  estimated output size above which ``run`` needs ``--yes``
========== ======================= =====================================================================

The population cap per replicate is a scenario key (``max_cheetahs``), not a limit here: it is
part of the scenario's model and recorded with it.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace

ENV = "SIM_LIMITS"


class LimitError(ValueError):
    """A malformed ``--limit`` / ``SIM_LIMITS`` setting (a user error: exit status 2)."""


@dataclass(frozen=True)
class Limits:
    """The limits in force (see the module docstring for what each bounds)."""

    nesting: int = 50
    values: int = 100_000
    extends: int = 50
    sweep: int = 10_000
    cells: int = 1_500_000
    hours: float = 2.0
    gb: float = 5.0

    def changed(self) -> dict[str, float]:
        """The limits that differ from the defaults, ``{name: value}`` (what a manifest records)."""
        default = Limits()
        return {k: v for k, v in asdict(self).items() if getattr(default, k) != v}


_NAMES = {f.name: f.type for f in fields(Limits)}


def _value(name: str, text: str, source: str) -> float:
    """``text`` as the value of limit ``name``: a positive whole number (or number for hours, gb)."""
    kind = _NAMES[name]
    try:
        v = float(text.replace("_", ""))
    except ValueError:
        v = math.nan
    whole = kind in (int, "int")
    if not math.isfinite(v) or v <= 0 or (whole and v != int(v)):
        want = "a whole number ≥ 1" if whole else "a number > 0"
        raise LimitError(f"{source}: {name}={text}: must be {want}")
    return int(v) if whole else v


def parse(settings: list[str] | str, source: str = "--limit") -> dict[str, float]:
    """``["cells=3000000", ...]`` (or one comma-separated string) as ``{name: value}``; LimitError
    naming ``source``, the setting and the allowed names for anything else."""
    items = settings.split(",") if isinstance(settings, str) else list(settings)
    out: dict[str, float] = {}
    for item in items:
        item = item.strip()
        if not item:
            continue
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in _NAMES:
            raise LimitError(f"{source}: got {item!r}, must be NAME=VALUE with NAME one of: {', '.join(_NAMES)}")
        out[name] = _value(name, text.strip(), source)
    return out


def current() -> Limits:
    """The limits in force in this process: the defaults, changed by ``SIM_LIMITS``."""
    text = os.environ.get(ENV, "")
    return replace(Limits(), **parse(text, source=ENV)) if text.strip() else Limits()


def set_limits(changes: dict[str, float]) -> Limits:
    """Change the limits in force here and in the processes started from here (``SIM_LIMITS``);
    returns them. An empty ``changes`` leaves everything as it is."""
    if not changes:
        return current()
    merged = {**current().changed(), **changes}
    os.environ[ENV] = ",".join(f"{k}={v}" for k, v in merged.items())
    return current()


@contextlib.contextmanager
def limits_changed(changes: dict[str, float], exact: bool = False) -> Iterator[Limits]:
    """:func:`set_limits` while the block runs, the earlier ``SIM_LIMITS`` restored after it (the
    command line's main() runs in-process in tests, which must not leak limits into each other).
    ``exact``: the limits are the defaults changed by ``changes`` only, whatever ``SIM_LIMITS`` said
    before (a reused worker process runs a batch's chunk with that batch's limits)."""
    before = os.environ.get(ENV)
    try:
        if exact:
            os.environ.pop(ENV, None)
        yield set_limits(changes)
    finally:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before


def hint(name: str) -> str:
    """How to raise limit ``name`` (appended to the messages of refusals)."""
    return f"raise it with --limit {name}=N (or {ENV}={name}=N) if you have the memory and time"


__all__ = ["Limits", "LimitError", "current", "parse", "set_limits", "limits_changed", "hint", "ENV"]
