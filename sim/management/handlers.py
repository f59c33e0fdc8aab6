"""What each kind of intervention does, one handler per kind.

A handler gets the model and the event (a validated entry of the scenario's ``management`` or
``releases``) and returns True if it changed the landscape (the model then recomputes what
depends on it). Landscape changes make a per-replicate copy of the changed layers; the landscape
shared by a worker's replicates is never modified.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..cheetahs.events import add_animals
from ..cheetahs.population import ORIGINS
from ..config.schema import Release
from . import levers
from .places import resolve_cell, where_mask


def release(m: Any, rel: Release) -> bool:
    """Put the release's females, then males, at its site (founders: unrelated, F = 0)."""
    r, c = resolve_cell(m.landscape, rel.site, rel.cell)
    boma = rel.boma_months if rel.method == "soft" else 0
    for male, n in ((False, rel.females), (True, rel.males)):
        if n == 0:
            continue
        slots = []
        for _ in range(n):
            slot = m.genetics.founder()
            m.genetics.hold(slot, new=True)
            slots.append(slot)
        add_animals(m, n, male=male, birth=m.cheetahs.clock - rel.age_months, row=r, col=c,
                    origin=ORIGINS.index(rel.source), soft=rel.method == "soft", boma_months=boma,
                    months_free=0, gslot=np.array(slots, dtype=np.int64))
    m.year_released += rel.females + rel.males
    return False


def anti_poaching(m: Any, ev) -> bool:
    m.enforcement = ev.strength
    return False


def protected_areas(m: Any, ev) -> bool:
    land = m.landscape
    mask = where_mask(land, ev)
    protection = np.maximum(land.protection, np.where(mask, ev.strength, 0.0))
    pas = dict(land.protected_areas)
    pas[ev.name] = mask
    m.landscape = land.replace(protection=protection, protected_areas=pas)
    return True


def water_points(m: Any, ev) -> bool:
    land = m.landscape
    water = land.water.copy()
    for site in ev.sites:
        water[resolve_cell(land, site, None)] = True
    for cell in ev.cells:
        water[int(cell[0]), int(cell[1])] = True
    m.landscape = land.replace(water=water)
    return True


def conflict_mitigation(m: Any, ev) -> bool:
    m.human_factor = ev.factor
    return False


def road_mitigation(m: Any, ev) -> bool:
    """Without places: one factor on every road crossing; with ``at``: the crossing risk of the
    road cells there (:func:`sim.management.levers.road_mitigation_at`)."""
    if ev.at is None:
        m.road_factor = ev.factor
        return False
    m.landscape = levers.road_mitigation_at(m.landscape, ev)
    return True


def _landscape_edit(edit: Callable) -> Callable[[Any, Any], bool]:
    """A handler applying a landscape lever of :mod:`sim.management.levers`."""
    def handler(m: Any, ev) -> bool:
        m.landscape = edit(m.landscape, ev)
        return True
    handler.__doc__ = edit.__doc__
    return handler


def prey_translocations(m: Any, ev) -> bool:
    r, c = resolve_cell(m.landscape, ev.site, ev.cell)
    m.prey.add(ev.species, r, c, float(ev.number))
    return False


HANDLERS: dict[str, Callable[[Any, Any], bool]] = {
    **{kind: _landscape_edit(edit) for kind, edit in levers.EDITS.items()},
    "release": release, "anti_poaching": anti_poaching, "protected_areas": protected_areas, "water_points": water_points,
    "conflict_mitigation": conflict_mitigation, "road_mitigation": road_mitigation,
    "prey_translocations": prey_translocations,
}


def apply_due(m: Any) -> None:
    """Carry out every intervention due this month (releases first, in the scenario's order, then
    in January the yearly kinds in the order of ``YEARLY``, then prey translocations; see
    :class:`sim.management.schedule.Schedule`); recompute what depends on the landscape once if any
    changed it."""
    changed = False
    for kind, ev in m.schedule.due(m.year, m.month):
        changed |= HANDLERS[kind](m, ev)
    if changed:
        m.landscape_changed()
