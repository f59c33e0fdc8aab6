"""Rules that researchers can swap: their kinds, signatures, and the registry that names them.

A scenario picks rules by name (``rules: {movement: correlated_walk}``); a researcher adds a rule
in their own file and selects it without touching ``sim/``::

    # my_rules.py
    import numpy as np
    from sim.registry import register

    @register("movement", "northward_walk")
    def northward_walk(model, rows, cols, headings, step_cells, rng):
        return np.zeros(len(rows), dtype=np.int64)       # always heading 0 = north

    @register("hazard", "snakebite")
    def snakebite(ctx, animals):
        # monthly hazard of each animal [per month]; parameters from the scenario's plugin_params
        return np.where(animals.is_cub, ctx.plugin_params.get("snakebite_per_month", 0.01), 0.0)

    $ python run_scenarios.py run my_scenario.yaml --plugin my_rules.py

(a hazard also has to be listed in the scenario, ``rules: {hazards: [..., snakebite]}``; deaths
by it are counted in the census column ``deaths_snakebite``). Plugin rules are plain numpy; none
needs numba. This module imports nothing from ``sim``: the built-in rules live with their process
in :mod:`sim.life` and register themselves when it is imported.

Each kind's signature is a :class:`typing.Protocol` below; arrays are over the animals or hunting
units concerned, one row each.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np


class Movement(Protocol):
    """Heading (0..7: N, NE, E, SE, S, SW, W, NW) of each walker's next jump. ``step_cells``: the
    jump length [cells]; the walk engine (:mod:`sim.life.movement`) makes the jump, refuses
    fence edges and the map edge and counts road crossings."""

    def __call__(self, model: Any, rows: np.ndarray, cols: np.ndarray, headings: np.ndarray,
                 step_cells: np.ndarray, rng: np.random.Generator) -> np.ndarray: ...


class Settlement(Protocol):
    """Whether each walker may settle where it stands, from three tests computed by
    :mod:`sim.life.ranges` (habitat suitable, prey enough for a range, room: no same-sex resident
    in the way and, for a male, a resident female within ``male_settle_near_female_km``); bool
    arrays in, bool array out. A rule function may carry ``follows_prey = False`` so residents keep
    their ranges whatever the prey does (``space_only``)."""

    def __call__(self, model: Any, habitat_ok: np.ndarray, prey_ok: np.ndarray,
                 space_ok: np.ndarray) -> np.ndarray: ...


class FunctionalResponse(Protocol):
    """Expected kills per day [kills/day], shape (units, species), from the prey density each
    unit hunts in [animals/km²] (units, species), its attack rate [km²/day] (units, species) and
    its handling time [days per kill] (units, species)."""

    def __call__(self, density: np.ndarray, attack: np.ndarray, handling_days: np.ndarray) -> np.ndarray: ...


class MateFinding(Protocol):
    """For each available female, the index into ``males`` of her mate, -1 if she finds none, or
    -2 for an unrelated immigrant sire (theory checks). ``females`` and ``males`` are row arrays
    of :class:`sim.cheetahs.Cheetahs`."""

    def __call__(self, model: Any, females: np.ndarray, males: np.ndarray) -> np.ndarray: ...


class Hazard(Protocol):
    """Monthly mortality hazard of each animal [per month] (0 = none; ``inf`` = certain death)
    for one cause of death. ``animals`` is a :class:`sim.life.mortality.Animals` view (arrays of
    the living animals); ``ctx`` the model (parameters, landscape, year effects)."""

    def __call__(self, ctx: Any, animals: Any) -> np.ndarray: ...


class FoodSource(Protocol):
    """Food each hunting unit gets this month from one source [kg eaten], shape (units,). The
    units are given by their leaders' rows (of :class:`sim.cheetahs.Cheetahs`), with each unit's
    food need this month [kg] and its remaining want [kg]: need plus reserve deficit, less what
    the sources listed before this one gave. Sources are listed in the scenario's
    ``rules.food_sources`` and tried in that order."""

    def __call__(self, ctx: Any, leaders: np.ndarray, need_kg: np.ndarray, want_kg: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class DensityRule:
    """How numbers are limited. ``uses_prey``: food comes from the prey fields (kills removed,
    starvation possible, home ranges sized by prey); ``ceiling``: truncate to a carrying capacity
    each December (Vortex)."""

    name: str
    uses_prey: bool
    ceiling: bool


class Density(Protocol):
    def __call__(self, model: Any) -> DensityRule: ...


#: The kinds of rule, with the Protocol each rule of the kind satisfies.
KINDS: dict[str, type] = {
    "movement": Movement,
    "settlement": Settlement,
    "functional_response": FunctionalResponse,
    "mate_finding": MateFinding,
    "hazard": Hazard,
    "food_source": FoodSource,
    "density": Density,
}
_REGISTRY: dict[str, dict[str, Callable]] = {k: {} for k in KINDS}

# Headings 0..7 clockwise from north, as (d_row, d_col); row grows southwards.
DIRECTIONS = np.array([(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)],
                      dtype=np.int64)


def register(kind: str, name: str) -> Callable[[Callable], Callable]:
    """Decorator: make ``fn`` available as rule ``name`` of ``kind`` (a later registration of the
    same name replaces the earlier one)."""
    if kind not in _REGISTRY:
        raise ValueError(f"unknown rule kind {kind!r}; kinds: {', '.join(KINDS)}")

    def deco(fn: Callable) -> Callable:
        _REGISTRY[kind][name] = fn
        return fn

    return deco


def get(kind: str, name: str) -> Callable:
    try:
        return _REGISTRY[kind][name]
    except KeyError:
        raise KeyError(f"no {kind} rule named {name!r}; available: {', '.join(available(kind))}") from None


def available(kind: str) -> list[str]:
    return sorted(_REGISTRY[kind])


def is_builtin(kind: str, name: str) -> bool:
    """Whether the rule ships with the simulator (defined in a module of ``sim``)."""
    return getattr(get(kind, name), "__module__", "").startswith("sim.")


def load_plugin(path: str | Path) -> None:
    """Import a user's rule file by its path (it registers its rules on import). The file is
    loaded once per process; nothing is imported from the working directory."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"plugin file not found: {path}")
    mod_name = f"sim_plugin_{abs(hash(str(path)))}"
    if mod_name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
