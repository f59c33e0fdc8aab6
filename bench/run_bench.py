#!/usr/bin/env python
"""Speed benchmark: the cheetah simulator side by side with Mesa's own wolf-sheep example.

Run ``make bench`` (or ``.venv/bin/python bench/run_bench.py``); ``--quick`` for a short run,
``--profile CASE`` for a cProfile of one replicate. What each case measures: bench/README.md.

Every case runs in a fresh process (multiprocessing "spawn"), one after the other, so that

* one case's caches, heap and imports do not touch the next case's timings, and
* that process's ``ru_maxrss`` is the case's own peak resident memory [MiB].

Inside the process: the landscape is built once (as a batch worker does), one warm-up replicate
is run and discarded, then ``reps`` replicates are timed one by one with ``time.perf_counter``
(wall seconds) and ``time.process_time`` (CPU seconds of this process = core-seconds, since BLAS
and OpenMP are held to one thread below). Phase shares come from separate runs with
``timing=True`` so the timer calls never touch the wall-time figures.

Output: a table on stdout and ``bench/results/<YYYY-MM-DD>-<git short commit>[-quick][-N].json``
(never overwritten).
"""

from __future__ import annotations

import os

# One thread per process: "core-seconds" must mean one core, and a batch runs one replicate per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime as _dt
import gc
import json
import math
import multiprocessing as mp
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
BENCH_SEED = 20250                 # entropy of every replicate seed (common random numbers)
WARMUP_KEY = 10_000                # spawn key of the warm-up replicate (never a timed one)

# ============================================================================ the cases

#: The issue's release: 20 founders (10 F, 10 M) in year 1 at the reserve, as in
#: scenarios/base.yaml (autumn soft release after one month in a boma, 30-month-old wild animals).
def _release(site: str, founders: int, month: int = 10) -> dict:
    return dict(year=1, month=month, site=site, females=founders // 2, males=founders - founders // 2,
                age_months=30, source="wild", method="soft", boma_months=1)


def default_scenario(cell_km: float = 2.5, founders: int = 20, years: int = 50,
                     prey_cell_km: float | None = None) -> dict:
    """The default Ustyurt map (all parameters at their defaults) with one release at the reserve;
    ``prey_cell_km`` None keeps the default prey grid (5 km)."""
    land = dict(preset="ustyurt", cell_km=cell_km)
    if prey_cell_km is not None:
        land["prey_cell_km"] = prey_cell_km
    return dict(name=f"bench_ustyurt_{cell_km:g}km_{founders}f", years=years, landscape=land,
                releases=[_release("ustyurt_reserve", founders)])


def uniform_scenario(name: str, width_km: float, gazelle: float, saiga: float, years: int,
                     founders: int = 20, cell_km: float = 2.5, month: int = 10,
                     landscape: dict | None = None) -> dict:
    """A fenced uniform reserve with prey started at its carrying capacity (no urial), the default
    environment (year-to-year variation, catastrophes) and output, as a plain dict like the other cases.
    ``landscape``: overrides of the landscape section (e.g. ``{"hare_density": 4.0}``), passed on to
    :func:`sim.config.factories.uniform_reserve`."""
    from sim.config.factories import uniform_reserve

    return uniform_reserve(name, years=years, size_km=width_km, cell_km=cell_km, gazelle=gazelle, saiga=saiga,
                           releases=[_release("centre", founders, month)], quiet=False, replicates=100,
                           occupancy=True, landscape=landscape).model_dump()


#: Crowded reserve: 150 x 150 km (60 x 60 cells), gazelle 15 and saiga 10 animals/km² at K, 40
#: years. The issue's example densities (8 and 5/km²) gave peaks of only ~120-470 cheetahs with
#: boom-and-bust crashes, so the densities are raised to keep the population in the hundreds.
CROWDED = uniform_scenario("bench_crowded", 150.0, gazelle=15.0, saiga=10.0, years=40)

#: Persistent population (issue 12): a fenced uniform reserve 250 x 250 km (100 x 100 cells; prey
#: 50 x 50), gazelle 8 /km² at K (renewing, logistic), hares 4 /km², no saiga or urial, 20 founders,
#: 50 years, default environment. Chosen from 220-280 km x gazelle 6-8 (+ hares 4), 3-6 seeds each:
#: 220 km with gazelle 6 rose to 220-300 cheetahs by year 15 and fell to 25-80 by year 50 (mean N
#: 90-130); 250 km with gazelle 7 gave mean N 160-290 but 2 of 4 ended below 60; 280 km with
#: gazelle 8 held 285-360 on average with peaks of 560-760. Here, with this code
#: (commit 2cc0a0c), seeds 0-5 (the timed replicates) held a mean N over the 50 years of 199-301
#: (mean 246), peaks 400-560 around years 15-25, and all six were extant at year 50 (132-269).
PERSIST = uniform_scenario("bench_persist", 250.0, gazelle=8.0, saiga=0.0, years=50,
                           landscape={"hare_density": 4.0})

#: RangeShifter (C++; one species, no prey dynamics), individual-months per second measured on this
#: machine in Dec 2026: a constant printed beside the persist case's cheetah-months per second.
RANGESHIFTER_IND_MONTHS_PER_S = 444_000

#: Compile cost: fresh processes with NUMBA_CACHE_DIR set to a new empty folder (cold), then to the
#: folder the cold process filled (warm); each imports the model, builds this scenario's landscape
#: and runs the same replicate twice (fenced uniform 100 x 100 km, 40 x 40 cells, gazelle 8 +
#: saiga 5 /km², hares 2 /km², 20 founders released in January, 10 years: it calls 43 of the 46
#: compiled functions; the other 3 - box_totals, range_totals and the scalar food-need rule - are
#: called after it, on their own, so that the cold figure covers every compiled function).
COMPILE = uniform_scenario("bench_compile", 100.0, gazelle=8.0, saiga=5.0, years=10, month=1,
                           landscape={"hare_density": 2.0})

