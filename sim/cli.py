"""The command line: ``python run_scenarios.py COMMAND ...``.

Commands
--------
``run [FILES or FOLDERS...]``  load, check and run scenarios in parallel, then build the report.
``check [FILES...]``           validate scenarios (schema, rule names, landscape) without running.
``schema``                     print the JSON Schema of a scenario file.
``map [--preset P | --scenario FILE] OUT.png``   draw a landscape.
``report RUN_DIR``             (re)build the report of a finished run from its files.
``target FILE --vary KEY --range LOW HIGH --goal p_persist>=X``   what would it take: the smallest
                               value of KEY meeting the goal with a stated confidence
                               (sim.analysis.target; ``--vary2 KEY2 --range2 ...`` draws a frontier).
``sensitivity FILE``           one-at-a-time and global sensitivity of one scenario (sim.cli_sensitivity).
``view FILE [--seed N]``       watch one replicate in the browser on 127.0.0.1 (sim.cli_view, sim.viz).

User errors (bad scenario files, bad options, missing files, an existing output folder) print
one message to stderr and exit with status 2, without a traceback. Ctrl-C exits with 130 and
says how to resume. ``main(argv)`` returns the exit status, so tests can call it in-process.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import sys
import time
import traceback
from pathlib import Path
from typing import Sequence

from .config.overrides import QUICK_REPLICATES, QUICK_YEARS, apply_overrides  # noqa: F401  (re-exported)
from .model.checks import build_scenario_landscape, check_all
from .config.errors import ScenarioError
from .config.file_schema import file_json_schema
from .config.loading import load_scenarios
from .config.schema import LandscapeSpec
from .reporting.maps import draw_landscape
from .limits import LimitError, limits_changed, parse as parse_limits
from .runs.folder import OutFolderError
from .world.rasters import LayerError

PROG = "run_scenarios.py"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class UsageError(Exception):
    """A bad command line option or argument (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that raises instead of exiting, so main() returns a status in-process."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.format_usage().strip()}\n{self.prog}: error: {message}")


# ============================================================================================
# Option types
# ============================================================================================

def _int_in(lo: int, hi: int | None = None):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}, must be a whole number") from None
        if v < lo or (hi is not None and v > hi):
            rng = f"between {lo} and {hi}" if hi is not None else f"≥ {lo}"
            raise argparse.ArgumentTypeError(f"got {v}, must be {rng}")
        return v
    parse.__name__ = "int"
    return parse


