"""Where an intervention acts: named sites, cells, boxes and disks on the landscape grid."""

from __future__ import annotations

import numpy as np

from ..config.schema import Where


def resolve_cell(land, site: str | None, cell) -> tuple[int, int]:
    """The (row, col) of a named site or an explicit cell."""
    if site is not None:
        if site not in land.sites:
            raise KeyError(f"no release site named {site!r}; sites: {', '.join(sorted(land.sites))}")
        r, c = land.sites[site]
        return int(r), int(c)
    return int(cell[0]), int(cell[1])


def where_mask(land, where: Where) -> np.ndarray:
    """Bool mask of the cells a Where selects (box, or disk around a site or cell)."""
    if where.box is not None:
        r0, c0, r1, c1 = where.box
        mask = np.zeros(land.shape, dtype=bool)
        mask[max(r0, 0): r1 + 1, max(c0, 0): c1 + 1] = True
        return mask
    r, c = resolve_cell(land, where.site, where.cell)
    return land.cells_within(r, c, where.radius_km)


__all__ = ["resolve_cell", "where_mask"]
