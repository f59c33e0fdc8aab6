"""The ``uniform`` preset: a rectangle of identical cells, for tests, validation and benchmarks.
"""

from __future__ import annotations

import numpy as np

from .geometry import grid_shape
from .landscape import Feature, Landscape


def build_uniform(spec) -> Landscape:
    """A rectangle of identical cells (width_km x height_km), optionally fenced all round.

    ``fenced``: the map edge refuses moves (an impassable fence all round); otherwise an animal
    walking off the edge emigrates (``open_boundary``). Capacity [animals/km²]: saiga (both
    seasons), gazelle, urial and hare from the spec's ``*_density``; competitors [animals/km²]:
    ``lion_density``, ``wolf_density`` and ``leopard_density``. Release sites: ``centre`` and
    ``north``/``south``/``west``/``east`` a quarter of the way in from each edge.
    """
    rows, cols = grid_shape(spec.height_km, spec.width_km, spec.cell_km)

    def full(value: float) -> np.ndarray:
        return np.full((rows, cols), float(value), dtype=np.float64)

    sites = {"centre": (rows // 2, cols // 2), "north": (rows // 4, cols // 2),
             "south": ((3 * rows) // 4, cols // 2), "west": (rows // 2, cols // 4),
             "east": (rows // 2, (3 * cols) // 4)}
    features = tuple(Feature(name, "site", np.array([rc], dtype=np.int64), approximate=False)
                     for name, rc in sites.items())
    return Landscape(
        name="uniform", cell_km=float(spec.cell_km), habitat=full(spec.habitat_value),
        escarpment=np.zeros((rows, cols), dtype=bool), water=np.zeros((rows, cols), dtype=bool),
        protection=full(spec.protection_value), human=full(spec.human_value),
        road=np.zeros((rows, cols), dtype=bool),
        competitors={"lion": full(spec.lion_density), "wolf": full(spec.wolf_density),
                     "leopard": full(spec.leopard_density)},
        capacity={"saiga_summer": full(spec.saiga_density), "saiga_winter": full(spec.saiga_density),
                  "gazelle": full(spec.gazelle_density), "urial": full(spec.urial_density),
                  "hare": full(spec.hare_density)},
        fences=(), sites=sites, protected_areas={}, features=features,
        open_boundary=not spec.fenced, bounds=None, crs=None,
        notes=(f"uniform {rows} x {cols} cells of {spec.cell_km:g} km; "
               + ("fenced all round (the map edge refuses moves)" if spec.fenced
                  else "open edge (walking off the map is emigration)")))


__all__ = ["build_uniform"]
