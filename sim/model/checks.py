"""Checks of loaded scenarios that need more than the schema: the built landscape, the rule registry.

:func:`check_against_landscape`: every named site and fence exists, cells and boxes lie inside the
grid, prey that start with animals have capacity, the prey grid keeps the fenced areas apart.
:func:`build_scenario_landscape` builds a scenario's landscape with raster paths relative to its
file; :func:`check_rules`: rule names are registered (:mod:`sim.registry`). :func:`check_all`
runs them over every loaded scenario and reports all problems at once, as one
:class:`~sim.config.errors.ScenarioError`. Kept apart from loading because they build landscapes
(seconds for fine grids), which ``load_scenarios`` alone never does.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .. import life, registry  # noqa: F401  (importing sim.life registers the built-in rules)
from ..world.build import build_landscape
from ..world.presets import grid_size_problem
from ..world.coarsen import coarsened, prey_factor
from ..world.landscape import Landscape
from ..world.rasters import LayerError
from ..config.errors import ScenarioError
from ..config.messages import show_number
from ..config.schema import Scenario
from ..management.levers import replay
from ..config.params import SPECIES
from ..prey.tables import capacity_layers


def check_against_landscape(scenario: Scenario, landscape: Landscape, file: str | Path) -> None:
    """Raise ScenarioError unless every site, cell and fence the scenario names exists.

    Checks release, water-point, protected-area and prey-translocation sites (against
    ``landscape.sites``), cells and boxes (inside the grid), management fences (against
    ``landscape.fences``), that prey species starting with animals have some capacity in
    January (the model starts in January and spreads them in proportion to capacity), and that
    the prey grid (``landscape.prey_cell_km``) keeps the areas the fences separate.
    Collects every problem.
    """
    problems: list[str] = []
    sites = sorted(landscape.sites)
    rows, cols = landscape.rows, landscape.cols

    def site_ok(path: str, site: str | None) -> None:
        if site is None or site in landscape.sites:
            return
        text = f"{path}: no site named {site!r} in the {landscape.name} landscape"
        close = difflib.get_close_matches(site, sites, n=1, cutoff=0.6)
        if close:
            text += f"; did you mean {close[0]!r}?"
        text += f" (sites: {', '.join(sites)})" if sites else " (it has no named sites; give a cell [row, col])"
        problems.append(text)

    def cell_ok(path: str, cell: tuple[int, int] | None) -> None:
        if cell is None:
            return
        r, c = cell
        if not (0 <= r < rows and 0 <= c < cols):
            problems.append(f"{path}: cell [{r}, {c}] is outside the grid (rows 0-{rows - 1}, "
                            f"cols 0-{cols - 1})")

    for i, rel in enumerate(scenario.releases):
        site_ok(f"releases[{i}].site", rel.site)
        cell_ok(f"releases[{i}].cell", rel.cell)
    mg = scenario.management
    for i, wp in enumerate(mg.water_points):
        for j, s in enumerate(wp.sites):
            site_ok(f"management.water_points[{i}].sites[{j}]", s)
        for j, c in enumerate(wp.cells):
            cell_ok(f"management.water_points[{i}].cells[{j}]", c)
    for i, pa in enumerate(mg.protected_areas):
        site_ok(f"management.protected_areas[{i}].site", pa.site)
        cell_ok(f"management.protected_areas[{i}].cell", pa.cell)
        if pa.box is not None:
            r0, c0, r1, c1 = pa.box
            if not (0 <= r0 <= r1 < rows and 0 <= c0 <= c1 < cols):
                problems.append(f"management.protected_areas[{i}].box: [{r0}, {c0}, {r1}, {c1}] must "
                                f"satisfy 0 ≤ row0 ≤ row1 ≤ {rows - 1} and 0 ≤ col0 ≤ col1 ≤ {cols - 1}")
    for i, tr in enumerate(mg.prey_translocations):
        site_ok(f"management.prey_translocations[{i}].site", tr.site)
        cell_ok(f"management.prey_translocations[{i}].cell", tr.cell)
    # Fences, roads, corridors, patrols: replayed in schedule order (a fence may be built before
    # its gaps are opened), so check refuses what the run could not apply.
    final, lever_problems = replay(landscape, scenario)
    problems += lever_problems
    capacity = landscape.capacity
    for species in SPECIES:                 # the layers the prey tables read (a run failed without them)
        sp = getattr(scenario.prey, species)
        missing = [k for k in dict.fromkeys(capacity_layers(species, sp)) if k not in capacity]
        if missing:
            need = (f"a migratory species needs {species}_winter and {species}_summer" if sp.migratory
                    else f"a resident species needs one layer {species}")
            problems.append(f"prey.{species}.migratory: got {str(sp.migratory).lower()}, but the "
                            f"{landscape.name} landscape has no capacity layer {', '.join(missing)} ({need}; "
                            f"it has {', '.join(sorted(capacity))}); set prey.{species}.migratory: "
                            f"{str(not sp.migratory).lower()}")
    for species, layer in (("saiga", "saiga_winter"), ("gazelle", "gazelle"), ("urial", "urial")):
        sp = getattr(scenario.prey, species)
        k = capacity.get(layer)
        if sp.initial_total > 0 and k is not None and (sp.capacity_multiplier == 0 or not (k > 0).any()):
            hint = {"uniform": f", or give it capacity with landscape.{species}_density",
                    "gis": f", or give it capacity with landscape.gis.rasters.{layer} or landscape.gis.values.{layer}",
                    }.get(scenario.landscape.preset, "")
            problems.append(f"prey.{species}.initial_total: got {show_number(sp.initial_total)} animals, but the "
                            f"{landscape.name} landscape has no {species} capacity (layer {layer}, "
                            f"January); set prey.{species}.initial_total: 0{hint}")
    factor = prey_factor(landscape.cell_km, scenario.landscape.prey_cell_km)
    for land, when in ((landscape, ""), (final, " once the scenario's fences are built")):
        try:                                    # the prey grid must keep the fence regions apart
            coarsened(land, factor)
        except ValueError as e:
            problems.append(f"landscape.prey_cell_km{when}: {e}")
            break
    if problems:
        raise ScenarioError(file, *problems)


def build_scenario_landscape(scenario: Scenario, file: str | Path) -> Landscape:
    """Build the scenario's landscape, raster paths relative to the file's folder.

    Raster and GIS file problems (:class:`sim.world.rasters.LayerError`, and its subclass
    :class:`sim.world.gis_vectors.GisError`) become a ScenarioError naming the file. The grid's
    size is checked first (a gis grid's from its bounds or habitat raster), before anything is built.
    """
    try:
        too_large = grid_size_problem(scenario.landscape, Path(file).parent)
        if too_large:
            raise ScenarioError(file, too_large)
        return build_landscape(scenario.landscape, base_dir=Path(file).parent)
    except LayerError as e:
        raise ScenarioError(file, str(e)) from None


def build_and_check(scenario: Scenario, file: str | Path) -> Landscape:
    """Build the scenario's landscape and run :func:`check_against_landscape`; returns it."""
    land = build_scenario_landscape(scenario, file)
    check_against_landscape(scenario, land, file)
    return land


def check_rules(scenario: Scenario, file: str | Path) -> None:
    """Raise ScenarioError unless each ``rules.*`` name is registered in :mod:`sim.registry`
    (the built-in rules of :mod:`sim.life`, registered when it is imported, and those of plugins).

    Import plugins (:func:`sim.registry.load_plugin`) before calling this, so their rules count.
    """
    kinds = {"hazards": "hazard", "food_sources": "food_source"}
    problems = []
    for key, value in scenario.rules.model_dump().items():
        kind = kinds.get(key, key)
        allowed = registry.available(kind)
        listed = isinstance(value, (list, tuple))
        for i, name in enumerate(value if listed else [value]):
            if name in allowed:
                continue
            where = f"rules.{key}.{i}" if listed else f"rules.{key}"
            text = f"{where}: got {name!r}, must be one of: {', '.join(allowed)}"
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.7)
            if close:
                text += f"; did you mean {close[0]!r}?"
            text += " (a plugin file given with --plugin can register more)"
            problems.append(text)
    if problems:
        raise ScenarioError(file, *problems)


def check_all(loaded: list[tuple[Scenario, Path]], *, landscape: bool = True) -> None:
    """Rule names and (optionally) landscape checks for every loaded scenario; all problems at once.

    A problem shared by several scenarios of one file (e.g. every member of a sweep) is reported
    once, with the scenario names, when the file holds more than one scenario.
    """
    per_file = {f: sum(1 for _, g in loaded if g == f) for _, f in loaded}
    found: dict[tuple[str, str], list[str]] = {}
    for s, f in loaded:
        for check in ((check_rules, build_and_check) if landscape else (check_rules,)):
            try:
                check(s, f)
            except ScenarioError as e:
                for file, text in e.problems:
                    found.setdefault((file, text), []).append(s.name)
    if not found:
        return
    problems = []
    for (file, text), names in found.items():
        if per_file.get(Path(file), 1) > 1:
            shown = ", ".join(repr(n) for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            text = f"scenario{'s' * (len(names) > 1)} {shown}: {text}"
        problems.append((file, text))
    raise ScenarioError.from_problems(problems)


__all__ = ["check_against_landscape", "build_scenario_landscape", "build_and_check", "check_rules",
           "check_all"]
