"""Running the validation: :func:`run_checks` runs the registered checks, :func:`main` is the
command line of ``python -m sim.validation`` (writes the report and the figures)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Sequence

# The check modules register their checks when imported: this import order is the report's order.
from . import theory_demography, theory_extinction, theory_drift, prey_logistic, offtake, movement, fences
from . import field_cubs, field_lifespan, field_breeding, kill_interval, namibia, iran, saiga, fence_saiga, sensitivity
from .common import CHECKS, CheckResult, Settings
from .field_pool import clear_field_cache
from .report import render_report

#: The modules that define the checks, in the order of the report.
CHECK_MODULES = (theory_demography, theory_extinction, theory_drift, prey_logistic, offtake, movement, fences,
                 field_cubs, field_lifespan, field_breeding, kill_interval, namibia, iran, saiga, fence_saiga,
                 sensitivity)


def run_checks(names: Sequence[str] | None, settings: Settings, *, progress: bool = True) -> list[CheckResult]:
    """Run the named checks (all if None) in registration order; a check that raises becomes a
    failed record carrying the error, so one broken check does not lose the others."""
    import traceback
    names = list(CHECKS) if not names else list(names)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise KeyError(f"unknown check(s): {', '.join(unknown)}; available: {', '.join(CHECKS)}")
    clear_field_cache()
    results = []
    for name in (n for n in CHECKS if n in names):
        chk = CHECKS[name]
        t0 = time.perf_counter()
        if progress:
            print(f"[validation] {name} ...", file=sys.stderr, flush=True)
        try:
            res = chk.fn(settings)
        except Exception as e:  # a check's crash is a failed check, reported with its traceback
            res = CheckResult(name=name, group=chk.group, title=name.replace("_", " "),
                              compares="(the check raised before it could compare anything)", method="—",
                              parameters=[], expected="—", tolerance="—",
                              observed=f"ERROR {type(e).__name__}: {e}", passed=False,
                              seconds=time.perf_counter() - t0, notes=traceback.format_exc().replace("\n", " ⏎ "))
        if progress:
            print(f"[validation] {name}: {'PASS' if res.passed else 'FAIL'} ({res.seconds:.0f} s) — "
                  f"{res.observed}", file=sys.stderr, flush=True)
        results.append(res)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.validation``: parse the options, run the checks, write the report; the exit
    status is 0 (1 with ``--strict`` if a check fails, 2 for bad options)."""
    ap = argparse.ArgumentParser(prog="python -m sim.validation",
                                 description="Run the validation checks and write docs/validation.md.")
    ap.add_argument("--out", default="docs/validation.md", help="markdown report to write (figures go to "
                    "<its folder>/figures/validation/); default docs/validation.md")
    ap.add_argument("--quick", action="store_true", help="few replicates and short horizons (tests)")
    ap.add_argument("--only", action="append", default=None, metavar="NAME",
                    help=f"run only this check (repeat or comma-separate); checks: {', '.join(CHECKS)}")
    ap.add_argument("--strict", action="store_true", help="exit with status 1 if any check fails")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs available)")
    ap.add_argument("--seed", type=int, default=20250, help="root seed of every check (default 20250)")
    args = ap.parse_args(argv)
    names = [n.strip() for part in (args.only or []) for n in part.split(",") if n.strip()] or None
    if names:
        unknown = [n for n in names if n not in CHECKS]
        if unknown:
            print(f"error: unknown check(s) {', '.join(unknown)}; available: {', '.join(CHECKS)}", file=sys.stderr)
            return 2
    jobs = args.jobs
    if jobs is None:
        try:
            jobs = len(os.sched_getaffinity(0))
        except AttributeError:
            jobs = os.cpu_count() or 1
    if jobs < 1:
        print("error: --jobs must be >= 1", file=sys.stderr)
        return 2
    out = Path(args.out)
    settings = Settings(fig_dir=out.parent / "figures" / "validation", quick=args.quick, jobs=jobs, seed=args.seed)
    t0 = time.perf_counter()
    results = run_checks(names, settings)
    seconds = time.perf_counter() - t0
    command = "python -m sim.validation " + " ".join(sys.argv[1:] if argv is None else argv)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(results, out, settings=settings, seconds=seconds, command=command.strip()),
                   encoding="utf-8")
    failed = [r.name for r in results if not r.passed]
    print(f"[validation] {len(results) - len(failed)} of {len(results)} checks pass"
          + (f"; FAIL: {', '.join(failed)}" if failed else "") + f"; report: {out} ({seconds:.0f} s)",
          file=sys.stderr)
    return 1 if (failed and args.strict) else 0
