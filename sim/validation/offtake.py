"""Theory check *predator_prey_offtake*: the kills of the agent model against the kills the
multi-species type II functional response predicts for the attack rates, handling times and prey
densities each hunting unit actually had, with the model's Poisson draws, its cap at the prey
present and its satiation rule."""

from __future__ import annotations

import math
import time

import numpy as np
from numba import njit

from ..config.factories import uniform_reserve
from ..config.params import SPECIES
from ..life.energetics import DAYS_PER_MONTH
from ..reporting.figstyle import colour
from .common import (CheckResult, Param, Settings, check, check_seeds, new_figure, parallel_map, param_from,
                     save_figure)
from .instrumented import HuntRecord, run_offtake

#: The runs' (gazelle, hare) carrying capacities [animals/km²]: gazelle from too few to feed a
#: cheetah (search-limited hunting) to far more than it needs (satiated hunting); hares at the low end of
#: the Cape hare proxy 2.1–8.0/km² (Chammem et al. 2017, field-values-2 D) on the richer maps, so that
#: the multi-species response is exercised.
OFFTAKE_RUNS = ((0.03, 0.0), (0.1, 0.0), (0.3, 2.1), (1.0, 2.1), (3.0, 2.1))
#: Allowed |observed / expected - 1| of the total kills and of each species' kills.
TOLERANCE = 0.05


def type2_kills_per_month(density: np.ndarray, attack: np.ndarray, handling: np.ndarray) -> np.ndarray:
    """Expected kills per month before satiation [animals], Holling's multi-species disc equation
    written out here independently of the model: μ_i = 30.44 a_i D_i / (1 + Σ_j a_j h_j D_j), with
    ``density`` D [animals/km²], ``attack`` a [km²/day] and ``handling`` h [days per kill], each
    (units, species)."""
    ad = attack * density
    return DAYS_PER_MONTH * ad / (1.0 + (ad * handling).sum(axis=1, keepdims=True))


@njit(cache=True)
def satiated_expectation(mu, avail, want_kg, kg_per_kill, biggest_kg):
    """Expected kills [animals] per unit and species after the model's cap and satiation rule
    (sim.life.hunting._satiate), by summing over the joint Poisson distribution of the draws:
    K_s ~ Poisson(μ_s) independently; K_s is capped at floor(prey present); if the meat kept,
    Σ K_s e_s (``kg_per_kill`` e, kg eaten per kill after kleptoparasites), exceeds ``want_kg`` +
    ``biggest_kg`` (one kill of the largest species), each K_s becomes ceil(K_s want / Σ K e).
    Each species' support is cut at μ + 15 √μ + 30 (the tail left out is below 1e-20)."""
    n, S = mu.shape
    out = np.zeros((n, S))
    for i in range(n):
        sp = np.empty(S, dtype=np.int64)
        m = 0
        for s in range(S):
            if mu[i, s] > 0.0 and avail[i, s] >= 1.0:
                sp[m] = s
                m += 1
        if m == 0:
            continue
        top = np.empty(m, dtype=np.int64)
        for j in range(m):
            top[j] = np.int64(mu[i, sp[j]] + 15.0 * math.sqrt(mu[i, sp[j]]) + 30.0)
        pmf = np.zeros((m, top.max() + 1))
        for j in range(m):
            lam = mu[i, sp[j]]
            pmf[j, 0] = math.exp(-lam)
            for k in range(1, top[j] + 1):
                pmf[j, k] = pmf[j, k - 1] * lam / k
        idx = np.zeros(m, dtype=np.int64)
        kept = np.zeros(m)
        while True:
            prob = 1.0
            got = 0.0
            for j in range(m):
                prob *= pmf[j, idx[j]]
                kept[j] = min(float(idx[j]), math.floor(avail[i, sp[j]]))
                got += kept[j] * kg_per_kill[i, sp[j]]
            if prob > 0.0:
                cut = got > want_kg[i] + biggest_kg[i]
                for j in range(m):
                    k = math.ceil(kept[j] * (want_kg[i] / got)) if cut else kept[j]
                    out[i, sp[j]] += prob * k
            j = 0
            while j < m:
                idx[j] += 1
                if idx[j] <= top[j]:
                    break
                idx[j] = 0
                j += 1
            if j == m:
                break
    return out


