"""The typed scenario: what one YAML scenario resolves to, and what the model reads.

The model never reads YAML; it receives a validated, immutable :class:`Scenario`. Loading and
``extends`` live in :mod:`sim.config.loading`, ``sweep`` expansion in :mod:`sim.config.sweep`,
error messages in :mod:`sim.config.messages`; checks that need the built landscape (release sites
that exist, rasters of the right shape) in :func:`sim.model.checks.check_against_landscape`.

Conventions: ``year`` is 1-based (1 = the first simulated year); ``month`` is 1-12 (1 = January).
Cells are ``[row, col]`` with row 0 at the north edge.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping

from pydantic import Field, field_validator, model_validator

from .climate import Environment
from .gis_spec import GisSpec, check_gis_choice
from .levers import (Corridor, FenceClosure, FenceGaps, NewFence, NewRoad, Patrol, RoadMitigation, Where)
from .params import CheetahParams, ManagementBaseline, Params, PreyParams

Cell = tuple[int, int]

#: Keys that were replaced, per section: old key -> what replaced it. A scenario that still uses
#: one is refused with a message naming the key and its replacement (never silently ignored).
REPLACED_KEYS: dict[str, dict[str, str]] = {
    "landscape": {"competitor_density": (
        "lion_density, wolf_density and leopard_density (competitors by kind [animals/km²]; the "
        "Serengeti/Kalahari field checks' competitors are lions, Ustyurt's are wolves); rename it, or "
        "drop it if it was 0")},
    "landscape.layers": {"competitors": (
        "the layers lions, wolves and leopards (one raster file per competitor kind [animals/km²])")},
}


def _refuse_replaced(section: str, data: Any) -> Any:
    """``data`` unchanged, or ValueError if it uses a key of :data:`REPLACED_KEYS` ``[section]``."""
    if isinstance(data, Mapping):
        for old, new in REPLACED_KEYS[section].items():
            if old in data:
                raise ValueError(f"{section}.{old} is no longer a key: it was replaced by {new}")
    return data


class LayerFiles(Params):
    """Optional raster files that replace preset layers (.npy, ESRI ASCII .asc, GeoTIFF .tif)."""

    habitat: str | None = None
    escarpment: str | None = None
    water: str | None = None
    protection: str | None = None
    human: str | None = None
    road: str | None = None
    lions: str | None = Field(None, description="Lions [animals/km²] (replaces the preset's lion layer)")
    wolves: str | None = Field(None, description="Wolves [animals/km²] (replaces the preset's wolf layer)")
    leopards: str | None = Field(None, description="Leopards [animals/km²] (replaces the preset's leopard layer)")
    saiga_summer: str | None = None
    saiga_winter: str | None = None
    gazelle: str | None = None
    urial: str | None = None
    hare: str | None = Field(None, description="Tolai hare (small prey) capacity [animals/km²]")

    @model_validator(mode="before")
    @classmethod
    def _replaced(cls, data: Any) -> Any:
        return _refuse_replaced("landscape.layers", data)


class LandscapeSpec(Params):
    """Which landscape to build. Presets: the stylised ``ustyurt`` map, a ``uniform`` rectangle, or
    ``gis``: a map built from real GIS files (``landscape.gis``, docs/gis.md)."""

    preset: Literal["ustyurt", "uniform", "gis"] = Field("ustyurt", description=(
        "ustyurt: the stylised Ustyurt map (default: the study's map); uniform: a rectangle of identical "
        "cells; gis: rasters and vectors of landscape.gis reprojected onto a grid (docs/gis.md)"))
    cell_km: float = Field(2.5, gt=0.1, le=50, description="Cell side [km]; the map may have at most 1,500,000 cells "
                           "by default (refused at check; raise it with --limit cells=N, docs/reliability.md)")
    prey_cell_km: float = Field(5.0, gt=0, le=100, description=(
        "Cell side of the prey density grid [km]: prey cells are f x f landscape cells, f the whole "
        "number nearest to prey_cell_km / cell_km (at least 1, i.e. the landscape grid)"))
    seed: int = Field(20250, ge=0, description="Seed of the stylised map's random texture")
    # uniform preset
    width_km: float = Field(100.0, gt=0, le=5000, description="uniform: east-west extent [km]")
    height_km: float = Field(100.0, gt=0, le=5000, description="uniform: north-south extent [km]")
    fenced: bool = Field(False, description="uniform: impassable fence all round (else the edge is open "
                                            "and animals walking off it emigrate)")
    habitat_value: float = Field(0.8, ge=0, le=1, description="uniform: habitat suitability")
    saiga_density: float = Field(0.0, ge=0, description="uniform: saiga K [animals/km²] (both seasons)")
    gazelle_density: float = Field(1.0, ge=0, description="uniform: gazelle K [animals/km²]")
    urial_density: float = Field(0.0, ge=0, description="uniform: urial K [animals/km²]")
    hare_density: float = Field(0.0, ge=0, description=(
        "uniform: tolai hare (small prey) K [animals/km²]; default 0, no small prey (the ustyurt "
        "preset's value, unconfirmed there, is in docs/parameters.md)"))
    human_value: float = Field(0.0, ge=0, le=1, description="uniform: herder pressure (0-1)")
    lion_density: float = Field(0.0, ge=0, description=(
        "uniform: lions [animals/km²]; default 0 (none on Ustyurt; the Serengeti validation uses 0.15)"))
    wolf_density: float = Field(0.0, ge=0, description="uniform: wolves [animals/km²]; default 0")
    leopard_density: float = Field(0.0, ge=0, description="uniform: leopards [animals/km²]; default 0")
    protection_value: float = Field(0.0, ge=0, le=1, description="uniform: protection (0-1)")
    layers: LayerFiles = LayerFiles()
    gis: GisSpec | None = Field(None, description="gis: the grid's CRS and bounds and the GIS files (docs/gis.md)")

    @model_validator(mode="before")
    @classmethod
    def _replaced(cls, data: Any) -> Any:
        return _refuse_replaced("landscape", data)

    @model_validator(mode="after")
    def _gis_section(self) -> "LandscapeSpec":
        check_gis_choice(self.preset, self.gis, self.layers.model_dump())
        return self


#: Landscape keys that only the ``uniform`` preset reads (refused for the other presets).
UNIFORM_ONLY = ("width_km", "height_km", "fenced", "habitat_value", "saiga_density", "gazelle_density",
                "urial_density", "hare_density", "human_value", "lion_density", "wolf_density",
                "leopard_density", "protection_value")

#: Built-in density rules that ignore ``ceiling``.
NO_CEILING_DENSITY = ("prey_limited",)


class Repeat(Params):
    every_years: int = Field(1, ge=1, le=50, description="Years between supplementations")
    times: int = Field(1, ge=1, le=100, description="Number of releases in all (including the first)")


def repeat_years(year: int, repeat: Repeat | None) -> list[int]:
    """The years of an event first in ``year`` and repeated as ``repeat`` says (just ``year`` if None)."""
    if repeat is None:
        return [year]
    return [year + i * repeat.every_years for i in range(repeat.times)]


class Release(Params):
    """Cheetahs put into the landscape at a site."""

    year: int = Field(1, ge=1, description="Simulation year (1 = first)")
    month: int = Field(4, ge=1, le=12, description="Month (1 = January)")
    site: str | None = Field(None, description="Named release site of the landscape")
    cell: Cell | None = Field(None, description="[row, col] instead of a named site")
    females: int = Field(0, ge=0, le=500)
    males: int = Field(0, ge=0, le=500)
    age_months: int = Field(36, ge=12, le=180, description="Age of released animals [months]")
    source: Literal["wild", "captive"] = "wild"
    method: Literal["hard", "soft"] = "hard"
    boma_months: int = Field(0, ge=0, le=12, description="Months held and fed in a boma (soft release)")
    repeat: Repeat | None = Field(None, description="Supplementation: repeat this release")

    @model_validator(mode="after")
    def _check(self) -> "Release":
        if (self.site is None) == (self.cell is None):
            raise ValueError("give exactly one of 'site' (a named release site) or 'cell' ([row, col])")
        if self.method == "hard" and self.boma_months:
            raise ValueError("boma_months is only for method: soft")
        return self

    def events(self) -> list[tuple[int, int]]:
        """(year, month) of every release this entry makes, month 1-12."""
        return [(y, self.month) for y in repeat_years(self.year, self.repeat)]


class FenceRemoval(Params):
    year: int = Field(1, ge=1)
    fence: str = "border"


class AntiPoaching(Params):
    year: int = Field(1, ge=1)
    strength: float = Field(..., ge=0, le=1, description="Enforcement from this year on (0-1)")


class NewProtectedArea(Where):
    year: int = Field(1, ge=1)
    name: str = "new reserve"
    strength: float = Field(1.0, ge=0, le=1, description="Protection level (1 = strict reserve)")


class WaterPoints(Params):
    year: int = Field(1, ge=1)
    sites: list[str] = Field(default_factory=list, description="Named sites getting a water point")
    cells: list[Cell] = Field(default_factory=list, description="Cells getting a water point")


class PreyTranslocation(Params):
    year: int = Field(1, ge=1)
    month: int = Field(3, ge=1, le=12)
    species: Literal["saiga", "gazelle", "urial"]
    number: int = Field(..., ge=1, le=1_000_000)
    site: str | None = None
    cell: Cell | None = None
    repeat: Repeat | None = None

    @model_validator(mode="after")
    def _check(self) -> "PreyTranslocation":
        if (self.site is None) == (self.cell is None):
            raise ValueError("give exactly one of 'site' or 'cell'")
        return self


class Mitigation(Params):
    year: int = Field(1, ge=1)
    factor: float = Field(..., ge=0, le=10, description="Multiplier on the hazard from this year on")


class Management(ManagementBaseline):
    """Baseline management and scheduled interventions."""

    def scheduled(self) -> list[tuple[str, int, list[int]]]:
        """(list name, index, years) of every scheduled intervention, years counting repeats."""
        out = []
        for name in type(self).model_fields:
            items = getattr(self, name)
            if not isinstance(items, list):
                continue
            for i, ev in enumerate(items):
                out.append((name, i, repeat_years(ev.year, getattr(ev, "repeat", None))))
        return out

    fence_gaps: list[FenceGaps] = Field(default_factory=list)
    fence_removal: list[FenceRemoval] = Field(default_factory=list)
    anti_poaching: list[AntiPoaching] = Field(default_factory=list)
    protected_areas: list[NewProtectedArea] = Field(default_factory=list)
    water_points: list[WaterPoints] = Field(default_factory=list)
    prey_translocations: list[PreyTranslocation] = Field(default_factory=list)
    conflict_mitigation: list[Mitigation] = Field(default_factory=list)
    road_mitigation: list[RoadMitigation] = Field(default_factory=list)
    fence_closure: list[FenceClosure] = Field(default_factory=list, description="Fence gaps closed again")
    new_fences: list[NewFence] = Field(default_factory=list, description="Fences built")
    roads: list[NewRoad] = Field(default_factory=list, description="New roads and railways (Roadmap 5.3)")
    patrols: list[Patrol] = Field(default_factory=list, description=(
        "Ranger patrol zones, inside or outside protected areas (Roadmap 4.1)"))
    corridors: list[Corridor] = Field(default_factory=list, description="Protected corridors (Roadmap 1.3)")


#: Causes of death drawn as monthly hazards by default (sim.life.mortality), in census order.
DEFAULT_HAZARDS = ("background", "senescence", "starvation", "human", "road", "predation",
                   "post_release", "inbreeding", "harsh_winter")


class Rules(Params):
    """Names of the swappable rules (see sim.registry; plugins may register more)."""

    movement: str = "prey_walk"
    density: str = "prey_limited"
    mate_finding: str = "roaming_males"
    functional_response: str = "type2"
    settlement: str = "prey_and_space"
    hazards: tuple[str, ...] = Field(DEFAULT_HAZARDS, description=(
        "Causes of death drawn as monthly hazards (registered 'hazard' rules); a plugin cause "
        "added here is counted in the census as deaths_other"))
    food_sources: tuple[str, ...] = Field(("ungulate_kills",), min_length=1, description=(
        "Food sources a hunting unit draws on, in order (registered 'food_source' rules)"))


class Output(Params):
    quasi_extinction: int = Field(10, ge=0, description="Quasi-extinction: fewer than this many "
                                  "cheetahs (all ages)")
    occupancy: bool = Field(True, description="Save per-cell occupancy counts")


class Scenario(Params):
    """One fully resolved scenario."""

    name: str = Field(..., min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.+=,-]+$",
                      description="Scenario name (letters, digits, _ . + = , -); names result rows")
    description: str = Field("", max_length=2000, description=(
        "One line a specialist reads in the report (at most 2,000 characters: it is a field of the "
        "result tables, and a 1 MB description broke them after the run)"))
    family: str = Field("", max_length=120, description="Group label for the report (e.g. 'founders')")
    baseline: str | None = Field(None, description="Name of the scenario this one is compared with")
    years: int = Field(50, ge=1, le=200, description="Horizon [years]")
    replicates: int = Field(100, ge=1, le=1_000_000, description="Stochastic replicates")
    seed: int = Field(1, ge=0, description="Root seed (replicate i uses SeedSequence(seed, (crc32(name), i)))")
    common_random_numbers: bool = Field(False, description=(
        "Compare options on the same random years: replicate i uses SeedSequence(seed, (2^32, i)), keyed "
        "by its index alone, and the year's environment (year effects, harsh winters, die-offs, "
        "droughts) comes from its own random stream; options that all set it (with one root seed) meet "
        "the same environmental years, and their difference from the baseline gets a paired interval "
        "(Bonett & Price 2012). Default false: seeds keyed by scenario name, one stream"))
    ceiling: int | None = Field(None, ge=1, description="rules.density: ceiling → cheetah carrying "
                                "capacity (animals); none = unlimited")
    max_cheetahs: int = Field(4000, ge=10, le=20000, description=(
        "Most living cheetahs a replicate may hold; a replicate that exceeds it fails with that cause "
        "(failures.csv) instead of exhausting memory: the exact pedigree kinship of the living is a "
        "dense matrix, 8 bytes x slots² (4,096 slots: 128 MiB per worker, 20,000: 3.2 GiB). Ustyurt "
        "populations stay in the hundreds; an unlimited one (density: ceiling without ceiling) meets it"))
    landscape: LandscapeSpec = Field(default_factory=LandscapeSpec, description="Map preset, cell size, raster layers")
    prey: PreyParams = Field(default_factory=PreyParams, description="Prey species parameters (docs/parameters.md)")
    cheetah: CheetahParams = Field(default_factory=CheetahParams, description="Cheetah parameters (docs/parameters.md)")
    environment: Environment = Field(default_factory=Environment, description="Year effects, catastrophes and climate trends")
    releases: list[Release] = Field(default_factory=list, description="Cheetah releases")
    management: Management = Field(default_factory=Management, description="Baseline management and interventions")
    rules: Rules = Field(default_factory=Rules, description="Names of the swappable rules")
    output: Output = Field(default_factory=Output, description="What to record")
    swept: dict[str, Any] = Field(default_factory=dict, description=(
        "Set by sweep expansion, not by hand: the swept keys and this member's values (they become "
        "columns of the result tables)"))
    plugin_params: dict[str, float] = Field(default_factory=dict, description=(
        "Parameters read by plugin rules (name: number); unused by the built-in rules"))

    @field_validator("name")
    @classmethod
    def _not_only_dots(cls, name: str) -> str:
        # A name is a folder and file name in the run folder: '.' and '..' point elsewhere.
        if set(name) == {"."}:
            raise ValueError(f"got {name!r}, must not consist of dots only (it names files and folders of the run)")
        return name

    @model_validator(mode="after")
    def _no_ignored_keys(self) -> "Scenario":
        """Refuse keys that the scenario's other choices would silently ignore."""
        # "Given" means "differs from the default": a scenario may be dumped and validated again
        # (workers, --quick, sweeps), which marks every key as set.
        def changed(section, keys) -> list[str]:
            return [k for k in keys if getattr(section, k) != type(section).model_fields[k].default]

        problems = []
        given = changed(self.landscape, UNIFORM_ONLY)
        if self.landscape.preset != "uniform" and given:
            where = ("its files (landscape.gis.rasters and landscape.gis.values)" if self.landscape.preset == "gis"
                     else "its map (replace one with landscape.layers.<layer>, or scale prey with "
                          "prey.<species>.capacity_multiplier)")
            problems.append(f"landscape: {', '.join(sorted(given))} only shape the uniform preset; the "
                            f"{self.landscape.preset} preset's layers come from {where}")
        if self.landscape.layers.escarpment is not None:
            problems.append("landscape.layers.escarpment would only redraw the map (no process reads it); to "
                            "change where urial live, give landscape.layers.urial")
        if self.ceiling is not None and self.rules.density in NO_CEILING_DENSITY:
            problems.append(f"ceiling: rules.density {self.rules.density!r} does not use a ceiling (only "
                            "rules.density: ceiling does); drop ceiling or choose that rule")
        cheetah = changed(self.cheetah, ("walk_persistence", "mate_search_km"))
        if "walk_persistence" in cheetah and self.rules.movement in ("habitat_walk", "prey_walk"):
            problems.append(f"cheetah.walk_persistence: rules.movement {self.rules.movement!r} does not use it "
                            "(only correlated_walk does)")
        if "mate_search_km" in cheetah and self.rules.mate_finding == "anywhere":
            problems.append("cheetah.mate_search_km: rules.mate_finding 'anywhere' finds a mate at any distance, "
                            "so the search distance would be ignored")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _check_years(self) -> "Scenario":
        for i, r in enumerate(self.releases):
            last = r.events()[-1][0]
            if last > self.years:
                raise ValueError(f"releases.{i}: a release in year {last} falls after the horizon "
                                 f"(years: {self.years})")
        for name, i, years in self.management.scheduled():
            if years[-1] > self.years:
                rep = " (counting its repeats)" if len(years) > 1 else ""
                raise ValueError(f"management.{name}[{i}]: the intervention in year {years[-1]}{rep} falls after "
                                 f"the horizon (years: {self.years}) and would never happen; schedule it by year "
                                 f"{self.years} or raise years to at least {years[-1]}")
        return self


__all__ = ["Scenario", "LandscapeSpec", "LayerFiles", "REPLACED_KEYS", "Release", "Repeat", "Where", "Management", "Rules",
           "Output"]
