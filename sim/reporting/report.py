"""The HTML report of a finished run: one self-contained file for IUCN specialists.

``build_report(run_dir)`` reads the files a batch wrote (:mod:`sim.batch`): ``manifest.json``,
``summary.csv``, ``by_year.csv``, ``replicates.csv.gz`` and ``occupancy/``; draws the figures
(:mod:`sim.figures`) into ``run_dir/figures/*.png`` and writes ``run_dir/report.html`` with the
same figures embedded as base64 data URIs and inline CSS (no scripts, fonts or styles from the
network: it opens offline and can be mailed as one file).

It never runs the model and never recomputes a statistic that a file already holds: P(persist),
intervals, r, N, gene diversity, deaths by cause and comparisons come from ``summary.csv`` and
``by_year.csv`` (sim.stats). Only what those files do not hold is computed here from the tidy
census: the 25-75 % band of N and the quantile bands of prey numbers.

Command line: ``python -m sim.report RUN_DIR [--curves NAME,NAME,...]``.
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import html
import importlib
import importlib.metadata
import json
import math
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..reporting import figures as fg
from ..model.results import DEATH_CAUSES, PREY_SPECIES

REPORT_NAME = "report.html"
FIGURE_DIR = "figures"
MAX_CURVES_DEFAULT = 8          # baseline, best, worst and up to 5 more
PACKAGE = "ustyurt-cheetah"
# Keys that name or describe a scenario rather than change what is simulated.
_LABEL_KEYS = ("name", "description", "family", "baseline")


class ReportError(ValueError):
    """A run folder that cannot be reported on, or a bad report option."""


# ================================================================================= reading files

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


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: (v if k in _TEXT_COLUMNS else _number(v)) for k, v in r.items()}
                for r in csv.DictReader(f)]


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


def _quantile_bands(a: np.ndarray, qs=(0.05, 0.25, 0.5, 0.75, 0.95)) -> np.ndarray:
    """Per-year quantiles over runs (rows) of the finite values; NaN where a year has none."""
    out = np.full((len(qs), a.shape[1]), np.nan)
    ok = np.isfinite(a).any(axis=0)
    if ok.any():
        out[:, ok] = np.nanquantile(a[:, ok], qs, axis=0)
    return out


# ================================================================================= choosing

def _f(row: dict, key: str) -> float:
    v = row.get(key, math.nan)
    return float(v) if isinstance(v, (int, float)) else math.nan


def ranked(files: RunFiles) -> list[str]:
    """Scenario names by P(persist at the horizon), highest first; ties by mean final N; runs
    without a value last (in manifest order)."""
    def key(r):
        p, n = _f(r, "p_persist"), _f(r, "N_mean")
        return (0 if math.isfinite(p) else 1, -p if math.isfinite(p) else 0.0,
                -n if math.isfinite(n) else 0.0)
    return [r["scenario"] for r in sorted(files.summary, key=key)]


def baseline_name(files: RunFiles) -> str | None:
    """The run's baseline: manifest ``baseline``, else the scenario most others are compared with."""
    b = files.manifest.get("baseline")
    if b in files.names:
        return b
    named = [r.get("baseline") for r in files.summary if r.get("baseline") in files.names]
    if named:
        return max(set(named), key=named.count)
    return None


def default_curve_scenarios(files: RunFiles, order: list[str]) -> list[str]:
    """Baseline, best, worst, and up to five more spread evenly over the ranking; in rank order."""
    with_p = [n for n in order if math.isfinite(_f(files.row(n), "p_persist"))] or order
    chosen = []
    base = baseline_name(files)
    for n in (base, with_p[0], with_p[-1]):
        if n is not None and n not in chosen:
            chosen.append(n)
    rest = [n for n in with_p if n not in chosen]
    k = min(MAX_CURVES_DEFAULT - len(chosen), len(rest))
    if k > 0:
        picks = np.unique(np.linspace(0, len(rest) - 1, k).round().astype(int))
        chosen += [rest[i] for i in picks]
    return [n for n in order if n in chosen]


def check_curve_names(names: Sequence[str], files: RunFiles) -> list[str]:
    unknown = [n for n in names if n not in files.names]
    if unknown:
        raise ReportError(f"scenarios_for_curves: no scenario named {', '.join(map(repr, unknown))} in "
                          f"{files.run_dir}; scenarios: {', '.join(files.names)}")
    if not names:
        raise ReportError("scenarios_for_curves: give at least one scenario name")
    return list(dict.fromkeys(names))


# ================================================================================= figures

@dataclass
class Figures:
    """Figure files written for the report, with their captions, in report order."""

    items: list[tuple[str, Path, str]] = field(default_factory=list)   # (key, path, caption)
    notes: dict[str, str] = field(default_factory=dict)                # key -> why it is missing

    def add(self, key: str, path: Path, caption: str) -> None:
        self.items.append((key, path, caption))

    def get(self, key: str) -> tuple[Path, str] | None:
        return next(((p, c) for k, p, c in self.items if k == key), None)


