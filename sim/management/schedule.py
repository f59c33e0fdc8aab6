"""When the scenario's interventions fall due.

Year-level interventions (new fences and roads, fence gaps, closure and removal, anti-poaching,
new protected areas, ranger patrols, corridors, water points, conflict and road mitigation) take
effect in January of their year, in the order of :data:`YEARLY`. Releases and prey
translocations happen in their own month.
"""

from __future__ import annotations

from collections import defaultdict

from ..config.schema import Scenario, repeat_years

#: Management keys that take effect in January of their year, in the order they are applied.
YEARLY = ("new_fences", "roads", "fence_gaps", "fence_closure", "fence_removal", "anti_poaching",
          "protected_areas", "patrols", "corridors", "water_points", "conflict_mitigation", "road_mitigation")


class Schedule:
    """Interventions of a scenario indexed by (year, month 0-11): lists of (kind, event)."""

    def __init__(self, scenario: Scenario) -> None:
        self.events: dict[tuple[int, int], list[tuple[str, object]]] = defaultdict(list)
        for rel in scenario.releases:
            for year, month in rel.events():
                self.events[(year, month - 1)].append(("release", rel))
        mg = scenario.management
        for kind in YEARLY:
            for ev in getattr(mg, kind):
                self.events[(ev.year, 0)].append((kind, ev))
        for tr in mg.prey_translocations:
            for year in repeat_years(tr.year, tr.repeat):
                self.events[(year, tr.month - 1)].append(("prey_translocations", tr))
        self.release_years = sorted({y for (y, _), evs in self.events.items()
                                     for k, _ in evs if k == "release"})

    def due(self, year: int, month: int) -> list[tuple[str, object]]:
        return self.events.get((year, month), [])

    def releases_after(self, year: int) -> bool:
        return any(y > year for y in self.release_years)
