"""Batch runs: seeds, chunks of replicates on parallel workers, streaming to disk, resume.

One batch = many scenarios × many replicates, written to one output folder::

    <out>/manifest.json              what was run, with which code and seeds (written first)
    <out>/chunks/<scenario>/<first>-<last>.npz   census arrays of those replicates (atomic)
    <out>/summary.csv                one row of PVA statistics per scenario (sim.stats)
    <out>/by_year.csv                the summary's quantities for every year (persistence curves)
    <out>/replicates.csv.gz          tidy census: scenario, replicate, CENSUS_COLUMNS
    <out>/occupancy/<scenario>.npy   resident-months per cell summed over replicates (+ .json)
    <out>/failures.csv               replicates that raised (only if any)

Reproducibility. Replicate ``i`` of scenario ``s`` always gets
``SeedSequence(entropy=root, spawn_key=(crc32(s.name), i))`` with ``root`` the batch's root seed
or the scenario's own ``seed``; so a scenario's results do not depend on the other scenarios in
the batch, on the number of workers, on the backend, on the chunking or on resuming. The data
files are written in a fixed order from the chunk files (never from the order in which workers
finish), with a fixed number format and gzip ``mtime=0``, so they are byte-identical between an
interrupted-and-resumed run and an uninterrupted one.

Memory. Workers return one chunk (replicates × years arrays) at a time; the main process writes
it and drops it. The outputs are built from the chunk files in two passes: the tidy census one
chunk at a time, then the statistics one scenario and a few columns at a time (see
:func:`write_outputs`), so memory does not grow with replicates × years × columns.
"""

from __future__ import annotations

import csv
import gc
import gzip
import importlib
import importlib.metadata
import io
import json
import math
import os
import platform
import re
import socket
import subprocess
import sys
import time
import traceback
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

import numpy as np

from ..analysis import stats
from ..model.results import CENSUS_COLUMNS, ReplicateResult
from ..config.schema import Scenario

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
DEFAULT_RUNNER = "sim.model.model:run_replicate"


class OutputExistsError(FileExistsError):
    """The output folder of a new batch exists and is not empty."""


class ManifestError(ValueError):
    """A folder to resume has no usable manifest.json."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch; its message says where the finished chunks are and how to resume.

    A KeyboardInterrupt, so callers that stop on Ctrl-C still do; nothing is printed, so a
    front end (sim.cli) can give its own hint instead."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        super().__init__(f"interrupted; finished chunks are kept in {self.out_dir / 'chunks'}. "
                         f"Continue with sim.batch.resume_batch({str(self.out_dir)!r})")


class Failure(NamedTuple):
    """A replicate that raised. Its seed is ``SeedSequence(seed_entropy, spawn_key=spawn_key)``;
    ``message`` holds the traceback."""

    scenario: str
    replicate: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    message: str


@dataclass
class BatchResult:
    """Where a finished batch wrote its files, and how many replicates ran.

    ``failures``: every replicate that raised (left out of the statistics), also written to
    ``failures_path`` (failures.csv; None when nothing failed).
    """

    out_dir: Path
    summary_path: Path
    by_year_path: Path
    n_done: int
    n_failed: int
    failures: list[Failure] = field(default_factory=list)
    replicates_path: Path | None = None
    seconds: float = 0.0
    failures_path: Path | None = None

    def failure_report(self, limit: int = 5) -> str:
        """For the console: how many replicates failed, the file with the details, and the
        first ``limit`` failures (scenario, replicate index, seed, error); '' if none failed."""
        if not self.failures:
            return ""
        lines = [f"{self.n_failed} replicate(s) failed; the scenario, replicate, seed and traceback "
                 f"of each are in {self.failures_path}"]
        for f in self.failures[:limit]:
            lines.append(f"  {f.scenario} replicate {f.replicate} (seed entropy {f.seed_entropy}, "
                         f"spawn key {' '.join(map(str, f.spawn_key))}): {_last_line(f.message)}")
        if len(self.failures) > limit:
            lines.append(f"  ... and {len(self.failures) - limit} more")
        return "\n".join(lines)


# ============================================================================ seeds and chunks

def scenario_key(name: str) -> int:
    """The scenario's part of every spawn key: CRC-32 of its name (stable across runs/Pythons)."""
    return zlib.crc32(name.encode("utf-8"))


