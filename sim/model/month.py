"""The monthly schedule (MODEL.md §3): one screen, month gates included.

Each process is a function of the model in :mod:`sim.life` (or :mod:`sim.management`,
:mod:`sim.model.observe`); births and deaths are applied within the process that causes them.
"""

from __future__ import annotations

from typing import Any, Callable

from ..life import development, environment, hunting, mortality, movement, reproduction
from ..management import apply_due
from . import invariants, observe

PHASES = ("year_start", "management", "prey", "movement", "hunting", "mortality", "reproduction",
          "ageing", "census")


def step(m: Any, timer: Callable | None = None) -> None:
    """One month of model ``m``. ``timer(name, fn, m)``: run and time each phase (benchmark)."""
    run = timer or (lambda name, fn, *a: fn(*a))
    run("year_start", year_start, m)
    run("management", apply_due, m)                             # releases, fences, reserves ...
    run("prey", prey_month, m)
    run("movement", movement.move, m)                           # abandon ranges, walk, settle
    run("hunting", hunting.hunt_and_eat, m)                     # kills, sharing, body condition
    run("mortality", mortality.month, m)
    run("reproduction", reproduction.month, m)                  # births, then conceptions
    run("ageing", development.month, m)                         # ageing, independence, coalitions
    run("census", observe_month, m)
    if m.debug_checks:
        invariants.check_month(m)
    if len(m.cheetahs) > m.spec.max_cheetahs:
        raise PopulationCapReached(
            f"{len(m.cheetahs):,} living cheetahs in year {m.year}, month {m.month + 1} exceed max_cheetahs "
            f"({m.spec.max_cheetahs:,}): the kinship matrix grows with the square of the living animals. "
            "Limit the population (rules.density: ceiling with a ceiling, or less prey) or raise max_cheetahs "
            "(at most 20,000, ~3.2 GiB per worker)")


class PopulationCapReached(RuntimeError):
    """A replicate's population passed the scenario's ``max_cheetahs`` (the replicate fails cleanly)."""


def year_start(m: Any) -> None:
    if m.month == 0:                                            # January: the year's environment
        environment.start_year(m)


def prey_month(m: Any) -> None:
    env = m.spec.environment
    if m.die_off and m.month == env.die_off_month:
        environment.saiga_die_off(m)
    m.prey.step(m.month, enforcement=m.enforcement, capacity_multiplier=m.capacity_multiplier)


def observe_month(m: Any) -> None:
    if m.spec.output.occupancy:
        observe.record_occupancy(m)
    if m.month == 11:                                           # December: ceiling, then census
        if m.density.ceiling and m.spec.ceiling is not None:
            ceiling(m, m.spec.ceiling)
        observe.take_census(m)
        observe.notify(m.observers, "on_census", m, m.year)
        m.reset_year()


def ceiling(m: Any, K: int) -> None:
    """Vortex-style ceiling: random animals die ("ceiling") until N is at most K."""
    excess = len(m.cheetahs) - K
    if excess > 0:
        m.kill(m.rng.choice(len(m.cheetahs), size=excess, replace=False), ["ceiling"] * excess)
