"""docs/outputs.md: every file of a run folder and every column of its tables, with unit and
definition, generated from this module (``python -m sim.reporting.docs``). A test runs a small
batch and checks that every column it writes is documented here, so the two cannot drift apart.

Column families (``deaths_<cause>``, ``prey_<species>`` ...) are listed once with their members.
"""

from __future__ import annotations

from ..model.results import DEATH_CAUSES, PREY_SPECIES, SEXES, STAGES

_STAGE_WORDS = {"cub": "dependent cubs", "subadult": "independent animals younger than cheetah.adult_months "
                "without a home range", "resident": "independent animals with a home range",
                "transient": "adults without a home range"}

#: Files of a run folder: path -> what it holds.
FILES: dict[str, str] = {
    "manifest.json": "What was run and how: format version, status (running, interrupted, complete), start and "
                     "end time, command line, host, Python and package versions (this package's included), git "
                     "commit, root seed, chunk size, baseline, preview (a --quick run), plugins, size limits "
                     "changed from the defaults (`limits`), each chunk file's SHA-256 (`chunk_sha256`, as of the "
                     "last run's end), and every scenario fully resolved (all keys) with its source file, folder "
                     "and seed.",
    "summary.csv": "One row per scenario: PVA statistics at the horizon (columns below).",
    "by_year.csv": "One row per scenario and census year: the same statistics year by year (columns below).",
    "replicates.csv.gz": "One row per scenario, replicate and year: the raw annual census of every successful "
                         "replicate (gzip; columns below). Everything else can be recomputed from it.",
    "failures.csv": "Only when replicates failed: scenario, replicate, seed_entropy, spawn_key (the replicate's "
                    "seed is SeedSequence(seed_entropy, spawn_key=spawn_key), so a failure can be re-run alone) "
                    "and message (the traceback).",
    "occupancy/<scenario>.npy": "Resident-months with a home-range centre in each landscape cell, summed over "
                                "successful replicates (int64, rows north to south); .json beside it describes "
                                "it; .tif the same as a GeoTIFF on a georeferenced landscape.",
    "chunks/": "The replicates as they finished (one compressed file per chunk, the same bytes for the same replicates; what --resume continues from) and `SHA256SUMS`, a checksum line per chunk file as it was written (`sha256sum -c SHA256SUMS` verifies them; a resume reruns a chunk that no longer matches).",
    "figures/": "The report's figures (PNG).",
    "summary.parquet, by_year.parquet, replicates.parquet": "The three tables as Parquet (typed columns, "
        "zstd), with one column `swept.<key>` per swept key (the member's value; empty for scenarios not "
        "swept). summary.csv has the swept columns too.",
    "report.html": "The report: one self-contained page (figures embedded).",
}

#: Census columns (replicates.csv.gz): column -> (unit, definition).
CENSUS: dict[str, tuple[str, str]] = {
    "scenario": ("", "Scenario name"),
    "replicate": ("", "Replicate index (0-based); its seed: SeedSequence(root_seed, (crc32(scenario), replicate))"),
    "year": ("year", "Simulation year (1 = the first); the census is taken after December"),
    "N": ("animals", "Cheetahs alive, cubs included"),
    "N_f": ("animals", "Females alive"), "N_m": ("animals", "Males alive"),
    **{f"{st}_{sx}": ("animals", f"{'Females' if sx == 'f' else 'Males'}: {_STAGE_WORDS[st]}")
       for st in STAGES for sx in SEXES},
    "adults_f": ("animals", "Females of age ≥ cheetah.adult_months"),
    "adults_m": ("animals", "Males of age ≥ cheetah.adult_months"),
    "breeding_females": ("animals", "Females that gave birth during the year"),
    "births": ("animals", "Cubs born in the year"),
    "released": ("animals", "Animals released in the year"),
    **{f"deaths_{c}": ("animals", f"Deaths in the year by cause {c!r}") for c in DEATH_CAUSES},
    "extant": ("0/1", "1 if both sexes are present (Vortex's surviving population)"),
    "gene_diversity": ("0-1", "Expected heterozygosity of the living (NaN if none)"),
    "mean_F": ("0-1", "Mean inbreeding coefficient of the living (NaN if none)"),
    "lethal_alleles": ("alleles per animal", "Mean recessive lethal alleles carried per living animal"),
    "occupied_km2": ("km²", "Area covered by at least one resident's home range (union on the grid)"),
    "mean_condition": ("0-1", "Mean body condition of independent cheetahs (NaN if none)"),
    "mean_home_range_km2": ("km²", "Mean home-range area of residents (NaN if none)"),
    **{f"prey_{s}": ("animals", f"{s.capitalize()} on the map after December") for s in PREY_SPECIES},
    "saiga_male_fraction": ("0-1", "Share of males among adult saiga"),
}

