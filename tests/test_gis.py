"""The ``gis`` landscape: rasters and vectors in other CRSs reprojected onto a UTM grid, checked
cell by cell against values computed here; the errors for bad files; a replicate and a batch on it.

The model grid is EPSG:32640 (UTM 40N, metres) over 75 x 50 km at 2.5 km cells: 20 rows x 30 cols.
Inputs are written here in EPSG:32640, EPSG:4326 (degrees) and EPSG:3857 (web Mercator).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

rasterio = pytest.importorskip("rasterio")
pyogrio = pytest.importorskip("pyogrio")

from rasterio.transform import from_bounds  # noqa: E402
from rasterio.warp import transform as warp_xy  # noqa: E402

from sim.config.loading import load_scenarios  # noqa: E402
from sim.config.errors import ScenarioError  # noqa: E402
from sim.config.schema import LandscapeSpec  # noqa: E402
from sim.model.checks import build_and_check  # noqa: E402
from sim.world.build import build_landscape  # noqa: E402
from sim.world.gis import GisError, write_geotiff  # noqa: E402
from sim.world.landscape import EAST, SOUTH  # noqa: E402
from sim.world.presets import grid_size_problem  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
UTM = "EPSG:32640"
X0, Y0, X1, Y1 = 500_000.0, 4_800_000.0, 575_000.0, 4_850_000.0     # grid bounds [m]
CELL = 2500.0                                                          # [m]
ROWS, COLS = 20, 30


# ------------------------------------------------------------------------------- file writers

def write_raster(path: Path, array, crs: str, bounds, nodata=None) -> Path:
    rows, cols = np.shape(array)
    with rasterio.open(path, "w", driver="GTiff", height=rows, width=cols, count=1, dtype="float64",
                       crs=crs, transform=from_bounds(*bounds, cols, rows), nodata=nodata) as dst:
        dst.write(np.asarray(array, dtype=np.float64), 1)
    return path


def _wkb_point(x, y) -> bytes:
    return struct.pack("<BIdd", 1, 1, x, y)


def _wkb_line(xy) -> bytes:
    return struct.pack("<BII", 1, 2, len(xy)) + b"".join(struct.pack("<dd", x, y) for x, y in xy)


def _wkb_polygon(ring) -> bytes:
    ring = list(ring) + [ring[0]]
    return struct.pack("<BIII", 1, 3, 1, len(ring)) + b"".join(struct.pack("<dd", x, y) for x, y in ring)


def write_vector(path: Path, kind: str, geoms, crs: str | None, fields: dict | None = None) -> Path:
    """A GeoPackage of ``geoms`` (coordinates in ``crs``): kind Point, LineString or Polygon."""
    wkb = np.array([{"Point": lambda g: _wkb_point(*g), "LineString": _wkb_line, "Polygon": _wkb_polygon}[kind](g)
                    for g in geoms], dtype=object)
    fields = fields or {}
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # pyogrio warns when a file gets no CRS (on purpose here)
        pyogrio.raw.write(path, wkb, [np.asarray(v, dtype=object if isinstance(v[0], str) else None)
                                      for v in fields.values()], fields=list(fields), crs=crs,
                          geometry_type=kind, driver="GPKG")
    return path


def utm_to(crs: str, x, y):
    """Points from the grid's CRS to ``crs``."""
    xs, ys = warp_xy(UTM, crs, list(np.atleast_1d(x)), list(np.atleast_1d(y)))
    return np.array(xs), np.array(ys)


def densified(x_a, y_a, x_b, y_b, n=60):
    """Points along the straight UTM segment a-b (so that the line stays straight on the grid
    after a round trip through another CRS)."""
    t = np.linspace(0, 1, n)
    return x_a + t * (x_b - x_a), y_a + t * (y_b - y_a)


