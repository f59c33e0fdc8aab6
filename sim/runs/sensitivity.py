"""Sensitivity studies of one scenario (``run_scenarios.py sensitivity``): the model as the
``evaluate(points, seeds)`` of :mod:`sim.analysis.sensitivity`, the study's runs, and its tables.

Common random numbers: replicate *i* uses ``SeedSequence(root, spawn_key=(2**32, i))`` at every
point of every design (:func:`sim.runs.seeds.replicate_seed` with ``paired=True``) and each variant
sets ``common_random_numbers`` (the year's environment on its own stream), so two points differ
only by their parameters, and the base point of the tornado is exactly the scenario's
``run --common-random-numbers --seed ROOT`` with the same horizon. Results do not depend on
``jobs``: every draw comes from these seeds, and the SALib designs and bootstraps from ``root``.
"""

from __future__ import annotations

import csv
import json
import math
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from pydantic import ValidationError

from ..analysis import global_sensitivity as gs
from ..analysis.sensitivity import (OUTPUTS, SensitivityStudy, SensParam, oat, oat_points, replicate_outputs,
                                    select_parameters, sensitivity_parameters)
from ..config.messages import describe_error
from ..config.schema import Scenario
from ..config.sweep import set_key
from .executor import ordered_map
from .seeds import PAIRED_KEY, replicate_seed

#: The methods a study can run, in the order they run (``all`` = oat, morris and prcc).
METHODS = ("oat", "morris", "prcc", "sobol")
ALL_METHODS = ("oat", "morris", "prcc")


class PointError(ValueError):
    """A design point that makes an invalid scenario (e.g. two parameters whose ranges conflict)."""


def parse_methods(text: str) -> list[str]:
    """``oat``, ``morris``, ``prcc``, ``sobol``, ``all`` (= oat, morris, prcc) or a comma list of
    them → the methods in run order. Raises ValueError naming the bad one with a close match."""
    import difflib
    chosen: list[str] = []
    for word in [w.strip().lower() for w in str(text).split(",") if w.strip()] or [""]:
        if word == "all":
            chosen += ALL_METHODS
        elif word in METHODS:
            chosen.append(word)
        else:
            close = difflib.get_close_matches(word, [*METHODS, "all"], n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"got {word!r}, must be one of {', '.join(METHODS)}, all, or a comma list{hint}")
    return [m for m in METHODS if m in chosen]


def check_design(methods: Sequence[str], k: int, samples: int, sobol_samples: int) -> None:
    """ValueError if a chosen method cannot run with these sizes (PRCC needs samples ≥ k + 2;
    Sobol base samples a power of 2; the global methods need at least two parameters)."""
    glob = [m for m in methods if m != "oat"]
    if glob and k < 2:
        raise ValueError(f"{', '.join(glob)} need at least 2 parameters, got {k}")
    if "prcc" in methods and samples < k + 2:
        raise ValueError(f"--samples {samples}: LHS-PRCC with {k} parameters needs at least {k + 2} samples "
                         f"(Marino et al. 2008 advise well over {math.ceil(4 * k / 3)})")
    if "sobol" in methods and sobol_samples & (sobol_samples - 1):
        raise ValueError(f"--sobol-samples {sobol_samples}: must be a power of 2 (e.g. 64)")


def parameter_listing(params: Sequence[SensParam]) -> str:
    """The parameters as a text table: key, scenario value, low, high, where the range comes from."""
    w = max((len(p.path) for p in params), default=9)
    lines = [f"{'parameter':<{w}}  {'value':>10}  {'low':>10}  {'high':>10}  range"]
    lines += [f"{p.path:<{w}}  {p.base:>10g}  {p.low:>10g}  {p.high:>10g}  {p.range_source}" for p in params]
    return "\n".join(lines)


def versions() -> dict:
    """Python and package versions (as a batch records them), SALib's, and the code's commit."""
    import importlib.metadata

    from .provenance import git_state, package_versions
    out: dict = dict(package_versions("loky"))
    try:
        out["SALib"] = importlib.metadata.version("SALib")
    except importlib.metadata.PackageNotFoundError:
        out["SALib"] = None
    out["git"] = git_state().as_record()
    return out


