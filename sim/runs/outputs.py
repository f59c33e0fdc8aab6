"""The data files of a finished batch, built from its chunk files, and the table printed at the end.

    <out>/summary.csv                one row of PVA statistics per scenario (sim.analysis.stats)
    <out>/by_year.csv                the summary's quantities for every year (persistence curves)
    <out>/replicates.csv.gz          tidy census: scenario, replicate, CENSUS_COLUMNS
    <out>/occupancy/<scenario>.npy   resident-months per cell summed over replicates (+ .json)
    <out>/occupancy/<scenario>.tif   the same as a GeoTIFF, for georeferenced (gis) landscapes
    <out>/failures.csv               replicates that raised (only if any)

The files are written in a fixed order from the chunk files (never from the order in which
workers finish), with one number format (:func:`sim.numformat.data_number`) and gzip
``mtime=0``, so they are byte-identical between an interrupted-and-resumed run and an
uninterrupted one.

Memory. The outputs are built in two passes: the tidy census one chunk at a time, then the
statistics one scenario and a few columns at a time (:class:`sim.runs.folder.ChunkCensus`), so
memory does not grow with replicates × years × columns.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..analysis import stats
from ..analysis.demography import deterministic_lambda
from ..config.schema import Scenario
from ..model.results import CENSUS_COLUMNS
from ..numformat import data_number, data_numbers
from .parquet import swept_columns, write_parquet
from .folder import ChunkCensus, atomic_write, chunk_files, read_chunk, write_json, write_text
from .result import BatchResult, Failure


def write_outputs(out_dir: Path, manifest: dict, scenarios: list[Scenario] | None = None) -> BatchResult:
    """Read the chunk files scenario by scenario and write summary.csv, by_year.csv,
    replicates.csv.gz, occupancy/ and failures.csv. Needs every chunk file.

    Memory stays flat as replicates grow: the tidy census, occupancy and failures are written
    in one pass holding one chunk at a time; the statistics then read each scenario column by
    column (:class:`~sim.runs.folder.ChunkCensus`), so the largest array is one column of one
    scenario (replicates × years), which the quantiles need whole.
    """
    out_dir = Path(out_dir)
    if scenarios is None:
        scenarios = [Scenario.model_validate(e["scenario"]) for e in manifest["scenarios"]]
    cs = int(manifest["chunk_size"])
    files = [chunk_files(out_dir, e, cs) for e in manifest["scenarios"]]
    base_dirs = [e.get("base_dir") or "." for e in manifest["scenarios"]]
    n_ok, failures = _write_replicates(out_dir, scenarios, files, base_dirs)

    summary_rows, tables = [], []
    for entry, sc, chunks, n in zip(manifest["scenarios"], scenarios, files, n_ok):
        census = ChunkCensus([p for _, p in chunks], sc.years)
        summary_rows.append(_summary_row(sc, census, entry, n_failed=sc.replicates - n))
        if sc.common_random_numbers:
            summary_rows[-1]["_persisted"] = _persisted_by_replicate(chunks, census)
        tables.append((sc.name, stats.by_year(census, quasi_threshold=sc.output.quasi_extinction)))
    _add_baseline_columns(summary_rows, manifest.get("baseline"))
    for col, values in swept_columns(scenarios).items():       # each swept key as its own column
        for r in summary_rows:
            r[col] = values.get(r["scenario"], "")
    summary_path = out_dir / "summary.csv"
    write_text(summary_path, _csv_text(summary_rows))
    by_year_path = out_dir / "by_year.csv"
    write_text(by_year_path, _by_year_text(tables))
    write_parquet(out_dir, scenarios)
    return BatchResult(out_dir=out_dir, summary_path=summary_path, by_year_path=by_year_path,
                       n_done=sum(n_ok), n_failed=len(failures), failures=failures,
                       replicates_path=out_dir / "replicates.csv.gz",
                       failures_path=_write_failures(out_dir, failures))


#: deterministic_growth results by what they depend on (a resumed or re-aggregated batch asks again).
_DET_CACHE: dict[str, tuple[float, float]] = {}


def deterministic_growth(scenario: Scenario, base_dir: str = ".") -> tuple[float, float]:
    """(λ, r = ln λ) [per year] of the female life table with the mortality the scenario imposes
    (persecution, roads, harsh winters, cub predation by competitors, as habitat-weighted means
    on the landscape after its interventions: :mod:`sim.analysis.imposed`) via
    sim.analysis.demography.deterministic_lambda (r = -inf when λ = 0); NaN if it fails (a
    warning is printed then: a statistic must not lose a finished batch)."""
    key = scenario.model_dump_json(include={"landscape", "management", "cheetah", "environment"}) + "|" + str(base_dir)
    if key not in _DET_CACHE:
        if len(_DET_CACHE) > 256:
            _DET_CACHE.clear()
        _DET_CACHE[key] = _deterministic_growth(scenario, base_dir)
    return _DET_CACHE[key]


def _deterministic_growth(scenario: Scenario, base_dir: str) -> tuple[float, float]:
    try:
        from ..analysis.imposed import imposed, with_imposed
        from ..management.after import landscape_after, values_after
        from ..world.build import build_landscape

        land = landscape_after(scenario, build_landscape(scenario.landscape, base_dir))
        imp = imposed(scenario.cheetah, scenario.environment, land, **values_after(scenario))
        lam = float(deterministic_lambda(with_imposed(scenario.cheetah, imp), imp.lion_equivalents))
    except Exception as e:   # a statistic must not lose a finished batch
        print(f"warning: deterministic_lambda failed for {scenario.name}: {type(e).__name__}: {e}",
              file=sys.stderr)
        return math.nan, math.nan
    return lam, (math.log(lam) if lam > 0 else -math.inf)


# ============================================================================ replicates.csv.gz, occupancy

def _write_replicates(out_dir: Path, scenarios: list[Scenario], files: list[list[tuple[int, Path]]],
                      base_dirs: list[str]) -> tuple[list[int], list[Failure]]:
    """One pass over every chunk file, one chunk in memory at a time: write replicates.csv.gz
    (atomically; gzip mtime 0 so the bytes depend only on the rows) and each scenario's
    occupancy map (``base_dirs``: each scenario's folder, from the manifest, where a gis
    landscape's files are). Returns the successful replicates per scenario and the failure records."""
    n_ok: list[int] = []
    failures: list[Failure] = []

    def write(f) -> None:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as gz:
            text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
            rep_w = csv.writer(text, lineterminator="\n")
            rep_w.writerow(["scenario", "replicate", *CENSUS_COLUMNS])
            for sc, chunks, base_dir in zip(scenarios, files, base_dirs):
                n_ok.append(_write_scenario_replicates(out_dir, sc, chunks, rep_w, failures, base_dir))
            text.flush()
            text.detach()

    atomic_write(out_dir / "replicates.csv.gz", write)
    return n_ok, failures


def _write_scenario_replicates(out_dir: Path, sc: Scenario, chunks: list[tuple[int, Path]], rep_w,
                               failures: list[Failure], base_dir: str = ".") -> int:
    """Tidy rows of one scenario's chunks into ``rep_w``, its failures appended to ``failures``,
    its occupancy map written; returns its number of successful replicates."""
    n_ok = 0
    occ_sum = None
    for first, path in chunks:
        ch = read_chunk(path)
        ok = ch["ok"]
        n_ok += int(ok.sum())
        if ch["occupancy"] is not None:
            occ_sum = ch["occupancy"].astype(np.int64) if occ_sum is None else occ_sum + ch["occupancy"]
        failures.extend(Failure(f["scenario"], int(f["replicate"]), int(f["seed_entropy"]),
                                tuple(f["spawn_key"]), f["message"]) for f in ch["failures"])
        _write_replicate_rows(rep_w, sc.name, first, ok, ch["census"])
        del ch
    _write_occupancy(out_dir, sc, occ_sum, n_ok, base_dir)
    return n_ok


def _write_replicate_rows(writer, name: str, first: int, ok: np.ndarray,
                          census: dict[str, np.ndarray]) -> None:
    """Tidy rows (scenario, replicate, one value per census column) of a chunk's successful
    replicates, one row per year; formatted one replicate at a time so that only that
    replicate's strings exist at once."""
    k = len(CENSUS_COLUMNS)
    for j in np.flatnonzero(ok).tolist():
        cells = data_numbers(np.column_stack([census[c][j] for c in CENSUS_COLUMNS]))  # year-major
        rep = str(first + j)
        writer.writerows([name, rep, *cells[i:i + k]] for i in range(0, len(cells), k))


def _write_occupancy(out_dir: Path, sc: Scenario, occ: np.ndarray | None, n_ok: int, base_dir: str = ".") -> None:
    """occupancy/<scenario>.npy (int64 resident-months per cell, summed over replicates) and its
    .json description; nothing when the runner returned no maps. For a georeferenced landscape
    (gis; ustyurt, approximately, when rasterio is installed) also occupancy/<scenario>.tif in the
    grid's CRS and transform."""
    if occ is None:
        return
    folder = out_dir / "occupancy"
    atomic_write(folder / f"{sc.name}.npy", lambda f: np.save(f, occ.astype(np.int64)))
    meta = {"scenario": sc.name, "replicates": n_ok, "shape": list(occ.shape),
            "cell_km": sc.landscape.cell_km,
            "units": "resident-months with a home-range centre in the cell, summed over replicates"}
    write_json(folder / f"{sc.name}.json", meta)
    if sc.landscape.preset == "gis" or (sc.landscape.preset == "ustyurt" and _can_write_geotiff()):
        _write_occupancy_tif(folder / f"{sc.name}.tif", sc, occ, base_dir)


def _can_write_geotiff() -> bool:
    """Whether rasterio is installed (the optional ``gis`` extra)."""
    import importlib.util

    return importlib.util.find_spec("rasterio") is not None


def _write_occupancy_tif(path: Path, sc: Scenario, occ: np.ndarray, base_dir: str) -> None:
    """The occupancy map as a GeoTIFF on the scenario's gis landscape (rebuilt from its files,
    cached per process); a warning instead when that fails (files moved since the run): the
    .npy holds the same numbers and a finished batch must not be lost."""
    from ..world.build import build_landscape
    from ..world.gis import write_geotiff

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")     # GDAL writes to a path: replace it whole
    try:
        land = build_landscape(sc.landscape, base_dir)
        if occ.shape != land.shape:
            raise ValueError(f"occupancy map of shape {occ.shape}, the landscape's grid is {land.shape}")
        write_geotiff(tmp, occ.astype(np.int64), land)
        os.replace(tmp, path)
    except Exception as e:      # noqa: BLE001  (an output must not lose a finished batch)
        print(f"warning: {path.name} not written: {type(e).__name__}: {e}", file=sys.stderr)
    finally:
        tmp.unlink(missing_ok=True)


def _write_failures(out_dir: Path, failures: list[Failure]) -> Path | None:
    """failures.csv with scenario, replicate, seed (entropy and spawn key) and traceback; removed
    when nothing failed (a resumed run may have re-run the failed replicates' chunks).
    Returns its path, or None when there is none."""
    fail_path = out_dir / "failures.csv"
    if not failures:
        if fail_path.exists():
            fail_path.unlink()
        return None
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scenario", "replicate", "seed_entropy", "seed_spawn_key", "message"])
    for f in failures:
        w.writerow([f.scenario, f.replicate, f.seed_entropy, " ".join(str(x) for x in f.spawn_key),
                    f.message])
    write_text(fail_path, buf.getvalue())
    return fail_path


# ============================================================================ summary.csv, by_year.csv

def _summary_row(sc: Scenario, census: Mapping[str, np.ndarray], entry: dict, n_failed: int) -> dict:
    """summary.csv's row of one scenario (its own baseline kept aside for _add_baseline_columns)."""
    row = {"scenario": sc.name, "family": sc.family, "description": sc.description,
           "baseline": "", "years": sc.years, "root_seed": entry["root_seed"], "n_failed": n_failed}
    cell_area = sc.landscape.cell_km ** 2
    row.update(stats.summarise_scenario(census, sc.output.quasi_extinction, cell_area))
    row["det_lambda"], row["det_r"] = deterministic_growth(sc, entry.get("base_dir") or ".")
    row["_baseline_own"] = sc.baseline
    return row


def _persisted_by_replicate(chunks, census) -> dict[int, bool]:
    """Replicate index -> whether it persisted (extant in the last year), successful replicates only."""
    index = []
    for first, path in chunks:
        ok = read_chunk(path)["ok"]
        index.extend(first + np.flatnonzero(ok))
    extant = np.asarray(census["extant"])[:, -1] >= 0.5
    return dict(zip((int(i) for i in index), extant.tolist()))


def _add_baseline_columns(rows: list[dict], baseline: str | None) -> None:
    """Fill each row's baseline and its difference in P(persist) from it, with a 95 % interval:
    paired (Bonett & Price, :func:`sim.analysis.stats.compare_paired`) over the replicates both
    ran when both use common random numbers with one root seed, else Newcombe's for independent
    samples; ``diff_method`` says which. ``baseline`` (the batch's) wins over the scenarios' own."""
    by_name = {r["scenario"]: r for r in rows}
    persisted = {r["scenario"]: r.pop("_persisted", None) for r in rows}
    for r in rows:
        own = r.pop("_baseline_own")
        base = baseline if baseline is not None else own
        diff = lo = hi = math.nan
        method = ""
        if base is not None and base != r["scenario"]:
            r["baseline"] = base
            b = by_name.get(base)
            if b is None:
                print(f"note: scenario {r['scenario']!r} names baseline {base!r}, which is not in "
                      "this batch; no comparison", file=sys.stderr)
            else:
                x1, x0 = persisted[r["scenario"]], persisted[base]
                if x1 is not None and x0 is not None and r["root_seed"] == b["root_seed"]:
                    both = sorted(set(x1) & set(x0))
                    diff, lo, hi = stats.compare_paired([x1[i] for i in both], [x0[i] for i in both])
                    method = "paired"
                else:
                    diff, lo, hi = stats.compare_to_baseline(r["n_extant"], r["n_replicates"],
                                                             b["n_extant"], b["n_replicates"])
                    method = "independent"
        r["diff_p_persist"], r["diff_p_persist_lo"], r["diff_p_persist_hi"] = diff, lo, hi
        r["diff_method"] = method


def _csv_text(rows: list[dict]) -> str:
    """Rows of equal keys as CSV text (header from the first row)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = list(rows[0]) if rows else []
    w.writerow(cols)
    for r in rows:
        w.writerow([data_number(r[c]) for c in cols])
    return buf.getvalue()


def _by_year_text(tables: list[tuple[str, dict[str, np.ndarray]]]) -> str:
    """by_year.csv: scenario, then the columns of sim.analysis.stats.by_year, one row per
    scenario × year."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = list(tables[0][1]) if tables else []
    w.writerow(["scenario", *cols])
    for name, table in tables:
        for vals in zip(*[data_numbers(table[c]) for c in cols]):
            w.writerow([name, *vals])
    return buf.getvalue()


# ============================================================================ the printed table

def format_summary_table(summary_path: Path) -> str:
    """Plain-text table of the main results: scenario, P(persist) [95% CI], mean final N,
    gene diversity retained."""
    with open(summary_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    def num(s: str, fmt: str) -> str:
        return format(float(s), fmt) if s not in ("", None) else "-"

    head = ("scenario", "P(persist) [95% CI]", "mean final N", "GD retained", "failed")
    body = [(r["scenario"],
             f"{num(r['p_persist'], '.3f')} [{num(r['p_persist_lo'], '.3f')}, {num(r['p_persist_hi'], '.3f')}]",
             num(r["N_mean"], ".1f"), num(r["gd_retained"], ".3f"), r["n_failed"]) for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(b) for b in body)])
