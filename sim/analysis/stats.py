"""PVA statistics from replicate census arrays (pure functions: no model runs, no files).

Input everywhere is a *census table*: ``dict[column -> ndarray (replicates × years)]`` with the
columns of :data:`sim.model.results.CENSUS_COLUMNS` (float64; one row per successful replicate, one
column per simulated year, the last column being the horizon). Definitions follow Vortex
(Lacy & Pollak, Vortex 10 manual) where Vortex has one:

* a population is **extant** when both sexes are present (census column ``extant``);
* **P(persist)** = share of runs extant at the horizon; **PE** = 1 - P(persist);
* intervals for proportions are Wilson score intervals (Wilson 1927), which keep their coverage
  at the extremes (0 or 1 of a few hundred runs) where the normal (Wald) interval collapses;
* a difference of two proportions gets Newcombe's hybrid score interval (Newcombe 1998,
  Statistics in Medicine 17:873-890, method 10).

The statistics read only arrays, so they can be recomputed from ``replicates.csv.gz`` or from the
batch's chunk files without running the model again.
"""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist

import numpy as np

from ..model.results import DEATH_CAUSES, PREY_SPECIES


# --------------------------------------------------------------------------- proportions

def _z(conf: float) -> float:
    if not 0.0 < conf < 1.0:
        raise ValueError(f"conf must lie in (0, 1), got {conf}")
    # the standard library's normal quantile (Wichura's AS241, ~1e-16): importing scipy.stats for
    # it cost every batch worker ~0.9 s and ~30 MiB
    return NormalDist().inv_cdf(0.5 + conf / 2.0)