def expected_kills(rec: HuntRecord, mass_kg: np.ndarray, edible: float) -> tuple[np.ndarray, np.ndarray]:
    """(μ, expected kills) per unit and species of one month's hunt: μ the type II mean before
    satiation (:func:`type2_kills_per_month`), then :func:`satiated_expectation` with the unit's
    satiation limit, prey present and kept share as the instrumented run recorded them."""
    mu = type2_kills_per_month(rec.density, rec.attack, rec.handling)
    e = mass_kg[None, :] * edible * rec.kept[:, None]
    ex = satiated_expectation(mu, rec.avail, rec.want_kg, np.ascontiguousarray(e), e.max(axis=1))
    return mu, ex


def offtake_scenario(gazelle: float, hares: float, years: int):
    """Six females and six males of 36 months released on a fenced uniform 150 × 150 km map with
    ``gazelle`` and ``hares`` [animals/km²], no prey poaching, no people or competitors; every other
    parameter and rule at its default (births, deaths, settling and walking as usual)."""
    return uniform_reserve(f"offtake_{gazelle:g}_{hares:g}", years=years, size_km=150.0, gazelle=gazelle,
                           prey_poaching=0.0, landscape={"hare_density": hares},
                           releases=[{"year": 1, "month": 1, "females": 6, "males": 6, "age_months": 36}])