def cell_corners_in(crs: str):
    """x, y of the four corners of every grid cell in ``crs``: arrays (4, ROWS, COLS)."""
    cx = X0 + np.arange(COLS + 1) * CELL
    cy = Y1 - np.arange(ROWS + 1) * CELL
    gx, gy = np.meshgrid(cx, cy)
    x, y = utm_to(crs, gx.ravel(), gy.ravel())
    x, y = x.reshape(gx.shape), y.reshape(gy.shape)
    return (np.stack([x[:-1, :-1], x[:-1, 1:], x[1:, :-1], x[1:, 1:]]),
            np.stack([y[:-1, :-1], y[:-1, 1:], y[1:, :-1], y[1:, 1:]]))


def scenario_text(gis: str) -> str:
    """A two-year scenario on a gis landscape (``gis``: the YAML of the landscape.gis section),
    soft-releasing 3 + 3 cheetahs at the site ``camp`` in January (so that some settle and the
    occupancy map is not empty within two years)."""
    section = textwrap.indent(textwrap.dedent(gis), " " * 4)
    return ("name: gis_small\nyears: 2\nreplicates: 2\n"
            "landscape:\n  preset: gis\n  cell_km: 2.5\n  prey_cell_km: 2.5\n  gis:\n" + section +
            "prey: {saiga: {initial_total: 0}, urial: {initial_total: 0}, gazelle: {initial_total: 30000}}\n"
            "releases:\n  - {site: camp, month: 1, females: 3, males: 3, method: soft, boma_months: 1}\n")


def spec(base: Path, **gis) -> LandscapeSpec:
    gis = {"crs": UTM, "bounds": [X0, Y0, X1, Y1], **gis}
    return LandscapeSpec(preset="gis", cell_km=2.5, gis=gis)


@pytest.fixture
def habitat(tmp_path) -> Path:
    """A uniform habitat raster (0.7) in the grid's CRS covering the bounds."""
    return write_raster(tmp_path / "habitat.tif", np.full((10, 15), 0.7), UTM, (X0, Y0, X1, Y1))


# ------------------------------------------------------------------------------- grid and rasters

def test_grid_shape_transform_crs_and_wgs84_bounds(tmp_path, habitat):
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"}), tmp_path)
    assert land.shape == (ROWS, COLS)
    assert land.transform == (X0, CELL, 0.0, Y1, 0.0, -CELL)
    assert rasterio.crs.CRS.from_user_input(land.crs) == rasterio.crs.CRS.from_epsg(32640)
    np.testing.assert_allclose(land.habitat, 0.7)
    west, south, east, north = land.bounds
    lon, lat = utm_to("EPSG:4326", [X0, X1], [Y0, Y1])
    assert west <= lon[0] + 1e-6 and east >= lon[1] - 1e-6 and south <= lat[0] + 1e-6 and north >= lat[1] - 1e-6
    assert 54 < west < east < 58 and 43 < south < north < 44
    assert land.open_boundary is False and land.fences == () and land.sites == {}


def test_bounds_not_a_multiple_of_the_cell_round_up_and_default_to_the_habitat_extent(tmp_path):
    write_raster(tmp_path / "h.tif", np.ones((4, 4)), UTM, (X0, Y0, X0 + 11_000, Y0 + 6_000))
    land = build_landscape(LandscapeSpec(preset="gis", cell_km=2.5, gis={"crs": UTM, "rasters": {"habitat": "h.tif"}}),
                           tmp_path)
    assert land.shape == (3, 5)                       # ceil(6 / 2.5), ceil(11 / 2.5)
    assert land.transform[0] == X0 and land.transform[3] == Y0 + 6_000


def test_average_resampling_of_a_finer_density_is_the_block_mean(tmp_path, habitat):
    fine = np.random.default_rng(1).uniform(0, 8, (ROWS * 5, COLS * 5))      # 500 m pixels, aligned
    write_raster(tmp_path / "gazelle.tif", fine, UTM, (X0, Y0, X1, Y1))
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif", "gazelle": "gazelle.tif"}), tmp_path)
    block_mean = fine.reshape(ROWS, 5, COLS, 5).mean(axis=(1, 3))
    np.testing.assert_allclose(land.capacity["gazelle"], block_mean, rtol=1e-9)
    # animals are kept: density x area summed over the map
    assert land.capacity["gazelle"].sum() * 6.25 == pytest.approx(fine.sum() * 0.25, rel=1e-9)


