"""The ``ustyurt`` preset: the stylised map of the Ustyurt Plateau drawn on the landscape grid.

A *stylised, approximate* picture of the Ustyurt Plateau, not a map: places are given in WGS84
degrees from general geographic knowledge and public sources (:mod:`sim.world.ustyurt_data`),
none is surveyed, and all features carry ``approximate=True``. The grid is an equirectangular
projection about the map's middle latitude (43.75°N): cells are ``cell_km`` squares, so
east-west distances are off by up to about ±5 % at the north and south edges. The extent in km
is fixed, so halving ``cell_km`` quadruples the cells.

:func:`build_ustyurt` draws the plateau and its chinks, habitat with a random texture
(``spec.seed``), salt flats and sands, settlements, roads and wells with the herder pressure
around them, the border fence, protected areas, prey capacity [animals/km²] (saiga by season,
gazelle, urial, tolai hare), competitors by kind [animals/km²] and release sites.
"""

from __future__ import annotations

import functools

import numpy as np

from .shapes import (cells_of, distance_km, inside_ellipse, inside_polygon, nearest_on_polyline,
                       polyline_cells, scale_to_total, soft_ellipse)
from .geometry import grid_shape
from .landscape import EAST, SOUTH, Feature, Fence, Landscape
from .ustyurt_data import (BORDER_ARAL, BORDER_CORNER, BORDER_GAPS, BORDER_MERIDIAN, CHINKS, GAZELLE_K_TOTAL,
                           HABITAT_ESCARPMENT, HABITAT_OFF_PLATEAU, HABITAT_PLAIN, HABITAT_SALT_FLAT, HABITAT_SAND,
                           HARE_HABITAT_REF, HARE_PER_KM2, HUMAN_GRAZING_LOWLAND, HUMAN_GRAZING_PLATEAU,
                           HUMAN_ROAD, HUMAN_SETTLEMENT_KM, HUMAN_WELL, KM_PER_DEG_LAT, KM_PER_DEG_LON,
                           LAYOUT_SEED, LEOPARD_CHINK_KM, LEOPARD_PER_KM2, MAP_HEIGHT_KM, MAP_NORTH, MAP_WEST,
                           MAP_WIDTH_KM, N_WELLS, PROTECTED_AREAS, REGION_LABELS, RELEASE_SITES, ROADS,
                           SAIGA_K_TOTAL, SAIGA_OUTSIDE_RANGES, SAIGA_RANGE_EDGE, SAIGA_SUMMER_RANGES,
                           SAIGA_WINTER_RANGES, SALT_FLATS, SANDS, SETTLEMENTS, URIAL_K_TOTAL, WELL_SPACING_KM,
                           WOLF_PER_KM2)


def lonlat_to_km(lon, lat):
    """Map coordinates [km] east of the west edge (x) and south of the north edge (y)."""
    return ((np.asarray(lon, dtype=float) - MAP_WEST) * KM_PER_DEG_LON,
            (MAP_NORTH - np.asarray(lat, dtype=float)) * KM_PER_DEG_LAT)


def km_to_lonlat(x, y):
    """Longitude and latitude [degrees] of map coordinates [km] (the inverse of :func:`lonlat_to_km`)."""
    return MAP_WEST + np.asarray(x) / KM_PER_DEG_LON, MAP_NORTH - np.asarray(y) / KM_PER_DEG_LAT


@functools.lru_cache(maxsize=1)
def _plateau_polygon_km() -> tuple[np.ndarray, np.ndarray]:
    """The plateau outline (the chinks joined in order) as polygon vertices x, y [km]."""
    ring = []
    for pts in CHINKS.values():
        ring.extend(pts[:-1])
    lon, lat = np.array(ring).T
    return lonlat_to_km(lon, lat)


