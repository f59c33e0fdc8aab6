"""Theory check *movement_msd*: the mean squared displacement of walkers moved by sim.life.movement.walk
with the ``correlated_walk`` rule against the analytic MSD of an 8-heading correlated random walk."""

from __future__ import annotations

import time
import zlib

import numpy as np

from ..life.energetics import DAYS_PER_MONTH
from ..config.params import CheetahParams
from ..reporting.figstyle import colour
from .common import REPO, CheckResult, Settings, check, new_figure, param_from, save_figure, walk_model


def crw_msd(n_steps: np.ndarray, step: float, persistence: float) -> np.ndarray:
    """Mean squared displacement after n jumps of the 8-heading correlated walk of
    sim.life.movement.correlated_walk: keep the heading with probability p, else a uniformly random one of
    8 (the first heading uniform). Orthogonal jumps have length ``step``, diagonal ones step·√2, so
    E|v|² = 1.5 step² and E[v_i·v_j] = p^|i−j| E|v|²:
    MSD(n) = E|v|² [n (1 + p)/(1 − p) − 2 p (1 − p^n)/(1 − p)²] (in the units of step²)."""
    n = np.asarray(n_steps, dtype=float)
    v2 = 1.5 * step * step
    p = persistence
    if p >= 1:
        return v2 * n * n
    return v2 * (n * (1 + p) / (1 - p) - 2 * p * (1 - p ** n) / (1 - p) ** 2)


@check("movement_msd", "theory")
def check_movement_msd(settings: Settings) -> CheckResult:
    """Mean squared displacement of correlated_walk (sim.life.movement.walk) vs the analytic CRW."""
    from .. import registry as rules
    from ..config.schema import LandscapeSpec
    from ..world.build import build_landscape
    t0 = time.perf_counter()
    p0 = CheetahParams()
    cell_km = 2.5
    step_cells = max(1, round(p0.daily_travel_km_female * DAYS_PER_MONTH / p0.walk_substeps / cell_km))
    jumps = p0.walk_substeps * settings.n(12, 6)              # one year of monthly walking
    walkers = settings.n(20000, 6000)
    size_cells = 2 * step_cells * jumps + 10
    land = build_landscape(LandscapeSpec(preset="uniform", cell_km=cell_km, width_km=size_cells * cell_km,
                                         height_km=size_cells * cell_km, fenced=True,
                                         gazelle_density=0.0), REPO)
    from ..life.movement import walk
    rule = rules.get("movement", "correlated_walk")
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(zlib.crc32(b"msd"),)))
    c0 = size_cells // 2
    curves, worst = [], 0.0
    for pers in (0.0, p0.walk_persistence, 0.9):
        model = walk_model(land, step_cells, pers)
        rows = np.full(walkers, c0)
        cols = np.full(walkers, c0)
        heads = np.full(walkers, -1)
        steps = np.full(walkers, step_cells)
        msd = np.zeros(jumps + 1)
        for j in range(1, jumps + 1):
            rows, cols, heads, _, _ = walk(model, rows, cols, heads, steps, 1, rule, rng)
            msd[j] = np.mean(((rows - c0) ** 2 + (cols - c0) ** 2)) * cell_km ** 2
        n = np.arange(jumps + 1)
        theory = crw_msd(n, step_cells * cell_km, pers)
        rel = float(np.max(np.abs(msd[1:] - theory[1:]) / theory[1:]))
        worst = max(worst, rel)
        curves.append((pers, msd, theory, rel))
    tol = 0.05
    fig, ax = new_figure(1400, 850)
    a = ax[0, 0]
    months = np.arange(jumps + 1) / p0.walk_substeps
    for i, (pers, msd, theory, rel) in enumerate(curves):
        a.plot(months[::2], msd[::2], "o", color=colour(i), ms=4, label=f"sim.life.movement.walk, persistence {pers:g}")
        a.plot(months, theory, "-", color=colour(i), lw=1.5, label=f"analytic CRW, persistence {pers:g}")
    a.set_xlabel("months of walking (8 jumps a month)")
    a.set_ylabel("mean squared displacement (km²)")
    a.set_title(f"Correlated random walk: {walkers} walkers, jumps of {step_cells * cell_km:g} km")
    a.legend(fontsize=9)
    path = save_figure(fig, settings, "movement_msd")
    return CheckResult(
        name="movement_msd", group="theory", title="Movement: mean squared displacement",
        compares="mean squared displacement of walkers moved by sim.life.movement.walk with the `correlated_walk` rule "
                 "vs the analytic MSD of a correlated random walk with the same jump lengths and persistence",
        method=(f"{walkers} walkers from the centre of an open uniform map large enough never to be reached "
                f"({size_cells} × {size_cells} cells of {cell_km} km), jumps of {step_cells} cells "
                f"(female travel {p0.daily_travel_km_female} km/day × 30.44 days / {p0.walk_substeps} sub-steps), "
                f"{jumps} jumps (one year); persistence 0, {p0.walk_persistence} (default) and 0.9. Analytic: "
                "MSD(n) = E|v|² [n(1+p)/(1−p) − 2p(1−p^n)/(1−p)²], E|v|² = 1.5 (jump)² for 8 headings "
                "(diagonal jumps are √2 longer)."),
        parameters=[param_from("cheetah.walk_persistence", p0, "walk_persistence"),
                    param_from("cheetah.daily_travel_km_female", p0, "daily_travel_km_female"),
                    param_from("cheetah.walk_substeps", p0, "walk_substeps")],
        expected="the analytic MSD after every jump",
        tolerance=f"largest relative difference over all jumps and persistences ≤ {tol}",
        observed=f"largest relative difference {worst:.4f}",
        passed=bool(worst <= tol), figure=path, replicates=walkers, seconds=time.perf_counter() - t0,
        values={"max_rel_error": worst})
