"""Swappable behavioural rules, looked up by name.

A scenario picks rules by name (``rules: {movement: correlated_walk}``); a researcher adds one in
their own file and selects it without touching ``sim/``::

    # my_rules.py
    import numpy as np
    from sim.rules import register

    @register("movement", "northward_walk")
    def northward_walk(model, rows, cols, headings, step_cells, rng):
        return np.zeros(len(rows), dtype=np.int64)       # always heading 0 = north

    $ python run_scenarios.py run my_scenario.yaml --plugin my_rules.py

Kinds and signatures (arrays are over the cheetahs or groups concerned, one row each):

``movement(model, rows, cols, headings, step_cells, rng) -> directions``
    Pick the heading (0..7: N, NE, E, SE, S, SW, W, NW) of each walker's next jump.
    ``step_cells`` is the jump length in cells. The walk engine (:mod:`sim.walk`) does the jump,
    refuses barrier edges and the map edge, and counts road crossings.
``density(model) -> DensityRule``
    How the cheetah population is limited: ``prey_limited`` (food from the prey fields, starvation,
    home ranges sized by prey) or ``ceiling`` (Vortex-style carrying capacity; unlimited food).
``mate_finding(model, females, males) -> sires``
    For each available female, the index into ``males`` of her mate or -1.
``functional_response(density_per_km2, attack_km2_per_day, handling_days) -> kills_per_day``
    Expected kills per day per prey species for each hunting group.
``settlement(model, walkers_info) -> ok``
    Whether each walker may settle where it stands (see :func:`prey_and_space`).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

KINDS = ("movement", "density", "mate_finding", "functional_response", "settlement")
_REGISTRY: dict[str, dict[str, Callable]] = {k: {} for k in KINDS}

# Headings 0..7 clockwise from north, as (d_row, d_col); row grows southwards.
DIRECTIONS = np.array([(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)],
                      dtype=np.int64)


def register(kind: str, name: str) -> Callable[[Callable], Callable]:
    """Decorator: make ``fn`` available as rule ``name`` of ``kind``."""
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


def load_plugin(path: str | Path) -> None:
    """Import a user's rule file (it registers its rules on import)."""
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


# ------------------------------------------------------------------------------------ movement
def _jump_targets(model, rows, cols, step_cells):
    """Target cells (n, 8, 2) of a jump in each heading, clipped to the map."""
    tr = rows[:, None] + DIRECTIONS[None, :, 0] * step_cells[:, None]
    tc = cols[:, None] + DIRECTIONS[None, :, 1] * step_cells[:, None]
    land = model.landscape
    return np.minimum(np.maximum(tr, 0), land.rows - 1), np.minimum(np.maximum(tc, 0), land.cols - 1)


@register("movement", "habitat_walk")
def habitat_walk(model, rows, cols, headings, step_cells, rng):
    """Habitat-biased walk: heading chosen with weight habitat(destination)^bias."""
    tr, tc = _jump_targets(model, rows, cols, step_cells)
    w = model.landscape.habitat[tr, tc] ** model.params.walk_habitat_bias + 1e-6
    cum = np.cumsum(w, axis=1)
    u = rng.random(len(rows)) * cum[:, -1]
    return (cum < u[:, None]).sum(axis=1)


@register("movement", "correlated_walk")
def correlated_walk(model, rows, cols, headings, step_cells, rng):
    """Correlated random walk: keep the heading with probability walk_persistence, else turn to a
    uniformly random heading (habitat ignored)."""
    keep = rng.random(len(rows)) < model.params.walk_persistence
    new = rng.integers(0, 8, size=len(rows))
    return np.where(keep & (headings >= 0), headings, new)


# ------------------------------------------------------------------------------------ density
@dataclass(frozen=True)
class DensityRule:
    """How numbers are limited. ``uses_prey``: food comes from the prey fields (kills removed,
    starvation possible, home ranges sized by prey); ``ceiling``: truncate to a carrying capacity."""

    name: str
    uses_prey: bool
    ceiling: bool


