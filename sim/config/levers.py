"""Scenario keys for the Roadmap's spatial levers (2025–2030): corridors (1.3), ranger patrols
outside protected areas (4.1), new roads and railways with crossing structures (5.3), fences
closed, opened at chosen places or built (1.4).

Each entry is a validated, immutable event of ``management``; what it does to the landscape is
in :mod:`sim.management.levers`. Places are named release sites of the landscape or cells
``[row, col]`` (row 0 at the north edge); lines run through a list of points in order (sites,
cells or map coordinates) or along a named line of the landscape (``landscape.gis.vectors.lines``).
Lever values (widths, reductions, risks) are choices of the scenario's author; the defaults are
stated assumptions, documented on each key.
"""

from __future__ import annotations

from typing import Union

from pydantic import Field, model_validator

from .params import Params

Cell = tuple[int, int]


class MapPoint(Params):
    """A point in map coordinates: longitude and latitude [degrees, WGS84], or x and y in the
    landscape's CRS; needs a georeferenced landscape (the ustyurt and gis presets)."""

    lon: float | None = Field(None, ge=-180, le=180, description="Longitude [degrees east]")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude [degrees north]")
    x: float | None = Field(None, description="x in the landscape's CRS [its units: m for gis, degrees for ustyurt]")
    y: float | None = Field(None, description="y in the landscape's CRS")

    @model_validator(mode="after")
    def _check(self) -> "MapPoint":
        lonlat = self.lon is not None and self.lat is not None
        xy = self.x is not None and self.y is not None
        given = sum(v is not None for v in (self.lon, self.lat, self.x, self.y))
        if not ((lonlat or xy) and given == 2):
            raise ValueError("a map point is {lon: ..., lat: ...} or {x: ..., y: ...}")
        return self


#: A point of a line: a named site of the landscape, a cell [row, col], or map coordinates.
Point = Union[str, Cell, MapPoint]


class OnLine(Params):
    """A lever drawn along a line: ``through`` points, or ``along`` a named line of the landscape."""

    through: list[Point] | None = Field(None, min_length=2, description=(
        "Points the line runs through, in order: site names, [row, col] cells, or {lon, lat} / {x, y}"))
    along: str | None = Field(None, min_length=1, description=(
        "Instead of 'through': a line of the landscape by name (landscape.gis.vectors.lines)"))

    def _one_line(self, *others: str) -> None:
        given = [k for k in ("through", "along", *others) if getattr(self, k) is not None]
        if len(given) != 1:
            keys = ", ".join(f"'{k}'" for k in ("through", "along", *others))
            raise ValueError(f"give exactly one of {keys}" + (f" (got {', '.join(given)})" if given else ""))


class Where(Params):
    """A place: a named site, a cell, or a box [row0, col0, row1, col1] (inclusive); a site or a
    cell with a radius (new protected areas)."""

    site: str | None = None
    cell: Cell | None = None
    box: tuple[int, int, int, int] | None = None
    radius_km: float = Field(20.0, gt=0, le=500, description="Radius around a site or cell [km]")

    @model_validator(mode="after")
    def _check(self) -> "Where":
        if sum(x is not None for x in (self.site, self.cell, self.box)) != 1:
            raise ValueError("give exactly one of 'site', 'cell' or 'box'")
        return self


class Place(Where):
    """A place where a lever acts (passages, gaps, patrols, mitigation): as :class:`Where`, with a
    smaller default radius (a crossing structure or a fence stretch, not a reserve)."""

    radius_km: float = Field(10.0, gt=0, le=500, description="Radius around a site or cell [km]")


class Corridor(OnLine):
    """A protected corridor (Roadmap 1.3) along a line through named sites or cells (``through``,
    ``width_km`` wide) or over a polygon of cells (``polygon``), from January of ``year``: herder
    pressure and persecution lower inside, ranger patrols inside, habitat at least
    ``habitat_floor`` for walking cheetahs, fence edges inside opened for prey and cheetahs, and
    road crossing risk inside x ``road_risk_factor``."""

    year: int = Field(1, ge=1, description="Simulation year it takes effect (January)")
    name: str = Field("corridor", min_length=1, max_length=120, description="Label on maps and in the report")
    polygon: list[Cell] | None = Field(None, min_length=3, description=(
        "Instead of 'through': the corridor as a polygon of [row, col] cells (cells whose centre lies inside)"))
    width_km: float = Field(20.0, gt=0, le=500, description=(
        "Width of a line corridor [km] (cells whose centre lies within width/2 of the line); "
        "assumption: 20 km, about one female home-range diameter at Ustyurt prey densities"))
    human_reduction: float = Field(0.5, ge=0, le=1, description=(
        "Fraction by which herder pressure falls inside (human x (1 - this)); assumption: grazing "
        "regulated, not banned"))
    patrol: float = Field(0.5, ge=0, le=1, description=(
        "Ranger patrol strength inside (poaching and persecution x (1 - patrol), as management.patrols)"))
    habitat_floor: float = Field(0.0, ge=0, le=1, description=(
        "Habitat suitability inside is raised to at least this for walking cheetahs and settlement "
        "(0: unchanged); e.g. restored cover or water along the corridor"))
    open_fences: bool = Field(True, description=(
        "Open every fence edge inside the corridor (prey and cheetahs pass there)"))
    road_risk_factor: float = Field(1.0, ge=0, le=1, description=(
        "Multiplier on the crossing risk of road cells inside (crossing structures along the corridor; 1: none)"))

    @model_validator(mode="after")
    def _check(self) -> "Corridor":
        self._one_line("polygon")
        return self


