"""Test-session settings: single-threaded BLAS (threaded BLAS thrashes on this 2-core machine when
tests run beside other processes; results do not depend on it), and the model's debug mode
(SIM_CHECKS=1: invariants asserted every month, sim.model.invariants; workers inherit it)."""
import os

os.environ.setdefault("SIM_CHECKS", "1")

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
