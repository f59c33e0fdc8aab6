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
* Seasonal saiga ranges (:data:`SAIGA_SUMMER_RANGES`, :data:`SAIGA_WINTER_RANGES`). *Where*
  they lie is sourced: the Ustyurt saiga summer (and calve) in the north of the plateau on the
  Kazakh side and winter in the south, "sometimes several hundred kilometres away", historically
  across the border in Uzbekistan (occasionally Turkmenistan) (CMS fact sheet "Saiga antelope
  migration", Sept 2024; seasonal ranges of the Ustyurt population in Bekenov, Grachev &
  Milner-Gulland 1998, Mammal Rev. 28:1-52); the saiga summer grouping lies north of the
  Beyneu-Shalkar railway (KTZ; press; field-values-2 E); the migration follows the north-south
  productivity and snow gradient (Singh et al. 2010, Divers. Distrib.); the border fence of
  2011-12 lies across the winter migration (ACBK, Saiga News; parameters.md §6.2). The exact
  shapes, centres, sizes and weights of the ranges drawn here are an *assumption*, chosen so
  that most summer capacity is on the Kazakh side and most winter capacity on the Uzbek side,
  as in the sources; they are not a survey of the ranges.
* Tolai hare (small prey) [animals/km²]: :data:`HARE_PER_KM2` on open plateau, in proportion to
  habitat elsewhere (assumption: Ustyurt density unconfirmed; field-values-2 D).
* Competitors [animals/km²]: wolves :data:`WOLF_PER_KM2` over the whole map (the Kazakhstan
  national mean applied locally; Ustyurt density unconfirmed); leopards :data:`LEOPARD_PER_KM2`
  within :data:`LEOPARD_CHINK_KM` of the chinks (assumption; camera-trapped there); no lions.
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

# Seasonal saiga ranges as soft-edged ellipses (sim.world.shapes.soft_ellipse):
# (name, lon, lat, semi-axis a km, semi-axis b km, angle of a from east [deg], weight).
# Placement: summer north on the Kazakh side, winter south reaching across the border into
# Uzbekistan (CMS saiga migration fact sheet 2024; Bekenov, Grachev & Milner-Gulland 1998; Singh
# et al. 2010: north-south productivity gradient). Shapes, sizes and weights: assumption.
SAIGA_SUMMER_RANGES = [
    ("northern Kazakh Ustyurt", 54.95, 44.7, 105.0, 55.0, 15.0, 1.0),
    ("north-eastern Kazakh Ustyurt (towards the Aral)", 57.2, 45.52, 95.0, 28.0, 20.0, 1.0),
]
SAIGA_WINTER_RANGES = [
    ("southern Uzbek Ustyurt", 57.1, 43.2, 115.0, 95.0, 60.0, 1.0),
    ("south-western Ustyurt (west of the border)", 55.0, 42.4, 75.0, 50.0, 0.0, 0.4),
]
SAIGA_RANGE_EDGE = 0.25        # soft edge of a range [fraction of its semi-axes] (assumption)
SAIGA_OUTSIDE_RANGES = 0.05    # weight of plateau outside the season's ranges (assumption: strays)

# Small prey: tolai hare (Lepus tolai) capacity [animals/km²] on open plateau (habitat
# HARE_HABITAT_REF), elsewhere in proportion to habitat (salt flats, sands, chinks, off-plateau
# lower). Assumption: Ustyurt density unconfirmed; proxy Cape hare 2.1-8.0/km² in protected
# southern Tunisian reserves (Chammem et al. 2017, Afr. Zool. 52:137) taken at its low end, as
# Ustyurt is grazed, unprotected and colder, and tolai were "only at very low densities" in
# Badkhyz 2014 (Kaczensky & Linnell 2015, NINA Report 1148).
HARE_PER_KM2 = 2.0
HARE_HABITAT_REF = 0.8         # habitat of the open plain (the middle of HABITAT_PLAIN)

# Competitors [animals/km²]. Wolves: Ustyurt density unconfirmed; Kazakhstan national mean ~14,500
# wolves 2021 ≈ 0.5 per 100 km² (MinEcology; ACBK; field-values-2 E) applied over the whole map.
WOLF_PER_KM2 = 0.005
# Leopards: camera-trapped in the Ustyurt State Nature Reserve 2020 and 2024, >= 4 documented in
# Mangistau 2022-23 (asiamedium.com; Mukhashov et al.; parameters.md §6.5); density: assumption
# (a few animals along the chinks), only within LEOPARD_CHINK_KM of a chink; no lions on Ustyurt.
LEOPARD_PER_KM2 = 0.0005
LEOPARD_CHINK_KM = 5.0

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
    ("SAIGA_SUMMER_RANGES", "; ".join(f"{r[0]} ({r[1]:g}°E {r[2]:g}°N, {r[3]:g} x {r[4]:g} km, weight {r[6]:g})"
                                      for r in SAIGA_SUMMER_RANGES),
     "soft-edged ellipses of saiga_summer capacity",
     "placement: the Ustyurt saiga summer in the north on the Kazakh side (CMS saiga migration fact sheet "
     "2024; Bekenov, Grachev & Milner-Gulland 1998, Mammal Rev. 28:1-52; Singh et al. 2010); "
     "assumption: the exact shapes, sizes and weights"),
    ("SAIGA_WINTER_RANGES", "; ".join(f"{r[0]} ({r[1]:g}°E {r[2]:g}°N, {r[3]:g} x {r[4]:g} km, weight {r[6]:g})"
                                      for r in SAIGA_WINTER_RANGES),
     "soft-edged ellipses of saiga_winter capacity",
     "placement: winter in the south, historically across the border in Uzbekistan, \"sometimes several "
     "hundred kilometres\" from the summer range (CMS fact sheet 2024; Bekenov et al. 1998); the border "
     "fence (2011-12) cut that migration (ACBK, Saiga News); assumption: the exact shapes, sizes and weights"),
    ("SAIGA_RANGE_EDGE / SAIGA_OUTSIDE_RANGES", f"{SAIGA_RANGE_EDGE:g} / {SAIGA_OUTSIDE_RANGES:g}",
     "edge width (fraction of semi-axes) / relative weight outside the ranges",
     "assumption: ranges fade over tens of km; a few saiga stray over the rest of the plateau"),
    ("HARE_PER_KM2", f"{HARE_PER_KM2:g}", f"tolai hares/km² at K on open plateau (habitat {HARE_HABITAT_REF:g}); "
     "x habitat / that elsewhere",
     "assumption: Ustyurt density unconfirmed (field-values-2 D); low end of the Cape hare proxy 2.1-8.0/km² "
     "in southern Tunisian reserves (Chammem et al. 2017, Afr. Zool. 52:137), lower still as tolai were "
     "'only at very low densities' in Badkhyz 2014 (Kaczensky & Linnell 2015, NINA Report 1148)"),
    ("WOLF_PER_KM2", f"{WOLF_PER_KM2:g}", "wolves/km², whole map",
     "C: Kazakhstan national mean, ~14,500 wolves 2021 ≈ 0.5 per 100 km² (MinEcology; ACBK), applied "
     "locally as an assumption: Ustyurt wolf density unconfirmed (parameters.md §6.5)"),
    ("LEOPARD_PER_KM2", f"{LEOPARD_PER_KM2:g} within {LEOPARD_CHINK_KM:g} km of a chink, 0 elsewhere",
     "leopards/km²",
     "assumption: a few leopards along the chinks; camera-trapped in the Ustyurt State Nature Reserve "
     "2020 and 2024, >= 4 documented in Mangistau 2022-23 (parameters.md §6.5); no lions on Ustyurt"),
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