_P = "95 % Wilson score interval"
#: Statistics shared by summary.csv (at the horizon) and by_year.csv (each year).
STATISTICS: dict[str, tuple[str, str]] = {
    "scenario": ("", "Scenario name"),
    "n_replicates": ("runs", "Successful replicates"),
    "n_extant": ("runs", "Runs extant (both sexes present)"),
    "p_persist": ("probability", "Share of runs extant: P(persist)"),
    "p_persist_lo": ("probability", f"Lower end of p_persist's {_P}"),
    "p_persist_hi": ("probability", f"Upper end of p_persist's {_P}"),
    "pe": ("probability", "1 - p_persist: probability of extinction"),
    "pe_lo": ("probability", f"Lower end of pe's {_P}"), "pe_hi": ("probability", f"Upper end of pe's {_P}"),
    "p_extinct_ever": ("probability", "Share of runs that went extinct at least once (by then)"),
    "p_quasi": ("probability", "Share of runs that fell below quasi_threshold animals after the first release"),
    "p_quasi_lo": ("probability", f"Lower end of p_quasi's {_P}"),
    "p_quasi_hi": ("probability", f"Upper end of p_quasi's {_P}"),
    **{f"{pre}_{stat}": ("animals", f"{words} of N over {over}")
       for pre, over in (("N", "all runs"), ("N_extant", "extant runs"))
       for stat, words in (("mean", "Mean"), ("sd", "Standard deviation"), ("q05", "5th percentile"),
                           ("q50", "Median"), ("q95", "95th percentile"))},
    "stoch_r_mean": ("per year", "Stochastic growth rate: mean of r = ln(N(t+1)/N(t)) (years without releases)"),
    "stoch_r_sd": ("per year", "Standard deviation of the annual r (Vortex's SD(r))"),
    "stoch_r_pairs": ("year pairs", "Year pairs behind stoch_r_*"),
    "gd_retained": ("0-1", "Gene diversity (runs extant) / the founders' in their first year"),
    "mean_F": ("0-1", "Mean inbreeding coefficient (runs extant)"),
    "deaths_total_mean": ("animals per run", "Mean deaths per run (summary: whole horizon; by_year: that year)"),
    **{f"death_share_{c}": ("share", f"Share of all deaths by cause {c!r}") for c in DEATH_CAUSES},
    "home_range_km2": ("km²", "Mean resident home-range area (runs with residents)"),
    "occupied_km2": ("km²", "Mean occupied area over all runs (0 for extinct runs)"),
    "occupied_km2_extant": ("km²", "Mean occupied area over extant runs"),
}

#: Columns of summary.csv only.
SUMMARY_ONLY: dict[str, tuple[str, str]] = {
    "family": ("", "Scenario family (group label)"),
    "description": ("", "The scenario's description (at most 2,000 characters)"),
    "baseline": ("", "Scenario this one is compared with"),
    "years": ("years", "Horizon"),
    "root_seed": ("", "Root seed of the scenario's replicates"),
    "n_failed": ("runs", "Replicates that raised (see failures.csv)"),
    "te_mean": ("year", "Mean year of first extinction, runs that went extinct"),
    "te_median": ("year", "Median year of first extinction, runs that went extinct"),
    "quasi_threshold": ("animals", "Quasi-extinction threshold (output.quasi_extinction)"),
    "gd_initial": ("0-1", "Gene diversity of the founders in their first year"),
    "gd_final": ("0-1", "Mean gene diversity at the horizon, runs extant"),
    "gd_final_sd": ("0-1", "Standard deviation of gene diversity at the horizon, runs extant"),
    "gd_runs": ("runs", "Runs behind gd_final (extant at the horizon)"),
    **{f"prey_{s}_final": ("animals", f"Mean {s} on the map at the horizon, all runs") for s in PREY_SPECIES},
    "cell_area_km2": ("km²", "Area of one landscape cell (to turn occupancy counts into areas)"),
    "det_lambda": ("per year", "Deterministic growth rate λ of the female life table with the mean mortality "
                               "the scenario imposes (persecution, roads, harsh winters, cub predation; "
                               "sim/analysis/imposed.py); no density dependence, starvation or inbreeding"),
    "det_r": ("per year", "ln(det_lambda)"),
    "diff_p_persist": ("probability", "p_persist minus the baseline's"),
    "diff_p_persist_lo": ("probability", "Lower end of the difference's 95 % interval"),
    "diff_p_persist_hi": ("probability", "Upper end of the difference's 95 % interval"),
    "swept.<key>": ("as the key", "One column per key swept in the batch: this scenario's value (empty if it "
                                  "was not swept)"),
    "diff_method": ("", "'independent': Newcombe's interval for two samples; 'paired': Bonett & Price's "
                        "for options on common random numbers; empty for the baseline itself"),
}

#: Columns of by_year.csv only.
BY_YEAR_ONLY: dict[str, tuple[str, str]] = {
    "year": ("year", "Census year"),
    "gene_diversity": ("0-1", "Mean gene diversity, runs extant that year"),
    "lethal_alleles": ("alleles per animal", "Mean lethal alleles per animal, runs extant that year"),
    **{f"prey_{s}": ("animals", f"Mean {s} on the map, all runs") for s in PREY_SPECIES},
}


def table(columns: dict[str, tuple[str, str]]) -> list[str]:
    rows = ["| column | unit | definition |", "|---|---|---|"]
    rows += [f"| `{c}` | {u} | {d} |" for c, (u, d) in columns.items()]
    return rows


def render_outputs() -> str:
    out = ["# Outputs", "",
           "Generated by `python -m sim.reporting.docs` from `sim/reporting/outputs_doc.py`; do not edit by hand. "
           "A test runs a small batch and checks that every column written is documented here.", "",
           "## Files of a run folder (`results/<name>-<time>/`)", "", "| file | what it holds |", "|---|---|"]
    out += [f"| `{f}` | {d} |" for f, d in FILES.items()]
    out += ["", "## `summary.csv`", ""] + table({**STATISTICS, **SUMMARY_ONLY})
    out += ["", "## `by_year.csv`", ""] + table({**STATISTICS, **BY_YEAR_ONLY})
    out += ["", "## `replicates.csv.gz`", ""] + table(CENSUS)
    return "\n".join(out) + "\n"


def documented(kind: str) -> set[str]:
    """The columns documented for ``kind`` ('summary', 'by_year', 'replicates'); the swept columns
    (``swept.<key>``) are one documented family (see FILES)."""
    return set({"summary": {**STATISTICS, **SUMMARY_ONLY}, "by_year": {**STATISTICS, **BY_YEAR_ONLY},
                "replicates": CENSUS}[kind])


__all__ = ["render_outputs", "documented", "FILES"]
