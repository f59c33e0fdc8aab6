"""One replicate stepped month by month for the browser view, and what its side panel reads.

The view shows replicate 0 of a ``run`` with root seed ``--seed`` (default: the scenario's
``seed``): its seed is :func:`sim.runs.seeds.replicate_seed` ``(seed, name, 0)`` and the model is
built by :func:`sim.model.model.replicate_model`, as a headless run builds it. The view observes
the model through :class:`sim.viz.tally.Tally` and reads its arrays; it draws no random numbers
of its own, so month ``t`` in the browser is month ``t`` of the headless replicate.

The sliders of the view (founders, search path, enforcement) change three keys of the scenario
(:class:`Settings`, :func:`scenario_with`) and rebuild the replicate from month 0 with the same
seed. Nothing here imports Solara: the readouts are tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import ValidationError

from ..config.messages import describe_error
from ..config.params import SPECIES
from ..config.schema import Scenario
from ..config.sweep import set_key
from ..model.model import replicate_model
from ..model.month import PopulationCapReached
from ..model.observe import life_stages
from ..model.results import STAGES
from ..runs.seeds import replicate_seed
from .tally import Tally

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")

#: The keys the sliders set: founders of the first release (females and males, the release's
#: sex ratio kept), the daily search path [km/day] that sets a hunting unit's search area (path x
#: twice the prey's detection radius), and the enforcement of protected areas (0-1).
SEARCH_KEY = "cheetah.search_path_km_per_day"
ENFORCEMENT_KEY = "management.enforcement"


@dataclass(frozen=True)
class Settings:
    """The slider values: ``founders`` (None when the scenario releases nobody),
    ``search_km_per_day`` [km/day], ``enforcement`` (0-1)."""

    founders: int | None
    search_km_per_day: float
    enforcement: float


def settings_of(scenario: Scenario) -> Settings:
    """The slider values the scenario has as written."""
    rel = scenario.releases
    return Settings(founders=rel[0].females + rel[0].males if rel else None,
                    search_km_per_day=float(scenario.cheetah.search_path_km_per_day),
                    enforcement=float(scenario.management.enforcement))


def scenario_with(scenario: Scenario, settings: Settings) -> Scenario:
    """``scenario`` with the slider values set and validated: the first release gets
    ``founders`` animals split by its own sex ratio (half and half if it had none).
    ValueError with the validation message if the values are not allowed."""
    data = scenario.model_dump()
    if settings.founders is not None and scenario.releases:
        first = scenario.releases[0]
        n = int(settings.founders)
        share = first.females / (first.females + first.males) if first.females + first.males else 0.5
        females = int(round(n * share))
        set_key(data, "releases.0.females", females)
        set_key(data, "releases.0.males", n - females)
    set_key(data, SEARCH_KEY, float(settings.search_km_per_day))
    set_key(data, ENFORCEMENT_KEY, float(settings.enforcement))
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ValueError("; ".join(describe_error(err, data) for err in e.errors(include_url=False))) from None


def view_seed(scenario: Scenario, root_seed: int):
    """The seed of the replicate the view shows: replicate 0 of a run with root seed ``root_seed``."""
    return replicate_seed(root_seed, scenario.name, 0, paired=scenario.common_random_numbers)


@dataclass(frozen=True)
class Readout:
    """What the side panel shows after ``t`` months (0 = nothing simulated yet).

    ``by_stage``: stage -> (females, males) living now (stages of
    :data:`sim.model.results.STAGES`); ``births``: cubs born so far; ``deaths``: cause -> deaths
    so far (causes with at least one death, most first); ``prey``: species -> animals on the map."""

    t: int
    horizon: int
    N: int
    by_stage: dict[str, tuple[int, int]]
    births: int
    deaths: dict[str, int]
    prey: dict[str, float]
    error: str | None = None

    @property
    def when(self) -> str:
        """The last simulated month in words, e.g. 'year 1, December'."""
        if self.t == 0:
            return "start (before January of year 1)"
        return f"year {(self.t - 1) // 12 + 1}, {MONTH_NAMES[(self.t - 1) % 12]}"


@dataclass
class Replicate:
    """Replicate 0 of ``scenario`` with root seed ``root_seed`` on ``landscape``, at month 0.
    :meth:`step` advances it; ``history`` holds N by stage after every month (row t: month t,
    columns :data:`STAGES`)."""

    scenario: Scenario
    landscape: object
    root_seed: int
    tally: Tally = field(default_factory=Tally)

    def __post_init__(self) -> None:
        self.model, _ = replicate_model(self.scenario, self.landscape, view_seed(self.scenario, self.root_seed),
                                        observers=[self.tally])
        self.horizon = self.scenario.years * 12
        self.error: str | None = None
        self.history: list[np.ndarray] = [self.stage_counts()]

    @property
    def t(self) -> int:
        """Months simulated (the model's month index of the next month)."""
        return self.model.t

    @property
    def done(self) -> bool:
        """True at the scenario's horizon, or after the model refused to go on."""
        return self.t >= self.horizon or self.error is not None

    def step(self, months: int = 1) -> int:
        """Simulate up to ``months`` months (fewer at the horizon); returns how many."""
        for i in range(months):
            if self.done:
                return i
            try:
                self.model.step()
            except PopulationCapReached as e:
                self.error = str(e)
                return i
            self.history.append(self.stage_counts())
        return months

    def stages(self) -> np.ndarray:
        """Each living animal's stage index (:func:`sim.model.observe.life_stages`)."""
        return life_stages(self.model.cheetahs, self.model.params.adult_months)

    def stage_counts(self) -> np.ndarray:
        """Living animals in each stage of :data:`STAGES`."""
        return np.bincount(self.stages(), minlength=len(STAGES)).astype(np.int64)

    def readout(self) -> Readout:
        pop = self.model.cheetahs
        stage = self.stages()
        male = pop.male
        by_stage = {st: (int(np.count_nonzero((stage == k) & ~male)), int(np.count_nonzero((stage == k) & male)))
                    for k, st in enumerate(STAGES)}
        totals = self.model.prey.totals()
        return Readout(t=self.t, horizon=self.horizon, N=len(pop), by_stage=by_stage, births=self.tally.births,
                       deaths=dict(self.tally.deaths.most_common()),
                       prey={name: float(totals[k]) for k, name in enumerate(SPECIES)}, error=self.error)