def _horizon(files: RunFiles) -> int:
    years = [_f(r, "years") for r in files.summary]
    years = [y for y in years if math.isfinite(y)]
    if years:
        return int(max(years))
    ys = [int(np.nanmax(t["year"])) for t in files.by_year.values() if "year" in t and t["year"].size]
    return max(ys) if ys else 1


def _label(files: RunFiles, name: str, base: str | None) -> str:
    """Figure label of a scenario: its name, marked '(baseline)' unless the name says so."""
    return f"{name} (baseline)" if name == base and "baseline" not in name.lower() else name


def make_figures(files: RunFiles, order: list[str], curves: list[str], out: Path) -> Figures:
    """Draw every figure of the report into ``out`` (a folder)."""
    out.mkdir(parents=True, exist_ok=True)
    figs = Figures()
    H = _horizon(files)
    base = baseline_name(files)
    by = files.by_year

    # -- persistence curves
    series = []
    for n in curves:
        t = by.get(n)
        if t is None or "p_persist" not in t:
            continue
        series.append(fg.Band(_label(files, n, base), t["year"], t["p_persist"], t.get("p_persist_lo"),
                              t.get("p_persist_hi")))
    figs.add("persistence", fg.persistence_curves(series, out / "persistence.png", horizon_years=H),
             "Probability of persistence (both sexes present) by year, with 95 % Wilson intervals, for "
             "the baseline, the best and worst scenarios and a spread of others.")

    # -- forest plot
    rows = [fg.ForestRow(n, str(files.row(n).get("family") or "") or "other",
                         _f(files.row(n), "p_persist"), _f(files.row(n), "p_persist_lo"),
                         _f(files.row(n), "p_persist_hi"), int(_f(files.row(n), "n_replicates") or 0),
                         is_baseline=(n == base)) for n in order]
    figs.add("forest", fg.forest_plot(rows, out / "forest.png", horizon_years=H),
             f"Probability of persistence at year {H} with 95 % Wilson intervals, grouped by the "
             "scenarios' family (the option they vary). Numbers on the right: estimate (interval).")

    # -- bands of N and prey from the tidy census (what by_year.csv does not hold)
    with_p = [n for n in order if math.isfinite(_f(files.row(n), "p_persist"))] or order
    prey_scen = [n for n in dict.fromkeys([base, with_p[0], with_p[-1]]) if n is not None]
    rep_path = files.run_dir / "replicates.csv.gz"
    reps: dict[str, dict[str, np.ndarray]] = {}
    if rep_path.is_file():
        try:
            reps = read_replicate_columns(rep_path, order, ["N", *[f"prey_{s}" for s in PREY_SPECIES]])
        except (OSError, ValueError, KeyError, EOFError) as e:
            files.notes.append(f"replicates.csv.gz could not be read ({type(e).__name__}: {e}); "
                               "bands show only what by_year.csv holds.")
    else:
        files.notes.append("replicates.csv.gz is missing; population bands show 5–95 % only and prey "
                           "shows the mean over runs.")

    panels = []
    for n in order:
        t = by.get(n, {})
        if n in reps:
            q = _quantile_bands(reps[n]["N"])
            years = np.arange(1, q.shape[1] + 1)
            panels.append(fg.Band(_label(files, n, base), years, q[2], q[0], q[4], q[1], q[3]))
        elif "N_q50" in t:
            panels.append(fg.Band(_label(files, n, base), t["year"], t["N_q50"], t.get("N_q05"),
                                  t.get("N_q95"), t.get("N_q25"), t.get("N_q75")))
    figs.add("population", fg.fan_charts(panels, out / "population.png",
                                         title="Cheetahs alive (all ages), by scenario",
                                         ylabel="Cheetahs alive (animals, all ages)", horizon_years=H),
             "Number of cheetahs alive in each year: median over runs (line), the middle 50 % and 90 % "
             "of runs (bands). Extinct runs count as 0. Panels in the order of the summary table.")

    # -- gene diversity
    gd = [fg.Band(_label(files, n, base), by[n]["year"], by[n]["gene_diversity"])
          for n in curves if n in by and "gene_diversity" in by[n]]
    figs.add("gene_diversity", fg.lines_over_time(
        gd, out / "gene_diversity.png", title="Gene diversity over time",
        ylabel="Gene diversity\n(expected heterozygosity, 0–1)", horizon_years=H,
        note="Mean over runs still holding both sexes; a line ends when no run does"),
        "Gene diversity (expected heterozygosity at neutral loci) of the living population, mean over "
        "runs in which the population persisted that year.")

    # -- deaths by cause
    causes = [c for c in DEATH_CAUSES if f"death_share_{c}" in files.summary[0]]
    drows = [(_label(files, n, base), {c: _f(files.row(n), f"death_share_{c}") for c in causes},
              _f(files.row(n), "deaths_total_mean")) for n in order]
    figs.add("deaths", fg.deaths_by_cause(drows, out / "deaths.png", causes=causes),
             "Deaths by cause, and animals that walked off an open map edge (emigration), as shares of "
             "all losses over the horizon, pooled over runs; the number on the right is the mean number "
             "of losses per run.")

    # -- landscape and occupancy
    _landscape_figures(files, order, base, out, figs)

    # -- prey
    prey: dict[str, list[fg.Band]] = {}
    for s in PREY_SPECIES:
        col = f"prey_{s}"
        lines = []
        for n in prey_scen:
            if n in reps:
                q = _quantile_bands(reps[n][col])
                lines.append(fg.Band(_label(files, n, base), np.arange(1, q.shape[1] + 1), q[2], q[0], q[4]))
            elif col in by.get(n, {}):
                lines.append(fg.Band(_label(files, n, base) + " (mean)", by[n]["year"], by[n][col]))
        if any(np.nanmax(np.nan_to_num(b.mid, nan=0.0)) > 0 for b in lines):
            prey[s] = lines
    if prey:
        figs.add("prey", fg.prey_trajectories(prey, out / "prey.png", horizon_years=H),
                 "Prey animals on the whole map after each December: median over runs (line) and the "
                 "middle 90 % of runs (band), for the baseline, the best and the worst scenario.")
    else:
        figs.notes["prey"] = "No prey species had animals on the map in these scenarios."
    return figs


