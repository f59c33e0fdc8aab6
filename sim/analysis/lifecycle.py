"""The female life cycle of the demography-only case as a monthly Markov chain: the exact model
the analytic expectations of :mod:`sim.analysis.demography` are computed from.

The *demography-only* case of the model (MODEL.md §6; docs/validation.md) is a female-only,
density-independent branching process, and the chain here follows the rules of :mod:`sim.model`
in that case exactly, not through mean litter sizes or annual rates:

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
   ``h_cub = -ln(cub_survival_base)/(ceil(independence_months) - 1)`` (the number of monthly draws
   a cub faces; :func:`sim.life.mortality.cub_background_hazard`) plus predation. Draws are
   simultaneous and independent; a dead mother's cubs younger than ``orphan_survival_months`` die
   ("orphaned"), older ones become independent at once (and still face their own draw of this
   month, with the cub hazard). A surviving mother who lost her last cub waits
   ``remating_delay_months``.
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

**The chain.** A female's life is a Markov chain over (age, reproductive state), the states being
*open* (may conceive), *pregnant k* (k months of gestation left), *waiting w* and *with cubs*
(litter age c = 1 .. ceil(independence_months)-1 months, n = 1 .. 6 cubs alive). Sexes of the
surviving cubs are i.i.d. (cub deaths do not depend on sex), so only the number alive is carried.
A female *starts* at the beginning of her first month as an independent female; her *type* is her
age and state then: age ceil(independence_months) and open for a normal independence, age c+1 and
open (or pregnant, if she conceived at once) for an orphan made independent at cub age c.
:class:`FemaleLifeCycle` holds the chain's transitions, the daughters each state starts, the
offspring generating function (backward induction over the mother's chain) and the expected
life of one female of each type (:meth:`FemaleLifeCycle.cohorts`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.special import comb

from ..config.params import CheetahParams
from ..life.mortality import cub_background_hazard

OPEN = 0  #: index of the open state (no cubs, not pregnant, not waiting)


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


__all__ = ["FemaleLifeCycle", "OPEN", "life_cycle"]
