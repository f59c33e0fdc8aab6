#!/usr/bin/env python
"""One process of ``run_bench.py``'s ``compile`` case: how long a fresh worker takes to its first result.

Run by ``run_bench.py`` as ``python bench/compile_probe.py SCENARIO.json`` with ``NUMBA_CACHE_DIR``
set (empty folder: cold; a folder a cold run filled: warm). It imports the model, builds the
scenario's landscape and runs replicate 0 twice with the same seed (the second run is the same
work with every function compiled or loaded). Then it calls the compiled functions a replicate
does not reach (``--rest``), so that a cold run compiles the whole model. Prints one JSON line:
wall clock (``time.time()``, to compare with the parent's launch time) and the process's CPU
seconds (``time.process_time()``, since the interpreter started) after each stage.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _stamp() -> dict:
    return dict(t=time.time(), cpu=time.process_time())


def main() -> int:
    marks = {"start": _stamp()}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, root)
    with open(sys.argv[1]) as f:
        scenario = json.load(f)

    import numpy as np

    from sim.config.schema import Scenario
    from sim.model.model import run_replicate
    from sim.world.build import build_landscape
    marks["import"] = _stamp()

    sc = Scenario.model_validate(scenario)
    land = build_landscape(sc.landscape)
    marks["build"] = _stamp()

    seed = np.random.SeedSequence(20250, spawn_key=(0,))
    res = run_replicate(sc, seed, landscape=land)
    marks["first"] = _stamp()
    n1 = int(res.extra["agent_months"])
    del res
    res = run_replicate(sc, seed, landscape=land)
    marks["second"] = _stamp()
    n2 = int(res.extra["agent_months"])
    del res
    compiled_replicate = _count_cached()

    if "--rest" in sys.argv:
        _call_rest(sc, land)
    marks["rest"] = _stamp()
    print(json.dumps(dict(marks=marks, agent_months=[n1, n2], compiled_by_replicate=compiled_replicate,
                          compiled_total=_count_cached(), cache_dir=os.environ.get("NUMBA_CACHE_DIR"))))
    return 0


def _count_cached() -> int:
    """Compiled functions with an index in NUMBA_CACHE_DIR (one ``.nbi`` file per function)."""
    d = os.environ.get("NUMBA_CACHE_DIR")
    if not d:
        return -1
    return sum(name.endswith(".nbi") for _, _, files in os.walk(d) for name in files)


def _call_rest(sc, land) -> None:
    """The compiled functions a replicate does not call: the prey in boxes and in home ranges
    (``PreyPopulation.animals_in_boxes`` / ``animals_in_ranges``), the food need of animals
    given as arrays (``food_need_kg_per_month``), the kleptoparasites' share of kills, which
    needs competitors on the map (``hunting._add_box_mean``, for integer and float layers), and
    the pick among acceptable mates of the mate-finding rules other than the default
    (``reproduction._largest_true``)."""
    import numpy as np

    from sim.life.energetics import food_need_kg_per_month
    from sim.life.hunting import _add_box_mean
    from sim.life.reproduction import _largest_true
    from sim.prey.population import PreyPopulation
    from sim.world.coarsen import prey_factor

    mg = sc.management
    pop = PreyPopulation(sc.prey, land, month=0, water_gain=mg.water_capacity_gain,
                         water_radius_km=mg.water_radius_km,
                         factor=prey_factor(land.cell_km, sc.landscape.prey_cell_km))
    r = np.array([2, 5]), np.array([6, 9])
    pop.animals_in_boxes(r[0], r[1], r[0], r[1])
    pop.animals_in_ranges([3, 7], [4, 8], [[5.0, 10.0], [5.0, 10.0]], land.cell_km)
    food_need_kg_per_month(sc.cheetah, np.array([30.0, 8.0]), np.array([False, True]), np.array([2, 0]),
                           np.array([8.0, np.inf]))
    for table in (np.zeros((4, 4), dtype=np.int64), np.zeros((4, 4))):
        _add_box_mean(np.zeros(1), 0.5, table, np.array([0]), np.array([2]), np.array([0]), np.array([2]))
    _largest_true(np.ones((2, 3), dtype=bool), np.zeros((2, 3)))


if __name__ == "__main__":
    sys.exit(main())
