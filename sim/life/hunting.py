"""Hunting: each unit kills prey in its area by a multi-species functional response; kills are
removed from the prey fields and shared as food (:mod:`sim.life.energetics`).

A resident unit hunts in its home range, a walking one within ``walker_hunt_radius_km`` of where
it stands (both as the box of the same area, :mod:`sim.world.geometry`). The expected kills per
day come from the scenario's functional response rule (type II by default) with attack rate
``search_rate_km2_per_day`` x hunting success x hunger effort x prey preference and handling time
``handling_days`` per kill shared by the unit's adult-equivalents; the month's kills are Poisson
draws, capped by the prey present. A unit stops hunting once its need plus reserve deficit is
covered (satiation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..cheetahs.population import CAPTIVE
from ..registry import register
from ..world.geometry import boxes, half_box
from . import energetics
from .energetics import DAYS_PER_MONTH


@register("functional_response", "type2")
def type2(density, attack, handling_days):
    """Multi-species Holling type II: k_i = a_i D_i / (1 + Σ_j a_j h D_j) kills/day.

    ``density`` (n, s) animals/km²; ``attack`` (n, s) or (s,) km²/day; ``handling_days`` (n,) or scalar.
    """
    ad = attack * density
    h = np.asarray(handling_days, dtype=float)
    if h.ndim == 1:
        h = h[:, None]
    return ad / (1.0 + (ad * h).sum(axis=-1, keepdims=True))


@register("functional_response", "type3")
def type3(density, attack, handling_days):
    """Multi-species Holling type III (sigmoid): attack rate rises with density, a_i D_i²/D_half,
    with D_half = 1 animal/km² (assumption), so rare prey is hardly hunted."""
    ad = attack * density * density
    h = np.asarray(handling_days, dtype=float)
    if h.ndim == 1:
        h = h[:, None]
    return ad / (1.0 + (ad * h).sum(axis=-1, keepdims=True))


def hunt_and_eat(m: Any) -> None:
    """The month's hunting and eating of every unit (see the module docstring). Units in a boma
    do not hunt and are fed; with a ceiling density rule (food unlimited) every unit eats its
    need."""
    pop = m.cheetahs
    if len(pop) == 0:
        return
    p = m.params
    units, need = m.roster()
    want = energetics.wants(p, need, pop.condition)
    unit_need = units.total(need)
    in_boma = pop.boma_months[units.leaders] > 0
    hunt = np.flatnonzero(~in_boma)
    intake = np.zeros(len(units))
    if not m.density.uses_prey:
        intake[hunt] = unit_need[hunt]
    elif hunt.size:
        leaders, need_kg, left = units.leaders[hunt], unit_need[hunt], units.total(want)[hunt]
        for source in m.food_sources:
            food = np.asarray(source(m, leaders, need_kg, left), dtype=float)
            intake[hunt] += food
            left = np.maximum(left - food, 0.0)
    energetics.share_and_digest(m, units, intake, need, want, in_boma)


@register("food_source", "ungulate_kills")
def kills_as_food(m: Any, leaders: np.ndarray, need_kg: np.ndarray, want_kg: np.ndarray) -> np.ndarray:
    """The month's kills of the hunting units led by ``leaders``, removed from the prey; returns
    each unit's food [kg eaten]. ``need_kg``: the units' food needs this month; ``want_kg``: need
    plus the members' reserve deficits (a unit stops hunting once that is covered)."""
    p = m.params
    pop = m.cheetahs
    land = m.landscape
    adult_month = p.food_kg_per_day * DAYS_PER_MONTH
    need_units = np.maximum(1.0, need_kg / adult_month)
    rows, cols = pop.positions(leaders)
    radius = np.where(pop.home_row[leaders] >= 0, pop.hr_radius_km[leaders], p.walker_hunt_radius_km)
    r0, r1, c0, c1 = boxes(rows, cols, half_box(radius, land.cell_km), land.shape)
    avail = m.prey.animals_in_boxes(r0, r1, c0, c1).T                      # (n, species)
    area = ((r1 - r0) * (c1 - c0) * land.cell_area_km2).astype(float)
    density = avail / np.maximum(area, 1e-9)[:, None]
    naive = (pop.origin[leaders] == CAPTIVE) & (pop.months_free[leaders] < 12)
    success = p.hunting_success * np.where(naive, p.captive_hunting_factor, 1.0)
    hunger = 1.0 + p.hunger_effort * (1.0 - pop.condition[leaders])
    attack = p.search_rate_km2_per_day * (success * hunger)[:, None] * m.prey_pref[None, :]
    per_day = m.fr_rule(density, attack, p.handling_days / need_units)
    kills = np.minimum(m.rng.poisson(per_day * DAYS_PER_MONTH), np.floor(avail)).astype(float)
    # satiation: a unit stops hunting once its need and reserve deficit are covered
    eaten_per_kill = m.prey_mass * p.edible_fraction * (1.0 - p.kleptoparasitism)
    got = kills @ eaten_per_kill
    over = got > want_kg + eaten_per_kill.max()
    if over.any():
        kills[over] = np.ceil(kills[over] * (want_kg[over] / got[over])[:, None])
    hunted = np.flatnonzero(kills.sum(axis=1) > 0)
    if hunted.size:
        m.prey.remove_kills_in_boxes(r0[hunted], r1[hunted], c0[hunted], c1[hunted], kills[hunted])
    m.observe_hunt(leaders, density, kills)
    return (kills * m.prey_mass).sum(axis=1) * p.edible_fraction * (1.0 - p.kleptoparasitism)
