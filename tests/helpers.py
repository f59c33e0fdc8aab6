"""Small hand-built landscapes and scenarios for fast tests."""

from __future__ import annotations

import numpy as np

from sim.config.factories import QUIET_ENVIRONMENT
from sim.config.schema import Scenario
from sim.world.landscape import SOUTH, Fence, Landscape


def flat_landscape(rows: int = 40, cols: int = 40, *, cell_km: float = 2.5, habitat: float = 0.8,
                   saiga: float = 1.0, gazelle: float = 0.5, urial: float = 0.0, hare: float = 0.0,
                   lions: float = 0.0, wolves: float = 0.0, leopards: float = 0.0, fence_row: int | None = None, gaps: tuple[int, ...] = (), open_boundary: bool = False,
                   road_col: int | None = None) -> Landscape:
    """A uniform landscape: capacity [animals/km²] ``saiga`` (both seasons), ``gazelle``, ``urial``,
    ``hare``; competitors [animals/km²] ``lions``, ``wolves``, ``leopards``; optionally a west-east
    fence south of ``fence_row`` with gaps at the given columns, and a north-south road in column
    ``road_col``."""
    z = np.zeros((rows, cols))
    fences = ()
    if fence_row is not None:
        edges = np.array([(SOUTH, fence_row, c) for c in range(cols)], dtype=np.int64)
        g = np.zeros(cols, dtype=bool)
        g[list(gaps)] = True
        fences = (Fence("border", edges, g),)
    road = z.astype(bool)
    if road_col is not None:
        road[:, road_col] = True
    return Landscape(
        name="test", cell_km=cell_km, habitat=np.full((rows, cols), habitat), escarpment=z.astype(bool),
        water=z.astype(bool), protection=z.copy(), human=z.copy(), road=road,
        competitors={"lion": z + lions, "wolf": z + wolves, "leopard": z + leopards},
        capacity={"saiga_summer": z + saiga, "saiga_winter": z + saiga, "gazelle": z + gazelle,
                  "urial": z + urial, "hare": z + hare},
        fences=fences, sites={"centre": (rows // 2, cols // 2), "north": (rows // 4, cols // 2),
                              "south": (3 * rows // 4, cols // 2)},
        open_boundary=open_boundary)


def scenario(**kw) -> Scenario:
    """A scenario with quiet defaults for tests (no catastrophes, no year-to-year variation), for
    runs on a hand-built landscape (:func:`flat_landscape`): its own landscape section is the
    default one. ``kw``: top-level keys; mappings merge one level deep into the defaults."""
    base = dict(name="test", years=5, replicates=1, environment=dict(QUIET_ENVIRONMENT),
                prey={"saiga": {"initial_total": 5000}, "gazelle": {"initial_total": 2000},
                      "urial": {"initial_total": 0}})
    for k, v in kw.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            base[k] = {**base[k], **v}
        else:
            base[k] = v
    return Scenario(**base)