#: Memory check: a cheap scenario (fenced 50 x 50 km uniform map, 20 x 20 cells, 5 years, 20
#: founders released in January) run 1,000 times in one process.
MEMORY = uniform_scenario("bench_memory", 50.0, gazelle=8.0, saiga=5.0, years=5, month=1)

WOLF_SHEEP = dict(width=100, height=100, initial_sheep=1000, initial_wolves=500, sheep_reproduce=0.2,
                  wolf_reproduce=0.1, grass_regrowth_time=20, steps=100)


def cases(quick: bool) -> list[dict]:
    """Case definitions: name, what, kind and repetition counts (full vs --quick)."""
    def n(full: int, q: int = 2) -> int:
        return q if quick else full
    tr = 1 if quick else 2                                  # timing=True runs per case
    return [
        dict(name="default", kind="sim", scenario=default_scenario(), reps=n(10), timing_reps=tr,
             what="Ustyurt 2.5 km (218x196 cells; prey on 5 km cells, 109x98), 20 founders, 50 years"),
        dict(name="prey@2.5km", kind="sim", scenario=default_scenario(prey_cell_km=2.5), reps=n(6),
             timing_reps=tr, what="default with the prey on the landscape grid (2.5 km, 218x196 cells)"),
        dict(name="crowded", kind="sim", scenario=CROWDED, reps=n(6), timing_reps=tr,
             what="uniform fenced 150x150 km (60x60), gazelle 15 + saiga 10 /km² at K, 20 founders, 40 y"),
        dict(name="persist", kind="sim", scenario=PERSIST, reps=n(6), timing_reps=tr,
             what="uniform fenced 250x250 km (100x100), gazelle 8 /km² at K + hares 4 /km², 20 founders, 50 y"),
        dict(name="cells/4", kind="sim", scenario=default_scenario(cell_km=5.0), reps=n(6), timing_reps=tr,
             what="Ustyurt 5 km (109x98 cells, ¼ the cells; prey 5 km), 20 founders, 50 y"),
        dict(name="cells*4", kind="sim", scenario=default_scenario(cell_km=1.25), reps=n(4), timing_reps=1,
             what="Ustyurt 1.25 km (436x392 cells, 4x the cells; prey 5 km), 20 founders, 50 y"),
        dict(name="founders*4", kind="sim", scenario=default_scenario(founders=80), reps=n(6),
             timing_reps=tr, what="Ustyurt 2.5 km, 80 founders (40 F, 40 M), 50 y"),
        dict(name="founders*16", kind="sim", scenario=default_scenario(founders=320), reps=n(6),
             timing_reps=tr, what="Ustyurt 2.5 km, 320 founders (160 F, 160 M), 50 y"),
        dict(name="wolf_sheep", kind="wolf_sheep", params=WOLF_SHEEP, reps=n(6), timing_reps=0,
             what="Mesa example wolf-sheep 100x100, 1000 sheep, 500 wolves, 100 steps"),
        dict(name="prey", kind="prey", scenario=default_scenario(), reps=n(5, 3), months=n(240, 120),
             timing_reps=0, what="PreyPopulation.step alone, default prey grid (5 km, 109x98 cells), no cheetahs"),
        dict(name="prey 2.5km", kind="prey", scenario=default_scenario(prey_cell_km=2.5), reps=n(5, 3),
             months=n(240, 120), timing_reps=0,
             what="PreyPopulation.step alone, prey on 2.5 km cells (218x196, 4x the cells)"),
        dict(name="compile", kind="compile", scenario=COMPILE, reps=n(3), timing_reps=0,
             what="fresh processes, empty then filled NUMBA_CACHE_DIR: import + first replicate (uniform 100 km, 10 y)"),
        dict(name="memory", kind="memory", scenario=MEMORY, reps=n(1000, 100), timing_reps=0,
             what="RSS of one process after 10 and after N replicates of a 20x20-cell, 5-year map"),
    ]