def _version() -> str:
    from .runs.provenance import git_state, own_version

    g = git_state(abbrev="auto")
    return f"{PROG} {own_version()} (commit {g.describe()})"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Ustyurt cheetah reintroduction: population viability "
                "scenarios (agent-based).")
    p.add_argument("--version", action="version", version=_version())
    p.add_argument("-v", "--verbose", action="store_true", help="say more: settings of the batch (jobs, chunks, seeds)")
    p.add_argument("-q", "--quiet", action="store_true", help="say less: no progress bar and no notes "
                   "(errors, warnings and where the results are still shown)")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="raise (or lower) a size limit, repeatable: nesting, values, extends, sweep, cells, "
                        "hours, gb (sim/limits.py, docs/reliability.md); e.g. --limit cells=3000000")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser("run", help="run scenarios (default: the scenarios/ folder)",
                       description="Load, check and run scenarios; write results/<name>-<time>/ and the report.")
    r.add_argument("paths", nargs="*", metavar="FILE_OR_FOLDER",
                   help="scenario files or folders (default: scenarios/)")
    r.add_argument("--replicates", metavar="N", type=_int_in(1, 1_000_000), help="replicates per scenario (overrides the files)")
    r.add_argument("--years", metavar="N", type=_int_in(1, 200), help="horizon in years (overrides the files)")
    r.add_argument("--jobs", metavar="N", type=_int_in(1), help="parallel worker processes (default: all cores)")
    r.add_argument("--seed", metavar="N", type=_int_in(0), help="root seed (overrides the scenarios' seeds)")
    r.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: results/<first file>-<YYYYmmdd-HHMMSS>)")
    r.add_argument("--resume", type=Path, metavar="DIR", help="continue an interrupted run in DIR")
    r.add_argument("--quick", action="store_true",
                   help=f"first look: {QUICK_REPLICATES} replicates, {QUICK_YEARS}-year horizon "
                        "(releases after it are dropped)")
    r.add_argument("--backend", choices=("loky", "dask"),
                   help="loky (this machine, the default) or dask (a cluster; see --scheduler)")
    r.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler address, e.g. tcp://10.0.0.5:8786")
    r.add_argument("--baseline", metavar="NAME", help="scenario the others are compared with")
    r.add_argument("--plugin", action="append", default=[], metavar="FILE",
                   help="Python file registering extra rules (repeatable)")
    r.add_argument("--no-report", action="store_true", help="do not build the report afterwards")
    r.add_argument("--common-random-numbers", action="store_true",
                   help="compare the options on the same random years (every scenario's "
                        "common_random_numbers: seeds keyed by replicate index, the environment on its own "
                        "stream; paired baseline differences)")
    r.add_argument("--yes", action="store_true",
                   help="run even when the estimated time or output size is above the limits "
                        "(2 hours, 5 GB; or raise them: --limit hours=H --limit gb=G)")
    r.set_defaults(func=cmd_run)

    c = sub.add_parser("check", help="validate scenarios without running them")
    c.add_argument("paths", nargs="*", metavar="FILE_OR_FOLDER", help="scenario files or folders (default: scenarios/)")
    c.add_argument("--plugin", action="append", default=[], metavar="FILE",
                   help="Python file registering extra rules (repeatable)")
    c.set_defaults(func=cmd_check)

    s = sub.add_parser("schema", help="print the JSON Schema of a scenario file (for editors)")
    s.set_defaults(func=cmd_schema)

    m = sub.add_parser("map", help="draw a landscape to a PNG file")
    g = m.add_mutually_exclusive_group()
    g.add_argument("--preset", choices=("ustyurt", "uniform"), help="a preset landscape (default: ustyurt)")
    g.add_argument("--scenario", type=Path, metavar="FILE", help="the landscape of this scenario file")
    m.add_argument("out", type=Path, metavar="OUT.png")
    m.set_defaults(func=cmd_map)

    rep = sub.add_parser("report", help="(re)build the report of a finished run, or compare several runs",
                         description="One RUN_DIR: rebuild its report. Several: combine them into --out (runs of "
                                     "the same committed code, no scenario twice) and report them together, "
                                     "compared with the first run's baseline (or --baseline).")
    rep.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR")
    rep.add_argument("--out", type=Path, metavar="DIR",
                     help="folder for the combined runs (several RUN_DIRs; default results/combined-<time>)")
    rep.add_argument("--baseline", metavar="NAME", help="the scenario the others are compared with (several RUN_DIRs)")
    rep.add_argument("--pdf", action="store_true", help="also write every figure as PDF (PNG and SVG always)")
    rep.set_defaults(func=cmd_report)

    t = sub.add_parser("target", help="what would it take: smallest value of a key meeting a P(persist) goal",
                       description="Find the smallest value of one numeric scenario key whose P(persist) meets "
                       "the goal with the stated confidence (docs/target.md); writes results/target-<name>-<time>/.")
    t.add_argument("scenario", type=Path, metavar="FILE", help="scenario file")
    t.add_argument("--name", metavar="NAME", help="the scenario to use when the file holds several")
    t.add_argument("--vary", required=True, metavar="KEY", help="dotted key to vary, e.g. releases.0.females")
    t.add_argument("--range", required=True, nargs=2, type=float, metavar=("LOW", "HIGH"), help="values to search")
    t.add_argument("--step", type=float, metavar="S", help="grid step (default 1 for whole-number keys, "
                   "(HIGH-LOW)/20 otherwise)")
    t.add_argument("--goal", required=True, metavar="p_persist>=X", help="e.g. 'p_persist>=0.9'")
    t.add_argument("--confidence", type=_fraction, default=0.95, metavar="C", help="in (0, 1); default 0.95")
    t.add_argument("--vary2", metavar="KEY2", help="a second key: the frontier (for each of its values, the "
                   "smallest value of KEY)")
    t.add_argument("--range2", nargs=2, type=float, metavar=("LOW", "HIGH"), help="values of KEY2")
    t.add_argument("--step2", type=float, metavar="S", help="grid step of KEY2 (default 1, or (HIGH-LOW)/5)")
    t.add_argument("--years", metavar="N", type=_int_in(1, 200), help="horizon in years (overrides the file)")
    t.add_argument("--replicates", metavar="N", type=_int_in(1, 100_000), default=20,
                   help="replicates of a value's first look (default 20; looks double it)")
    t.add_argument("--max-replicates", metavar="N", type=_int_in(1, 1_000_000), default=320,
                   help="most replicates at one value (default 320)")
    t.add_argument("--coarse", metavar="N", type=_int_in(2, 1000), default=5,
                   help="values evaluated together first, ends included (default 5)")
    t.add_argument("--budget", metavar="N", type=_int_in(1), help="most replicates in all (per search)")
    t.add_argument("--jobs", metavar="N", type=_int_in(1), help="parallel worker processes (default: all cores)")
    t.add_argument("--seed", metavar="N", type=_int_in(0), help="root seed (default: the scenario's seed)")
    t.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: results/target-<name>-<time>)")
    t.add_argument("--plugin", action="append", default=[], metavar="FILE", help="Python file registering rules")
    t.set_defaults(func=cmd_target)

    se = sub.add_parser("sensitivity", help="sensitivity of one scenario to its parameters (tornado, Morris, PRCC)",
                        description="Vary the scenario's parameters over their documented ranges (sens in "
                                    "sim/config/params.py) with paired seeds: one at a time (tornado), Morris "
                                    "screening, Latin hypercube with partial rank correlation, Sobol indices; on "
                                    "P(persist), stochastic r and final N. See docs/sensitivity.md.")
    se.add_argument("file", type=Path, metavar="FILE", help="scenario file")
    se.add_argument("--name", metavar="NAME", help="the scenario to analyse (needed when FILE holds several)")
    se.add_argument("--method", default="oat", metavar="METHOD",
                    help="oat, morris, prcc, sobol, all (= oat, morris, prcc) or a comma list (default: oat)")
    se.add_argument("--replicates", metavar="N", type=_int_in(2, 100_000), default=20,
                    help="paired replicates per design point (default: 20)")
    se.add_argument("--years", metavar="N", type=_int_in(1, 200), help="horizon in years (default: the scenario's)")
    se.add_argument("--trajectories", metavar="N", type=_int_in(2, 10_000), default=10,
                    help="Morris trajectories (default: 10)")
    se.add_argument("--samples", metavar="N", type=_int_in(3, 100_000), default=50,
                    help="Latin-hypercube points for PRCC (default: 50)")
    se.add_argument("--sobol-samples", metavar="N", type=_int_in(2, 65_536), default=64,
                    help="Sobol base samples, a power of 2 (default: 64; N x (k + 2) points)")
    se.add_argument("--params", metavar="A,B,...", help="dotted parameter keys to vary (default: all with a range)")
    se.add_argument("--list-params", action="store_true", help="list the scenario's parameters and ranges and stop")
    se.add_argument("--jobs", metavar="N", type=_int_in(1), default=1, help="parallel worker processes (default: 1)")
    se.add_argument("--seed", metavar="N", type=_int_in(0), help="root seed (default: the scenario's seed)")
    se.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: results/sensitivity-<name>-<time>)")
    se.add_argument("--plugin", action="append", default=[], metavar="FILE",
                    help="Python file registering extra rules (repeatable)")
    se.set_defaults(func=cmd_sensitivity)

    v = sub.add_parser("view", help="watch one replicate in the browser (needs the viz extra; docs/view.md)",
                       description="Serve a page on 127.0.0.1 showing replicate 0 of `run FILE --seed N` month by month "
                                   "(map, cheetahs, prey, deaths, panel; step, play, reset, sliders). Ctrl-C stops it.")
    v.add_argument("scenario", type=Path, metavar="FILE", help="scenario file")
    v.add_argument("--name", metavar="NAME", help="the scenario to view when the file holds several")
    v.add_argument("--seed", metavar="N", type=_int_in(0), help="root seed (default: the scenario's seed)")
    v.add_argument("--port", metavar="N", type=_int_in(0, 65535), default=8765, help="on 127.0.0.1 (default 8765; 0: any free)")
    v.add_argument("--layer", default="saiga", choices=("none", "saiga", "gazelle", "urial", "hare"), help="prey shown first")
    v.add_argument("--plugin", action="append", default=[], metavar="FILE", help="Python file registering rules")
    v.set_defaults(func=cmd_view)
    return p