def wilson_interval(k, n, conf: float = 0.95):
    """Wilson score interval for a binomial proportion k/n (k successes of n trials).

    Works on scalars or numpy arrays (element-wise). Returns ``(lo, hi)``; NaN where n == 0.
    The bounds are exactly 0 when k == 0 and exactly 1 when k == n.
    """
    z = _z(conf)
    k_arr = np.asarray(k, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    if np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    with np.errstate(invalid="ignore", divide="ignore"):
        z2 = z * z
        denom = n_arr + z2
        centre = (k_arr + z2 / 2.0) / denom
        half = z / denom * np.sqrt(k_arr * (n_arr - k_arr) / n_arr + z2 / 4.0)
        lo = np.clip(centre - half, 0.0, 1.0)
        hi = np.clip(centre + half, 0.0, 1.0)
    lo = np.where(k_arr == 0, 0.0, lo)
    hi = np.where(k_arr == n_arr, 1.0, hi)
    lo = np.where(n_arr == 0, np.nan, lo)
    hi = np.where(n_arr == 0, np.nan, hi)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def compare_to_baseline(k1: int, n1: int, k0: int, n0: int, conf: float = 0.95):
    """Difference in P(persist), scenario minus baseline, with Newcombe's hybrid score interval.

    ``k1`` of ``n1`` runs of the scenario persisted, ``k0`` of ``n0`` of the baseline.
    Returns ``(diff, lo, hi)`` with ``diff = k1/n1 - k0/n0``. The interval combines the two
    Wilson intervals (l1, u1), (l0, u0) as in Newcombe (1998), Statistics in Medicine
    17:873-890, method 10:

        lo = diff - sqrt((p1 - l1)² + (u0 - p0)²),   hi = diff + sqrt((u1 - p1)² + (p0 - l0)²).

    NaN for everything if either group has no runs.
    """
    if n1 == 0 or n0 == 0:
        return math.nan, math.nan, math.nan
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson_interval(k1, n1, conf)
    l0, u0 = wilson_interval(k0, n0, conf)
    diff = p1 - p0
    lo = diff - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = diff + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return diff, lo, hi


def compare_paired(x1, x0, conf: float = 0.95):
    """Difference in P(persist), scenario minus baseline, from paired runs (common random numbers:
    run i of both met the same environmental years): ``x1[i]``, ``x0[i]`` whether run i persisted.
    Bonett & Price's adjusted Wald interval for paired proportions (Bonett & Price 2012, Journal
    of Educational and Behavioral Statistics 37:479-488): with n12 runs that persisted only in the
    scenario and n21 only in the baseline, p12 = (n12 + 1)/(n + 2), p21 = (n21 + 1)/(n + 2),

        diff ± z sqrt((p12 + p21 - (p12 - p21)²) / (n + 2)),  centred on p12 - p21,

    clipped to [-1, 1]. Returns ``(diff, lo, hi)`` with diff the observed k1/n - k0/n; NaN
    without runs."""
    x1 = np.asarray(x1, dtype=bool)
    x0 = np.asarray(x0, dtype=bool)
    n = x1.size
    if n == 0 or x0.size != n:
        return math.nan, math.nan, math.nan
    n12 = int(np.count_nonzero(x1 & ~x0))
    n21 = int(np.count_nonzero(~x1 & x0))
    p12, p21 = (n12 + 1) / (n + 2), (n21 + 1) / (n + 2)
    centre = p12 - p21
    half = _z(conf) * math.sqrt(max(p12 + p21 - centre ** 2, 0.0) / (n + 2))
    return (n12 - n21) / n, max(-1.0, centre - half), min(1.0, centre + half)


# --------------------------------------------------------------------------- per-run quantities

def _n_runs(census: dict[str, np.ndarray]) -> int:
    return int(np.asarray(census["N"]).shape[0])


def first_release_index(census: dict[str, np.ndarray]) -> np.ndarray:
    """Per run: index (0-based year column) of the first year with a release; -1 if none."""
    released = np.cumsum(np.asarray(census["released"]), axis=1) > 0
    idx = np.argmax(released, axis=1)
    return np.where(released.any(axis=1), idx, -1)


def first_extinction_index(census: dict[str, np.ndarray]) -> np.ndarray:
    """Per run: year column of the first census, from the first release on, in which the
    population is not extant (one sex gone); -1 if that never happens (or nothing was released).
    Same definition as :meth:`sim.model.results.ReplicateResult.extinction_year`."""
    extant = np.asarray(census["extant"]) >= 0.5
    start = first_release_index(census)
    cols = np.arange(extant.shape[1])[None, :]
    gone = (~extant) & (cols >= start[:, None]) & (start[:, None] >= 0)
    idx = np.argmax(gone, axis=1)
    return np.where(gone.any(axis=1), idx, -1)


def quasi_extinct(census: dict[str, np.ndarray], threshold: int) -> np.ndarray:
    """Per run: True if N (all cheetahs, cubs included) was below ``threshold`` in any census
    year *after* the first release year (the census of the release year itself is not counted,
    so a founder group smaller than the threshold is not quasi-extinct by construction in the
    year it arrives; later years are). Runs without any release count every year.
    ``threshold`` 0 means nothing is quasi-extinct."""
    n = np.asarray(census["N"])
    if threshold <= 0:
        return np.zeros(n.shape[0], dtype=bool)
    start = first_release_index(census)
    cols = np.arange(n.shape[1])[None, :]
    after = cols > start[:, None]              # start == -1 (no release): every year
    return ((n < threshold) & after).any(axis=1)


def annual_log_growth(census: dict[str, np.ndarray]) -> np.ndarray:
    """Per run and year pair: r_t = ln(N_{t+1} / N_t), NaN where it is not a growth rate.

    Shape (runs × years-1). A pair counts only when N_t > 0 and N_{t+1} > 0 and no animals were
    released in year t+1 (released animals are additions, not growth; Vortex also reports r
    without supplementation)."""
    n = np.asarray(census["N"], dtype=np.float64)
    released = np.asarray(census["released"], dtype=np.float64)
    valid = (n[:, :-1] > 0) & (n[:, 1:] > 0) & (released[:, 1:] <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(n[:, 1:] / n[:, :-1])
    return np.where(valid, r, np.nan)


# --------------------------------------------------------------------------- small helpers

def _mean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


def _sd(x: np.ndarray) -> float:
    """Sample SD (ddof=1) of the finite values; NaN with fewer than two."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(x.std(ddof=1)) if x.size > 1 else math.nan


def _quantiles(x: np.ndarray, qs=(0.05, 0.5, 0.95)) -> list[float]:
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if not x.size:
        return [math.nan] * len(qs)
    return [float(v) for v in np.quantile(x, qs)]


def _col_mean(a: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Per year (column) mean of finite values, optionally only where ``mask`` (runs × years)."""
    a = np.asarray(a, dtype=np.float64)
    ok = np.isfinite(a) if mask is None else (np.isfinite(a) & mask)
    cnt = ok.sum(axis=0)
    tot = np.where(ok, a, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)


def _col_sd(a: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    ok = np.isfinite(a) if mask is None else (np.isfinite(a) & mask)
    cnt = ok.sum(axis=0)
    mean = _col_mean(a, mask)
    dev = np.where(ok, a - mean[None, :], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 1, np.sqrt((dev ** 2).sum(axis=0) / np.maximum(cnt - 1, 1)), np.nan)


def initial_gene_diversity(census: dict[str, np.ndarray]) -> float:
    """Mean over runs of gene diversity in the census of the first release year (the founders
    after one year); NaN if no run released anything."""
    gd = np.asarray(census["gene_diversity"], dtype=np.float64)
    start = first_release_index(census)
    has = start >= 0
    if not has.any():
        return math.nan
    return _mean(gd[np.flatnonzero(has), start[has]])


# --------------------------------------------------------------------------- scenario summary
#
# Memory: the census may be a lazy mapping that reads a column from disk at each access
# (sim.runs.folder.ChunkCensus). Each helper below reads only the columns it needs and returns
# small results, so at most a few (runs × years) columns are alive at once, whatever the number
# of columns.

def _final(census: dict[str, np.ndarray], column: str) -> np.ndarray:
    """Horizon (last-year) values of one column: a float64 copy, not a view, so that the
    (runs × years) array it came from is freed."""
    return np.array(np.asarray(census[column], dtype=np.float64)[:, -1])


def _proportion(k, n, conf: float):
    """(k/n, Wilson lo, Wilson hi), element-wise for arrays; NaN where n == 0."""
    lo, hi = wilson_interval(k, n, conf)
    n_arr = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_arr > 0, np.asarray(k, dtype=np.float64) / n_arr, np.nan)
    return p, lo, hi


def _persistence(k, n, conf: float) -> dict:
    """P(persist) = k/n with its Wilson interval and PE = 1 - P(persist) with the mirrored
    interval (scalars or per-year arrays)."""
    p, lo, hi = _proportion(k, n, conf)
    return {"p_persist": p, "p_persist_lo": lo, "p_persist_hi": hi,
            "pe": 1.0 - p, "pe_lo": 1.0 - hi, "pe_hi": 1.0 - lo}


def _as_floats(d: dict) -> dict:
    """0-d arrays of a statistics dict as plain floats (the summary holds plain numbers)."""
    return {k: float(v) if isinstance(v, (np.ndarray, np.floating)) else v for k, v in d.items()}


def _extinction_times(census: dict[str, np.ndarray], R: int) -> dict:
    """p_extinct_ever, and te_mean/te_median [simulation year] over runs that went extinct."""
    ext_idx = first_extinction_index(census) if R else np.zeros(0, int)
    went = ext_idx >= 0
    te = (np.asarray(census["year"])[np.flatnonzero(went), ext_idx[went]] if went.any()
          else np.zeros(0))
    return {"p_extinct_ever": float(went.mean()) if R else math.nan,
            "te_mean": float(te.mean()) if te.size else math.nan,
            "te_median": float(np.median(te)) if te.size else math.nan}


def _quasi_at_horizon(census: dict[str, np.ndarray], threshold: int, R: int, conf: float) -> dict:
    kq = int(quasi_extinct(census, threshold).sum()) if R else 0
    p, lo, hi = _proportion(kq, R, conf)
    return {"quasi_threshold": int(threshold), "p_quasi": float(p), "p_quasi_lo": lo, "p_quasi_hi": hi}


def _abundance_at_horizon(n_final: np.ndarray, extant_final: np.ndarray) -> dict:
    out = {}
    for prefix, vals in (("N", n_final), ("N_extant", n_final[extant_final])):
        out[f"{prefix}_mean"] = _mean(vals)
        out[f"{prefix}_sd"] = _sd(vals)
        out[f"{prefix}_q05"], out[f"{prefix}_q50"], out[f"{prefix}_q95"] = _quantiles(vals)
    return out


def _stochastic_growth(census: dict[str, np.ndarray], R: int) -> dict:
    """stoch_r_mean (runs weighted equally), stoch_r_sd (pooled year pairs), stoch_r_pairs."""
    r = annual_log_growth(census) if R else np.zeros((0, 0))
    valid = np.isfinite(r)
    per_run_n = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_run = np.where(valid, r, 0.0).sum(axis=1) / np.where(per_run_n > 0, per_run_n, 1)
    return {"stoch_r_mean": _mean(per_run[per_run_n > 0]), "stoch_r_sd": _sd(r[valid]),
            "stoch_r_pairs": int(valid.sum())}


def _genetics_at_horizon(census: dict[str, np.ndarray], extant_final: np.ndarray, R: int) -> dict:
    gd = _final(census, "gene_diversity")[extant_final] if R else np.zeros(0)
    gd_final = _mean(gd)
    gd_initial = initial_gene_diversity(census) if R else math.nan
    retained = gd_final / gd_initial if gd_initial and math.isfinite(gd_initial) else math.nan
    return {"gd_initial": gd_initial, "gd_final": gd_final, "gd_final_sd": _sd(gd),
            "gd_runs": int(np.count_nonzero(np.isfinite(gd))), "gd_retained": retained,
            "mean_F": _mean(_final(census, "mean_F")[extant_final]) if R else math.nan}


def _death_shares(census: dict[str, np.ndarray], R: int) -> dict:
    """deaths_total_mean (per run, whole horizon) and death_share_<cause> of all deaths."""
    deaths = {c: float(np.nansum(census[f"deaths_{c}"])) if R else 0.0 for c in DEATH_CAUSES}
    total = sum(deaths.values())
    out = {"deaths_total_mean": total / R if R else math.nan}
    for c in DEATH_CAUSES:
        out[f"death_share_{c}"] = deaths[c] / total if total > 0 else math.nan
    return out


def _space_and_prey_at_horizon(census: dict[str, np.ndarray], extant_final: np.ndarray, R: int,
                               cell_area_km2: float) -> dict:
    out = {f"prey_{s}_final": _mean(_final(census, f"prey_{s}")) if R else math.nan
           for s in PREY_SPECIES}
    out["home_range_km2"] = _mean(_final(census, "mean_home_range_km2")) if R else math.nan
    occ = _final(census, "occupied_km2")
    out["occupied_km2"] = _mean(occ)
    out["occupied_km2_extant"] = _mean(occ[extant_final])
    out["cell_area_km2"] = float(cell_area_km2)
    return out


def summarise_scenario(census: dict[str, np.ndarray], quasi_threshold: int,
                       cell_area_km2: float, conf: float = 0.95) -> dict:
    """PVA statistics of one scenario at the horizon (the last census year).

    ``census``: column -> (replicates × years) arrays of successful replicates (a dict, or a
    mapping that loads columns on access; see the memory note above).
    ``quasi_threshold``: quasi-extinction threshold [animals, all ages] (see :func:`quasi_extinct`).
    ``cell_area_km2``: area of one grid cell [km²], reported with the summary so that occupancy
    maps (resident-months per cell) can be turned into areas by readers of the file.

    Returned keys (all plain floats/ints; NaN where undefined):

    * ``n_replicates``, ``n_extant``; ``p_persist`` (extant at the horizon: both sexes present)
      with ``p_persist_lo/hi`` (Wilson ``conf`` interval); ``pe`` = 1 - p_persist, ``pe_lo/hi``;
    * ``p_extinct_ever``: share of runs that went extinct at least once (first extinction; a run
      re-founded by a later supplementation counts here but may persist at the horizon);
    * ``te_mean``, ``te_median`` [years]: the simulation year of first extinction, among runs
      that went extinct (NaN if none did);
    * ``p_quasi`` with ``p_quasi_lo/hi``: quasi-extinction probability (:func:`quasi_extinct`);
    * ``N_mean, N_sd, N_q05, N_q50, N_q95`` over all runs at the horizon, and ``N_extant_*`` the
      same over runs extant at the horizon [animals];
    * ``stoch_r_mean``: mean over runs of each run's mean annual r = ln(N_t+1/N_t) (pairs as in
      :func:`annual_log_growth`), runs weighted equally; ``stoch_r_sd``: SD of the annual r values
      pooled over all valid year pairs of all runs (Vortex's SD(r): the year-to-year spread);
      ``stoch_r_pairs``: number of year pairs used [per year];
    * ``gd_initial`` (mean gene diversity in the census of the first release year),
      ``gd_final`` (mean at the horizon in extant runs), ``gd_retained`` = gd_final / gd_initial;
    * ``mean_F``: mean inbreeding coefficient at the horizon in extant runs;
    * ``deaths_total_mean``: mean deaths per run over the horizon [animals];
      ``death_share_<cause>``: share of all deaths (all runs, all years) by cause;
    * ``prey_<species>_final``: mean prey animals on the map at the horizon over all runs;
    * ``home_range_km2``: mean resident home-range area at the horizon (runs with residents);
    * ``occupied_km2``: mean occupied area at the horizon over all runs (0 for extinct runs),
      ``occupied_km2_extant`` over extant runs; ``cell_area_km2`` echoed.
    """
    R = _n_runs(census)
    extant_final = _final(census, "extant") >= 0.5
    k = int(extant_final.sum())
    out: dict = {"n_replicates": R, "n_extant": k}
    out.update(_as_floats(_persistence(k, R, conf)))
    out.update(_extinction_times(census, R))
    out.update(_quasi_at_horizon(census, quasi_threshold, R, conf))
    out.update(_abundance_at_horizon(_final(census, "N"), extant_final))
    out.update(_stochastic_growth(census, R))
    out.update(_genetics_at_horizon(census, extant_final, R))
    out.update(_death_shares(census, R))
    out.update(_space_and_prey_at_horizon(census, extant_final, R, cell_area_km2))
    return out


# --------------------------------------------------------------------------- by year

def _extinction_by_year(census: dict[str, np.ndarray], R: int, Y: int) -> np.ndarray:
    """Cumulative share of runs whose first extinction came by each year."""
    ext_idx = first_extinction_index(census)
    cols = np.arange(Y)
    went_by = (ext_idx[:, None] >= 0) & (ext_idx[:, None] <= cols[None, :])
    return went_by.mean(axis=0) if R else np.full(Y, np.nan)


def _quasi_by_year(census: dict[str, np.ndarray], threshold: int, R: int, Y: int,
                   conf: float) -> dict[str, np.ndarray]:
    """Cumulative quasi-extinction probability by each year (definition of :func:`quasi_extinct`)
    with its Wilson interval."""
    if not R or threshold <= 0:
        k = np.zeros(Y, dtype=np.int64)
    else:
        start = first_release_index(census)
        below = (np.asarray(census["N"], dtype=np.float64) < threshold) & (np.arange(Y)[None, :] > start[:, None])
        k = (np.cumsum(below, axis=1) > 0).sum(axis=0)
    p, lo, hi = _proportion(k, np.full(Y, R), conf)
    return {"p_quasi": p, "p_quasi_lo": lo, "p_quasi_hi": hi}


def _col_quantiles(a: np.ndarray, mask: np.ndarray | None = None, qs=(0.05, 0.5, 0.95)) -> np.ndarray:
    """Per year (column) quantiles ``qs`` (rows of the result) of the finite values, optionally
    only where ``mask``; NaN for a year without any."""
    a = np.asarray(a, dtype=np.float64)
    ok = np.isfinite(a) if mask is None else (np.isfinite(a) & mask)
    if ok.all():
        return np.quantile(a, qs, axis=0) if a.shape[0] else np.full((len(qs), a.shape[1]), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)        # a year in which no run counts
        return np.nanquantile(np.where(ok, a, np.nan), qs, axis=0)


def _abundance_by_year(census: dict[str, np.ndarray], extant: np.ndarray) -> dict:
    """N mean, SD and 5/50/95 % quantiles over all runs, and over runs extant that year.
    Needs the whole N column (runs × years) for the quantiles."""
    n = np.asarray(census["N"], dtype=np.float64)
    out = {"N_mean": _col_mean(n), "N_sd": _col_sd(n)}
    out["N_q05"], out["N_q50"], out["N_q95"] = _col_quantiles(n)
    out["N_extant_mean"], out["N_extant_sd"] = _col_mean(n, extant), _col_sd(n, extant)
    out["N_extant_q05"], out["N_extant_q50"], out["N_extant_q95"] = _col_quantiles(n, extant)
    return out


def _stochastic_growth_by_year(census: dict[str, np.ndarray], R: int, Y: int) -> dict[str, np.ndarray]:
    """Per year t: mean and SD over runs of r = ln(N_t / N_t-1) (pairs as in
    :func:`annual_log_growth`; NaN in the first year) and the number of runs with a valid pair."""
    r = np.full((R, Y), np.nan)
    r[:, 1:] = annual_log_growth(census)
    return {"stoch_r_mean": _col_mean(r), "stoch_r_sd": _col_sd(r),
            "stoch_r_pairs": np.isfinite(r).sum(axis=0).astype(np.int64)}


def _genetics_by_year(census: dict[str, np.ndarray], extant: np.ndarray, R: int) -> dict[str, np.ndarray]:
    """Gene diversity, its share of the founders' (``gd_retained``, as in the summary) and mean F,
    over runs extant that year."""
    gd = _col_mean(census["gene_diversity"], extant)
    gd_initial = initial_gene_diversity(census) if R else math.nan
    retained = gd / gd_initial if gd_initial and math.isfinite(gd_initial) else np.full_like(gd, np.nan)
    return {"gene_diversity": gd, "gd_retained": retained,
            "mean_F": _col_mean(census["mean_F"], extant),
            "lethal_alleles": _col_mean(census["lethal_alleles"], extant)}


def _deaths_by_year(census: dict[str, np.ndarray], R: int, Y: int) -> dict[str, np.ndarray]:
    """deaths_total_mean: mean deaths per run in the year; death_share_<cause>: share of the
    year's deaths (all runs) by cause (NaN in a year without deaths)."""
    deaths = {c: np.nansum(np.asarray(census[f"deaths_{c}"], dtype=np.float64), axis=0) if R
              else np.zeros(Y) for c in DEATH_CAUSES}
    total = sum(deaths.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"deaths_total_mean": total / R if R else np.full(Y, np.nan)}
        for c in DEATH_CAUSES:
            out[f"death_share_{c}"] = np.where(total > 0, deaths[c] / total, np.nan)
    return out


def _space_and_prey_by_year(census: dict[str, np.ndarray], extant: np.ndarray) -> dict[str, np.ndarray]:
    """Prey on the map (mean over all runs), mean resident home range, occupied area over all
    runs and over runs extant that year."""
    out = {f"prey_{s}": _col_mean(census[f"prey_{s}"]) for s in PREY_SPECIES}
    out["home_range_km2"] = _col_mean(census["mean_home_range_km2"])
    occ = np.asarray(census["occupied_km2"], dtype=np.float64)
    out["occupied_km2"], out["occupied_km2_extant"] = _col_mean(occ), _col_mean(occ, extant)
    return out


def by_year(census: dict[str, np.ndarray], quasi_threshold: int | None = None,
            conf: float = 0.95) -> dict[str, np.ndarray]:
    """The quantities of :func:`summarise_scenario` for every census year (persistence curves),
    named as there where the meaning is the same.

    Returns ordered columns -> 1-D arrays (one value per year):

    * ``year, n_replicates, n_extant``; ``p_persist`` (extant that year) with ``p_persist_lo/hi``
      (Wilson interval), ``pe`` = 1 - p_persist with ``pe_lo/hi``;
    * ``p_extinct_ever``: cumulative share of runs whose first extinction came by that year;
    * ``p_quasi`` with ``p_quasi_lo/hi`` (only if ``quasi_threshold`` is given): cumulative
      quasi-extinction by that year, same definition as :func:`quasi_extinct`;
    * ``N_mean, N_sd, N_q05, N_q50, N_q95`` over all runs and ``N_extant_*`` the same over runs
      extant that year [animals];
    * ``stoch_r_mean, stoch_r_sd``: mean and SD over runs of that year's r = ln(N_t / N_t-1),
      ``stoch_r_pairs`` runs with a valid pair (NaN/0 in the first year);
    * ``gene_diversity`` (mean over runs extant that year), ``gd_retained`` = gene_diversity /
      the summary's ``gd_initial``, ``mean_F`` and ``lethal_alleles`` (per animal; runs extant
      that year);
    * ``deaths_total_mean``: mean deaths per run in that year; ``death_share_<cause>``: share of
      that year's deaths by cause;
    * ``prey_<species>`` (mean over all runs), ``home_range_km2`` (runs with residents),
      ``occupied_km2`` (all runs) and ``occupied_km2_extant``.

    Memory: like :func:`summarise_scenario`, reads a few columns at a time; the quantiles need
    one whole column (runs × years) at once.
    """
    extant = np.asarray(census["extant"]) >= 0.5
    R, Y = extant.shape
    year = np.asarray(census["year"])[0] if R else np.arange(1, Y + 1)
    k = extant.sum(axis=0)
    out: dict[str, np.ndarray] = {"year": year.astype(np.int64),
                                  "n_replicates": np.full(Y, R, dtype=np.int64),
                                  "n_extant": k.astype(np.int64)}
    out.update(_persistence(k, np.full(Y, R), conf))
    out["p_extinct_ever"] = _extinction_by_year(census, R, Y)
    if quasi_threshold is not None:
        out.update(_quasi_by_year(census, quasi_threshold, R, Y, conf))
    out.update(_abundance_by_year(census, extant))
    out.update(_stochastic_growth_by_year(census, R, Y))
    out.update(_genetics_by_year(census, extant, R))
    out.update(_deaths_by_year(census, R, Y))
    out.update(_space_and_prey_by_year(census, extant))
    return out


__all__ = ["wilson_interval", "compare_to_baseline", "compare_paired", "summarise_scenario", "by_year",
           "quasi_extinct", "annual_log_growth", "first_extinction_index", "first_release_index",
           "initial_gene_diversity"]
