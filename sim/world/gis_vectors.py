"""Vector files of the ``gis`` landscape: reading, reprojecting and drawing them on the grid.

Read with :func:`pyogrio.raw.read` (geometries as WKB, decoded here to GeoJSON-like dicts, so
neither geopandas nor shapely is needed) and reprojected to the grid's CRS with
:func:`rasterio.warp.transform_geom`. On the grid (``Grid``: origin at the north-west corner,
cells ``cell_m`` metres, row 0 north):

* fences (lines) → :class:`~sim.world.landscape.Fence`: a move between two neighbouring cells is
  blocked when the straight step between their centres crosses the line (:func:`crossed_edges`),
  so a line cuts the grid exactly where it runs, whatever its angle; edges are ordered along the
  line; all closed. Features sharing a name make one fence;
* roads (lines) → the cells the line passes through (:func:`sim.world.shapes.polyline_cells`);
* reserves (polygons) → cells whose centre lies inside (:func:`rasterio.features.rasterize`,
  ``all_touched=False``), per name;
* sites and water points (points) → the cell each point falls in.

Every problem raises :class:`GisError` (a :class:`~sim.world.rasters.LayerError`, so the command
line reports it like a bad raster: the file, the scenario key, no traceback).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .lines import crossed_edges
from .rasters import LayerError

#: GeoJSON types of the WKB geometry codes (2-D; pyogrio is asked for 2-D with ``force_2d``).
WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
             6: "MultiPolygon", 7: "GeometryCollection"}

#: Geometry types allowed per vector key (multi-part types are split into their parts).
GEOMETRY_KINDS = {"fences": ("LineString", "MultiLineString"), "roads": ("LineString", "MultiLineString"),
                  "reserves": ("Polygon", "MultiPolygon"), "sites": ("Point",),
                  "water_points": ("Point", "MultiPoint"), "lines": ("LineString", "MultiLineString")}
KIND_WORDS = {"fences": "lines", "roads": "lines", "reserves": "polygons", "sites": "points",
              "water_points": "points", "lines": "lines"}


class GisError(LayerError):
    """A GIS file or setting that cannot be used (message names the file and the scenario key)."""


def fail(path, key: str, found: str, allowed: str) -> GisError:
    """A GisError worded as the raster errors: ``FILE: KEY: found; allowed: ...``."""
    return GisError(f"{path}: {key}: {found}; allowed: {allowed}")


@dataclass(frozen=True)
class Grid:
    """The model grid: ``rows`` x ``cols`` cells of ``cell_m`` metres, north-west corner at
    (``x0``, ``y0``) in ``crs`` (projected, metres)."""

    crs: str
    x0: float
    y0: float
    cell_m: float
    rows: int
    cols: int

    @property
    def transform(self) -> tuple[float, float, float, float, float, float]:
        """The grid's affine transform in GDAL order (x0, cell, 0, y0, 0, -cell)."""
        return (self.x0, self.cell_m, 0.0, self.y0, 0.0, -self.cell_m)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x_min, y_min, x_max, y_max) of the whole grid [m], whole cells."""
        return (self.x0, self.y0 - self.rows * self.cell_m, self.x0 + self.cols * self.cell_m, self.y0)

    def to_cells(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Continuous (col, row) coordinates [cells] of points (x, y) [m]: cell (r, c) spans
        c ≤ col < c + 1 and r ≤ row < r + 1."""
        return (np.asarray(x, dtype=float) - self.x0) / self.cell_m, (self.y0 - np.asarray(y, dtype=float)) / self.cell_m


# --------------------------------------------------------------------------------------- WKB

def _wkb(buf: bytes, i: int = 0) -> tuple[dict | None, int]:
    """(GeoJSON-like geometry, next offset) of the WKB at ``buf[i:]``; None for an empty geometry."""
    order = "<" if buf[i] == 1 else ">"
    code = struct.unpack_from(order + "I", buf, i + 1)[0] % 1000     # ISO Z/M codes: 1001 ... (force_2d)
    i += 5
    kind = WKB_TYPES.get(code)
    if kind is None:
        raise ValueError(f"unsupported WKB geometry code {code}")

    def points(j: int) -> tuple[list[tuple[float, float]], int]:
        n = struct.unpack_from(order + "I", buf, j)[0]
        xy = struct.unpack_from(order + f"{2 * n}d", buf, j + 4)
        return [(xy[2 * k], xy[2 * k + 1]) for k in range(n)], j + 4 + 16 * n

    if kind == "Point":
        x, y = struct.unpack_from(order + "2d", buf, i)
        return (None if math.isnan(x) else {"type": "Point", "coordinates": (x, y)}), i + 16
    if kind == "LineString":
        pts, i = points(i)
        return ({"type": kind, "coordinates": pts} if pts else None), i
    if kind == "Polygon":
        n = struct.unpack_from(order + "I", buf, i)[0]
        i += 4
        rings = []
        for _ in range(n):
            ring, i = points(i)
            rings.append(ring)
        return ({"type": kind, "coordinates": rings} if rings and rings[0] else None), i
    n = struct.unpack_from(order + "I", buf, i)[0]
    i += 4
    parts = []
    for _ in range(n):
        g, i = _wkb(buf, i)
        if g is not None:
            parts.append(g)
    if not parts:
        return None, i
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": parts}, i
    return {"type": kind, "coordinates": [p["coordinates"] for p in parts]}, i


def parts_of(geom: dict) -> list[dict]:
    """The single-part geometries (Point, LineString, Polygon) of a geometry."""
    kind = geom["type"]
    if kind.startswith("Multi"):
        return [{"type": kind[5:], "coordinates": c} for c in geom["coordinates"]]
    if kind == "GeometryCollection":
        return [p for g in geom["geometries"] for p in parts_of(g)]
    return [geom]