def _fraction(text: str) -> float:
    """A number strictly between 0 and 1 (a confidence level)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, must be a number in (0, 1), e.g. 0.95") from None
    if not 0.0 < v < 1.0:
        raise argparse.ArgumentTypeError(f"got {text}, must be strictly between 0 and 1, e.g. 0.95")
    return v


# ============================================================================================
# Entry point
# ============================================================================================

def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failures, 2 user error, 130 Ctrl-C,
    143 SIGTERM)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as e:
        print(e, file=sys.stderr)
        return 2
    except SystemExit as e:          # --help
        return int(e.code or 0)
    _stop_on_sigterm()
    _configure_logging(args)
    try:
        with limits_changed(parse_limits(args.limit)):
            return int(args.func(args) or 0)
    except KeyboardInterrupt:       # sim.runs.batch prints nothing on Ctrl-C: this is the one hint
        out = getattr(args, "active_out_dir", None)
        msg = "\ninterrupted."
        if out is not None and Path(out).exists():
            msg += (f" Finished replicates are saved in {out}; continue with:\n"
                    f"  python {PROG} run --resume {out}")
        print(msg, file=sys.stderr)
        return 143 if _TERMINATED else 130
    except BrokenPipeError:          # e.g. `schema | head`
        return 0
    except _USER_ERRORS as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:             # a full disk, a read-only file system... while writing
        return _filesystem_error(e, getattr(args, "active_out_dir", None))


def _filesystem_error(e: OSError, out: Path | None) -> int:
    """Say what the file system refused (exit 1 with the resume command when a batch had started
    writing its folder, else 2), or re-raise an OSError that is not the machine's state."""
    from .runs.folder import MANIFEST, filesystem_message
    msg = filesystem_message(e)
    if msg is None:
        raise e
    started = out is not None and (Path(out) / MANIFEST).is_file()
    if started:
        msg += (f". Finished replicates are saved in {out}; when the problem is fixed, continue with:\n"
                f"  python {PROG} run --resume {out}")
    print(f"error: {msg}", file=sys.stderr)
    return 1 if started else 2


