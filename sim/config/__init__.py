"""Scenario configuration: the typed scenario, its parameters, and reading and checking YAML files.

Modules: :mod:`~sim.config.params` (every model parameter with unit, range and source),
:mod:`~sim.config.schema` (the :class:`Scenario` the model reads), :mod:`~sim.config.loading`
(YAML files, ``extends``), :mod:`~sim.config.sweep` (``sweep`` families),
:mod:`~sim.config.messages` (validation errors as sentences), :mod:`~sim.config.file_schema`
(file-level keys, JSON Schema of a file), :mod:`~sim.config.errors` (:class:`ScenarioError`) and
:mod:`~sim.config.factories` (scenarios built in code for tests, validation and benchmarks).
Checks that need the built landscape and the rule registry (``check`` means ``run`` will work)
are in :mod:`sim.model.checks`.
"""

from .errors import ScenarioError
from .factories import QUIET_ENVIRONMENT, uniform_reserve
from .loading import load_scenarios
from .params import (CheetahParams, EnvironmentParams, GazelleParams, ManagementBaseline, PreyParams,
                     PreySpeciesParams, SaigaParams, UrialParams)
from .schema import LandscapeSpec, Scenario

__all__ = ["Scenario", "LandscapeSpec", "load_scenarios", "ScenarioError", "uniform_reserve",
           "QUIET_ENVIRONMENT", "CheetahParams", "PreyParams", "PreySpeciesParams", "SaigaParams",
           "GazelleParams", "UrialParams", "EnvironmentParams", "ManagementBaseline"]
