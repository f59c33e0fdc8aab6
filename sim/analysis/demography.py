"""Analytical expectations of the female demography that the agent-based model is checked against.

Everything here is computed exactly from the monthly Markov chain of one female in the
*demography-only* case (:mod:`sim.analysis.lifecycle`: the case, the monthly cycle it follows,
including rebreeding while a litter is still with its mother, and the chain's states and
daughter types), not approximated through mean litter sizes or annual rates:

* λ: the multi-type renewal (Euler-Lotka) equation ``ρ(Σ_u M(u) λ_m^-(u+1)) = 1`` with M(u) the
  expected daughters of each type a female of each type starts in month u+1 of her life (exact;
  a cross-check with the eigenvalue of :func:`projection_matrix` is in the tests); from it the
  generation time, R0 and the stable stage distribution.
* Expected census: the monthly (age x state) projection matrix applied to the founders.
* Extinction: the multi-type Galton-Watson process over the types, with the offspring probability
  generating function computed by backward induction over the mother's chain (ultimate
  extinction: ``q = G(q)``), or, for a finite horizon, the probability that the line is extinct
  after m months, propagated month by month over all ages at once.
* Field-data quantities: mean female lifespan after independence [years], cub survival to
  independence and the mean interval between births.

``competitors`` is everywhere a lion density [animals/km²] (cub predation
``competitors x cub_predation_per_lion``; another kind's density counts as that density x
``cub_predation_per_<kind> / cub_predation_per_lion`` lions; see :mod:`sim.analysis.lifecycle`).

The census of :mod:`sim.model` is taken after December's ageing phase, i.e. at the start of a
month: stage shares and expected census numbers here are at that point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import optimize, sparse

from ..config.params import CheetahParams
from .lifecycle import OPEN, FemaleLifeCycle, life_cycle

STAGE_NAMES = ("cub", "subadult", "adult")


# ============================================================================ growth rate
@dataclass(frozen=True)
class _Renewal:
    log_lambda_month: float          # ln of the monthly growth rate (-inf if no cycle of births)
    v: np.ndarray                    # stable start rates by type (left eigenvector of K)
    cohorts: dict


def _log_rho(M: np.ndarray, r: float) -> float:
    """ln ρ(Σ_u M[u] e^{-r(u+1)}), computed without overflow."""
    U = M.shape[0]
    w = -r * (np.arange(U) + 1.0)
    used = M.reshape(U, -1).any(axis=1)
    if not used.any():
        return -math.inf
    cmax = w[used].max()
    K = np.tensordot(np.exp(w - cmax), M, axes=1)
    rho = float(np.max(np.abs(np.linalg.eigvals(K))))
    return math.log(rho) + cmax if rho > 0 else -math.inf


@lru_cache(maxsize=32)
def _renewal(cheetah: CheetahParams, competitors: float) -> _Renewal:
    cyc = life_cycle(cheetah, competitors)
    coh = cyc.cohorts()
    M = coh["M"]
    T = M.shape[1]
    f = lambda r: _log_rho(M, r)                                  # noqa: E731  decreasing in r
    if f(0.0) == -math.inf:                                        # no cycle of daughters
        return _Renewal(-math.inf, np.zeros(T), coh)
    lo, hi = -0.5, 0.5
    while f(lo) < 0:
        lo *= 2
        if lo < -50:
            return _Renewal(-math.inf, np.zeros(T), coh)
    while f(hi) > 0:
        hi *= 2
    r = optimize.brentq(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    lw = -r * (np.arange(M.shape[0]) + 1.0)
    K = np.tensordot(np.exp(lw - lw.max()), M, axes=1)          # scaled: the eigenvector is the same
    vals, vecs = np.linalg.eig(K.T)                             # left eigenvector: v K = ρ v
    v = np.abs(np.real(vecs[:, np.argmax(np.real(vals))]))
    return _Renewal(r, v / v.sum(), coh)


def deterministic_lambda(cheetah: CheetahParams, competitors: float = 0.0) -> float:
    """Asymptotic annual growth rate λ (per year) of the expected number of females in the
    demography-only case; 0 if no female can leave a reproducing daughter.

    ``competitors``: lion density [animals/km²] (cub predation hazard; other kinds as
    lion-equivalents, see the module docstring)."""
    r = _renewal(cheetah, float(competitors)).log_lambda_month
    return math.exp(12.0 * r) if r > -math.inf else 0.0


def deterministic_r(cheetah: CheetahParams, competitors: float = 0.0) -> float:
    """ln λ [per year]; -inf if λ = 0."""
    r = _renewal(cheetah, float(competitors)).log_lambda_month
    return 12.0 * r


def generation_time_months(cheetah: CheetahParams, competitors: float = 0.0) -> float:
    """Mean age of mothers at their daughters' start in the stable population, measured from the
    mother's own start (months): Σ_u (u+1) v K(u) 1 / Σ_u v K(u) 1 with K(u) = M(u) λ_m^-(u+1)."""
    ren = _renewal(cheetah, float(competitors))
    if ren.log_lambda_month == -math.inf:
        raise ValueError("no generation time: no female leaves a reproducing line (λ = 0)")
    M = ren.cohorts["M"]
    lw = -ren.log_lambda_month * (np.arange(M.shape[0]) + 1.0)
    w = np.exp(lw - lw.max())
    per_u = np.einsum("t,utj->u", ren.v, M) * w
    return float((per_u * (np.arange(M.shape[0]) + 1.0)).sum() / per_u.sum())