_TERMINATED = False       # set when SIGTERM stopped the run (exit status 143 instead of 130)

#: The command line's messages besides results and errors: notes (INFO), settings (DEBUG with -v).
log = logging.getLogger("sim.cli")


def _configure_logging(args: argparse.Namespace) -> None:
    """Notes to stderr as plain lines: INFO by default, WARNING with -q, DEBUG with -v."""
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    log.handlers[:] = [logging.StreamHandler(sys.stderr)]
    log.handlers[0].setFormatter(logging.Formatter("%(message)s"))
    log.setLevel(level)
    log.propagate = False


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (cluster schedulers, ``timeout``, ``kill``) like Ctrl-C: the batch stops its
    workers and the user gets the resume hint (by default SIGTERM ended this process at once and
    left its busy workers running for minutes)."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return                      # signal handlers can only be set from the main thread

    def interrupt(signum, frame):
        global _TERMINATED
        _TERMINATED = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


#: Exceptions that mean bad input, not a bug: one message, exit status 2, no traceback.
_USER_ERRORS = (ScenarioError, UsageError, FileNotFoundError, LayerError, LimitError, OutFolderError)


# ============================================================================================
# run
# ============================================================================================

def cmd_run(args: argparse.Namespace) -> int:
    backend = _backend(args)
    if args.resume is not None:
        return _resume(args, backend)
    load_plugins(args.plugin)
    loaded = load_scenarios(_paths(args.paths))
    loaded, notes = apply_overrides(loaded, replicates=args.replicates, years=args.years, quick=args.quick,
                                    paired=args.common_random_numbers)
    for n in notes:
        log.info(f"note: {n}")
    if not loaded:
        raise UsageError(f"nothing to run: {', '.join(map(str, _paths(args.paths)))} holds only abstract scenarios")
    check_all(loaded)
    names = [s.name for s, _ in loaded]
    if args.baseline is not None and args.baseline not in names:
        raise UsageError(f"--baseline {args.baseline}: no scenario of that name{_did_you_mean(args.baseline, names)}"
                         f" (scenarios: {', '.join(names)})")
    for s, f in loaded:
        if s.baseline is not None and s.baseline not in names:
            log.info(f"note: {f}: scenario {s.name!r} names baseline {s.baseline!r}, which is not in this "
                  "run; it will not be compared")

    out_dir = args.out if args.out is not None else default_out_dir(loaded)
    from .runs.folder import NOT_EMPTY, out_dir_problem

    problem = out_dir_problem(out_dir)
    if problem:
        resume = (f", or continue an interrupted run with: python {PROG} run --resume {out_dir}"
                  if problem.endswith(NOT_EMPTY) else "")
        raise UsageError(problem + resume)
    # imported here, not at the top, for start-up speed: the batch runner pulls in the model,
    # Mesa and scipy (~3 s), which check, schema and map do not need
    from .runs.batch import ManifestError, OutputExistsError, run_batch

    reps = sum(s.replicates for s, _ in loaded)
    guess = _estimate(loaded, args.jobs)
    too_large = guess.too_large()
    if too_large and not args.yes:
        raise UsageError(f"{len(loaded)} scenario{'s' * (len(loaded) != 1)} with {reps:,} replicates in all would "
                         f"take {guess.text()} ({too_large}); check replicates and years, or add --yes to run it")
    print(f"running {len(loaded)} scenario{'s' * (len(loaded) != 1)} ({reps:,} replicates in all; "
          f"{guess.text()}) → {out_dir}")
    args.active_out_dir = out_dir
    log.debug(f"settings: jobs {args.jobs or 'all cores'}, backend {backend}, root seed "
              f"{args.seed if args.seed is not None else 'each scenario seed'}, common random numbers "
              f"{'on' if any(s.common_random_numbers for s, _ in loaded) else 'off'}; scenarios: "
              + ", ".join(f"{s.name} ({s.replicates} x {s.years} y, seed {s.seed})" for s, _ in loaded))
    try:
        result = run_batch(
            [s for s, _ in loaded], out_dir, jobs=args.jobs, backend=backend, scheduler=args.scheduler,
            root_seed=args.seed, base_dirs={s.name: f.parent.resolve() for s, f in loaded},
            sources={s.name: str(f) for s, f in loaded}, baseline=args.baseline, progress=not args.quiet,
            preview=args.quick,
            plugins=[str(Path(p).resolve()) for p in args.plugin] or None)
    except OutputExistsError as e:
        raise UsageError(f"{e}; to continue an interrupted run: python {PROG} run --resume {out_dir}") from None
    except ManifestError as e:          # FolderBusy: another process is starting a run in out_dir
        raise UsageError(f"--out {out_dir}: {e}") from None
    return _finish(result, args.no_report)


