"""Landscape presets: the stylised ``ustyurt`` map and the ``uniform`` test rectangle.

:func:`build_preset` turns a :class:`sim.schema.LandscapeSpec` into a :class:`sim.landscape.Landscape`.

The ``ustyurt`` preset is a *stylised, approximate* picture of the Ustyurt Plateau, not a map.
Every place below is given in WGS84 degrees (longitude, latitude) from general geographic
knowledge and the public sources quoted next to it; none is surveyed, and all features carry
``approximate=True``. The grid is an equirectangular projection about the map's middle latitude
(43.75°N): cells are ``cell_km`` squares, so east-west distances are off by up to about ±5 % at
the north and south edges. The extent in km is fixed, so halving ``cell_km`` quadruples the cells.

Geography used (all approximate):

* Plateau outline bounded by chinks (escarpments): the western chink facing Mangyshlak (with
  Sai-Utes near its foot), the Kaplankyr chink in the south (Turkmenistan), the eastern chink
  along the former Aral shore and the Amu Darya delta, the north chink south-east of Beyneu.
  Outside: Mangyshlak/Caspian lowlands (west), the Aral basin and Amu Darya delta (east),
  Sarykamysh and the Karakum (south). The outline drawn here covers about 143,000 km² of the
  267,000 km² frame, less than the ~200,000 km² usually quoted for the plateau (Wikipedia
  "Ustyurt", S): it follows the chinks tightly and leaves the sors and foot slopes outside.
* Kazakhstan-Uzbekistan border: along the 56th meridian from the Turkmen tripoint (~41.3°N)
  north for ~410 km to 45°N, then a straight line ~213 km north-east to the former Aral shore
  (Wikipedia "Kazakhstan-Uzbekistan border"). The fence follows it (built 2011-12; ACBK).
* Railway Beyneu-Akzhigit-Karakalpakiya-Jaslyk-Kungrad; railway Beyneu-Sai-Utes-Shetpe.
* Protected areas: Ustyurt State Nature Reserve (KZ, 2,233 km², centre ~43.23°N 54.65°E),
  Saigachy reserve (UZ, ~7,000 km², north-east Uzbek Ustyurt), Southern Ustyurt National Park
  (UZ, 2020, >1.4 million ha, Kungrad district), Barsakelmes reserve (UZ, 2022, 2,800 km²).
* Depressions and salt flats (sors): Barsakelmes (~2,000 km²), Asmantai-Matai and the Sam sands
  in the north, Karynzharyk and Kenderli-sor in the south-west, Assake-Audan in the south-east.
* Prey capacity totals (animals at K over the whole map, each season): saiga 250,000 (late-1980s
  Ustyurt count ~265,000, mid-1990s ~250,000; parameters.md §6.1), goitered gazelle 15,000
  (assumption), urial 4,000 (assumption: ~6,000 in Kazakhstan, ~40 % on the Western Chink).
* Wolves 0.01 animals/km² (assumption: Ustyurt wolf density unconfirmed, parameters.md §6.5).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..world.landscape import EAST, SOUTH, Feature, Fence, Landscape

# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def build_preset(spec) -> Landscape:
    """Build the landscape a LandscapeSpec names (``spec.preset``: ``ustyurt`` or ``uniform``)."""
    builders = {"ustyurt": build_ustyurt, "uniform": build_uniform}
    if spec.preset not in builders:
        raise ValueError(f"landscape.preset: got {spec.preset!r}, must be one of: {', '.join(builders)}")
    return builders[spec.preset](spec)


# ---------------------------------------------------------------------------------------------
# uniform rectangle
# ---------------------------------------------------------------------------------------------


def build_uniform(spec) -> Landscape:
    """A rectangle of identical cells (width_km x height_km), optionally fenced all round.

    ``fenced``: the map edge refuses moves (an impassable fence all round); otherwise an animal
    walking off the edge emigrates (``open_boundary``). Release sites: ``centre`` and
    ``north``/``south``/``west``/``east`` a quarter of the way in from each edge.
    """
    rows = max(1, round(spec.height_km / spec.cell_km))
    cols = max(1, round(spec.width_km / spec.cell_km))

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
        road=np.zeros((rows, cols), dtype=bool), competitors=full(spec.competitor_density),
        capacity={"saiga_summer": full(spec.saiga_density), "saiga_winter": full(spec.saiga_density),
                  "gazelle": full(spec.gazelle_density), "urial": full(spec.urial_density)},
        fences=(), sites=sites, protected_areas={}, features=features,
        open_boundary=not spec.fenced, bounds=None, crs=None,
        notes=(f"uniform {rows} x {cols} cells of {spec.cell_km:g} km; "
               + ("fenced all round (the map edge refuses moves)" if spec.fenced
                  else "open edge (walking off the map is emigration)")))


# ---------------------------------------------------------------------------------------------
# ustyurt: geography (WGS84 degrees, all approximate)
# ---------------------------------------------------------------------------------------------

MAP_WEST, MAP_NORTH = 53.2, 46.2            # north-west corner of the map [degrees]
MAP_WIDTH_KM, MAP_HEIGHT_KM = 490.0, 545.0  # fixed extent [km]; south edge ~41.3°N, east ~59.3°E
KM_PER_DEG_LAT = 111.13
MAP_LAT0 = MAP_NORTH - MAP_HEIGHT_KM / KM_PER_DEG_LAT / 2          # middle latitude (~43.75°N)
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(MAP_LAT0))         # ~80.5 km

# The plateau edge as four named chinks, in order around the plateau (clockwise from Beyneu).
CHINKS: dict[str, list[tuple[float, float]]] = {
    "North chink": [(55.05, 45.12), (55.5, 45.27), (56.2, 45.47), (57.0, 45.7), (57.7, 45.92),
                    (58.3, 46.03)],
    "Eastern (Aral) chink": [(58.3, 46.03), (58.2, 45.6), (58.12, 45.1), (58.18, 44.6),
                             (58.35, 44.15), (58.55, 43.75), (58.5, 43.35), (58.25, 43.0),
                             (57.9, 42.62), (57.5, 42.3), (57.0, 42.05)],
    "Kaplankyr chink": [(57.0, 42.05), (56.5, 41.75), (55.9, 41.57), (55.2, 41.48), (54.5, 41.45),
                        (54.1, 41.5)],
    "Western chink": [(54.1, 41.5), (53.95, 41.95), (53.9, 42.45), (54.0, 42.85), (53.8, 43.3),
                      (53.95, 43.6), (53.62, 44.05), (53.48, 44.35), (53.75, 44.75), (54.35, 45.0),
                      (55.05, 45.12)],
}

# Kazakhstan-Uzbekistan border: 56°E north to 45°N, then north-east to the former Aral shore,
# continued in the same direction to the map edge (the last part crosses the dry Aral bed).
BORDER_MERIDIAN = 56.0
BORDER_CORNER = (56.0, 45.0)
BORDER_ARAL = (58.55, 45.58)
BORDER_GAPS = 5

# Settlements (lon, lat, name, human pressure at the settlement 0-1)
SETTLEMENTS = [
    (55.19, 45.32, "Beyneu", 0.9),
    (53.55, 44.33, "Sai-Utes", 0.7),
    (55.75, 45.12, "Akzhigit", 0.5),
    (56.25, 44.95, "Karakalpakia", 0.7),
    (57.49, 43.97, "Jaslyk", 0.8),
    (58.90, 43.08, "Kungrad", 0.9),
]

# Roads and railways as polylines through places (lon, lat)
ROADS = {
    "Beyneu–Kungrad railway and highway": [(55.19, 45.32), (55.75, 45.12), (56.25, 44.95),
                                            (56.9, 44.45), (57.49, 43.97), (58.2, 43.45),
                                            (58.90, 43.08)],
    "Beyneu–Shetpe railway (via Sai-Utes)": [(55.19, 45.32), (54.4, 44.85), (53.55, 44.33),
                                              (53.2, 44.25)],
}

# Ellipses: (name, lon, lat, semi-axis a km, semi-axis b km, angle of a from east [deg])
SALT_FLATS = [
    ("Barsakelmes", 56.85, 43.75, 35.0, 18.0, 30.0),
    ("Asmantai-Matai sor", 57.0, 45.45, 30.0, 11.0, 15.0),
    ("Karynzharyk", 54.25, 42.88, 20.0, 9.0, 30.0),
    ("Kenderli-sor", 54.52, 43.12, 20.0, 4.5, 40.0),
    ("Assake-Audan", 57.6, 42.68, 28.0, 12.0, 40.0),
]
SANDS = [("Sam sands", 55.85, 45.25, 28.0, 13.0, 20.0)]

# Protected areas: (name, country, lon, lat, a km, b km, angle deg, strength 0-1)
PROTECTED_AREAS = [
    ("Ustyurt State Nature Reserve", "KZ", 54.65, 43.23, 38.0, 18.7, 40.0, 1.0),   # 2,233 km²
    ("Saigachy reserve", "UZ", 57.55, 44.85, 56.0, 40.0, 25.0, 0.8),              # ~7,000 km²
    ("Southern Ustyurt NP", "UZ", 57.0, 42.75, 75.0, 60.0, 10.0, 0.8),             # >14,000 km²
    ("Barsakelmes reserve", "UZ", 56.85, 43.75, 38.0, 23.5, 30.0, 0.8),            # 2,800 km²
]

# Release sites: (site name, protected area it lies in or None, target lon, lat)
RELEASE_SITES = [
    ("ustyurt_reserve", "Ustyurt State Nature Reserve", 54.75, 43.3),
    ("saigachy", "Saigachy reserve", 57.55, 44.85),
    ("southern_cluster", "Southern Ustyurt NP", 56.9, 42.8),
    ("western_chink", None, 54.05, 44.0),      # plateau, ~30 km inside the western chink
]

# Labels for the surroundings (lon, lat, text)
REGION_LABELS = [
    (53.45, 43.1, "Mangy-\nshlak"),
    (54.0, 45.75, "Caspian lowland"),
    (58.85, 45.3, "Aral Sea\nbasin"),
    (59.0, 42.6, "Amu Darya\ndelta"),
    (56.3, 41.38, "Karakum (TM)"),
    (54.6, 44.2, "KAZAKHSTAN"),
    (57.2, 43.35, "UZBEKISTAN"),
]

SAIGA_K_TOTAL = 250_000.0     # animals, each season (C: ~265,000 late 1980s, ~250,000 mid-1990s)
GAZELLE_K_TOTAL = 15_000.0    # animals (assumption)
URIAL_K_TOTAL = 4_000.0       # animals (assumption)
WOLVES_PER_KM2 = 0.01         # animals/km² (assumption; unconfirmed for Ustyurt)
WOLVES_ESCARPMENT_PER_KM2 = 0.015

N_WELLS = 30
WELL_SPACING_KM = 50.0
_LAYOUT_SEED = 1984           # wells are a fixed stylised layout, independent of spec.seed

HABITAT_PLAIN = (0.7, 0.9)    # open plain: 0.8 ± texture, clipped
HABITAT_ESCARPMENT = 0.5
HABITAT_SALT_FLAT = 0.1
HABITAT_SAND = 0.25
HABITAT_OFF_PLATEAU = 0.02

# Herder pressure (the ``human`` layer, 0-1): independent sources combined as 1 - Π(1 - p).
HUMAN_GRAZING_PLATEAU = 0.03       # livestock grazing everywhere on the plateau
HUMAN_GRAZING_LOWLAND = 0.15       # settled lowlands off the plateau
HUMAN_WELL = (0.5, 8.0)            # p at a well, e-folding distance [km]
HUMAN_ROAD = (0.25, 5.0)           # p on a road or railway, e-folding distance [km]
HUMAN_SETTLEMENT_KM = 12.0         # e-folding distance [km] of a settlement's own p (SETTLEMENTS)

#: The preset's numeric defaults for docs/parameters.md: (name, value, unit, source).
PRESET_DEFAULTS: tuple[tuple[str, str, str, str], ...] = (
    ("SAIGA_K_TOTAL", f"{SAIGA_K_TOTAL:,.0f}", "animals at K on the map, each season",
     "C: Ustyurt counts ~265,000 (late 1980s) and ~250,000 (mid-1990s), parameters.md §6.1"),
    ("GAZELLE_K_TOTAL", f"{GAZELLE_K_TOTAL:,.0f}", "animals at K on the map",
     "assumption: Ustyurt numbers unconfirmed; Kazakhstan held ~200,000 before a ~90 % decline (ACBK 2020)"),
    ("URIAL_K_TOTAL", f"{URIAL_K_TOTAL:,.0f}", "animals at K on the map",
     "assumption: ~6,000 urial in Kazakhstan, ~40 % on the Western Chink (Red Book of Kazakhstan)"),
    ("WOLVES_PER_KM2", f"{WOLVES_PER_KM2:g}", "wolves/km² on the plateau",
     "assumption: Ustyurt wolf density unconfirmed (parameters.md §6.5)"),
    ("WOLVES_ESCARPMENT_PER_KM2", f"{WOLVES_ESCARPMENT_PER_KM2:g}", "wolves/km² within 5 km of a chink",
     "assumption: wolves often hunt urial on the chinks (Sludskii et al. 1981, S)"),
    ("BORDER_GAPS", f"{BORDER_GAPS}", "open gaps in the border fence",
     "assumption: passages confirmed in use (Mukhashov et al.); their number on the plateau unknown"),
    ("N_WELLS / WELL_SPACING_KM", f"{N_WELLS} / {WELL_SPACING_KM:g}", "wells / minimum km apart",
     "assumption: stylised herders' wells (semi-nomadic herders, Wikipedia 'Ustyurt', S)"),
    ("HABITAT_PLAIN", f"{HABITAT_PLAIN[0]:g}-{HABITAT_PLAIN[1]:g}", "suitability (0-1)",
     "assumption: open plain is cheetah habitat (hunting by sight in open country)"),
    ("HABITAT_ESCARPMENT / _SAND / _SALT_FLAT / _OFF_PLATEAU",
     f"{HABITAT_ESCARPMENT:g} / {HABITAT_SAND:g} / {HABITAT_SALT_FLAT:g} / {HABITAT_OFF_PLATEAU:g}",
     "suitability (0-1)", "assumption: cliffs, dunes, salt flats and the lowlands off the plateau are poor"),
    ("HUMAN_GRAZING_PLATEAU / _LOWLAND", f"{HUMAN_GRAZING_PLATEAU:g} / {HUMAN_GRAZING_LOWLAND:g}",
     "herder pressure (0-1)", "assumption: livestock graze the whole plateau; lowlands are settled"),
    ("HUMAN_WELL", f"{HUMAN_WELL[0]:g}, e-folding {HUMAN_WELL[1]:g} km", "herder pressure (0-1)",
     "assumption: herders camp at wells; herders' dogs kill cheetahs in Iran (Farhadinia et al. 2018)"),
    ("HUMAN_ROAD", f"{HUMAN_ROAD[0]:g}, e-folding {HUMAN_ROAD[1]:g} km", "herder pressure (0-1)",
     "assumption: traffic and access along the Beyneu-Kungrad corridor"),
    ("HUMAN_SETTLEMENT_KM", f"{HUMAN_SETTLEMENT_KM:g}", "km (e-folding of a settlement's pressure 0.5-0.9)",
     "assumption"),
    ("PROTECTED_AREAS strength", "; ".join(f"{pa[0]} {pa[-1]:g}" for pa in PROTECTED_AREAS), "protection (0-1)",
     "assumption: the Kazakh reserve is a strict zapovednik; the Uzbek areas are newer"),
)


# ---------------------------------------------------------------------------------------------
# geometry helpers (numpy, vectorised over cells)
# ---------------------------------------------------------------------------------------------


def lonlat_to_km(lon, lat):
    """Map coordinates [km] east of the west edge (x) and south of the north edge (y)."""
    return ((np.asarray(lon, dtype=float) - MAP_WEST) * KM_PER_DEG_LON,
            (MAP_NORTH - np.asarray(lat, dtype=float)) * KM_PER_DEG_LAT)


def km_to_lonlat(x, y):
    return MAP_WEST + np.asarray(x) / KM_PER_DEG_LON, MAP_NORTH - np.asarray(y) / KM_PER_DEG_LAT


def _inside_polygon(x, y, px, py) -> np.ndarray:
    """Even-odd point-in-polygon test, broadcasting x and y (km)."""
    inside = np.zeros(np.broadcast_shapes(np.shape(x), np.shape(y)), dtype=bool)
    n = len(px)
    for i in range(n):
        x1, y1, x2, y2 = px[i], py[i], px[(i + 1) % n], py[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_cross = x1 + (x2 - x1) * (y - y1) / (y2 - y1)
        inside ^= crosses & (x < x_cross)
    return inside


def _ellipse(x, y, cx, cy, a, b, angle_deg) -> np.ndarray:
    """Cells (broadcast x, y in km) inside an ellipse; angle of semi-axis a from east, counter-
    clockwise as seen on the map (y grows southward, hence the sign)."""
    t = math.radians(angle_deg)
    dx, dy = x - cx, -(y - cy)
    u = dx * math.cos(t) + dy * math.sin(t)
    v = -dx * math.sin(t) + dy * math.cos(t)
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0


def _segment_param(x, y, px, py) -> tuple[np.ndarray, np.ndarray]:
    """Distance [km] from points to a polyline and the arc length [km] of the nearest point."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    best = np.full(x.shape, np.inf)
    arc = np.zeros(x.shape)
    start = 0.0
    for i in range(len(px) - 1):
        ax, ay, bx, by = px[i], py[i], px[i + 1], py[i + 1]
        length = math.hypot(bx - ax, by - ay)
        t = np.clip(((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / max(length ** 2, 1e-12), 0, 1)
        d = np.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)))
        closer = d < best
        best = np.where(closer, d, best)
        arc = np.where(closer, start + t * length, arc)
        start += length
    return best, arc


