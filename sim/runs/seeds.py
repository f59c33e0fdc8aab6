"""Seeds and chunks of a batch: which random numbers each replicate gets, and how a scenario's
replicates are cut into work units.

Replicate ``i`` of scenario ``s`` always gets
``SeedSequence(entropy=root, spawn_key=(crc32(s.name), i))``, with ``root`` the batch's root seed
or the scenario's own ``seed``: a scenario's results do not depend on the other scenarios in the
batch, on the number of workers, on the backend, on the chunking or on resuming.
"""

from __future__ import annotations

import math
import zlib

import numpy as np


def scenario_key(name: str) -> int:
    """The scenario's part of every spawn key: CRC-32 of its name (stable across runs/Pythons)."""
    return zlib.crc32(name.encode("utf-8"))


#: The first spawn-key element of replicates under common random numbers: above every CRC-32, so
#: it never equals a scenario's key.
PAIRED_KEY = 2 ** 32


def replicate_seed(root: int, scenario_name: str, replicate: int, paired: bool = False) -> np.random.SeedSequence:
    """The seed of one replicate; depends only on (root, scenario name, replicate index), or with
    ``paired`` (the scenario's ``common_random_numbers``) on (root, replicate index) alone."""
    first = PAIRED_KEY if paired else scenario_key(scenario_name)
    return np.random.SeedSequence(entropy=int(root), spawn_key=(first, int(replicate)))



def chunk_plan(replicates: int, chunk_size: int) -> list[tuple[int, int]]:
    """Replicate ranges ``(first, last)`` (inclusive, 0-based) of a scenario's chunks."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    return [(a, min(a + chunk_size, replicates) - 1) for a in range(0, replicates, chunk_size)]


def default_chunk_size(total_replicates: int, workers: int) -> int:
    """10-50 replicates per chunk, aiming at >= 4 chunks per worker so that slow chunks at the end
    do not leave workers idle, while keeping per-chunk overhead (a file, a task) small."""
    per = math.ceil(total_replicates / max(1, 4 * workers))
    return int(min(50, max(10, per)))