def _estimate(loaded, jobs):
    """The batch's rough run time and output size (:mod:`sim.runs.estimate`)."""
    from .runs.estimate import estimate
    from .world.geometry import grid_shape
    from .world.presets import preset_extent_km

    cells = []
    for s, f in loaded:
        rows, cols = grid_shape(*preset_extent_km(s.landscape, f.parent), s.landscape.cell_km)
        cells.append(rows * cols)
    return estimate([s for s, _ in loaded], cells, jobs)


def _resume(args: argparse.Namespace, backend: str) -> int:
    clash = [opt for opt, val in (("FILES", args.paths), ("--replicates", args.replicates),
                                  ("--years", args.years), ("--seed", args.seed), ("--out", args.out),
                                  ("--quick", args.quick), ("--baseline", args.baseline),
                                  ("--common-random-numbers", args.common_random_numbers)) if val]
    if clash:
        raise UsageError(f"--resume continues a run with the scenarios and settings saved in it; "
                         f"do not combine it with {', '.join(clash)}")
    if not args.resume.is_dir():
        raise UsageError(f"--resume {args.resume}: no such folder")
    load_plugins(args.plugin)
    from .runs.batch import ManifestError, resume_batch   # here for start-up speed (see cmd_run)

    args.active_out_dir = args.resume
    print(f"resuming {args.resume}")
    try:
        result = resume_batch(args.resume, jobs=args.jobs, backend=backend, scheduler=args.scheduler,
                              progress=not args.quiet)
    except ManifestError as e:
        raise UsageError(f"--resume {args.resume}: {e}") from None
    return _finish(result, args.no_report)