def test_a_degree_raster_west_half_one_lands_on_the_cells_west_of_its_meridian(tmp_path, habitat):
    lon, lat = utm_to("EPSG:4326", [X0 - 5000, X1 + 5000], [Y0 - 5000, Y1 + 5000])
    w, e, s, n = lon.min(), lon.max(), lat.min(), lat.max()
    cols = 400
    a = np.zeros((200, cols))
    a[:, : cols // 2] = 1.0
    write_raster(tmp_path / "h4326.tif", a, "EPSG:4326", (w, s, e, n))
    meridian, px = w + (e - w) / 2, (e - w) / cols
    land = build_landscape(spec(tmp_path, rasters={"habitat": "h4326.tif"}), tmp_path)
    cx, _ = cell_corners_in("EPSG:4326")
    west = (cx < meridian - px).all(axis=0)
    east = (cx > meridian + px).all(axis=0)
    assert west.sum() > 100 and east.sum() > 100
    np.testing.assert_allclose(land.habitat[west], 1.0)
    np.testing.assert_allclose(land.habitat[east], 0.0)
    straddle = (cx < meridian - px).any(axis=0) & (cx > meridian + px).any(axis=0)
    assert straddle.sum() >= 5
    assert ((land.habitat[straddle] > 0) & (land.habitat[straddle] < 1)).all()


def test_a_true_false_raster_is_true_in_every_cell_any_true_pixel_touches(tmp_path, habitat):
    # EPSG:3857 raster, 1 south of a parallel line y = y_cut (web Mercator metres)
    x, y = utm_to("EPSG:3857", [X0 - 5000, X1 + 5000], [Y0 - 5000, Y1 + 5000])
    x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
    a = np.zeros((300, 300))
    a[180:, :] = 1.0                                  # rows from the north: the southern 40 %
    write_raster(tmp_path / "road3857.tif", a, "EPSG:3857", (x0, y0, x1, y1))
    y_cut, px = y1 - 180 * (y1 - y0) / 300, (y1 - y0) / 300
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif", "road": "road3857.tif"}), tmp_path)
    _, cy = cell_corners_in("EPSG:3857")
    north = (cy > y_cut + px).all(axis=0)
    south_part = (cy < y_cut - px).any(axis=0)
    assert land.road.dtype == bool and north.sum() > 50 and south_part.sum() > 50
    assert not land.road[north].any()
    assert land.road[south_part].all()


def test_nodata_and_cells_outside_a_raster_are_zero(tmp_path, habitat):
    a = np.full((ROWS, COLS // 2), 2.0)
    a[:5, :] = -9999.0
    write_raster(tmp_path / "urial.tif", a, UTM, (X0, Y0, X0 + COLS // 2 * CELL, Y1), nodata=-9999.0)
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif", "urial": "urial.tif"}), tmp_path)
    expect = np.zeros((ROWS, COLS))
    expect[5:, : COLS // 2] = 2.0
    np.testing.assert_allclose(land.capacity["urial"], expect)


def test_layers_without_a_raster_take_the_values_and_the_rest_are_zero(tmp_path, habitat):
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"},
                                values={"human": 0.3, "wolves": 0.01, "saiga_winter": 2.5}), tmp_path)
    np.testing.assert_allclose(land.human, 0.3)
    np.testing.assert_allclose(land.competitors["wolf"], 0.01)
    np.testing.assert_allclose(land.capacity["saiga_winter"], 2.5)
    for a in (land.capacity["saiga_summer"], land.capacity["hare"], land.competitors["lion"], land.protection):
        assert not a.any()
    assert not (land.water.any() or land.road.any() or land.escarpment.any())
    opened = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"}, open_edge=True), tmp_path)
    assert opened.open_boundary is True and land.open_boundary is False


# ------------------------------------------------------------------------------- vectors

def test_a_fence_along_a_cell_boundary_closes_exactly_the_south_edges_of_that_row(tmp_path, habitat):
    y_line = Y1 - 8 * CELL                           # between rows 7 and 8
    x, y = densified(X0 - 3000, y_line, X1 + 3000, y_line)
    lon, lat = utm_to("EPSG:4326", x, y)
    write_vector(tmp_path / "fences.gpkg", "LineString", [list(zip(lon, lat))], "EPSG:4326", {"name": ["border"]})
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"},
                                vectors={"fences": "fences.gpkg"}), tmp_path)
    (fence,) = land.fences
    assert fence.name == "border" and fence.n_gaps == 0
    np.testing.assert_array_equal(fence.edges, [(SOUTH, 7, c) for c in range(COLS)])   # in order west to east
    expect = np.zeros((ROWS - 1, COLS), dtype=bool)
    expect[7] = True
    np.testing.assert_array_equal(land.barrier_south, expect)
    assert not land.barrier_east.any()


def test_a_diagonal_fence_even_through_cell_centres_splits_the_grid_by_side(tmp_path, habitat):
    # 45 degrees south-east from the centre of cell (0, 2): it runs through the centres (k, k + 2)
    xa, ya = X0 + 2.5 * CELL, Y1 - 0.5 * CELL
    x, y = densified(xa - 3 * CELL, ya + 3 * CELL, xa + 25 * CELL, ya - 25 * CELL)
    mx, my = utm_to("EPSG:3857", x, y)
    write_vector(tmp_path / "f.gpkg", "LineString", [list(zip(mx, my))], "EPSG:3857")
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"}, vectors={"fences": "f.gpkg"}),
                           tmp_path)
    assert [f.name for f in land.fences] == ["fence 1"]
    regions = land.fence_regions
    rr, cc = np.mgrid[:ROWS, :COLS]
    side = cc - rr - 2                                # > 0 north-east of the line, < 0 south-west
    assert len(np.unique(regions)) == 2
    ne, sw = np.unique(regions[side > 0]), np.unique(regions[side < 0])
    assert len(ne) == 1 and len(sw) == 1 and ne[0] != sw[0]


def test_roads_reserves_sites_and_water_points_land_on_their_cells(tmp_path, habitat):
    # road: along the centre line of column 12, in degrees
    x, y = densified(X0 + 12.5 * CELL, Y1 + 1000, X0 + 12.5 * CELL, Y0 - 1000)
    write_vector(tmp_path / "roads.gpkg", "LineString", [list(zip(*utm_to("EPSG:4326", x, y)))], "EPSG:4326")
    # reserves (web Mercator): A covers the centres of rows 2-5, cols 3-9; B rows 4-7, cols 8-11
    def rect(r0, r1, c0, c1):
        xs = [X0 + (c0 + 0.2) * CELL, X0 + (c1 + 0.8) * CELL]
        ys = [Y1 - (r0 + 0.2) * CELL, Y1 - (r1 + 0.8) * CELL]
        ring = [(xs[0], ys[0]), (xs[1], ys[0]), (xs[1], ys[1]), (xs[0], ys[1])]
        dense = [p for a, b in zip(ring, ring[1:] + ring[:1]) for p in zip(*densified(*a, *b, n=20))]
        return list(zip(*utm_to("EPSG:3857", *zip(*dense))))
    write_vector(tmp_path / "pa.gpkg", "Polygon", [rect(2, 5, 3, 9), rect(4, 7, 8, 11)], "EPSG:3857",
                 {"title": ["A", "B"], "level": [0.9, 0.4]})
    # sites (degrees) at the centres of cells (3, 4) and (15, 25); water points (web Mercator)
    sx, sy = utm_to("EPSG:4326", [X0 + 4.5 * CELL, X0 + 25.5 * CELL], [Y1 - 3.5 * CELL, Y1 - 15.5 * CELL])
    write_vector(tmp_path / "sites.gpkg", "Point", list(zip(sx, sy)), "EPSG:4326", {"name": ["camp", "well_10"]})
    wx, wy = utm_to("EPSG:3857", [X0 + 1.2 * CELL, X0 + 20.9 * CELL, X1 + 50_000], [Y1 - 0.3 * CELL, Y1 - 10.1 * CELL, Y0])
    write_vector(tmp_path / "wells.gpkg", "Point", list(zip(wx, wy)), "EPSG:3857")
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"}, vectors={
        "roads": "roads.gpkg", "sites": "sites.gpkg", "water_points": "wells.gpkg",
        "reserves": {"file": "pa.gpkg", "name_field": "title", "strength_field": "level"}}), tmp_path)

    road = np.zeros((ROWS, COLS), dtype=bool)
    road[:, 12] = True
    np.testing.assert_array_equal(land.road, road)
    a = np.zeros((ROWS, COLS), dtype=bool)
    a[2:6, 3:10] = True
    b = np.zeros((ROWS, COLS), dtype=bool)
    b[4:8, 8:12] = True
    np.testing.assert_array_equal(land.protected_areas["A"], a)
    np.testing.assert_array_equal(land.protected_areas["B"], b)
    np.testing.assert_allclose(land.protection, np.where(a, 0.9, np.where(b, 0.4, 0.0)))   # the larger wins
    assert land.sites == {"camp": (3, 4), "well_10": (15, 25)}
    water = np.zeros((ROWS, COLS), dtype=bool)
    water[0, 1] = water[10, 20] = True                # the third well lies off the grid
    np.testing.assert_array_equal(land.water, water)
    assert {f.kind for f in land.features} >= {"road", "protected_area", "site", "well"}


