"""Test-session settings: single-threaded BLAS (threaded BLAS thrashes on this 2-core machine when
tests run beside other processes; results do not depend on it)."""
import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
