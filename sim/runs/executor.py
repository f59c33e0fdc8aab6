"""Running chunk tasks in parallel: local processes (loky) or a dask cluster, via joblib.

:func:`run_tasks` sends every :class:`~sim.runs.worker.ChunkTask` to a worker and stores each
finished chunk as soon as it arrives (in the order workers finish; the data files are later
built in a fixed order from the chunk files, so that order never shows). Workers return one
chunk at a time; the main process writes it and drops it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .folder import write_chunk
from .worker import ChunkTask, run_chunk

BACKENDS = ("loky", "dask")


def check_backend(backend: str, scheduler: str | None) -> None:
    """ValueError unless ``backend`` is known and a ``scheduler`` address comes with dask."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be 'loky' or 'dask', got {backend!r}")
    if scheduler and backend != "dask":
        raise ValueError("scheduler is the address of a dask scheduler; use it with backend='dask'")


def worker_count(jobs: int | None) -> int:
    """``jobs`` (>= 1), or by default the CPUs this process may run on."""
    if jobs is not None:
        if jobs < 1:
            raise ValueError(f"jobs must be >= 1, got {jobs}")
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class WorkerDied(RuntimeError):
    """A worker process ended without returning its work (killed by the system, e.g. when memory
    ran out, or crashed in compiled code). Batches retry instead (:func:`run_tasks`); the target
    search, whose evaluations are short, stops with it."""


