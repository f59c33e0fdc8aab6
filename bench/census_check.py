#!/usr/bin/env python
"""Check that a speed change leaves the simulation's results unchanged.

    .venv/bin/python bench/census_check.py save /tmp/before.npz     # before the change
    .venv/bin/python bench/census_check.py check /tmp/before.npz    # after it

Runs a fixed set of short replicates (the default Ustyurt map at 2.5, 5 and 1.25 km, and the
crowded reserve; seeds 1-3) and a prey-only trajectory per grid (changing enforcement and
environmental multiplier, kills, translocations), and stores every census column, the occupancy
maps and the prey fields. ``check`` compares with the saved file: exact for integer-valued
columns (N, births, deaths ...) and maps, ``rtol`` (default 1e-9) for the others, and reports
the largest relative difference (0.0 means bit-identical). See bench/README.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run_bench import CROWDED, _build, default_scenario  # noqa: E402


def collect() -> dict[str, np.ndarray]:
    from sim.model import run_replicate
    from sim.prey import PreyPopulation

    out: dict[str, np.ndarray] = {}
    runs = [("default", default_scenario(years=10)), ("cells/4", default_scenario(cell_km=5.0, years=10)),
            ("cells*4", default_scenario(cell_km=1.25, years=4)), ("crowded", dict(CROWDED, years=8))]
    for name, scen in runs:
        sc, land = _build(scen)
        for seed in (1, 2, 3):
            res = run_replicate(sc, seed, landscape=land)
            for k, v in res.census.items():
                out[f"{name}/{seed}/{k}"] = np.asarray(v)
            if res.occupancy is not None:
                out[f"{name}/{seed}/occupancy"] = np.asarray(res.occupancy)
    for cell_km in (2.5, 5.0, 1.25):
        sc, land = _build(default_scenario(cell_km=cell_km))
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
    for k in sorted(set(ref) | set(new)):
        if k not in ref or k not in new:
            print(f"missing in {'new' if k in ref else 'saved'}: {k}")
            bad += 1
            continue
        a, b = np.asarray(ref[k]), np.asarray(new[k])
        integer = a.dtype.kind in "iub" or (np.isfinite(a).all() and np.array_equal(a, np.round(a))
                                            and not k.startswith("prey"))
        if a.shape != b.shape:
            ok = False
        elif integer:
            ok = np.array_equal(a, b)
        else:
            ok = np.allclose(a, b, rtol=rtol, atol=0.0, equal_nan=True)
        if a.shape == b.shape and a.dtype.kind == "f":
            with np.errstate(all="ignore"):
                d = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
            d = d[np.isfinite(d)]
            if d.size:
                worst = max(worst, float(d.max()))
        if not ok:
            bad += 1
            print(f"DIFFERS ({'exact' if integer else f'rtol {rtol:g}'}): {k}")
    print(f"{len(ref)} arrays compared, {bad} differ; largest relative difference {worst:.3g}"
          + (" (bit-identical)" if bad == 0 and worst == 0.0 else ""))
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("save", "check"))
    ap.add_argument("file", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-9)
    args = ap.parse_args(argv)
    data = collect()
    if args.action == "save":
        np.savez_compressed(args.file, **data)
        print(f"saved {len(data)} arrays to {args.file}")
        return 0
    with np.load(args.file) as f:
        ref = {k: f[k] for k in f.files}
    return 1 if compare(ref, data, args.rtol) else 0


if __name__ == "__main__":
    sys.exit(main())
