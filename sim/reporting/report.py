"""The HTML report of a finished run: one self-contained file for IUCN specialists.

``build_report(run_dir)`` reads the files a batch wrote (:mod:`sim.runs.batch`):
``manifest.json``, ``summary.csv``, ``by_year.csv``, ``replicates.csv.gz`` and ``occupancy/``
(:mod:`sim.reporting.runfiles`); draws the figures (:mod:`sim.reporting.figureset`) into
``run_dir/figures/*.png`` and writes ``run_dir/report.html`` with the same figures embedded as
base64 data URIs and inline CSS (:mod:`sim.reporting.page`; no scripts, fonts or styles from the
network: it opens offline and can be mailed as one file).

It never runs the model and never recomputes a statistic that a file already holds: P(persist),
intervals, r, N, gene diversity, deaths by cause and comparisons come from ``summary.csv`` and
``by_year.csv`` (sim.analysis.stats). Only what those files do not hold is computed here from the
tidy census: the 25-75 % band of N and the quantile bands of prey numbers.

Command line: ``python -m sim.reporting.report RUN_DIR [--curves NAME,NAME,...]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from .figstyle import figure_formats
from .figureset import make_figures
from .page import render_html
from .runfiles import FIGURE_DIR, REPORT_NAME, ReportError, read_run
from .selection import check_curve_names, default_curve_scenarios, ranked


def build_report(run_dir: str | Path, *, scenarios_for_curves: list[str] | None = None,
                 formats: tuple[str, ...] = ("png", "svg")) -> Path:
    """Write ``run_dir/report.html`` (self-contained) and ``run_dir/figures/*.png`` from the files
    of a finished run; returns the path of the HTML file.

    ``scenarios_for_curves``: scenarios drawn in the persistence and gene-diversity line charts
    (default: the baseline, the best, the worst and up to five more spread over the ranking).
    ``formats``: the figures' files (PNG is embedded in the page; SVG and PDF are written beside
    it in figures/ for papers and slides).
    Raises FileNotFoundError if the run's files are missing, ReportError for unknown names.
    """
    files = read_run(Path(run_dir))
    order = ranked(files)
    curves = ([n for n in order if n in check_curve_names(scenarios_for_curves, files)]
              if scenarios_for_curves is not None else default_curve_scenarios(files, order))
    for stale in (files.run_dir / FIGURE_DIR).glob(".*.tmp-*"):     # left by a killed build
        stale.unlink()
    with figure_formats(formats):             # PNG (embedded), and SVG/PDF beside it in figures/
        figs = make_figures(files, order, curves, files.run_dir / FIGURE_DIR)
    text = render_html(files, order, figs)
    out = files.run_dir / REPORT_NAME
    for stale in files.run_dir.glob(f".{REPORT_NAME}.tmp*"):
        stale.unlink()
    tmp = out.with_name(f".{REPORT_NAME}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.reporting.report RUN_DIR [--curves A,B,...]``; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m sim.reporting.report",
                                description="Build report.html and figures/ from a finished run folder.")
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    p.add_argument("--curves", metavar="NAMES", help="comma-separated scenarios for the persistence "
                   "and gene-diversity curves (default: baseline, best, worst and up to 5 more)")
    args = p.parse_args(argv)
    names = [s.strip() for s in args.curves.split(",") if s.strip()] if args.curves else None
    try:
        out = build_report(args.run_dir, scenarios_for_curves=names)
    except (FileNotFoundError, ReportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"report: {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
