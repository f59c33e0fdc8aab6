"""Compare runs without re-running them: the folders of several finished runs combined into one,
so a new option is compared with an existing run's baseline (``run_scenarios.py report RUN_A
RUN_B ... --out DIR``).

Runs are combined only when their numbers are comparable: every run complete, made by the same
code (the same git commit, clean, and the same package version; a run with uncommitted changes or
an unknown commit cannot be matched and is refused), each scenario in one run only. Seeds need
no matching: every replicate's seed derives from its own scenario and root seed, exactly as if
the scenarios had been run in one batch. The differences from the baseline are recomputed
(paired when both options used common random numbers with one root seed, as in one batch).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import numpy as np

from ..config.schema import Scenario
from .folder import atomic_write, out_dir_problem, write_json, write_text
from .outputs import _add_baseline_columns, _csv_text


class CombineError(ValueError):
    """Runs that cannot be combined (the message says why)."""


def _manifest(run: Path) -> dict:
    path = run / "manifest.json"
    if not path.is_file():
        raise CombineError(f"{run}: not a run folder (no manifest.json)")
    m = json.loads(path.read_text(encoding="utf-8"))
    if m.get("status") != "complete":
        raise CombineError(f"{run}: the run is {m.get('status')!r}, not complete; resume it first")
    return m


def _code(m: dict) -> tuple:
    git = m.get("git") or {}
    return (git.get("commit"), bool(git.get("dirty")), (m.get("versions") or {}).get("ustyurt-cheetah"))


def check_comparable(runs: list[Path], manifests: list[dict]) -> None:
    """CombineError unless the runs were made by the same, known, committed code and share no scenario."""
    first = _code(manifests[0])
    for run, m in zip(runs, manifests):
        commit, dirty, version = _code(m)
        if commit is None or dirty:
            why = "an unknown commit" if commit is None else f"uncommitted changes on {commit[:10]}"
            raise CombineError(f"{run}: made by {why}, so nothing shows it ran the same model as the other "
                               "runs; re-run it from a clean checkout to compare")
        if (commit, version) != (first[0], first[2]):
            raise CombineError(f"{run}: made by commit {commit[:10]} (version {version}), {runs[0]} by "
                               f"{first[0][:10]} (version {first[2]}); runs of different code are not comparable")
    seen: dict[str, Path] = {}
    for run, m in zip(runs, manifests):
        for e in m["scenarios"]:
            if e["name"] in seen:
                raise CombineError(f"scenario {e['name']!r} is in both {seen[e['name']]} and {run}; "
                                   "each scenario may come from one run only")
            seen[e["name"]] = run


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames or []), list(r)


def _persisted(run: Path, names: set[str]) -> dict[str, dict[int, bool]]:
    """Scenario -> replicate -> persisted (extant in its last census year), from replicates.csv.gz."""
    last: dict[str, dict[int, tuple[int, bool]]] = {n: {} for n in names}
    _, rows = _rows(run / "replicates.csv.gz")
    for r in rows:
        if r["scenario"] in last:
            rep, year = int(r["replicate"]), int(float(r["year"]))
            if year >= last[r["scenario"]].get(rep, (0, False))[0]:
                last[r["scenario"]][rep] = (year, float(r["extant"]) >= 0.5)
    return {n: {i: v for i, (_, v) in reps.items()} for n, reps in last.items()}


def combine_runs(runs: list[Path], out_dir: Path, baseline: str | None = None) -> Path:
    """Write the combined run folder ``out_dir`` (summary, by_year, replicates, occupancy, a
    manifest listing the runs) from finished ``runs``; returns it. ``baseline``: the scenario every
    other one is compared with (default: the first run's)."""
    runs = [Path(r) for r in runs]
    manifests = [_manifest(r) for r in runs]
    check_comparable(runs, manifests)
    out_dir = Path(out_dir)
    if out_dir_problem(out_dir):
        raise CombineError(out_dir_problem(out_dir))
    names = [e["name"] for m in manifests for e in m["scenarios"]]
    base = baseline if baseline is not None else manifests[0].get("baseline")
    if base is not None and base not in names:
        raise CombineError(f"baseline {base!r} is in none of the runs (scenarios: {', '.join(names)})")

    summary, cols = [], []
    for run, m in zip(runs, manifests):
        header, rows = _rows(run / "summary.csv")
        cols += [c for c in header if c not in cols]
        scen = {e["name"]: Scenario.model_validate(e["scenario"]) for e in m["scenarios"]}
        paired = {n for n, s in scen.items() if s.common_random_numbers}
        persisted = _persisted(run, paired) if paired else {}
        for r in rows:
            r["_baseline_own"] = scen[r["scenario"]].baseline
            for k in ("n_extant", "n_replicates", "root_seed"):
                r[k] = int(float(r[k])) if r.get(k) not in ("", None) else 0
            if r["scenario"] in persisted:
                r["_persisted"] = persisted[r["scenario"]]
            summary.append(r)
    _add_baseline_columns(summary, base)
    for r in summary:
        for c in cols:
            r.setdefault(c, "")
    summary = [{c: r[c] for c in cols} for r in summary]
    write_text(out_dir / "summary.csv", _csv_text(summary))

    by_year, by_cols = [], []
    for run in runs:
        header, rows = _rows(run / "by_year.csv")
        by_cols += [c for c in header if c not in by_cols]
        by_year += rows
    write_text(out_dir / "by_year.csv", _csv_text([{c: r.get(c, "") for c in by_cols} for r in by_year]))

    def write_replicates(f) -> None:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
            text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
            for i, run in enumerate(runs):
                with gzip.open(run / "replicates.csv.gz", "rt", encoding="utf-8", newline="") as src:
                    head = src.readline()
                    if i == 0:
                        text.write(head)
                    shutil.copyfileobj(src, text)
            text.flush()
            text.detach()

    atomic_write(out_dir / "replicates.csv.gz", write_replicates)
    for run in runs:
        occ = run / "occupancy"
        if occ.is_dir():
            shutil.copytree(occ, out_dir / "occupancy", dirs_exist_ok=True)
    combined = dict(manifests[0])
    combined.update(scenarios=[e for m in manifests for e in m["scenarios"]], baseline=base,
                    combined_from=[str(r.resolve()) for r in runs],
                    preview=any(m.get("preview") for m in manifests),
                    replicates_done=int(np.sum([m.get("replicates_done", 0) for m in manifests])),
                    replicates_failed=int(np.sum([m.get("replicates_failed", 0) for m in manifests])))
    write_json(out_dir / "manifest.json", combined)
    return out_dir


__all__ = ["combine_runs", "check_comparable", "CombineError"]
