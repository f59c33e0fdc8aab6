"""Shared infrastructure of the validation checks: the records a check returns, the registry,
run settings and seeds, the parallel map, figure helpers, small statistics helpers and the
scenario set-ups several checks build on (on :func:`sim.config.factories.uniform_reserve`).

Nothing here runs the model; model runs (plain or instrumented) are in :mod:`.instrumented`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Sequence

import numpy as np

from ..config.factories import uniform_reserve
from ..config.params import EnvironmentParams
from ..config.schema import Scenario

#: The repository root: scenario files and landscape presets are resolved against it.
REPO = Path(__file__).resolve().parents[2]
#: Dots per inch of the validation figures (colours: sim.reporting.figstyle.colour, as in the report).
DPI = 150
#: Gazelle-sized prey per km² of the field systems, so that food does not limit.
FIELD_PREY_DENSITY = 5.0


# ============================================================================ records and registry
@dataclass
class Param:
    """A parameter as a check used it: dotted name, value with unit, and where the value is from."""

    name: str
    value: str
    source: str


@dataclass
class CheckResult:
    """The outcome of one validation check (one section of docs/validation.md)."""

    name: str
    group: str                 # "theory", "field" or "sensitivity"
    title: str
    compares: str              # what is compared with what
    method: str                # how the model was run and the quantity measured
    parameters: list[Param]
    expected: str              # expected value or range (with its source)
    tolerance: str             # the pass criterion
    observed: str
    passed: bool
    figure: Path | None = None
    replicates: int = 0
    seconds: float = 0.0
    values: dict = field(default_factory=dict)   # machine-readable numbers (tests, report)
    notes: str = ""


@dataclass
class Settings:
    """How a validation run is done: ``quick`` shrinks replicates and horizons (tests);
    ``jobs`` worker processes; ``seed`` the root of every check's seeds; ``fig_dir`` where figures go."""

    fig_dir: Path
    quick: bool = False
    jobs: int = 2
    seed: int = 20250

    def n(self, full: int, quick: int) -> int:
        """``quick`` in quick mode, else ``full`` (replicates, years, walkers ...)."""
        return quick if self.quick else full


@dataclass(frozen=True)
class Check:
    """A registered check: its name, its group and the function that runs it."""

    name: str
    group: str
    fn: Callable[[Settings], CheckResult]


#: Every registered check by name, in registration order (= the order of the report).
CHECKS: dict[str, Check] = {}


def check(name: str, group: str):
    """Register a check function under ``name`` (order of registration = order in the report)."""
    def deco(fn):
        CHECKS[name] = Check(name, group, fn)
        return fn
    return deco


# ============================================================================ parameters
def field_info(cls, name: str) -> dict:
    """Unit, source and ``sens`` range of field ``name`` of a parameter class (its json_schema_extra)."""
    info = cls.model_fields[name]
    extra = info.json_schema_extra or {}
    return {"unit": extra.get("unit", ""), "source": extra.get("source", ""), "sens": extra.get("sens")}


