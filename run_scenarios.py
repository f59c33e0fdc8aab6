"""Entry point: ``python run_scenarios.py run|check|schema|map|report ...`` (see sim/cli.py)."""
import os

# One BLAS/OpenMP thread per process: a batch runs one replicate per core, and the model's small
# dot products are several times slower when BLAS splits them over threads (bench/README.md).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from sim.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
