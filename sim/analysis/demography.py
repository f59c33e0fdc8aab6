"""Analytical expectations of the female demography that the agent-based model is checked against.

The *demography-only* case of the model (MODEL.md §6; docs/validation.md) is a female-only,
density-independent branching process, and everything here is computed exactly for the rules of
:mod:`sim.model` in that case, not approximated through mean litter sizes or annual rates:

* food unlimited (``rules.density: ceiling`` with no ``ceiling`` value), so no starvation;
* no environmental variation, no catastrophes, no people, roads, post-release or inbreeding
  effects; a constant competitor density ``competitors`` [animals/km²] adds the cub predation
  hazard ``competitors x cub_predation_per_competitor`` [per month];
* a mate is always available (``rules.mate_finding: always``), so males do not matter.

**The monthly cycle** (the order of :meth:`sim.model.ReintroductionModel.step`) for a female:

1. *Mortality* with competing constant monthly hazards, death probability ``1 - exp(-ΣH)``. An
   independent female has the subadult hazard ``-ln(subadult_survival_female)/12`` below
   ``adult_months`` and the adult one ``-ln(adult_survival_female)/12`` from then on, multiplied by
   ``exp(senescence_rate_per_year x max(0, age - senescence_months)/12)`` (background plus
   senescence); she dies for certain at ``age >= max_age_months``. A dependent cub has
   ``h_cub = -ln(cub_survival_base)/(ceil(independence_months) - 1)`` (the number of monthly draws a cub faces; sim.cheetah.cub_background_hazard) plus predation. Draws are simultaneous
   and independent; a dead mother's cubs younger than ``orphan_survival_months`` die ("orphaned"),
   older ones become independent at once (and still face their own draw of this month, with the
   cub hazard). A surviving mother who lost her last cub waits ``remating_delay_months``.
2. *Reproduction*: a pregnant female counts down and gives birth at 0 (litter size from
   ``litter_size_probs``, each cub female with probability ``1 - sex_ratio_at_birth``, age 0);
   else a waiting female counts down and cannot conceive this month; else a female without cubs
   aged ``female_first_conception_months..female_last_breeding_months`` conceives with probability
   ``conception_prob_per_month`` (birth ``gestation_months`` later). An orphan made independent
   this month may conceive now if she is old enough.
3. *Ageing*: ages +1 month; cubs aged ``>= independence_months`` become independent (their mother
   may conceive the next month).

Ages are whole months; hazards use the age at the start of the month. Released founders are
independent females of a given age with no cubs, not pregnant, released at the start of a month
(the management phase precedes mortality).

**Method.** A female's life is a Markov chain over (age, reproductive state), the states being
*open* (may conceive), *pregnant k* (k months of gestation left), *waiting w* and *with cubs*
(litter age c = 1 .. ceil(independence_months)-1 months, n = 1 .. 6 cubs alive). Sexes of the
surviving cubs are i.i.d. (cub deaths do not depend on sex), so only the number alive is carried.
A female *starts* at the beginning of her first month as an independent female; her *type* is her
age and state then: age ceil(independence_months) and open for a normal independence, age c+1 and
open (or pregnant, if she conceived at once) for an orphan made independent at cub age c.

* λ: the multi-type renewal (Euler-Lotka) equation ``ρ(Σ_u M(u) λ_m^-(u+1)) = 1`` with M(u) the
  expected daughters of each type a female of each type starts in month u+1 of her life (exact;
  a cross-check with the eigenvalue of :func:`projection_matrix` is in the tests).
* Extinction: the multi-type Galton-Watson process over the types, with the offspring probability
  generating function computed by backward induction over the mother's chain (ultimate
  extinction: ``q = G(q)``), or, for a finite horizon, the probability that the line is extinct
  after m months, propagated month by month over all ages at once.

The census of :mod:`sim.model` is taken after December's ageing phase, i.e. at the start of a
month: stage shares and expected census numbers here are at that point.
"""

from __future__ import annotations


import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import optimize, sparse
from scipy.special import comb

from ..life.mortality import cub_background_hazard
from ..config.params import CheetahParams

OPEN = 0  #: index of the open state (no cubs, not pregnant, not waiting)
STAGE_NAMES = ("cub", "subadult", "adult")


