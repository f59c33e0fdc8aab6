"""What the Roadmap's spatial levers do to the landscape: corridors, ranger patrols, new roads and
railways, road mitigation at places, fence gaps at places, fences closed again and new fences.

Each lever is a pure function ``(landscape, event) -> landscape`` returning a new landscape
(layers it does not change are shared): the model applies it when the event falls due
(:mod:`sim.management.handlers`), and ``check`` replays every edit of a scenario in schedule order
on the built landscape (:func:`replay`), so a lever that cannot be applied (a line that crosses no
cell edge, an unknown fence or site) is refused before a run starts. The event's keys are
documented in :mod:`sim.config.levers`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..world import lines
from ..world.landscape import Feature, Landscape
from .places import where_mask


def mask_of(land: Landscape, place) -> np.ndarray:
    """Bool mask of the cells a place selects (box, or disk around a site or cell); KeyError for
    an unknown site, ValueError for a cell or box off the map."""
    rows, cols = land.shape
    if place.cell is not None and not land.inside(*place.cell):
        raise ValueError(f"cell [{place.cell[0]}, {place.cell[1]}] is outside the grid (rows 0-{rows - 1}, "
                         f"cols 0-{cols - 1})")
    if place.box is not None:
        r0, c0, r1, c1 = place.box
        if not (0 <= r0 <= r1 < rows and 0 <= c0 <= c1 < cols):
            raise ValueError(f"box [{r0}, {c0}, {r1}, {c1}] must satisfy 0 ≤ row0 ≤ row1 ≤ {rows - 1} and "
                             f"0 ≤ col0 ≤ col1 ≤ {cols - 1}")
    return where_mask(land, place)


def place_mask(land: Landscape, places) -> np.ndarray:
    """Bool mask of the cells any of ``places`` selects (:func:`mask_of`)."""
    mask = np.zeros(land.shape, dtype=bool)
    for p in places:
        mask |= mask_of(land, p)
    return mask


class LeverError(ValueError):
    """A lever that cannot be applied to the landscape; ``key`` names the event's key at fault."""

    def __init__(self, key: str, text: str) -> None:
        super().__init__(text)
        self.key = key


def _fence_named(land: Landscape, name: str):
    for f in land.fences:
        if f.name == name:
            return f
    names = [f.name for f in land.fences]
    raise LeverError("fence", f"no fence named {name!r} in the {land.name} landscape"
                     + (f" (fences: {', '.join(names)})" if names else " (it has no fences)"))


def _with_fence(land: Landscape, fence) -> tuple:
    return tuple(fence if f.name == fence.name else f for f in land.fences)


def _feature(name: str, kind: str, mask: np.ndarray) -> Feature:
    return Feature(name, kind, np.argwhere(mask).astype(np.int64), approximate=False)


def corridor(land: Landscape, ev) -> Landscape:
    """Inside the corridor: herder pressure x (1 - human_reduction), patrol at least ``patrol``,
    habitat at least ``habitat_floor``, fence edges opened (``open_fences``), road crossing risk
    x ``road_risk_factor``."""
    inside = (lines.polygon(land, ev.polygon) if ev.polygon is not None
              else lines.band(land, lines.line_of(land, ev)[0], ev.width_km))
    changes: dict[str, Any] = dict(
        human=np.where(inside, land.human * (1.0 - ev.human_reduction), land.human),
        patrol=np.where(inside, np.maximum(land.patrol, ev.patrol), land.patrol),
        features=land.features + (_feature(ev.name, "corridor", inside),))
    if ev.habitat_floor > 0:
        changes["habitat"] = np.where(inside, np.maximum(land.habitat, ev.habitat_floor), land.habitat)
    if ev.open_fences and land.fences:
        changes["fences"] = tuple(f.__class__(f.name, f.edges, f.gaps | lines.edges_in(f, inside), f.approximate)
                                  for f in land.fences)
    if ev.road_risk_factor != 1.0:
        changes["road_risk"] = np.where(inside, land.road_risk * ev.road_risk_factor, land.road_risk)
    return land.replace(**changes)


def patrol(land: Landscape, ev) -> Landscape:
    """Ranger patrols of ``strength`` at the place (the strongest patrol acts where zones overlap)."""
    inside = mask_of(land, ev)
    return land.replace(patrol=np.where(inside, np.maximum(land.patrol, ev.strength), land.patrol),
                        features=land.features + (_feature(ev.name, "patrol", inside),))


