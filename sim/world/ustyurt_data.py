"""The stylised Ustyurt map's data: places, extents, capacity totals and layer constants.

Every place is given in WGS84 degrees (longitude, latitude) from general geographic knowledge and
the public sources quoted next to it; none is surveyed. :mod:`sim.world.ustyurt` draws the map
from these tables; :data:`PRESET_DEFAULTS` lists the numeric ones in ``docs/parameters.md``.

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

import math

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
LAYOUT_SEED = 1984           # wells are a fixed stylised layout, independent of spec.seed

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