# ------------------------------------------------------------------------------- errors

def _error(tmp_path, **gis) -> str:
    with pytest.raises(GisError) as e:
        build_landscape(spec(tmp_path, **gis), tmp_path)
    return str(e.value)


def test_a_missing_raster_names_the_file_and_key(tmp_path):
    text = _error(tmp_path, rasters={"habitat": "nowhere.tif"})
    assert "nowhere.tif" in text and "landscape.gis.rasters.habitat" in text and "does not exist" in text


def test_a_raster_without_crs_is_refused(tmp_path, habitat):
    with rasterio.open(tmp_path / "nocrs.tif", "w", driver="GTiff", height=4, width=4, count=1, dtype="float64",
                       transform=from_bounds(X0, Y0, X1, Y1, 4, 4)) as dst:
        dst.write(np.ones((4, 4)), 1)
    text = _error(tmp_path, rasters={"habitat": "habitat.tif", "gazelle": "nocrs.tif"})
    assert "nocrs.tif" in text and "landscape.gis.rasters.gazelle" in text and "no CRS" in text


def test_a_raster_off_the_grid_is_refused(tmp_path, habitat):
    write_raster(tmp_path / "far.tif", np.ones((4, 4)), UTM, (X1 + 1e5, Y0, X1 + 2e5, Y1))
    text = _error(tmp_path, rasters={"habitat": "habitat.tif", "hare": "far.tif"})
    assert "far.tif" in text and "landscape.gis.rasters.hare" in text and "does not overlap" in text


