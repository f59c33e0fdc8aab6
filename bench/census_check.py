#!/usr/bin/env python
"""Check that a change of the code left the simulation's results unchanged, bit for bit.

    .venv/bin/python bench/census_check.py save /tmp/before.npz     # before the change
    .venv/bin/python bench/census_check.py check /tmp/before.npz    # after it

Runs a fixed set of short replicates through the public API only (``Scenario``,
``build_landscape``, ``run_replicate``; the script finds them in the package layout of before and
after the core-in-arrays rework, so one copy runs in a worktree of an older commit too):

* the default Ustyurt map at 2.5, 5 and 1.25 km and the crowded reserve (seeds 1-3);
* a persisting fenced reserve (20 years);
* every management lever on the Ustyurt map (soft and hard, wild and captive releases,
  supplementation, fence gaps and removal, a new reserve, water points, anti-poaching, prey
  translocations, conflict and road mitigation);
* every shipped rule choice (correlated walk, type III response, space-only settlement, mates
  anywhere/always, resident-only sires, the Vortex-style ceiling), an open-edge map (emigration),
  competitors and herders;

and a prey-only trajectory per grid (changing enforcement and environmental multiplier, kills,
translocations). It stores every census column, the occupancy maps and the prey fields.
``check`` compares with the saved file: exact for integer-valued columns (N, births, deaths ...)
and maps, ``rtol`` (default 1e-9) for the others, and reports the largest relative difference
(0.0 means bit-identical). See bench/README.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _api():
    """(Scenario, build_landscape, run_replicate, PreyPopulation) of whichever layout is here."""
    try:
        from sim.config.schema import Scenario
        from sim.model.model import run_replicate
        from sim.prey.population import PreyPopulation
        from sim.world.build import build_landscape
    except ImportError:                                   # layout before the core-in-arrays rework
        from sim.landscape import build_landscape
        from sim.model import run_replicate
        from sim.prey import PreyPopulation
        from sim.schema import Scenario
    return Scenario, build_landscape, run_replicate, PreyPopulation


def _release(site, females=10, males=10, month=10, **kw):
    return dict(year=1, month=month, site=site, females=females, males=males, age_months=30, **kw)


def ustyurt(name, cell_km=2.5, years=10, **kw):
    base = dict(name=name, years=years, landscape=dict(preset="ustyurt", cell_km=cell_km),
                releases=[_release("ustyurt_reserve")])
    base.update(kw)
    return base


def uniform(name, width_km, gazelle, saiga, years, *, fenced=True, month=10, founders=20, **kw):
    land = dict(preset="uniform", width_km=width_km, height_km=width_km, fenced=fenced,
                gazelle_density=gazelle, saiga_density=saiga, urial_density=0.0)
    land.update(kw.pop("landscape", {}))
    prey = dict(saiga=dict(initial_total=saiga * width_km ** 2 * 0.8),
                gazelle=dict(initial_total=gazelle * width_km ** 2 * 0.8), urial=dict(initial_total=0.0))
    out = dict(name=name, years=years, landscape=land, prey=prey,
               releases=[dict(year=1, month=month, site="centre", females=founders // 2,
                              males=founders - founders // 2, age_months=30)])
    out.update(kw)
    return out


MANAGED = ustyurt(
    "managed", years=12,
    releases=[_release("ustyurt_reserve", method="soft", boma_months=2),
              _release("saigachy", 4, 4, source="captive", month=4),
              dict(year=2, month=10, site="southern_cluster", females=3, males=2, age_months=24,
                   source="wild", method="soft", boma_months=1, repeat=dict(every_years=2, times=3))],
    management=dict(fence_gaps=[dict(year=2, fence="border", add=20)],
                    fence_removal=[dict(year=6, fence="border")],
                    protected_areas=[dict(year=3, site="western_chink", radius_km=40, strength=1.0,
                                          name="new")],
                    water_points=[dict(year=2, sites=["ustyurt_reserve", "saigachy"])],
                    anti_poaching=[dict(year=4, strength=0.9)],
                    prey_translocations=[dict(year=2, month=3, species="gazelle", number=500,
                                              site="ustyurt_reserve", repeat=dict(every_years=1, times=3))],
                    conflict_mitigation=[dict(year=3, factor=0.5)],
                    road_mitigation=[dict(year=3, factor=0.2)]))

RULES = [
    uniform("r_corr_t3", 120.0, 6.0, 4.0, 15,
            rules=dict(movement="correlated_walk", functional_response="type3"),
            landscape=dict(human_value=0.3, lion_density=0.02, protection_value=0.5)),
    uniform("r_space_any", 120.0, 6.0, 0.0, 15, rules=dict(settlement="space_only", mate_finding="anywhere")),
    uniform("r_ceiling", 100.0, 5.0, 0.0, 15, rules=dict(density="ceiling", mate_finding="always"),
            ceiling=30),
    uniform("r_resident_sires", 120.0, 8.0, 0.0, 15, cheetah=dict(breeding_males_must_be_resident=True)),
    uniform("r_open_edge", 80.0, 6.0, 0.0, 10, fenced=False),
]


def collect() -> dict[str, np.ndarray]:
    Scenario, build_landscape, run_replicate, PreyPopulation = _api()
    out: dict[str, np.ndarray] = {}
    runs = [(ustyurt("default"), (1, 2, 3)), (ustyurt("cells4", cell_km=5.0), (1, 2, 3)),
            (ustyurt("cellsx4", cell_km=1.25, years=4), (1, 2, 3)),
            (uniform("crowded", 150.0, 15.0, 10.0, 8), (1, 2, 3)),
            (uniform("persist", 150.0, 10.0, 0.0, 20), (1, 2)),
            (MANAGED, (1, 2, 3))] + [(r, (1, 2)) for r in RULES]
    for spec, seeds in runs:
        sc = Scenario(**spec)
        land = build_landscape(sc.landscape)
        for seed in seeds:
            res = run_replicate(sc, seed, landscape=land)
            if res.error:
                raise RuntimeError(f"{sc.name}/{seed}: {res.error}")
            for k, v in res.census.items():
                out[f"{sc.name}/{seed}/{k}"] = np.asarray(v)
            if res.occupancy is not None:
                out[f"{sc.name}/{seed}/occupancy"] = np.asarray(res.occupancy)
        print(f"  {sc.name}: N at the end {[int(out[f'{sc.name}/{s}/N'][-1]) for s in seeds]}", flush=True)
    for cell_km in (2.5, 5.0, 1.25):
        sc = Scenario(**ustyurt("prey", cell_km=cell_km))
        land = build_landscape(sc.landscape)
        pop = PreyPopulation(sc.prey, land, month=0)
        rng = np.random.default_rng(5)
        for t in range(240):
            pop.step(t % 12, enforcement=(0.3, 0.5, 1.0)[t // 80],
                     capacity_multiplier=float(np.exp(rng.normal(0, 0.2))))
            if t % 5 == 0:
                r, c = int(rng.integers(0, land.rows - 10)), int(rng.integers(0, land.cols - 10))
                pop.remove_kills(r, r + 9, c, c + 7, np.array([30.0, 20.0, 5.0]))
            if t == 100:                    # translocations, one outside any capacity
                pop.add("urial", 0, 0, 50.0)
                pop.add("gazelle", land.rows - 1, land.cols - 1, 20.0)
            if t % 12 == 11:
                out[f"prey{cell_km:g}/{t}/N"] = pop.N.copy()
                out[f"prey{cell_km:g}/{t}/saiga_male_fraction"] = np.array(pop.saiga_male_fraction)
    return out


def compare(ref: dict, new: dict, rtol: float) -> int:
    bad = 0
    worst = 0.0
    added = sorted(set(new) - set(ref))
    if added:
        print(f"{len(added)} arrays are new (not in the saved file, not compared), e.g. {added[0]}")
    for k in sorted(ref):
        if k not in new:
            print(f"missing in the new results: {k}")
            bad += 1
            continue
        a, b = np.asarray(ref[k]), np.asarray(new[k])
        integer = a.dtype.kind in "iub" or (np.isfinite(a).all() and np.array_equal(a, np.round(a))
                                            and not k.startswith("prey"))
        if a.shape != b.shape:
            print(f"{k}: shape {a.shape} vs {b.shape}")
            bad += 1
            continue
        if integer:
            if not np.array_equal(a, b):
                i = int(np.flatnonzero(a.ravel() != b.ravel())[0])
                print(f"{k}: differs (first at {i}: {a.ravel()[i]} vs {b.ravel()[i]})")
                bad += 1
            continue
        both = np.isfinite(a) & np.isfinite(b)
        if not np.array_equal(np.isfinite(a), np.isfinite(b)):
            print(f"{k}: NaN pattern differs")
            bad += 1
            continue
        if both.any():
            rel = np.abs(a[both] - b[both]) / np.maximum(np.abs(a[both]), 1e-300)
            worst = max(worst, float(rel.max()))
            if not np.allclose(a[both], b[both], rtol=rtol, atol=0):
                print(f"{k}: max rel diff {rel.max():.3g}")
                bad += 1
    print(f"{len(ref)} arrays compared, {bad} differ; largest relative difference {worst:.3g}")
    return bad


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("save", "check"))
    ap.add_argument("path", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-9)
    a = ap.parse_args(argv)
    data = collect()
    if a.action == "save":
        np.savez_compressed(a.path, **data)
        print(f"saved {len(data)} arrays to {a.path}")
        return 0
    with np.load(a.path) as ref:
        return 1 if compare(dict(ref), data, a.rtol) else 0


if __name__ == "__main__":
    raise SystemExit(main())