def _polyline_cells(px, py, cell_km: float, rows: int, cols: int) -> np.ndarray:
    """Cells (row, col) a polyline passes through, in order along it, inside the map."""
    pts = []
    for i in range(len(px) - 1):
        length = math.hypot(px[i + 1] - px[i], py[i + 1] - py[i])
        n = max(2, int(math.ceil(length / (cell_km / 4))))
        t = np.linspace(0.0, 1.0, n, endpoint=False)
        pts.append(np.column_stack([py[i] + t * (py[i + 1] - py[i]), px[i] + t * (px[i + 1] - px[i])]))
    pts.append(np.array([[py[-1], px[-1]]]))
    rc = np.floor(np.concatenate(pts) / cell_km).astype(np.int64)
    ok = (rc[:, 0] >= 0) & (rc[:, 0] < rows) & (rc[:, 1] >= 0) & (rc[:, 1] < cols)
    rc = rc[ok]
    if rc.size == 0:
        return rc.reshape(0, 2)
    keep = np.ones(len(rc), dtype=bool)
    keep[1:] = np.any(rc[1:] != rc[:-1], axis=1)
    rc = rc[keep]
    _, first = np.unique(rc, axis=0, return_index=True)
    return rc[np.sort(first)]


def _distance_km(mask: np.ndarray, cell_km: float) -> np.ndarray:
    """Distance [km] from each cell centre to the nearest True cell (inf if there is none)."""
    from scipy.ndimage import distance_transform_edt

    if not mask.any():
        return np.full(mask.shape, np.inf)
    return distance_transform_edt(~mask, sampling=cell_km)


