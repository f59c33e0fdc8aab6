"""How the cheetah population is limited: by its prey (food from the prey fields, starvation,
home ranges sized by prey) or by a Vortex-style ceiling (food unlimited; each December random
animals die until N is at most the scenario's ``ceiling``, :func:`sim.model.month.ceiling`)."""

from __future__ import annotations

from ..registry import DensityRule, register


@register("density", "prey_limited")
def prey_limited(model) -> DensityRule:
    return DensityRule("prey_limited", uses_prey=True, ceiling=False)


@register("density", "ceiling")
def ceiling(model) -> DensityRule:
    """Vortex-style ceiling: food unlimited; each December, if N exceeds the scenario's ``ceiling``,
    randomly chosen animals die until N equals it (none if ``ceiling`` is unset)."""
    return DensityRule("ceiling", uses_prey=False, ceiling=True)
