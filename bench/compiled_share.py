#!/usr/bin/env python
"""How much of a bench case's time is spent inside compiled (numba) code.

    .venv/bin/python bench/compiled_share.py persist            # 2 timed replicates
    .venv/bin/python bench/compiled_share.py crowded --reps 3 --top 15

Every ``@njit`` dispatcher in ``sim`` is wrapped, for this process only, in a Python function that
adds the wall time of each call to a counter (the wrappers add ~0.3 µs per call, ~30 calls a month:
a few hundredths of a µs per cheetah-month in ``persist``). A case's replicates are run as in
``run_bench.py`` (the landscape built once, one warm-up replicate before the wrapping, so that
every compiled function the case reaches is compiled with its callees unwrapped, then seeds
``SeedSequence(20250, spawn_key=(k,))``) and the script prints, per cheetah-month (agent-step):

* the replicate's CPU time,
* the time inside compiled functions, in all and per function.

Why: the compiled part is the floor that cutting the Python around the compiled loops can reach
without making the loops themselves faster. If it is already above a speed target, no amount of
fusing Python calls meets that target (bench/README.md, "Why the targets are still far").
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import importlib  # noqa: E402
import pkgutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_bench  # noqa: E402  (puts the checkout on sys.path)


def wrap_compiled(totals: collections.Counter, calls: collections.Counter) -> int:
    """Replace every compiled function that a ``sim`` module holds by a timing wrapper (one per
    function, shared by every module that imports it); returns how many functions were wrapped."""
    import sim
    from numba.core.registry import CPUDispatcher

    modules = [importlib.import_module(info.name) for info in pkgutil.walk_packages(sim.__path__, "sim.")
               if not info.name.endswith("__main__")]
    wrappers: dict[int, object] = {}

    def timed(name, fn):
        def call(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[name] += time.perf_counter() - t
                calls[name] += 1
        return call

    for module in modules:
        for attr, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher):
                if id(value) not in wrappers:
                    wrappers[id(value)] = timed(f"{value.py_func.__module__}.{value.__name__}", value)
                setattr(module, attr, wrappers[id(value)])
    return len(wrappers)


def main(argv: list[str] | None = None) -> int:
    names = [c["name"] for c in run_bench.cases(quick=False) if c["kind"] == "sim"]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", choices=names)
    ap.add_argument("--reps", type=int, default=2, help="timed replicates (default 2)")
    ap.add_argument("--top", type=int, default=12, help="compiled functions to list (default 12)")
    args = ap.parse_args(argv)

    from sim.model.model import run_replicate

    case = next(c for c in run_bench.cases(quick=False) if c["name"] == args.case)
    sc, land = run_bench._build(case["scenario"])
    # warm-up first: a compiled function that calls another one must be compiled before that one
    # is wrapped (its body would otherwise see the Python wrapper, which numba cannot type)
    run_replicate(sc, run_bench._seed(run_bench.WARMUP_KEY), landscape=land)
    totals: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    n_wrapped = wrap_compiled(totals, calls)
    cpu, months = 0.0, 0
    for k in range(args.reps):
        t = time.process_time()
        res = run_replicate(sc, run_bench._seed(k), landscape=land)
        cpu += time.process_time() - t
        months += res.extra["agent_months"]
    compiled = sum(totals.values())
    print(f"case {args.case}: {args.reps} replicates, {months:,} cheetah-months, {n_wrapped} compiled functions wrapped")
    print(f"  whole replicate  {cpu / months * 1e6:6.2f} CPU µs per cheetah-month ({cpu / args.reps:.3f} CPU s per replicate)")
    print(f"  compiled code    {compiled / months * 1e6:6.2f} µs per cheetah-month ({compiled / cpu:.0%} of the CPU time; {compiled / args.reps:.3f} s per replicate)")
    print(f"  the rest         {(cpu - compiled) / months * 1e6:6.2f} µs per cheetah-month (Python, numpy, Mesa)")
    for name, seconds in totals.most_common(args.top):
        print(f"    {seconds / months * 1e6:6.3f} µs/cheetah-month  {calls[name] / args.reps:8,.0f} calls/replicate  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
