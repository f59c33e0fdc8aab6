"""Reading a finished run folder for the report: manifest.json, summary.csv, by_year.csv and
the tidy census, replicates.csv.gz (the files sim.runs.outputs writes).

Tables are read as they are, numbers as floats ('' = NaN): the report never recomputes a
statistic that a file holds. Also the report's own files in the run folder.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

#: The report's HTML file and its figure folder, in the run folder.
REPORT_NAME = "report.html"
FIGURE_DIR = "figures"


class ReportError(ValueError):
    """A run folder that cannot be reported on, or a bad report option."""


@dataclass
class RunFiles:
    """What the report reads from a run folder (tables as lists of rows, numbers as floats)."""

    run_dir: Path
    manifest: dict
    summary: list[dict[str, Any]]
    by_year: dict[str, dict[str, np.ndarray]]          # scenario -> column -> one value per year
    notes: list[str] = field(default_factory=list)     # problems to tell the reader about

    @property
    def names(self) -> list[str]:
        return [r["scenario"] for r in self.summary]

    def row(self, name: str) -> dict[str, Any]:
        return next(r for r in self.summary if r["scenario"] == name)

    def entry(self, name: str) -> dict | None:
        """The manifest's record of a scenario (resolved scenario dict, seed, base_dir...)."""
        return next((e for e in self.manifest.get("scenarios", []) if e.get("name") == name), None)


def _number(text: str) -> Any:
    """A CSV cell as float if it is a number ('' = NaN), else the string itself."""
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        return text


_TEXT_COLUMNS = {"scenario", "family", "description", "baseline"}


#: Longest text field kept from a run's tables [characters]; the schema limits descriptions to
#: 2,000, but folders written before that limit may hold a megabyte in one field.
MAX_TEXT_CHARS = 2000


def _read_csv(path: Path) -> list[dict[str, Any]]:
    # csv's default field limit (131,072 characters) made report fail on such old folders.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: (_clip(v) if k in _TEXT_COLUMNS else _number(v)) for k, v in r.items()}
                for r in csv.DictReader(f)]


def _clip(text: str | None) -> str | None:
    """Text cut to MAX_TEXT_CHARS (with an ellipsis)."""
    if text is None or len(text) <= MAX_TEXT_CHARS:
        return text
    return text[:MAX_TEXT_CHARS] + "…"


def read_run(run_dir: Path) -> RunFiles:
    """Read manifest.json, summary.csv and by_year.csv of a finished run (clear errors if absent)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir}: no such run folder")
    missing = [n for n in ("manifest.json", "summary.csv", "by_year.csv") if not (run_dir / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{run_dir}: missing {', '.join(missing)}; a report needs the files of a "
                                "finished run (if the run was interrupted, resume it first)")
    try:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ReportError(f"{run_dir / 'manifest.json'}: not valid JSON ({e})") from None
    summary = _read_csv(run_dir / "summary.csv")
    if not summary:
        raise ReportError(f"{run_dir / 'summary.csv'}: no scenario rows")
    need = {"scenario", "p_persist", "p_persist_lo", "p_persist_hi", "n_replicates"}
    lacking = need - set(summary[0])
    if lacking:
        raise ReportError(f"{run_dir / 'summary.csv'}: lacks columns {', '.join(sorted(lacking))}")
    by_year: dict[str, dict[str, list]] = {}
    for r in _read_csv(run_dir / "by_year.csv"):
        cols = by_year.setdefault(r["scenario"], {})
        for k, v in r.items():
            if k != "scenario":
                cols.setdefault(k, []).append(v)
    arrays = {s: {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()} for s, cols in by_year.items()}
    files = RunFiles(run_dir=run_dir, manifest=manifest, summary=summary, by_year=arrays)
    if manifest.get("status") not in (None, "complete"):
        files.notes.append(f"The manifest says the run's status is “{manifest.get('status')}”, not "
                           "complete: the numbers may be partial.")
    return files


def read_replicate_columns(path: Path, scenarios: Sequence[str], columns: Sequence[str]
                           ) -> dict[str, dict[str, np.ndarray]]:
    """Census columns of the tidy ``replicates.csv.gz`` as (replicates × years) arrays for the
    given scenarios: ``{scenario: {column: array}}``. Years are placed by the ``year`` column
    (1-based); cells of a replicate missing a year stay NaN. One pass over the file."""
    wanted = set(scenarios)
    cols = list(dict.fromkeys(columns))
    rows: dict[str, dict[str, list]] = {s: {"replicate": [], "year": [], **{c: [] for c in cols}}
                                        for s in wanted}
    try:
        import pandas as pd  # optional: ~20x faster than the csv module on large runs
    except ImportError:
        pd = None
    if pd is not None:
        df = pd.read_csv(path, usecols=["scenario", "replicate", "year", *cols],
                         dtype={"scenario": str}, compression="gzip")
        df = df[df["scenario"].isin(wanted)]
        for s, g in df.groupby("scenario", sort=False):
            rows[s] = {k: g[k].to_numpy(dtype=np.float64) for k in ("replicate", "year", *cols)}
    else:
        with gzip.open(path, "rt", newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            head = next(reader)
            try:
                idx = {c: head.index(c) for c in ("scenario", "replicate", "year", *cols)}
            except ValueError as e:
                raise ReportError(f"{path}: {e}") from None
            si = idx["scenario"]
            for rec in reader:
                s = rec[si]
                if s in wanted:
                    d = rows[s]
                    for c in ("replicate", "year", *cols):
                        v = rec[idx[c]]
                        d[c].append(float(v) if v != "" else math.nan)
    out: dict[str, dict[str, np.ndarray]] = {}
    for s, d in rows.items():
        rep = np.asarray(d["replicate"], dtype=np.float64)
        if not rep.size:
            continue
        year = np.asarray(d["year"], dtype=np.int64)
        reps, ri = np.unique(rep, return_inverse=True)
        Y = int(year.max())
        out[s] = {}
        for c in cols:
            a = np.full((reps.size, Y), np.nan)
            a[ri, year - 1] = np.asarray(d[c], dtype=np.float64)
            out[s][c] = a
    return out


def quantile_bands(a: np.ndarray, qs=(0.05, 0.25, 0.5, 0.75, 0.95)) -> np.ndarray:
    """Per-year quantiles over runs (rows) of the finite values; NaN where a year has none."""
    out = np.full((len(qs), a.shape[1]), np.nan)
    ok = np.isfinite(a).any(axis=0)
    if ok.any():
        out[:, ok] = np.nanquantile(a[:, ok], qs, axis=0)
    return out


def num(row: dict, key: str) -> float:
    """A summary.csv cell as float: NaN if the column is absent or holds text."""
    v = row.get(key, math.nan)
    return float(v) if isinstance(v, (int, float)) else math.nan


def horizon(files: RunFiles) -> int:
    """The run's horizon [years]: the longest scenario (summary.csv, else by_year.csv; 1 if neither says)."""
    years = [num(r, "years") for r in files.summary]
    years = [y for y in years if math.isfinite(y)]
    if years:
        return int(max(years))
    ys = [int(np.nanmax(t["year"])) for t in files.by_year.values() if "year" in t and t["year"].size]
    return max(ys) if ys else 1

