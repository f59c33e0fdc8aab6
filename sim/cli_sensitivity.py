"""The ``sensitivity`` command: option checks, the study (sim.runs.sensitivity) and its folder.

:func:`run_sensitivity` picks the scenario, checks the methods, parameters, design sizes and the
output folder (each problem a :class:`SensitivityUsageError`, which sim.cli turns into one
message and exit status 2), runs the study and writes its tables, figures and page to
``results/sensitivity-<name>-<time>/`` or ``--out``. Kept out of sim/cli.py, which only parses.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .config.loading import pick_scenario
from .config.overrides import apply_overrides
from .model.checks import check_all
from .runs.folder import out_dir_problem


class SensitivityUsageError(ValueError):
    """A bad argument of the sensitivity command (exit status 2)."""


def run_sensitivity(args: argparse.Namespace) -> int:
    """One scenario's sensitivity study: check the options, run it, write the folder, print where
    it is and the top 5 parameters of each method and output."""
    from .runs import sensitivity as rs              # the model and SALib load only here (start-up speed)

    try:
        methods = rs.parse_methods(args.method)
    except ValueError as e:
        raise SensitivityUsageError(f"--method: {e}") from None
    loaded, _ = apply_overrides([pick_scenario(args.file, args.name)], years=args.years)
    check_all(loaded)
    scenario, file = loaded[0]
    try:
        params, notes = rs.study_parameters(scenario, [n.strip() for n in args.params.split(",") if n.strip()]
                                            if args.params else None)
        for n in notes:
            print(f"note: {n}", file=sys.stderr)
        if args.list_params:
            print(rs.parameter_listing(params))
            return 0
        rs.check_design(methods, len(params), args.samples, args.sobol_samples)
    except rs.PointError as e:
        raise SensitivityUsageError(f"--params: {e}") from None
    except ValueError as e:         # unknown parameter names, design sizes
        raise SensitivityUsageError(str(e)) from None
    out = args.out if args.out is not None else \
        Path("results") / f"sensitivity-{scenario.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    if out_dir_problem(out):
        raise SensitivityUsageError(out_dir_problem(out))
    runs = rs.planned_runs(methods, len(params), args.replicates, args.trajectories, args.samples, args.sobol_samples)
    print(f"sensitivity of {scenario.name} ({scenario.years} years): {len(params)} parameters, "
          f"{', '.join(methods)}; {runs:,} model runs on {args.jobs} worker(s) → {out}")
    try:
        study = rs.run_study(scenario, params, base_dir=file.parent.resolve(), methods=methods,
                             replicates=args.replicates, trajectories=args.trajectories, samples=args.samples,
                             sobol_samples=args.sobol_samples, jobs=args.jobs, seed=args.seed, log=print)
    except rs.PointError as e:
        raise SensitivityUsageError(str(e)) from None
    from .reporting.sensitivity import write_figures, write_page

    rs.write_tables(study, out, rs.versions())
    page = write_page(study, out, write_figures(study, out))
    print(f"results: {out}\npage:    {page}")
    print(rs.top_summary(study))
    return 0