def replicate_seed(root: int, scenario_name: str, replicate: int) -> np.random.SeedSequence:
    """The seed of one replicate; depends only on (root, scenario name, replicate index)."""
    return np.random.SeedSequence(entropy=int(root), spawn_key=(scenario_key(scenario_name), int(replicate)))


def chunk_plan(replicates: int, chunk_size: int) -> list[tuple[int, int]]:
    """Replicate ranges ``(first, last)`` (inclusive, 0-based) of a scenario's chunks."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    return [(a, min(a + chunk_size, replicates) - 1) for a in range(0, replicates, chunk_size)]


def default_chunk_size(total_replicates: int, workers: int) -> int:
    """10-50 replicates per chunk, aiming at >= 4 chunks per worker so that slow chunks at the end
    do not leave workers idle, while keeping per-chunk overhead (a file, a task) small."""
    per = math.ceil(total_replicates / max(1, 4 * workers))
    return int(min(50, max(10, per)))


def _chunk_name(first: int, last: int) -> str:
    return f"{first}-{last}.npz"


def chunk_path(out_dir: Path, scenario: str, first: int, last: int) -> Path:
    return Path(out_dir) / "chunks" / scenario / _chunk_name(first, last)


# ============================================================================ worker side

@dataclass(frozen=True)
class _ChunkTask:
    scenario: Scenario
    root: int
    first: int
    last: int
    base_dir: str
    plugins: tuple[str, ...]
    runner: Callable | None
    landscapes: bool


def _load_plugins(paths: Iterable[str]) -> None:
    """Import plugin files by path, once per process (sim.rules.load_plugin skips repeats)."""
    from ..registry import load_plugin
    for p in paths:
        load_plugin(p)


def _resolve_runner(runner: Callable | None) -> Callable:
    if runner is not None:
        return runner
    return _import_ref(DEFAULT_RUNNER)


def _import_ref(ref: str) -> Callable:
    mod, _, attr = ref.partition(":")
    obj = importlib.import_module(mod)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _runner_ref(runner: Callable | None) -> str | None:
    """'module:qualname' of a runner (None for the default), recorded for resume."""
    if runner is None:
        return None
    mod, qual = getattr(runner, "__module__", None), getattr(runner, "__qualname__", None)
    if not mod or not qual or "<" in qual:
        return f"<unimportable {runner!r}>"
    return f"{mod}:{qual}"


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


def run_chunk(task: _ChunkTask) -> dict:
    """Run replicates ``first..last`` of one scenario in this process and stack their census.

    The landscape is built once per process (sim.landscape.build_landscape caches it) and passed
    to every replicate; each replicate's memory is freed when it ends (:func:`free_replicate_memory`). A replicate that raises becomes a failure record (scenario, index, seed,
    traceback); the other replicates go on. Returns a plain dict (see :func:`_write_chunk`).
    """
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
        runner = _resolve_runner(task.runner)
        if task.landscapes:
            from ..world.build import build_landscape
            landscape = build_landscape(sc.landscape, task.base_dir)
    except Exception:
        setup_error = "setting up the worker failed:\n" + traceback.format_exc()

    for j, i in enumerate(range(task.first, task.last + 1)):
        seed = replicate_seed(task.root, sc.name, i)
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


# ============================================================================ chunk files

_TEMP_NAME = re.compile(r"\..+\.tmp-\d+")     # temp files of _atomic_write: .<name>.tmp-<pid>


def _atomic_write(path: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write through ``write(fileobj)`` into a temp file beside ``path``, then os.replace: readers
    never see a half-written file, and a file that exists is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_chunk(out_dir: Path, chunk: dict) -> None:
    arrays = {f"c__{c}": a for c, a in chunk["census"].items()}
    arrays["ok"] = chunk["ok"]
    if chunk["occupancy"] is not None:
        arrays["occupancy"] = chunk["occupancy"]
    arrays["failures"] = np.array(json.dumps(chunk["failures"]))
    path = chunk_path(out_dir, chunk["scenario"], chunk["first"], chunk["last"])
    _atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def _read_chunk(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as z:
        census = {c: z[f"c__{c}"] for c in CENSUS_COLUMNS}
        return {"census": census, "ok": z["ok"],
                "occupancy": z["occupancy"] if "occupancy" in z.files else None,
                "failures": json.loads(str(z["failures"]))}


# ============================================================================ manifest

def _versions(backend: str) -> dict[str, str | None]:
    names = ["numpy", "scipy", "mesa", "joblib", "pydantic", "tqdm"]
    if backend == "dask":
        names += ["dask", "distributed"]
    out: dict[str, str | None] = {"python": platform.python_version()}
    for n in names:
        try:
            out[n] = importlib.metadata.version(n)
        except importlib.metadata.PackageNotFoundError:
            out[n] = None
    return out


def _git_commit() -> dict[str, object]:
    """Commit of the repository holding this package (None if not a git checkout)."""
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                               capture_output=True, text=True, timeout=30)
        return {"commit": head.stdout.strip(),
                "dirty": bool(dirty.stdout.strip()) if dirty.returncode == 0 else None}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _write_json(path: Path, obj: dict) -> None:
    text = json.dumps(obj, indent=2, allow_nan=False) + "\n"
    _atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def read_manifest(out_dir: Path) -> dict:
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{out_dir}: no {MANIFEST}; is this the output folder of a batch run?")
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ManifestError(f"{path}: cannot be read ({e})") from None
    if m.get("format_version") != FORMAT_VERSION:
        raise ManifestError(f"{path}: format_version {m.get('format_version')!r}, "
                            f"this code reads {FORMAT_VERSION}")
    return m


# ============================================================================ running

def _workers(jobs: int | None) -> int:
    if jobs is not None:
        if jobs < 1:
            raise ValueError(f"jobs must be >= 1, got {jobs}")
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class _Executor:
    """joblib.Parallel on loky (local processes) or dask (LocalCluster or a scheduler address)."""

    def __init__(self, backend: str, jobs: int, scheduler: str | None):
        if backend not in ("loky", "dask"):
            raise ValueError(f"backend must be 'loky' or 'dask', got {backend!r}")
        if scheduler and backend != "dask":
            raise ValueError("scheduler is the address of a dask scheduler; use it with backend='dask'")
        self.backend, self.jobs, self.scheduler = backend, jobs, scheduler
        self._client = self._cluster = None

    def __enter__(self) -> "_Executor":
        if self.backend == "dask":
            import logging

            from distributed import Client, LocalCluster
            if self.scheduler:
                self._client = Client(self.scheduler)
            else:
                self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def map_unordered(self, tasks: list[_ChunkTask]) -> Iterator[dict]:
        import joblib
        if not tasks:
            return iter(())
        if self.backend == "dask":
            # Parallel takes its backend from the config when it is built (not when consumed)
            with joblib.parallel_config(backend="dask"):
                par = joblib.Parallel(n_jobs=-1, return_as="generator_unordered", batch_size=1)
            return par(joblib.delayed(run_chunk)(t) for t in tasks)
        par = joblib.Parallel(n_jobs=self.jobs, backend="loky", return_as="generator_unordered",
                              batch_size=1)
        return par(joblib.delayed(run_chunk)(t) for t in tasks)


def _tasks_for(manifest: dict, scenarios: list[Scenario], runner: Callable | None,
               only_missing: Path | None = None) -> list[_ChunkTask]:
    out = []
    for entry, sc in zip(manifest["scenarios"], scenarios):
        for first, last in chunk_plan(sc.replicates, manifest["chunk_size"]):
            if only_missing is not None and chunk_path(only_missing, sc.name, first, last).exists():
                continue
            out.append(_ChunkTask(scenario=sc, root=int(entry["root_seed"]), first=first, last=last,
                                  base_dir=entry["base_dir"], plugins=tuple(manifest["plugins"]),
                                  runner=runner, landscapes=bool(manifest["landscapes"])))
    return out


def _execute(out_dir: Path, manifest: dict, tasks: list[_ChunkTask], *, backend: str, jobs: int,
             scheduler: str | None, progress: bool) -> None:
    """Run chunk tasks and write each chunk file as soon as it arrives."""
    from tqdm.auto import tqdm
    total = sum(e["replicates"] for e in manifest["scenarios"])
    todo = sum(t.last - t.first + 1 for t in tasks)
    bar = tqdm(total=total, initial=total - todo, unit="rep", desc="replicates",
               disable=not progress, dynamic_ncols=True, file=sys.stderr)
    failed = 0
    try:
        with _Executor(backend, jobs, scheduler) as ex:
            for chunk in ex.map_unordered(tasks):
                _write_chunk(out_dir, chunk)
                if chunk["failures"]:
                    failed += len(chunk["failures"])
                    bar.set_postfix(failed=failed, refresh=False)
                bar.update(chunk["last"] - chunk["first"] + 1)
                del chunk
    finally:
        bar.close()


def run_batch(scenarios: list[Scenario], out_dir: Path, *, jobs: int | None = None,
              backend: str = "loky", scheduler: str | None = None, root_seed: int | None = None,
              base_dirs: dict[str, Path] | None = None, sources: dict[str, str] | None = None,
              baseline: str | None = None, progress: bool = True, plugins: list[str] | None = None,
              runner: Callable | None = None, chunk_size: int | None = None,
              landscapes: bool = True) -> BatchResult:
    """Run every replicate of every scenario in parallel and write the outputs to ``out_dir``.

    ``jobs``: worker processes (default: the CPUs available). ``backend``: 'loky' (local
    processes) or 'dask' (``scheduler`` = address of a running dask scheduler, else a LocalCluster
    with ``jobs`` single-threaded worker processes). ``root_seed``: one root for all scenarios
    (default: each scenario's ``seed``). ``base_dirs``: scenario name -> folder that relative
    raster paths are resolved against. ``sources``: scenario name -> where it came from (recorded).
    ``baseline``: scenario every other one is compared with (default: each scenario's own
    ``baseline`` field). ``plugins``: rule files imported in every worker. ``runner``: the
    replicate function (default ``sim.model.run_replicate``; a module-level function so workers
    can import it). ``chunk_size``: replicates per work unit (default :func:`default_chunk_size`).
    ``landscapes``: build each scenario's landscape once per worker and pass it to the runner
    (False passes ``landscape=None``: for runners that need no map or build their own).

    Raises OutputExistsError if ``out_dir`` exists and is not empty.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise OutputExistsError(f"output folder {out_dir} exists and is not empty; choose a new "
                                "folder or resume the run in it")
    if backend not in ("loky", "dask"):
        raise ValueError(f"backend must be 'loky' or 'dask', got {backend!r}")
    if scheduler and backend != "dask":
        raise ValueError("scheduler is the address of a dask scheduler; use it with backend='dask'")
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    if not scenarios:
        raise ValueError("run_batch needs at least one scenario")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"scenario names must be unique in a batch; repeated: {', '.join(dup)}")
    if any(n in (".", "..") for n in names):
        raise ValueError("a scenario may not be named '.' or '..' (names are folder names)")
    if baseline is not None and baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not a scenario of this batch "
                         f"(scenarios: {', '.join(names)})")
    plugin_paths = [str(Path(p).resolve()) for p in (plugins or [])]
    for p in plugin_paths:
        if not Path(p).is_file():
            raise FileNotFoundError(f"plugin file not found: {p}")
    workers = _workers(jobs)
    total = sum(s.replicates for s in scenarios)
    if chunk_size is None:
        chunk_size = default_chunk_size(total, workers)
    elif chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    base_dirs = {k: Path(v) for k, v in (base_dirs or {}).items()}
    sources = sources or {}

    manifest = {
        "format_version": FORMAT_VERSION,
        "status": "running",
        "start_time": _now(),
        "end_time": None,
        "command_line": list(sys.argv),
        "hostname": socket.gethostname(),
        "versions": _versions(backend),
        "git": _git_commit(),
        "root_seed": root_seed,
        "chunk_size": int(chunk_size),
        "baseline": baseline,
        "plugins": plugin_paths,
        "runner": _runner_ref(runner),
        "landscapes": bool(landscapes),
        "scenarios": [{
            "name": s.name,
            "root_seed": int(root_seed if root_seed is not None else s.seed),
            "replicates": s.replicates,
            "years": s.years,
            "base_dir": str(base_dirs.get(s.name, Path(".")).resolve()),
            "source": sources.get(s.name),
            "scenario": s.model_dump(mode="json"),
        } for s in scenarios],
        "runs": [],
        "replicates_done": 0,
        "replicates_failed": 0,
        "failures": [],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    return _run_and_finish(out_dir, manifest, scenarios, runner, jobs=workers, backend=backend,
                           scheduler=scheduler, progress=progress, t0=t0)


def resume_batch(out_dir: Path, *, jobs: int | None = None, backend: str = "loky",
                 scheduler: str | None = None, progress: bool = True,
                 runner: Callable | None = None) -> BatchResult:
    """Finish an interrupted batch: run only the chunks that have no file yet (same scenarios,
    seeds and chunking, read from manifest.json), then write all outputs.

    ``runner``: default is the one the run was started with (recorded in the manifest as
    'module:function'; it must be importable here)."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    scenarios = [Scenario.model_validate(e["scenario"]) for e in manifest["scenarios"]]
    if runner is None and manifest.get("runner"):
        ref = manifest["runner"]
        try:
            runner = _import_ref(ref)
        except Exception as e:
            raise ManifestError(f"{out_dir / MANIFEST}: the run used runner {ref}, which cannot be "
                                f"imported here ({type(e).__name__}: {e}); pass runner=") from None
    _remove_stale_temps(out_dir)
    for run in manifest["runs"]:
        if run.get("status") == "running":      # its process died without a word (killed)
            run["status"] = "interrupted"
    return _run_and_finish(out_dir, manifest, scenarios, runner, jobs=_workers(jobs), backend=backend,
                           scheduler=scheduler, progress=progress, t0=t0, resume=True)


def _run_and_finish(out_dir: Path, manifest: dict, scenarios: list[Scenario], runner, *, jobs: int,
                    backend: str, scheduler: str | None, progress: bool, t0: float,
                    resume: bool = False) -> BatchResult:
    """Run the missing chunks and write the outputs, recording this run in manifest.json as it
    starts ('running') and as it ends ('finished', 'interrupted' by Ctrl-C, or 'failed'), so
    that an interrupted run is on record even when a resume finishes the batch."""
    tasks = _tasks_for(manifest, scenarios, runner, only_missing=out_dir)
    run = {"started": _now(), "ended": None, "status": "running", "backend": backend, "jobs": jobs,
           "scheduler": scheduler, "resume": resume, "chunks_run": len(tasks)}
    manifest["runs"].append(run)
    manifest["status"] = "running"
    _write_json(out_dir / MANIFEST, manifest)
    try:
        _execute(out_dir, manifest, tasks, backend=backend, jobs=jobs, scheduler=scheduler,
                 progress=progress)
        result = write_outputs(out_dir, manifest, scenarios)
    except KeyboardInterrupt:
        _end_run(out_dir, manifest, run, "interrupted")
        raise BatchInterrupted(out_dir) from None
    except BaseException as e:
        _end_run(out_dir, manifest, run, "failed", error=f"{type(e).__name__}: {e}")
        raise
    manifest["replicates_done"] = result.n_done
    manifest["replicates_failed"] = result.n_failed
    manifest["failures"] = [{"scenario": f.scenario, "replicate": f.replicate,
                             "spawn_key": list(f.spawn_key), "message": _last_line(f.message)}
                            for f in result.failures]
    _end_run(out_dir, manifest, run, "finished")
    result.seconds = time.perf_counter() - t0
    if progress:
        print(format_summary_table(result.summary_path))
    return result


def _end_run(out_dir: Path, manifest: dict, run: dict, status: str, error: str | None = None) -> None:
    """Close this run's entry in manifest.json (and the batch's status) and write it."""
    run["ended"] = _now()
    run["status"] = status
    if error is not None:
        run["error"] = error
    if status == "finished":
        manifest["status"], manifest["end_time"] = "complete", run["ended"]
    else:
        manifest["status"] = status
    _write_json(out_dir / MANIFEST, manifest)


def _last_line(message: str) -> str:
    """The last line of a traceback: the exception and its message."""
    return message.strip().splitlines()[-1] if message.strip() else ""


def _remove_stale_temps(out_dir: Path) -> None:
    """Delete the temp files (``.<name>.tmp-<pid>``, see :func:`_atomic_write`) that a killed
    writer left in the run folder, occupancy/ or chunks/<scenario>/. A temp file is never a
    complete output; files not matching the pattern are left alone."""
    for folder in (out_dir, out_dir / "occupancy", *(out_dir / "chunks").glob("*/")):
        for path in folder.glob(".*.tmp-*"):
            if _TEMP_NAME.fullmatch(path.name) and path.is_file():
                path.unlink()


# ============================================================================ outputs

def _fmt(v) -> str:
    """One number format for all data files: '' for missing/NaN, integers without a decimal
    point, other floats as Python's shortest round-trip repr."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f):
            return "" if math.isnan(f) else ("inf" if f > 0 else "-inf")
        return str(int(f)) if f.is_integer() and abs(f) < 2 ** 53 else repr(f)
    return str(v)


