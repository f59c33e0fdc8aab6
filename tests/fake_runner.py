"""Stand-in replicate runners for the batch tests (module-level so loky/dask workers import them).

:func:`run_replicate` has the signature of ``sim.model.model.run_replicate`` and draws a plausible
census from the seed alone: founders released in the scenario's first release year (or year 1),
a random-walk population that may hit zero, deaths by cause, gene diversity decaying with drift,
prey totals, and an occupancy map. Everything comes from ``np.random.default_rng(seed)``, so the
same seed gives the same census in any process.
"""

from __future__ import annotations

import os
import time
import weakref

import numpy as np

from sim.model.results import DEATH_CAUSES, PREY_SPECIES, ReplicateResult, empty_census

OCCUPANCY_SHAPE = (4, 5)     # used when no landscape is passed


def run_replicate(scenario, seed, replicate=0, landscape=None, base_dir="."):
    rng = np.random.default_rng(seed)
    years = scenario.years
    census = empty_census(years)
    first = (scenario.releases[0].year if scenario.releases else 1) - 1
    founders = (sum(r.females + r.males for r in scenario.releases) if scenario.releases else 8)
    n = 0.0
    gd = 0.9
    f_coef = 0.0
    for t in range(first, years):
        released = founders if t == first else 0
        n = max(0.0, n + released + rng.integers(-3, 4)) if (n > 0 or released) else 0.0
        females = rng.binomial(int(n), 0.5) if n else 0
        males = int(n) - females
        deaths = rng.poisson(1.5, size=len(DEATH_CAUSES))
        census["N"][t], census["N_f"][t], census["N_m"][t] = n, females, males
        census["released"][t] = released
        census["births"][t] = rng.poisson(2.0) if n else 0
        for c, d in zip(DEATH_CAUSES, deaths):
            census[f"deaths_{c}"][t] = d
        census["extant"][t] = 1.0 if (females > 0 and males > 0) else 0.0
        if n:
            gd *= 1.0 - 1.0 / (2.0 * max(n, 1.0))
            f_coef = 1.0 - gd / 0.9
            census["gene_diversity"][t] = gd
            census["mean_F"][t] = f_coef
            census["mean_home_range_km2"][t] = 800.0 + 50.0 * rng.standard_normal()
            census["occupied_km2"][t] = 300.0 * n
        for s in PREY_SPECIES:
            census[f"prey_{s}"][t] = float(rng.integers(1000, 2000))
    shape = landscape.shape if landscape is not None else OCCUPANCY_SHAPE
    occupancy = rng.integers(0, 5, size=shape).astype(np.int32)
    return ReplicateResult(scenario=scenario.name, replicate=replicate,
                           seed_entropy=int(seed.entropy), seed_spawn_key=tuple(seed.spawn_key),
                           census=census, occupancy=occupancy)


def failing_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """Raises for replicate 7 of scenario 'beta'; otherwise :func:`run_replicate`."""
    if scenario.name == "beta" and replicate == 7:
        raise RuntimeError("boom in beta/7")
    return run_replicate(scenario, seed, replicate, landscape, base_dir)


def slow_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """:func:`run_replicate` after a pause (FAKE_RUNNER_SLEEP seconds, default 0.05), so a test
    can kill the batch while it runs."""
    time.sleep(float(os.environ.get("FAKE_RUNNER_SLEEP", "0.05")))
    return run_replicate(scenario, seed, replicate, landscape, base_dir)


# ---- memory check (in-process runs only, jobs=1): how many results are alive at each call
LIVE: list[weakref.ref] = []          # ReplicateResult is an unhashable dataclass: no WeakSet
LIVE_AT_CALL: list[int] = []
CHUNKS_ON_DISK_AT_CALL: list[tuple[str, int, int]] = []
WATCH_DIR: list[str] = []


def tracking_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """Records, before each replicate, how many earlier results are still alive in this process
    and how many chunk files are on disk; then runs :func:`run_replicate`."""
    LIVE_AT_CALL.append(sum(r() is not None for r in LIVE))
    if WATCH_DIR:
        from pathlib import Path
        on_disk = len(list(Path(WATCH_DIR[0]).glob("chunks/*/*.npz")))
        CHUNKS_ON_DISK_AT_CALL.append((scenario.name, replicate, on_disk))
    res = run_replicate(scenario, seed, replicate, landscape, base_dir)
    LIVE.append(weakref.ref(res))
    return res


def landscape_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """Requires the batch to pass a landscape (the occupancy map then takes its shape)."""
    if landscape is None:
        raise AssertionError("no landscape passed")
    return run_replicate(scenario, seed, replicate, landscape, base_dir)


def plugin_runner(scenario, seed, replicate=0, landscape=None, base_dir="."):
    """Fails unless a plugin file registered the movement rule 'batch_test_walk' in this process."""
    from sim import registry as rules
    if "batch_test_walk" not in rules.available("movement"):
        raise RuntimeError("plugin not loaded in this worker")
    return run_replicate(scenario, seed, replicate, landscape, base_dir)
