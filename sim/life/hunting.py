"""Hunting: each unit searches its area and kills prey by a multi-species functional response;
kills are removed from the prey fields and shared as food (:mod:`sim.life.energetics`).

Search from movement: a unit walks ``search_path_km_per_day`` a day (a mother whose cubs are still
in the den x ``den_search_factor``; a hungry unit x (1 + ``hunger_effort`` x its reserve deficit))
and detects prey within each species' ``detection_radius_km`` of its path, so it searches
path x 2 x radius km² a day. Each prey met is hunted with the species' preference and caught with
its ``hunt_success`` (x ``captive_hunting_factor`` for captive-bred animals in their first free
year): the attack rate [km²/day]. A kill takes the species' ``handling_days``, shared by the unit's
adult-equivalents. The scenario's functional response rule (type II by default) turns attack
rates, handling times and prey densities into expected kills per day; the month's kills are
Poisson draws, capped by the prey present. A unit stops hunting once its need plus reserve deficit
is covered (satiation).

A resident unit hunts in its home range, a walking one within ``walker_hunt_radius_km`` of where
it stands (both as the box of the same area, :mod:`sim.world.geometry`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ..cheetahs.population import CAPTIVE
from ..config.params import SPECIES, PreyParams
from ..registry import register
from ..prey.boxes import _HALF_SIDE, _box, _box_axes
from . import energetics, ranges
from .energetics import DAYS_PER_MONTH


@register("functional_response", "type2")
def type2(density, attack, handling_days):
    """Multi-species Holling type II: k_i = a_i D_i / (1 + Σ_j a_j h_j D_j) kills/day.

    ``density`` (n, s) animals/km²; ``attack`` (n, s) km²/day; ``handling_days`` (n, s) days per kill.
    """
    ad = attack * density
    return ad / (1.0 + (ad * handling_days).sum(axis=-1, keepdims=True))


@register("functional_response", "type3")
def type3(density, attack, handling_days):
    """Multi-species Holling type III (sigmoid): attack rate rises with density, a_i D_i²/D_half,
    with D_half = 1 animal/km² (assumption), so rare prey is hardly hunted."""
    ad = attack * density * density
    return ad / (1.0 + (ad * handling_days).sum(axis=-1, keepdims=True))


def attack_km2_per_km(prey: PreyParams) -> np.ndarray:
    """Attack rate per km of search path [km²/km] of each prey species (:data:`SPECIES` order):
    the strip within which it is detected (2 x ``detection_radius_km``) x how often one met is
    hunted (``cheetah_preference``) x how often caught (``hunt_success``)."""
    sp = prey.species()
    return np.array([2.0 * sp[s].detection_radius_km * sp[s].cheetah_preference * sp[s].hunt_success
                     for s in SPECIES])


@njit(cache=True)
def search_path_km(path_km, den_factor, in_den, hunger_effort, hunger, captive_factor, captive_first_year):
    """A unit's search path [km/day]: ``path_km`` x ``den_factor`` while the mother's cubs are in
    the den (``in_den``) x (1 + ``hunger_effort`` x ``hunger``, the unit's reserve deficit 0-1),
    x ``captive_factor`` for a captive-bred leader in its first free year."""
    path = path_km * (den_factor if in_den else 1.0) * (1.0 + hunger_effort * hunger)
    if captive_first_year:
        path *= captive_factor
    return path


@njit(cache=True)
def handling_share(need_kg, adult_month_kg):
    """Adult-equivalents sharing a unit's handling time: its food need [kg/month] over an adult's
    (at least 1)."""
    return max(1.0, need_kg / adult_month_kg)


def hunt_and_eat(m: Any) -> None:
    """The month's hunting and eating of every unit (see the module docstring). Units in a boma
    do not hunt and are fed; with a ceiling density rule (food unlimited) every unit eats its
    need."""
    pop = m.cheetahs
    if len(pop) == 0:
        return
    p = m.params
    units, need = m.roster()
    want, in_boma, hunt, hunters_kg = _hunters(units.owner, units.leaders, pop.boma_months, need, pop.condition,
                                               p.reserve_days * p.food_kg_per_day)
    intake = np.zeros(len(units))
    if not m.density.uses_prey:
        intake[hunt] = hunters_kg[0]
    elif hunt.size:
        leaders, need_kg, left = units.leaders[hunt], hunters_kg[0], hunters_kg[1]
        for source in m.food_sources:
            food = np.asarray(source(m, leaders, need_kg, left), dtype=float)
            intake[hunt] += food
            left = np.maximum(left - food, 0.0)
    energetics.share_and_digest(m, units, intake, need, want, in_boma)


@njit(cache=True)
def _hunters(owner, leaders, boma_months, need, condition, reserve_kg):
    """The month's eaters in one pass: each animal's want [kg] (need + (1 - condition) x
    ``reserve_kg``, :func:`sim.life.energetics.wants`), which units are in a boma, the hunting
    units (indices of the others) and their summed needs and wants [kg] as rows 0 and 1 of one
    array (members summed in row order, as ``Units.total``)."""
    n_units = leaders.size
    want = np.empty(owner.size)
    unit_need = np.zeros(n_units)
    unit_want = np.zeros(n_units)
    for j in range(owner.size):
        want[j] = need[j] + (1.0 - condition[j]) * reserve_kg
        unit_need[owner[j]] += need[j]
        unit_want[owner[j]] += want[j]
    in_boma = np.empty(n_units, dtype=np.bool_)
    hunt = np.empty(n_units, dtype=np.int64)
    k = 0
    for u in range(n_units):
        in_boma[u] = boma_months[leaders[u]] > 0
        if not in_boma[u]:
            hunt[k] = u
            k += 1
    kg = np.empty((2, k))
    for i in range(k):
        kg[0, i] = unit_need[hunt[i]]
        kg[1, i] = unit_want[hunt[i]]
    return want, in_boma, hunt[:k], kg


@njit(cache=True)
def _scale_rows(x, rows, factor):
    """x[rows[k], :] *= factor[k], in place."""
    for k in range(rows.size):
        for s in range(x.shape[1]):
            x[rows[k], s] *= factor[k]


@register("food_source", "ungulate_kills")
def kills_as_food(m: Any, leaders: np.ndarray, need_kg: np.ndarray, want_kg: np.ndarray) -> np.ndarray:
    """The month's kills of the hunting units led by ``leaders``, removed from the prey; returns
    each unit's food [kg eaten]. ``need_kg``: the units' food needs this month; ``want_kg``: need
    plus the members' reserve deficits (a unit stops hunting once that is covered)."""
    p = m.params
    prey = m.prey
    r0, r1, c0, c1, avail, density, attack, handling = hunting_grounds(m, leaders, need_kg)
    per_day = m.fr_rule(density, attack, handling)
    kills = m.rng.poisson(per_day * DAYS_PER_MONTH).astype(float)
    kept = kills_kept(m, r0, r1, c0, c1)
    hunted, food = _satiate(kills, avail, want_kg, m.prey_mass, p.edible_fraction, kept)
    if hunted.size:        # all the boxes: those without kills take nothing (and the prey stays as it is)
        prey.remove_kills_in_boxes(r0, r1, c0, c1, kills)
    m.observe_hunt(leaders, density, kills)
    return food


def hunting_grounds(m: Any, leaders: np.ndarray, need_kg: np.ndarray, hunger: np.ndarray | None = None) -> tuple:
    """Where and how the units led by ``leaders`` hunt this month (``need_kg``: their food needs
    [kg/month]; ``hunger``: their reserve deficits 0-1, by default :func:`reserve_deficit`,
    computed in the same compiled pass): their boxes
    (r0, r1, c0, c1: rows and columns of landscape cells), the prey in them [animals] and its
    density [animals/km²], their attack rates [km²/day] and handling times [days per kill] per
    species (:func:`_hunting_grounds`). A walker hunting inside settled ranges finds what their
    residents claim already taken: its attack rates x (1 - the claimed share,
    :func:`sim.life.ranges.claimed_share`)."""
    p = m.params
    pop = m.cheetahs
    land = m.landscape
    units, need = m.roster()
    boxes, grounds, walking = _hunting_grounds(
        pop.home_row, pop.home_col, pop.row, pop.col, pop.hr_radius_km, pop.origin, pop.months_free,
        pop.mother, pop.birth, pop.clock, leaders, need_kg, _NO_HUNGER if hunger is None else hunger,
        units.owner, need, pop.condition, m.prey.table(), m.prey.factor, land.rows,
        land.cols, land.cell_km, m.prey_attack_km2, m.prey_handling_days, p.walker_hunt_radius_km,
        p.food_kg_per_day * DAYS_PER_MONTH, p.search_path_km_per_day, p.den_search_factor, p.den_months,
        p.hunger_effort, p.captive_hunting_factor, CAPTIVE)
    out = (*boxes, *grounds)
    attack = out[6]
    if walking.size and m.density.uses_prey:
        taken = ranges.claimed_share(m, pop.row[leaders[walking]], pop.col[leaders[walking]], p.walker_hunt_radius_km)
        _scale_rows(attack, walking, 1.0 - taken)
    return out


_NO_HUNGER = np.zeros(0)      # hunting_grounds: the reserve deficits are computed from the members


def kills_kept(m: Any, r0, r1, c0, c1) -> np.ndarray:
    """Share of its kills each unit keeps: 1 - ``kleptoparasitism`` (scavengers), x exp(-Σ
    ``kleptoparasitism_per_<kind>`` x the kind's mean density [animals/km²] in the unit's box)."""
    p = m.params
    exponent = None
    for kind, table in m.competitor_tables.items():         # the kinds present, in the landscape's order
        k = getattr(p, f"kleptoparasitism_per_{kind}")
        if k:
            if exponent is None:
                exponent = np.zeros(r0.size)
            _add_box_mean(exponent, k, table, r0, r1, c0, c1)
    if exponent is None:                                    # exp(-0) = 1
        return np.full(r0.size, 1.0 - p.kleptoparasitism)
    return (1.0 - p.kleptoparasitism) * np.exp(-exponent)


def _box_mean(sat, r0, r1, c0, c1):
    """Mean per cell of a layer (its summed-area table ``sat``) in boxes (numpy; :func:`_add_box_mean`)."""
    cells = np.maximum((r1 - r0) * (c1 - c0), 1)
    return (sat[r1, c1] - sat[r0, c1] - sat[r1, c0] + sat[r0, c0]) / cells


@njit(cache=True)
def _add_box_mean(exponent, k, sat, r0, r1, c0, c1):
    """exponent += k x :func:`_box_mean` (sat, r0, r1, c0, c1), in place, in one pass."""
    for i in range(exponent.size):
        cells = max((r1[i] - r0[i]) * (c1[i] - c0[i]), 1)
        exponent[i] += k * ((sat[r1[i], c1[i]] - sat[r0[i], c1[i]] - sat[r1[i], c0[i]] + sat[r0[i], c0[i]]) / cells)


def reserve_deficit(m: Any, leaders: np.ndarray) -> np.ndarray:
    """The reserve deficit of the units led by ``leaders``: their members' 1 - body condition,
    weighted by each member's food need (0: everyone full; a family whose cubs go hungry is hungry
    even while the mother, who eats first, is full)."""
    units, need = m.roster()
    k = np.searchsorted(units.leaders, leaders)
    return (units.total(need * (1.0 - m.cheetahs.condition)) / np.maximum(units.total(need), 1e-12))[k]


@njit(cache=True)
def _hunting_grounds(home_row, home_col, row, col, hr_radius_km, origin, months_free, mother, birth, clock,
                     leaders, need_kg, hunger, owner, need, condition, sat, f, n_rows, n_cols, cell_km, attack_per_km, handling_days,
                     walker_radius_km, adult_month_kg, path_km, den_factor, den_months, hunger_effort,
                     captive_factor, captive):
    """Each hunting unit's box (its home range, or ``walker_radius_km`` around a walker, as the
    box of the same area), the prey in it [animals] and their density [animals/km²], its attack
    rate per species [km²/day]: its search path (den and hunger effort, see the module
    docstring) x ``attack_per_km`` (2 x detection radius x preference x success, per species;
    x ``captive_factor`` for captive-bred animals in their first free year), and its handling time
    per kill [days], shared by its adult-equivalents.

    ``hunger``: the units' reserve deficits, or an empty array to compute them from the members
    (``owner``: each animal's unit, ``need`` [kg/month], ``condition``; :func:`reserve_deficit`).
    Returns the boxes (r0, r1, c0, c1) as one (4, units) array, (avail, density, attack, handling)
    as one (4, units, species) array, and the walking units (their indices in ``leaders``)."""
    n = leaders.size
    S = sat.shape[0]
    boxes = np.empty((4, n), dtype=np.int64)
    r0, r1, c0, c1 = boxes[0], boxes[1], boxes[2], boxes[3]
    grounds = np.empty((4, n, S))
    avail, density, attack, handling = grounds[0], grounds[1], grounds[2], grounds[3]
    if hunger.size != n:
        hunger = _reserve_deficit(owner, need, condition, leaders)
    walking = np.empty(n, dtype=np.int64)
    n_walking = 0
    in_den = np.zeros(mother.size, dtype=np.bool_)
    for j in range(mother.size):
        if mother[j] >= 0 and clock - birth[j] < den_months:
            in_den[mother[j]] = True
    for i in range(n):
        a = leaders[i]
        if home_row[a] >= 0:
            r, c, radius = home_row[a], home_col[a], hr_radius_km[a]
        else:
            r, c, radius = row[a], col[a], walker_radius_km
            walking[n_walking] = i
            n_walking += 1
        h = np.int64(max(0.0, np.rint(radius * _HALF_SIDE / cell_km)))
        r0[i] = min(max(r - h, 0), n_rows)
        r1[i] = min(max(r + h + 1, 0), n_rows)
        c0[i] = min(max(c - h, 0), n_cols)
        c1[i] = min(max(c + h + 1, 0), n_cols)
        area = max(float((r1[i] - r0[i]) * (c1[i] - c0[i])) * (cell_km * cell_km), 1e-9)
        path = search_path_km(path_km, den_factor, in_den[a], hunger_effort, hunger[i], captive_factor,
                              origin[a] == captive and months_free[a] < 12)
        share = handling_share(need_kg[i], adult_month_kg)
        axes = _box_axes(r0[i], r1[i], c0[i], c1[i], f, n_rows, n_cols, sat.shape[1], sat.shape[2])
        for s in range(S):
            avail[i, s] = _box(sat, s, axes)
            density[i, s] = avail[i, s] / area
            attack[i, s] = path * attack_per_km[s]
            handling[i, s] = handling_days[s] / share
    return boxes, grounds, walking[:n_walking]


@njit(cache=True)
def _reserve_deficit(owner, need, condition, leaders):
    """:func:`reserve_deficit` in one pass: per unit, Σ need x (1 - condition) / max(Σ need, 1e-12)
    over its members (summed in row order, as ``np.bincount``), for the units led by ``leaders``."""
    n_units = 0
    for j in range(owner.size):
        n_units = max(n_units, owner[j] + 1)
    deficit = np.zeros(n_units)
    total = np.zeros(n_units)
    for j in range(owner.size):
        deficit[owner[j]] += need[j] * (1.0 - condition[j])
        total[owner[j]] += need[j]
    out = np.empty(leaders.size)
    for i in range(leaders.size):
        u = owner[leaders[i]]
        out[i] = deficit[u] / max(total[u], 1e-12)
    return out


@njit(cache=True)
def _satiate(kills, avail, want_kg, mass, edible, kept):
    """Kills capped by the prey present; a unit whose kills would feed it more than it wants (plus
    one kill) keeps only the share of each species' kills that covers its want (rounded up).
    ``kills`` is changed in place; returns the units that killed anything and each unit's food
    [kg eaten]: body mass x ``edible`` fraction x the share ``kept`` from kleptoparasites (per unit)."""
    n, S = kills.shape
    food = np.empty(n)
    hunted = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        got = 0.0
        biggest = 0.0
        for s in range(S):
            kills[i, s] = min(kills[i, s], np.floor(avail[i, s]))
            got += kills[i, s] * (mass[s] * edible * kept[i])
            biggest = max(biggest, mass[s] * edible * kept[i])
        if got > want_kg[i] + biggest:
            for s in range(S):
                kills[i, s] = np.ceil(kills[i, s] * (want_kg[i] / got))
        total = 0.0
        for s in range(S):
            total += kills[i, s] * mass[s]
        food[i] = total * edible * kept[i]
        if total > 0:
            hunted[k] = i
            k += 1
    return hunted[:k], food