# ============================================================================ the life cycle
class FemaleLifeCycle:
    """Monthly Markov chain of one female in the demography-only case (see the module docstring).

    State layout (per age): 0 = open; ``1..g`` = pregnant with k = 1..g months left at the start of
    the month; then waiting w = 1..d-1; then with cubs (c, n), c = 1..I-1 (litter age at the start
    of the month, months), n = 1..Lmax (cubs alive). g = gestation_months, d =
    remating_delay_months, I = ceil(independence_months).

    Arrays (n = number of states, T = number of daughter types):
      ``S[x]``  probability that an independent female aged x survives the month (0 from max age);
      ``p[x]``  probability that an open female aged x conceives in the month (given she lives);
      ``P0``, ``P1`` (n, n): state transition given survival, ``P0 + p[x] P1`` at age x;
      ``Dn``, ``Do`` (n, T): expected daughters started next month, given the mother survives the
      month (normal independence) or dies in it (orphans).
    """

    def __init__(self, cheetah: CheetahParams, competitors: float = 0.0) -> None:
        competitors = float(competitors)
        if not (competitors >= 0 and math.isfinite(competitors)):
            raise ValueError(f"competitors must be a finite density >= 0 animals/km², got {competitors}")
        c = self.cheetah = cheetah
        self.competitors = competitors
        self.g = int(c.gestation_months)
        self.d = int(c.remating_delay_months)
        self.I = int(math.ceil(c.independence_months))
        self.litter_probs = np.asarray(c.litter_size_probs, dtype=float)
        self.Lmax = len(self.litter_probs)
        self.X = int(c.max_age_months)
        self.male = float(c.sex_ratio_at_birth)
        self.fem = 1.0 - self.male
        h_cub = cub_background_hazard(c)
        self.s_cub = math.exp(-(h_cub + competitors * c.cub_predation_per_competitor))   # per month
        self.S = self._survival()
        self.p = self._conception()
        self.n_wait = max(self.d - 1, 0)
        self.cub0 = 1 + self.g + self.n_wait
        self.n_states = self.cub0 + (self.I - 1) * self.Lmax
        self.types = self._types()
        self.type_index = {t: i for i, t in enumerate(self.types)}
        k = np.arange(self.Lmax + 1)
        s = self.s_cub
        B = comb(k[:, None], k[None, :]) * s ** k[None, :] * (1 - s) ** np.maximum(k[:, None] - k[None, :], 0)
        self.binom = np.tril(B)              # binom[n, n'] = P(n' of n cubs survive their draws)
        self._build_transitions()

    # ------------------------------------------------------------------ set-up
    def _survival(self) -> np.ndarray:
        """S[x], x = 0..X+1: monthly survival of an independent female aged x (start of month)."""
        c = self.cheetah
        x = np.arange(self.X + 2, dtype=float)
        h = np.where(x < c.adult_months, -math.log(c.subadult_survival_female) / 12.0,
                     -math.log(c.adult_survival_female) / 12.0)
        past = np.maximum(0.0, x - c.senescence_months) / 12.0
        with np.errstate(over="ignore"):
            H = h * np.exp(c.senescence_rate_per_year * past)
            S = np.exp(-H)
        S[x >= c.max_age_months] = 0.0
        return S

    def _conception(self) -> np.ndarray:
        c = self.cheetah
        x = np.arange(self.X + 2)
        ok = (x >= c.female_first_conception_months) & (x <= c.female_last_breeding_months)
        return np.where(ok, float(c.conception_prob_per_month), 0.0)

    def preg(self, k: int) -> int:
        """Index of 'pregnant with k months left' (k = 1..g)."""
        return k

    def wait(self, w: int) -> int:
        """Index of 'waiting w more months' (w = 1..d-1)."""
        return self.g + w

    def cubs(self, c: int, n: int) -> int:
        """Index of 'with n cubs of litter age c' (c = 1..I-1, n = 1..Lmax)."""
        return self.cub0 + (c - 1) * self.Lmax + (n - 1)

    def _orphan_ages(self) -> list[int]:
        """Cub ages (start of month) at which orphans survive as independent females."""
        return [c for c in range(1, self.I) if c >= self.cheetah.orphan_survival_months]

    def _types(self) -> tuple[tuple[int, int], ...]:
        """Daughter types (age at start, state at start): normal independence first."""
        types = [(self.I, OPEN)]
        for c in self._orphan_ages():
            for t in ((c + 1, OPEN), (c + 1, self.preg(self.g))):
                if t[1] != OPEN and self.p[c] == 0:
                    continue
                if t not in types:
                    types.append(t)
        return tuple(types)

    def _lost_all(self) -> tuple[int, bool]:
        """(state index after the month, conceives-this-month possible) for a surviving mother
        whose last cub died in the mortality phase."""
        d = self.d
        if d >= 2:
            return self.wait(d - 1), False
        return OPEN, d == 0          # d == 0: she is open in this month's reproduction phase

    def _build_transitions(self) -> None:
        n, T, g, I, Lmax = self.n_states, len(self.types), self.g, self.I, self.Lmax
        P0 = np.zeros((n, n))
        P1 = np.zeros((n, n))
        Dn = np.zeros((n, T))
        Do = np.zeros((n, T))
        # open: conceives with p[x] (P1 moves that share from open to pregnant g)
        P0[OPEN, OPEN] = 1.0
        P1[OPEN, OPEN] -= 1.0
        P1[OPEN, self.preg(g)] += 1.0
        # pregnant: count down; birth at 0 (cubs aged 1 at the start of next month)
        for k in range(2, g + 1):
            P0[self.preg(k), self.preg(k - 1)] = 1.0
        for L, pL in enumerate(self.litter_probs, start=1):
            P0[self.preg(1), self.cubs(1, L)] += pL
        # waiting
        for w in range(1, self.n_wait + 1):
            P0[self.wait(w), self.wait(w - 1) if w >= 2 else OPEN] = 1.0
        # with cubs
        lost, lost_conceives = self._lost_all()
        t_normal = self.type_index[(I, OPEN)]
        orphans = set(self._orphan_ages())
        for c in range(1, I):
            for m in range(1, Lmax + 1):
                r = self.cubs(c, m)
                b = self.binom[m]
                P0[r, lost] += b[0]
                if lost_conceives:
                    P1[r, OPEN] -= b[0]
                    P1[r, self.preg(g)] += b[0]
                if c + 1 >= self.cheetah.independence_months:       # litter leaves at ageing
                    P0[r, OPEN] += b[1:].sum()
                    Dn[r, t_normal] += m * self.s_cub * self.fem
                else:
                    for k in range(1, m + 1):
                        P0[r, self.cubs(c + 1, k)] += b[k]
                if c in orphans:
                    pc = self.p[c]
                    Do[r, self.type_index[(c + 1, OPEN)]] += m * self.s_cub * self.fem * (1 - pc)
                    if pc > 0:
                        Do[r, self.type_index[(c + 1, self.preg(g))]] += m * self.s_cub * self.fem * pc
        self.P0, self.P1, self.Dn, self.Do = P0, P1, Dn, Do
        # sparse copies for the hot loops (sparse products run in one thread: no BLAS contention)
        self.P0s, self.P1s = sparse.csr_matrix(P0), sparse.csr_matrix(P1)
        self.Dns, self.Dos = sparse.csr_matrix(Dn), sparse.csr_matrix(Do)
        # rows whose litter leaves this month, and their weight to 'open' without the lost-all part
        self._leave_rows = np.array([self.cubs(I - 1, m) for m in range(1, Lmax + 1)])
        self._leave_base = P0[self._leave_rows, OPEN] - (self.binom[1:, 0] if lost == OPEN else 0.0)

    # ------------------------------------------------------------------ generating functions
    def _pgf_parts(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For daughter-type values s (B, T): the extra transition weight to *open* of a mother
        whose litter leaves this month, with the daughters' factors folded in, ``leave`` (B, Lmax)
        (replacing P0[cubs(I-1, m), open] minus its lost-all part), and the value if the mother
        dies, Φ(s) (B, n).

        The value of a daughter of type j is s_j (her line's extinction probability, or the PGF
        argument); a male or a dead cub contributes 1."""
        B = s.shape[0]
        I, Lmax, g = self.I, self.Lmax, self.g
        Phi = np.ones((B, self.n_states))
        psi = self.male + self.fem * s[:, self.type_index[(I, OPEN)]]          # per surviving cub
        k = np.arange(1, Lmax + 1)
        leave = np.stack([(self.binom[m, 1:m + 1][None, :] * psi[:, None] ** k[None, :m]).sum(axis=1)
                          for m in range(1, Lmax + 1)], axis=1)
        for c in self._orphan_ages():
            pc = self.p[c]
            val = (1 - pc) * s[:, self.type_index[(c + 1, OPEN)]]
            if pc > 0:
                val = val + pc * s[:, self.type_index[(c + 1, self.preg(g))]]
            phi = 1 - self.s_cub + self.s_cub * (self.male + self.fem * val)        # per cub
            for m in range(1, Lmax + 1):
                Phi[:, self.cubs(c, m)] = phi ** m
        return leave, Phi

    def _continue(self, nxt: np.ndarray, leave: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """Σ_r' [P0(s) + p P1][r, r'] nxt[..., r'] for values nxt (R, n) at the next age: the
        value of surviving the month. ``leave`` (R or 1, Lmax) from :meth:`_pgf_parts`; ``p``
        conception probability per row (R, 1) or scalar. Sparse products: no BLAS threads."""
        out = (self.P0s @ nxt.T).T
        rows = self._leave_rows
        out[:, rows] += (leave - self._leave_base[None, :]) * nxt[:, OPEN:OPEN + 1]
        if np.any(p):
            out += p * (self.P1s @ nxt.T).T
        return out

    def pgf_values(self, s: np.ndarray) -> np.ndarray:
        """V (B, X+1, n): the offspring PGF of a female of each age and state, evaluated at the
        daughter-type values s (B, T); by backward induction from the maximum age."""
        s = np.atleast_2d(np.asarray(s, dtype=float))
        leave, Phi = self._pgf_parts(s)
        B, X = s.shape[0], self.X
        V = np.empty((B, X + 1, self.n_states))
        V[:, X] = Phi                                  # certain death at the maximum age
        for x in range(X - 1, -1, -1):
            cont = self._continue(V[:, x + 1], leave, self.p[x])
            V[:, x] = (1 - self.S[x]) * Phi + self.S[x] * cont
        return V

    def offspring_pgf(self, s: np.ndarray) -> np.ndarray:
        """G(s) (B, T): the offspring PGF of each type at s (B, T)."""
        V = self.pgf_values(s)
        ages = np.array([a for a, _ in self.types])
        states = np.array([r for _, r in self.types])
        return V[:, ages, states]

    # ------------------------------------------------------------------ expected lives
    @property
    def type_ages(self) -> np.ndarray:
        return np.array([a for a, _ in self.types])

    def cohorts(self) -> dict[str, np.ndarray]:
        """Expected life of one female of each type, month u = 0, 1, ... after her start.

        Returns ``M`` (U, T, T): expected daughters of type j she starts at month u+1 (made in month
        u); ``alive`` (U, T): P(alive at the start of month u); ``cubs_f`` (U, T): expected female
        cubs with her then; ``litters`` (U, T): expected litters born in month u."""
        T = len(self.types)
        a = self.type_ages
        U = self.X - int(a.min()) + 1
        D = np.zeros((T, self.n_states))
        D[np.arange(T), [r for _, r in self.types]] = 1.0
        cubvec = np.zeros(self.n_states)
        for c in range(1, self.I):
            for m in range(1, self.Lmax + 1):
                cubvec[self.cubs(c, m)] = m * self.fem
        M = np.zeros((U, T, T))
        alive = np.zeros((U, T))
        cubs_f = np.zeros((U, T))
        litters = np.zeros((U, T))
        for u in range(U):
            xi = np.minimum(a + u, self.X + 1)
            Sx, px = self.S[xi], self.p[xi]
            alive[u] = D.sum(axis=1)
            cubs_f[u] = D @ cubvec
            DS = D * Sx[:, None]
            litters[u] = DS[:, self.preg(1)]
            M[u] = (self.Dns.T @ DS.T).T + (self.Dos.T @ (D - DS).T).T
            D = (self.P0s.T @ DS.T).T + px[:, None] * (self.P1s.T @ DS.T).T
        return {"M": M, "alive": alive, "cubs_f": cubs_f, "litters": litters}


@lru_cache(maxsize=32)
def life_cycle(cheetah: CheetahParams, competitors: float = 0.0) -> FemaleLifeCycle:
    """The (cached) female life cycle for these parameters and competitor density [animals/km²]."""
    return FemaleLifeCycle(cheetah, float(competitors))


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

    ``competitors``: competitor density [animals/km²] (cub predation hazard)."""
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
    A = sparse.kron(shift(S), sparse.csr_matrix(cyc.P0.T)) + \
        sparse.kron(shift(S * p), sparse.csr_matrix(cyc.P1.T))
    # daughters: E[τ, x*n + r] = S(x) Dn[r, τ] + (1 - S(x)) Do[r, τ]
    E = (S[:, None, None] * cyc.Dn[None] + (1 - S)[:, None, None] * cyc.Do[None]).reshape(-1, len(cyc.types))
    rows = np.array([a * n + r for a, r in cyc.types])
    D = sparse.csr_matrix(E.T)
    R = sparse.csr_matrix((np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=((X + 1) * n, len(rows)))
    return (A + R @ D).tocsr()


def _stage_vectors(cyc: FemaleLifeCycle) -> dict[str, np.ndarray]:
    """Weights turning an (age, state) vector of females into stage counts (cubs via mothers)."""
    X, n = cyc.X, cyc.n_states
    cubvec = np.zeros(n)
    for c in range(1, cyc.I):
        for m in range(1, cyc.Lmax + 1):
            cubvec[cyc.cubs(c, m)] = m * cyc.fem
    age = np.repeat(np.arange(X + 1), n)
    sub = age < cyc.cheetah.adult_months
    return {"cub": np.tile(cubvec, X + 1), "subadult": sub.astype(float), "adult": (~sub).astype(float)}


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
        leave, Phi = cyc._pgf_parts(E[ages, states][None])
        E[: X + 1] = (1 - S) * Phi + S * cyc._continue(E[1:], leave, p)
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
    normally at ceil(independence_months), or earlier as an orphan aged >= orphan_survival_months
    who survives the month of her mother's death. Includes the mother's death risk.

    ``mother_age_months``: the mother's age in the month of birth; None averages over births in the
    stable population (births weighted by the stable distribution of mothers' ages)."""
    cyc = life_cycle(cheetah, float(competitors))
    X = cyc.X

    def per_age(xb: np.ndarray) -> np.ndarray:
        """Survival of a cub born when the mother was aged xb (start of that month)."""
        out = np.zeros(len(xb))
        mum = np.ones(len(xb))                   # P(mother alive at the start of cub month c)
        for c in range(1, cyc.I):
            Sm = cyc.S[np.minimum(xb + c, X + 1)]
            own = cyc.s_cub ** c
            if c >= cheetah.orphan_survival_months:
                out += mum * (1 - Sm) * own      # orphaned at cub age c, survives the month
            if c == cyc.I - 1:
                out += mum * Sm * own           # leaves at the ageing phase of that month
            mum = mum * Sm
        return out

    if mother_age_months is not None:
        if not (isinstance(mother_age_months, (int, np.integer)) and 0 <= mother_age_months <= X):
            raise ValueError(f"mother_age_months must be a whole number 0..max_age_months ({X}), "
                             f"got {mother_age_months!r}")
        return float(per_age(np.array([int(mother_age_months)]))[0])
    ren = _renewal(cheetah, float(competitors))
    coh = ren.cohorts
    if ren.log_lambda_month == -math.inf or not coh["litters"].any():
        return math.nan
    U = coh["litters"].shape[0]
    u = np.arange(U)
    lw = -ren.log_lambda_month * u
    w = np.exp(lw - lw.max())[:, None] * ren.v[None, :] * coh["litters"]
    xb = (cyc.type_ages[None, :] + u[:, None]).ravel()
    return float((w.ravel() * per_age(xb)).sum() / w.sum())


__all__ = ["FemaleLifeCycle", "life_cycle", "deterministic_lambda", "deterministic_r",
           "generation_time_months", "net_reproductive_rate", "stable_stage_distribution",
           "projection_matrix", "expected_female_census", "extinction_probability",
           "type_extinction_probabilities", "female_lifespan_after_independence",
           "cub_survival_to_independence", "STAGE_NAMES"]
