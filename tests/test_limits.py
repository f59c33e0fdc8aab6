"""Resource limits that fail a replicate cleanly instead of exhausting memory."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.factories import uniform_reserve
from sim.model.model import ReintroductionModel
from sim.model.month import PopulationCapReached
from sim.runs.batch import run_batch
from sim.world.build import build_landscape


def unlimited(max_cheetahs: int, **kw):
    """Food unlimited and no ceiling: the population only grows."""
    sc = uniform_reserve("unlimited", years=6, size_km=50, gazelle=1.0, releases=[{"females": 8, "males": 8}],
                         rules={"density": "ceiling", "mate_finding": "anywhere"}, **kw)
    return sc.model_copy(update={"max_cheetahs": max_cheetahs})


def test_a_population_past_max_cheetahs_stops_the_replicate_with_its_cause():
    sc = unlimited(20)
    m = ReintroductionModel(sc, build_landscape(sc.landscape), rng=np.random.default_rng(1))
    with pytest.raises(PopulationCapReached, match=r"living cheetahs in year \d+, month \d+ exceed max_cheetahs \(20\)"):
        for _ in range(sc.years * 12):
            m.step()
    assert len(m.cheetahs) > 20


def test_the_batch_records_the_capped_replicate_as_a_failure_and_goes_on(tmp_path):
    sc = unlimited(20, replicates=2)
    result = run_batch([sc], tmp_path / "out", jobs=1)
    assert result.n_failed == 2
    text = (tmp_path / "out" / "failures.csv").read_text()
    assert "PopulationCapReached" in text and "raise max_cheetahs" in text


def test_max_cheetahs_has_limits():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        unlimited(10).model_validate({**unlimited(10).model_dump(), "max_cheetahs": 50_000})
