"""The ``gis`` landscape: a grid in a projected CRS filled from real raster and vector files.

:func:`build_gis` turns ``landscape.gis`` (:class:`sim.config.gis_spec.GisSpec`) into a
:class:`~sim.world.landscape.Landscape`:

* **the grid** (:func:`gis_grid`): CRS ``gis.crs`` (projected, metres; a geographic CRS in
  degrees is refused because cells must be squares of ``cell_km``), north-west corner at
  (x_min, y_max) of ``gis.bounds`` (default: the habitat raster's extent in that CRS),
  ``ceil(width / cell)`` x ``ceil(height / cell)`` cells of ``cell_km`` (the last row and
  column may reach past x_max and y_min by less than a cell);
* **rasters** (:func:`warp_layer`), any CRS and resolution, reprojected with
  :func:`rasterio.warp.reproject`:

  - ``Resampling.average`` for continuous layers and densities (habitat, protection, human,
    lions, wolves, leopards, saiga_summer, saiga_winter, gazelle, urial, hare): a cell gets the
    area-weighted mean of the source pixels it covers, so a density [animals/km²] keeps its
    animals when the grid is coarser than the source (the nearest pixel would be one sample of
    many); when the grid is finer, a cell gets the value of the pixel it lies in;
  - ``Resampling.max`` for the true/false layers (escarpment, water, road): a cell is true when
    any source pixel in it is. These are lines and points (a cliff, a well, a road 30 m wide),
    much thinner than a 2.5 km cell: ``nearest`` would keep a road only where it happens to run
    through the one pixel nearest the cell centre, and lose most of it;
  - no-data: source pixels with the file's nodata value (or NaN) are left out of a cell's
    average or max; a cell with no valid source pixel, or outside the raster, is **0** (no
    habitat, no animals, false). Values are checked after resampling (0-1 for habitat,
    protection and human; ≥ 0 for densities; 0/1 for true/false layers);
  - layers without a file: ``gis.values`` (constants, every default 0), false for true/false layers;

* **vectors** (:mod:`sim.world.gis_vectors`): fences, roads, reserves, release sites and water
  points; reserves set ``protection`` to the larger of the raster (or value) and the reserve's
  strength; roads and water points are added to the road and water rasters;
* ``bounds`` (WGS84 west, south, east, north), ``crs`` and ``transform`` (the grid's affine in
  GDAL order) make the landscape georeferenced, so outputs can be written as GeoTIFF
  (:func:`write_geotiff`).

rasterio (and pyogrio for vectors) are imported only here, when a gis landscape is built, so the
other presets need neither (``pip install .[gis]``). Every problem raises
:class:`~sim.world.gis_vectors.GisError`, naming the file and the scenario key.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .lines import crossed_edges
from .gis_vectors import (GisError, Grid, fail, line_parts, parts_of, point_cell, polygon_mask,
                          read_features)
from .landscape import Feature, Fence, Landscape
from .rasters import ALLOWED_TEXT, CAPACITY_LAYERS, COMPETITOR_LAYERS, LAYER_KINDS, out_of_range
from .shapes import cells_of, polyline_cells

KEY = "landscape.gis"


def _rasterio(path, key: str):
    try:
        import rasterio
    except ImportError:
        raise fail(path, key, "the gis landscape needs rasterio, which is not installed",
                   "install GIS support with: pip install .[gis]") from None
    return rasterio


def _resolve(name: str, base_dir: Path) -> Path:
    p = Path(name).expanduser()
    return p if p.is_absolute() else Path(base_dir) / p


def grid_crs(gis) -> "object":
    """The rasterio CRS of ``gis.crs``; GisError unless it is a projected CRS in metres."""
    rasterio = _rasterio(gis.crs, f"{KEY}.crs")
    try:
        crs = rasterio.crs.CRS.from_user_input(gis.crs)
    except rasterio.errors.CRSError as e:
        raise GisError(f"{KEY}.crs: got {gis.crs!r}, not a CRS GDAL knows ({e}); allowed: an EPSG code "
                       "such as EPSG:32640, WKT or a PROJ string") from None
    if not crs.is_projected:
        raise GisError(f"{KEY}.crs: got {gis.crs!r}, a geographic CRS (degrees); allowed: a projected CRS "
                       "in metres, so that cells are squares of cell_km (for Ustyurt e.g. EPSG:32640, UTM 40N)")
    units = (crs.linear_units or "").lower()
    if units not in ("metre", "meter", "m", "metres", "meters"):
        raise GisError(f"{KEY}.crs: got {gis.crs!r}, whose unit is {crs.linear_units!r}; allowed: a projected CRS "
                       "in metres")
    return crs


def _raster_extent(path: Path, key: str, crs) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) of a raster file in ``crs``; GisError if it cannot be used."""
    rasterio = _rasterio(path, key)
    from rasterio.warp import transform_bounds

    with _open_raster(rasterio, path, key) as src:
        return transform_bounds(src.crs, crs, *src.bounds, densify_pts=21)