def _seed(key: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(BENCH_SEED, spawn_key=(key,))


def _maxrss_mib() -> float:
    """Peak resident memory of this process [MiB] (Linux reports KiB)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024.0 * 1024.0) if sys.platform == "darwin" else kb / 1024.0


# ============================================================================ case runners (child)

def _build(scenario: dict):
    from sim.world.build import build_landscape
    from sim.config.schema import Scenario

    sc = Scenario.model_validate(scenario)
    return sc, build_landscape(sc.landscape)


def run_sim_case(case: dict) -> dict:
    """Time one simulator case in this (fresh) process. Returns plain numbers (JSON-able).
    Between replicates the process frees the last one's memory as a batch worker does
    (:func:`sim.runs.worker.free_replicate_memory`; outside the timed part)."""
    from sim.runs.worker import free_replicate_memory
    from sim.model.model import run_replicate
    from sim.model.month import PHASES

    rss_import = _maxrss_mib()
    t0 = time.perf_counter()
    sc, land = _build(case["scenario"])
    build_s = time.perf_counter() - t0
    rss_setup = _maxrss_mib()

    run_replicate(sc, _seed(WARMUP_KEY), landscape=land)          # warm-up, discarded
    reps = []
    for k in range(case["reps"]):
        free_replicate_memory()                                   # as a batch worker does
        w0, c0 = time.perf_counter(), time.process_time()
        res = run_replicate(sc, _seed(k), replicate=k, landscape=land)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        N = np.asarray(res.census["N"])
        reps.append(dict(wall_s=wall, cpu_s=cpu, years=int(sc.years), agent_steps=int(res.extra["agent_months"]),
                         peak_N=int(N.max()), final_N=int(N[-1]), mean_N=float(N.mean()),
                         year_N_last=int(np.flatnonzero(N > 0)[-1] + 1) if (N > 0).any() else 0))
        del res
    rss_runs = _maxrss_mib()

    phases = dict.fromkeys(PHASES, 0.0)
    timing_wall = 0.0
    for k in range(case["timing_reps"]):
        free_replicate_memory()
        w0 = time.perf_counter()
        res = run_replicate(sc, _seed(k), replicate=k, landscape=land, timing=True)
        timing_wall += time.perf_counter() - w0
        for name, sec in res.extra["phase_seconds"].items():
            phases[name] = phases.get(name, 0.0) + sec
        del res
    return dict(kind="sim", reps=reps, phase_seconds=phases, timing_runs=case["timing_reps"],
                timing_wall_s=timing_wall, grid=list(land.shape), cells=int(land.shape[0] * land.shape[1]),
                cell_km=float(land.cell_km), landscape_build_s=build_s, rss_after_import_mib=rss_import,
                rss_after_setup_mib=rss_setup, peak_rss_mib=max(rss_runs, _maxrss_mib()))


def run_wolf_sheep_case(case: dict) -> dict:
    """Mesa's wolf-sheep example, timed like a replicate: construction + ``steps`` model steps.
    Animal agent-steps = wolves + sheep alive after each step (grass patches excluded)."""
    from mesa.examples.advanced.wolf_sheep.agents import Sheep, Wolf
    from mesa.examples.advanced.wolf_sheep.model import WolfSheep, WolfSheepScenario

    p = dict(case["params"])
    steps = p.pop("steps")
    rss_import = _maxrss_mib()

    def one(seed: int) -> dict:
        w0, c0 = time.perf_counter(), time.process_time()
        model = WolfSheep(WolfSheepScenario(rng=seed, **p))
        w1 = time.perf_counter()
        animals, peak = 0, 0
        by_type = model.agents_by_type
        for _ in range(steps):
            model.step()
            n = len(by_type.get(Wolf, ())) + len(by_type.get(Sheep, ()))
            animals += n
            peak = max(peak, n)
        w2 = time.perf_counter()
        cpu = time.process_time() - c0
        model.remove_all_agents()
        return dict(wall_s=w2 - w0, cpu_s=cpu, construct_s=w1 - w0, steps_s=w2 - w1, steps=steps,
                    agent_steps=animals, peak_N=peak, final_N=n)

    one(WARMUP_KEY)
    reps = []
    for k in range(case["reps"]):
        gc.collect()
        reps.append(one(BENCH_SEED + k))
    return dict(kind="wolf_sheep", reps=reps, rss_after_import_mib=rss_import, peak_rss_mib=_maxrss_mib())


def run_memory_case(case: dict) -> dict:
    """RSS (psutil) of this process after 10, 100, ... and ``reps`` replicates of a cheap scenario,
    results dropped and the replicate's memory freed as a batch worker does after stacking the
    census (:func:`sim.runs.worker.free_replicate_memory`)."""
    import psutil

    from sim.runs.worker import free_replicate_memory
    from sim.model.model import run_replicate

    sc, land = _build(case["scenario"])
    proc = psutil.Process()
    marks = sorted({m for m in (10, 100, 250, 500, case["reps"]) if m <= case["reps"]})
    rss, agent_steps = {}, 0
    t0 = time.perf_counter()
    for k in range(case["reps"]):
        res = run_replicate(sc, _seed(k), replicate=k, landscape=land)
        agent_steps += int(res.extra["agent_months"])
        del res
        free_replicate_memory()
        if k + 1 in marks:
            rss[k + 1] = proc.memory_info().rss / 2**20
    wall = time.perf_counter() - t0
    return dict(kind="memory", rss_mib={str(k): v for k, v in rss.items()}, replicates=case["reps"],
                years=sc.years, grid=list(land.shape), wall_s=wall, agent_steps=agent_steps,
                peak_rss_mib=_maxrss_mib())


def run_prey_case(case: dict) -> dict:
    """The prey phase alone: ``months`` calls of PreyPopulation.step (all months of the year in
    turn, the scenario's enforcement, capacity multiplier 1) per timed repetition, after a
    year of warm-up. No cheetahs, so no kills: the fields stay near their capacity."""
    from sim.prey.population import PreyPopulation

    sc, land = _build(case["scenario"])
    mg = sc.management
    from sim.world.coarsen import prey_factor

    pop = PreyPopulation(sc.prey, land, month=0, water_gain=mg.water_capacity_gain,
                         water_radius_km=mg.water_radius_km,
                         factor=prey_factor(land.cell_km, sc.landscape.prey_cell_km))
    for m in range(12):
        pop.step(m, enforcement=mg.enforcement)
    reps = []
    for _ in range(case["reps"]):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        for t in range(case["months"]):
            pop.step(t % 12, enforcement=mg.enforcement)
        reps.append(dict(wall_s=time.perf_counter() - w0, cpu_s=time.process_time() - c0, months=case["months"]))
    return dict(kind="prey", reps=reps, grid=list(pop.grid.shape), cells=int(pop.N[0].size),
                cell_km=float(pop.grid.cell_km), peak_rss_mib=_maxrss_mib())


def _compile_probe(scenario_file: str, cache_dir: str) -> dict:
    """One fresh interpreter running bench/compile_probe.py with NUMBA_CACHE_DIR=cache_dir; its marks
    as seconds from launch (wall) and CPU seconds of that process since it started."""
    import subprocess

    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    env.pop("NUMBA_DISABLE_JIT", None)
    t0 = time.time()
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "compile_probe.py"), scenario_file, "--rest"],
                         env=env, cwd=str(ROOT), capture_output=True, text=True, check=True)
    t_exit = time.time() - t0
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    m = doc["marks"]
    wall = {k: v["t"] - t0 for k, v in m.items()}
    cpu = {k: v["cpu"] for k, v in m.items()}
    rep = cpu["second"] - cpu["first"]                       # one replicate, everything compiled / loaded
    return dict(wall=wall, cpu=cpu, wall_exit_s=t_exit, agent_months=doc["agent_months"],
                compiled_by_replicate=doc["compiled_by_replicate"], compiled_total=doc["compiled_total"],
                import_cpu_s=cpu["import"], replicate_cpu_s=rep,
                first_replicate_cpu_s=cpu["first"] - cpu["build"], rest_cpu_s=cpu["rest"] - cpu["second"],
                # time to the first result less one replicate's own work: interpreter start, imports,
                # landscape, and compiling (cold) or loading (warm) the replicate's compiled functions
                overhead_cpu_s=cpu["first"] - rep, overhead_wall_s=wall["first"] - (wall["second"] - wall["first"]))


def run_compile_case(case: dict) -> dict:
    """Compile cost in fresh interpreters: one with NUMBA_CACHE_DIR a new empty folder (cold; it
    fills the folder), then ``reps`` with that folder (warm). Each probe imports the model, builds the
    scenario's landscape, runs the same replicate twice and then calls the compiled functions a
    replicate does not reach (bench/compile_probe.py)."""
    import shutil
    import tempfile

    njit_total = sum(line.lstrip().startswith(("@njit", "@numba.njit", "@jit", "@numba.jit"))
                     for f in (ROOT / "sim").rglob("*.py") for line in f.read_text().splitlines())
    tmp = Path(tempfile.mkdtemp(prefix="bench_numba_"))
    try:
        sc_file = tmp / "scenario.json"
        sc_file.write_text(json.dumps(case["scenario"], default=_json_default))
        cache = tmp / "numba_cache"
        cache.mkdir()
        cold = _compile_probe(str(sc_file), str(cache))
        cache_mib = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) / 2**20
        warm = [_compile_probe(str(sc_file), str(cache)) for _ in range(case["reps"])]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dict(kind="compile", cold=cold, warm=warm, njit_functions=njit_total, cache_mib=cache_mib,
                peak_rss_mib=_maxrss_mib())


def run_case(case: dict) -> dict:
    runner = {"sim": run_sim_case, "wolf_sheep": run_wolf_sheep_case, "memory": run_memory_case,
              "prey": run_prey_case, "compile": run_compile_case}[case["kind"]]
    return runner(case)


def run_in_fresh_process(case: dict) -> dict:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(run_case, (case,))


# ============================================================================ summaries (parent)

def _q(x, q):
    return float(np.quantile(np.asarray(x, dtype=float), q))


def summarise(case: dict, raw: dict) -> dict:
    """Medians, spread and throughputs of one case (rates are totals / total seconds)."""
    out = dict(name=case["name"], what=case["what"], kind=raw["kind"], peak_rss_mib=raw["peak_rss_mib"])
    if raw["kind"] == "memory":
        rss = {int(k): v for k, v in raw["rss_mib"].items()}
        first, last = min(rss), max(rss)
        out.update(replicates=raw["replicates"], rss_first_mib=rss[first], rss_last_mib=rss[last],
                   rss_first_at=first, rss_last_at=last, growth_mib=rss[last] - rss[first], rss_mib=raw["rss_mib"],
                   s_per_rep=raw["wall_s"] / raw["replicates"], years=raw["years"], grid=raw["grid"],
                   agent_steps_per_rep=raw["agent_steps"] / raw["replicates"])
        return out
    if raw["kind"] == "compile":
        cold, warm = raw["cold"], raw["warm"]
        med = lambda key: _q([w[key] for w in warm], .5)          # noqa: E731
        out.update(reps=len(warm), njit_functions=raw["njit_functions"], cache_mib=raw["cache_mib"],
                   compiled_by_replicate=cold["compiled_by_replicate"], compiled_total=cold["compiled_total"],
                   cold_first_result_cpu_s=cold["cpu"]["first"], cold_first_result_wall_s=cold["wall"]["first"],
                   cold_rest_cpu_s=cold["rest_cpu_s"],
                   # the whole model: time to the first result less one replicate, plus compiling the rest
                   cold_overhead_cpu_s=cold["overhead_cpu_s"] + cold["rest_cpu_s"],
                   cold_overhead_wall_s=cold["overhead_wall_s"] + cold["wall"]["rest"] - cold["wall"]["second"],
                   cold_import_cpu_s=cold["import_cpu_s"], cold_first_replicate_cpu_s=cold["first_replicate_cpu_s"],
                   replicate_cpu_s=med("replicate_cpu_s"), warm_import_cpu_s=med("import_cpu_s"),
                   warm_first_replicate_cpu_s=med("first_replicate_cpu_s"),
                   warm_load_cpu_s=_q([w["first_replicate_cpu_s"] - w["replicate_cpu_s"] for w in warm], .5),
                   warm_overhead_cpu_s=med("overhead_cpu_s"), warm_overhead_wall_s=med("overhead_wall_s"),
                   warm_first_result_cpu_s=_q([w["cpu"]["first"] for w in warm], .5),
                   warm_first_result_wall_s=_q([w["wall"]["first"] for w in warm], .5),
                   warm_overhead_cpu_all=[w["overhead_cpu_s"] for w in warm])
        return out
    if raw["kind"] == "prey":
        per = [1e3 * r["cpu_s"] / r["months"] for r in raw["reps"]]
        out.update(reps=len(per), months=raw["reps"][0]["months"], cpu_ms_per_month_median=_q(per, .5),
                   cpu_ms_per_month_min=min(per), cpu_ms_per_month_max=max(per), grid=raw["grid"],
                   cells=raw["cells"], cell_km=raw["cell_km"],
                   wall_ms_per_month_median=_q([1e3 * r["wall_s"] / r["months"] for r in raw["reps"]], .5))
        return out
    reps = raw["reps"]
    wall = [r["wall_s"] for r in reps]
    cpu = [r["cpu_s"] for r in reps]
    agents = [r["agent_steps"] for r in reps]
    tw, tc, ta = sum(wall), sum(cpu), sum(agents)
    out.update(reps=len(reps), wall_median=_q(wall, .5), wall_min=min(wall), wall_max=max(wall),
               wall_q1=_q(wall, .25), wall_q3=_q(wall, .75), cpu_median=_q(cpu, .5), cpu_min=min(cpu),
               cpu_max=max(cpu), agent_steps_median=_q(agents, .5), agent_steps_min=min(agents),
               agent_steps_max=max(agents), agent_steps_per_s=ta / tw, agent_steps_per_cpu_s=ta / tc,
               peak_N=[r["peak_N"] for r in reps], final_N=[r["final_N"] for r in reps])
    if "mean_N" in reps[0]:
        out["mean_N"] = [r["mean_N"] for r in reps]
        out["us_per_agent_step_cpu"] = 1e6 * tc / max(ta, 1)
    if raw["kind"] == "sim":
        years = sum(r["years"] for r in reps)
        out.update(years=reps[0]["years"], replicate_years_per_s=years / tw, cheetah_years_per_s=ta / 12.0 / tw,
                   grid=raw["grid"], cells=raw["cells"], cell_km=raw["cell_km"],
                   last_year_with_cheetahs=[r["year_N_last"] for r in reps],
                   landscape_build_s=raw["landscape_build_s"], rss_after_import_mib=raw["rss_after_import_mib"],
                   rss_after_setup_mib=raw["rss_after_setup_mib"])
        ph = raw["phase_seconds"]
        tot = sum(ph.values())
        if tot > 0:
            out["phase_share"] = {k: v / tot for k, v in ph.items()}
            out["phase_seconds_per_rep"] = {k: v / raw["timing_runs"] for k, v in ph.items()}
            out["outside_phases_share"] = max(0.0, 1.0 - tot / raw["timing_wall_s"])
    else:
        out.update(steps=reps[0]["steps"], construct_median=_q([r["construct_s"] for r in reps], .5),
                   steps_median=_q([r["steps_s"] for r in reps], .5),
                   agent_steps_per_step_s=ta / sum(r["steps_s"] for r in reps),
                   rss_after_import_mib=raw["rss_after_import_mib"])
    return out


#: Issue 12's targets (the numbers evaluate_targets checks).
TARGETS = dict(default_cpu_s=0.2, crowded_vs_wolf_sheep=5.0, persist_us_per_cheetah_month=2.5,
               cells_ratio=2.0, linear_slack=1.1, compile_cold_s=60.0, compile_warm_s=1.0)


def evaluate_targets(s: dict[str, dict]) -> list[dict]:
    """Issue 12's speed targets, each with its figures and met / not met (None: not measured)."""
    T = TARGETS
    t = []

    def add(name, met, figures):
        t.append(dict(target=name, met=met, figures=figures))

    d = s.get("default")
    if d:
        add(f"default replicate <= {T['default_cpu_s']:g} core-seconds (median)", d["cpu_median"] <= T["default_cpu_s"],
            f"median {d['cpu_median']:.3f} CPU s (wall {d['wall_median']:.3f} s) over {d['reps']} replicates")
    p = s.get("persist")
    if p:
        us = p["us_per_agent_step_cpu"]
        add(f"persist: <= {T['persist_us_per_cheetah_month']:g} CPU µs per cheetah-month",
            us <= T["persist_us_per_cheetah_month"],
            f"{us:.2f} CPU µs per cheetah-month (mean N {np.mean(p['mean_N']):.0f} "
            f"[{min(p['mean_N']):.0f}-{max(p['mean_N']):.0f}] over 50 years, extant at the end in "
            f"{sum(f > 0 for f in p['final_N'])} of {p['reps']}); {p['agent_steps_per_cpu_s']:,.0f} "
            f"cheetah-months per CPU s ({p['agent_steps_per_s']:,.0f} per wall s) vs RangeShifter's "
            f"~{RANGESHIFTER_IND_MONTHS_PER_S:,} individual-months/s (C++, one species, no prey dynamics; "
            f"measured here, Dec 2026): {p['agent_steps_per_cpu_s'] / RANGESHIFTER_IND_MONTHS_PER_S:.2f}x")
    ws = s.get("wolf_sheep")
    if ws:
        for name in ("crowded", "persist", "default"):
            c = s.get(name)
            if not c:
                continue
            r_cpu = c["agent_steps_per_cpu_s"] / ws["agent_steps_per_cpu_s"]
            r_wall = c["agent_steps_per_s"] / ws["agent_steps_per_s"]
            fig = (f"{c['agent_steps_per_cpu_s']:,.0f} vs {ws['agent_steps_per_cpu_s']:,.0f} per CPU s -> "
                   f"ratio {r_cpu:.3g} (wall-based: {r_wall:.3g}); median N peak {np.median(c['peak_N']):.0f}")
            if name == "crowded":
                add(f"cheetah agent-steps/s (crowded) >= {T['crowded_vs_wolf_sheep']:g} x wolf-sheep animal "
                    "agent-steps/s (CPU-based)", r_cpu >= T["crowded_vs_wolf_sheep"], fig)
            else:                                       # for information, no target
                add(f"(no target) cheetah agent-steps/s ({name}) / wolf-sheep animal agent-steps/s", None, fig)
    chain = [s.get("cells/4"), d, s.get("cells*4")]
    pairs = [(a, b) for a, b in zip(chain, chain[1:]) if a and b]
    if pairs:
        ratios = [(b["cpu_median"] / a["cpu_median"], b["cells"] / a["cells"], a, b) for a, b in pairs]
        add(f"4x cells costs at most {T['cells_ratio']:g}x time (median CPU s)",
            all(r <= T["cells_ratio"] for r, *_ in ratios),
            "; ".join(f"{a['cell_km']:g}->{b['cell_km']:g} km ({cells:.2f}x cells): {r:.2f}x CPU "
                      f"({b['wall_median'] / a['wall_median']:.2f}x wall)" for r, cells, a, b in ratios))
    fs = [c for c in (d, s.get("founders*4"), s.get("founders*16")) if c]
    if len(fs) >= 2:
        base = fs[0]
        parts, ok = [], True
        for c in fs[1:]:
            tr = c["cpu_median"] / base["cpu_median"]
            ar = c["agent_steps_median"] / base["agent_steps_median"]
            ok &= tr <= T["linear_slack"] * ar
            parts.append(f"{c['name']}: time {tr:.2f}x for {ar:.2f}x agent-steps")
        per = ", ".join(f"{c['name']} {1e6 * c['cpu_median'] / max(c['agent_steps_median'], 1):,.0f}" for c in fs)
        add(f"time grows at most linearly with cheetah numbers (time ratio <= {T['linear_slack']:g} x "
            "agent-step ratio)", ok, "; ".join(parts) + f"; CPU µs per agent-step: {per}")
    m = s.get("memory")
    if m:
        tol = max(2.0, 0.02 * m["rss_first_mib"])
        add(f"worker memory flat from {m['rss_first_at']} to {m['rss_last_at']} replicates "
            f"(growth <= {tol:.1f} MiB)", m["growth_mib"] <= tol,
            f"RSS {m['rss_first_mib']:.1f} -> {m['rss_last_mib']:.1f} MiB (growth {m['growth_mib']:+.1f} MiB; "
            + ", ".join(f"{k}: {v:.1f}" for k, v in m["rss_mib"].items()) + ")")
    c = s.get("compile")
    if c:
        add(f"compile, cold cache: <= {T['compile_cold_s']:g} s for the whole model (CPU s)",
            c["cold_overhead_cpu_s"] <= T["compile_cold_s"],
            f"{c['cold_overhead_cpu_s']:.1f} CPU s ({c['cold_overhead_wall_s']:.1f} s wall): interpreter and imports "
            f"{c['cold_import_cpu_s']:.1f}, first replicate {c['cold_first_replicate_cpu_s']:.1f} less one replicate's "
            f"work {c['replicate_cpu_s']:.2f}, the {c['compiled_total'] - c['compiled_by_replicate']} functions a "
            f"replicate does not call {c['cold_rest_cpu_s']:.1f}; {c['compiled_total']} of {c['njit_functions']} "
            f"compiled functions cached ({c['cache_mib']:.1f} MiB)")
        add(f"compile, warm cache: <= {T['compile_warm_s']:g} s per worker process (CPU s, time to the first "
            "result less one replicate)", c["warm_overhead_cpu_s"] <= T["compile_warm_s"],
            f"{c['warm_overhead_cpu_s']:.2f} CPU s ({c['warm_overhead_wall_s']:.2f} s wall), median of {c['reps']}: "
            f"interpreter and imports {c['warm_import_cpu_s']:.2f}, loading the cached functions "
            f"{c['warm_load_cpu_s']:.2f} (first replicate {c['warm_first_replicate_cpu_s']:.2f} less the second "
            f"{c['replicate_cpu_s']:.2f}); time to the first result {c['warm_first_result_cpu_s']:.2f} CPU s, "
            f"{c['warm_first_result_wall_s']:.2f} s wall from launch")
    return t


# ============================================================================ printing

def _fmt_rate(x: float | None) -> str:
    return "—" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.3g}")


def print_table(summaries: list[dict], targets: list[dict]) -> None:
    sim = [s for s in summaries if s["kind"] in ("sim", "wolf_sheep")]
    print()
    hdr = (f"{'case':<12} {'n':>3} {'wall s/rep med [min-max]':>27} {'CPU s med':>9} {'rep-yr/s':>8} "
           f"{'chee-yr/s':>9} {'agent-steps/s':>13} {'agent-steps/rep':>15} {'peak N med [min-max]':>21} {'RSS MiB':>7}")
    print(hdr)
    print("-" * len(hdr))
    for s in sim:
        pk = s["peak_N"]
        wall = f"{s['wall_median']:.3f} [{s['wall_min']:.3f}-{s['wall_max']:.3f}]"
        print(f"{s['name']:<12} {s['reps']:>3} {wall:>27} {s['cpu_median']:>9.3f} "
              f"{_fmt_rate(s.get('replicate_years_per_s')):>8} "
              f"{_fmt_rate(s.get('cheetah_years_per_s')):>9} {_fmt_rate(s['agent_steps_per_s']):>13} "
              f"{s['agent_steps_median']:>15,.0f} {f'{np.median(pk):.0f} [{min(pk)}-{max(pk)}]':>21} "
              f"{s['peak_rss_mib']:>7.0f}")
    print("(rates = totals / total wall seconds; wolf_sheep agent-steps = wolves + sheep alive after each of "
          "its steps; rep-yr/s and chee-yr/s are cheetah-model units)")

    with_phases = [s for s in sim if "phase_share" in s]
    if with_phases:
        from sim.model.month import PHASES
        print("\nShare of a step's time per phase (timing=True runs), % of the phases' sum; "
              "'outside' = share of the replicate spent outside the phases (set-up, Mesa step wrapper)")
        print(f"{'case':<12} " + " ".join(f"{p[:8]:>8}" for p in PHASES) + f" {'outside':>8} {'ms/step':>8}")
        for s in with_phases:
            ms = 1e3 * sum(s["phase_seconds_per_rep"].values()) / (12 * s["years"])
            print(f"{s['name']:<12} " + " ".join(f"{100 * s['phase_share'].get(p, 0):>8.1f}" for p in PHASES)
                  + f" {100 * s['outside_phases_share']:>8.1f} {ms:>8.2f}")
        print("\nTime per step by phase [ms/step] (same timing=True runs; CPU time inside the phases)")
        print(f"{'case':<12} " + " ".join(f"{p[:8]:>8}" for p in PHASES) + f" {'total':>8}")
        for s in with_phases:
            steps = 12 * s["years"]
            per = s["phase_seconds_per_rep"]
            print(f"{s['name']:<12} " + " ".join(f"{1e3 * per.get(p, 0) / steps:>8.3f}" for p in PHASES)
                  + f" {1e3 * sum(per.values()) / steps:>8.3f}")

    prey = [s for s in summaries if s["kind"] == "prey"]
    if prey:
        print("\nPrey phase alone (PreyPopulation.step, no cheetahs): CPU ms per month, median [min-max]")
        for s in prey:
            print(f"{s['name']:<12} {s['grid'][0]}x{s['grid'][1]:<5} {s['cpu_ms_per_month_median']:>7.3f} "
                  f"[{s['cpu_ms_per_month_min']:.3f}-{s['cpu_ms_per_month_max']:.3f}] over {s['reps']} x "
                  f"{s['months']} months")
        a, b = (next((s for s in prey if s["name"] == k), None) for k in ("prey", "prey 2.5km"))
        if a and b:
            print(f"prey 2.5km / prey: {b['cpu_ms_per_month_median'] / a['cpu_ms_per_month_median']:.2f}x CPU time "
                  f"for {b['cells'] / a['cells']:.2f}x prey cells")

    for s in summaries:
        if s["kind"] == "memory":
            print(f"\nMemory: {s['what']}: {s['replicates']} replicates at {1e3 * s['s_per_rep']:.0f} ms each "
                  f"(~{s['agent_steps_per_rep']:.0f} agent-steps each); RSS [MiB] after "
                  + ", ".join(f"{k}: {v:.1f}" for k, v in s["rss_mib"].items())
                  + f"; growth {s['rss_first_at']}->{s['rss_last_at']}: {s['growth_mib']:+.1f} MiB")
    for s in summaries:
        if s["kind"] == "sim" and s["name"] in ("persist", "crowded"):
            print(f"{s['name'].capitalize()}: mean N over the {s['years']} years "
                  + ", ".join(f"{x:.0f}" for x in s["mean_N"]) + "; N at the end "
                  + ", ".join(str(x) for x in s["final_N"]) + f"; {s['us_per_agent_step_cpu']:.2f} CPU µs per "
                  f"cheetah-month = {s['agent_steps_per_cpu_s']:,.0f} cheetah-months per CPU s"
                  + (f" (RangeShifter, C++, one species, no prey dynamics: ~{RANGESHIFTER_IND_MONTHS_PER_S:,} "
                     "individual-months/s, measured here, Dec 2026)" if s["name"] == "persist" else ""))
    for s in summaries:
        if s["kind"] == "compile":
            print(f"Compile ({s['what']}): cold cache {s['cold_first_result_cpu_s']:.1f} CPU s to the first result "
                  f"({s['cold_first_result_wall_s']:.1f} s wall from launch; imports {s['cold_import_cpu_s']:.1f}) + "
                  f"{s['cold_rest_cpu_s']:.1f} s for the {s['compiled_total'] - s['compiled_by_replicate']} functions "
                  f"a replicate does not call; warm cache {s['warm_first_result_cpu_s']:.2f} CPU s to the first "
                  f"result ({s['warm_first_result_wall_s']:.2f} s wall; imports {s['warm_import_cpu_s']:.2f}, "
                  f"first replicate {s['warm_first_replicate_cpu_s']:.2f}, later replicates {s['replicate_cpu_s']:.2f})")
    ws = next((s for s in summaries if s["name"] == "wolf_sheep"), None)
    if ws:
        print(f"Wolf-sheep: construction {ws['construct_median']:.3f} s + {ws['steps']} steps "
              f"{ws['steps_median']:.3f} s (median); steps only: {ws['agent_steps_per_step_s']:,.0f} agent-steps/s")

    print("\nTargets")
    for t in targets:
        flag = "n/a    " if t["met"] is None else ("MET    " if t["met"] else "NOT MET")
        print(f"  [{flag}] {t['target']}\n            {t['figures']}")


# ============================================================================ machine info, saving

def machine_info() -> dict:
    import importlib.metadata as md

    from sim.runs.provenance import git_state

    def ver(pkg):
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return None

    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil
        mem_gib = psutil.virtual_memory().total / 2**30
    except Exception:
        mem_gib = None
    git = git_state(ROOT, abbrev="auto", untracked=True)   # as `git rev-parse --short`, `git status --porcelain`
    return dict(cpu_count=os.cpu_count(), cpu_model=cpu_model or platform.processor(), memory_gib=mem_gib,
                platform=platform.platform(), python=platform.python_version(), numpy=ver("numpy"),
                mesa=ver("mesa"), scipy=ver("scipy"), pydantic=ver("pydantic"),
                threads_env={v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
                git_commit=git.commit or "", git_dirty=bool(git.dirty))


def result_path(commit: str, quick: bool, out_dir: Path = RESULTS) -> Path:
    stem = f"{_dt.date.today().isoformat()}-{commit or 'nogit'}" + ("-quick" if quick else "")
    path, k = out_dir / f"{stem}.json", 2
    while path.exists():
        path, k = out_dir / f"{stem}-{k}.json", k + 1
    return path


# ============================================================================ profile

def profile(case_name: str, quick: bool, top: int = 25, prof_out: Path | None = None) -> None:
    """cProfile one replicate of a case (after a warm-up) and print the top functions."""
    import cProfile
    import pstats

    case = next((c for c in cases(quick) if c["name"] == case_name), None)
    if case is None or case["kind"] != "sim":
        names = [c["name"] for c in cases(quick) if c["kind"] == "sim"]
        sys.exit(f"--profile: unknown case {case_name!r}; choose one of: {', '.join(names)}")
    from sim.model.model import run_replicate

    sc, land = _build(case["scenario"])
    run_replicate(sc, _seed(WARMUP_KEY), landscape=land)
    prof = cProfile.Profile()
    w0 = time.perf_counter()
    prof.enable()
    res = run_replicate(sc, _seed(0), landscape=land)
    prof.disable()
    wall = time.perf_counter() - w0
    print(f"Profile of case {case_name!r} ({case['what']}), replicate 0: {wall:.2f} s wall under cProfile, "
          f"{res.extra['agent_months']} agent-steps, peak N {int(np.max(res.census['N']))}")
    for key, label in (("cumulative", "cumulative time"), ("tottime", "total (own) time")):
        print(f"\n===== top {top} by {label} =====")
        pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats(key).print_stats(top)
    if prof_out is not None:
        prof_out.parent.mkdir(parents=True, exist_ok=True)
        prof.dump_stats(str(prof_out))
        print(f"wrote {prof_out} (open with: python -m pstats {prof_out}, or snakeviz)")


# ============================================================================ main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 replicates per case, memory check over 100 "
                    "replicates (about 3 minutes)")
    ap.add_argument("--cases", help="comma-separated subset of cases (default: all)")
    ap.add_argument("--reps", type=int, help="override the timed replicates of every case (not memory)")
    ap.add_argument("--profile", metavar="CASE", help="cProfile one replicate of CASE and print the top "
                    "functions by cumulative and by own time (no benchmark run)")
    ap.add_argument("--top", type=int, default=25, help="--profile: functions to list (default 25)")
    ap.add_argument("--prof-out", type=Path, help="--profile: also write a .prof file here "
                    "(bench/results/*.prof is git-ignored)")
    ap.add_argument("--no-save", action="store_true", help="do not write the results JSON")
    args = ap.parse_args(argv)

    if args.profile:
        profile(args.profile, args.quick, args.top, args.prof_out)
        return 0

    all_cases = cases(args.quick)
    if args.cases:
        want = [c.strip() for c in args.cases.split(",") if c.strip()]
        unknown = sorted(set(want) - {c["name"] for c in all_cases})
        if unknown:
            sys.exit(f"--cases: unknown {', '.join(unknown)}; choose from: "
                     f"{', '.join(c['name'] for c in all_cases)}")
        all_cases = [c for c in all_cases if c["name"] in want]
    if args.reps:
        for c in all_cases:
            if c["kind"] != "memory":
                c["reps"] = args.reps

    info = machine_info()
    print(f"Benchmark ({'quick' if args.quick else 'full'}) on {info['cpu_count']} CPUs ({info['cpu_model']}), "
          f"Python {info['python']}, numpy {info['numpy']}, mesa {info['mesa']}, commit {info['git_commit']}"
          f"{' (dirty)' if info['git_dirty'] else ''}; load average {os.getloadavg()[0]:.2f}")
    t_start = time.perf_counter()
    load_start = os.getloadavg()
    summaries, raws = [], {}
    for case in all_cases:
        t0 = time.perf_counter()
        print(f"  {case['name']:<12} {case['what']} ...", end="", flush=True)
        try:
            raw = run_in_fresh_process(case)
        except Exception as e:                  # one broken case must not hide the others
            print(f" FAILED: {type(e).__name__}: {e}")
            raws[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
            continue
        raws[case["name"]] = raw
        summaries.append(summarise(case, raw))
        print(f" {time.perf_counter() - t0:.0f} s", flush=True)
    by_name = {s["name"]: s for s in summaries}
    targets = evaluate_targets(by_name)
    print_table(summaries, targets)
    total = time.perf_counter() - t_start
    load_end = os.getloadavg()
    print(f"\nTotal {total / 60:.1f} min; load average (1/5/15 min) at start {load_start[0]:.2f}/"
          f"{load_start[1]:.2f}/{load_start[2]:.2f}, at end {load_end[0]:.2f}/{load_end[1]:.2f}/{load_end[2]:.2f} "
          f"(above ~1 means other processes shared the {info['cpu_count']} cores)")

    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = result_path(info["git_commit"], args.quick)
        doc = dict(date=_dt.datetime.now().isoformat(timespec="seconds"), mode="quick" if args.quick else "full",
                   machine=info, load_average_start=load_start, load_average_end=load_end, total_s=total,
                   bench_seed=BENCH_SEED, cases={c["name"]: {k: v for k, v in c.items()} for c in all_cases},
                   summaries=summaries, targets=targets, raw=raws)
        path.write_text(json.dumps(doc, indent=1, default=_json_default) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        v = float(o)
        return v if math.isfinite(v) else None
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


if __name__ == "__main__":
    sys.exit(main())
