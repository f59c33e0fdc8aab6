"""The ``landscape.gis`` section: a landscape built from real GIS files (``landscape.preset: gis``).

The model grid is laid in a projected CRS (metres) over ``bounds``; raster files in any CRS and
resolution are reprojected and resampled onto it, vector files (fences, roads, reserves, release
sites, water points) are reprojected and rasterised on it. The builder is
:func:`sim.world.gis.build_gis`; how to prepare the files, the resampling rules and the errors are
in ``docs/gis.md``. File paths are relative to the scenario file's folder, as ``landscape.layers``.

Kept apart from :mod:`sim.config.schema` so that the landscape's GIS keys live in one file.
"""

from __future__ import annotations

from typing import Any, Mapping

from pydantic import Field, field_validator, model_validator

from .params import Params

#: Raster keys of ``landscape.gis.rasters`` (the layers of ``landscape.layers``).
RASTER_KEYS: tuple[str, ...] = ("habitat", "escarpment", "water", "protection", "human", "road", "lions",
                                "wolves", "leopards", "saiga_summer", "saiga_winter", "gazelle", "urial", "hare")


class GisRasters(Params):
    """Raster files (GeoTIFF or any single-band raster GDAL reads, with a CRS), any CRS and
    resolution: reprojected onto the model grid. Continuous layers and densities are averaged over
    each cell; true/false layers (escarpment, water, road) are true where any source pixel in the
    cell is (docs/gis.md). Only ``habitat`` is required."""

    habitat: str = Field(..., description="Cheetah habitat suitability (0-1); required: the cheetahs' "
                         "main layer, and without ``bounds`` its extent is the map's")
    escarpment: str | None = Field(None, description="Escarpments (chinks), 0/1; default: none")
    water: str | None = Field(None, description="Water points, 0/1 (added to ``vectors.water_points``); default: none")
    protection: str | None = Field(None, description="Protected-area strength (0-1; the larger of this and "
                                   "``vectors.reserves`` is kept); default: values.protection")
    human: str | None = Field(None, description="Herder/livestock pressure (0-1); default: values.human")
    road: str | None = Field(None, description="Roads and railways, 0/1 (added to ``vectors.roads``); default: none")
    lions: str | None = Field(None, description="Lions [animals/km²]; default: values.lions")
    wolves: str | None = Field(None, description="Wolves [animals/km²]; default: values.wolves")
    leopards: str | None = Field(None, description="Leopards [animals/km²]; default: values.leopards")
    saiga_summer: str | None = Field(None, description="Saiga K in summer [animals/km²]; default: values.saiga_summer")
    saiga_winter: str | None = Field(None, description="Saiga K in winter [animals/km²]; default: values.saiga_winter")
    gazelle: str | None = Field(None, description="Goitered gazelle K [animals/km²]; default: values.gazelle")
    urial: str | None = Field(None, description="Urial K [animals/km²]; default: values.urial")
    hare: str | None = Field(None, description="Tolai hare (small prey) K [animals/km²]; default: values.hare")


class GisValues(Params):
    """Constants for the continuous layers that have no raster file. Every default is 0: a layer
    nobody mapped is taken as absent (no protection, no herders, no competitors, no prey), so a
    missing file can only make the study area poorer, never invent animals; give a value (or a
    raster) for each layer that matters. ``check`` refuses prey that start with animals on a map
    without their capacity."""

    protection: float = Field(0.0, ge=0, le=1, description="Protection (0-1) where no reserve or raster says "
                              "otherwise; default 0: unprotected")
    human: float = Field(0.0, ge=0, le=1, description="Herder pressure (0-1); default 0: none mapped")
    lions: float = Field(0.0, ge=0, description="Lions [animals/km²]; default 0 (none on Ustyurt)")
    wolves: float = Field(0.0, ge=0, description="Wolves [animals/km²]; default 0: none mapped")
    leopards: float = Field(0.0, ge=0, description="Leopards [animals/km²]; default 0: none mapped")
    saiga_summer: float = Field(0.0, ge=0, description="Saiga K in summer [animals/km²]; default 0: none mapped")
    saiga_winter: float = Field(0.0, ge=0, description="Saiga K in winter [animals/km²]; default 0: none mapped")
    gazelle: float = Field(0.0, ge=0, description="Gazelle K [animals/km²]; default 0: none mapped")
    urial: float = Field(0.0, ge=0, description="Urial K [animals/km²]; default 0: none mapped")
    hare: float = Field(0.0, ge=0, description="Tolai hare K [animals/km²]; default 0: none mapped")


