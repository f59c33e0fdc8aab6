"""Batch runs: many scenarios × many replicates on parallel workers, streamed to disk, resumable.

One batch writes one output folder: manifest.json first (what was run, with which code and
seeds; sim.runs.folder), then one chunk file per finished work unit, then the data files
(summary.csv, by_year.csv, replicates.csv.gz, occupancy/, failures.csv; sim.runs.outputs).
:func:`run_batch` starts a batch in a new folder; :func:`resume_batch` finishes an interrupted
one, running only the chunks that have no file yet.

Reproducibility: every replicate's seed depends only on the root seed, the scenario's name and
the replicate's index (sim.runs.seeds), and the data files are built in a fixed order from the
chunk files, so an interrupted-and-resumed run writes the same bytes as an uninterrupted one,
whatever the number of workers, the backend or the chunking.

Memory: workers return one chunk (replicates × years arrays) at a time; the main process writes
it and drops it (sim.runs.executor); the outputs are then built a chunk, and a few columns, at a
time (sim.runs.outputs).
"""

from __future__ import annotations

import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..config.schema import Scenario
from ..limits import current as current_limits, set_limits
from .executor import check_backend, run_tasks, worker_count
from .folder import (FORMAT_VERSION, MANIFEST, ManifestError, chunk_path, folder_lock, holds_output, make_out_dir,
                     quarantine_bad_chunks, read_checksums, read_manifest, remove_stale_temps, write_json)
from .outputs import format_summary_table, write_outputs
from .provenance import git_state, package_versions
from .result import BatchResult, last_line
from .seeds import chunk_plan, default_chunk_size
from .worker import ChunkTask, import_ref, runner_ref

#: The replicate function a batch runs unless given another ('module:qualname', imported in
#: each worker).
DEFAULT_RUNNER = "sim.model.model:run_replicate"