def param_from(label: str, obj, name: str, *, source: str | None = None, fmt: str = "{:g}") -> Param:
    """A Param for field ``name`` of the parameter group ``obj`` (value, unit and source from
    sim/config/params.py unless ``source`` overrides it, e.g. a value set for a field system)."""
    info = field_info(type(obj), name)
    v = getattr(obj, name)
    text = fmt.format(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
    return Param(label, f"{text} {info['unit']}".strip(), source if source is not None else info["source"])


# ============================================================================ seeds and workers
def check_seeds(settings: Settings, check_name: str, n: int, offset: int = 0) -> list[np.random.SeedSequence]:
    """Independent seeds of a check: SeedSequence(root, spawn_key=(crc32(check), i))."""
    key = zlib.crc32(check_name.encode())
    return [np.random.SeedSequence(settings.seed, spawn_key=(key, offset + i)) for i in range(n)]


def parallel_map(fn: Callable, args: Sequence[tuple], jobs: int) -> list:
    """fn(*a) for every a, in order; on ``jobs`` loky worker processes when jobs > 1
    (:func:`sim.runs.executor.ordered_map`)."""
    from ..runs.executor import ordered_map
    return ordered_map(fn, args, jobs)


# ============================================================================ statistics
def wilson(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (lower, upper) of a proportion k of n at confidence ``conf``."""
    from ..analysis.stats import wilson_interval
    lo, hi = wilson_interval(k, n, conf)
    return float(lo), float(hi)


def log_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Slope of ln y against x by least squares (per unit of x): exp(slope) is a growth factor
    per unit of x, −slope a rate of decline."""
    return float(np.polyfit(x, np.log(y), 1)[0])


# ============================================================================ scenarios
def demography_only(cheetah: dict | None = None, *, name: str, years: int, releases: Sequence[dict],
                    lions: float = 0.0) -> Scenario:
    """The demography-only case of :mod:`sim.analysis.demography` on a fenced 100 km x 100 km
    uniform reserve: unlimited food (``ceiling`` rule without a ceiling), a mate always
    available and every female old enough may breed, settled or not, no variation,
    catastrophes, people, roads, release losses or inbreeding depression; a constant lion
    density [animals/km²] adds cub predation."""
    ch = {"release_survival_wild": 1.0, "lethal_equivalents": 0.0, "breeding_females_must_be_resident": False,
          **(cheetah or {})}
    return uniform_reserve(name, years=years, size_km=100.0, gazelle=0.0, lions=lions,
                           prey_poaching=0.0, releases=releases, cheetah=ch,
                           rules={"density": "ceiling", "mate_finding": "always",
                                  "movement": "correlated_walk"},
                           max_cheetahs=20_000)     # growth without limit is the point of these checks


def field_scenario(name: str, *, years: int, lions: float, prey_density: float = FIELD_PREY_DENSITY,
                   size_km: float = 150.0, females: int = 15, males: int = 15) -> Scenario:
    """A resident cheetah population on a fenced ``size_km`` x ``size_km`` uniform reserve: prey
    at ``prey_density`` [gazelle-sized animals/km²] (prey-limited rules), lions at
    ``lions`` [animals/km²], no people, roads or prey poaching, the default year-to-year
    variation but no Ustyurt catastrophes; ``females`` and ``males`` founders aged 36 months
    without release losses (they stand for an established population)."""
    env = EnvironmentParams()
    return uniform_reserve(
        name, years=years, size_km=size_km, gazelle=prey_density, lions=lions,
        prey_poaching=0.0,
        releases=[{"year": 1, "month": 1, "females": females, "males": males, "age_months": 36}],
        cheetah={"release_survival_wild": 1.0},
        environment={"ev_survival_sd": env.ev_survival_sd, "ev_capacity_sd": env.ev_capacity_sd})


def baseline_scenario() -> Scenario:
    """The resolved scenario of scenarios/baseline.yaml (the default Ustyurt scenario)."""
    from ..config.loading import load_scenarios
    return [s for s, _ in load_scenarios([REPO / "scenarios" / "baseline.yaml"])][0]


def landscape_of(sc: Scenario):
    """The landscape of a scenario, built from its spec (presets resolved against the repository)."""
    from ..world.build import build_landscape
    return build_landscape(sc.landscape, REPO)


def walk_model(land, max_step_cells: int, persistence: float):
    """The parts of a model that sim.life.movement.walk and the movement rules read, for walkers moved
    without a model: the landscape, its walk geometry (jumps of up to ``max_step_cells``) and
    the walk parameters."""
    from ..life.movement import WalkGeometry
    return SimpleNamespace(landscape=land, walk_geometry=WalkGeometry.build(land, max_step_cells),
                           params=SimpleNamespace(walk_persistence=persistence, walk_habitat_bias=2.0))


# ============================================================================ figures
def new_figure(w_px: int = 1500, h_px: int = 900, ncols: int = 1, nrows: int = 1, **kw):
    """A figure of w_px x h_px pixels at DPI with an (nrows, ncols) array of axes in the house style
    (light grid behind the data, no top or right spine)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(w_px / DPI, h_px / DPI), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    for ax in axes.ravel():
        ax.grid(True, color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        for s in ("top", "right"):
            ax.spines[s].set_visible(False)
    return fig, axes


def save_figure(fig, settings: Settings, name: str) -> Path:
    """Write ``fig`` to <settings.fig_dir>/<name>.png and return the path."""
    settings.fig_dir.mkdir(parents=True, exist_ok=True)
    path = settings.fig_dir / f"{name}.png"
    fig.savefig(path, dpi=DPI, format="png", facecolor="white")
    return path