def _landscape_figures(files: RunFiles, order: list[str], base: str | None, out: Path,
                       figs: Figures) -> None:
    """The landscape map (sim.maps) and occupancy heat maps of the best and baseline scenarios."""
    from ..config.schema import Scenario

    def landscape_of(name: str):
        e = files.entry(name)
        if e is None or "scenario" not in e:
            raise ReportError(f"the manifest has no resolved scenario {name!r}")
        from ..world.build import build_landscape
        sc = Scenario.model_validate(e["scenario"])
        return sc, build_landscape(sc.landscape, e.get("base_dir") or ".")

    map_name = base or order[0]
    land_err = None
    land = None
    try:
        _, land = landscape_of(map_name)
    except Exception as e:   # a report must not fail because a raster moved; say why instead
        land_err = f"{type(e).__name__}: {e}"
    try:
        maps = importlib.import_module("sim.reporting.maps")
        draw = maps.draw_landscape
    except (ImportError, AttributeError) as e:
        draw, land_err = None, land_err or f"this installation cannot draw maps ({e})"
    if land is not None and draw is not None:
        try:
            path = out / "landscape.png"
            draw(land, path)
            figs.add("landscape", path, f"The landscape of scenario {map_name}: habitat, escarpments, the "
                     "fence and its gaps, protected areas, roads and railways, water and release sites. "
                     f"Cell size {land.cell_km:g} km.")
        except Exception as e:
            land_err = f"drawing the map failed ({type(e).__name__}: {e})"
    if land_err:
        figs.notes["landscape"] = f"Landscape map not drawn: {land_err}"

    # occupancy: best and baseline (or best and worst when the best is the baseline)
    occ_dir = files.run_dir / "occupancy"
    have = [n for n in order if (occ_dir / f"{n}.npy").is_file()]
    pick = [n for n in dict.fromkeys([have[0] if have else None, base if base in have else None])
            if n is not None]
    if len(pick) == 1 and len(have) > 1:
        pick.append(have[-1])
    panels, land_occ, cell_km = [], None, None
    for n in pick:
        occ = np.load(occ_dir / f"{n}.npy").astype(np.float64)
        meta = {}
        if (occ_dir / f"{n}.json").is_file():
            meta = json.loads((occ_dir / f"{n}.json").read_text(encoding="utf-8"))
        e = files.entry(n) or {}
        reps = meta.get("replicates", _f(files.row(n), "n_replicates"))
        years = e.get("years", _f(files.row(n), "years"))
        months = float(reps) * float(years) * 12.0
        occ = occ / months if months > 0 else occ * np.nan
        cell_km = cell_km or meta.get("cell_km") or _f(files.row(n), "cell_area_km2") ** 0.5
        if land_occ is None:
            try:
                _, ln = landscape_of(n)
                if ln.shape == occ.shape:
                    land_occ = ln
            except Exception:
                pass
        rank = order.index(n) + 1
        tag = "baseline" if n == base else ("best" if rank == 1 else f"rank {rank} of {len(order)}")
        panels.append((n if tag in n else f"{n} ({tag})", occ))
    if panels:
        frame = map_frame(land_occ, panels[0][1].shape, float(cell_km))
        figs.add("occupancy", fg.occupancy_maps(
            panels, out / "occupancy.png", cell_km=float(cell_km), extent=frame["extent"],
            xlabel=frame["xlabel"], ylabel=frame["ylabel"], aspect=frame["aspect"],
            habitat=land_occ.habitat if land_occ is not None else None,
            fence_segments=fence_segments(land_occ, frame) if land_occ is not None else None),
            f"Where residents held their home-range centres: resident-months summed over blocks of "
            f"about {fg.OCCUPANCY_BLOCK_KM:g} × {fg.OCCUPANCY_BLOCK_KM:g} km, divided by the months "
            "simulated and the runs (so 0.5 means one resident centred in that block half of the time "
            "on average). Same colour scale in both panels; fences in vermillion.")
    else:
        figs.notes["occupancy"] = "No occupancy maps were saved in this run (output.occupancy: false)."


