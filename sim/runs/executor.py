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
    """A worker process ended without returning its chunk (killed by the system, e.g. when memory
    ran out, or crashed in compiled code); the chunks finished before it are saved."""


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
    all ``total`` replicates of the batch (those done before count as done)."""
    from tqdm.auto import tqdm
    todo = sum(t.last - t.first + 1 for t in tasks)
    bar = tqdm(total=total, initial=total - todo, unit="rep", desc="replicates",
               disable=not progress, dynamic_ncols=True, file=sys.stderr)
    left = {}                                   # scenario -> replicates not yet back
    for t in tasks:
        left[t.scenario.name] = left.get(t.scenario.name, 0) + t.last - t.first + 1
    failed = 0
    from concurrent.futures.process import BrokenProcessPool

    from joblib.externals.loky.process_executor import TerminatedWorkerError
    try:
        with workers_off_the_working_directory(), Executor(backend, jobs, scheduler) as ex:
            for chunk in ex.map_unordered(tasks):
                write_chunk(out_dir, chunk)
                left[chunk["scenario"]] -= chunk["last"] - chunk["first"] + 1
                running = next((name for name, k in left.items() if k > 0), "")
                if chunk["failures"]:
                    failed += len(chunk["failures"])
                post = {"scenario": running} | ({"failed": failed} if failed else {})
                bar.set_postfix(post, refresh=False)
                bar.update(chunk["last"] - chunk["first"] + 1)
                del chunk
    except (TerminatedWorkerError, BrokenProcessPool) as e:
        raise WorkerDied(f"a worker process died before returning its replicates ({_exit_words(e)}); "
                         "this is usually the system killing it when memory ran out") from None
    finally:
        bar.close()


def _exit_words(e: BaseException) -> str:
    """The worker's exit as loky reports it ('exit codes of the workers are {SIGKILL(-9)}'), short."""
    m = re.search(r"exit codes? of the workers? (?:are|is) \{([^}]*)\}", str(e))
    return f"exit {m.group(1)}" if m else type(e).__name__