@check("predator_prey_offtake", "theory")
def check_predator_prey_offtake(settings: Settings) -> CheckResult:
    """Total kills = Σ expected kills of the functional response, unit by unit and month by month."""
    t0 = time.perf_counter()
    years = settings.n(4, 2)
    reps = settings.n(3, 1)
    tasks = []
    for D, H in OFFTAKE_RUNS:
        sc = offtake_scenario(D, H, years)
        tasks += [(sc, s) for s in check_seeds(settings, f"offtake_{D:g}_{H:g}", reps)]
    out = parallel_map(run_offtake, tasks, settings.jobs)
    sc = tasks[0][0]
    p, prey = sc.cheetah, sc.prey
    mass = np.array([q.body_mass_kg for q in prey.species().values()])
    g, h = SPECIES.index("gazelle"), SPECIES.index("hare")
    rows = {"obs": [], "exp": [], "mu": [], "dens": [], "walker": [], "solo_attack": []}
    for o in out:
        for rec in o.hunts:
            mu, ex = expected_kills(rec, mass, p.edible_fraction)
            rows["obs"].append(rec.kills)
            rows["exp"].append(ex)
            rows["mu"].append(mu)
            rows["dens"].append(rec.density)
            rows["walker"].append(rec.walker)
            full_solo = (~rec.walker) & (rec.cubs == 0) & (rec.members == 1) & (rec.condition == 1.0)
            rows["solo_attack"].append(rec.attack[full_solo])
    obs, exp_, mu, dens = (np.concatenate(rows[k]) for k in ("obs", "exp", "mu", "dens"))
    walker = np.concatenate(rows["walker"])
    solo_attack = np.concatenate(rows["solo_attack"])

    def ratio(sel=slice(None), s=slice(None)):
        o, e = float(obs[sel][:, s].sum()), float(exp_[sel][:, s].sum())
        return (o / e if e > 0 else math.nan), (math.sqrt(o) / e if e > 0 else math.nan), o, e

    total, se, n_obs, n_exp = ratio()
    per_species = {SPECIES[s]: ratio(s=s) for s in (g, h)}
    res_r, walk_r = ratio(~walker)[0], ratio(walker)[0]
    # search-limited unit-months: satiation and the cap take off less than 1 % of μ (chosen on the
    # expectation alone, so the subset does not depend on the kills drawn)
    free = (mu.sum(axis=1) > 0) & (exp_.sum(axis=1) >= 0.99 * mu.sum(axis=1))
    free_r, free_se, free_obs, _ = ratio(free)
    free_tol = max(TOLERANCE, 3 * free_se) if free.any() else math.nan
    from ..life.hunting import attack_km2_per_km
    param_attack = p.search_path_km_per_day * attack_km2_per_km(prey)
    attack_err = float(np.abs(solo_attack - param_attack[None, :]).max()) if solo_attack.size else math.nan
    ok = (abs(total - 1) <= TOLERANCE and all(abs(v[0] - 1) <= TOLERANCE for v in per_species.values())
          and abs(free_r - 1) <= free_tol and solo_attack.size > 0 and attack_err <= 1e-9)
    path = _figure(settings, obs, exp_, mu, dens, g, h)
    satiated = float(((mu.sum(axis=1) > 0) & (exp_.sum(axis=1) < 0.95 * mu.sum(axis=1))).mean())
    gz, hr = prey.gazelle, prey.hare
    return CheckResult(
        name="predator_prey_offtake", group="theory", title="Predator–prey offtake",
        compares="kills made in the agent model vs the kills expected from the multi-species type II functional "
                 "response for the attack rates, handling times and prey densities each hunting unit actually had, "
                 "with the model's Poisson draws, its cap at the prey present and its satiation rule",
        method=("(gazelle, hares) at " + ", ".join(f"({d:g}, {hh:g})" for d, hh in OFFTAKE_RUNS)
                + " animals/km² on a fenced uniform 150 × 150 km map; 6 F + 6 M adults released, default "
                f"life history (families, den, hunger, walkers), {years} years × {reps} replicates per map. An "
                "observer of the model records, for every hunting unit and month, the prey density in its box, "
                "the attack rates and handling times the model used (read through sim.life.hunting.hunting_grounds), "
                "its satiation limit (need + reserve deficits), the kept share and its kills. Expected kills per "
                "unit-month: μ_i = 30.44 a_i D_i / (1 + Σ_j a_j h_j D_j) (written out in the check), then the exact "
                "expectation over independent Poisson draws of the cap at the prey present and the satiation rule "
                "(a unit keeps its draws unless their meat exceeds its want by more than one kill of the largest "
                "prey species, else each species' kills are cut to ceil(k want / meat)). Walkers' attack rates "
                "carry the residents' claimed share as it stands after the month's kills (the observer sees the "
                f"model then); {100 * walker.mean():.1f} % of unit-months are walkers'. Also: the attack rates "
                "of full-condition solitary residents against search path × 2 detection radius × preference × "
                "success from the parameters."),
        parameters=[param_from("cheetah.search_path_km_per_day", p, "search_path_km_per_day"),
                    param_from("cheetah.den_search_factor", p, "den_search_factor"),
                    param_from("cheetah.hunger_effort", p, "hunger_effort"),
                    param_from("prey.gazelle.detection_radius_km", gz, "detection_radius_km"),
                    param_from("prey.gazelle.cheetah_preference", gz, "cheetah_preference"),
                    param_from("prey.gazelle.hunt_success", gz, "hunt_success"),
                    param_from("prey.gazelle.handling_days", gz, "handling_days"),
                    param_from("prey.gazelle.body_mass_kg", gz, "body_mass_kg"),
                    param_from("prey.hare.detection_radius_km", hr, "detection_radius_km"),
                    param_from("prey.hare.hunt_success", hr, "hunt_success"),
                    param_from("prey.hare.handling_days", hr, "handling_days"),
                    param_from("prey.hare.body_mass_kg", hr, "body_mass_kg"),
                    param_from("cheetah.edible_fraction", p, "edible_fraction"),
                    param_from("cheetah.kleptoparasitism", p, "kleptoparasitism"),
                    param_from("cheetah.reserve_days", p, "reserve_days"),
                    Param("landscape.gazelle_density", ", ".join(f"{d:g}" for d, _ in OFFTAKE_RUNS) + " animals/km²",
                          "test design: search-limited to satiated hunting"),
                    Param("landscape.hare_density", "0 or 2.1 animals/km²",
                          "Chammem et al. 2017: Cape hare 2.1–8.0/km² (low end; field-values-2 D)")],
        expected=(f"total kills = Σ expected kills over {len(obs)} unit-months ({n_exp:.0f} kills); full-condition "
                  f"solitary residents' attack rates = {param_attack[g]:.3g} km²/day on gazelle, "
                  f"{param_attack[h]:.3g} on hares"),
        tolerance=(f"observed / expected within 1 ± {TOLERANCE} for all kills and for each of gazelle and hare; "
                   f"within 1 ± max({TOLERANCE}, 3 counting SE) in the search-limited unit-months (satiation and cap "
                   "take < 1 % of μ); attack rates equal to the parameters' (to 1e-9 km²/day)"),
        observed=(f"{n_obs:.0f} kills, ratio {total:.3f} (± {1.96 * se:.3f}, 95 % counting error); gazelle "
                  + f"{per_species['gazelle'][0]:.3f} ({per_species['gazelle'][2]:.0f} kills), hare "
                  + f"{per_species['hare'][0]:.3f} ({per_species['hare'][2]:.0f} kills); residents {res_r:.3f}, "
                  + f"walkers {walk_r:.3f}; search-limited unit-months {free_r:.3f} ({free_obs:.0f} kills, "
                  + f"tolerance ± {free_tol:.3f}); satiation cut {100 * satiated:.0f} % of unit-months; attack rates of "
                  + f"{len(solo_attack)} full solitary unit-months off by at most {attack_err:.1e} km²/day"),
        passed=bool(ok), figure=path, replicates=len(tasks), seconds=time.perf_counter() - t0,
        values={"ratio": total, "kills": n_obs, "expected": n_exp,
                "ratio_gazelle": per_species["gazelle"][0], "ratio_hare": per_species["hare"][0],
                "ratio_residents": res_r, "ratio_walkers": walk_r, "ratio_search_limited": free_r,
                "attack_error": attack_err})


