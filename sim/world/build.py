"""Building the landscape a scenario describes, once per process.

:func:`build_landscape` turns a :class:`sim.config.schema.LandscapeSpec` into a
:class:`~sim.world.landscape.Landscape`: the preset's layers (:mod:`sim.world.presets`), then any
raster files that replace them (:mod:`sim.world.rasters`, paths relative to ``base_dir``); or, for
``preset: gis``, the map built from the GIS files of ``landscape.gis`` (:mod:`sim.world.gis`,
paths relative to ``base_dir`` too). The
result is cached per process, keyed by the spec and the resolved ``base_dir``, because a batch
worker runs many replicates of one scenario and building the Ustyurt map takes about a second;
replicates share it read-only (management makes per-replicate copies).
"""

from __future__ import annotations

import json
from pathlib import Path

from .gis import GisError, build_gis
from .landscape import Landscape
from .presets import build_preset, grid_size_problem
from .rasters import apply_layer_files

#: Most landscapes kept per process; the cache is emptied when it grows past this.
CACHE_SIZE = 8

_CACHE: dict[str, Landscape] = {}


def build_landscape(spec, base_dir: str | Path = ".") -> Landscape:
    """Build (or fetch from the per-process cache) the landscape a LandscapeSpec describes."""
    key = json.dumps(spec.model_dump(mode="json"), sort_keys=True) + "|" + str(Path(base_dir).resolve())
    if key not in _CACHE:
        if spec.preset == "gis":
            too_large = grid_size_problem(spec, base_dir)      # before any layer is allocated
            if too_large:
                raise GisError(too_large)
            land = build_gis(spec, Path(base_dir))
        else:
            land = build_preset(spec)
            land = apply_layer_files(land, spec.layers, Path(base_dir))
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = land
    return _CACHE[key]


__all__ = ["build_landscape"]