class VectorSource(Params):
    """A vector file (GeoPackage, GeoJSON, shapefile ... anything GDAL reads, with a CRS).
    In YAML either a path (``roads: roads.gpkg``) or a mapping with ``file`` and options."""

    file: str = Field(..., description="Path, relative to the scenario file's folder")
    layer: str | None = Field(None, description="Layer of a multi-layer file (GeoPackage); default: the first")
    name_field: str | None = Field(None, description=(
        "Attribute holding each feature's name (fences, reserves, sites); default: the field 'name' if "
        "the file has one, else the features are numbered ('fence 1', 'fence 2' ...)"))

    @model_validator(mode="before")
    @classmethod
    def _path_alone(cls, data: Any) -> Any:
        return {"file": data} if isinstance(data, str) else data


class ReserveSource(VectorSource):
    """Protected-area polygons: each gives ``protected_areas[name]`` and its strength to ``protection``."""

    strength_field: str | None = Field(None, description=(
        "Attribute with each reserve's protection strength (0-1); default: every reserve has ``strength``"))
    strength: float = Field(1.0, ge=0, le=1, description=(
        "Strength of reserves without a strength_field; default 1 (a strict reserve, as the ustyurt "
        "preset's zapovednik)"))


class GisVectors(Params):
    """Vector files drawn on the grid (every one optional)."""

    fences: VectorSource | None = Field(None, description=(
        "Lines: one fence per name; a move between neighbouring cells is blocked where the step "
        "between their centres crosses a line; all edges closed (management opens gaps)"))
    roads: VectorSource | None = Field(None, description="Lines: the cells they pass through are road cells")
    reserves: ReserveSource | None = Field(None, description=(
        "Polygons: cells whose centre lies inside are protected (protection = the largest strength)"))
    sites: VectorSource | None = Field(None, description="Points: named release sites (a site off the grid is an error)")
    water_points: VectorSource | None = Field(None, description="Points: the cells they fall in have water")
    lines: VectorSource | None = Field(None, description=(
        "Lines kept by name for management levers (a planned railway, road, fence or corridor): "
        "``along: <name>`` in management.roads, new_fences or corridors; they change nothing until a "
        "lever uses them"))


class GisSpec(Params):
    """Where the model grid lies and which GIS files fill it (``landscape.preset: gis``)."""

    crs: str = Field(..., description=(
        "CRS of the model grid (EPSG code, WKT or PROJ string): projected, in metres (e.g. EPSG:32640, "
        "UTM 40N, for Ustyurt); required: cells must be square in km"))
    bounds: tuple[float, float, float, float] | None = Field(None, description=(
        "[x_min, y_min, x_max, y_max] of the grid in that CRS [m]; default: the habitat raster's extent. "
        "The grid starts at (x_min, y_max) and has ceil(width / cell) x ceil(height / cell) cells"))
    open_edge: bool = Field(False, description=(
        "True: walking off the map edge is emigration; default false: the edge refuses moves (a fenced "
        "study area, as the ustyurt preset), so the bounds must hold the whole area the animals may use"))
    rasters: GisRasters = Field(..., description="Raster files by layer (habitat required)")
    vectors: GisVectors = Field(GisVectors(), description="Vector files: fences, roads, reserves, sites, "
                                "water points (each optional)")
    values: GisValues = Field(GisValues(), description="Constants for the layers without a raster file "
                              "(every default 0: absent)")

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, b: tuple[float, float, float, float] | None) -> tuple[float, float, float, float] | None:
        if b is not None and not (b[0] < b[2] and b[1] < b[3]):
            raise ValueError(f"got {list(b)}, must be [x_min, y_min, x_max, y_max] with x_min < x_max and "
                             "y_min < y_max (metres in the grid's CRS)")
        return b


def check_gis_choice(preset: str, gis: GisSpec | None, layers: Mapping[str, Any]) -> None:
    """ValueError unless ``landscape.gis`` is given exactly when ``preset`` is ``gis``, and
    ``landscape.layers`` is empty then (its rasters go in ``landscape.gis.rasters``, which are
    reprojected; ``layers`` expects files already on the grid)."""
    if preset == "gis" and gis is None:
        raise ValueError("landscape.preset gis needs a landscape.gis section (crs, rasters: {habitat: FILE}, ...); "
                         "see docs/gis.md")
    if preset != "gis" and gis is not None:
        raise ValueError(f"landscape.gis is only for preset: gis (preset is {preset!r})")
    given = [k for k, v in layers.items() if v is not None]
    if preset == "gis" and given:
        raise ValueError(f"landscape.layers ({', '.join(given)}) is not for preset gis: put the files under "
                         "landscape.gis.rasters (they are reprojected onto the grid)")


__all__ = ["GisSpec", "GisRasters", "GisValues", "GisVectors", "VectorSource", "ReserveSource", "RASTER_KEYS",
           "check_gis_choice"]