def _fmt_array(a: np.ndarray) -> list[str]:
    """Vectorised :func:`_fmt` of a float array (flattened): same strings, value by value."""
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    whole = np.isfinite(a) & (a == np.trunc(a)) & (np.abs(a) < 2 ** 53)
    if whole.all():
        return list(map(str, a.astype(np.int64).tolist()))
    out = np.empty(a.size, dtype=object)
    out[whole] = list(map(str, a[whole].astype(np.int64).tolist()))
    rest = a[~whole]
    finite = np.isfinite(rest)
    strs = np.empty(rest.size, dtype=object)
    strs[finite] = list(map(repr, rest[finite].tolist()))
    strs[~finite] = [_fmt(v) for v in rest[~finite].tolist()]
    out[~whole] = strs
    return out.tolist()


def _chunk_files(out_dir: Path, entry: dict, chunk_size: int) -> list[tuple[int, Path]]:
    """(first replicate, path) of every chunk file of a scenario; raises if one is missing."""
    out = []
    for first, last in chunk_plan(entry["replicates"], chunk_size):
        path = chunk_path(out_dir, entry["name"], first, last)
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing; the batch has not finished (resume it)")
        out.append((first, path))
    return out


class _ChunkCensus(Mapping):
    """The census table of one scenario (column -> successful replicates × years, float64) read
    from its chunk files on each access, one column at a time, and never cached.

    sim.stats reads a few columns at a time, so aggregating a scenario holds a few
    (replicates × years) columns in memory rather than all of them: memory does not grow with
    columns × replicates × years. A quantile needs one whole column, which is the largest array.
    """

    def __init__(self, paths: list[Path], years: int):
        self._paths, self._years = paths, years

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in CENSUS_COLUMNS:
            raise KeyError(column)
        parts = []
        for path in self._paths:
            with np.load(path, allow_pickle=False) as z:
                parts.append(z[f"c__{column}"][z["ok"]])
        return np.concatenate(parts, axis=0) if parts else np.zeros((0, self._years))

    def __iter__(self) -> Iterator[str]:
        return iter(CENSUS_COLUMNS)

    def __len__(self) -> int:
        return len(CENSUS_COLUMNS)