def top_summary(study: SensitivityStudy, n: int = 5) -> str:
    """Lines naming the ``n`` most influential parameters of each method and output."""
    measure = {"oat": "swing", "morris": "mu*", "prcc": "|PRCC|", "sobol": "ST"}
    lines = []
    for m in METHODS:
        if (study.oat if m == "oat" else getattr(study, m)) is None:
            continue
        lines.append(f"top {n} by {m} ({measure[m]}):")
        for o in OUTPUTS:
            top = ", ".join(f"{name} ({v:.3g})" for name, v in study.top(m, o, n))
            lines.append(f"  {o:<9} {top}")
    return "\n".join(lines)


def paired_seeds(root: int, n: int) -> list[np.random.SeedSequence]:
    """The replicate seeds of a study: replicate i → SeedSequence(root, spawn_key=(2**32, i))."""
    return [replicate_seed(root, "", i, paired=True) for i in range(n)]


def variant(base: Scenario, point: dict) -> Scenario:
    """The scenario at one design point: ``base`` with each dotted key of ``point`` set (as a sweep
    sets it) and ``common_random_numbers`` on, validated. Raises :class:`PointError`."""
    data = base.model_dump()
    for key, value in point.items():
        set_key(data, key, value)
    data["common_random_numbers"] = True
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        msgs = "; ".join(describe_error(err, data) for err in e.errors(include_url=False))
        raise PointError(f"the design point {point} makes an invalid scenario: {msgs}") from None


def run_point_replicate(scenario: Scenario, seed: np.random.SeedSequence, replicate: int, base_dir: str) -> np.ndarray:
    """The :data:`~sim.analysis.sensitivity.OUTPUTS` of one replicate (a worker task; the
    landscape is built once per process by sim.world.build's cache)."""
    from ..model.model import run_replicate
    res = run_replicate(scenario, seed, replicate=replicate, base_dir=base_dir)
    return replicate_outputs(res.census)


def scenario_evaluator(base: Scenario, base_dir: str | Path, jobs: int,
                       log: Callable[[str], None] | None = None) -> Callable:
    """evaluate(points, seeds) → (points, replicates, outputs) for ``base``: every point's variant
    (validated before anything runs) with every seed, on ``jobs`` worker processes; counts the
    runs in ``evaluate.runs``."""
    def evaluate(points: list[dict], seeds: Sequence) -> np.ndarray:
        variants = [variant(base, p) for p in points]
        tasks = [(v, s, i, str(base_dir)) for v in variants for i, s in enumerate(seeds)]
        if log:
            log(f"  {len(points)} points x {len(seeds)} replicates = {len(tasks)} runs")
        evaluate.runs += len(tasks)
        out = ordered_map(run_point_replicate, tasks, jobs)
        return np.asarray(out, dtype=float).reshape(len(points), len(seeds), len(OUTPUTS))
    evaluate.runs = 0
    return evaluate


def planned_runs(methods: Sequence[str], k: int, replicates: int, trajectories: int, samples: int,
                 sobol_samples: int) -> int:
    """Model runs a study will make: points of each method x replicates."""
    pts = {"oat": 2 * k + 1, "morris": trajectories * (k + 1), "prcc": samples, "sobol": sobol_samples * (k + 2)}
    return sum(pts[m] for m in methods) * replicates


def study_parameters(scenario: Scenario, names: Sequence[str] | None) -> tuple[list[SensParam], list[str]]:
    """The scenario's sensitivity parameters and notes on those left out. With ``names``, those
    parameters (unknown names raise :class:`sim.analysis.sensitivity.UnknownParameterError`, an
    end that makes an invalid scenario :class:`PointError`); without, every parameter with a range
    except those the scenario refuses to change (e.g. ``cheetah.mate_search_km`` under
    ``rules.mate_finding: anywhere``), each with a note."""
    params = select_parameters(sensitivity_parameters(scenario), names)
    kept, notes = [], []
    for p in params:
        try:
            for v in (p.low, p.high):
                variant(scenario, {p.path: p.value(v)})
        except PointError as e:
            if names:
                raise
            notes.append(f"{p.path} left out: {e}")
            continue
        kept.append(p)
    return kept, notes


