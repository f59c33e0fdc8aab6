"""The model: one replicate of one scenario (:class:`ReintroductionModel`), its monthly schedule
(:mod:`sim.model.month`), observation (:mod:`sim.model.observe`) and results."""

from .model import ReintroductionModel, run_replicate
from .results import CENSUS_COLUMNS, DEATH_CAUSES, ReplicateResult

__all__ = ["CENSUS_COLUMNS", "DEATH_CAUSES", "ReintroductionModel", "ReplicateResult", "run_replicate"]