class Patrol(Place):
    """Ranger patrols (Roadmap 4.1) at a place from January of ``year``, inside or outside
    protected areas: poaching of prey and persecution of cheetahs there x (1 - strength), on top
    of any reserve's protection x enforcement. Patrols at overlapping places: the strongest acts."""

    year: int = Field(1, ge=1, description="Simulation year it takes effect (January)")
    name: str = Field("patrol zone", min_length=1, max_length=120)
    strength: float = Field(..., ge=0, le=1, description=(
        "Share of poaching and persecution prevented where the rangers patrol (0-1)"))


class NewRoad(OnLine):
    """A new road or railway (Roadmap 5.3) built in January of ``year`` along a line through sites
    or cells: its cells become road cells (cheetahs crossing them risk road mortality); a fenced
    line (as the railways' fences on the plateau) is also a barrier to prey and cheetahs, open
    only at its ``passages``."""

    year: int = Field(1, ge=1, description="Simulation year it opens (January)")
    name: str = Field(..., min_length=1, max_length=120, description="Name (a fenced line's fence has this name)")
    fenced: bool = Field(False, description=(
        "Fenced along its length: impassable to prey and cheetahs except at passages"))
    passages: list[Place] = Field(default_factory=list, description=(
        "Crossing structures (under- or overpasses): the line's fence is open there and the crossing "
        "risk of its road cells there is x passage_risk"))
    passage_risk: float = Field(0.0, ge=0, le=1, description=(
        "Crossing risk at a passage relative to the open road; assumption: 0, animals using an "
        "underpass meet no traffic"))

    @model_validator(mode="after")
    def _check(self) -> "NewRoad":
        self._one_line()
        if self.passages and not self.fenced and self.passage_risk == 1.0:
            raise ValueError("passages on an unfenced line with passage_risk 1 change nothing; "
                             "set fenced: true or a passage_risk below 1")
        return self


class RoadMitigation(Params):
    """Road mortality mitigation from January of ``year``: without ``at``, one factor on every
    crossing (as before); with ``at``, only on road cells at those places (crossing structures,
    speed limits), where their crossing risk is multiplied by ``factor``."""

    year: int = Field(1, ge=1)
    factor: float = Field(..., ge=0, le=10, description="Multiplier on the road-crossing hazard")
    at: list[Place] | None = Field(None, min_length=1, description=(
        "Places where it acts (road cells there); none: everywhere"))


class FenceGaps(Params):
    """More gaps in a fence, in January of ``year``: ``add`` gaps spread evenly along the closed
    edges, or every edge of the fence at the places ``at``."""

    year: int = Field(1, ge=1)
    fence: str = "border"
    add: int | None = Field(None, ge=1, le=10000, description=(
        "Extra gaps, spread evenly along the fence (default 10 when 'at' is not given)"))
    at: list[Place] | None = Field(None, min_length=1, description=(
        "Instead of 'add': open the fence's edges at these places"))

    @model_validator(mode="after")
    def _check(self) -> "FenceGaps":
        if self.add is not None and self.at is not None:
            raise ValueError("give 'add' (gaps spread along the fence) or 'at' (gaps at places), not both")
        return self

    @property
    def spread(self) -> int:
        """Gaps to spread evenly (0 when the gaps are at places)."""
        return 0 if self.at is not None else (10 if self.add is None else self.add)


class FenceClosure(Params):
    """Gaps of a fence closed again in January of ``year`` (all of them, or those at ``at``)."""

    year: int = Field(1, ge=1)
    fence: str = Field(..., description="Name of the fence")
    at: list[Place] | None = Field(None, min_length=1, description="Only the gaps at these places (none: every gap)")


class NewFence(OnLine):
    """A new fence built in January of ``year`` along a line (through points, or along a named line)."""

    year: int = Field(1, ge=1)
    name: str = Field(..., min_length=1, max_length=120, description="Name (for later gaps, closure or removal)")
    gaps: list[Place] = Field(default_factory=list, description="Places where it is left open")

    @model_validator(mode="after")
    def _check(self) -> "NewFence":
        self._one_line()
        return self


__all__ = ["MapPoint", "OnLine", "Where", "Place", "Point", "Corridor", "Patrol", "NewRoad", "RoadMitigation", "FenceGaps", "FenceClosure",
           "NewFence"]
