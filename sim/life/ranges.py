"""Home ranges: residents leave a range that no longer feeds them; walkers settle where habitat,
prey and space allow, with a range just large enough to feed their unit.

Range size emerges from prey: a walker tries 12 radii from ``home_range_radius_min_km`` to
``home_range_radius_max_km`` (geometric steps) and takes the smallest whose prey could supply its
unit's yearly need at ``offtake_fraction_per_year`` (the sustainable offtake share). Space: no
male settles within ``male_territory_spacing_km`` of a resident male's centre; a female does not
settle where ``female_overlap_max`` resident females already centre within her radius.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..cheetahs import events
from ..cheetahs.population import WILD_BORN
from ..registry import register
from ..world.geometry import box_sums, boxes, half_box


@register("settlement", "prey_and_space")
def prey_and_space(model, habitat_ok, prey_ok, space_ok):
    """Settle where habitat is suitable, prey can sustain a home range and no same-sex resident
    excludes it (all three must hold)."""
    return habitat_ok & prey_ok & space_ok


@register("settlement", "space_only")
def space_only(model, habitat_ok, prey_ok, space_ok):
    """Settle wherever habitat and territory allow, ignoring prey (e.g. fenced, fed reserves)."""
    return habitat_ok & space_ok


def range_supply_kg_year(m: Any, rows, cols, radii_km) -> np.ndarray:
    """Food a range can supply sustainably [kg/year]: prey in the range's box x body mass x
    edible fraction x ``offtake_fraction_per_year``. ``radii_km`` broadcasts against rows/cols."""
    p = m.params
    land = m.landscape
    r0, r1, c0, c1 = boxes(rows, cols, half_box(radii_km, land.cell_km), land.shape)
    tot = m.prey.animals_in_boxes(r0, r1, c0, c1)                      # (species, ...)
    return np.tensordot(m.prey_mass, tot, axes=1) * p.edible_fraction * p.offtake_fraction_per_year


def abandon_poor_ranges(m: Any, leaders: np.ndarray, need_kg_year: np.ndarray) -> None:
    """Resident units (``leaders``; ``need_kg_year``: their food needs) leave a range whose prey
    can no longer sustain them (e.g. after the saiga have migrated away) or when the leader's body
    condition is at the starvation threshold."""
    p = m.params
    pop = m.cheetahs
    rows, cols = pop.positions(leaders)
    supply = range_supply_kg_year(m, rows, cols, pop.hr_radius_km[leaders])
    leave = (supply < p.abandon_supply_fraction * need_kg_year) | (pop.condition[leaders] < p.starvation_condition)
    if leave.any():
        events.leave_range(pop, leaders[leave])


def settle_walkers(m: Any, walkers: np.ndarray, residents: np.ndarray, need_kg_year: np.ndarray) -> None:
    """Walking units (``walkers``: their leaders) may settle where they stand (see the module
    docstring), each with probability ``settle_prob_per_month`` where the settlement rule allows.
    Animals released less than a month ago do not settle. ``residents``: leaders of the resident
    units whose space counts."""
    pop = m.cheetahs
    p = m.params
    land = m.landscape
    keep = ~((pop.origin[walkers] != WILD_BORN) & (pop.months_free[walkers] < 1))
    walkers, need_kg_year = walkers[keep], need_kg_year[keep]
    if walkers.size == 0:
        return
    rows, cols = pop.row[walkers], pop.col[walkers]
    habitat_ok = land.habitat[rows, cols] >= p.settle_min_habitat
    radii = m.hr_radii_km
    if m.density.uses_prey:
        supply = range_supply_kg_year(m, rows[:, None], cols[:, None], radii[None, :])   # (n, radii)
        enough = supply >= need_kg_year[:, None]
        prey_ok = enough.any(axis=1)
        radius = np.where(prey_ok, radii[np.argmax(enough, axis=1)], radii[-1])
    else:
        prey_ok = np.ones(walkers.size, dtype=bool)
        radius = np.full(walkers.size, radii[0])
    ok = space_ok(m, walkers, rows, cols, radius, residents)
    ok = np.asarray(m.settle_rule(m, habitat_ok, prey_ok, ok), dtype=bool)
    draw = m.rng.random(walkers.size) < p.settle_prob_per_month
    go = np.flatnonzero(ok & draw)
    if go.size:
        settle(m, walkers[go], rows[go], cols[go], radius[go])


def settle(m: Any, leaders: np.ndarray, rows: np.ndarray, cols: np.ndarray, radius_km: np.ndarray) -> None:
    """Units led by ``leaders`` take home ranges centred on (rows, cols) of ``radius_km``
    (noting whether a road runs through each range, for the road hazard)."""
    land = m.landscape
    r0, r1, c0, c1 = boxes(np.asarray(rows), np.asarray(cols), half_box(radius_km, land.cell_km), land.shape)
    road = box_sums(m.road_table, r0, r1, c0, c1) > 0
    events.settle(m.cheetahs, np.asarray(leaders), np.asarray(rows), np.asarray(cols),
                  np.asarray(radius_km, dtype=float), road)


def space_ok(m: Any, walkers: np.ndarray, rows, cols, radius, residents: np.ndarray) -> np.ndarray:
    """Walkers whose same-sex residents (``residents``: leaders of resident units) leave room at
    their cell (see the module docstring)."""
    p = m.params
    pop = m.cheetahs
    ok = np.ones(walkers.size, dtype=bool)
    if residents.size == 0:
        return ok
    area = m.landscape.cell_area_km2
    res_male = pop.male[residents]
    males, females = residents[res_male], residents[~res_male]
    is_m = pop.male[walkers]
    if males.size and is_m.any():
        mr, mc = pop.positions(males)
        d2 = ((rows[:, None] - mr[None]) ** 2 + (cols[:, None] - mc[None]) ** 2) * area
        ok &= ~(is_m & (d2 < p.male_territory_spacing_km ** 2).any(axis=1))
    if females.size and (~is_m).any():
        fr, fc = pop.positions(females)
        d2 = ((rows[:, None] - fr[None]) ** 2 + (cols[:, None] - fc[None]) ** 2) * area
        crowd = (d2 < (radius[:, None]) ** 2).sum(axis=1)
        ok &= ~(~is_m & (crowd >= p.female_overlap_max))
    return ok
