"""The landscape and the management values in force after all of a scenario's interventions,
computed without simulating (for the report's map of interventions and the deterministic growth
rate that includes the mortality a scenario imposes)."""

from __future__ import annotations

from types import SimpleNamespace

from .handlers import HANDLERS
from .levers import replay


def landscape_after(scenario, land):
    """``land`` after every landscape-changing intervention of ``scenario`` (fences, roads,
    corridors, patrols, road mitigation at places: :func:`sim.management.levers.replay`; new
    protected areas and water points: their handlers), in schedule order by year. ValueError
    naming the lever that cannot be applied."""
    land, problems = replay(land, scenario)
    if problems:
        raise ValueError("; ".join(problems))
    shim = SimpleNamespace(landscape=land)
    mg = scenario.management
    for kind in ("protected_areas", "water_points"):
        for ev in sorted(getattr(mg, kind), key=lambda e: e.year):
            HANDLERS[kind](shim, ev)
    return shim.landscape


def values_after(scenario) -> dict[str, float]:
    """Enforcement and the global conflict and road factors in force after the scenario's last
    anti_poaching, conflict_mitigation and (global) road_mitigation events."""
    mg = scenario.management

    def last(events, default):
        events = sorted(events, key=lambda e: e.year)
        return events[-1] if events else default

    ap = last(mg.anti_poaching, None)
    cm = last(mg.conflict_mitigation, None)
    rm = last([e for e in mg.road_mitigation if e.at is None], None)
    return {"enforcement": ap.strength if ap else mg.enforcement,
            "human_factor": cm.factor if cm else mg.human_hazard_factor,
            "road_factor": rm.factor if rm else mg.road_hazard_factor}


__all__ = ["landscape_after", "values_after"]
