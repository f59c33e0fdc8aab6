"""Shared infrastructure of the validation checks: the records a check returns, the registry,
run settings and seeds, the parallel map, figure helpers, small statistics helpers and the
scenario factories several checks build on.

Nothing here runs the model; model runs (plain or instrumented) are in :mod:`.instrumented`.
"""

from __future__ import annotations

import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Sequence

import numpy as np

from ..config.params import EnvironmentParams
from ..config.schema import Scenario

#: The repository root: scenario files and landscape presets are resolved against it.
REPO = Path(__file__).resolve().parents[2]
#: Okabe & Ito (2008) colour-blind-safe palette (same as sim.figures).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
DPI = 150
#: No year-to-year variation and no catastrophes: the default environment of a check's scenario.
QUIET_ENVIRONMENT = {"ev_survival_sd": 0.0, "ev_capacity_sd": 0.0, "harsh_winter_prob": 0.0,
                     "saiga_die_off_prob": 0.0}
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
    sim/params.py unless ``source`` overrides it, e.g. a value set for a field system)."""
    info = field_info(type(obj), name)
    v = getattr(obj, name)
    text = fmt.format(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
    return Param(label, f"{text} {info['unit']}".strip(), source if source is not None else info["source"])


def _fmt(x: float, spec: str = ".3f") -> str:
    """``x`` formatted with ``spec``, or "n/a" if it is None or not finite."""
    return "n/a" if x is None or not np.isfinite(x) else format(x, spec)


# ============================================================================ seeds and workers
def check_seeds(settings: Settings, check_name: str, n: int, offset: int = 0) -> list[np.random.SeedSequence]:
    """Independent seeds of a check: SeedSequence(root, spawn_key=(crc32(check), i))."""
    key = zlib.crc32(check_name.encode())
    return [np.random.SeedSequence(settings.seed, spawn_key=(key, offset + i)) for i in range(n)]


def parallel_map(fn: Callable, args: Sequence[tuple], jobs: int) -> list:
    """fn(*a) for every a, in order; on ``jobs`` loky worker processes when jobs > 1."""
    if jobs <= 1 or len(args) <= 1:
        return [fn(*a) for a in args]
    import joblib
    return joblib.Parallel(n_jobs=jobs, backend="loky", batch_size=1)(joblib.delayed(fn)(*a) for a in args)


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
def uniform_scenario(name: str, *, years: int, size_km: float = 100.0, cell_km: float = 2.5,
                     gazelle: float = 0.0, saiga: float = 0.0, lions: float = 0.0,
                     fenced: bool = True, releases: Sequence[dict] = (), cheetah: dict | None = None,
                     rules: dict | None = None, ceiling: int | None = None,
                     environment: dict | None = None, prey: dict | None = None) -> Scenario:
    """A scenario on the ``uniform`` preset: a size_km x size_km square (fenced all round unless
    ``fenced`` is False), prey at capacity [animals/km²] and no poaching, no people, no roads, no
    year-to-year variation or catastrophes (unless ``environment`` says otherwise)."""
    area = size_km * size_km
    prey_spec = {"saiga": {"initial_total": saiga * area, "poaching_per_year": 0.0},
                 "gazelle": {"initial_total": gazelle * area, "poaching_per_year": 0.0},
                 "urial": {"initial_total": 0.0, "poaching_per_year": 0.0}}
    for sp, over in (prey or {}).items():
        prey_spec[sp] = {**prey_spec[sp], **over}
    return Scenario(
        name=name, years=years, replicates=1, ceiling=ceiling,
        landscape={"preset": "uniform", "cell_km": cell_km, "width_km": size_km, "height_km": size_km,
                   "fenced": fenced, "saiga_density": saiga, "gazelle_density": gazelle,
                   "urial_density": 0.0, "lion_density": lions, "human_value": 0.0},
        prey=prey_spec, cheetah=cheetah or {}, environment={**QUIET_ENVIRONMENT, **(environment or {})},
        releases=[{"site": "centre", "source": "wild", "method": "hard", **r} for r in releases],
        rules=rules or {}, output={"occupancy": False})


def demography_only(cheetah: dict | None = None, *, name: str, years: int, releases: Sequence[dict],
                    lions: float = 0.0) -> Scenario:
    """The demography-only case of sim.demography: unlimited food (``ceiling`` rule without a
    ceiling), a mate always available, no variation, catastrophes, people, roads, release losses
    or inbreeding depression; a constant competitor (lion) density [animals/km²] adds cub predation."""
    ch = {"release_survival_wild": 1.0, "lethal_equivalents": 0.0, **(cheetah or {})}
    return uniform_scenario(name, years=years, size_km=100.0, gazelle=0.0, lions=lions,
                            releases=releases, cheetah=ch,
                            rules={"density": "ceiling", "mate_finding": "always",
                                   "movement": "correlated_walk"})


def field_scenario(name: str, *, years: int, lions: float, prey_density: float = FIELD_PREY_DENSITY,
                   size_km: float = 150.0, females: int = 15, males: int = 15) -> Scenario:
    """A resident cheetah population on a fenced uniform map: prey at ``prey_density`` (gazelle-sized,
    prey-limited rules), competitors (lions) at ``lions`` /km², no people or roads, the default
    year-to-year variation but no Ustyurt catastrophes; founders without release losses (they
    stand for an established population)."""
    return uniform_scenario(
        name, years=years, size_km=size_km, gazelle=prey_density, lions=lions,
        releases=[{"year": 1, "month": 1, "females": females, "males": males, "age_months": 36}],
        cheetah={"release_survival_wild": 1.0},
        environment={"ev_survival_sd": EnvironmentParams().ev_survival_sd,
                     "ev_capacity_sd": EnvironmentParams().ev_capacity_sd})


def baseline_scenario() -> Scenario:
    """The resolved scenario of scenarios/baseline.yaml (the default Ustyurt scenario)."""
    from ..config.loading import load_scenarios
    return [s for s, _ in load_scenarios([REPO / "scenarios" / "baseline.yaml"])][0]


def landscape_of(sc: Scenario):
    """The landscape of a scenario, built from its spec (presets resolved against the repository)."""
    from ..world.build import build_landscape
    return build_landscape(sc.landscape, REPO)


def walk_model(land, max_step_cells: int, persistence: float):
    """The parts of a model that sim.walk.walk and the movement rules read, for walkers moved
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


def colour(i: int) -> str:
    """The i-th colour of the Okabe–Ito palette (cycling)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


# ============================================================================ provenance
def _git() -> str:
    """The short commit id of the repository, with " with uncommitted changes" if tracked files
    other than the validation report and its figures differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)docs/validation.md", ":(exclude)docs/figures/validation"],
                               cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    if not head:
        return "unknown (not a git checkout)"
    return head + (" with uncommitted changes" if dirty else "")