def map_frame(land, shape: tuple[int, int], cell_km: float) -> dict:
    """Plot coordinates of the grid, as sim.maps draws the landscape: longitude/latitude when the
    landscape has WGS84 bounds, else km east of the west edge and north of the south edge.
    Returns extent (west, east, south, north), the cell-corner origin and steps, axis labels
    and the y/x aspect that keeps distances true."""
    rows, cols = shape
    if land is not None and getattr(land, "bounds", None) is not None:
        w, s, e, n = land.bounds
        mid = math.radians((s + n) / 2)
        return {"extent": (w, e, s, n), "x0": w, "y0": n, "dx": (e - w) / cols, "dy": -(n - s) / rows,
                "xlabel": "Longitude (°E)", "ylabel": "Latitude (°N)", "aspect": 1 / math.cos(mid)}
    return {"extent": (0.0, cols * cell_km, 0.0, rows * cell_km), "x0": 0.0, "y0": rows * cell_km,
            "dx": cell_km, "dy": -cell_km, "xlabel": "km east of the west edge",
            "ylabel": "km north of the south edge", "aspect": 1.0}


def fence_segments(land, frame: dict) -> np.ndarray:
    """Closed fence edges of a landscape as line segments (k, 2, 2) in the plot coordinates of
    ``frame`` (:func:`map_frame`); an edge east of cell (r, c) runs from corner (r, c+1) to
    (r+1, c+1), one south of it from (r+1, c) to (r+1, c+1)."""
    east, south = land.barriers
    r, c = np.nonzero(east)
    seg_e = np.stack([np.stack([r, c + 1], 1), np.stack([r + 1, c + 1], 1)], 1)
    r, c = np.nonzero(south)
    seg_s = np.stack([np.stack([r + 1, c], 1), np.stack([r + 1, c + 1], 1)], 1)
    rc = np.concatenate([seg_e, seg_s]).astype(np.float64)          # (k, 2 ends, (row, col))
    x = frame["x0"] + rc[..., 1] * frame["dx"]
    y = frame["y0"] + rc[..., 0] * frame["dy"]
    return np.stack([x, y], axis=-1)


# ================================================================================= formatting

def _fmt(v: float, spec: str = ".2f", none: str = "—") -> str:
    return format(v, spec) if isinstance(v, (int, float)) and math.isfinite(v) else none


def _interval(p: float, lo: float, hi: float, spec: str = ".2f", signed: bool = False) -> str:
    if not math.isfinite(p):
        return "—"
    s = format(p, "+" + spec if signed else spec)
    if math.isfinite(lo) and math.isfinite(hi):
        return f"{s} <span class=ci>[{format(lo, spec)}, {format(hi, spec)}]</span>"
    return s


def main_cause(row: dict) -> str:
    shares = {c: _f(row, f"death_share_{c}") for c in DEATH_CAUSES}
    shares = {c: v for c, v in shares.items() if math.isfinite(v) and v > 0}
    if not shares:
        return "no deaths or emigration"
    c = max(shares, key=shares.get)
    return f"{fg.CAUSE_LABELS.get(c, c)} ({100 * shares[c]:.0f} %)"


def _value(v: Any) -> str:
    """A scenario setting as text for the methods section."""
    if v is _MISSING:
        return "(absent)"
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, dict):          # unset (None) entries left out to keep it short
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in v.items() if x is not None) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


_MISSING = object()


