"""A short Python API for notebooks: run scenarios and get tidy pandas DataFrames.

    import sim
    res = sim.run("scenarios/founders.yaml", replicates=20, years=30, jobs=2)
    res.summary            # one row per scenario (the columns of summary.csv)
    res.by_year            # one row per scenario x year (by_year.csv)
    res.replicates         # one row per scenario x replicate x year (replicates.csv.gz)
    res.folder             # the run folder, with report.html when report=True

The same checks, seeds and outputs as ``run_scenarios.py run``: a run from here and from the
command line with the same scenarios, seed and overrides write the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


@dataclass
class Results:
    """A finished run: its folder and its tables as pandas DataFrames (read on first use)."""

    folder: Path

    @property
    def summary(self):
        import pandas as pd

        return pd.read_csv(self.folder / "summary.csv")

    @property
    def by_year(self):
        import pandas as pd

        return pd.read_csv(self.folder / "by_year.csv")

    @property
    def replicates(self):
        import pandas as pd

        return pd.read_csv(self.folder / "replicates.csv.gz")


def run(paths: str | Path | Sequence[str | Path], *, replicates: int | None = None, years: int | None = None,
        quick: bool = False, seed: int | None = None, jobs: int | None = None, out: str | Path | None = None,
        common_random_numbers: bool = False, report: bool = False, progress: bool = False) -> Results:
    """Load, check and run the scenarios of ``paths`` (files or folders); return the results.

    ``replicates``, ``years``, ``quick``, ``seed`` (one root seed for all), ``common_random_numbers``:
    as the command line's options. ``out``: the run folder (default results/<name>-<time>/, never
    an existing non-empty one). ``report``: also build report.html. Raises
    :class:`sim.config.errors.ScenarioError` for bad scenarios (its message names file and key)."""
    from .cli import default_out_dir
    from .config.overrides import apply_overrides
    from .config.loading import load_scenarios
    from .model.checks import check_all
    from .runs.batch import run_batch

    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    loaded = load_scenarios([Path(p) for p in items])
    loaded, _ = apply_overrides(loaded, replicates=replicates, years=years, quick=quick,
                                paired=common_random_numbers)
    check_all(loaded)
    folder = Path(out) if out is not None else default_out_dir(loaded)
    run_batch([s for s, _ in loaded], folder, jobs=jobs, root_seed=seed,
              base_dirs={s.name: f.parent.resolve() for s, f in loaded},
              sources={s.name: str(f) for s, f in loaded}, progress=progress, preview=quick)
    if report:
        from .reporting.report import build_report

        build_report(folder)
    return Results(folder)


__all__ = ["run", "Results"]
