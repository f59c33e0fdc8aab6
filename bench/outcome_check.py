#!/usr/bin/env python
"""Did a change of the model's numerics change its outcomes? Runs many replicates of two
prey-limited scenarios, saves summary outcomes, and compares two saved sets with tests.

    .venv/bin/python bench/outcome_check.py run /tmp/before.json [--runs 200]   # old code
    .venv/bin/python bench/outcome_check.py run /tmp/after.json  [--runs 200]   # new code
    .venv/bin/python bench/outcome_check.py compare /tmp/before.json /tmp/after.json

For changes that cannot be bit-identical (``bench/census_check.py`` is for those that must be).
The script uses only the public API (``run_replicate``, ``Scenario``) so that it can be copied
(with census_check.py) into a worktree of an older commit and run there. ``compare`` also counts
the runs whose yearly N is the same in both sets.

Scenarios (seeds SeedSequence(20250, (5000 + k,)); the same for both runs; built with the
scenario helpers of ``bench/census_check.py``, which run in the layouts before and after the
core-in-arrays rework):

* ``reserve``: fenced uniform reserve 100 x 100 km, gazelle 8 /km² at K, no saiga or urial,
  20 founders, 25 years: cheetahs grow until prey limit them (kills deplete the prey).
* ``crowded``: fenced 150 x 150 km, gazelle 15 + saiga 10 /km², 20 years: hundreds of
  cheetahs, many overlapping hunting boxes (persists in every run).
* ``default``: the default Ustyurt map with 20 founders at the reserve, 50 years.

Outcomes per run: cheetahs present at the last year (0/1), peak N, N at the last year, births,
starvation deaths, all deaths, and the prey total at the last year. ``compare`` prints each
outcome's mean in both sets, the difference and its 95 % interval (Welch; for the 0/1 outcome the
difference of proportions), and flags differences whose interval excludes 0.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from census_check import _api, uniform, ustyurt  # noqa: E402

SCENARIOS = {
    "reserve": uniform("outcome_reserve", 100.0, 8.0, 0.0, 25),
    "crowded": uniform("outcome_crowded", 150.0, 15.0, 10.0, 20),
    "default": ustyurt("outcome_default", years=50),
}
OUTCOMES = ("persists", "peak_N", "final_N", "births", "deaths_starvation", "deaths", "prey_final")


def run(path: Path, runs: int) -> None:
    Scenario, build_landscape, run_replicate, _ = _api()
    out: dict = {"runs": runs, "scenarios": {}, "N": {}}
    for name, spec in SCENARIOS.items():
        sc = Scenario(**spec)
        land = build_landscape(sc.landscape)
        rows = {k: [] for k in OUTCOMES}
        trajectories = []
        for k in range(runs):
            c = run_replicate(sc, np.random.SeedSequence(20250, spawn_key=(5000 + k,)), replicate=k,
                              landscape=land).census
            N = np.asarray(c["N"])
            trajectories.append(N.tolist())
            deaths = sum(np.asarray(c[key]).sum() for key in c if key.startswith("deaths_"))
            rows["persists"].append(float(N[-1] > 0))
            rows["peak_N"].append(float(N.max()))
            rows["final_N"].append(float(N[-1]))
            rows["births"].append(float(np.sum(c["births"])))
            rows["deaths_starvation"].append(float(np.sum(c["deaths_starvation"])))
            rows["deaths"].append(float(deaths))
            rows["prey_final"].append(float(sum(c[f"prey_{s}"][-1] for s in ("saiga", "gazelle", "urial"))))
        out["scenarios"][name] = rows
        out["N"][name] = trajectories
        print(f"{name}: " + ", ".join(f"{k} {np.mean(v):.3f}" for k, v in rows.items()), flush=True)
    path.write_text(json.dumps(out))
    print(f"saved {path}")


def compare(a_path: Path, b_path: Path) -> int:
    a, b = json.loads(a_path.read_text()), json.loads(b_path.read_text())
    flagged = 0
    for name in SCENARIOS:
        print(f"\n{name} ({a['runs']} vs {b['runs']} runs)")
        print(f"  {'outcome':18s} {'before':>10s} {'after':>10s} {'diff':>10s}  95 % interval")
        for k in OUTCOMES:
            x, y = np.asarray(a["scenarios"][name][k]), np.asarray(b["scenarios"][name][k])
            d = y.mean() - x.mean()
            se = math.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)
            lo, hi = d - 1.96 * se, d + 1.96 * se
            flag = "  <- differs" if (lo > 0 or hi < 0) else ""
            flagged += bool(flag)
            print(f"  {k:18s} {x.mean():10.3f} {y.mean():10.3f} {d:10.3f}  [{lo:.3f}, {hi:.3f}]{flag}")
    print(f"\n{flagged} of {len(OUTCOMES) * len(SCENARIOS)} outcomes differ at the 95 % level "
          f"(about 5 % would by chance alone)")
    if "N" in a and "N" in b:
        for name in SCENARIOS:
            same = sum(x == y for x, y in zip(a["N"][name], b["N"][name]))
            print(f"{name}: {same} of {len(a['N'][name])} runs have the same N every year (same seeds)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("path", type=Path)
    r.add_argument("--runs", type=int, default=200)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "run":
        run(args.path, args.runs)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