def _cells(mask: np.ndarray) -> np.ndarray:
    return np.argwhere(mask).astype(np.int64)


def _scale_to_total(weight: np.ndarray, total: float, cell_area_km2: float) -> np.ndarray:
    """Density [animals/km²] proportional to weight, summing to ``total`` animals over the map."""
    s = float(weight.sum())
    if s <= 0:
        return np.zeros_like(weight, dtype=np.float64)
    return (weight * (total / (s * cell_area_km2))).astype(np.float64)


@functools.lru_cache(maxsize=1)
def _plateau_polygon_km() -> tuple[np.ndarray, np.ndarray]:
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
    rng = np.random.default_rng(_LAYOUT_SEED)
    px, py = _plateau_polygon_km()
    x = rng.uniform(0, MAP_WIDTH_KM, 6000)
    y = rng.uniform(0, MAP_HEIGHT_KM, 6000)
    ok = _inside_polygon(x, y, px, py)
    ok &= _segment_param(x, y, *_closed(px, py))[0] > 12.0        # not on the chinks
    for _, lon, lat, a, b, ang in SALT_FLATS + SANDS:
        cx, cy = lonlat_to_km(lon, lat)
        ok &= ~_ellipse(x, y, cx, cy, a + 5, b + 5, ang)
    _, _, lon, lat, a, b, ang, _ = PROTECTED_AREAS[0]           # the strict KZ reserve
    cx, cy = lonlat_to_km(lon, lat)
    ok &= ~_ellipse(x, y, cx, cy, a + 5, b + 5, ang)
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
    return np.append(px, px[0]), np.append(py, py[0])