def _figure(settings: Settings, obs, exp_, mu, dens, g: int, h: int):
    """Left: observed against expected kills per unit-month (binned by expectation), per species.
    Right: gazelle kills per unit-month against gazelle density, with μ (no satiation)."""
    fig, ax = new_figure(1700, 800, ncols=2)
    a = ax[0, 0]
    top = 0.0
    for k, (s, name) in enumerate(((g, "gazelle"), (h, "hare"))):
        e, o = exp_[:, s], obs[:, s]
        sel = e > 0
        if sel.sum() < 20:
            continue
        edges = np.unique(np.quantile(e[sel], np.linspace(0, 1, 13)))
        b = np.clip(np.searchsorted(edges, e[sel], side="right") - 1, 0, len(edges) - 2)
        bx = np.array([e[sel][b == i].mean() for i in range(len(edges) - 1) if (b == i).sum() >= 5])
        bo = np.array([o[sel][b == i].mean() for i in range(len(edges) - 1) if (b == i).sum() >= 5])
        bs = np.array([o[sel][b == i].std(ddof=1) / math.sqrt((b == i).sum()) for i in range(len(edges) - 1)
                       if (b == i).sum() >= 5])
        a.errorbar(bx, bo, yerr=1.96 * bs, fmt="o", color=colour(k), ms=6, capsize=3,
                   label=f"{name}: agent model (binned mean, 95 % CI)")
        top = max(top, bx.max(), bo.max())
    a.plot([0, top * 1.05], [0, top * 1.05], "-", color="black", lw=1, label="observed = expected")
    a.set_xlabel("expected kills per unit-month (type II, cap and satiation)")
    a.set_ylabel("kills per unit-month")
    a.set_title("Kills: agent model vs expectation")
    a.legend(fontsize=8.5)
    a = ax[0, 1]
    d = dens[:, g]
    sel = d > 0
    edges = np.unique(np.quantile(d[sel], np.linspace(0, 1, 16)))
    b = np.clip(np.searchsorted(edges, d[sel], side="right") - 1, 0, len(edges) - 2)
    keep = [i for i in range(len(edges) - 1) if (b == i).sum() >= 5]
    for arr, style, lab, c in ((obs[sel, g], "o", "agent model: kills", 0),
                               (exp_[sel, g], "s", "expected with cap and satiation", 1),
                               (mu[sel, g], "^", "type II mean μ without satiation", 2)):
        a.plot([d[sel][b == i].mean() for i in keep], [arr[b == i].mean() for i in keep], style, color=colour(c),
               ms=6, mfc="none" if style != "o" else colour(c), label=lab)
    a.set_yscale("log")
    a.set_xlabel("gazelle density in the hunting box (animals/km²)")
    a.set_ylabel("gazelle kills per unit-month (binned mean)")
    a.set_title("Gazelle offtake against density")
    a.legend(fontsize=8.5)
    return save_figure(fig, settings, "predator_prey_offtake")