def _open_raster(rasterio, path: Path, key: str):
    """The open raster ``path``: exists, readable, one band, with a CRS (GisError otherwise)."""
    if not path.is_file():
        raise fail(path, key, "the file does not exist" if not path.exists() else "not a regular file",
                   "an existing raster file (GeoTIFF ...); relative paths are taken from the scenario file's folder")
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as e:
        raise fail(path, key, f"not a readable raster ({e})", "a single-band GeoTIFF or other GDAL raster") from None
    if src.count != 1:
        src.close()
        raise fail(path, key, f"a raster with {src.count} bands", "a single-band raster")
    if src.crs is None:
        src.close()
        raise fail(path, key, "a raster with no CRS", "a raster whose CRS is set (assign one with: "
                   "gdal_edit.py -a_srs EPSG:4326 FILE)")
    return src


def gis_grid(spec, base_dir: str | Path = ".") -> Grid:
    """The model grid of a gis LandscapeSpec: CRS, north-west corner, cells (see the module docstring)."""
    gis = spec.gis
    crs = grid_crs(gis)
    if gis.bounds is not None:
        x0, y0, x1, y1 = gis.bounds
    else:
        path = _resolve(gis.rasters.habitat, base_dir)
        x0, y0, x1, y1 = _raster_extent(path, f"{KEY}.rasters.habitat", crs)
    cell_m = float(spec.cell_km) * 1000.0
    cols = max(1, math.ceil((x1 - x0) / cell_m - 1e-9))
    rows = max(1, math.ceil((y1 - y0) / cell_m - 1e-9))
    return Grid(crs=crs.to_string(), x0=float(x0), y0=float(y1), cell_m=cell_m, rows=rows, cols=cols)


def gis_extent_km(spec, base_dir: str | Path = ".") -> tuple[float, float]:
    """(height, width) [km] of the grid of a gis LandscapeSpec (whole cells)."""
    g = gis_grid(spec, base_dir)
    return g.rows * g.cell_m / 1000.0, g.cols * g.cell_m / 1000.0


