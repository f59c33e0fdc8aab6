"""Scenarios built in code rather than read from YAML: a uniform reserve for tests, validation and
benchmarks.

:func:`uniform_reserve` is the one factory; callers state only what their experiment changes.
Its defaults make a *quiet* scenario (:data:`QUIET_ENVIRONMENT`: no year-to-year variation, no
harsh winters or saiga die-offs), one replicate and no occupancy maps, so a check or test measures
the process it is about and nothing else.
"""

from __future__ import annotations

from typing import Sequence

from .schema import Scenario

#: Environment overrides that switch off year-to-year variation and catastrophes (harsh winters,
#: saiga die-offs); every other environment parameter keeps its default.
QUIET_ENVIRONMENT: dict[str, float] = {"ev_survival_sd": 0.0, "ev_capacity_sd": 0.0,
                                       "harsh_winter_prob": 0.0, "saiga_die_off_prob": 0.0}


def uniform_reserve(name: str, *, years: int, size_km: float = 100.0, cell_km: float = 2.5,
                    fenced: bool = True, gazelle: float = 0.0, saiga: float = 0.0,
                    lions: float = 0.0, wolves: float = 0.0, leopards: float = 0.0,
                    prey_at_capacity: bool = True,
                    prey_poaching: float | None = None, releases: Sequence[dict] = (),
                    ceiling: int | None = None, quiet: bool = True, replicates: int = 1,
                    occupancy: bool = False, landscape: dict | None = None, prey: dict | None = None,
                    cheetah: dict | None = None, environment: dict | None = None,
                    rules: dict | None = None, plugin_params: dict | None = None,
                    max_cheetahs: int | None = None) -> Scenario:
    """A scenario on the ``uniform`` preset: a ``size_km`` x ``size_km`` square of identical
    ``cell_km`` cells, fenced all round unless ``fenced`` is False (then walking off the edge is
    emigration), with no people, roads or urial.

    Prey: ``gazelle`` and ``saiga`` are carrying capacities [animals/km²]; with
    ``prey_at_capacity`` each species starts at density x size_km² animals, otherwise with none.
    ``prey_poaching``: annual fraction poached [per year] for every prey species (None: each
    species' default). ``lions``, ``wolves``, ``leopards``: competitor densities by kind
    [animals/km²] (``landscape.lion_density`` ...; the field checks' lion-level competitors are
    ``lions``). No small prey (``hare_density`` 0) unless ``landscape`` sets it.

    ``releases``: release entries (mappings as in YAML) at the ``centre`` site unless they name
    another site or a cell. ``ceiling``: cheetah ceiling [animals] for ``rules.density:
    ceiling``. ``quiet``: start from :data:`QUIET_ENVIRONMENT` (else the default environment).
    ``replicates``: the scenario's replicate count (callers that run replicates themselves ignore
    it); ``occupancy``: whether runs save per-cell occupancy counts.

    Overrides, applied last: ``landscape`` (keys of the landscape section), ``prey`` (per species:
    ``{"gazelle": {"r_max": 0.3}}``), ``cheetah``, ``environment`` (over the quiet or default
    one), ``rules`` and ``plugin_params`` (parameters of plugin rules); ``max_cheetahs`` (None:
    the scenario default) for experiments that let a population grow without limit.
    """
    area = size_km * size_km
    prey_spec: dict[str, dict] = {}
    for species, density in (("saiga", saiga), ("gazelle", gazelle), ("urial", 0.0)):
        prey_spec[species] = {"initial_total": density * area if prey_at_capacity else 0.0}
        if prey_poaching is not None:
            prey_spec[species]["poaching_per_year"] = prey_poaching
    for species, over in (prey or {}).items():
        prey_spec[species] = {**prey_spec.get(species, {}), **over}
    return Scenario(
        name=name, years=years, replicates=replicates, ceiling=ceiling,
        landscape={"preset": "uniform", "cell_km": cell_km, "width_km": size_km, "height_km": size_km,
                   "fenced": fenced, "saiga_density": saiga, "gazelle_density": gazelle,
                   "urial_density": 0.0, "lion_density": lions, "wolf_density": wolves,
                   "leopard_density": leopards, "human_value": 0.0,
                   **(landscape or {})},
        prey=prey_spec, cheetah=cheetah or {},
        environment={**(QUIET_ENVIRONMENT if quiet else {}), **(environment or {})},
        releases=[r if "cell" in r else {"site": "centre", **r} for r in releases],
        rules=rules or {}, output={"occupancy": occupancy}, plugin_params=plugin_params or {},
        **({} if max_cheetahs is None else {"max_cheetahs": max_cheetahs}))


__all__ = ["QUIET_ENVIRONMENT", "uniform_reserve"]
