"""Theory check *fence_crossing*: cheetah walkers (both movement rules) and prey diffusion never
cross a closed fence, and do cross where it has gaps."""

from __future__ import annotations

import time
import zlib
from typing import Sequence

import numpy as np

from ..config.params import CheetahParams, GazelleParams
from ..reporting.figstyle import colour
from .common import CheckResult, Settings, check, new_figure, param_from, save_figure, walk_model


def fenced_landscape(rows: int, cols: int, fence_row: int, gaps: Sequence[int], cell_km: float = 2.5):
    """A uniform landscape with a west-east fence along the south edges of ``fence_row`` (gaps at
    the given columns); prey capacity 1 gazelle/km² everywhere; map edge closed."""
    from ..world.landscape import SOUTH, Fence, Landscape
    z = np.zeros((rows, cols))
    edges = np.array([(SOUTH, fence_row, c) for c in range(cols)], dtype=np.int64)
    g = np.zeros(cols, dtype=bool)
    g[list(gaps)] = True
    return Landscape(name="fence-check", cell_km=cell_km, habitat=z + 0.8, escarpment=z.astype(bool),
                     water=z.astype(bool), protection=z.copy(), human=z.copy(), road=z.astype(bool),
                     competitors={}, capacity={"saiga_summer": z + 1, "saiga_winter": z + 1,
                                               "gazelle": z + 1, "urial": z.copy(), "hare": z.copy()},
                     fences=(Fence("border", edges, g),), sites={"centre": (rows // 2, cols // 2)})


@check("fence_crossing", "theory")
def check_fence_crossing(settings: Settings) -> CheckResult:
    """No walker or prey crosses closed fence edges; both pass through gaps."""
    from .. import registry as rules
    from ..config.params import PreyParams
    from ..prey.population import PreyPopulation
    from ..life.movement import walk
    t0 = time.perf_counter()
    rows, cols, fence_row = 60, 60, 29
    walkers = settings.n(4000, 1000)
    jumps = settings.n(8 * 24, 8 * 12)
    p0 = CheetahParams()
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(zlib.crc32(b"fence"),)))
    results = {}
    for label, gaps in (("closed", ()), ("gaps", (10, 30, 50))):
        land = fenced_landscape(rows, cols, fence_row, gaps)
        for rule_name in ("correlated_walk", "habitat_walk"):
            model = walk_model(land, 4, p0.walk_persistence)
            rule = rules.get("movement", rule_name)
            r = rng.integers(0, fence_row + 1, walkers)
            c = rng.integers(0, cols, walkers)
            h = np.full(walkers, -1)
            steps = rng.integers(1, 5, walkers)                  # 1-4 cells per jump
            north = r <= fence_row
            crossings = 0
            for _ in range(jumps):
                r, c, h, _, _ = walk(model, r, c, h, steps, 1, rule, rng)
                now = r <= fence_row
                crossings += int((now != north).sum())
                north = now
            results[(label, rule_name)] = {"crossings": crossings, "south_share": float((~north).mean())}
        # prey: all gazelle start north of the fence, diffusion for `months` months
        prey = PreyParams(saiga={"initial_total": 0.0},
                          gazelle={"initial_total": 1000.0, "poaching_per_year": 0.0, "r_max": 0.0},
                          urial={"initial_total": 0.0})
        pop = PreyPopulation(prey, land, month=0, water_gain=1.0)
        pop.N[1, fence_row + 1:, :] = 0.0
        for m in range(60):
            pop.step(m % 12, enforcement=0.0)
        results[(label, "prey")] = {"south_share": float(pop.N[1, fence_row + 1:, :].sum() / pop.N[1].sum())}
    closed_ok = all(results[("closed", r)]["crossings"] == 0 for r in ("correlated_walk", "habitat_walk")) \
        and results[("closed", "prey")]["south_share"] == 0.0
    gaps_ok = all(results[("gaps", r)]["crossings"] > 0 for r in ("correlated_walk", "habitat_walk")) \
        and results[("gaps", "prey")]["south_share"] > 0.0
    fig, ax = new_figure(1500, 750, ncols=2)
    a0, a1 = ax[0]
    labels = ["correlated_walk", "habitat_walk"]
    x = np.arange(2)
    for i, lab in enumerate(("closed", "gaps")):
        a0.bar(x + (i - 0.5) * 0.4, [results[(lab, r)]["crossings"] for r in labels], 0.4, color=colour(i),
               label="fence closed" if lab == "closed" else "fence with 3 gaps")
    for i, r in enumerate(labels):
        for j, lab in enumerate(("closed", "gaps")):
            v = results[(lab, r)]["crossings"]
            a0.annotate(str(v), (i + (j - 0.5) * 0.4, v), ha="center", va="bottom", fontsize=10)
    a0.set_xticks(x, labels)
    a0.set_ylabel(f"fence crossings by {walkers} walkers in {jumps // 8} months")
    a0.set_title("Cheetah walkers")
    a0.legend()
    vals = [100 * results[(lab, "prey")]["south_share"] for lab in ("closed", "gaps")]
    a1.bar([0, 1], vals, color=[colour(0), colour(1)])
    for i, v in enumerate(vals):
        a1.annotate(f"{v:.2f} %", (i, v), ha="center", va="bottom", fontsize=10)
    a1.set_xticks([0, 1], ["fence closed", "fence with 3 gaps"])
    a1.set_ylabel("gazelle south of the fence after 5 years (% of all)")
    a1.set_title("Prey diffusion")
    path = save_figure(fig, settings, "fence_crossing")
    obs = "; ".join(f"{lab}/{r}: {results[(lab, r)]['crossings']} crossings" for lab in ("closed", "gaps")
                    for r in labels)
    obs += (f"; prey south of the fence: closed {100 * results[('closed', 'prey')]['south_share']:.3g} %, "
            f"with gaps {100 * results[('gaps', 'prey')]['south_share']:.3g} %")
    return CheckResult(
        name="fence_crossing", group="theory", title="Fences: no crossing except at gaps",
        compares="moves across a west–east fence line by cheetah walkers (sim.life.movement.walk, both movement "
                 "rules) and by prey diffusion (sim.prey), with the fence closed and with 3 gaps",
        method=(f"{rows} × {cols} cells of 2.5 km, fence along the south edges of row {fence_row}; {walkers} "
                f"walkers start north of it at random, jumps of 1–4 cells (diagonal jumps included), "
                f"{jumps} jumps; a crossing is a change of side between jumps. Prey: gazelle start only north "
                "of the fence (no births), 60 months of diffusion."),
        parameters=[param_from("cheetah.walk_persistence", p0, "walk_persistence"),
                    param_from("cheetah.walk_habitat_bias", p0, "walk_habitat_bias"),
                    param_from("prey.gazelle.diffusion_per_month", GazelleParams(), "diffusion_per_month")],
        expected="closed fence: 0 crossings and no prey south of it; with gaps: crossings > 0 and prey south",
        tolerance="exact (counts)",
        observed=obs, passed=bool(closed_ok and gaps_ok), figure=path, replicates=walkers,
        seconds=time.perf_counter() - t0,
        values={f"{k[0]}_{k[1]}": v for k, v in results.items()})