# ---------------------------------------------------------------------------------------------
# ustyurt: the build
# ---------------------------------------------------------------------------------------------


def build_ustyurt(spec) -> Landscape:
    """The stylised Ustyurt map (see the module docstring). Deterministic for ``spec.seed``,
    which only sets the texture noise of habitat (and so of prey capacity)."""
    from scipy.ndimage import gaussian_filter

    cell = float(spec.cell_km)
    rows = max(1, round(MAP_HEIGHT_KM / cell))
    cols = max(1, round(MAP_WIDTH_KM / cell))
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
        m = _ellipse(xk, yk, float(cx), float(cy), a, b, ang)
        if not m.any():                                     # smaller than a cell: keep one
            m = np.zeros(shape, dtype=bool)
            m[cell_of(lo, la)] = True
        return np.broadcast_to(m, shape).copy()

    # --- plateau and chinks -------------------------------------------------------------------
    px, py = _plateau_polygon_km()
    plateau = np.broadcast_to(_inside_polygon(xk, yk, px, py), shape).copy()
    to_edge = _distance_km(~plateau, cell)                  # km from plateau cell to the lowland
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
        rc = _polyline_cells(rx, ry, cell, rows, cols)
        road_cells[name] = rc
        road[rc[:, 0], rc[:, 1]] = True
    wells_ll = well_points_lonlat()
    well_rc = np.array([cell_of(lo, la) for lo, la in wells_ll], dtype=np.int64).reshape(-1, 2)
    water = np.zeros(shape, dtype=bool)
    water[well_rc[:, 0], well_rc[:, 1]] = True

    d_road = _distance_km(road, cell)
    d_well = _distance_km(water, cell)
    settle_p = np.zeros(shape)
    settle_rc = {}
    for lo, la, name, p in SETTLEMENTS:
        rc = cell_of(lo, la)
        settle_rc[name] = rc
        m = np.zeros(shape, dtype=bool)
        m[rc] = True
        settle_p = np.maximum(settle_p, p * np.exp(-_distance_km(m, cell) / HUMAN_SETTLEMENT_KM))
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
    north = 1.0 / (1.0 + np.exp(-(lat - 44.5) / 0.45))       # summer range: northern Ustyurt
    south = 1.0 / (1.0 + np.exp((lat - 43.9) / 0.45))        # winter range: south (KZ and UZ)
    saiga_summer = _scale_to_total(suit * (0.05 + north), SAIGA_K_TOTAL, area)
    saiga_winter = _scale_to_total(suit * (0.05 + south), SAIGA_K_TOTAL, area)
    gazelle_w = suit * (0.2 + south) * (1.0 + 2.0 * np.exp(-d_well / 15.0))
    gazelle = _scale_to_total(gazelle_w, GAZELLE_K_TOTAL, area)
    d_esc = _distance_km(escarpment, cell)
    chink_name = _name_escarpments(escarpment, xk, yk)
    western = np.zeros(shape, dtype=bool)
    if escarpment.any():
        western[escarpment] = chink_name == list(CHINKS).index("Western chink")
    near_west = _distance_km(western, cell) <= 5.0
    urial_w = np.where(escarpment, 1.0, np.where(d_esc <= 5.0, 0.4, 0.0))
    urial_w = urial_w * np.where(near_west, 2.5, 1.0) * (1.0 - 0.5 * human)
    urial = _scale_to_total(urial_w, URIAL_K_TOTAL, area)

    competitors = np.full(shape, WOLVES_PER_KM2)
    competitors[d_esc <= 5.0] = WOLVES_ESCARPMENT_PER_KM2

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
    feats: list[Feature] = [Feature("Ustyurt Plateau", "plateau", _cells(plateau))]
    esc_cells = _cells(escarpment)
    for i, name in enumerate(CHINKS):
        feats.append(Feature(name, "escarpment", esc_cells[chink_name == i]))
    feats += [Feature(n, "salt_flat", _cells(m)) for n, m in salt_masks.items()]
    feats += [Feature(n, "sand", _cells(m)) for n, m in sand_masks.items()]
    feats += [Feature(n, "protected_area", _cells(m)) for n, m in protected.items()]
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
             "stylised). Wells are a fixed stylised layout. Capacity totals: saiga 250,000 per season, "
             "gazelle 15,000, urial 4,000 animals.")
    caps = {"saiga_summer": saiga_summer, "saiga_winter": saiga_winter, "gazelle": gazelle,
            "urial": urial}
    return Landscape(
        name="ustyurt", cell_km=cell, habitat=habitat.astype(np.float64), escarpment=escarpment,
        water=water, protection=protection.astype(np.float64), human=human.astype(np.float64),
        road=road, competitors=competitors, capacity=caps, fences=(fence,), sites=sites,
        protected_areas=protected, features=tuple(feats), open_boundary=False, bounds=bounds,
        crs="EPSG:4326", notes=notes)


def _name_escarpments(escarpment: np.ndarray, xk: np.ndarray, yk: np.ndarray) -> np.ndarray:
    """Index (into CHINKS) of the chink nearest to each escarpment cell, in argwhere order."""
    rc = np.argwhere(escarpment)
    if rc.size == 0:
        return np.zeros(0, dtype=np.int64)
    x, y = xk[0, rc[:, 1]], yk[rc[:, 0], 0]
    dists = []
    for pts in CHINKS.values():
        cx, cy = lonlat_to_km(*np.array(pts).T)
        dists.append(_segment_param(x, y, cx, cy)[0])
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
    _, arc = _segment_param(mid_x, mid_y, lx, ly)
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


__all__ = ["build_preset", "build_uniform", "build_ustyurt", "lonlat_to_km", "km_to_lonlat",
           "well_points_lonlat", "MAP_WEST", "MAP_NORTH", "KM_PER_DEG_LAT", "KM_PER_DEG_LON"]