def _finish(result, no_report: bool) -> int:
    print(f"summary: {result.summary_path}")
    if not no_report:
        # imported here, not at the top, for start-up speed: the report pulls in matplotlib
        from .reporting.report import build_report

        print(f"report:  {build_report(Path(result.out_dir))}")
    if result.n_failed:
        print(f"warning: {result.failure_report()}", file=sys.stderr)
        return 1
    return 0


def _backend(args: argparse.Namespace) -> str:
    if args.scheduler and args.backend == "loky":
        raise UsageError("--scheduler is the address of a dask scheduler; use it with --backend dask")
    return args.backend or ("dask" if args.scheduler else "loky")


def _paths(paths: list[str]) -> list[Path]:
    """The given paths, or the scenarios/ folder: here, else the project's (a checkout), else the
    shipped set an installed wheel put in <prefix>/share/ustyurt-cheetah/scenarios."""
    if paths:
        return [Path(p) for p in paths]
    for folder in (Path("scenarios"), PROJECT_ROOT / "scenarios", SHIPPED_SCENARIOS):
        if folder.is_dir():
            return [folder]
    return [Path("scenarios")]


#: Where an installed wheel puts the shipped scenario set (pyproject.toml, data-files).
SHIPPED_SCENARIOS = Path(sys.prefix) / "share" / "ustyurt-cheetah" / "scenarios"


def default_out_dir(loaded, now: float | None = None) -> Path:
    """``results/<first scenario file stem or 'batch'>-<YYYYmmdd-HHMMSS>``."""
    stem = loaded[0][1].stem if loaded else "batch"
    return Path("results") / f"{stem}-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}"