class OutputExistsError(FileExistsError):
    """The output folder of a new batch exists and is not empty."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch; its message says where the finished chunks are and how to resume.

    A KeyboardInterrupt, so callers that stop on Ctrl-C still do; nothing is printed, so a
    front end (sim.cli) can give its own hint instead."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        super().__init__(f"interrupted; finished chunks are kept in {self.out_dir / 'chunks'}. "
                         f"Continue with sim.runs.batch.resume_batch({str(self.out_dir)!r})")


def run_batch(scenarios: list[Scenario], out_dir: Path, *, jobs: int | None = None,
              backend: str = "loky", scheduler: str | None = None, root_seed: int | None = None,
              base_dirs: dict[str, Path] | None = None, sources: dict[str, str] | None = None,
              baseline: str | None = None, progress: bool = True, plugins: list[str] | None = None,
              runner: Callable | None = None, chunk_size: int | None = None,
              landscapes: bool = True, preview: bool = False) -> BatchResult:
    """Run every replicate of every scenario in parallel and write the outputs to ``out_dir``.

    ``jobs``: worker processes (default: the CPUs available). ``backend``: 'loky' (local
    processes) or 'dask' (``scheduler`` = address of a running dask scheduler, else a LocalCluster
    with ``jobs`` single-threaded worker processes). ``root_seed``: one root for all scenarios
    (default: each scenario's ``seed``). ``base_dirs``: scenario name -> folder that relative
    raster paths are resolved against. ``sources``: scenario name -> where it came from (recorded).
    ``baseline``: scenario every other one is compared with (default: each scenario's own
    ``baseline`` field). ``plugins``: rule files imported in every worker. ``runner``: the
    replicate function (default :data:`DEFAULT_RUNNER`, sim.model.model.run_replicate; a
    module-level function so workers can import it). ``chunk_size``: replicates per work unit
    (default :func:`~sim.runs.seeds.default_chunk_size`). ``landscapes``: build each scenario's
    landscape once per worker and pass it to the runner (False passes ``landscape=None``: for
    runners that need no map or build their own). ``preview``: the run is a first look (``--quick``:
    few replicates, short horizon), recorded in the manifest so the report says so.

    Raises OutputExistsError if ``out_dir`` exists and is not empty (a lock file and temp files
    of a batch killed before it wrote its manifest do not count: :func:`~sim.runs.folder.holds_output`).
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if holds_output(out_dir):
        raise OutputExistsError(f"output folder {out_dir} exists and is not empty; choose a new "
                                "folder or resume the run in it")
    check_backend(backend, scheduler)
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
    workers = worker_count(jobs)
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
        "versions": package_versions(backend),
        "git": git_state().as_record(),
        "root_seed": root_seed,
        "chunk_size": int(chunk_size),
        "baseline": baseline,
        "preview": bool(preview),
        "plugins": plugin_paths,
        "runner": runner_ref(runner),
        "landscapes": bool(landscapes),
        "limits": current_limits().changed(),
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
    make_out_dir(out_dir, option="output folder")
    with folder_lock(out_dir):
        return _run_and_finish(out_dir, manifest, scenarios, runner, jobs=workers, backend=backend,
                               scheduler=scheduler, progress=progress, t0=t0)


def resume_batch(out_dir: Path, *, jobs: int | None = None, backend: str = "loky",
                 scheduler: str | None = None, progress: bool = True,
                 runner: Callable | None = None) -> BatchResult:
    """Finish an interrupted batch: run only the chunks that have no file yet (same scenarios,
    seeds and chunking, read from manifest.json), then write all outputs.

    ``runner``: default is the one the run was started with (recorded in the manifest as
    'module:function'; it must be importable here). Raises ManifestError if the folder has no
    usable manifest or the recorded runner cannot be imported."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    # the limits the batch was checked with, unless this command line changed them again
    set_limits({**manifest.get("limits", {}), **current_limits().changed()})
    scenarios = [Scenario.model_validate(e["scenario"]) for e in manifest["scenarios"]]
    if runner is None and manifest.get("runner"):
        ref = manifest["runner"]
        try:
            runner = import_ref(ref)
        except Exception as e:
            raise ManifestError(f"{out_dir / MANIFEST}: the run used runner {ref}, which cannot be "
                                f"imported here ({type(e).__name__}: {e}); pass runner=") from None
    with folder_lock(out_dir):
        manifest = read_manifest(out_dir)       # as the last run left it, now that it has ended
        manifest["limits"] = current_limits().changed()
        remove_stale_temps(out_dir)
        for note in quarantine_bad_chunks(out_dir, manifest):
            print(f"note: {note}", file=sys.stderr)
        for run in manifest["runs"]:
            if run.get("status") == "running":      # its process died without a word (killed)
                run["status"] = "interrupted"
        return _run_and_finish(out_dir, manifest, scenarios, runner, jobs=worker_count(jobs),
                               backend=backend, scheduler=scheduler, progress=progress, t0=t0, resume=True)


def _run_and_finish(out_dir: Path, manifest: dict, scenarios: list[Scenario], runner, *, jobs: int,
                    backend: str, scheduler: str | None, progress: bool, t0: float,
                    resume: bool = False) -> BatchResult:
    """Run the missing chunks and write the outputs, recording this run in manifest.json as it
    starts ('running') and as it ends ('finished', 'interrupted' by Ctrl-C, or 'failed'), so
    that an interrupted run is on record even when a resume finishes the batch."""
    tasks = _missing_tasks(out_dir, manifest, scenarios, runner)
    run = {"started": _now(), "ended": None, "status": "running", "backend": backend, "jobs": jobs,
           "scheduler": scheduler, "resume": resume, "chunks_run": len(tasks)}
    manifest["runs"].append(run)
    manifest["status"] = "running"
    write_json(out_dir / MANIFEST, manifest)
    try:
        run_tasks(out_dir, tasks, total=sum(e["replicates"] for e in manifest["scenarios"]),
                  backend=backend, jobs=jobs, scheduler=scheduler, progress=progress)
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
                             "spawn_key": list(f.spawn_key), "message": last_line(f.message)}
                            for f in result.failures]
    _end_run(out_dir, manifest, run, "finished")
    result.seconds = time.perf_counter() - t0
    if progress:
        print(format_summary_table(result.summary_path))
    return result


def _missing_tasks(out_dir: Path, manifest: dict, scenarios: list[Scenario],
                   runner: Callable | None) -> list[ChunkTask]:
    """A task for every chunk of the manifest's plan that has no file in ``out_dir`` yet; the
    runner travels as given, or as the :data:`DEFAULT_RUNNER` reference."""
    out = []
    for entry, sc in zip(manifest["scenarios"], scenarios):
        for first, last in chunk_plan(sc.replicates, manifest["chunk_size"]):
            if chunk_path(out_dir, sc.name, first, last).exists():
                continue
            out.append(ChunkTask(scenario=sc, root=int(entry["root_seed"]), first=first, last=last,
                                 base_dir=entry["base_dir"], plugins=tuple(manifest["plugins"]),
                                 runner=runner if runner is not None else DEFAULT_RUNNER,
                                 landscapes=bool(manifest["landscapes"]),
                                 limits=tuple(sorted(manifest.get("limits", {}).items()))))
    return out


def _end_run(out_dir: Path, manifest: dict, run: dict, status: str, error: str | None = None) -> None:
    """Close this run's entry in manifest.json (and the batch's status) and write it."""
    run["ended"] = _now()
    run["status"] = status
    manifest["chunk_sha256"] = read_checksums(out_dir, manifest)
    if error is not None:
        run["error"] = error
    if status == "finished":
        manifest["status"], manifest["end_time"] = "complete", run["ended"]
    else:
        manifest["status"] = status
    write_json(out_dir / MANIFEST, manifest)


def _now() -> str:
    """The time now, UTC, ISO 8601 to the second (manifest times)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
