"""What one replicate returns: the annual census and the occupancy map.

A :class:`ReplicateResult` is small (a few kB per 50 years) so that thousands stream through the
batch runner without memory growth. Column names are the public vocabulary of every output file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config.params import SPECIES

STAGES = ("cub", "subadult", "resident", "transient")
SEXES = ("f", "m")
DEATH_CAUSES = ("background", "senescence", "starvation", "human", "road", "predation",
                "post_release", "orphaned", "inbreeding", "harsh_winter", "ceiling", "emigrated", "other")
PREY_SPECIES = SPECIES          # the prey species (sim.config.params.SPECIES)

#: Annual census columns (one value per simulated year, recorded after December).
CENSUS_COLUMNS: tuple[str, ...] = (
    ("year", "N", "N_f", "N_m")
    + tuple(f"{st}_{sx}" for st in STAGES for sx in SEXES)
    + ("adults_f", "adults_m", "breeding_females", "births", "released")
    + tuple(f"deaths_{c}" for c in DEATH_CAUSES)
    + ("extant", "gene_diversity", "mean_F", "lethal_alleles", "occupied_km2", "mean_condition",
       "mean_home_range_km2")
    + tuple(f"prey_{s}" for s in PREY_SPECIES)
    + ("saiga_male_fraction",)
)
"""
year: 1..years; N: all cheetahs alive (cubs included); N_f/N_m by sex;
<stage>_<sex>: counts by life stage; adults_f/m: age >= cheetah.adult_months;
breeding_females: females that gave birth during the year; births: cubs born in the year;
released: animals released in the year; deaths_<cause>: deaths in the year by cause
(emigrated = walked off an open map edge; ceiling = removed by the Vortex-style ceiling rule;
other = causes added by plugin hazards, named in ReplicateResult.extra["deaths_by_plugin_cause"]);
extant: 1 if both sexes are present (Vortex's definition of a surviving population), else 0;
gene_diversity: expected heterozygosity of the living population (NaN if none);
mean_F: mean inbreeding coefficient of the living (NaN if none);
lethal_alleles: mean recessive lethal alleles carried per living animal, the lethal genetic load
that selection against homozygous cubs purges (Vortex's "lethal alleles per individual"; NaN if none);
occupied_km2: area covered by at least one resident's home range [km²]: the union of the
residents' home-range disks on the grid (overlapping ranges count once);
mean_condition: mean body condition (0-1) of independent cheetahs (NaN if none);
mean_home_range_km2: mean home-range area of residents (NaN if none);
prey_<species>: animals on the map after December; saiga_male_fraction: adult male share.
"""


@dataclass
class ReplicateResult:
    """The outcome of one replicate of one scenario."""

    scenario: str
    replicate: int
    seed_entropy: int
    seed_spawn_key: tuple[int, ...]
    census: dict[str, np.ndarray]          # CENSUS_COLUMNS -> array of length years
    occupancy: np.ndarray | None = None    # int32 (rows, cols): resident-months with a range centre there
    error: str | None = None               # set when the replicate raised (the batch goes on)
    extra: dict = field(default_factory=dict)

    @property
    def years(self) -> int:
        return len(self.census["year"])

    def extinction_year(self) -> int | None:
        """First census year, from the first release on, in which the population is not extant
        (one sex gone, Vortex's definition); None if it persists or nothing was ever released."""
        released = np.cumsum(self.census["released"]) > 0
        if not released.any():
            return None
        first = int(np.argmax(released))
        gone = np.flatnonzero(np.asarray(self.census["extant"][first:]) < 0.5)
        return int(self.census["year"][first + gone[0]]) if gone.size else None


def empty_census(years: int) -> dict[str, np.ndarray]:
    """Census arrays filled with zeros (NaN for the ratio columns)."""
    out = {c: np.zeros(years, dtype=np.float64) for c in CENSUS_COLUMNS}
    for c in ("gene_diversity", "mean_F", "lethal_alleles", "mean_condition", "mean_home_range_km2"):
        out[c][:] = np.nan
    out["year"][:] = np.arange(1, years + 1)
    return out
