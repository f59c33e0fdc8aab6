"""Landscape presets by name: the stylised ``ustyurt`` map and the ``uniform`` rectangle.

:func:`build_preset` turns a :class:`sim.config.schema.LandscapeSpec` into a
:class:`sim.world.landscape.Landscape` with the builder its ``preset`` names
(:func:`sim.world.ustyurt.build_ustyurt`, :func:`sim.world.uniform.build_uniform`).
"""

from __future__ import annotations

from .landscape import Landscape
from .uniform import build_uniform
from .ustyurt import build_ustyurt


def build_preset(spec) -> Landscape:
    """Build the landscape a LandscapeSpec names (``spec.preset``: ``ustyurt`` or ``uniform``)."""
    builders = {"ustyurt": build_ustyurt, "uniform": build_uniform}
    if spec.preset not in builders:
        raise ValueError(f"landscape.preset: got {spec.preset!r}, must be one of: {', '.join(builders)}")
    return builders[spec.preset](spec)


__all__ = ["build_preset"]