def deterministic_growth(scenario: Scenario) -> tuple[float, float]:
    """(λ, r = ln λ) [per year] from the vital rates via sim.demography.deterministic_lambda
    (r = -inf when λ = 0); NaN if that module or function is absent or fails (a warning is
    printed then)."""
    try:
        demography = importlib.import_module("sim.analysis.demography")
        fn = demography.deterministic_lambda
    except (ImportError, AttributeError):
        return math.nan, math.nan
    try:
        lam = float(fn(scenario.cheetah))
    except Exception as e:   # a statistic must not lose a finished batch
        print(f"warning: deterministic_lambda failed for {scenario.name}: {type(e).__name__}: {e}",
              file=sys.stderr)
        return math.nan, math.nan
    return lam, (math.log(lam) if lam > 0 else -math.inf)


def write_outputs(out_dir: Path, manifest: dict, scenarios: list[Scenario] | None = None) -> BatchResult:
    """Read the chunk files scenario by scenario and write summary.csv, by_year.csv,
    replicates.csv.gz, occupancy/ and failures.csv. Needs every chunk file.

    Memory stays flat as replicates grow: the tidy census, occupancy and failures are written
    in one pass holding one chunk at a time; the statistics then read each scenario column by
    column (:class:`_ChunkCensus`), so the largest array is one column of one scenario
    (replicates × years), which the quantiles need whole.
    """
    out_dir = Path(out_dir)
    if scenarios is None:
        scenarios = [Scenario.model_validate(e["scenario"]) for e in manifest["scenarios"]]
    cs = int(manifest["chunk_size"])
    files = [_chunk_files(out_dir, e, cs) for e in manifest["scenarios"]]
    n_ok, failures = _write_replicates(out_dir, scenarios, files)

    summary_rows, tables = [], []
    for entry, sc, chunks, n in zip(manifest["scenarios"], scenarios, files, n_ok):
        census = _ChunkCensus([p for _, p in chunks], sc.years)
        summary_rows.append(_summary_row(sc, census, entry, n_failed=sc.replicates - n))
        tables.append((sc.name, stats.by_year(census, quasi_threshold=sc.output.quasi_extinction)))
    _add_baseline_columns(summary_rows, manifest.get("baseline"))
    summary_path = out_dir / "summary.csv"
    _write_text(summary_path, _csv_text(summary_rows))
    by_year_path = out_dir / "by_year.csv"
    _write_text(by_year_path, _by_year_text(tables))
    return BatchResult(out_dir=out_dir, summary_path=summary_path, by_year_path=by_year_path,
                       n_done=sum(n_ok), n_failed=len(failures), failures=failures,
                       replicates_path=out_dir / "replicates.csv.gz",
                       failures_path=_write_failures(out_dir, failures))