def net_reproductive_rate(cheetah: CheetahParams, competitors: float = 0.0) -> float:
    """R0: spectral radius of the total mean offspring matrix (daughters started per female)."""
    M = _renewal(cheetah, float(competitors)).cohorts["M"].sum(axis=0)
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def stable_stage_distribution(cheetah: CheetahParams, competitors: float = 0.0) -> dict[str, float]:
    """Shares of females by census stage in the stable population, at the census point (start of
    a month, after the previous month's ageing): ``cub`` (dependent), ``subadult`` (independent,
    age < adult_months), ``adult`` (independent, age >= adult_months). Sums to 1.

    Raises ValueError if λ = 0 (no stable structure)."""
    ren = _renewal(cheetah, float(competitors))
    if ren.log_lambda_month == -math.inf:
        raise ValueError("no stable stage distribution: the population cannot grow or persist (λ = 0)")
    coh = ren.cohorts
    cyc = life_cycle(cheetah, float(competitors))
    U = coh["alive"].shape[0]
    u = np.arange(U)
    lw = -ren.log_lambda_month * u
    w = np.exp(lw - lw.max())[:, None] * ren.v[None, :]                     # (U, T), ratios only
    age = cyc.type_ages[None, :] + u[:, None]
    sub = age < cheetah.adult_months
    out = {"cub": float((w * coh["cubs_f"]).sum()),
           "subadult": float((w * coh["alive"] * sub).sum()),
           "adult": float((w * coh["alive"] * ~sub).sum())}
    tot = sum(out.values())
    return {k: v / tot for k, v in out.items()}