def test_raster_values_out_of_range_are_refused(tmp_path):
    write_raster(tmp_path / "pct.tif", np.full((4, 4), 70.0), UTM, (X0, Y0, X1, Y1))
    text = _error(tmp_path, rasters={"habitat": "pct.tif"})
    assert "pct.tif" in text and "landscape.gis.rasters.habitat" in text and "values from 0 to 1" in text


def test_vector_problems_name_the_file_and_key(tmp_path, habitat):
    base = {"rasters": {"habitat": "habitat.tif"}}
    write_vector(tmp_path / "pts.gpkg", "Point", [(X0 + 100, Y0 + 100)], UTM, {"name": ["p"]})
    text = _error(tmp_path, **base, vectors={"fences": "pts.gpkg"})
    assert "pts.gpkg" in text and "landscape.gis.vectors.fences" in text and "Point" in text and "lines" in text

    write_vector(tmp_path / "nocrs.gpkg", "Point", [(X0 + 100, Y0 + 100)], None, {"name": ["p"]})
    text = _error(tmp_path, **base, vectors={"sites": "nocrs.gpkg"})
    assert "nocrs.gpkg" in text and "landscape.gis.vectors.sites" in text and "no CRS" in text

    text = _error(tmp_path, **base, vectors={"sites": {"file": "pts.gpkg", "name_field": "label"}})
    assert "landscape.gis.vectors.sites.name_field" in text and "'label'" in text and "fields: name" in text

    text = _error(tmp_path, **base, vectors={"reserves": {"file": "pts.gpkg", "strength_field": "level"}})
    assert "landscape.gis.vectors.reserves.strength_field" in text and "fields: name" in text

    pyogrio.raw.write(tmp_path / "empty.gpkg", np.array([], dtype=object), [], fields=[], crs=UTM,
                      geometry_type="Point", driver="GPKG")
    text = _error(tmp_path, **base, vectors={"water_points": "empty.gpkg"})
    assert "empty.gpkg" in text and "landscape.gis.vectors.water_points" in text and "empty layer" in text

    pyogrio.raw.write(tmp_path / "nogeom.gpkg", np.array([None], dtype=object), [np.array(["x"], dtype=object)],
                      fields=["name"], crs=UTM, geometry_type="Point", driver="GPKG")
    text = _error(tmp_path, **base, vectors={"sites": "nogeom.gpkg"})
    assert "nogeom.gpkg" in text and "empty geometry" in text and "'x'" in text

    text = _error(tmp_path, **base, vectors={"sites": {"file": "pts.gpkg", "layer": "camps"}})
    assert "landscape.gis.vectors.sites.layer" in text and "'camps'" in text and "layers: pts" in text

    write_vector(tmp_path / "pa.gpkg", "Polygon", [[(X0, Y0), (X1, Y0), (X1, Y1)]], UTM,
                 {"name": ["big"], "level": [70.0]})
    text = _error(tmp_path, **base, vectors={"reserves": {"file": "pa.gpkg", "strength_field": "level"}})
    assert "'big'" in text and "level = 70" in text and "a number from 0 to 1" in text

    text = _error(tmp_path, **base, vectors={"roads": "missing.gpkg"})
    assert "missing.gpkg" in text and "landscape.gis.vectors.roads" in text and "does not exist" in text


