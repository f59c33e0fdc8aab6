"""Releases and scheduled interventions, applied by the model when they fall due.

Year-level interventions (fence gaps, fence removal, anti-poaching, new protected areas, water
points, conflict and road mitigation) take effect in January of their year. Releases and prey
translocations happen in their own month. Landscape changes make a per-replicate copy of the
changed layers; the shared landscape of the worker is never modified.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from ..config.schema import Release, Scenario, Where

if TYPE_CHECKING:  # pragma: no cover
    from ..model.model import ReintroductionModel


def resolve_cell(land, site: str | None, cell) -> tuple[int, int]:
    """The (row, col) of a named site or an explicit cell."""
    if site is not None:
        if site not in land.sites:
            raise KeyError(f"no release site named {site!r}; sites: {', '.join(sorted(land.sites))}")
        r, c = land.sites[site]
        return int(r), int(c)
    return int(cell[0]), int(cell[1])


def where_mask(land, where: Where) -> np.ndarray:
    """Bool mask of the cells a Where selects (box, or disk around a site or cell)."""
    if where.box is not None:
        r0, c0, r1, c1 = where.box
        mask = np.zeros(land.shape, dtype=bool)
        mask[max(r0, 0): r1 + 1, max(c0, 0): c1 + 1] = True
        return mask
    r, c = resolve_cell(land, where.site, where.cell)
    return land.cells_within(r, c, where.radius_km)


class Schedule:
    """Interventions of a scenario indexed by (year, month 0-11)."""

    def __init__(self, scenario: Scenario) -> None:
        self.events: dict[tuple[int, int], list[tuple[str, object]]] = defaultdict(list)
        for rel in scenario.releases:
            for year, month in rel.events():
                self.events[(year, month - 1)].append(("release", rel))
        mg = scenario.management
        for kind in ("fence_gaps", "fence_removal", "anti_poaching", "protected_areas", "water_points",
                     "conflict_mitigation", "road_mitigation"):
            for ev in getattr(mg, kind):
                self.events[(ev.year, 0)].append((kind, ev))
        for tr in mg.prey_translocations:
            n = tr.repeat.times if tr.repeat else 1
            step = tr.repeat.every_years if tr.repeat else 1
            for i in range(n):
                self.events[(tr.year + i * step, tr.month - 1)].append(("prey_translocations", tr))
        self.release_years = sorted({y for (y, _), evs in self.events.items()
                                     for k, _ in evs if k == "release"})

    def due(self, year: int, month: int) -> list[tuple[str, object]]:
        return self.events.get((year, month), [])

    def releases_after(self, year: int) -> bool:
        return any(y > year for y in self.release_years)


def apply_due(model: "ReintroductionModel", year: int, month: int) -> None:
    """Carry out every intervention due this month."""
    landscape_changed = False
    for kind, ev in model.schedule.due(year, month):
        land = model.landscape
        if kind == "release":
            release(model, ev)  # type: ignore[arg-type]
        elif kind == "fence_gaps":
            fences = tuple(f.with_more_gaps(ev.add) if f.name == ev.fence else f for f in land.fences)
            model.landscape = land.replace(fences=fences)
            landscape_changed = True
        elif kind == "fence_removal":
            fences = tuple(f.removed() if f.name == ev.fence else f for f in land.fences)
            model.landscape = land.replace(fences=fences)
            landscape_changed = True
        elif kind == "anti_poaching":
            model.enforcement = ev.strength
        elif kind == "protected_areas":
            mask = where_mask(land, ev)
            protection = np.maximum(land.protection, np.where(mask, ev.strength, 0.0))
            pas = dict(land.protected_areas)
            pas[ev.name] = mask
            model.landscape = land.replace(protection=protection, protected_areas=pas)
            landscape_changed = True
        elif kind == "water_points":
            water = land.water.copy()
            for site in ev.sites:
                water[resolve_cell(land, site, None)] = True
            for cell in ev.cells:
                water[int(cell[0]), int(cell[1])] = True
            model.landscape = land.replace(water=water)
            landscape_changed = True
        elif kind == "conflict_mitigation":
            model.human_factor = ev.factor
        elif kind == "road_mitigation":
            model.road_factor = ev.factor
        elif kind == "prey_translocations":
            r, c = resolve_cell(land, ev.site, ev.cell)
            model.prey.add(ev.species, r, c, float(ev.number))
    if landscape_changed:
        model.landscape_changed()


def release(model: "ReintroductionModel", rel: Release) -> None:
    """Put the release's females and males at its site (founders: unrelated, F = 0)."""
    from ..cheetahs.cheetah import Cheetah

    r, c = resolve_cell(model.landscape, rel.site, rel.cell)
    boma = rel.boma_months if rel.method == "soft" else 0
    for sex, n in (("F", rel.females), ("M", rel.males)):
        for _ in range(n):
            slot = model.genetics.founder()
            model.hold_slot(slot, new=True)
            Cheetah(model, sex, rel.age_months, r, c, origin=rel.source, gslot=slot,
                    method=rel.method, boma_months=boma)
    model.year_released += rel.females + rel.males