# ============================================================================ projection matrix
def projection_matrix(cheetah: CheetahParams, competitors: float = 0.0) -> sparse.csr_matrix:
    """Monthly projection matrix A of expected female numbers over (age, state), start of month to
    start of next month: index ``x * n_states + r`` (x = 0..max_age_months, r as in
    :class:`FemaleLifeCycle`). Dependent cubs are carried by their mother's state (female cubs
    alive = n x (1 - sex_ratio_at_birth)); daughters enter at their type's (age, state).

    Its dominant eigenvalue is the monthly λ (λ_annual = λ_m^12)."""
    cyc = life_cycle(cheetah, float(competitors))
    X, n = cyc.X, cyc.n_states
    S, p = cyc.S[: X + 1], cyc.p[: X + 1]
    shift = lambda w: sparse.diags(w[:-1], -1, shape=(X + 1, X + 1))        # noqa: E731  x -> x+1
    A = sparse.kron(shift(S), cyc.P0s.T) + sparse.kron(shift(S * p), cyc.P1s.T)
    # daughters: E[τ, x*n + r] = S(x) (Dn0 + p(x) Dn1)[r, τ] + (1 - S(x)) Do[r, τ]
    E = (S[:, None, None] * (cyc.Dn0[None] + p[:, None, None] * cyc.Dn1[None])
         + (1 - S)[:, None, None] * cyc.Do[None]).reshape(-1, len(cyc.types))
    rows = np.array([a * n + r for a, r in cyc.types])
    D = sparse.csr_matrix(E.T)
    R = sparse.csr_matrix((np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=((X + 1) * n, len(rows)))
    return (A + R @ D).tocsr()


def _stage_vectors(cyc: FemaleLifeCycle) -> dict[str, np.ndarray]:
    """Weights turning an (age, state) vector of females into stage counts (cubs via mothers)."""
    X, n = cyc.X, cyc.n_states
    age = np.repeat(np.arange(X + 1), n)
    sub = age < cyc.cheetah.adult_months
    return {"cub": np.tile(cyc.cubvec, X + 1), "subadult": sub.astype(float), "adult": (~sub).astype(float)}


def expected_female_census(cheetah: CheetahParams, founders_age_months: int, n_females: int,
                           years: int, competitors: float = 0.0, *,
                           release_month: int = 1) -> dict[str, np.ndarray]:
    """Expected number of females by stage (``cub``, ``subadult``, ``adult``, ``total``) at each
    census (after December of years 1..years), from ``n_females`` founders of the given age (no
    cubs, not pregnant) released in ``release_month`` (1-12) of year 1."""
    _check_founders(cheetah, founders_age_months, n_females, release_month)
    cyc = life_cycle(cheetah, float(competitors))
    A = projection_matrix(cheetah, competitors)
    N = np.zeros(A.shape[0])
    N[founders_age_months * cyc.n_states + OPEN] = n_females
    vecs = _stage_vectors(cyc)
    out = {k: np.zeros(years) for k in (*STAGE_NAMES, "total")}
    month = release_month - 1
    for y in range(years):
        while month < 12 * (y + 1):
            N = A @ N
            month += 1
        for k in STAGE_NAMES:
            out[k][y] = vecs[k] @ N
        out["total"][y] = sum(out[k][y] for k in STAGE_NAMES)
    return out


# ============================================================================ extinction
def _check_founders(cheetah: CheetahParams, age: int, n: int, release_month: int) -> None:
    if not (isinstance(age, (int, np.integer)) and 0 <= age <= cheetah.max_age_months):
        raise ValueError(f"founders_age_months must be a whole number of months 0..max_age_months "
                         f"({cheetah.max_age_months}), got {age!r}")
    if not (isinstance(n, (int, np.integer)) and n >= 0):
        raise ValueError(f"n_females must be a whole number >= 0, got {n!r}")
    if not (isinstance(release_month, (int, np.integer)) and 1 <= release_month <= 12):
        raise ValueError(f"release_month must be 1..12 (1 = January), got {release_month!r}")


@lru_cache(maxsize=32)
def _ultimate_type_extinction(cheetah: CheetahParams, competitors: float) -> tuple[float, ...]:
    """Smallest fixed point q = G(q) in [0, 1]^T (probability each type's line dies out)."""
    cyc = life_cycle(cheetah, competitors)
    T = len(cyc.types)
    if np.all(cyc.offspring_pgf(np.zeros((1, T)))[0] == 0.0):
        return (0.0,) * T                # every female leaves a daughter: lines never die out
    if net_reproductive_rate(cheetah, competitors) <= 1.0 + 1e-12:
        return (1.0,) * T                # (sub)critical and not singular
    q = np.zeros(T)
    for _ in range(200):
        nq = cyc.offspring_pgf(q[None])[0]
        if np.max(np.abs(nq - q)) < 1e-14:
            return tuple(np.clip(nq, 0, 1))
        q = nq
    for _ in range(100):                 # Newton from below (monotone for a convex PGF)
        h = 1e-7
        pts = np.vstack([q, q + h * np.eye(T)])
        G = cyc.offspring_pgf(pts)
        J = (G[1:] - G[0]).T / h        # J[i, j] = dG_i/ds_j
        step = np.linalg.solve(np.eye(T) - J, G[0] - q)
        q = np.clip(q + step, 0.0, 1.0)
        if np.max(np.abs(step)) < 1e-14:
            break
    return tuple(q)


def _horizon_extinction(cyc: FemaleLifeCycle, months: int) -> np.ndarray:
    """E (X+1, n): P(the line of a female of each age and state, alive at the start of month 0,
    has no living female after ``months`` months), by propagating month by month."""
    X, n = cyc.X, cyc.n_states
    S, p = cyc.S[: X + 1, None], cyc.p[: X + 1, None]
    ages = cyc.type_ages
    states = np.array([r for _, r in cyc.types])
    E = np.zeros((X + 2, n))
    E[X + 1] = 1.0
    for _ in range(months):
        F, Phi = cyc._pgf_parts(E[ages, states][None])
        E[: X + 1] = (1 - S) * Phi + S * cyc._continue(E[1:], F, p)
    return E[: X + 1]


def extinction_probability(cheetah: CheetahParams, founders_age_months: int, n_females: int,
                           years: int | None = None, competitors: float = 0.0, *,
                           release_month: int = 1) -> float:
    """Probability that the female line of ``n_females`` unrelated founder females aged
    ``founders_age_months`` (independent, no cubs, not pregnant) dies out: ultimately if ``years``
    is None, else by the census after December of year ``years`` when released in
    ``release_month`` (1-12) of year 1. Founders' lines are independent, so it is q^n."""
    _check_founders(cheetah, founders_age_months, n_females, release_month)
    if n_females == 0:
        return 1.0
    cyc = life_cycle(cheetah, float(competitors))
    if years is None:
        q = np.array(_ultimate_type_extinction(cheetah, float(competitors)))
        V = cyc.pgf_values(q[None])[0]
        q1 = float(V[founders_age_months, OPEN])
    else:
        if not (isinstance(years, (int, np.integer)) and years >= 0):
            raise ValueError(f"years must be a whole number >= 0 or None, got {years!r}")
        months = max(0, 12 * int(years) - (release_month - 1))
        q1 = float(_horizon_extinction(cyc, months)[founders_age_months, OPEN])
    return min(1.0, max(0.0, q1)) ** n_females


def type_extinction_probabilities(cheetah: CheetahParams, competitors: float = 0.0) -> dict[tuple[int, int], float]:
    """Ultimate extinction probability of the line of each daughter type (age at start, state)."""
    cyc = life_cycle(cheetah, float(competitors))
    return dict(zip(cyc.types, _ultimate_type_extinction(cheetah, float(competitors))))


# ============================================================================ field-data quantities
def female_lifespan_after_independence(cheetah: CheetahParams) -> float:
    """Mean years a female lives after normal independence: expected (age at death - age at
    independence), ages as the model counts them (whole months, age at the start of the month of
    death; a continuous-time measure would be about half a month longer)."""
    cyc = life_cycle(cheetah, 0.0)
    S = cyc.S[cyc.I: cyc.X + 1]
    months = np.cumprod(S).sum()          # Σ_{u>=1} P(alive at the start of month u)
    return float(months) / 12.0


def cub_survival_to_independence(cheetah: CheetahParams, competitors: float = 0.0,
                                 mother_age_months: int | None = None) -> float:
    """Probability that a cub born alive becomes an independent animal alive at that moment:
    normally at ceil(independence_months), earlier when its mother's next litter is born (cub age
    >= rebreed_cub_age_months + gestation_months), or earlier as an orphan aged >=
    orphan_survival_months who survives the month of her mother's death. Includes the mother's
    death risk.

    ``mother_age_months``: the mother's age in the month of birth (she carries no wait from a lost
    litter); None averages over births in the stable population (births weighted by the stable
    distribution of mothers' ages and states)."""
    cyc = life_cycle(cheetah, float(competitors))
    X = cyc.X
    h = cyc.newborn_values()
    if mother_age_months is not None:
        if not (isinstance(mother_age_months, (int, np.integer)) and 0 <= mother_age_months <= X):
            raise ValueError(f"mother_age_months must be a whole number 0..max_age_months ({X}), "
                             f"got {mother_age_months!r}")
        j = int(np.flatnonzero(cyc.birth_rows == cyc.preg(1))[0])
        return float(h[int(mother_age_months), j])
    ren = _renewal(cheetah, float(competitors))
    coh = ren.cohorts
    if ren.log_lambda_month == -math.inf or not coh["births"].any():
        return math.nan
    U = coh["births"].shape[0]
    u = np.arange(U)
    lw = -ren.log_lambda_month * u
    w = (np.exp(lw - lw.max())[:, None] * ren.v[None, :])[:, :, None] * coh["births"]      # (U, T, J)
    xb = np.minimum(cyc.type_ages[None, :] + u[:, None], X)                                # (U, T)
    return float((w * h[xb]).sum() / w.sum())


def mean_interbirth_interval(cheetah: CheetahParams, mother_age_months: int,
                             competitors: float = 0.0) -> float:
    """Mean months from a birth to the mother's next birth, for a mother aged
    ``mother_age_months`` in the month of the first birth, among mothers who give birth again
    having reared that litter to the new birth or to its independence (not all of it lost while
    with her); the mother's death risk included. See :meth:`FemaleLifeCycle.interbirth_months`.

    Without deaths and with a constant conception probability p it is R + g + (1 - p)/p for R =
    rebreed_cub_age_months < ceil(independence_months) (= I), else I + g + (1 - p)/p."""
    cyc = life_cycle(cheetah, float(competitors))
    if not (isinstance(mother_age_months, (int, np.integer)) and 0 <= mother_age_months <= cyc.X):
        raise ValueError(f"mother_age_months must be a whole number 0..max_age_months ({cyc.X}), "
                         f"got {mother_age_months!r}")
    return cyc.interbirth_months(int(mother_age_months))[0]


__all__ = ["FemaleLifeCycle", "life_cycle", "deterministic_lambda", "deterministic_r",
           "generation_time_months", "net_reproductive_rate", "stable_stage_distribution",
           "projection_matrix", "expected_female_census", "extinction_probability",
           "type_extinction_probabilities", "female_lifespan_after_independence",
           "cub_survival_to_independence", "mean_interbirth_interval", "STAGE_NAMES"]
