"""The ``target`` command ("what would it take"): argument checks, the search and its files.

:func:`run_target` loads the scenario, checks the key(s) to vary, the range(s), the goal and the
output folder (each problem a :class:`TargetUsageError`, which sim.cli turns into one message and
exit status 2), runs :func:`sim.analysis.target.find_threshold` (or ``find_frontier`` with
``--vary2``) on a :class:`sim.runs.target.ScenarioEvaluator`, and writes target.csv, target.json,
target.png/.svg (frontier.csv, frontier.png/.svg) to ``results/target-<name>-<time>/`` or
``--out``, never into a folder that holds files. Kept out of sim/cli.py, which only parses.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pydantic import ValidationError

from .config.errors import ScenarioError
from .config.loading import pick_scenario
from .config.messages import describe_error
from .config.schema import Scenario
from .model.checks import check_all
from .runs.folder import out_dir_problem


class TargetUsageError(ValueError):
    """A bad argument of the target command (exit status 2)."""


def _pick_scenario(args: argparse.Namespace) -> tuple[Scenario, Path]:
    """The scenario of the file (``--name`` among several), with ``--years`` and common random
    numbers set and re-validated."""
    scenario, file = pick_scenario(args.scenario, args.name)
    data = scenario.model_dump()
    data["common_random_numbers"] = True
    if args.years is not None:
        data["years"] = args.years
    try:
        return Scenario.model_validate(data), file
    except ValidationError as e:
        raise ScenarioError(file, *[f"scenario {scenario.name!r} with --years {args.years}: {describe_error(err, data)}"
                                    for err in e.errors(include_url=False)]) from None


def run_target(args: argparse.Namespace) -> int:
    """The target search (sim.analysis.target) on the scenario run by sim.runs.target; writes
    target.csv/.json/.png/.svg (and frontier.csv/.png/.svg) to a new folder."""
    from .analysis.target import find_frontier, find_threshold, parse_goal, value_grid
    from .runs.target import KeyProblem, ReplicateFailed, ScenarioEvaluator, describe_key, scenario_at
    from .runs.executor import WorkerDied

    try:
        goal = parse_goal(args.goal)
    except ValueError as e:
        raise TargetUsageError(str(e)) from None
    if (args.vary2 is None) != (args.range2 is None):
        raise TargetUsageError("--vary2 and --range2 go together (the second key and its range)")
    if args.vary2 is not None and args.vary2 == args.vary:
        raise TargetUsageError(f"--vary2 {args.vary2}: the same key as --vary; choose another key")
    if args.max_replicates < args.replicates:
        raise TargetUsageError(f"--max-replicates {args.max_replicates} is below --replicates {args.replicates}")
    scenario, file = _pick_scenario(args)
    try:
        keys = [(args.vary, args.range, args.step, "--range", 20)]
        if args.vary2 is not None:
            keys.append((args.vary2, args.range2, args.step2, "--range2", 5))
        grids = []
        for key, (lo, hi), step, opt, intervals in keys:
            vk = describe_key(scenario, key, lo, "--vary" + opt.removeprefix("--range"))
            grids.append(value_grid(lo, hi, step, vk.integer, intervals, opt))
            scenario_at(scenario, [(key, grids[-1][-1].item())], "--vary" + opt.removeprefix("--range"))
    except (KeyProblem, ValueError) as e:
        raise TargetUsageError(str(e)) from None
    check_all([(scenario_at(scenario, [(k[0], g[0].item()) for k, g in zip(keys, grids)]), file)])
    out_dir = args.out or Path("results") / f"target-{scenario.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    if out_dir_problem(out_dir):
        raise TargetUsageError(out_dir_problem(out_dir))
    root = args.seed if args.seed is not None else scenario.seed
    ev = ScenarioEvaluator(scenario, args.vary, root_seed=root, base_dir=str(file.parent.resolve()),
                           jobs=args.jobs, plugins=tuple(str(Path(p).resolve()) for p in args.plugin))
    opts = dict(confidence=args.confidence, first=args.replicates, most=args.max_replicates,
                coarse=args.coarse, budget=args.budget, progress=lambda pt: print(
                    f"  {args.vary} = {pt.value:g}: {pt.k}/{pt.n} persisted → {pt.decision}", file=sys.stderr))
    print(f"target search: {args.vary} in {grids[0][0]:g}–{grids[0][-1]:g} ({len(grids[0])} values"
          + (f"; {args.vary2} in {len(grids[1])} values" if len(grids) > 1 else "")
          + f"), goal {args.goal}, {100 * args.confidence:g} % confidence, {scenario.years} years → {out_dir}")
    t0 = time.perf_counter()
    try:
        if len(grids) == 1:
            results = [find_threshold(grids[0], ev, goal, **opts)]
        else:
            def at(v2):
                print(f"{args.vary2} = {v2:g}:", file=sys.stderr)
                return ev.at(args.vary2, v2)
            results = find_frontier(grids[0], grids[1], at, goal, **opts)
    except (ReplicateFailed, WorkerDied) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return _target_outputs(args, scenario, file, grids, results, root, out_dir, time.perf_counter() - t0)


def _target_outputs(args, scenario, file, grids, results, root, out_dir, seconds) -> int:
    """Write and announce the target search's files, statements and warnings."""
    from .reporting.target_figures import draw_frontier, draw_target_curve
    from .runs.target import write_target_files

    two = len(grids) > 1
    record = {"scenario": scenario.name, "file": str(file), "key": args.vary, "range": list(args.range),
              "grid": grids[0], "goal": results[0].goal, "goal_text": args.goal.strip(),
              "confidence": args.confidence, "years": scenario.years,
              **({"key2": args.vary2, "range2": list(args.range2), "grid2": grids[1]} if two else {}),
              "method": "bisection on a monotone grid; exact Clopper-Pearson bounds at Bonferroni level "
                        "(1 - confidence) / (values x looks); docs/target.md",
              "settings": {"first_look": args.replicates, "max_per_value": args.max_replicates,
                           "coarse": args.coarse, "budget": args.budget, "jobs": args.jobs},
              "seeds": {"root_seed": root, "common_random_numbers": True,
                        "replicate_i": "SeedSequence(root_seed, spawn_key=(2**32, i)) at every value"},
              "seconds": round(seconds, 1), "command_line": list(sys.argv)}
    paths = write_target_files(out_dir, results, values2=[g.item() for g in grids[1]] if two else None,
                               record=record)
    if two:
        draw_frontier(results, grids[0], grids[1], args.vary, args.vary2, args.goal.strip(), out_dir / "frontier.png")
        for v2, r in zip(grids[1], results):
            print(f"{args.vary2} = {v2:g}: {r.statement(args.vary, args.goal.strip())}")
    else:
        draw_target_curve(results[0], args.vary, args.goal.strip(), out_dir / "target.png")
        print(results[0].statement(args.vary, args.goal.strip()))
    for w in dict.fromkeys(w for r in results for w in r.warnings):
        print(f"warning: {w}", file=sys.stderr)
    print(f"{sum(r.replicates for r in results):,} replicates in {seconds:.0f} s; files: {out_dir} "
          f"({', '.join(sorted(paths))}, {'frontier' if two else 'target'}.png/.svg)")
    return 0
