"""Same seed, same results: independent of BLAS threads (no BLAS call on the model's path), and
the same whether the model is run from the command line or imported as a library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import json, sys
import numpy as np
from sim.config.schema import Scenario
from sim.model import run_replicate
sc = Scenario(name="blas", years=3, releases=[dict(year=1, month=10, site="ustyurt_reserve", females=10,
              males=10, age_months=30)])
res = run_replicate(sc, np.random.SeedSequence(7, spawn_key=(3,)))
json.dump({k: np.asarray(v).tolist() for k, v in res.census.items()}, sys.stdout)
"""


def _census(threads: int) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, "-c", RUN], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600, check=True)
    return json.loads(out.stdout)


def test_one_replicate_is_the_same_under_one_and_two_blas_threads():
    """The default Ustyurt map's prey grid has more than 10,000 cells, where OpenBLAS splits a
    dot product over threads: a BLAS call on the model's path would change the last bits."""
    one, two = _census(1), _census(2)
    assert one.keys() == two.keys()
    for k in one:
        assert np.array_equal(np.array(one[k], dtype=float), np.array(two[k], dtype=float), equal_nan=True), k