def run_study(scenario: Scenario, params: list[SensParam], *, base_dir: str | Path, methods: Sequence[str],
              replicates: int, trajectories: int = 10, levels: int = 4, samples: int = 50, sobol_samples: int = 64,
              jobs: int = 1, seed: int | None = None, log: Callable[[str], None] | None = None) -> SensitivityStudy:
    """Run the chosen methods on ``scenario`` over ``params`` with ``replicates`` paired replicates
    per point; ``seed`` (default: the scenario's) roots the replicate seeds and the SALib designs."""
    root = scenario.seed if seed is None else int(seed)
    seeds = paired_seeds(root, replicates)
    evaluate = scenario_evaluator(scenario, base_dir, jobs, log)
    for p in oat_points(params)[1:]:                # every parameter's ends make a valid scenario
        variant(scenario, p)
    settings = {"scenario": scenario.name, "years": scenario.years, "methods": list(methods),
                "replicates": replicates, "root_seed": root, "trajectories": trajectories, "levels": levels,
                "samples": samples, "sobol_base_samples": sobol_samples, "jobs": jobs,
                "seeds": f"replicate i: numpy SeedSequence(entropy={root}, spawn_key=({PAIRED_KEY}, i)), the same "
                         "at every point (common random numbers; each variant sets common_random_numbers)",
                "design_seed": root, "outputs": list(OUTPUTS)}
    study = SensitivityStudy(scenario.name, scenario.years, list(params), settings)
    for m in methods:
        t0 = time.perf_counter()
        if log:
            log(f"{m}:")
        if m == "oat":
            study.oat = oat(params, evaluate, seeds)
        elif m == "morris":
            study.morris = gs.morris(params, evaluate, seeds, trajectories=trajectories, levels=levels, seed=root)
        elif m == "prcc":
            study.prcc = gs.prcc(params, evaluate, seeds, samples=samples, seed=root)
        elif m == "sobol":
            study.sobol = gs.sobol(params, evaluate, seeds, base_samples=sobol_samples, seed=root)
        else:
            raise ValueError(f"unknown method {m!r}; one of {', '.join(METHODS)}")
        study.seconds[m] = time.perf_counter() - t0
    settings["model_runs"] = evaluate.runs
    return study


# ============================================================================ files
def _num(v):
    """A number for CSV and JSON: None for NaN, else the value."""
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["parameter"])
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if _num(v) is None else v) for k, v in r.items()})
    return path


def _points_rows(params: list[SensParam], X: np.ndarray, Y: np.ndarray, outputs) -> list[dict]:
    """The design points (values as set) with the mean outputs over replicates at each."""
    return [{**{p.path: p.value(x) for p, x in zip(params, row)}, **{f"{o}_mean": float(y[j])
                                                                     for j, o in enumerate(outputs)}}
            for row, y in zip(np.asarray(X), np.asarray(Y))]


def write_tables(study: SensitivityStudy, out: Path, versions: dict) -> list[Path]:
    """oat.csv, morris.csv, prcc.csv, sobol.csv (each method run) with <method>_points.csv (the
    design and the mean outputs at each point), and sensitivity.json (settings, seeds, parameters,
    versions, timings and the top parameters)."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    if study.oat is not None:
        files.append(_write_csv(out / "oat.csv", study.oat.table()))
    for m in ("morris", "prcc", "sobol"):
        res = getattr(study, m)
        if res is not None:
            files.append(_write_csv(out / f"{m}.csv", res.table()))
            files.append(_write_csv(out / f"{m}_points.csv", _points_rows(study.params, res.X, res.Y, res.outputs)))
    ran = [m for m in METHODS if m == "oat" and study.oat is not None or m != "oat" and getattr(study, m) is not None]
    record = {
        "settings": study.settings,
        "parameters": [{"parameter": p.path, "base": p.base, "low": p.low, "high": p.high, "integer": p.integer,
                        "range_source": p.range_source} for p in study.params],
        "top": {m: {o: [[n, _num(v)] for n, v in study.top(m, o)] for o in OUTPUTS} for m in ran},
        "seconds": study.seconds, "versions": versions,
    }
    if study.oat is not None:
        record["oat_base"] = {o: [_num(v) for v in study.oat.base[o]] for o in study.oat.outputs}
    path = out / "sensitivity.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    files.append(path)
    return files


__all__ = ["METHODS", "ALL_METHODS", "PointError", "parse_methods", "check_design", "parameter_listing",
           "versions", "top_summary", "paired_seeds", "variant", "run_point_replicate",
           "scenario_evaluator", "planned_runs", "study_parameters", "run_study", "write_tables"]