@functools.lru_cache(maxsize=1)
def well_points_lonlat() -> np.ndarray:
    """The stylised herders' wells: (n, 2) lon/lat, spread over the plateau at least
    WELL_SPACING_KM apart, away from salt flats, sands, settlements and the strict reserve.
    A fixed layout (not real wells), independent of spec.seed so the map texture seed does not
    move people."""
    rng = np.random.default_rng(LAYOUT_SEED)
    px, py = _plateau_polygon_km()
    x = rng.uniform(0, MAP_WIDTH_KM, 6000)
    y = rng.uniform(0, MAP_HEIGHT_KM, 6000)
    ok = inside_polygon(x, y, px, py)
    ok &= nearest_on_polyline(x, y, *_closed(px, py))[0] > 12.0        # not on the chinks
    for _, lon, lat, a, b, ang in SALT_FLATS + SANDS:
        cx, cy = lonlat_to_km(lon, lat)
        ok &= ~inside_ellipse(x, y, cx, cy, a + 5, b + 5, ang)
    _, _, lon, lat, a, b, ang, _ = PROTECTED_AREAS[0]           # the strict KZ reserve
    cx, cy = lonlat_to_km(lon, lat)
    ok &= ~inside_ellipse(x, y, cx, cy, a + 5, b + 5, ang)
    sx, sy = lonlat_to_km([s[0] for s in SETTLEMENTS], [s[1] for s in SETTLEMENTS])
    ok &= np.min(np.hypot(x[:, None] - sx, y[:, None] - sy), axis=1) > 25.0
    x, y = x[ok], y[ok]
    chosen: list[int] = []
    for i in range(len(x)):
        if not chosen or np.min(np.hypot(x[chosen] - x[i], y[chosen] - y[i])) >= WELL_SPACING_KM:
            chosen.append(i)
            if len(chosen) == N_WELLS:
                break
    lon, lat = km_to_lonlat(x[chosen], y[chosen])
    return np.column_stack([lon, lat])


def _closed(px, py):
    """The polygon's vertices with the first repeated at the end (a closed polyline)."""
    return np.append(px, px[0]), np.append(py, py[0])


