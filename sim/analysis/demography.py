"""Analytical expectations of the female demography that the agent-based model is checked against.

The *demography-only* case of the model (MODEL.md §6; docs/validation.md) is a female-only,
density-independent branching process, and everything here is computed exactly for the rules of
:mod:`sim.model` in that case, not approximated through mean litter sizes or annual rates:

* food unlimited (``rules.density: ceiling`` with no ``ceiling`` value), so no starvation;
* no environmental variation, no catastrophes, no people, roads, post-release or inbreeding
  effects; a constant competitor density ``competitors`` [animals/km²] adds the cub predation
  hazard ``competitors x cub_predation_per_competitor`` [per month];
* a mate is always available (``rules.mate_finding: always``), so males do not matter.

**The monthly cycle** (the order of :meth:`sim.model.ReintroductionModel.step`) for a female;
a litter's age c is its age at the start of the month, which it keeps until the ageing phase:

1. *Mortality* with competing constant monthly hazards, death probability ``1 - exp(-ΣH)``. An
   independent female has the subadult hazard ``-ln(subadult_survival_female)/12`` below
   ``adult_months`` and the adult one ``-ln(adult_survival_female)/12`` from then on, multiplied by
   ``exp(senescence_rate_per_year x max(0, age - senescence_months)/12)`` (background plus
   senescence); she dies for certain at ``age >= max_age_months``. A dependent cub has
   ``h_cub = -ln(cub_survival_base)/(ceil(independence_months) - 1)`` (the number of monthly draws
   a cub faces; sim.life.mortality.cub_background_hazard) plus predation. Draws are simultaneous
   and independent; a dead mother's cubs younger than ``orphan_survival_months`` die ("orphaned"),
   older ones become independent at once (and still face their own draw of this month, with the
   cub hazard); a pregnancy dies with its mother. A surviving mother who lost her last cub gets a
   wait of ``remating_delay_months`` (also if she is pregnant).
2. *Reproduction*: a pregnant female counts down and gives birth at 0 (litter size from
   ``litter_size_probs``, each cub female with probability ``1 - sex_ratio_at_birth``, age 0); her
   earlier litter, if still with her, becomes independent at that moment: its daughters start the
   next month as independent females aged c + 1, open (they were still cubs when this month's
   conceptions were decided). Else a waiting female (wait > 0, with or without cubs) counts down
   and cannot conceive this month; a pregnant female's wait does not count down, so a mother who
   lost her last cub while pregnant counts it down in her new litter's first months. Else a
   female aged ``female_first_conception_months..female_last_breeding_months`` without cubs, or
   with cubs aged ``c >= rebreed_cub_age_months`` (R), conceives with probability
   ``conception_prob_per_month`` (birth ``gestation_months`` later); the cubs stay with her while
   she is pregnant. An orphan made independent this month may conceive now if she is old enough.
3. *Ageing*: ages +1 month; cubs aged ``>= independence_months`` become independent (their mother,
   pregnant or not, keeps her reproductive state).

With R >= ceil(independence_months) no mother is ever pregnant with cubs and the cycle is the
earlier one (conception only without cubs, no release at births).

Ages are whole months; hazards use the age at the start of the month. Released founders are
independent females of a given age with no cubs, not pregnant, released at the start of a month
(the management phase precedes mortality).

**Method.** A female's life is a Markov chain over (age, reproductive state), a state being
(k, c, n, w) at the start of a month: k = 0..g months of gestation left (0: not pregnant), c =
1 .. ceil(independence_months)-1 the litter's age and n = 1 .. 6 cubs alive (c = n = 0: no
cubs), w the wait left after losing a litter (see :class:`FemaleLifeCycle` for the layout). Sexes
of the surviving cubs are i.i.d. (cub deaths do not depend on sex), so only the number alive is
carried. A female *starts* at the beginning of her first month as an independent female; her
*type* is her age and state then: age ceil(independence_months) and open for a normal
independence, age c+1 and open (or pregnant, if she conceived at once) for an orphan made
independent at cub age c, age c+1 and open for a daughter released at cub age c by her mother's
next litter.

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

# how a transition depends on the month's conception probability p: weight x 1, x (1 - p), x p
_FIXED, _NO, _YES = 0, 1, 2


# ============================================================================ the life cycle
class FemaleLifeCycle:
    """Monthly Markov chain of one female in the demography-only case (see the module docstring).

    A state is ``(k, c, n, w)`` at the start of a month: k months of gestation left (0 = not
    pregnant), litter age c and n cubs alive (0, 0 = no cubs), wait w left after losing a litter
    (``states[i]``; ``state_index[(k, c, n, w)]``). The layout starts as the chain without
    rebreeding had it: 0 = open; ``1..g`` = pregnant with k = 1..g months left (no cubs); then
    waiting w = 1..d-1; then with cubs (c, n), not pregnant, c = 1..I-1, n = 1..Lmax (g =
    gestation_months, d = remating_delay_months, I = ceil(independence_months)); then, in the
    order they are reached, the states that rebreeding adds: pregnant with cubs (k, c, n, 0),
    and a wait carried through a pregnancy (k, 0, 0, w) or into the next litter (0, c, n, w),
    kept only where it can still stop a conception (else it is dropped: the same future).

    Arrays (n = number of states, T = number of daughter types):
      ``S[x]``  probability that an independent female aged x survives the month (0 from max age);
      ``p[x]``  probability that an eligible female aged x conceives in the month (given she lives);
      ``P0``, ``P1`` (n, n): state transition given survival, ``P0 + p[x] P1`` at age x;
      ``Dn0``, ``Dn1`` (n, T): expected daughters started next month given the mother survives the
      month (normal independence, or released by her new litter), ``Dn0 + p[x] Dn1`` (Dn1 = 0:
      conceiving never moves a litter; ``Dn`` = Dn0); ``Do`` (n, T): the same if she dies in it
      (orphans).
    Sparse copies end in ``s`` (``P0s``, ...); ``*_plain`` and ``_rel_*`` split the transitions
    into those that release no daughters and those that do (for the generating functions).
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
        self.R = int(c.rebreed_cub_age_months)
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
        k = np.arange(self.Lmax + 1)
        s = self.s_cub
        B = comb(k[:, None], k[None, :]) * s ** k[None, :] * (1 - s) ** np.maximum(k[:, None] - k[None, :], 0)
        self.binom = np.tril(B)              # binom[n, n'] = P(n' of n cubs survive their draws)
        self._enumerate_states()
        self.n_states = len(self.states)
        self.types = self._types()
        self.type_index = {t: i for i, t in enumerate(self.types)}
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
        """Index of 'pregnant with k months left' without cubs (k = 1..g)."""
        return k

    def wait(self, w: int) -> int:
        """Index of 'waiting w more months' (w = 1..d-1)."""
        return self.g + w

    def cubs(self, c: int, n: int) -> int:
        """Index of 'with n cubs of litter age c', not pregnant (c = 1..I-1, n = 1..Lmax)."""
        return self.cub0 + (c - 1) * self.Lmax + (n - 1)

    def _orphan_ages(self) -> list[int]:
        """Cub ages (start of month) at which orphans survive as independent females."""
        return [c for c in range(1, self.I) if c >= self.cheetah.orphan_survival_months]

    # ------------------------------------------------------------------ the month's rules
    def _canon(self, state: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """Drop a wait that can no longer stop a conception: a wait w of a mother with a litter
        of age c blocks her conceptions at cub ages c .. c+w-1; if these are all below R and the
        wait ends before the litter leaves, the state has the future of the same state without
        it. A wait carried by a pregnancy starts counting at the new litter's age 1."""
        k, c, n, w = state
        if w > 0 and (c > 0 or k > 0):
            first = c if c > 0 else 1
            if first + w - 1 < self.R and first + w - 1 <= self.I - 1:
                return (k, c, n, 0)
        return state

    def _month(self, state: tuple[int, int, int, int], focal: bool = False) -> list[tuple]:
        """The month of a female who survives it, from ``state`` at its start (rules of the
        module docstring): a list of ``(prob, how, next_state, released, lost)``, ``how`` one of
        _FIXED, _NO (weight x (1 - p)), _YES (weight x p, she conceives); ``released`` = (type
        key (age, state), cubs alive) of a litter that becomes independent this month, or None;
        ``lost``: her litter died out this month.

        ``focal``: follow one particular cub of the litter instead: the outcomes are those in
        which it survives the month (their probabilities sum to s_cub), and ``released`` tells
        whether it became independent."""
        k, c, n, w = state
        g, d, I = self.g, self.d, self.I
        if c > 0:
            if focal:
                alive = [(1 + j, self.s_cub * self.binom[n - 1, j]) for j in range(n)]
            else:
                alive = [(j, self.binom[n, j]) for j in range(n + 1)]
        else:
            alive = [(0, 1.0)]
        out = []
        for nn, pr in alive:
            if pr == 0.0:
                continue
            cc, ww = c, w
            lost = c > 0 and nn == 0
            if lost:                                    # lost her last cub: the wait starts
                cc, ww = 0, d
            # reproduction: births (the earlier litter is released), then conceptions
            if k > 0:
                if k == 1:
                    rel = ((cc + 1, OPEN), nn) if cc > 0 else None
                    for L, pL in enumerate(self.litter_probs, start=1):
                        if pL > 0:
                            out.append((pr * pL, _FIXED, self._canon((0, 1, L, ww)), rel, lost))
                    continue
                branches = [(_FIXED, k - 1)]
            elif ww > 0:
                ww -= 1
                branches = [(_FIXED, 0)]
            elif cc == 0 or cc >= self.R:
                branches = [(_NO, 0), (_YES, g)]
            else:
                branches = [(_FIXED, 0)]
            # ageing: the litter leaves at independence
            rel, c2, n2 = None, cc, nn
            if cc > 0:
                c2 = cc + 1
                if c2 >= self.cheetah.independence_months:
                    rel, c2, n2 = ((I, OPEN), nn), 0, 0
            for how, kk in branches:
                out.append((pr, how, self._canon((kk, c2, n2, ww)), rel, lost))
        return out

    def _enumerate_states(self) -> None:
        g, I, Lmax = self.g, self.I, self.Lmax
        states = [(0, 0, 0, 0)] + [(k, 0, 0, 0) for k in range(1, g + 1)] + \
            [(0, 0, 0, w) for w in range(1, self.n_wait + 1)] + \
            [(0, c, n, 0) for c in range(1, I) for n in range(1, Lmax + 1)]
        index = {s: i for i, s in enumerate(states)}
        i = 0
        while i < len(states):                   # breadth first: every state reachable from these
            for _, _, nxt, _, _ in self._month(states[i]):
                if nxt not in index:
                    index[nxt] = len(states)
                    states.append(nxt)
            i += 1
        self.states = tuple(states)
        self.state_index = index
        self._k = np.array([s[0] for s in states])
        self._c = np.array([s[1] for s in states])
        self._n = np.array([s[2] for s in states])

    def _types(self) -> tuple[tuple[int, int], ...]:
        """Daughter types (age at start, state at start): normal independence first, then
        orphans, then daughters released by their mother's next litter."""
        types = [(self.I, OPEN)]
        for c in self._orphan_ages():
            for t in ((c + 1, OPEN), (c + 1, self.preg(self.g))):
                if t[1] != OPEN and self.p[c] == 0:
                    continue
                if t not in types:
                    types.append(t)
        released = sorted({rel[0] for st in self.states for *_, rel, _ in self._month(st) if rel is not None})
        for key in released:
            if key not in types:
                types.append(key)
        return tuple(types)

    def _build_transitions(self) -> None:
        n, T, g = self.n_states, len(self.types), self.g
        idx = self.state_index
        plain = ([], [], [], [])                  # rows, cols, w0, w1 (no daughters released)
        rel = ([], [], [], [], [], [])            # rows, cols, w0, w1, type, cubs released
        lost = ([], [], [], [])                   # the transitions in which the litter died out
        focal = ([], [], [], [])                  # one cub of the litter: continuing with her
        focal_rel = ([], [], [])                  # ... or released: rows, w0, w1

        def weights(pr, how):
            return (pr, 0.0) if how == _FIXED else (pr, -pr) if how == _NO else (0.0, pr)

        for r, st in enumerate(self.states):
            for pr, how, nxt, released, was_lost in self._month(st):
                w0, w1 = weights(pr, how)
                col = idx[nxt]
                if released is None or released[1] == 0:
                    for lst, v in zip(plain, (r, col, w0, w1)):
                        lst.append(v)
                else:
                    for lst, v in zip(rel, (r, col, w0, w1, self.type_index[released[0]], released[1])):
                        lst.append(v)
                if was_lost:
                    for lst, v in zip(lost, (r, col, w0, w1)):
                        lst.append(v)
            if st[1] > 0:
                for pr, how, nxt, released, _ in self._month(st, focal=True):
                    w0, w1 = weights(pr, how)
                    if released is None:
                        for lst, v in zip(focal, (r, idx[nxt], w0, w1)):
                            lst.append(v)
                    else:
                        for lst, v in zip(focal_rel, (r, w0, w1)):
                            lst.append(v)

        def csr(rows, cols, vals):
            return sparse.csr_matrix((np.asarray(vals, dtype=float), (np.asarray(rows, dtype=np.int64),
                                                                     np.asarray(cols, dtype=np.int64))), shape=(n, n))

        # sparse matrices for the hot loops (sparse products run in one thread: no BLAS contention)
        self.P0s_plain, self.P1s_plain = csr(plain[0], plain[1], plain[2]), csr(plain[0], plain[1], plain[3])
        r_rows, r_cols = np.asarray(rel[0], dtype=np.int64), np.asarray(rel[1], dtype=np.int64)
        self._rel_rows, self._rel_cols = r_rows, r_cols
        self._rel_w0, self._rel_w1 = np.asarray(rel[2], dtype=float), np.asarray(rel[3], dtype=float)
        self._rel_type, self._rel_m = np.asarray(rel[4], dtype=np.int64), np.asarray(rel[5], dtype=float)
        self._rel_sum = sparse.csr_matrix((np.ones(len(r_rows)), (r_rows, np.arange(len(r_rows)))),
                                          shape=(n, len(r_rows)))     # sums released transitions per row
        # one sparsity pattern for plain and released transitions, to fold the daughters' factors
        # of one set of daughter values into a single matrix (see _matrices)
        rows = np.concatenate([np.asarray(plain[0], dtype=np.int64), r_rows])
        cols = np.concatenate([np.asarray(plain[1], dtype=np.int64), r_cols])
        pattern = sparse.csr_matrix((np.arange(1, rows.size + 1, dtype=float), (rows, cols)), shape=(n, n))
        pattern.sum_duplicates()
        pattern.sort_indices()
        key = rows * n + cols
        ukey = np.repeat(np.arange(n), np.diff(pattern.indptr)) * n + pattern.indices
        pos = np.searchsorted(ukey, key)         # ukey is sorted (rows, then sorted columns)
        self._u_indptr, self._u_indices = pattern.indptr.copy(), pattern.indices.copy()
        n_plain = len(plain[0])
        self._u_pos_rel = pos[n_plain:]
        self._u_base0 = np.bincount(pos[:n_plain], np.asarray(plain[2], dtype=float), minlength=ukey.size)
        self._u_base1 = np.bincount(pos[:n_plain], np.asarray(plain[3], dtype=float), minlength=ukey.size)
        self.P0s = (self.P0s_plain + csr(r_rows, r_cols, self._rel_w0)).tocsr()
        self.P1s = (self.P1s_plain + csr(r_rows, r_cols, self._rel_w1)).tocsr()
        self.P0s.eliminate_zeros()
        self.P1s.eliminate_zeros()
        self.P0, self.P1 = self.P0s.toarray(), self.P1s.toarray()
        self.lost0s, self.lost1s = csr(lost[0], lost[1], lost[2]), csr(lost[0], lost[1], lost[3])
        # expected daughters: released with the mother alive (Dn = Dn0 + p Dn1), orphans (Do)
        Dn0, Dn1, Do = np.zeros((n, T)), np.zeros((n, T)), np.zeros((n, T))
        np.add.at(Dn0, (r_rows, self._rel_type), self._rel_w0 * self._rel_m * self.fem)
        np.add.at(Dn1, (r_rows, self._rel_type), self._rel_w1 * self._rel_m * self.fem)
        Dn1[np.abs(Dn1) < 1e-15] = 0.0           # structurally 0: conceiving never moves a litter
        phi = np.zeros(n)                         # per-cub survival of an orphan of this state
        orphans = set(self._orphan_ages())
        for r, (k, c, m, w) in enumerate(self.states):
            if c in orphans:
                pc = self.p[c]
                Do[r, self.type_index[(c + 1, OPEN)]] += m * self.s_cub * self.fem * (1 - pc)
                if pc > 0:
                    Do[r, self.type_index[(c + 1, self.preg(g))]] += m * self.s_cub * self.fem * pc
                phi[r] = self.s_cub
        self.Dn0, self.Dn1, self.Do = Dn0, Dn1, Do
        self.Dn = Dn0                             # p-independent (Dn1 == 0); kept for callers
        self.Dn0s, self.Dn1s, self.Dos = sparse.csr_matrix(Dn0), sparse.csr_matrix(Dn1), sparse.csr_matrix(Do)
        self._orphan_value = phi
        # one cub of the litter (cub survival): continuing, released (its value 1)
        self.F0s, self.F1s = csr(focal[0], focal[1], focal[2]), csr(focal[0], focal[1], focal[3])
        self.f_rel0 = np.bincount(np.asarray(focal_rel[0], dtype=np.int64), np.asarray(focal_rel[1]), minlength=n)
        self.f_rel1 = np.bincount(np.asarray(focal_rel[0], dtype=np.int64), np.asarray(focal_rel[2]), minlength=n)
        self.birth_rows = np.flatnonzero(self._k == 1)
        self.cubvec = self._n * self.fem         # female cubs with a mother in each state

    # ------------------------------------------------------------------ generating functions
    def _pgf_parts(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For daughter-type values s (B, T): the factor of each transition that releases
        daughters, ``F`` (B, n_released) = (male + fem s_type)^cubs, and the value if the mother
        dies, Φ(s) (B, n).

        The value of a daughter of type j is s_j (her line's extinction probability, or the PGF
        argument); a male or a dead cub contributes 1."""
        B = s.shape[0]
        g = self.g
        psi = self.male + self.fem * s                                        # (B, T) per surviving cub
        F = psi[:, self._rel_type] ** self._rel_m[None, :]
        Phi = np.ones((B, self.n_states))
        for c in self._orphan_ages():
            pc = self.p[c]
            val = (1 - pc) * s[:, self.type_index[(c + 1, OPEN)]]
            if pc > 0:
                val = val + pc * s[:, self.type_index[(c + 1, self.preg(g))]]
            phi = 1 - self.s_cub + self.s_cub * (self.male + self.fem * val)        # per cub
            rows = np.flatnonzero(self._c == c)
            Phi[:, rows] = phi[:, None] ** self._n[rows][None, :]
        return F, Phi

    def _matrices(self, F: np.ndarray) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """P0(s), P1(s): the transition matrices with the daughters' factors F (1, n_released) of
        one set of daughter values folded in."""
        n = self.n_states
        d0 = self._u_base0 + np.bincount(self._u_pos_rel, self._rel_w0 * F[0], minlength=self._u_base0.size)
        d1 = self._u_base1 + np.bincount(self._u_pos_rel, self._rel_w1 * F[0], minlength=self._u_base1.size)
        return (sparse.csr_matrix((d0, self._u_indices, self._u_indptr), shape=(n, n)),
                sparse.csr_matrix((d1, self._u_indices, self._u_indptr), shape=(n, n)))

    def _continue(self, nxt: np.ndarray, F: np.ndarray, p: np.ndarray | float,
                  mats: tuple | None = None) -> np.ndarray:
        """Σ_r' [P0(s) + p P1(s)][r, r'] nxt[..., r'] for values nxt (R, n) at the next age: the
        value of surviving the month. ``F`` (R or 1, n_released) from :meth:`_pgf_parts`; ``p``
        conception probability per row (R, 1) or scalar; ``mats``: :meth:`_matrices` of F if F
        has one row (faster). Sparse products: no BLAS threads."""
        if mats is None and F.shape[0] == 1:
            mats = self._matrices(F)
        if mats is not None:
            out = (mats[0] @ nxt.T).T
            if np.any(p):
                out += p * (mats[1] @ nxt.T).T
            return out
        out = (self.P0s_plain @ nxt.T).T
        if np.any(p):
            out += p * (self.P1s_plain @ nxt.T).T
            w = self._rel_w0[None, :] + p * self._rel_w1[None, :]
        else:
            w = self._rel_w0[None, :]
        if self._rel_rows.size:
            out += (self._rel_sum @ (w * F * nxt[:, self._rel_cols]).T).T
        return out

    def pgf_values(self, s: np.ndarray) -> np.ndarray:
        """V (B, X+1, n): the offspring PGF of a female of each age and state, evaluated at the
        daughter-type values s (B, T); by backward induction from the maximum age."""
        s = np.atleast_2d(np.asarray(s, dtype=float))
        F, Phi = self._pgf_parts(s)
        B, X = s.shape[0], self.X
        V = np.empty((B, X + 1, self.n_states))
        V[:, X] = Phi                                  # certain death at the maximum age
        mats = self._matrices(F) if B == 1 else None
        for x in range(X - 1, -1, -1):
            cont = self._continue(V[:, x + 1], F, self.p[x], mats)
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
        cubs with her then; ``litters`` (U, T): expected litters born in month u; ``births`` (U, T,
        J): the same by the mother's state at the start of that month (``birth_rows``)."""
        T = len(self.types)
        a = self.type_ages
        U = self.X - int(a.min()) + 1
        D = np.zeros((T, self.n_states))
        D[np.arange(T), [r for _, r in self.types]] = 1.0
        M = np.zeros((U, T, T))
        alive = np.zeros((U, T))
        cubs_f = np.zeros((U, T))
        births = np.zeros((U, T, len(self.birth_rows)))
        P0t, P1t, Dn0t, Dn1t, Dot = self.P0s.T.tocsr(), self.P1s.T.tocsr(), self.Dn0s.T.tocsr(), \
            self.Dn1s.T.tocsr(), self.Dos.T.tocsr()
        for u in range(U):
            xi = np.minimum(a + u, self.X + 1)
            Sx, px = self.S[xi], self.p[xi]
            alive[u] = D.sum(axis=1)
            cubs_f[u] = D @ self.cubvec
            DS = D * Sx[:, None]
            births[u] = DS[:, self.birth_rows]
            M[u] = (Dn0t @ DS.T).T + px[:, None] * (Dn1t @ DS.T).T + (Dot @ (D - DS).T).T
            D = (P0t @ DS.T).T + px[:, None] * (P1t @ DS.T).T
        return {"M": M, "alive": alive, "cubs_f": cubs_f, "litters": births.sum(axis=2), "births": births}

    # ------------------------------------------------------------------ one cub, one birth
    def cub_values(self) -> np.ndarray:
        """f (X+2, n): probability that a given cub of a mother aged x in state r (start of the
        month, the cub alive then) becomes an independent animal alive at that moment (normal
        independence, released by its mother's next litter, or orphaned old enough)."""
        X, n = self.X, self.n_states
        f = np.zeros((X + 2, n))
        orph = self._orphan_value
        f[X + 1] = orph                                # S[X+1] = 0
        for x in range(X, -1, -1):
            cont = self.F0s @ f[x + 1] + self.f_rel0
            if self.p[x]:
                cont = cont + self.p[x] * (self.F1s @ f[x + 1] + self.f_rel1)
            f[x] = (1 - self.S[x]) * orph + self.S[x] * cont
        return f

    def newborn_values(self) -> np.ndarray:
        """h (X+1, J): for a mother aged x in birth state ``birth_rows[j]`` (pregnant, 1 month
        left) who survives the month, the probability that a cub she bears becomes independent
        alive (cubs of all litter sizes weighted equally)."""
        f = self.cub_values()
        X = self.X
        h = np.zeros((X + 1, len(self.birth_rows)))
        for j, r in enumerate(self.birth_rows):
            outs = self._month(self.states[r])
            cols = np.array([self.state_index[nxt] for _, _, nxt, _, _ in outs])
            w = np.array([pr * nxt[2] for pr, _, nxt, _, _ in outs])           # x cubs born
            h[:, j] = f[1: X + 2, cols] @ w / w.sum()
        return h

    def interbirth_months(self, mother_age_months: int) -> tuple[float, float]:
        """For a mother aged ``mother_age_months`` (start of the month) giving birth (no wait
        carried) and surviving the month: (mean months from this birth to her next birth, among
        mothers who give birth again without losing this litter while it is with her; the
        probability of that). The litter is "reared to the new birth": at least one cub alive
        until it becomes independent (at the ageing or at the next birth)."""
        X, n = self.X, self.n_states
        r0 = self.preg(1)
        D = np.zeros(n)
        for pr, _, nxt, _, _ in self._month(self.states[r0]):
            D[self.state_index[nxt]] += pr
        keep0 = (self.P0s - self.lost0s).T.tocsr()
        keep1 = (self.P1s - self.lost1s).T.tocsr()
        tot = mean = 0.0
        for u in range(1, X - mother_age_months + 1):
            x = mother_age_months + u
            DS = D * self.S[x]
            b = DS[self.birth_rows].sum()                 # next birth in month u after this one
            tot += b
            mean += u * b
            DS[self.birth_rows] = 0.0
            D = keep0 @ DS + self.p[x] * (keep1 @ DS)
        return (mean / tot if tot > 0 else math.nan), tot


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