def test_a_site_off_the_grid_is_an_error_naming_it(tmp_path, habitat):
    write_vector(tmp_path / "s.gpkg", "Point", [(X0 + 100, Y0 + 100), (X1 + 9000, Y0 + 100)], UTM,
                 {"name": ["inside", "far_camp"]})
    text = _error(tmp_path, rasters={"habitat": "habitat.tif"}, vectors={"sites": "s.gpkg"})
    assert "s.gpkg" in text and "landscape.gis.vectors.sites" in text and "'far_camp'" in text and "off the grid" in text


def test_a_geographic_grid_crs_and_layers_with_gis_are_refused(tmp_path, habitat):
    text = _error(tmp_path, crs="EPSG:4326", rasters={"habitat": "habitat.tif"})
    assert "landscape.gis.crs" in text and "geographic" in text
    with pytest.raises(ValueError, match="landscape.layers .habitat. is not for preset gis"):
        LandscapeSpec(preset="gis", layers={"habitat": "h.tif"}, gis={"crs": UTM, "rasters": {"habitat": "h.tif"}})
    with pytest.raises(ValueError, match="needs a landscape.gis section"):
        LandscapeSpec(preset="gis")


def test_a_grid_over_max_cells_is_refused_before_building(tmp_path):
    # no file exists: the size is known from the bounds alone, so nothing is read
    s = LandscapeSpec(preset="gis", cell_km=2.5, gis={"crs": UTM, "bounds": [0, 0, 5_000_000, 5_000_000],
                                                      "rasters": {"habitat": "absent.tif"}})
    text = grid_size_problem(s, tmp_path)
    assert text is not None and "4,000,000 cells" in text and "landscape.gis.bounds" in text
    assert grid_size_problem(spec(tmp_path, rasters={"habitat": "absent.tif"}), tmp_path) is None