def build_ustyurt(spec) -> Landscape:
    """The stylised Ustyurt map (see the module docstring). Deterministic for ``spec.seed``,
    which only sets the texture noise of habitat (and so of prey capacity)."""
    from scipy.ndimage import gaussian_filter

    cell = float(spec.cell_km)
    rows, cols = grid_shape(MAP_HEIGHT_KM, MAP_WIDTH_KM, cell)
    area = cell * cell
    yk = ((np.arange(rows) + 0.5) * cell)[:, None]          # km south of the north edge
    xk = ((np.arange(cols) + 0.5) * cell)[None, :]          # km east of the west edge
    lon, lat = km_to_lonlat(xk, yk)                          # (1, cols), (rows, 1)
    shape = (rows, cols)

    def cell_of(lo: float, la: float) -> tuple[int, int]:
        x, y = lonlat_to_km(lo, la)
        return (int(np.clip(y // cell, 0, rows - 1)), int(np.clip(x // cell, 0, cols - 1)))

    def ellipse(lo, la, a, b, ang) -> np.ndarray:
        cx, cy = lonlat_to_km(lo, la)
        m = inside_ellipse(xk, yk, float(cx), float(cy), a, b, ang)
        if not m.any():                                     # smaller than a cell: keep one
            m = np.zeros(shape, dtype=bool)
            m[cell_of(lo, la)] = True
        return np.broadcast_to(m, shape).copy()

    # --- plateau and chinks -------------------------------------------------------------------
    px, py = _plateau_polygon_km()
    plateau = np.broadcast_to(inside_polygon(xk, yk, px, py), shape).copy()
    to_edge = distance_km(~plateau, cell)                  # km from plateau cell to the lowland
    escarpment = plateau & (to_edge <= max(3.0, 1.01 * cell))

    # --- habitat --------------------------------------------------------------------------------
    rng = np.random.default_rng(spec.seed)
    noise = gaussian_filter(rng.standard_normal(shape), sigma=max(1.0, 12.0 / cell), mode="reflect")
    noise /= max(float(noise.std()), 1e-12)
    habitat = np.clip(0.8 + 0.06 * noise, *HABITAT_PLAIN)

    salt = np.zeros(shape, dtype=bool)
    salt_masks = {}
    for name, lo, la, a, b, ang in SALT_FLATS:
        m = ellipse(lo, la, a, b, ang) & plateau
        salt_masks[name] = m
        salt |= m
    sand = np.zeros(shape, dtype=bool)
    sand_masks = {}
    for name, lo, la, a, b, ang in SANDS:
        m = ellipse(lo, la, a, b, ang) & plateau & ~salt
        sand_masks[name] = m
        sand |= m
    habitat[sand] = HABITAT_SAND + 0.05 * np.clip(noise[sand], -1, 1)
    habitat[salt] = HABITAT_SALT_FLAT
    habitat[escarpment] = HABITAT_ESCARPMENT

    # --- people: settlements, roads, wells --------------------------------------------------------
    road = np.zeros(shape, dtype=bool)
    road_cells = {}
    for name, pts in ROADS.items():
        rx, ry = lonlat_to_km(*np.array(pts).T)
        rc = polyline_cells(rx, ry, cell, rows, cols)
        road_cells[name] = rc
        road[rc[:, 0], rc[:, 1]] = True
    wells_ll = well_points_lonlat()
    well_rc = np.array([cell_of(lo, la) for lo, la in wells_ll], dtype=np.int64).reshape(-1, 2)
    water = np.zeros(shape, dtype=bool)
    water[well_rc[:, 0], well_rc[:, 1]] = True

    d_road = distance_km(road, cell)
    d_well = distance_km(water, cell)
    settle_p = np.zeros(shape)
    settle_rc = {}
    for lo, la, name, p in SETTLEMENTS:
        rc = cell_of(lo, la)
        settle_rc[name] = rc
        m = np.zeros(shape, dtype=bool)
        m[rc] = True
        settle_p = np.maximum(settle_p, p * np.exp(-distance_km(m, cell) / HUMAN_SETTLEMENT_KM))
    base = np.where(plateau, HUMAN_GRAZING_PLATEAU, HUMAN_GRAZING_LOWLAND)
    parts = [base, settle_p, HUMAN_WELL[0] * np.exp(-d_well / HUMAN_WELL[1]),
             HUMAN_ROAD[0] * np.exp(-d_road / HUMAN_ROAD[1])]
    human = 1.0 - np.prod([1.0 - p for p in parts], axis=0)
    human = np.clip(human, 0.0, 1.0)

    habitat *= (1.0 - 0.6 * settle_p) * (1.0 - 0.3 * np.exp(-d_road / 3.0))
    habitat[~plateau] = HABITAT_OFF_PLATEAU
    habitat = np.clip(habitat, 0.0, 1.0)

    # --- border fence (Kazakhstan | Uzbekistan) -------------------------------------------------
    slope = (BORDER_ARAL[1] - BORDER_CORNER[1]) / (BORDER_ARAL[0] - BORDER_CORNER[0])
    uz = (lon >= BORDER_MERIDIAN) & (lat < BORDER_CORNER[1] + (lon - BORDER_CORNER[0]) * slope)
    uz = np.broadcast_to(uz, shape)
    fence, fence_line = _border_fence(uz, plateau, cell, slope)

    # --- protected areas ------------------------------------------------------------------------
    protection = np.zeros(shape)
    protected = {}
    for name, country, lo, la, a, b, ang, strength in PROTECTED_AREAS:
        m = ellipse(lo, la, a, b, ang) & plateau
        m &= uz if country == "UZ" else ~uz
        protected[name] = m
        protection = np.maximum(protection, strength * m)

    # --- prey capacity [animals/km²] ------------------------------------------------------------
    suit = np.clip((habitat - 0.15) / 0.65, 0.0, 1.0) * plateau * (1.0 - 0.5 * human)
    saiga_summer = scale_to_total(suit * _season_weight(SAIGA_SUMMER_RANGES, xk, yk), SAIGA_K_TOTAL, area)
    saiga_winter = scale_to_total(suit * _season_weight(SAIGA_WINTER_RANGES, xk, yk), SAIGA_K_TOTAL, area)
    south = 1.0 / (1.0 + np.exp((lat - 43.9) / 0.45))        # gazelle: more in the warmer south
    gazelle_w = suit * (0.2 + south) * (1.0 + 2.0 * np.exp(-d_well / 15.0))
    gazelle = scale_to_total(gazelle_w, GAZELLE_K_TOTAL, area)
    d_esc = distance_km(escarpment, cell)
    chink_name = _name_escarpments(escarpment, xk, yk)
    western = np.zeros(shape, dtype=bool)
    if escarpment.any():
        western[escarpment] = chink_name == list(CHINKS).index("Western chink")
    near_west = distance_km(western, cell) <= 5.0
    urial_w = np.where(escarpment, 1.0, np.where(d_esc <= 5.0, 0.4, 0.0))
    urial_w = urial_w * np.where(near_west, 2.5, 1.0) * (1.0 - 0.5 * human)
    urial = scale_to_total(urial_w, URIAL_K_TOTAL, area)

    hare = HARE_PER_KM2 * habitat / HARE_HABITAT_REF          # small prey [animals/km²]

    competitors = {"lion": np.zeros(shape), "wolf": np.full(shape, WOLF_PER_KM2),
                   "leopard": np.where(d_esc <= LEOPARD_CHINK_KM, LEOPARD_PER_KM2, 0.0)}

    # --- release sites --------------------------------------------------------------------------
    good = plateau & (habitat >= 0.65) & ~escarpment & ~road & ~water & (human < 0.3)
    if not good.any():
        good = plateau & (habitat >= 0.5)
    sites = {}
    for site, pa, lo, la in RELEASE_SITES:
        region = good & protected[pa] if pa else good
        if not region.any():
            region = good
        r0, c0 = cell_of(lo, la)
        rr, cc = np.nonzero(region)
        k = int(np.argmin((rr - r0) ** 2 + (cc - c0) ** 2))
        sites[site] = (int(rr[k]), int(cc[k]))

    # --- features for the map -------------------------------------------------------------------
    feats: list[Feature] = [Feature("Ustyurt Plateau", "plateau", cells_of(plateau))]
    esc_cells = cells_of(escarpment)
    for i, name in enumerate(CHINKS):
        feats.append(Feature(name, "escarpment", esc_cells[chink_name == i]))
    feats += [Feature(n, "salt_flat", cells_of(m)) for n, m in salt_masks.items()]
    feats += [Feature(n, "sand", cells_of(m)) for n, m in sand_masks.items()]
    feats += [Feature(n, "protected_area", cells_of(m)) for n, m in protected.items()]
    feats += [Feature(n, "road", rc) for n, rc in road_cells.items()]
    feats += [Feature(n, "settlement", np.array([rc], dtype=np.int64)) for n, rc in settle_rc.items()]
    feats.append(Feature("wells with herders", "well", well_rc))
    feats.append(Feature("Kazakhstan–Uzbekistan border fence", "fence", fence_line))
    feats += [Feature(text, "region", np.array([cell_of(lo, la)], dtype=np.int64))
              for lo, la, text in REGION_LABELS]
    feats += [Feature(n, "site", np.array([rc], dtype=np.int64)) for n, rc in sites.items()]

    bounds = (MAP_WEST, MAP_NORTH - rows * cell / KM_PER_DEG_LAT, MAP_WEST + cols * cell / KM_PER_DEG_LON,
              MAP_NORTH)
    pa_km2 = ", ".join(f"{n} {m.sum() * area:,.0f} km²" for n, m in protected.items())
    notes = ("Stylised, approximate map of the Ustyurt Plateau (not a survey): places from public "
             "sources and general knowledge, equirectangular grid about 43.75°N, bounds approximate. "
             f"Plateau {plateau.sum() * area:,.0f} km². Protected areas as drawn: {pa_km2}. "
             f"Border fence along the Kazakhstan-Uzbekistan border with {fence.n_gaps} gaps (positions "
             "stylised). Wells are a fixed stylised layout. Capacity totals: saiga 250,000 per season "
             "(summer range north on the Kazakh side, winter range south, mostly across the border in "
             "Uzbekistan; range shapes stylised), gazelle 15,000, urial 4,000, tolai hare "
             f"{hare.sum() * area:,.0f} animals. Competitors: wolves {WOLF_PER_KM2:g}/km², leopards "
             f"{LEOPARD_PER_KM2:g}/km² near the chinks, no lions.")
    caps = {"saiga_summer": saiga_summer, "saiga_winter": saiga_winter, "gazelle": gazelle,
            "urial": urial, "hare": hare}
    return Landscape(
        name="ustyurt", cell_km=cell, habitat=habitat.astype(np.float64), escarpment=escarpment,
        water=water, protection=protection.astype(np.float64), human=human.astype(np.float64),
        road=road, competitors=competitors, capacity=caps, fences=(fence,), sites=sites,
        protected_areas=protected, features=tuple(feats), open_boundary=False, bounds=bounds,
        crs="EPSG:4326", transform=(MAP_WEST, cell / KM_PER_DEG_LON, 0.0, MAP_NORTH, 0.0, -cell / KM_PER_DEG_LAT),
        notes=notes)


def _season_weight(ranges, xk: np.ndarray, yk: np.ndarray) -> np.ndarray:
    """Relative saiga density of one season: SAIGA_OUTSIDE_RANGES plus each range's weight times
    its soft-edged ellipse (ranges as in ustyurt_data: name, lon, lat, a km, b km, angle, weight)."""
    w = np.full(np.broadcast_shapes(xk.shape, yk.shape), SAIGA_OUTSIDE_RANGES)
    for _, lo, la, a, b, ang, weight in ranges:
        cx, cy = lonlat_to_km(lo, la)
        w = w + weight * soft_ellipse(xk, yk, float(cx), float(cy), a, b, ang, SAIGA_RANGE_EDGE)
    return w


def _name_escarpments(escarpment: np.ndarray, xk: np.ndarray, yk: np.ndarray) -> np.ndarray:
    """Index (into CHINKS) of the chink nearest to each escarpment cell, in argwhere order."""
    rc = np.argwhere(escarpment)
    if rc.size == 0:
        return np.zeros(0, dtype=np.int64)
    x, y = xk[0, rc[:, 1]], yk[rc[:, 0], 0]
    dists = []
    for pts in CHINKS.values():
        cx, cy = lonlat_to_km(*np.array(pts).T)
        dists.append(nearest_on_polyline(x, y, cx, cy)[0])
    return np.argmin(np.array(dists), axis=0)


def _border_fence(uz: np.ndarray, plateau: np.ndarray, cell: float, slope: float) -> tuple[Fence, np.ndarray]:
    """The border fence: every cell edge between a Kazakh and an Uzbek cell, ordered along the
    border line, with BORDER_GAPS gaps spread evenly over the part on the plateau.

    Returns the fence and the cells on its Kazakh side in order (for the map)."""
    rows, cols = uz.shape
    er, ec = np.nonzero(uz[:, :-1] != uz[:, 1:])
    sr, sc = np.nonzero(uz[:-1, :] != uz[1:, :])
    edges = np.concatenate([np.column_stack([np.full(er.size, EAST), er, ec]),
                            np.column_stack([np.full(sr.size, SOUTH), sr, sc])]).astype(np.int64)
    mid_x = np.concatenate([(ec + 1.0) * cell, (sc + 0.5) * cell])
    mid_y = np.concatenate([(er + 0.5) * cell, (sr + 1.0) * cell])
    # the border line in km, from the south map edge to the east map edge
    east_lon = MAP_WEST + cols * cell / KM_PER_DEG_LON
    line_lon = [BORDER_MERIDIAN, BORDER_CORNER[0], BORDER_ARAL[0], east_lon]
    line_lat = [MAP_NORTH - rows * cell / KM_PER_DEG_LAT - 1.0, BORDER_CORNER[1], BORDER_ARAL[1],
                BORDER_CORNER[1] + (east_lon - BORDER_CORNER[0]) * slope]
    lx, ly = lonlat_to_km(line_lon, line_lat)
    _, arc = nearest_on_polyline(mid_x, mid_y, lx, ly)
    order = np.argsort(arc, kind="stable")
    edges = edges[order]
    r, c = edges[:, 1], edges[:, 2]
    r2 = np.where(edges[:, 0] == SOUTH, r + 1, r)
    c2 = np.where(edges[:, 0] == EAST, c + 1, c)
    on_plateau = np.flatnonzero(plateau[r, c] & plateau[r2, c2])
    gaps = np.zeros(len(edges), dtype=bool)
    if on_plateau.size:
        pick = np.round(np.linspace(0, on_plateau.size - 1, BORDER_GAPS + 2)[1:-1]).astype(int)
        gaps[on_plateau[np.unique(pick)]] = True
    kz_side = np.where((~uz[r, c])[:, None], np.column_stack([r, c]), np.column_stack([r2, c2]))
    return Fence("border", edges, gaps, approximate=True), kz_side.astype(np.int64)


__all__ = ["build_ustyurt", "lonlat_to_km", "km_to_lonlat", "well_points_lonlat"]