def _write_replicates(out_dir: Path, scenarios: list[Scenario], files: list[list[tuple[int, Path]]]
                      ) -> tuple[list[int], list[Failure]]:
    """One pass over every chunk file, one chunk in memory at a time: write replicates.csv.gz
    (atomically; gzip mtime 0 so the bytes depend only on the rows) and each scenario's
    occupancy map. Returns the successful replicates per scenario and the failure records."""
    n_ok: list[int] = []
    failures: list[Failure] = []

    def write(f) -> None:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as gz:
            text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
            rep_w = csv.writer(text, lineterminator="\n")
            rep_w.writerow(["scenario", "replicate", *CENSUS_COLUMNS])
            for sc, chunks in zip(scenarios, files):
                n_ok.append(_write_scenario_replicates(out_dir, sc, chunks, rep_w, failures))
            text.flush()
            text.detach()

    _atomic_write(out_dir / "replicates.csv.gz", write)
    return n_ok, failures


def _write_scenario_replicates(out_dir: Path, sc: Scenario, chunks: list[tuple[int, Path]], rep_w,
                               failures: list[Failure]) -> int:
    """Tidy rows of one scenario's chunks into ``rep_w``, its failures appended to ``failures``,
    its occupancy map written; returns its number of successful replicates."""
    n_ok = 0
    occ_sum = None
    for first, path in chunks:
        ch = _read_chunk(path)
        ok = ch["ok"]
        n_ok += int(ok.sum())
        if ch["occupancy"] is not None:
            occ_sum = ch["occupancy"].astype(np.int64) if occ_sum is None else occ_sum + ch["occupancy"]
        failures.extend(Failure(f["scenario"], int(f["replicate"]), int(f["seed_entropy"]),
                                tuple(f["spawn_key"]), f["message"]) for f in ch["failures"])
        _write_replicate_rows(rep_w, sc.name, first, ok, ch["census"])
        del ch
    _write_occupancy(out_dir, sc, occ_sum, n_ok)
    return n_ok


