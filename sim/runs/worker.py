"""What a worker process does: run one chunk of replicates and free each replicate's memory.

:func:`run_chunk` is the unit of work that sim.runs.executor sends to a worker: replicates
``first..last`` of one scenario, each with its own seed (sim.runs.seeds), their census stacked
into (replicates × years) arrays. A replicate that raises becomes a failure record; the others
go on. The runner (the replicate function) travels as a callable or as a 'module:qualname'
reference imported in the worker.
"""

from __future__ import annotations

import gc
import importlib
import traceback
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from ..config.schema import Scenario
from ..limits import limits_changed
from ..model.results import CENSUS_COLUMNS, ReplicateResult
from .seeds import replicate_seed


@dataclass(frozen=True)
class ChunkTask:
    """One unit of work: replicates ``first..last`` of ``scenario`` from root seed ``root``.

    ``base_dir``: folder that relative raster paths are resolved against. ``plugins``: rule files
    to import first. ``runner``: the replicate function, or its 'module:qualname' reference.
    ``landscapes``: build the scenario's landscape once and pass it to the runner. ``limits``: the
    size limits the batch was checked with (sim.limits, those changed from the defaults), applied
    in the worker before it builds anything, so a raised ``cells`` limit holds on a remote dask
    worker and on resume too."""

    scenario: Scenario
    root: int
    first: int
    last: int
    base_dir: str
    plugins: tuple[str, ...]
    runner: Callable | str
    landscapes: bool
    limits: tuple[tuple[str, float], ...] = ()


def import_ref(ref: str) -> Callable:
    """The object a 'module:qualname' reference names (imports the module)."""
    mod, _, attr = ref.partition(":")
    obj = importlib.import_module(mod)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def runner_ref(runner: Callable | None) -> str | None:
    """'module:qualname' of a runner (None for the default), recorded for resume."""
    if runner is None:
        return None
    mod, qual = getattr(runner, "__module__", None), getattr(runner, "__qualname__", None)
    if not mod or not qual or "<" in qual:
        return f"<unimportable {runner!r}>"
    return f"{mod}:{qual}"


def _load_plugins(paths: Iterable[str]) -> None:
    """Import plugin files by path, once per process (sim.registry.load_plugin skips repeats)."""
    from ..registry import load_plugin
    for p in paths:
        load_plugin(p)


def _check_result(res: object, scenario: Scenario) -> str | None:
    """Why a runner's return value cannot be used (None if it can)."""
    if not isinstance(res, ReplicateResult):
        return f"the runner returned {type(res).__name__}, not a ReplicateResult"
    if res.error:
        return res.error
    missing = [c for c in CENSUS_COLUMNS if c not in res.census]
    if missing:
        return f"census lacks columns: {', '.join(missing)}"
    bad = [c for c in CENSUS_COLUMNS if np.shape(res.census[c]) != (scenario.years,)]
    if bad:
        return (f"census columns {', '.join(bad[:5])} do not have one value per year "
                f"(expected {scenario.years})")
    return None


_GC_FROZEN = False


def free_replicate_memory() -> None:
    """Free what the finished replicate left behind, now; call it after each replicate in a
    process that runs many.

    A replicate's model, its last animals (mothers and cubs refer to each other) and Mesa's event
    machinery form reference cycles, which only Python's cyclic garbage collector frees. Left to
    the collector's own schedule they were freed late, and a worker's resident memory crept up as
    its heap fragmented (+3.1 MiB over the first 1,000 replicates of the benchmark's memory case).
    A full collection looks at every object in the process (~100,000 here: modules, the
    landscape, the caches; ~50 ms), so the first call, after collecting, freezes the objects alive
    then (``gc.freeze``: they live as long as the worker) and later calls look only at what
    replicates created since (~0.15 ms). Results do not depend on it (no random numbers)."""
    global _GC_FROZEN
    gc.collect()
    if not _GC_FROZEN:
        gc.freeze()
        _GC_FROZEN = True


def run_chunk(task: ChunkTask) -> dict:
    """Run replicates ``first..last`` of one scenario in this process and stack their census.

    The landscape is built once per process (sim.world.build.build_landscape caches it) and
    passed to every replicate; each replicate's memory is freed when it ends
    (:func:`free_replicate_memory`). A replicate that raises becomes a failure record (scenario,
    index, seed, traceback); the other replicates go on. Returns a plain dict (stored by
    :func:`sim.runs.folder.write_chunk`). Runs under the task's size limits (sim.limits).
    """
    with limits_changed(dict(task.limits), exact=True):
        return _run_chunk(task)


def _run_chunk(task: ChunkTask) -> dict:
    sc = task.scenario
    n = task.last - task.first + 1
    years = sc.years
    census = {c: np.full((n, years), np.nan) for c in CENSUS_COLUMNS}
    ok = np.zeros(n, dtype=bool)
    occupancy: np.ndarray | None = None
    failures: list[dict] = []

    setup_error = None
    landscape = None
    try:
        _load_plugins(task.plugins)
        runner = task.runner if callable(task.runner) else import_ref(task.runner)
        if task.landscapes:
            from ..world.build import build_landscape
            landscape = build_landscape(sc.landscape, task.base_dir)
    except Exception:
        setup_error = "setting up the worker failed:\n" + traceback.format_exc()

    for j, i in enumerate(range(task.first, task.last + 1)):
        seed = replicate_seed(task.root, sc.name, i, paired=sc.common_random_numbers)
        problem = setup_error
        res = None
        if problem is None:
            try:
                res = runner(sc, seed, replicate=i, landscape=landscape, base_dir=task.base_dir)
                problem = _check_result(res, sc)
            except Exception:
                problem = traceback.format_exc()
        if problem is None and res.occupancy is not None:
            occ = np.asarray(res.occupancy)
            if occupancy is None:
                occupancy = np.zeros(occ.shape, dtype=np.int64)
            if occ.shape != occupancy.shape:
                problem = f"occupancy map has shape {occ.shape}, other replicates {occupancy.shape}"
            else:
                occupancy += occ.astype(np.int64)
        if problem is None:
            for c in CENSUS_COLUMNS:
                census[c][j] = np.asarray(res.census[c], dtype=np.float64)
            ok[j] = True
        else:
            failures.append({"scenario": sc.name, "replicate": i, "seed_entropy": int(task.root),
                             "spawn_key": [int(x) for x in seed.spawn_key], "message": problem})
        del res
        free_replicate_memory()
    return {"scenario": sc.name, "first": task.first, "last": task.last, "census": census,
            "ok": ok, "occupancy": occupancy, "failures": failures}
