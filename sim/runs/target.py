"""Running a scenario at values of one key, for the target search (:mod:`sim.analysis.target`).

:class:`ScenarioEvaluator` is the search's ``evaluate(value, replicate_indices)``: it sets the
key on a copy of the scenario (the key paths of ``sweep``, :func:`sim.config.sweep.set_key`),
re-validates it with ``common_random_numbers`` on, and runs the replicates on parallel workers with
the batch machinery's unit of work (:func:`sim.runs.worker.run_chunk`, on loky workers via joblib
like :class:`sim.runs.executor.Executor`, but in order). Under common random numbers replicate ``i`` gets the seed
``SeedSequence(root, (2**32, i))`` at every value (:func:`sim.runs.seeds.replicate_seed`), so
the values meet the same random years and a search's answer depends only on the root seed, never
on ``jobs``. A replicate persisted if the population is extant (both sexes) in the last year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from pydantic import ValidationError

from ..limits import current as current_limits
from ..config.messages import describe_error
from ..config.schema import Scenario
from ..config.sweep import get_key, set_key
from .executor import WorkerDied, worker_count, workers_off_the_working_directory
from .worker import ChunkTask, run_chunk

#: The replicate function the evaluator runs unless given another ('module:qualname').
DEFAULT_RUNNER = "sim.model.model:run_replicate"


class KeyProblem(ValueError):
    """The key to vary does not exist, is not numeric, or a value of the range is not allowed."""


class ReplicateFailed(RuntimeError):
    """A replicate raised during the search (its outcome cannot be counted)."""


@dataclass(frozen=True)
class VariedKey:
    """A key the search varies: its dotted path, whether it takes whole numbers, its value in the
    scenario as written."""

    key: str
    integer: bool
    current: object


def scenario_at(scenario: Scenario, settings: list[tuple[str, float]], option: str = "--vary") -> Scenario:
    """A validated copy of ``scenario`` with each ``(key, value)`` of ``settings`` set and
    ``common_random_numbers`` on. KeyProblem (a sentence naming the key) if it does not validate."""
    data = scenario.model_dump()
    for key, value in settings:
        try:
            set_key(data, key, value, what=option)
        except ValueError as e:
            raise KeyProblem(str(e)) from None
    data["common_random_numbers"] = True
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        shown = ", ".join(f"{k} = {v:g}" for k, v in settings)
        raise KeyProblem(f"{option}: scenario {scenario.name!r} with {shown} is not valid: "
                         + "; ".join(describe_error(err, data) for err in e.errors(include_url=False))) from None


def describe_key(scenario: Scenario, key: str, probe: float, option: str = "--vary") -> VariedKey:
    """The key ``key`` of ``scenario`` if it is numeric: KeyProblem if it does not exist (with the
    closest matches), holds a non-number (a bool, text, a list...) or refuses ``probe`` (a value of
    the range). Whether it takes whole numbers is read from the scenario validated with ``probe``
    (a key that is None by default, such as ``ceiling``, gets its type that way)."""
    try:
        current = get_key(scenario.model_dump(), key, what=option)
    except ValueError as e:
        raise KeyProblem(str(e)) from None
    if current is not None and (isinstance(current, bool) or not isinstance(current, (int, float))):
        raise KeyProblem(f"{option} {key}: the key holds {type(current).__name__} {current!r}, not a number; "
                         "the target search varies a numeric key (founders, repeats, a density, a multiplier...)")
    probed = get_key(scenario_at(scenario, [(key, probe)], option).model_dump(), key, what=option)
    if isinstance(probed, bool) or not isinstance(probed, (int, float)):
        raise KeyProblem(f"{option} {key}: the key does not hold a number")
    return VariedKey(key=key, integer=isinstance(probed, int) and isinstance(current, (int, type(None))),
                     current=current)


class ScenarioEvaluator:
    """``evaluate(value, replicate_indices) -> bool array`` (persisted at the horizon) of
    ``scenario`` with ``key`` set to the value (and ``fixed`` keys set first), on ``jobs`` worker
    processes. ``batch(requests)`` runs several ``(value, indices)`` at once; :meth:`at` fixes one
    more key (the frontier's second key). ``runner``: the replicate function (default
    :data:`DEFAULT_RUNNER`; tests pass synthetic ones)."""

    def __init__(self, scenario: Scenario, key: str, *, root_seed: int, base_dir: str = ".", jobs: int | None = 1,
                 plugins: tuple[str, ...] = (), fixed: tuple[tuple[str, float], ...] = (),
                 runner: Callable | str = DEFAULT_RUNNER, on_replicates: Callable[[int], None] | None = None):
        self.scenario, self.key, self.root_seed = scenario, key, int(root_seed)
        self.base_dir, self.jobs, self.plugins = str(base_dir), worker_count(jobs), tuple(plugins)
        self.fixed, self.runner, self.on_replicates = tuple(fixed), runner, on_replicates

    def at(self, key: str, value: float) -> "ScenarioEvaluator":
        """This evaluator with ``key`` fixed at ``value`` as well."""
        return ScenarioEvaluator(self.scenario, self.key, root_seed=self.root_seed, base_dir=self.base_dir,
                                 jobs=self.jobs, plugins=self.plugins, fixed=self.fixed + ((key, value),),
                                 runner=self.runner, on_replicates=self.on_replicates)

    def __call__(self, value: float, indices: np.ndarray) -> np.ndarray:
        return self.batch([(value, indices)])[0]

    def batch(self, requests: list[tuple[float, np.ndarray]]) -> list[np.ndarray]:
        """Outcomes of every request; the replicate indices of a request must be consecutive."""
        tasks, slots = [], []
        total = sum(len(idx) for _, idx in requests)
        size = max(1, math.ceil(total / (4 * self.jobs)))    # >= 4 chunks a worker, for balance
        for r, (value, idx) in enumerate(requests):
            idx = np.asarray(idx, dtype=np.int64)
            if idx.size and np.any(np.diff(idx) != 1):
                raise ValueError("replicate indices of a request must be consecutive")
            sc = scenario_at(self.scenario, [*self.fixed, (self.key, value)])
            for a in range(0, idx.size, size):
                first, last = int(idx[a]), int(idx[min(a + size, idx.size) - 1])
                tasks.append(ChunkTask(scenario=sc, root=self.root_seed, first=first, last=last,
                                       base_dir=self.base_dir, plugins=self.plugins, runner=self.runner,
                                       landscapes=True, limits=tuple(current_limits().changed().items())))
                slots.append((r, a))
        out = [np.zeros(len(idx), dtype=bool) for _, idx in requests]
        for task, (r, a), chunk in zip(tasks, slots, self._run(tasks)):
            if chunk["failures"]:
                f = chunk["failures"][0]
                raise ReplicateFailed(f"replicate {f['replicate']} at {self.key} = {_value_of(task, self)} failed:\n"
                                      f"{f['message']}")
            persisted = np.asarray(chunk["census"]["extant"])[:, -1] > 0.5
            out[r][a:a + persisted.size] = persisted
        if self.on_replicates is not None:
            self.on_replicates(total)
        return out

    def _run(self, tasks: list[ChunkTask]) -> list[dict]:
        """The chunks of ``tasks``, in their order: in this process for one job, else on loky
        workers (reused between calls, so each builds the landscape once)."""
        if self.jobs == 1:
            return [run_chunk(t) for t in tasks]
        import joblib
        from concurrent.futures.process import BrokenProcessPool

        from joblib.externals.loky.process_executor import TerminatedWorkerError
        try:
            with workers_off_the_working_directory():
                return joblib.Parallel(n_jobs=self.jobs, backend="loky", batch_size=1)(
                    joblib.delayed(run_chunk)(t) for t in tasks)
        except (TerminatedWorkerError, BrokenProcessPool):
            raise WorkerDied("a worker process died during the target search (this is usually the system "
                             "killing it when memory ran out); try fewer --jobs") from None


def _value_of(task: ChunkTask, ev: ScenarioEvaluator) -> object:
    try:
        return get_key(task.scenario.model_dump(), ev.key)
    except ValueError:
        return "?"


# ============================================================================================
# Output files
# ============================================================================================

TARGET_COLUMNS = ("value", "replicates", "persisted", "p_persist", "wilson_lo", "wilson_hi",
                  "decision_lo", "decision_hi", "decision")


def write_target_files(out_dir, results: list, *, values2: list | None = None, record: dict) -> dict:
    """Write ``target.csv`` (every evaluated value: replicates, persisted, P(persist), Wilson
    interval at the stated confidence, the Bonferroni-level decision bounds and the decision; with
    a ``value2`` column for a frontier), ``frontier.csv`` (a frontier: per value of the second key,
    the answer and the value below it that fails) and ``target.json`` (``record`` plus the answers,
    statements and warnings). ``results``: one :class:`sim.analysis.target.TargetResult`, or one
    per value of ``values2``. Returns the paths by file name."""
    import csv
    import json
    from pathlib import Path

    from .provenance import git_state

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    two = values2 is not None
    paths = {"target.csv": out_dir / "target.csv", "target.json": out_dir / "target.json"}
    with open(paths["target.csv"], "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow((("value2",) if two else ()) + TARGET_COLUMNS)
        for v2, res in zip(values2 if two else [None], results):
            for row in res.rows():
                w.writerow(([v2] if two else []) + [_cell(row[c]) for c in TARGET_COLUMNS])
    if two:
        paths["frontier.csv"] = out_dir / "frontier.csv"
        with open(paths["frontier.csv"], "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(("value2", "answer", "fails_at", "replicates", "statement"))
            for v2, res in zip(values2, results):
                w.writerow([v2, _cell(res.answer), _cell(res.below), res.replicates,
                            res.statement(record["key"], record["goal_text"])])
    searches = [{**({"value2": v2} if two else {}), "answer": res.answer,
                 "threshold_interval": {"above": res.below, "at_most": res.answer},
                 "statement": res.statement(record["key"], record["goal_text"]), "warnings": res.warnings,
                 "replicates": res.replicates, "stopped_by_budget": res.stopped_by_budget,
                 "alpha_per_bound": res.alpha, "looks": list(res.schedule)}
                for v2, res in zip(values2 if two else [None], results)]
    doc = {**record, **(searches[0] if not two else {"frontier": searches}),
           "replicates_total": sum(r.replicates for r in results), "git": git_state().as_record()}
    paths["target.json"].write_text(json.dumps(doc, indent=2, default=_json_default) + "\n", encoding="utf-8")
    return paths


def _cell(v) -> object:
    """A CSV cell: '' for None, floats to 6 significant digits."""
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return v


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"cannot write {type(o).__name__} to JSON")