def _by_year_text(tables: list[tuple[str, dict[str, np.ndarray]]]) -> str:
    """by_year.csv: scenario, then the columns of sim.stats.by_year, one row per scenario × year."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = list(tables[0][1]) if tables else []
    w.writerow(["scenario", *cols])
    for name, table in tables:
        for vals in zip(*[_fmt_array(table[c]) for c in cols]):
            w.writerow([name, *vals])
    return buf.getvalue()


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
    _write_text(fail_path, buf.getvalue())
    return fail_path


def _write_replicate_rows(writer, name: str, first: int, ok: np.ndarray,
                          census: dict[str, np.ndarray]) -> None:
    """Tidy rows (scenario, replicate, one value per census column) of a chunk's successful
    replicates, one row per year; formatted one replicate at a time so that only that
    replicate's strings exist at once."""
    k = len(CENSUS_COLUMNS)
    for j in np.flatnonzero(ok).tolist():
        cells = _fmt_array(np.column_stack([census[c][j] for c in CENSUS_COLUMNS]))  # year-major
        rep = str(first + j)
        writer.writerows([name, rep, *cells[i:i + k]] for i in range(0, len(cells), k))


def _summary_row(sc: Scenario, census: Mapping[str, np.ndarray], entry: dict, n_failed: int) -> dict:
    row = {"scenario": sc.name, "family": sc.family, "description": sc.description,
           "baseline": "", "years": sc.years, "root_seed": entry["root_seed"], "n_failed": n_failed}
    cell_area = sc.landscape.cell_km ** 2
    row.update(stats.summarise_scenario(census, sc.output.quasi_extinction, cell_area))
    row["det_lambda"], row["det_r"] = deterministic_growth(sc)
    row["_baseline_own"] = sc.baseline
    return row