def warp_layer(path: Path, layer: str, grid: Grid) -> np.ndarray:
    """Raster ``path`` for layer ``layer`` reprojected onto ``grid`` (module docstring: average for
    continuous layers and densities, max for true/false ones, no-data and outside → 0), checked
    against the layer's range; bool for escarpment, water and road, float64 otherwise."""
    key = f"{KEY}.rasters.{layer}"
    rasterio = _rasterio(path, key)
    from affine import Affine
    from rasterio.warp import Resampling, reproject, transform_bounds

    kind = LAYER_KINDS[layer]
    out = np.full((grid.rows, grid.cols), np.nan)
    with _open_raster(rasterio, path, key) as src:
        x0, y0, x1, y1 = transform_bounds(src.crs, grid.crs, *src.bounds, densify_pts=21)
        gx0, gy0, gx1, gy1 = grid.bounds
        if x0 >= gx1 or x1 <= gx0 or y0 >= gy1 or y1 <= gy0:
            raise fail(path, key, f"the raster's extent ({x0:.0f}, {y0:.0f}, {x1:.0f}, {y1:.0f}) does not overlap "
                       "the grid", f"a raster covering part of the grid ({gx0:.0f}, {gy0:.0f}, {gx1:.0f}, {gy1:.0f}) "
                       f"[m, {grid.crs}]")
        nodata = src.nodata if src.nodata is not None else np.nan
        reproject(source=rasterio.band(src, 1), destination=out, src_nodata=nodata,
                  dst_transform=Affine.from_gdal(*grid.transform), dst_crs=grid.crs, dst_nodata=np.nan,
                  resampling=Resampling.max if kind == "bool" else Resampling.average)
    out = np.where(np.isnan(out), 0.0, out)
    bad = out_of_range(out, kind)
    if bad.any() or np.isinf(out).any():
        lo, hi = float(out.min()), float(out.max())
        hint = " (a no-data value the file does not declare?)" if lo < -1000 else ""
        raise fail(path, key, f"values from {lo:g} to {hi:g} after resampling onto the grid, out of range in "
                   f"{int(bad.sum())} cells{hint}", ALLOWED_TEXT[kind])
    return out.astype(bool) if kind == "bool" else out


def build_gis(spec, base_dir: str | Path = ".") -> Landscape:
    """The gis landscape of a LandscapeSpec (``preset: gis``), file paths relative to ``base_dir``.
    Call it through :func:`sim.world.build.build_landscape`, which refuses a grid over
    the ``cells`` limit (sim.limits) before anything is read or allocated."""
    gis, base_dir = spec.gis, Path(base_dir)
    grid = gis_grid(spec, base_dir)
    shape = (grid.rows, grid.cols)
    files = {k: v for k, v in gis.rasters.model_dump().items() if v is not None}
    layers: dict[str, np.ndarray] = {}
    for layer, kind in LAYER_KINDS.items():
        if layer in files:
            layers[layer] = warp_layer(_resolve(files[layer], base_dir), layer, grid)
        elif kind == "bool":
            layers[layer] = np.zeros(shape, dtype=bool)
        else:
            layers[layer] = np.full(shape, float(getattr(gis.values, layer)))
    features: list[Feature] = []
    v = gis.vectors
    fences = _fences(v.fences, grid, base_dir, features) if v.fences else ()
    if v.roads:
        layers["road"] = layers["road"] | _roads(v.roads, grid, base_dir, features)
    protected = {}
    if v.reserves:
        protected = _reserves(v.reserves, grid, base_dir, layers, features)
    sites: dict[str, tuple[int, int]] = {}
    if v.sites:
        sites = _sites(v.sites, grid, base_dir, features)
    if v.water_points:
        layers["water"] = layers["water"] | _water(v.water_points, grid, base_dir, features)
    lines = _lines(v.lines, grid, base_dir) if v.lines else {}

    from rasterio.warp import transform_bounds
    west, south, east, north = transform_bounds(grid.crs, "EPSG:4326", *grid.bounds, densify_pts=21)
    return Landscape(
        name="gis", cell_km=float(spec.cell_km), habitat=layers["habitat"], escarpment=layers["escarpment"],
        water=layers["water"], protection=layers["protection"], human=layers["human"], road=layers["road"],
        competitors={COMPETITOR_LAYERS[k]: layers[k] for k in COMPETITOR_LAYERS},
        capacity={k: layers[k] for k in CAPACITY_LAYERS}, fences=fences, sites=sites,
        protected_areas=protected, features=tuple(features), open_boundary=bool(gis.open_edge), lines=lines,
        bounds=(west, south, east, north), crs=grid.crs, transform=grid.transform,
        notes=(f"gis {grid.rows} x {grid.cols} cells of {spec.cell_km:g} km in {grid.crs} from "
               f"({grid.x0:.0f}, {grid.y0:.0f}) m; rasters: {', '.join(files)}; "
               + ("open edge (walking off the map is emigration)" if gis.open_edge
                  else "closed edge (the map edge refuses moves)")))