def _check(tmp_path, text: str) -> subprocess.CompletedProcess:
    f = tmp_path / "s.yaml"
    f.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "run_scenarios.py"), "check", str(f)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("gis, expect", [
    ("crs: EPSG:4326\nrasters: {habitat: habitat.tif}\n", ["landscape.gis.crs", "geographic"]),
    ("crs: EPSG:32640\nrasters: {habitat: gone.tif}\n", ["gone.tif", "landscape.gis.rasters.habitat", "does not exist"]),
    ("crs: EPSG:32640\nrasters: {habitat: habitat.tif, habtat: x.tif}\n", ["landscape.gis.rasters.habtat", "habitat"]),
    ("crs: EPSG:32640\nbounds: [0, 0, 5000000, 5000000]\nrasters: {habitat: habitat.tif}\n",
     ["landscape.cell_km", "1,500,000"]),
])
def test_check_reports_gis_errors_with_exit_2_and_no_traceback(tmp_path, habitat, gis, expect):
    proc = _check(tmp_path, scenario_text(gis))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "s.yaml" in proc.stderr
    for word in expect:
        assert word in proc.stderr, proc.stderr


# ------------------------------------------------------------------------------- running on it

def _small_study(tmp_path: Path) -> Path:
    write_raster(tmp_path / "habitat.tif", np.full((10, 15), 0.8), UTM, (X0, Y0, X1, Y1))
    write_raster(tmp_path / "gazelle.tif", np.full((10, 15), 10.0), UTM, (X0, Y0, X1, Y1))   # K 37,500
    sx, sy = utm_to("EPSG:4326", [X0 + 15.5 * CELL], [Y1 - 10.5 * CELL])
    write_vector(tmp_path / "sites.gpkg", "Point", list(zip(sx, sy)), "EPSG:4326", {"name": ["camp"]})
    gis = f"""\
        crs: EPSG:32640
        bounds: [{X0:.0f}, {Y0:.0f}, {X1:.0f}, {Y1:.0f}]
        rasters: {{habitat: habitat.tif, gazelle: gazelle.tif}}
        vectors: {{sites: sites.gpkg}}
        """
    f = tmp_path / "study.yaml"
    f.write_text(scenario_text(gis), encoding="utf-8")
    return f


def test_check_loads_the_gis_layers_and_passes(tmp_path):
    proc = _check(tmp_path, _small_study(tmp_path).read_text())
    assert proc.returncode == 0, proc.stderr
    (sc, f), = load_scenarios([_small_study(tmp_path)])
    land = build_and_check(sc, f)
    assert land.sites == {"camp": (10, 15)} and land.shape == (ROWS, COLS)


def test_a_replicate_runs_and_the_batch_writes_a_georeferenced_occupancy_tif(tmp_path):
    from sim.model.model import run_replicate
    from sim.runs.batch import run_batch

    (sc, f), = load_scenarios([_small_study(tmp_path)])
    land = build_and_check(sc, f)
    res = run_replicate(sc, 5, landscape=land)
    assert res.census["released"][0] == 6 and res.census["N"][0] > 0
    out = tmp_path / "out"
    run_batch([sc], out, jobs=1, base_dirs={sc.name: f.parent}, progress=False)
    occ = np.load(out / "occupancy" / "gis_small.npy")
    with rasterio.open(out / "occupancy" / "gis_small.tif") as src:
        assert src.crs == rasterio.crs.CRS.from_epsg(32640)
        assert src.transform.to_gdal() == (X0, CELL, 0.0, Y1, 0.0, -CELL)
        np.testing.assert_array_equal(src.read(1), occ)
    assert occ.sum() > 0