def _add_baseline_columns(rows: list[dict], baseline: str | None) -> None:
    by_name = {r["scenario"]: r for r in rows}
    for r in rows:
        own = r.pop("_baseline_own")
        base = baseline if baseline is not None else own
        diff = lo = hi = math.nan
        if base is not None and base != r["scenario"]:
            r["baseline"] = base
            b = by_name.get(base)
            if b is None:
                print(f"note: scenario {r['scenario']!r} names baseline {base!r}, which is not in "
                      "this batch; no comparison", file=sys.stderr)
            else:
                diff, lo, hi = stats.compare_to_baseline(r["n_extant"], r["n_replicates"],
                                                         b["n_extant"], b["n_replicates"])
        r["diff_p_persist"], r["diff_p_persist_lo"], r["diff_p_persist_hi"] = diff, lo, hi


def _csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = list(rows[0]) if rows else []
    w.writerow(cols)
    for r in rows:
        w.writerow([_fmt(r[c]) for c in cols])
    return buf.getvalue()


def _write_text(path: Path, text: str) -> None:
    _atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def _write_occupancy(out_dir: Path, sc: Scenario, occ: np.ndarray | None, n_ok: int) -> None:
    if occ is None:
        return
    folder = out_dir / "occupancy"
    _atomic_write(folder / f"{sc.name}.npy", lambda f: np.save(f, occ.astype(np.int64)))
    meta = {"scenario": sc.name, "replicates": n_ok, "shape": list(occ.shape),
            "cell_km": sc.landscape.cell_km,
            "units": "resident-months with a home-range centre in the cell, summed over replicates"}
    _write_json(folder / f"{sc.name}.json", meta)


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


__all__ = ["run_batch", "resume_batch", "BatchResult", "Failure", "OutputExistsError", "ManifestError",
           "BatchInterrupted",
           "replicate_seed", "chunk_plan", "default_chunk_size", "run_chunk", "write_outputs",
           "read_manifest", "format_summary_table", "deterministic_growth"]