def dotted_diff(base: Any, other: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Settings that differ between two resolved scenario dicts, as (dotted key, base value,
    other value), e.g. ``("releases[0].females", 10, 20)``. Dicts recurse by key, lists of
    dicts by index (an element only one side has is one entry), other values compare whole.
    Values absent on one side are the sentinel ``_MISSING``."""
    out: list[tuple[str, Any, Any]] = []
    if isinstance(base, dict) and isinstance(other, dict):
        for k in list(other) + [k for k in base if k not in other]:
            key = f"{prefix}.{k}" if prefix else str(k)
            if k not in base:
                out.append((key, _MISSING, other[k]))
            elif k not in other:
                out.append((key, base[k], _MISSING))
            else:
                out += dotted_diff(base[k], other[k], key)
    elif (isinstance(base, list) and isinstance(other, list)
          and any(isinstance(x, dict) for x in base + other)):
        for i in range(max(len(base), len(other))):
            key = f"{prefix}[{i}]"
            if i >= len(base):
                out.append((key, _MISSING, other[i]))
            elif i >= len(other):
                out.append((key, base[i], _MISSING))
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
    return [f"{k}: {_value(x)} → {_value(y)}" for k, x, y in dotted_diff(sa, sb)]


def _releases_text(sc: dict) -> str:
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


# ================================================================================= HTML

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1b1b1b;max-width:1180px;margin:0 auto;padding:24px 28px 60px;line-height:1.5;background:#fff}
h1{font-size:1.9em;margin:0 0 4px}h2{font-size:1.4em;margin-top:2.2em;border-bottom:2px solid #0072B2;
 padding-bottom:4px}h3{font-size:1.1em;margin:1.4em 0 .3em}
.sub{color:#555;margin:0 0 18px}.note{background:#fff4e0;border-left:4px solid #E69F00;padding:8px 12px;
 margin:10px 0}.howto{background:#eef5fb;border-left:4px solid #0072B2;padding:10px 14px}
table{border-collapse:collapse;font-size:.88em;width:100%}th,td{padding:5px 7px;text-align:left;
 vertical-align:top;border-bottom:1px solid #e3e3e3}th{background:#f2f2f2;position:sticky;top:0}
tr:nth-child(even) td{background:#fafafa}td.num{text-align:right;white-space:nowrap}
.ci{color:#666;font-size:.9em}.desc{color:#555;font-size:.9em}.fam{color:#0072B2;font-size:.85em}
.bar{height:6px;background:#e6e6e6;margin-top:3px}.bar>span{display:block;height:6px;background:#0072B2}
tr.base td{background:#fdf0e6}
.wrap{overflow-x:auto}figure{margin:18px 0 30px}figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:.92em;margin-top:4px}code{background:#f3f3f3;padding:0 3px}
details{margin:6px 0 10px}summary{cursor:pointer;font-weight:600}ul.diff{margin:4px 0 0;font-size:.9em}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
"""


def _e(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _figure_html(figs: Figures, key: str, alt: str) -> str:
    got = figs.get(key)
    if got is None:
        why = figs.notes.get(key, "This figure could not be drawn.")
        return f'<p class=note>{_e(why)}</p>'
    path, caption = got
    return f"<figure>{_img(path, alt)}<figcaption>{_e(caption)}</figcaption></figure>"


def _date(text: str | None) -> str:
    if not text:
        return "unknown date"
    try:
        d = datetime.fromisoformat(text)
    except ValueError:
        return text
    return d.strftime("%d %B %Y, %H:%M") + (" UTC" if d.utcoffset() is not None and
                                            d.utcoffset().total_seconds() == 0 else "")


def _range_text(vals: list[float], unit: str) -> str:
    vals = sorted({int(v) for v in vals if math.isfinite(v)})
    if not vals:
        return f"an unknown number of {unit}"
    return f"{vals[0]} {unit}" if len(vals) == 1 else f"{vals[0]}–{vals[-1]} {unit} (by scenario)"


def _summary_table(files: RunFiles, order: list[str], base: str | None, H: int) -> str:
    head = ["#", "Scenario", f"P(persist) at year {H} [95 % CI]", "Difference from baseline [95 % CI]",
            "P(quasi-extinction)", "Stochastic r (mean ± SD, per year)", f"Cheetahs at year {H}: median (5–95 %)",
            "Gene diversity retained", "Mean inbreeding F", "Main cause of loss", "Runs"]
    out = ["<div class=wrap><table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for i, n in enumerate(order, 1):
        r = files.row(n)
        p = _f(r, "p_persist")
        bar = (f'<div class=bar><span style="width:{100 * p:.1f}%"></span></div>' if math.isfinite(p) else "")
        desc = f"<div class=desc>{_e(r.get('description'))}</div>" if r.get("description") else ""
        fam = f"<div class=fam>{_e(r.get('family'))}</div>" if r.get("family") else ""
        if n == base:
            diff = "baseline"
        elif r.get("baseline"):
            diff = (_interval(_f(r, "diff_p_persist"), _f(r, "diff_p_persist_lo"), _f(r, "diff_p_persist_hi"),
                             signed=True)
                    + (f"<div class=desc>vs {_e(r['baseline'])}</div>" if r["baseline"] != base else ""))
        else:
            diff = "—"
        thr = _f(r, "quasi_threshold")
        quasi = _interval(_f(r, "p_quasi"), _f(r, "p_quasi_lo"), _f(r, "p_quasi_hi"))
        if math.isfinite(thr):
            quasi += f"<div class=desc>N &lt; {int(thr)}</div>"
        r_mean, r_sd = _f(r, "stoch_r_mean"), _f(r, "stoch_r_sd")
        rtxt = (f"{r_mean:+.3f} ± {_fmt(r_sd, '.3f')}" if math.isfinite(r_mean) else "—")
        n_med = _f(r, "N_q50")
        ntxt = (f"{n_med:.0f} <span class=ci>({_fmt(_f(r, 'N_q05'), '.0f')}–{_fmt(_f(r, 'N_q95'), '.0f')})</span>"
                if math.isfinite(n_med) else "—")
        runs = int(_f(r, "n_replicates")) if math.isfinite(_f(r, "n_replicates")) else 0
        failed = _f(r, "n_failed")
        runs_txt = f"{runs}" + (f"<div class=desc>{int(failed)} failed</div>"
                                if math.isfinite(failed) and failed > 0 else "")
        mark = " <i>(baseline)</i>" if n == base and "baseline" not in n.lower() else ""
        cells = [str(i), f"<b>{_e(n)}</b>{mark}{fam}{desc}",
                 _interval(p, _f(r, "p_persist_lo"), _f(r, "p_persist_hi")) + bar, diff, quasi, rtxt, ntxt,
                 _fmt(_f(r, "gd_retained"), ".3f"), _fmt(_f(r, "mean_F"), ".3f"), _e(main_cause(r)), runs_txt]
        klass = ' class=base' if n == base else ''
        out.append(f'<tr data-scenario="{_e(n)}"{klass}>' + "".join(
            f"<td{' class=num' if j in (0, 5, 7, 8, 10) else ''}>{c}</td>" for j, c in enumerate(cells)) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


#: P(persist) at the horizon from which an option is called viable in the key findings (IUCN
#: Red List criterion E and most PVAs use extinction risk below 10 % over the horizon).
VIABLE_P_PERSIST = 0.9


def key_findings(files: RunFiles, order: list[str], base: str | None, H: int) -> list[str]:
    """Plain sentences drawn from summary.csv only (best option, options that differ from the
    baseline beyond simulation noise, how options fail), for readers who stop after the first screen."""
    rows = [files.row(n) for n in order if math.isfinite(_f(files.row(n), "p_persist"))
            and _f(files.row(n), "n_replicates") > 0]
    released = [r for r in rows if _f(r, "deaths_total_mean") > 0 or _f(r, "n_extant") > 0]
    if not released:
        return ["No scenario in this run released cheetahs that lived to a census."]
    out = []
    best = max(released, key=lambda r: _f(r, "p_persist"))
    p, lo, hi = _f(best, "p_persist"), _f(best, "p_persist_lo"), _f(best, "p_persist_hi")
    viable = [r["scenario"] for r in released if _f(r, "p_persist_lo") >= VIABLE_P_PERSIST]
    if viable:
        out.append(f"{len(viable)} of {len(released)} options keep a population to year {H} with P(persist) "
                   f"≥ {VIABLE_P_PERSIST:g} even at the low end of its 95 % interval: {', '.join(viable)}.")
    else:
        out.append(f"No option is shown to be viable (P(persist) ≥ {VIABLE_P_PERSIST:g} at year {H} at the "
                   f"low end of its 95 % interval). The best is <b>{_e(best['scenario'])}</b>: "
                   f"P(persist) {p:.2f} [{lo:.2f}, {hi:.2f}].")
    if base is not None:
        better = [r for r in released if r["scenario"] != base and _f(r, "diff_p_persist_lo") > 0]
        worse = [r for r in released if r["scenario"] != base and _f(r, "diff_p_persist_hi") < 0]
        parts = []
        if better:
            parts.append("better: " + ", ".join(f"{_e(r['scenario'])} ({_f(r, 'diff_p_persist'):+.2f})"
                                                for r in better))
        if worse:
            parts.append("worse: " + ", ".join(f"{_e(r['scenario'])} ({_f(r, 'diff_p_persist'):+.2f})"
                                               for r in worse))
        out.append(f"Options that differ from the baseline <b>{_e(base)}</b> beyond simulation noise (95 % "
                   "interval of the difference excludes 0): " + ("; ".join(parts) if parts else
                   "none, at this number of runs") + ".")
    lost = [r for r in released if math.isfinite(_f(r, "te_median"))]
    if lost:
        te = sorted(_f(r, "te_median") for r in lost)
        out.append(f"Where populations died out, the median time to extinction ranged from {te[0]:.0f} to "
                   f"{te[-1]:.0f} years after the start.")
        if not viable:                  # persistence cannot rank the options: how long they last can
            longest = sorted(lost, key=lambda r: -_f(r, "te_median"))[:3]
            out.append("Longest-lasting options (median years to extinction among runs that died out; "
                       "share of runs extinct by the horizon): " + "; ".join(
                           f"{_e(r['scenario'])} {_f(r, 'te_median'):.0f} y ({_f(r, 'p_extinct_ever'):.2f})"
                           for r in longest) + ".")
    causes: dict[str, int] = {}
    for r in released:
        c = main_cause(r).split(" (")[0]
        causes[c] = causes.get(c, 0) + 1
    c, k = max(causes.items(), key=lambda kv: kv[1])
    out.append(f"The main cause of loss is {_e(c)} in {k} of {len(released)} options.")
    return out


def _methods(files: RunFiles, order: list[str], base: str | None) -> str:
    m = files.manifest
    versions = dict(m.get("versions") or {})
    git = m.get("git") or {}
    pkg = versions.pop(PACKAGE, None) or m.get("package_version")
    if pkg:
        pkg_txt = _e(pkg)
    else:
        try:
            pkg_txt = (f"{_e(importlib.metadata.version(PACKAGE))} (installed when this report was built; "
                       "the manifest does not record it)")
        except importlib.metadata.PackageNotFoundError:
            pkg_txt = "not recorded"
    commit = git.get("commit")
    commit_txt = (f"<code>{_e(commit)}</code>" + (" with uncommitted changes" if git.get("dirty") else "")
                  if commit else "not recorded (not a git checkout)")
    root = m.get("root_seed")
    root_txt = (_e(root) if root is not None else
                "none: each scenario used its own seed (listed below)")
    runs = m.get("runs") or []
    backend = ", ".join(sorted({f"{r.get('backend')} × {r.get('jobs')} workers" for r in runs})) or "not recorded"
    entries = m.get("scenarios") or []
    kv = [("Model", f"{PACKAGE} {pkg_txt}"), ("Code version (git commit)", commit_txt),
          ("Root seed", root_txt),
          ("Replicates", _e(_range_text([e.get("replicates", math.nan) for e in entries], "runs per scenario"))),
          ("Horizon", _e(_range_text([e.get("years", math.nan) for e in entries], "years"))),
          ("Run started / finished", f"{_e(_date(m.get('start_time')))} / {_e(_date(m.get('end_time')))}"),
          ("Replicates done / failed", f"{_e(m.get('replicates_done', '?'))} / {_e(m.get('replicates_failed', '?'))}"),
          ("Parallel backend", _e(backend)),
          ("Software", _e(", ".join(f"{k} {v}" for k, v in versions.items() if v)) or "not recorded"),
          ("Command", f"<code>{_e(' '.join(m.get('command_line') or []))}</code>" if m.get("command_line") else "—")]
    out = ["<dl class=kv>", *(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in kv), "</dl>"]
    out.append("<p>The model is an agent-based population viability model: cheetahs are individuals "
               "(Mesa agents) that move, hunt, breed and die month by month on a raster landscape, and "
               "saiga, goitered gazelle and urial are density fields on a coarser grid of prey cells "
               "(<code>landscape.prey_cell_km</code>, 5 km by default), each prey cell's animals spread "
               "evenly over its landscape cells when cheetahs hunt. Every parameter, "
               "its unit and its source are listed in <code>docs/parameters.md</code>; the model is "
               "described in the ODD protocol (Grimm et al. 2020) in <code>docs/ODD.md</code>, both in "
               "the model's repository at the commit above. Each run of a scenario draws its own random "
               "numbers from a seed that depends only on the root seed, the scenario's name and the run "
               "number, so any run can be repeated exactly.</p>")
    out.append("<h3>What each scenario assumes</h3>")
    ref_default = base or (entries[0]["name"] if entries else None)
    for n in order:
        e = files.entry(n)
        if e is None:
            continue
        sc = e.get("scenario", {})
        row = files.row(n)
        ref = row.get("baseline") or (ref_default if n != ref_default else None)
        src = f" — from <code>{_e(e['source'])}</code>" if e.get("source") else ""
        head = (f"{e.get('replicates', '?')} runs, {e.get('years', '?')} years, "
                f"seed {_e(e.get('root_seed', '?'))}{src}. Releases: {_e(_releases_text(sc))}.")
        if sc.get("description"):
            head += f"<div class=desc>{_e(sc['description'])}</div>"
        if ref is None or files.entry(ref) is None:
            body = ("<p class=desc>Reference scenario: the others are described by how they differ from "
                    f"it. Landscape: {_e(sc.get('landscape', {}).get('preset', '?'))} preset, "
                    f"{_e(sc.get('landscape', {}).get('cell_km', '?'))} km cells (prey on "
                    f"{_e(sc.get('landscape', {}).get('prey_cell_km', '?'))} km cells); rules: "
                    f"{_e(_value(sc.get('rules', {})))}.</p>")
            out.append(f"<details open><summary>{_e(n)}</summary>{head}{body}</details>")
            continue
        diffs = scenario_differences(files, n, ref)
        if not diffs:
            lst = f"<p class=desc>Same settings as {_e(ref)}.</p>"
        else:
            lst = "<ul class=diff>" + "".join(f"<li><code>{_e(d)}</code></li>" for d in diffs) + "</ul>"
        many = len(diffs) > 12
        count = (f"same settings as {_e(ref)}" if not diffs else
                 f"{len(diffs)} setting{'s differ' if len(diffs) != 1 else ' differs'} from {_e(ref)}")
        out.append(f"<details{'' if many else ' open'}><summary>{_e(n)} — {count}</summary>{head}{lst}"
                   "</details>")
    fails = m.get("failures") or []
    if fails:
        out.append("<h3>Runs that failed</h3><p>These runs raised an error and are left out of every "
                   "statistic (details in <code>failures.csv</code>):</p><ul>")
        out += [f"<li>{_e(f.get('scenario'))} run {_e(f.get('replicate'))}: {_e(f.get('message'))}</li>"
                for f in fails[:30]]
        if len(fails) > 30:
            out.append(f"<li>… and {len(fails) - 30} more</li>")
        out.append("</ul>")
    return "".join(out)


def render_html(files: RunFiles, order: list[str], figs: Figures) -> str:
    m = files.manifest
    base = baseline_name(files)
    H = _horizon(files)
    entries = m.get("scenarios") or []
    reps = _range_text([e.get("replicates", math.nan) for e in entries] or
                       [_f(r, "n_replicates") for r in files.summary], "runs per scenario")
    thr = sorted({int(_f(r, "quasi_threshold")) for r in files.summary if math.isfinite(_f(r, "quasi_threshold"))})
    thr_txt = ", ".join(map(str, thr)) or "?"
    title = "Cheetah reintroduction to the Ustyurt Plateau: population viability of the options"
    when = _date(m.get("end_time") or m.get("start_time"))
    parts = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
             f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{_e(title)}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>{_e(title)}</h1>",
             f"<p class=sub>Run <code>{_e(files.run_dir.name)}</code> · {_e(when)} · {len(order)} scenario"
             f"{'s' * (len(order) != 1)} · {_e(reps)} · {H}-year horizon"
             + (f" · baseline: <b>{_e(base)}</b>" if base else "") + "</p>"]
    for note in files.notes:
        parts.append(f"<p class=note>{_e(note)}</p>")
    parts.append(
        "<div class=howto><b>How to read this report.</b> Each scenario is one release and management "
        f"option, simulated {_e(reps)} over {H} years. <b>P(persist)</b> is the share of runs in which "
        "the population still holds both sexes at the horizon (Vortex's definition of a surviving "
        "population); 1 − P(persist) is the probability of extinction. Every probability comes with a "
        "<b>95 % Wilson score interval</b>, which stays honest near 0 and 1; the difference from the "
        "baseline uses Newcombe's interval for a difference of two proportions: when it excludes 0 "
        "the option differs from the baseline beyond simulation noise. <b>Quasi-extinction</b> is the "
        f"probability that the population fell below {thr_txt} animals (all ages) after the first "
        "release. <b>Stochastic r</b> is the mean annual growth rate ln(N<sub>t+1</sub>/N<sub>t</sub>) "
        "in years without releases (SD: its year-to-year spread). <b>Gene diversity retained</b> is "
        "expected heterozygosity at the horizon (runs still extant) divided by that of the founders "
        "in their first year. Results describe a stylised model landscape and assumed parameter values "
        "(see Methods): compare options with each other rather than reading any number as a forecast."
        "</div>")
    parts.append("<h2>Key findings</h2><ul class=findings>"
                 + "".join(f"<li>{t}</li>" for t in key_findings(files, order, base, H)) + "</ul>")
    parts.append("<h2>Summary of all scenarios</h2><p>Sorted by the probability of persistence at the "
                 "horizon, best first. Dashes mean the quantity is undefined (for example gene diversity "
                 "when no run kept a population).</p>")
    parts.append(_summary_table(files, order, base, H))
    sections = [
        ("Persistence over time", "persistence", "Probability of persistence by year"),
        ("Persistence at the horizon, by option", "forest", "Forest plot of persistence by scenario family"),
        ("Population size", "population", "Fan charts of the number of cheetahs"),
        ("Gene diversity", "gene_diversity", "Gene diversity over time"),
        ("Causes of death and loss", "deaths", "Deaths and emigration by cause"),
        ("The landscape", "landscape", "Map of the landscape"),
        ("Where cheetahs settled", "occupancy", "Occupancy heat maps"),
        ("Prey", "prey", "Prey numbers over time"),
    ]
    for title_s, key, alt in sections:
        parts.append(f"<h2>{_e(title_s)}</h2>{_figure_html(figs, key, alt)}")
    parts.append("<h2>Methods</h2>")
    parts.append(_methods(files, order, base))
    parts.append(f"<p class=desc>Report built {_e(time.strftime('%d %B %Y, %H:%M'))} by "
                 "<code>sim.report</code> from the run's files; figures are also in "
                 f"<code>{FIGURE_DIR}/</code> beside this file.</p></body></html>")
    return "\n".join(parts)


# ================================================================================= entry points

def build_report(run_dir: str | Path, *, scenarios_for_curves: list[str] | None = None) -> Path:
    """Write ``run_dir/report.html`` (self-contained) and ``run_dir/figures/*.png`` from the files
    of a finished run; returns the path of the HTML file.

    ``scenarios_for_curves``: scenarios drawn in the persistence and gene-diversity line charts
    (default: the baseline, the best, the worst and up to five more spread over the ranking).
    Raises FileNotFoundError if the run's files are missing, ReportError for unknown names.
    """
    files = read_run(Path(run_dir))
    order = ranked(files)
    curves = ([n for n in order if n in check_curve_names(scenarios_for_curves, files)]
              if scenarios_for_curves is not None else default_curve_scenarios(files, order))
    figs = make_figures(files, order, curves, files.run_dir / FIGURE_DIR)
    text = render_html(files, order, figs)
    out = files.run_dir / REPORT_NAME
    tmp = out.with_name(f".{REPORT_NAME}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.report RUN_DIR [--curves A,B,...]``; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m sim.report",
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
