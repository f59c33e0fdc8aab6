"""The female life cycle of the demography-only case as a monthly Markov chain: the exact model
the analytic expectations of :mod:`sim.analysis.demography` are computed from.

The *demography-only* case of the model (MODEL.md §6; docs/validation.md) is a female-only,
density-independent branching process, and the chain here follows the rules of :mod:`sim.model`
in that case exactly, not through mean litter sizes or annual rates:

* food unlimited (``rules.density: ceiling`` with no ``ceiling`` value), so no starvation;
* no environmental variation, no catastrophes, no people, roads, post-release or inbreeding
  effects; a constant competitor density ``competitors`` adds the cub predation hazard
  ``competitors x cub_predation_per_lion`` [per month]. ``competitors`` is a lion density
  [animals/km²] (lion-equivalent): the model's landscape has competitors by kind (lion, wolf,
  leopard; :func:`sim.life.mortality.predation` adds ``cub_predation_per_<kind> x density`` over
  the kinds), and a density d of another kind counts as ``d x cub_predation_per_<kind> /
  cub_predation_per_lion`` lions;
* a mate is always available (``rules.mate_finding: always``), so males do not matter, and
  every female may breed whether she holds a range or not (``breeding_females_must_be_resident:
  false``; the chain has no ranges).

**The monthly cycle** (the order of :meth:`sim.model.ReintroductionModel.step`) for a female;
a litter's age c is its age at the start of the month, which it keeps until the ageing phase:

1. *Mortality* with competing constant monthly hazards, death probability ``1 - exp(-ΣH)``. An
   independent female has the subadult hazard ``-ln(subadult_survival_female)/12`` below
   ``adult_months`` and the adult one ``-ln(adult_survival_female)/12`` from then on, multiplied by
   ``exp(senescence_rate_per_year x max(0, age - senescence_months)/12)`` (background plus
   senescence); she dies for certain at ``age >= max_age_months``. A dependent cub has
   a background hazard that depends on its age a at the start of the month
   (:func:`sim.life.mortality.cub_background_hazards`: draws at a = 1 .. ceil(independence_months)
   - 1; those at a < ``den_months`` carry survival ``cub_survival_base / cub_survival_after_emergence``,
   the others ``cub_survival_after_emergence``, each spread evenly) plus predation. Draws are
   simultaneous and independent; a dead mother's cubs younger than ``orphan_survival_months`` die
   ("orphaned"), older ones become independent at once (and still face their own draw of this
   month, with the cub hazard); a pregnancy dies with its mother. A surviving mother who lost her
   last cub gets a wait of ``remating_delay_months`` (also if she is pregnant).
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

**The chain.** A female's life is a Markov chain over (age, reproductive state), a state being
(k, c, n, w) at the start of a month: k = 0..g months of gestation left (0: not pregnant), c =
1 .. ceil(independence_months)-1 the litter's age and n = 1 .. 6 cubs alive (c = n = 0: no
cubs), w the wait left after losing a litter (see :class:`FemaleLifeCycle` for the layout). Sexes
of the surviving cubs are i.i.d. (cub deaths do not depend on sex), so only the number alive is
carried. A female *starts* at the beginning of her first month as an independent female; her
*type* is her age and state then: age ceil(independence_months) and open for a normal
independence, age c+1 and open (or pregnant, if she conceived at once) for an orphan made
independent at cub age c, age c+1 and open for a daughter released at cub age c by her mother's
next litter. :class:`FemaleLifeCycle` holds the month's rules (:meth:`FemaleLifeCycle._month`, the
one encoding the states and transitions are generated from), the chain's transitions, the
daughters each state starts, the offspring generating function (backward induction over the
mother's chain), the expected life of one female of each type (:meth:`FemaleLifeCycle.cohorts`)
and the chain's view of one cub and one birth (cub survival, the interval to the next birth).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.special import comb

from ..config.params import CheetahParams
from ..life.mortality import cub_background_hazard_at

OPEN = 0  #: index of the open state (no cubs, not pregnant, not waiting)

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
        pred = competitors * c.cub_predation_per_lion                 # per month, lion-equivalent
        #: monthly survival of a cub of litter age a (start of month), a = 0..I
        self.s_cub_at = np.array([math.exp(-(cub_background_hazard_at(c, a) + pred)) for a in range(self.I + 1)])
        self.S = self._survival()
        self.p = self._conception()
        self.n_wait = max(self.d - 1, 0)
        self.cub0 = 1 + self.g + self.n_wait
        k = np.arange(self.Lmax + 1)
        #: binom_at[a][n, n'] = P(n' of n cubs of litter age a survive their draws)
        self.binom_at = [np.tril(comb(k[:, None], k[None, :]) * s ** k[None, :]
                                 * (1 - s) ** np.maximum(k[:, None] - k[None, :], 0)) for s in self.s_cub_at]
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
        which it survives the month (their probabilities sum to s_cub_at[c]), and ``released`` tells
        whether it became independent."""
        k, c, n, w = state
        g, d, I = self.g, self.d, self.I
        if c > 0:
            if focal:
                alive = [(1 + j, self.s_cub_at[c] * self.binom_at[c][n - 1, j]) for j in range(n)]
            else:
                alive = [(j, self.binom_at[c][n, j]) for j in range(n + 1)]
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
                Do[r, self.type_index[(c + 1, OPEN)]] += m * self.s_cub_at[c] * self.fem * (1 - pc)
                if pc > 0:
                    Do[r, self.type_index[(c + 1, self.preg(g))]] += m * self.s_cub_at[c] * self.fem * pc
                phi[r] = self.s_cub_at[c]
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
            phi = 1 - self.s_cub_at[c] + self.s_cub_at[c] * (self.male + self.fem * val)        # per cub
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
    """The (cached) female life cycle for these parameters and lion density ``competitors``
    [animals/km²] (lion-equivalent, see the module docstring)."""
    return FemaleLifeCycle(cheetah, float(competitors))


__all__ = ["FemaleLifeCycle", "OPEN", "life_cycle"]
