"""Landscape presets by name: the stylised ``ustyurt`` map and the ``uniform`` rectangle.

:func:`build_preset` turns a :class:`sim.config.schema.LandscapeSpec` into a
:class:`sim.world.landscape.Landscape` with the builder its ``preset`` names
(:func:`sim.world.ustyurt.build_ustyurt`, :func:`sim.world.uniform.build_uniform`).
"""

from __future__ import annotations

from .geometry import grid_shape
from .landscape import Landscape
from .uniform import build_uniform
from .ustyurt import build_ustyurt
from .ustyurt_data import MAP_HEIGHT_KM, MAP_WIDTH_KM

#: Largest landscape grid a scenario may ask for [cells]. Building a map takes ~240 bytes a cell
#: at its peak (measured on the ustyurt preset: 34 MiB at 42,728 cells, 186 MiB at 683,648) and
#: the model keeps several arrays a cell per replicate; 1.5 million cells is the ustyurt map on
#: ~0.42 km cells, 35 x the default's cells. A finer cell_km (0.11 km: 22 million cells, ~5 GiB)
#: would exhaust a laptop's memory at ``check``, before any message.
MAX_CELLS = 1_500_000


def preset_extent_km(spec) -> tuple[float, float]:
    """(height, width) [km] of the map a LandscapeSpec names."""
    return (MAP_HEIGHT_KM, MAP_WIDTH_KM) if spec.preset == "ustyurt" else (spec.height_km, spec.width_km)


def grid_size_problem(spec) -> str | None:
    """Why the spec's grid is too large to build (with the smallest cell_km allowed), or None."""
    h, w = preset_extent_km(spec)
    rows, cols = grid_shape(h, w, spec.cell_km)
    if rows * cols <= MAX_CELLS:
        return None
    finest = (h * w / MAX_CELLS) ** 0.5
    keys = "cell_km" if spec.preset == "ustyurt" else "cell_km, width_km or height_km"
    return (f"landscape.cell_km: got {spec.cell_km:g} km on a {w:g} x {h:g} km map, i.e. {rows:,} x {cols:,} = "
            f"{rows * cols:,} cells; at most {MAX_CELLS:,} cells (memory grows with cells); change {keys} "
            f"(on this map cell_km ≥ {finest:.2f} km)")


def build_preset(spec) -> Landscape:
    """Build the landscape a LandscapeSpec names (``spec.preset``: ``ustyurt`` or ``uniform``)."""
    builders = {"ustyurt": build_ustyurt, "uniform": build_uniform}
    if spec.preset not in builders:
        raise ValueError(f"landscape.preset: got {spec.preset!r}, must be one of: {', '.join(builders)}")
    return builders[spec.preset](spec)


__all__ = ["build_preset", "grid_size_problem", "preset_extent_km", "MAX_CELLS"]