def _vector_key(kind: str) -> str:
    return f"{KEY}.vectors.{kind}"


def _fences(source, grid: Grid, base_dir: Path, features: list[Feature]) -> tuple[Fence, ...]:
    """One closed Fence per name (features sharing a name are joined, in file order)."""
    f = read_features(_resolve(source.file, base_dir), _vector_key("fences"), "fences", source, grid)
    edges: dict[str, list[np.ndarray]] = {}
    cells: dict[str, list[np.ndarray]] = {}
    for name, geom in zip(f.names, f.geoms):
        for u, r in line_parts(geom, grid):
            edges.setdefault(name, []).append(crossed_edges(u, r, grid.rows, grid.cols))
            cells.setdefault(name, []).append(polyline_cells(u, r, 1.0, grid.rows, grid.cols))
    out = []
    for name, parts in edges.items():
        e = np.concatenate(parts)
        if len(e) == 0:
            continue                    # a fence off the grid: nothing to block here
        _, first = np.unique(e, axis=0, return_index=True)
        e = e[np.sort(first)]
        out.append(Fence(name, e, np.zeros(len(e), dtype=bool), approximate=False))
        features.append(Feature(name, "fence", np.concatenate(cells[name]), approximate=False))
    if not out:
        raise fail(f.path, f.key, f"none of the {len(edges)} fence line(s) crosses a cell edge of the grid",
                   "lines that run across the grid's bounds")
    return tuple(out)


def _lines(source, grid: Grid, base_dir: Path) -> dict[str, tuple[np.ndarray, ...]]:
    """Named lines for management levers: name -> its parts, each (k, 2) continuous (col, row)
    vertices [cells] (features sharing a name keep their parts in file order)."""
    f = read_features(_resolve(source.file, base_dir), _vector_key("lines"), "lines", source, grid)
    out: dict[str, list[np.ndarray]] = {}
    for name, geom in zip(f.names, f.geoms):
        for u, r in line_parts(geom, grid):
            out.setdefault(name, []).append(np.column_stack([u, r]))
    return {name: tuple(parts) for name, parts in out.items()}


def _roads(source, grid: Grid, base_dir: Path, features: list[Feature]) -> np.ndarray:
    """Bool layer of the cells the road lines pass through."""
    f = read_features(_resolve(source.file, base_dir), _vector_key("roads"), "roads", source, grid)
    road = np.zeros((grid.rows, grid.cols), dtype=bool)
    for name, geom in zip(f.names, f.geoms):
        for u, r in line_parts(geom, grid):
            rc = polyline_cells(u, r, 1.0, grid.rows, grid.cols)
            road[rc[:, 0], rc[:, 1]] = True
            if len(rc):
                features.append(Feature(name, "road", rc, approximate=False))
    if not road.any():
        raise fail(f.path, f.key, "no road line crosses the grid", "lines that run across the grid's bounds")
    return road


def _reserves(source, grid: Grid, base_dir: Path, layers: dict, features: list[Feature]) -> dict[str, np.ndarray]:
    """protected_areas masks by name; raises ``layers['protection']`` to each reserve's strength."""
    extra = (source.strength_field,) if source.strength_field else ()
    f = read_features(_resolve(source.file, base_dir), _vector_key("reserves"), "reserves", source, grid, extra)
    masks: dict[str, np.ndarray] = {}
    protection = layers["protection"].copy()
    for i, (name, geom) in enumerate(zip(f.names, f.geoms)):
        strength = source.strength
        if source.strength_field:
            raw = f.values[source.strength_field][i]
            try:
                strength = float(raw)
            except (TypeError, ValueError):
                strength = math.nan
            if not 0.0 <= strength <= 1.0:
                raise fail(f.path, f"{f.key}.strength_field", f"reserve {name!r} has {source.strength_field} = {_shown(raw)}",
                           "a number from 0 to 1")
        mask = polygon_mask(geom, grid)
        protection = np.where(mask, np.maximum(protection, strength), protection)
        masks[name] = masks[name] | mask if name in masks else mask
    masks = {n: m for n, m in masks.items() if m.any()}     # reserves off the grid (or under a cell centre)
    if not masks:
        raise fail(f.path, f.key, "no reserve polygon covers a cell centre of the grid",
                   "polygons over the grid, at least one cell large")
    layers["protection"] = protection
    features.extend(Feature(n, "protected_area", cells_of(m), approximate=False) for n, m in masks.items())
    return masks