@register("density", "prey_limited")
def prey_limited(model) -> DensityRule:
    return DensityRule("prey_limited", uses_prey=True, ceiling=False)


@register("density", "ceiling")
def ceiling(model) -> DensityRule:
    """Vortex-style ceiling: food unlimited; each December, if N exceeds the scenario's ``ceiling``,
    randomly chosen animals die until N equals it (none if ``ceiling`` is unset)."""
    return DensityRule("ceiling", uses_prey=False, ceiling=True)


# ------------------------------------------------------------------------------------ mates
@register("mate_finding", "search_radius")
def search_radius(model, females, males):
    """A female finds a random breeding male whose position lies within mate_search_km."""
    if len(males) == 0 or len(females) == 0:
        return np.full(len(females), -1, dtype=np.int64)
    fr, fc = model.positions(females)
    mr, mc = model.positions(males)
    d2 = ((fr[:, None] - mr[None, :]) ** 2 + (fc[:, None] - mc[None, :]) ** 2) * model.landscape.cell_area_km2
    ok = d2 <= model.params.mate_search_km ** 2
    return _random_true_index(ok, model.rng)


@register("mate_finding", "anywhere")
def anywhere(model, females, males):
    """Any breeding male alive anywhere will do (no Allee effect from distance)."""
    ok = np.ones((len(females), len(males)), dtype=bool)
    if len(males) == 0:
        return np.full(len(females), -1, dtype=np.int64)
    return _random_true_index(ok, model.rng)


@register("mate_finding", "always")
def always(model, females, males):
    """Theory checks: like ``anywhere``, and if no male is alive an unrelated immigrant sire is
    assumed (index -2), so reproduction never waits for males (a female-only model)."""
    if len(males) == 0:
        return np.full(len(females), -2, dtype=np.int64)
    return anywhere(model, females, males)


def _random_true_index(ok: np.ndarray, rng) -> np.ndarray:
    """For each row, the column of a uniformly chosen True entry, or -1 if none."""
    score = np.where(ok, rng.random(ok.shape), -1.0)
    idx = score.argmax(axis=1)
    return np.where(ok.any(axis=1), idx, -1)


# ------------------------------------------------------------------------------------ functional response
@register("functional_response", "type2")
def type2(density, attack, handling_days):
    """Multi-species Holling type II: k_i = a_i D_i / (1 + Σ_j a_j h D_j) kills/day.

    ``density`` (n, s) animals/km²; ``attack`` (n, s) or (s,) km²/day; ``handling_days`` (n,) or scalar.
    """
    ad = attack * density
    h = np.asarray(handling_days, dtype=float)
    if h.ndim == 1:
        h = h[:, None]
    return ad / (1.0 + (ad * h).sum(axis=-1, keepdims=True))


@register("functional_response", "type3")
def type3(density, attack, handling_days):
    """Multi-species Holling type III (sigmoid): attack rate rises with density, a_i D_i²/D_half,
    with D_half = 1 animal/km² (assumption), so rare prey is hardly hunted."""
    ad = attack * density * density
    h = np.asarray(handling_days, dtype=float)
    if h.ndim == 1:
        h = h[:, None]
    return ad / (1.0 + (ad * h).sum(axis=-1, keepdims=True))


# ------------------------------------------------------------------------------------ settlement
@register("settlement", "prey_and_space")
def prey_and_space(model, habitat_ok, prey_ok, space_ok):
    """Settle where habitat is suitable, prey can sustain a home range and no same-sex resident
    excludes it (all three must hold)."""
    return habitat_ok & prey_ok & space_ok


@register("settlement", "space_only")
def space_only(model, habitat_ok, prey_ok, space_ok):
    """Settle wherever habitat and territory allow, ignoring prey (e.g. fenced, fed reserves)."""
    return habitat_ok & space_ok