# --------------------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Features:
    """The features of one vector file, reprojected to the grid's CRS."""

    path: Path
    key: str                     # the scenario key, e.g. landscape.gis.vectors.fences
    names: list[str]             # one per feature
    geoms: list[dict]            # GeoJSON-like, grid CRS [m]
    values: dict[str, np.ndarray]  # extra attribute columns that were asked for


def read_features(path: Path, key: str, kind: str, source, grid: Grid, extra_fields: tuple[str, ...] = ()
                  ) -> Features:
    """Read the vector file of ``landscape.gis.vectors.<kind>`` and reproject it to the grid.

    Checks that the file exists and opens, has a CRS, has features, each with a geometry of the
    kind's type (:data:`GEOMETRY_KINDS`), and that the named attribute fields exist. Names come
    from ``source.name_field`` (default: a field called ``name`` if there is one, else numbers)."""
    try:
        import pyogrio
        from rasterio.warp import transform_geom
    except ImportError:
        raise fail(path, key, "a vector file, but pyogrio or rasterio is not installed",
                   "install GIS support with: pip install .[gis]") from None
    if not path.is_file():
        raise fail(path, key, "the file does not exist" if not path.exists() else "not a regular file",
                   "an existing vector file (GeoPackage, GeoJSON, shapefile ...); relative paths are taken "
                   "from the scenario file's folder")
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
        if source.layer is not None and source.layer not in layers:
            raise fail(path, f"{key}.layer", f"no layer {source.layer!r}", "the file's layers: " + ", ".join(layers))
        info = pyogrio.read_info(path, layer=source.layer)
    except pyogrio.errors.DataSourceError as e:
        raise fail(path, key, f"not a readable vector file ({e})", "a GeoPackage, GeoJSON, shapefile ...") from None
    fields = [str(f) for f in info["fields"]]
    wanted = [f for f in (source.name_field, *extra_fields) if f is not None]
    for f in wanted:
        if f not in fields:
            which = "name_field" if f == source.name_field else "strength_field"
            raise fail(path, f"{key}.{which}", f"no attribute field {f!r}",
                       "the file's fields: " + (", ".join(fields) if fields else "(none)"))
    name_field = source.name_field or ("name" if "name" in fields else None)
    if info["crs"] is None:
        raise fail(path, key, "a vector layer with no CRS", "a file whose CRS is set (e.g. a .prj next to a "
                   "shapefile, or assign one with: ogr2ogr -a_srs EPSG:4326 out.gpkg in.gpkg)")
    columns = [f for f in dict.fromkeys([*(name_field and [name_field] or []), *extra_fields])]
    meta, _, wkb, data = pyogrio.raw.read(path, layer=source.layer, force_2d=True, columns=columns)
    columns = [str(f) for f in meta["fields"]]
    if len(wkb) == 0:
        raise fail(path, key, "an empty layer (no features)", f"at least one feature ({KIND_WORDS[kind]})")
    col = dict(zip(columns, data))
    names = ([str(v) for v in col[name_field]] if name_field else
             [f"{kind.rstrip('s').replace('_', ' ')} {i + 1}" for i in range(len(wkb))])
    geoms = []
    for i, (name, b) in enumerate(zip(names, wkb)):
        g = _wkb(bytes(b))[0] if b is not None else None
        if g is None:
            raise fail(path, key, f"feature {i + 1} ({name!r}) has an empty geometry", f"{KIND_WORDS[kind]} with coordinates")
        types = {p["type"] for p in parts_of(g)}
        allowed = GEOMETRY_KINDS[kind]
        if not ({g["type"]} | types) <= set(allowed) | {t[5:] for t in allowed if t.startswith("Multi")}:
            raise fail(path, key, f"feature {i + 1} ({name!r}) is a {g['type']}", f"{KIND_WORDS[kind]} "
                       f"({', '.join(allowed)})")
        geoms.append(g)
    geoms = transform_geom(meta["crs"], grid.crs, geoms)
    return Features(path, key, names, list(geoms), {f: np.asarray(col[f]) for f in extra_fields})


# --------------------------------------------------------------------------------------- fences

def line_parts(geom: dict, grid: Grid) -> list[tuple[np.ndarray, np.ndarray]]:
    """(col, row) vertex arrays [cells] of each line of a (Multi)LineString in the grid's CRS."""
    out = []
    for p in parts_of(geom):
        xy = np.asarray(p["coordinates"], dtype=float).reshape(-1, 2)
        out.append(grid.to_cells(xy[:, 0], xy[:, 1]))
    return out


def point_cell(geom: dict, grid: Grid) -> tuple[int, int] | None:
    """(row, col) of the cell a point falls in, None when it is off the grid."""
    x, y = geom["coordinates"]
    c, r = grid.to_cells(x, y)
    r, c = math.floor(float(r)), math.floor(float(c))
    return (r, c) if 0 <= r < grid.rows and 0 <= c < grid.cols else None


def polygon_mask(geom: dict, grid: Grid) -> np.ndarray:
    """Bool layer: cells whose centre lies inside the (multi)polygon (holes excluded)."""
    from affine import Affine
    from rasterio.features import rasterize

    return rasterize([(geom, 1)], out_shape=(grid.rows, grid.cols), transform=Affine.from_gdal(*grid.transform),
                     fill=0, all_touched=False, dtype="uint8").astype(bool)


__all__ = ["GisError", "Grid", "Features", "read_features", "line_parts", "point_cell",
           "polygon_mask", "parts_of", "fail"]
