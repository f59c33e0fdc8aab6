"""What a finished batch hands back: where its files are, how many replicates ran, which failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Failure(NamedTuple):
    """A replicate that raised. Its seed is ``SeedSequence(seed_entropy, spawn_key=spawn_key)``;
    ``message`` holds the traceback."""

    scenario: str
    replicate: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    message: str


@dataclass
class BatchResult:
    """Where a finished batch wrote its files, and how many replicates ran.

    ``failures``: every replicate that raised (left out of the statistics), also written to
    ``failures_path`` (failures.csv; None when nothing failed). ``seconds``: wall time of this
    run (s).
    """

    out_dir: Path
    summary_path: Path
    by_year_path: Path
    n_done: int
    n_failed: int
    failures: list[Failure] = field(default_factory=list)
    replicates_path: Path | None = None
    seconds: float = 0.0
    failures_path: Path | None = None

    def failure_report(self, limit: int = 5) -> str:
        """For the console: how many replicates failed, the file with the details, and the
        first ``limit`` failures (scenario, replicate index, seed, error); '' if none failed."""
        if not self.failures:
            return ""
        lines = [f"{self.n_failed} replicate(s) failed; the scenario, replicate, seed and traceback "
                 f"of each are in {self.failures_path}"]
        for f in self.failures[:limit]:
            lines.append(f"  {f.scenario} replicate {f.replicate} (seed entropy {f.seed_entropy}, "
                         f"spawn key {' '.join(map(str, f.spawn_key))}): {last_line(f.message)}")
        if len(self.failures) > limit:
            lines.append(f"  ... and {len(self.failures) - limit} more")
        return "\n".join(lines)


def last_line(message: str) -> str:
    """The last line of a traceback: the exception and its message."""
    return message.strip().splitlines()[-1] if message.strip() else ""
