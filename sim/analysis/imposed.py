"""The mortality a scenario imposes on independent cheetahs and cubs, as mean rates for the
deterministic growth rate (Vortex's deterministic r includes the mean effect of catastrophes; a
PVA's det-r that ignores people, roads and competitors is the same for every option).

Means over the landscape are weighted by habitat suitability (where cheetahs live), on the
landscape and management values in force after the scenario's interventions:

* persecution: ``human_hazard_per_year`` x Σ w human (1 - protection x enforcement)(1 - patrol)
  x conflict factor [per year];
* roads: the share of habitat (weighted) within a typical home-range radius (the geometric mean of
  ``home_range_radius_min_km`` and ``_max_km``) of a road cell, x its mean crossing risk, x
  -ln(1 - road_crossing_mortality x road factor) x ``resident_road_crossings_per_month`` x 12;
* harsh winters: annual survival x (1 - harsh_winter_prob x (1 - harsh_winter_cheetah_survival));
* cub predation: the lion-equivalent competitor density Σ w (lions + wolves x
  cub_predation_per_wolf / cub_predation_per_lion + leopards x ... / ...) [animals/km²].

Starvation, inbreeding and release losses are not included (they depend on the run, not on fixed
rates), nor are climate trends (a trend has no single mean).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Imposed:
    """Mean imposed mortality: survival factor per year of independent animals, and the
    lion-equivalent competitor density for cub predation [animals/km²]."""

    survival_factor: float
    lion_equivalents: float


def imposed(cheetah, environment, land, *, enforcement: float, human_factor: float, road_factor: float) -> Imposed:
    """The mean imposed mortality of a scenario (see the module docstring)."""
    from scipy.ndimage import distance_transform_edt

    w = np.asarray(land.habitat, dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(w.shape, 1.0 / w.size)
    unprotected = (1.0 - land.protection * enforcement) * (1.0 - land.patrol)
    h_human = cheetah.human_hazard_per_year * float((w * land.human * unprotected).sum()) * human_factor
    h_road = 0.0
    road = np.asarray(land.road, dtype=bool)
    if road.any():
        radius = math.sqrt(cheetah.home_range_radius_min_km * cheetah.home_range_radius_max_km)
        near = distance_transform_edt(~road, sampling=land.cell_km) <= radius
        risk = float(np.asarray(land.road_risk)[road].mean())
        p = min(cheetah.road_crossing_mortality * road_factor, 1.0 - 1e-12)
        h_road = float((w * near).sum()) * risk * -math.log(1.0 - p) * cheetah.resident_road_crossings_per_month * 12
    winters = 1.0 - environment.harsh_winter_prob * (1.0 - environment.harsh_winter_cheetah_survival)
    c = land.competitors
    per_lion = cheetah.cub_predation_per_lion
    lion_eq = float((w * c["lion"]).sum())
    if per_lion > 0:
        lion_eq += float((w * c["wolf"]).sum()) * cheetah.cub_predation_per_wolf / per_lion
        lion_eq += float((w * c["leopard"]).sum()) * cheetah.cub_predation_per_leopard / per_lion
    return Imposed(survival_factor=math.exp(-h_human - h_road) * winters, lion_equivalents=lion_eq)


def with_imposed(cheetah, imp: Imposed):
    """Cheetah parameters whose independent annual survival rates carry the imposed mortality."""
    keys = ("subadult_survival_female", "subadult_survival_male", "adult_survival_female", "adult_survival_male")
    return cheetah.model_copy(update={k: min(1.0, getattr(cheetah, k) * imp.survival_factor) for k in keys})


__all__ = ["Imposed", "imposed", "with_imposed"]
