"""Theory check *predator_prey_offtake*: kills per cheetah per month in the agent model against
the kills the type II functional response (with the model's satiation cap) predicts for the prey
densities and body conditions the hunters actually met."""

from __future__ import annotations

import math
import time

import numpy as np

from ..life.energetics import DAYS_PER_MONTH
from ..config.factories import uniform_reserve
from ..config.params import CheetahParams
from ..model.results import DEATH_CAUSES
from ..reporting.figstyle import colour
from .common import (CheckResult, Settings, check, check_seeds, new_figure, parallel_map, param_from,
                     save_figure)
from .instrumented import run_offtake

OFFTAKE_DENSITIES = (0.25, 0.5, 1.0, 2.0, 4.0)     # gazelle per km²


def expected_kills(density: np.ndarray, condition: np.ndarray, p: CheetahParams, mass_kg: float,
                   preference: float, margin_kg: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Expected kills per month of solitary adults (no cubs) hunting one prey species, computed
    from the parameters: the Holling type II mean μ = 30.44 a D / (1 + a h D) with
    a = search_rate x success x (1 + hunger_effort (1 − condition)) x preference, and the expected
    kills after satiation, E[f(X)] with X ~ Poisson(μ), f(x) = x if x e ≤ want + margin else
    ceil(want / e), e = kg eaten per kill, want = need + (1 − condition) x reserve, margin = kg
    eaten from one kill of the largest prey species (the rule of
    sim.life.hunting.kills_as_food; default e). Returns (μ, E[f(X)])."""
    from scipy.stats import poisson
    a = p.search_rate_km2_per_day * p.hunting_success * (1 + p.hunger_effort * (1 - condition)) * preference
    mu = DAYS_PER_MONTH * a * density / (1 + a * p.handling_days * density)
    e = mass_kg * p.edible_fraction * (1 - p.kleptoparasitism)
    need = p.food_kg_per_day * DAYS_PER_MONTH
    want = need + (1 - condition) * p.reserve_days * p.food_kg_per_day
    margin = e if margin_kg is None else margin_kg
    m = np.floor((want + margin) / e)            # largest count kept as drawn
    cap = np.ceil(want / e)
    x = np.arange(0, int(max(m.max(), 1)) + 1)
    pmf = poisson.pmf(x[None, :], mu[:, None])
    kept = (pmf * x[None, :] * (x[None, :] <= m[:, None])).sum(axis=1)
    over = poisson.sf(m, mu)
    return mu, kept + cap * over


@check("predator_prey_offtake", "theory")
def check_predator_prey_offtake(settings: Settings) -> CheckResult:
    """Kills per cheetah per month vs the functional response at the prey density experienced."""
    t0 = time.perf_counter()
    years = settings.n(4, 2)
    reps = settings.n(4, 1)
    base_ch = {"adult_survival_female": 1.0, "adult_survival_male": 1.0, "subadult_survival_female": 1.0,
               "subadult_survival_male": 1.0, "conception_prob_per_month": 0.0, "release_survival_wild": 1.0}
    tasks = []
    for D in OFFTAKE_DENSITIES:
        sc = uniform_reserve(f"offtake_{D:g}", years=years, size_km=150.0, cell_km=2.5, gazelle=D,
                             prey_poaching=0.0,
                             releases=[{"year": 1, "month": 1, "females": 6, "males": 6, "age_months": 36}],
                             cheetah=base_ch, rules={"movement": "correlated_walk"})
        tasks += [(sc, s) for s in check_seeds(settings, f"offtake_{D:g}", reps)]
    out = parallel_map(run_offtake, tasks, settings.jobs)
    sc = tasks[0][0]
    p = sc.cheetah
    g = sc.prey.gazelle
    # the model allows one kill of the largest prey species (present or not) beyond the want
    margin = max(sp.body_mass_kg for sp in sc.prey.species().values()) * p.edible_fraction * (1 - p.kleptoparasitism)
    dens, obs, exp_all = [], [], []
    for o in out:
        for rec in o.hunts:
            solo = rec.members == 1
            d = rec.density[solo, 1]
            _, ex = expected_kills(d, rec.condition[solo], p, g.body_mass_kg, g.cheetah_preference, margin)
            dens.append(d)
            obs.append(rec.kills[solo, 1])
            exp_all.append(ex)
    dens, obs, exp_all = (np.concatenate(v) for v in (dens, obs, exp_all))
    deaths = sum(int(sum(o.census[f"deaths_{c}"].sum() for c in DEATH_CAUSES)) for o in out)
    ratio = obs.sum() / exp_all.sum()
    se = math.sqrt(obs.sum()) / exp_all.sum()       # Poisson-like counting error of the ratio
    tol = 0.05
    ok = abs(ratio - 1) <= tol
    edges = np.quantile(dens, np.linspace(0, 1, 13))
    bins = np.clip(np.searchsorted(edges, dens, side="right") - 1, 0, len(edges) - 2)
    bx, bo, be, bse = [], [], [], []
    for b in range(len(edges) - 1):
        s = bins == b
        if s.sum() < 5:
            continue
        bx.append(dens[s].mean())
        bo.append(obs[s].mean())
        bse.append(obs[s].std(ddof=1) / math.sqrt(s.sum()))
        be.append(exp_all[s].mean())
    fig, ax = new_figure(1400, 850)
    a = ax[0, 0]
    grid = np.linspace(0, dens.max() * 1.05, 200)
    for i, cnd in enumerate((1.0, 0.5)):
        mu_g, ex_g = expected_kills(grid, np.full_like(grid, cnd), p, g.body_mass_kg, g.cheetah_preference,
                                    margin)
        a.plot(grid, mu_g, ":", color=colour(2 + i), lw=1.5, label=f"type II without satiation, condition {cnd:g}")
        a.plot(grid, ex_g, "-", color=colour(2 + i), lw=1.5, label=f"type II with satiation cap, condition {cnd:g}")
    a.plot(bx, be, "s", color=colour(1), ms=8, mfc="none", mew=2,
           label="expected for the densities and conditions met (binned)")
    a.errorbar(bx, bo, yerr=1.96 * np.array(bse), fmt="o", color=colour(0), ms=6, capsize=4,
               label="agent model: kills made (binned mean, 95 % CI)")
    a.set_xlabel("gazelle density in the hunting area (animals/km²)")
    a.set_ylabel("kills per cheetah per month")
    a.set_title("Offtake: agent model vs functional response")
    a.legend(fontsize=8.5, loc="lower right")
    path = save_figure(fig, settings, "predator_prey_offtake")
    n_um = len(obs)
    return CheckResult(
        name="predator_prey_offtake", group="theory", title="Predator–prey offtake",
        compares="kills per cheetah per month in the agent model vs the kills the type II functional response "
                 "predicts for the prey densities the cheetahs experienced, with the satiation cap of "
                 "sim.life.hunting.kills_as_food (a group stops once its need plus reserve deficit is covered)",
        method=(f"one prey species (goitered gazelle) at {', '.join(f'{d:g}' for d in OFFTAKE_DENSITIES)} "
                f"animals/km² on a fenced uniform 150 × 150 km map; 6 F + 6 M adults released, then a fixed "
                f"number of cheetahs: survival 1, conception 0, no people, no variation; {years} years × {reps} "
                "replicates per density. An instrumented model records, for each solitary hunter and month, "
                "the density in its hunting box (the functional response's input), its body condition before "
                "hunting and the kills removed from its box. The expectation is computed independently from the "
                "parameters (`expected_kills`): Poisson kills with the type II mean, hunger raising the search "
                "rate, and the satiation cap (kills drawn are kept unless they exceed the want by more than "
                f"one kill of the largest prey species, {margin:.1f} kg — urial, even where none live — else cut "
                "to ceil(want / kg per kill))."),
        parameters=[param_from("cheetah.search_rate_km2_per_day", p, "search_rate_km2_per_day"),
                    param_from("cheetah.handling_days", p, "handling_days"),
                    param_from("cheetah.hunting_success", p, "hunting_success"),
                    param_from("cheetah.hunger_effort", p, "hunger_effort"),
                    param_from("cheetah.edible_fraction", p, "edible_fraction"),
                    param_from("cheetah.kleptoparasitism", p, "kleptoparasitism"),
                    param_from("cheetah.reserve_days", p, "reserve_days"),
                    param_from("prey.gazelle.body_mass_kg", g, "body_mass_kg")],
        expected=f"total kills = Σ expected kills over {n_um} hunter-months ({exp_all.sum():.0f} kills)",
        tolerance=f"observed / expected within 1 ± {tol}",
        observed=(f"{obs.sum():.0f} kills, ratio {ratio:.3f} (± {1.96 * se:.3f}, 95 % counting error); "
                  f"{deaths} cheetah deaths (starvation) in all runs"),
        passed=bool(ok), figure=path, replicates=len(tasks), seconds=time.perf_counter() - t0,
        values={"ratio": ratio, "kills": float(obs.sum()), "expected": float(exp_all.sum()), "deaths": deaths})
