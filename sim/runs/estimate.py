"""A rough estimate of a batch's run time and output size, shown before it starts; a batch above
the limits needs ``--yes`` (a typo such as ``replicates: 1000000`` would otherwise run for hours
and fill the disk before anyone notices).

The rates are measured on this project's default study (``make run``: 36 Ustyurt scenarios x 50
replicates x 50 years on the 2.5 km map, 2026-12-03, 2-core machine) and scale with replicates x
years and with the number of landscape cells; they are rough (a population that dies out early
costs less, one that grows costs more) and err on the high side for small maps.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: CPU seconds per replicate-year on the default Ustyurt map (42,728 cells of 2.5 km): 0.68 CPU s
#: per 50-year replicate (``make run`` from a fresh clone, 2026-12-03: 1,800 replicates in 10.5 min
#: on 2 cores, 20.4 CPU min).
CPU_S_PER_REPLICATE_YEAR = 0.014
#: Cells of the map the rate was measured on.
REFERENCE_CELLS = 42_728
#: Output bytes per replicate-year (chunk files ~280 B + replicates.csv.gz ~100 B, measured on a
#: 7-scenario x 10-replicate x 10-year run) and per scenario (occupancy map, figures: ~0.6 MB).
BYTES_PER_REPLICATE_YEAR = 380
BYTES_PER_SCENARIO = 600_000



@dataclass(frozen=True)
class Estimate:
    hours: float
    bytes: int
    jobs: int

    def text(self) -> str:
        t = f"{self.hours * 60:.0f} min" if self.hours < 1 else f"{self.hours:.1f} h"
        size = self.bytes / 1024 ** 2
        s = f"{size:.0f} MB" if size < 1024 else f"{size / 1024:.1f} GB"
        return f"roughly {t} on {self.jobs} job{'s' * (self.jobs != 1)} and {s} of output"

    def too_large(self) -> str | None:
        """Why the batch needs --yes, or None."""
        from ..limits import current
        limits, over = current(), []
        if self.hours > limits.hours:
            over.append(f"more than {limits.hours:g} hours")
        if self.bytes > limits.gb * 1024 ** 3:
            over.append(f"more than {limits.gb:g} GB")
        return " and ".join(over) or None


def estimate(scenarios, cells: list[int], jobs: int | None) -> Estimate:
    """The estimate for ``scenarios`` (each with ``replicates`` and ``years``) on maps of ``cells``
    landscape cells each, run on ``jobs`` workers (None: every core)."""
    n_jobs = max(1, jobs if jobs and jobs > 0 else (os.cpu_count() or 1))
    cpu = sum(s.replicates * s.years * CPU_S_PER_REPLICATE_YEAR * max(0.1, c / REFERENCE_CELLS)
              for s, c in zip(scenarios, cells))
    size = sum(s.replicates * s.years * BYTES_PER_REPLICATE_YEAR + BYTES_PER_SCENARIO for s in scenarios)
    return Estimate(hours=cpu / n_jobs / 3600.0, bytes=int(size), jobs=n_jobs)


__all__ = ["Estimate", "estimate"]
