"""The world the cheetahs live in: the raster landscape, its fences and how it is built.

Modules: :mod:`~sim.world.landscape` (the grid types :class:`Landscape`, :class:`Fence`,
:class:`~sim.world.landscape.Feature`), :mod:`~sim.world.build` (:func:`build_landscape`, cached
per process), :mod:`~sim.world.presets` (presets by name), :mod:`~sim.world.ustyurt` with
:mod:`~sim.world.ustyurt_data` (the stylised Ustyurt map) and :mod:`~sim.world.uniform` (the
test rectangle), :mod:`~sim.world.gis` with :mod:`~sim.world.gis_vectors` (a map built from real
GIS files, reprojected onto a grid in a projected CRS), :mod:`~sim.world.shapes` (map shapes in km), :mod:`~sim.world.geometry` (boxes
and disks of cells: ranges and hunting areas), :mod:`~sim.world.rasters` (raster files that
replace layers) and :mod:`~sim.world.coarsen` (the coarser prey grid).
"""

from .build import build_landscape
from .landscape import Fence, Landscape

__all__ = ["Landscape", "Fence", "build_landscape"]