def new_road(land: Landscape, ev) -> Landscape:
    """The line's cells become road cells of risk 1 (x ``passage_risk`` at its passages); a
    fenced line also gets a fence named after it, open at the passages."""
    parts, between_centres = lines.line_of(land, ev)
    cells = lines.line_cells(land, parts)
    on_line = np.zeros(land.shape, dtype=bool)
    on_line[cells[:, 0], cells[:, 1]] = True
    at_passage = place_mask(land, ev.passages)
    road = land.road | on_line
    risk = np.where(on_line & ~land.road, 1.0, land.road_risk)
    risk = np.where(on_line & at_passage, risk * ev.passage_risk, risk)
    changes: dict[str, Any] = dict(road=road, road_risk=risk,
                                   features=land.features + (_feature(ev.name, "road", on_line),))
    if ev.fenced:
        fence = lines.fence_along(land, parts, ev.name, extend=between_centres)
        if any(f.name == ev.name for f in land.fences):
            raise LeverError("name", f"a fence named {ev.name!r} exists already; give the road another name")
        fence = fence.__class__(fence.name, fence.edges, lines.edges_in(fence, at_passage), fence.approximate)
        changes["fences"] = land.fences + (fence,)
    return land.replace(**changes)


def road_mitigation_at(land: Landscape, ev) -> Landscape:
    """Crossing risk of the road cells at ``ev.at`` x ``ev.factor`` (crossing structures, speed limits)."""
    inside = place_mask(land, ev.at) & land.road
    return land.replace(road_risk=np.where(inside, land.road_risk * ev.factor, land.road_risk))


def fence_gaps(land: Landscape, ev) -> Landscape:
    """``ev.spread`` more gaps spread evenly along the fence, or its edges at ``ev.at`` opened."""
    f = _fence_named(land, ev.fence)
    if ev.at is None:
        return land.replace(fences=_with_fence(land, f.with_more_gaps(ev.spread)))
    opened = f.__class__(f.name, f.edges, f.gaps | lines.edges_in(f, place_mask(land, ev.at)), f.approximate)
    return land.replace(fences=_with_fence(land, opened))


def fence_removal(land: Landscape, ev) -> Landscape:
    """The fence taken down (every edge open; the line is kept for the map)."""
    return land.replace(fences=_with_fence(land, _fence_named(land, ev.fence).removed()))


def fence_closure(land: Landscape, ev) -> Landscape:
    """The fence's gaps closed again: all of them, or those at ``ev.at``."""
    f = _fence_named(land, ev.fence)
    gaps = np.zeros_like(f.gaps) if ev.at is None else f.gaps & ~lines.edges_in(f, place_mask(land, ev.at))
    return land.replace(fences=_with_fence(land, f.__class__(f.name, f.edges, gaps, f.approximate)))


def new_fence(land: Landscape, ev) -> Landscape:
    """A closed fence along the line, open at ``ev.gaps``."""
    if any(f.name == ev.name for f in land.fences):
        raise LeverError("name", f"a fence named {ev.name!r} exists already; give the new fence another name")
    parts, between_centres = lines.line_of(land, ev)
    f = lines.fence_along(land, parts, ev.name, extend=between_centres)
    f = f.__class__(f.name, f.edges, lines.edges_in(f, place_mask(land, ev.gaps)), f.approximate)
    return land.replace(fences=land.fences + (f,))


#: Landscape edits by management key. ``road_mitigation`` edits the landscape only with ``at``.
EDITS: dict[str, Callable[[Landscape, Any], Landscape]] = {
    "new_fences": new_fence, "roads": new_road, "fence_gaps": fence_gaps, "fence_closure": fence_closure,
    "fence_removal": fence_removal, "corridors": corridor, "patrols": patrol,
}


def replay(land: Landscape, scenario) -> tuple[Landscape, list[str]]:
    """Apply every landscape lever of ``scenario`` in schedule order (year, then the order of
    :data:`sim.management.schedule.YEARLY`) to ``land``; returns the final landscape and one
    message per edit that cannot be applied (``management.<key>[i]: why``)."""
    from .schedule import YEARLY

    mg = scenario.management
    events = sorted(((ev.year, YEARLY.index(kind), i, kind, ev)
                     for kind in YEARLY if kind in EDITS or kind == "road_mitigation"
                     for i, ev in enumerate(getattr(mg, kind))), key=lambda e: e[:3])
    problems = []
    for _, _, i, kind, ev in events:
        try:
            if kind == "road_mitigation":
                if ev.at is not None:
                    land = road_mitigation_at(land, ev)
            else:
                land = EDITS[kind](land, ev)
        except LeverError as e:
            problems.append(f"management.{kind}[{i}].{e.key}: {e}")
        except (KeyError, ValueError) as e:
            problems.append(f"management.{kind}[{i}]: {e.args[0] if e.args else e}")
    return land, problems


__all__ = ["EDITS", "LeverError", "replay", "place_mask", "corridor", "patrol", "new_road", "road_mitigation_at", "fence_gaps",
           "fence_removal", "fence_closure", "new_fence"]