def test_write_geotiff_round_trip_and_refuses_an_unreferenced_landscape(tmp_path, habitat):
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"}), tmp_path)
    a = np.arange(ROWS * COLS, dtype=float).reshape(ROWS, COLS)
    write_geotiff(tmp_path / "a.tif", a, land)
    with rasterio.open(tmp_path / "a.tif") as src:
        np.testing.assert_array_equal(src.read(1), a)
        assert src.transform.to_gdal() == land.transform and src.crs == rasterio.crs.CRS.from_user_input(land.crs)
        assert src.xy(0, 0) == (X0 + CELL / 2, Y1 - CELL / 2)      # row 0 is north
    uniform = build_landscape(LandscapeSpec(preset="uniform", width_km=10, height_km=10))
    assert uniform.transform is None
    with pytest.raises(ValueError, match="not georeferenced"):
        write_geotiff(tmp_path / "b.tif", np.zeros(uniform.shape), uniform)


def test_the_scenario_error_from_a_gis_problem_names_the_scenario_file(tmp_path, habitat):
    (tmp_path / "s.yaml").write_text(scenario_text("crs: EPSG:32640\nrasters: {habitat: gone.tif}\n"))
    (sc, f), = load_scenarios([tmp_path / "s.yaml"])
    with pytest.raises(ScenarioError) as e:
        build_and_check(sc, f)
    assert "gone.tif" in str(e.value) and "s.yaml" in str(e.value)


def test_build_landscape_refuses_a_grid_over_max_cells_without_reading_files(tmp_path):
    s = LandscapeSpec(preset="gis", cell_km=2.5, gis={"crs": UTM, "bounds": [0, 0, 5_000_000, 5_000_000],
                                                      "rasters": {"habitat": "absent.tif"}})
    with pytest.raises(GisError, match="4,000,000 cells"):
        build_landscape(s, tmp_path)


# ------------------------------------------------------------------------------- lines for management levers

def test_a_named_line_from_a_file_serves_a_fenced_railway_built_by_a_lever(tmp_path, habitat):
    from sim.config.levers import NewRoad
    from sim.management.levers import new_road

    y_line = Y1 - 12 * CELL                          # between rows 11 and 12, drawn in degrees
    x, y = densified(X0 - 3000, y_line, X1 + 3000, y_line)
    lon, lat = utm_to("EPSG:4326", x, y)
    write_vector(tmp_path / "planned.gpkg", "LineString", [list(zip(lon, lat))], "EPSG:4326",
                 {"name": ["planned railway"]})
    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"},
                                vectors={"lines": "planned.gpkg"}), tmp_path)
    assert list(land.lines) == ["planned railway"] and not land.road.any() and not land.fences   # kept, not drawn
    built = new_road(land, NewRoad(name="railway", along="planned railway", fenced=True,
                                   passages=[{"cell": (11, 10), "radius_km": 1.0}]))
    fence = built.fence("railway")
    np.testing.assert_array_equal(fence.edges, [(SOUTH, 11, c) for c in range(COLS)])
    assert fence.edges[fence.gaps].tolist() == [[SOUTH, 11, 10]]
    assert built.road.any(axis=1).nonzero()[0].tolist() in ([11], [12], [11, 12])   # the line's own cells
    with pytest.raises(KeyError, match="no line named 'other'.*lines: planned railway"):
        new_road(land, NewRoad(name="r", along="other"))


def test_map_points_in_lon_lat_and_in_the_grid_crs_find_their_cells(tmp_path, habitat):
    from sim.config.levers import MapPoint
    from sim.world.lines import points_cells

    land = build_landscape(spec(tmp_path, rasters={"habitat": "habitat.tif"}), tmp_path)
    x, y = X0 + 10.5 * CELL, Y1 - 4.5 * CELL                  # centre of cell (4, 10)
    lon, lat = utm_to("EPSG:4326", x, y)
    uv = points_cells(land, [MapPoint(x=x, y=y), MapPoint(lon=float(lon[0]), lat=float(lat[0]))])
    np.testing.assert_allclose(uv, [[10.5, 4.5], [10.5, 4.5]], atol=1e-6)
    with pytest.raises(ValueError, match="lies off the map"):
        points_cells(land, [MapPoint(x=X1 + 10 * CELL, y=y)])