def _shown(value) -> str:
    """An attribute value as the user wrote it: numbers plain (70, not np.float64(70.0)), text quoted."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(value.item() if isinstance(value, np.generic) else value)


def _sites(source, grid: Grid, base_dir: Path, features: list[Feature]) -> dict[str, tuple[int, int]]:
    """Release sites by name: the cell each point falls in (GisError for a site off the grid or a
    name used twice)."""
    f = read_features(_resolve(source.file, base_dir), _vector_key("sites"), "sites", source, grid)
    sites: dict[str, tuple[int, int]] = {}
    for name, geom in zip(f.names, f.geoms):
        rc = point_cell(geom, grid)
        if rc is None:
            x, y = geom["coordinates"]
            raise fail(f.path, f.key, f"site {name!r} at ({x:.0f}, {y:.0f}) m [{grid.crs}] lies off the grid",
                       f"points inside the grid's bounds {tuple(round(b) for b in grid.bounds)}")
        if name in sites:
            raise fail(f.path, f.key, f"two sites named {name!r}", "one point per site name")
        sites[name] = rc
        features.append(Feature(name, "site", np.array([rc], dtype=np.int64), approximate=False))
    return sites


def _water(source, grid: Grid, base_dir: Path, features: list[Feature]) -> np.ndarray:
    """Bool layer of the cells the water points fall in (points off the grid are left out)."""
    f = read_features(_resolve(source.file, base_dir), _vector_key("water_points"), "water_points", source, grid)
    water = np.zeros((grid.rows, grid.cols), dtype=bool)
    for geom in f.geoms:
        for p in parts_of(geom):
            rc = point_cell(p, grid)
            if rc is not None:
                water[rc] = True
    if not water.any():
        raise fail(f.path, f.key, "no water point lies on the grid", "points inside the grid's bounds")
    features.append(Feature("water points", "well", cells_of(water), approximate=False))
    return water


def write_geotiff(path, array: np.ndarray, land: Landscape) -> Path:
    """Write a layer ``array`` (shape of ``land``'s grid, row 0 north) as a single-band GeoTIFF in
    ``land``'s CRS and transform (ValueError if the landscape is not georeferenced). Float layers
    are written as float64, bool as uint8, integers as int64; NaN stays NaN (nodata)."""
    import rasterio
    from affine import Affine

    a = np.asarray(array)
    if land.transform is None or land.crs is None:
        raise ValueError(f"write_geotiff: the {land.name} landscape is not georeferenced (no transform or CRS)")
    if a.shape != land.shape:
        raise ValueError(f"write_geotiff: array of shape {a.shape}, the landscape's grid is {land.shape}")
    if a.dtype == bool:
        a = a.astype(np.uint8)
    elif a.dtype.kind in "iu":
        a = a.astype(np.int64)
    else:
        a = a.astype(np.float64)
    path = Path(path)
    with rasterio.open(path, "w", driver="GTiff", height=a.shape[0], width=a.shape[1], count=1, dtype=a.dtype.name,
                       crs=land.crs, transform=Affine.from_gdal(*land.transform),
                       nodata=np.nan if a.dtype.kind == "f" else None) as dst:
        dst.write(a, 1)
    return path


__all__ = ["build_gis", "gis_grid", "gis_extent_km", "grid_crs", "warp_layer", "write_geotiff", "GisError"]
