"""Landscape presets by name: the stylised ``ustyurt`` map and the ``uniform`` rectangle.

:func:`build_preset` turns a :class:`sim.config.schema.LandscapeSpec` into a
:class:`sim.world.landscape.Landscape` with the builder its ``preset`` names
(:func:`sim.world.ustyurt.build_ustyurt`, :func:`sim.world.uniform.build_uniform`). The ``gis``
preset reads files, so it is built by :func:`sim.world.build.build_landscape` (which knows the
scenario's folder) with :func:`sim.world.gis.build_gis`; its extent, for the size check, comes
from its bounds or habitat raster (:func:`preset_extent_km` with ``base_dir``).
"""

from __future__ import annotations

from pathlib import Path

from .geometry import MAX_CELLS, grid_shape, max_cells
from .gis import gis_extent_km
from .landscape import Landscape
from .uniform import build_uniform
from .ustyurt import build_ustyurt
from .ustyurt_data import MAP_HEIGHT_KM, MAP_WIDTH_KM

# MAX_CELLS, the largest grid a scenario may ask for, lives in sim.world.geometry (below the raster
# readers, which check .npy headers against it) and is imported from here as before.


def preset_extent_km(spec, base_dir: str | Path = ".") -> tuple[float, float]:
    """(height, width) [km] of the map a LandscapeSpec names. For ``gis``: of its grid (whole
    cells over ``gis.bounds``, or the habitat raster's extent, read from ``base_dir``; a file
    problem raises :class:`sim.world.gis.GisError`)."""
    if spec.preset == "gis":
        return gis_extent_km(spec, base_dir)
    return (MAP_HEIGHT_KM, MAP_WIDTH_KM) if spec.preset == "ustyurt" else (spec.height_km, spec.width_km)


def grid_size_problem(spec, base_dir: str | Path = ".") -> str | None:
    """Why the spec's grid is too large to build (with the smallest cell_km allowed), or None.
    ``base_dir``: the scenario file's folder (a gis grid without bounds takes the habitat raster's extent)."""
    h, w = preset_extent_km(spec, base_dir)
    if spec.preset == "gis":       # ceil, as the gis grid covers its whole bounds
        rows, cols = max(1, round(h / spec.cell_km)), max(1, round(w / spec.cell_km))
    else:
        rows, cols = grid_shape(h, w, spec.cell_km)
    most = max_cells()
    if rows * cols <= most:
        return None
    finest = (h * w / most) ** 0.5
    keys = {"ustyurt": "cell_km", "gis": "cell_km or landscape.gis.bounds"}.get(spec.preset,
                                                                                "cell_km, width_km or height_km")
    return (f"landscape.cell_km: got {spec.cell_km:g} km on a {w:g} x {h:g} km map, i.e. {rows:,} x {cols:,} = "
            f"{rows * cols:,} cells; at most {most:,} cells (memory grows with cells); change {keys} "
            f"(on this map cell_km ≥ {finest:.2f} km), or raise the limit with --limit cells=N "
            "(or SIM_LIMITS=cells=N) if you have the memory")


def build_preset(spec) -> Landscape:
    """Build the landscape a LandscapeSpec names (``spec.preset``: ``ustyurt`` or ``uniform``)."""
    builders = {"ustyurt": build_ustyurt, "uniform": build_uniform}
    if spec.preset == "gis":
        raise ValueError("landscape.preset gis reads files relative to the scenario's folder: build it with "
                         "sim.world.build.build_landscape(spec, base_dir)")
    if spec.preset not in builders:
        raise ValueError(f"landscape.preset: got {spec.preset!r}, must be one of: {', '.join(builders)}")
    return builders[spec.preset](spec)


__all__ = ["build_preset", "grid_size_problem", "preset_extent_km", "MAX_CELLS"]