@contextlib.contextmanager
def workers_off_the_working_directory() -> Iterator[None]:
    """While it is open, worker processes start without the working directory on ``sys.path``.

    Workers start with ``python -m ...``, which puts the working directory first on
    ``sys.path``: a user's ``random.py`` or ``concurrent.py`` there would be imported by every
    worker (a ``concurrent.py`` that started runs made workers start runs recursively).
    ``PYTHONSAFEPATH=1`` (Python >= 3.11), inherited by the workers started meanwhile, leaves that
    entry out; loky then gives them this process's ``sys.path``, so ``sim`` imports as here. The
    variable is restored afterwards, so other programs this process starts are unaffected."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = before


def ordered_map(fn: Callable, args: Sequence[tuple], jobs: int) -> list:
    """fn(*a) for every a, in order; on ``jobs`` loky worker processes when jobs > 1 (one task at
    a time per worker, so slow tasks do not hold back a batch of fast ones). For the validation
    checks and the sensitivity runner; batches use :class:`Executor`."""
    if jobs <= 1 or len(args) <= 1:
        return [fn(*a) for a in args]
    import joblib

    with workers_off_the_working_directory():
        return joblib.Parallel(n_jobs=jobs, backend="loky", batch_size=1)(joblib.delayed(fn)(*a) for a in args)


class Executor:
    """joblib.Parallel on loky (local processes) or dask (LocalCluster or a scheduler address)."""

    def __init__(self, backend: str, jobs: int, scheduler: str | None):
        check_backend(backend, scheduler)
        self.backend, self.jobs, self.scheduler = backend, jobs, scheduler
        self._client = self._cluster = None

    def __enter__(self) -> "Executor":
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

    def map_unordered(self, tasks: list[ChunkTask]) -> Iterator[dict]:
        """Run :func:`~sim.runs.worker.run_chunk` on every task; chunks in the order they finish."""
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


def run_tasks(out_dir: Path, tasks: list[ChunkTask], *, total: int, backend: str, jobs: int,
              scheduler: str | None, progress: bool) -> None:
    """Run chunk tasks and write each chunk file as soon as it arrives, with a progress bar over
    all ``total`` replicates of the batch (those done before count as done).

    A worker that dies (the system killing it when memory ran out, a crash in compiled code) fails
    only the chunks in flight: the unfinished chunks are run again once with the same workers;
    if a worker dies again, the rest run one at a time, and a chunk whose worker still dies is
    recorded as failed replicates (failures.csv) so the batch finishes."""
    from tqdm.auto import tqdm
    todo = sum(t.last - t.first + 1 for t in tasks)
    bar = tqdm(total=total, initial=total - todo, unit="rep", desc="replicates",
               disable=not progress, dynamic_ncols=True, file=sys.stderr)
    state = {"failed": 0, "left": {}}
    for t in tasks:
        state["left"][t.scenario.name] = state["left"].get(t.scenario.name, 0) + t.last - t.first + 1
    try:
        pending = _run_round(out_dir, tasks, backend, jobs, scheduler, bar, state)
        if pending:
            print(f"\nnote: a worker process died ({pending[1]}); running the {len(pending[0])} unfinished "
                  "chunk(s) again", file=sys.stderr)
            pending = _run_round(out_dir, pending[0], backend, jobs, scheduler, bar, state)
        if pending:
            print(f"\nnote: a worker died again ({pending[1]}); running the {len(pending[0])} unfinished "
                  "chunk(s) one at a time", file=sys.stderr)
            for task in pending[0]:
                died = _run_alone(out_dir, task, bar)
                if died:
                    _write_dead_chunk(out_dir, task, died)
                    state["failed"] += task.last - task.first + 1
                    bar.update(task.last - task.first + 1)
    finally:
        bar.close()


def _run_round(out_dir: Path, tasks: list[ChunkTask], backend: str, jobs: int, scheduler: str | None, bar,
               state: dict) -> tuple[list[ChunkTask], str] | None:
    """Run ``tasks``; None when all came back, else (the unfinished tasks, how the worker died)."""
    from concurrent.futures.process import BrokenProcessPool

    from joblib.externals.loky.process_executor import TerminatedWorkerError
    done: set[tuple[str, int]] = set()
    try:
        with workers_off_the_working_directory(), Executor(backend, jobs, scheduler) as ex:
            for chunk in ex.map_unordered(tasks):
                write_chunk(out_dir, chunk)
                done.add((chunk["scenario"], chunk["first"]))
                n = chunk["last"] - chunk["first"] + 1
                state["left"][chunk["scenario"]] -= n
                running = next((name for name, k in state["left"].items() if k > 0), "")
                state["failed"] += len(chunk["failures"])
                bar.set_postfix({"scenario": running} | ({"failed": state["failed"]} if state["failed"] else {}),
                                refresh=False)
                bar.update(n)
                del chunk
    except (TerminatedWorkerError, BrokenProcessPool) as e:
        return [t for t in tasks if (t.scenario.name, t.first) not in done], _exit_words(e)
    return None


def _run_alone(out_dir: Path, task: ChunkTask, bar) -> str | None:
    """Run one task in a worker process of its own (never in this process, even for one job: a
    worker that dies must not take the batch with it); None when it came back, else how it died."""
    from concurrent.futures.process import BrokenProcessPool

    from joblib.externals.loky import get_reusable_executor
    from joblib.externals.loky.process_executor import TerminatedWorkerError
    try:
        with workers_off_the_working_directory():
            chunk = get_reusable_executor(max_workers=1, reuse=False).submit(run_chunk, task).result()
    except (TerminatedWorkerError, BrokenProcessPool) as e:
        return _exit_words(e)
    write_chunk(out_dir, chunk)
    bar.update(chunk["last"] - chunk["first"] + 1)
    return None


def _write_dead_chunk(out_dir: Path, task: ChunkTask, how: str) -> None:
    """The chunk of a task whose worker died every time: every replicate failed, with the cause."""
    import numpy as np

    from ..model.results import CENSUS_COLUMNS
    from .seeds import replicate_seed

    sc = task.scenario
    n = task.last - task.first + 1
    message = (f"the worker process running this chunk alone died ({how}), after two rounds in which workers "
               "died: usually the system killing it when memory ran out, or a crash in compiled code; the "
               "chunk was not run again")
    failures = []
    for i in range(task.first, task.last + 1):
        seed = replicate_seed(task.root, sc.name, i, paired=sc.common_random_numbers)
        failures.append({"scenario": sc.name, "replicate": i, "seed_entropy": int(task.root),
                         "spawn_key": [int(x) for x in seed.spawn_key], "message": message})
    write_chunk(out_dir, {"scenario": sc.name, "first": task.first, "last": task.last,
                          "census": {c: np.full((n, sc.years), np.nan) for c in CENSUS_COLUMNS},
                          "ok": np.zeros(n, dtype=bool), "occupancy": None, "failures": failures})


def _exit_words(e: BaseException) -> str:
    """The worker's exit as loky reports it ('exit codes of the workers are {SIGKILL(-9)}'), short."""
    m = re.search(r"exit codes? of the workers? (?:are|is) \{([^}]*)\}", str(e))
    return f"exit {m.group(1)}" if m else type(e).__name__
