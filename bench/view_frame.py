"""Frame time of the browser view (docs/view.md), measured without a browser.

Builds the view's session of a scenario (default: scenarios/baseline.yaml, the 2.5 km Ustyurt
map, prey on 5 km cells), draws the first frame (the base of the map), then advances month by
month and draws each month with a prey layer, as the play loop does. Prints the first frame and
the median, 90th percentile and largest frame time [ms] (drawing and PNG encoding), and the model's
time per month [ms]. What the browser adds (sending ~160 kB per frame over the local websocket and
showing it) is measured by playing in Chromium (docs/view.md).

    .venv/bin/python bench/view_frame.py [--scenario FILE] [--months 120] [--layer saiga]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from sim.config.loading import pick_scenario
    from sim.model.checks import build_scenario_landscape
    from sim.viz.session import Launch, ViewSession

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    p.add_argument("--name", default=None)
    p.add_argument("--months", type=int, default=120)
    p.add_argument("--layer", default="saiga")
    args = p.parse_args(argv)
    scenario, file = pick_scenario(args.scenario, args.name)
    land = build_scenario_landscape(scenario, file)
    session = ViewSession(Launch(scenario=scenario, file=file, landscape=land, seed=scenario.seed, layer=args.layer))
    session.rep.model.step()                                    # compile (numba cache) outside the timing
    session = ViewSession(Launch(scenario=scenario, file=file, landscape=land, seed=scenario.seed, layer=args.layer))
    t0 = time.perf_counter()
    first = session.show()
    first_ms = 1000 * (time.perf_counter() - t0)
    frames, steps = [], []
    for _ in range(args.months):
        snap = session.advance(1)
        frames.append(snap.frame_ms)
        steps.append(snap.step_ms)
    f = np.array(frames)
    print(f"{scenario.name}: {land.rows} x {land.cols} cells of {land.cell_km:g} km, prey grid "
          f"{session.rep.model.prey.N.shape[1]} x {session.rep.model.prey.N.shape[2]}; map {len(first.map_png) / 1e3:.0f} kB")
    print(f"first frame (builds the map): {first_ms:.0f} ms")
    print(f"frame over {args.months} months, layer {args.layer}: median {np.median(f):.0f} ms, "
          f"90th percentile {np.percentile(f, 90):.0f} ms, max {f.max():.0f} ms")
    print(f"model: median {np.median(steps):.1f} ms/month; N at the end {snap.readout.N}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