def load_plugins(paths: list[str]) -> None:
    """Import each --plugin file so its rules are registered before scenarios are checked."""
    if not paths:
        return
    from . import registry as rules

    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise UsageError(f"--plugin {p}: no such file")
        try:
            rules.load_plugin(path)
        except Exception as e:  # noqa: BLE001 - user code; report where it broke
            line = ""
            for frame in reversed(traceback.extract_tb(e.__traceback__)):
                if Path(frame.filename).resolve() == path.resolve():
                    line = f" (line {frame.lineno}: {frame.line})"
                    break
            raise UsageError(f"--plugin {p}: importing it failed: {type(e).__name__}: {e}{line}") from None


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# ============================================================================================
# check, schema, map, report
# ============================================================================================

def cmd_check(args: argparse.Namespace) -> int:
    load_plugins(args.plugin)
    loaded = load_scenarios(_paths(args.paths))
    check_all(loaded)
    files = len({f for _, f in loaded})
    if not loaded:
        print("OK: no runnable scenario (only abstract bases, whose own keys are valid; the scenarios "
              "that extend them are checked whole)")
        return 0
    print(f"OK: {len(loaded)} scenario{'s' * (len(loaded) != 1)} in {files} file{'s' * (files != 1)}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(file_json_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    if args.scenario is not None:
        loaded = load_scenarios([args.scenario])
        if not loaded:
            raise UsageError(f"--scenario {args.scenario}: the file holds only abstract scenarios")
        scenario, file = loaded[0]
        land = build_scenario_landscape(scenario, file)     # draw it even if a site is wrong
    else:
        from .world.build import build_landscape

        land = build_landscape(LandscapeSpec(preset=args.preset or "ustyurt"))
    if args.out.parent and not args.out.parent.exists():
        raise UsageError(f"{args.out}: the folder {args.out.parent} does not exist")
    draw_landscape(land, args.out)
    print(f"map: {args.out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    for d in args.run_dirs:
        if not d.is_dir():
            raise UsageError(f"{d}: no such run folder")
    from .reporting.report import build_report   # here for start-up speed (see _finish)

    formats = ("png", "svg", "pdf") if args.pdf else ("png", "svg")
    if len(args.run_dirs) == 1:
        if args.out is not None or args.baseline is not None:
            raise UsageError("--out and --baseline are for combining several runs; give two or more RUN_DIRs")
        print(f"report: {build_report(args.run_dirs[0], formats=formats)}")
        return 0
    from .runs.combine import CombineError, combine_runs

    out = args.out if args.out is not None else Path("results") / f"combined-{time.strftime('%Y%m%d-%H%M%S')}"
    try:
        folder = combine_runs(args.run_dirs, out, baseline=args.baseline)
    except CombineError as e:
        raise UsageError(str(e)) from None
    print(f"combined: {folder}")
    print(f"report:   {build_report(folder, formats=formats)}")
    return 0


# ============================================================================================
# target
# ============================================================================================

def cmd_target(args: argparse.Namespace) -> int:
    """The target search (``what would it take``): :func:`sim.cli_target.run_target`."""
    load_plugins(args.plugin)
    from .cli_target import TargetUsageError, run_target     # here for start-up speed (see cmd_run)

    try:
        return run_target(args)
    except TargetUsageError as e:
        raise UsageError(str(e)) from None


def cmd_view(args: argparse.Namespace) -> int:
    """The browser view of one replicate: :func:`sim.cli_view.run_view`."""
    load_plugins(args.plugin)
    from .cli_view import ViewUsageError, run_view      # here for start-up speed (see cmd_run)
    try:
        return run_view(args)
    except ViewUsageError as e:
        raise UsageError(str(e)) from None


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """One scenario's sensitivity study: :func:`sim.cli_sensitivity.run_sensitivity`."""
    load_plugins(args.plugin)
    from .cli_sensitivity import SensitivityUsageError, run_sensitivity   # here for start-up speed
    try:
        return run_sensitivity(args)
    except SensitivityUsageError as e:
        raise UsageError(str(e)) from None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
