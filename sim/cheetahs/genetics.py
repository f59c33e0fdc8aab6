"""Neutral genetics and pedigree inbreeding of the cheetahs (Vortex-style).

One :class:`Genetics` object per replicate holds, for every living cheetah, a diploid neutral
genotype and its pedigree kinship with every other living cheetah. Agents keep only an integer
*genetic slot* id; the arrays live here so that births, deaths and census statistics are numpy
operations over the living population (no Python loops over animals).

Definitions (as in Vortex, Lacy 1993; Lacy, Miller & Traylor-Holzer 2021 manual):

* Founders (released or wild-caught animals of unknown ancestry) are unrelated and non-inbred
  (F = 0, kinship 0 with everyone) and carry two *founder-unique* alleles at every locus:
  allele ids ``2k`` and ``2k + 1`` for the k-th founder ever created. Because every founder
  allele is distinct, identity in state equals identity by descent, so gene diversity measures
  the founder diversity retained.
* Kinship θ(a, b) is the probability that an allele drawn at random from a and one drawn at
  random from b are identical by descent. Self-kinship θ(a, a) = ½ (1 + F_a).
* A newborn c of mother m and father f has F_c = θ(m, f) and, for every living j,
  θ(c, j) = ½ (θ(m, j) + θ(f, j)) (the standard additive recursion; exact because j is not a
  descendant of c).
* Each parent passes one of its two alleles per locus, chosen with probability ½ independently
  across loci (unlinked neutral loci, no mutation).

The kinship matrix covers living individuals only: a dead animal's row and column are left as
they are when its slot is freed (nothing reads them: kinship of the living never needs the dead
again, all future kinships derive from the living parents' rows) and are overwritten whole when
the slot is reused, by a founder (zeros) or a birth (the mean of the parents' rows over every
slot in use). Storage grows by doubling; freed slots are reused.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["Genetics", "expected_heterozygosity_after"]


def expected_heterozygosity_after(H0: float, Ne: float, t: float) -> float:
    """Expected gene diversity after ``t`` generations of drift at effective size ``Ne`` (animals).

    H_t = H0 (1 − 1/(2 Ne))^t (Wright 1931). ``t`` is in generations, not months: divide a
    horizon in months by the generation time in months before calling.
    """
    if Ne <= 0:
        raise ValueError(f"Ne must be positive (got {Ne})")
    if t < 0:
        raise ValueError(f"t (generations) must be >= 0 (got {t})")
    return float(H0) * (1.0 - 1.0 / (2.0 * Ne)) ** t


class Genetics:
    """Genotypes, pedigree kinship and inbreeding of the living animals of one replicate.

    Parameters
    ----------
    n_loci:
        Number of unlinked neutral diploid loci (>= 1).
    rng:
        The replicate's numpy Generator; the only source of randomness (Mendelian segregation).
    initial_capacity:
        Initial number of slots; doubled whenever full. Per-birth cost is O(slots ever in use at
        once), i.e. O(peak living population).
    """

    def __init__(self, n_loci: int, rng: np.random.Generator, initial_capacity: int = 64,
                 n_lethal_loci: int = 0) -> None:
        if not isinstance(n_loci, (int, np.integer)) or isinstance(n_loci, bool) or n_loci < 1:
            raise ValueError(f"n_loci must be a positive integer (got {n_loci!r})")
        if not isinstance(n_lethal_loci, (int, np.integer)) or n_lethal_loci < 0:
            raise ValueError(f"n_lethal_loci must be an integer >= 0 (got {n_lethal_loci!r})")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator (got {type(rng).__name__})")
        cap = max(1, int(initial_capacity))
        self.n_loci = int(n_loci)
        self.n_lethal_loci = int(n_lethal_loci)
        self._rng = rng
        self._loci = np.arange(self.n_loci)
        # neutral loci first, then the lethal loci (allele ids as at neutral loci; even = lethal)
        self._genotype = np.zeros((cap, self.n_loci + self.n_lethal_loci, 2), dtype=np.int32)
        self._lethal = np.zeros(cap, dtype=bool)      # homozygous for a recessive lethal allele
        self._kin = np.zeros((cap, cap), dtype=np.float64)
        self._F = np.zeros(cap, dtype=np.float64)
        self._alive = np.zeros(cap, dtype=bool)
        self._high_water = 0          # slots [0, high_water) have ever been used
        # freed slots below high_water, reused last-in first-out: a stack, _free[:_n_free]
        self._free = np.zeros(cap, dtype=np.int64)
        self._n_free = 0
        self._n_founders = 0          # founders ever created (allele ids < 2 * this)
        self._held = np.zeros(cap, dtype=np.int64)   # holders of each slot (the animal; pregnancies it sired)
        self._queue: list[tuple] = []      # batches of litters drawn but not yet filled in (see litter)

    # ------------------------------------------------------------------ storage
    @property
    def capacity(self) -> int:
        """Current number of slots (living + free + never used)."""
        return self._F.shape[0]

    @property
    def n_alive(self) -> int:
        """Number of living individuals."""
        return int(np.count_nonzero(self._alive[: self._high_water]))

    @property
    def n_founders(self) -> int:
        """Number of founders created so far (each brought 2 unique alleles per locus)."""
        return self._n_founders

    def _grow(self) -> None:
        old = self.capacity
        new = 2 * old
        genotype = np.zeros((new,) + self._genotype.shape[1:], dtype=np.int32)
        genotype[:old] = self._genotype
        lethal = np.zeros(new, dtype=bool)
        lethal[:old] = self._lethal
        self._lethal = lethal
        kin = np.zeros((new, new), dtype=np.float64)
        kin[:old, :old] = self._kin
        F = np.zeros(new, dtype=np.float64)
        F[:old] = self._F
        alive = np.zeros(new, dtype=bool)
        alive[:old] = self._alive
        self._genotype, self._kin, self._F, self._alive = genotype, kin, F, alive
        self._free = np.concatenate([self._free, np.zeros(new - old, dtype=np.int64)])
        self._held = np.concatenate([self._held, np.zeros(new - old, dtype=np.int64)])

    def _allocate(self) -> int:
        if self._n_free:
            self._n_free -= 1
            slot = int(self._free[self._n_free])
        else:
            if self._high_water == self.capacity:
                self._grow()
            slot = self._high_water
            self._high_water += 1
        self._alive[slot] = True
        return slot

    def _check_alive(self, slot: int, role: str = "slot") -> int:
        s = int(slot)
        if not (0 <= s < self._high_water and self._alive[s]):
            raise ValueError(f"{role} {slot!r} is not a living individual's genetic slot")
        return s

    # ------------------------------------------------------------------ life events
    def founder(self) -> int:
        """Add a founder (unrelated, F = 0, two alleles per locus unique to it; at each lethal
        locus one of them, 2k, is a recessive lethal); return its slot."""
        self.fill_queued()
        slot = self._allocate()
        k = self._n_founders
        self._n_founders += 1
        self._genotype[slot, :, 0] = 2 * k
        self._genotype[slot, :, 1] = 2 * k + 1
        self._lethal[slot] = False
        hw = self._high_water
        self._kin[slot, :hw] = 0.0
        self._kin[:hw, slot] = 0.0
        self._kin[slot, slot] = 0.5
        self._F[slot] = 0.0
        return slot

    def _births(self, m: int, f: int, picks: np.ndarray) -> list[int]:
        """Create children of living slots m, f, one per row of ``picks`` (children, 2, n_loci)
        in {0, 1}, which chooses the mother's (row 0) and father's (row 1) transmitted allele at
        each locus. The slots are allocated first, then filled one child after the other
        (:func:`_fill_children`): a later litter-mate's slot may hold a dead animal's row when an
        earlier one is filled, which the later one's own row then overwrites."""
        slots = np.array([self._allocate() for _ in range(picks.shape[0])], dtype=np.int64)
        _fill_children(self._genotype, self._kin, self._F, self._lethal, self.n_loci, m, f,
                       picks.astype(np.int64), slots, self._high_water)
        return slots.tolist()

    def offspring(self, mother: int, father: int) -> int:
        """Add one child of two living parents; return its slot.

        One allele per locus comes from each parent at random (one rng call); F_child is the
        parents' kinship; the child's kinship row is the mean of the parents' rows. ``mother ==
        father`` (selfing) is accepted and handled exactly, for idealised Wright-Fisher checks.
        """
        self.fill_queued()
        m = self._check_alive(mother, "mother")
        f = self._check_alive(father, "father")
        picks = self._rng.integers(0, 2, size=(2, self._genotype.shape[1]))
        return self._births(m, f, picks[None])[0]

    def litter(self, mother: int, father: int, n: int, *, queue: bool = False) -> list[int]:
        """Add ``n`` full-sib children of two living parents (one rng call); return their slots.

        Children are added one after another with the general rule, so litter-mates get the
        correct full-sib kinship ½ (θ(m, c2) + θ(f, c2)) with each other.

        ``queue``: draw the alleles and take the slots now, but fill the children in later, with
        every litter queued so far, in one compiled call (:meth:`fill_queued`, which every other
        method calls first, so the results are those of filling each litter at once: the
        reproduction phase queues a month's litters).
        """
        m = self._check_alive(mother, "mother")
        f = self._check_alive(father, "father")
        if n < 0:
            raise ValueError(f"litter size n must be >= 0 (got {n})")
        if n == 0:
            return []
        picks = self.draw_picks(int(n))
        if queue:
            slots = [self._allocate() for _ in range(int(n))]
            self._queue.append((np.array([m]), np.array([f]), np.array([0, n]), np.array([self._high_water]),
                                picks, np.array(slots, dtype=np.int64)))
            return slots
        self.fill_queued()
        return self._births(m, f, picks)

    def draw_picks(self, n: int) -> np.ndarray:
        """The alleles ``n`` full sibs get from their parents (one rng call): picks (n, 2, loci) in
        {0, 1}, row 0 the mother's allele, row 1 the father's. Drawn flat and reshaped (the same
        numbers as ``size=(n, 2, loci)``, without numpy's shaped-size handling)."""
        loci = self._genotype.shape[1]
        return self._rng.integers(0, 2, n * 2 * loci).reshape(n, 2, loci)

    def litters(self, dams: np.ndarray, sires: np.ndarray, sizes: np.ndarray, picks: np.ndarray) -> np.ndarray:
        """A month's litters, one after the other, as ``litter(dam, sire, n, queue=True)`` with
        the alleles already drawn (``picks``: the litters' :meth:`draw_picks` concatenated), then
        ``hold(kid, new=True)`` for each child and ``release(sire)`` (the pregnancy's hold on the
        sire's slot ends at the birth, freeing the slot of a sire that died in the meantime for
        the next litter). Returns the children's slots (one litter after the other); the
        children are filled in later, with the queue (:meth:`fill_queued`)."""
        dams = np.asarray(dams, dtype=np.int64)
        sires = np.asarray(sires, dtype=np.int64)
        sizes = np.asarray(sizes, dtype=np.int64)
        hw = self._high_water
        if not (_all_living(dams, self._alive, hw) and _all_living(sires, self._alive, hw)):
            parents = dams.tolist() + sires.tolist()
            raise ValueError(f"parents {parents} are not all living individuals' genetic slots")
        starts = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        slots = np.empty(starts[-1], dtype=np.int64)
        hws = np.empty(sizes.size, dtype=np.int64)
        done = 0
        while True:
            done, self._n_free, self._high_water = _litter_slots(
                sizes, sires, starts, done, self._held, self._alive, self._F, self._free, self._n_free,
                self._high_water, self.capacity, slots, hws)
            if done == sizes.size:
                break
            self._grow()                      # as _allocate grows: when the stack is empty and storage full
        if slots.size:
            self._queue.append((dams, sires, starts, hws, picks, slots))
        return slots

    def fill_queued(self) -> None:
        """Fill in the children of the queued litters, in the order they were drawn."""
        if not self._queue:
            return
        queue, self._queue = self._queue, []
        if len(queue) == 1:
            dams, sires, starts, hws, picks, slots = queue[0]
        else:
            dams, sires, hws, picks, slots = (np.concatenate([q[k] for q in queue]) for k in (0, 1, 3, 4, 5))
            offsets = np.cumsum([0] + [q[2][-1] for q in queue])
            starts = np.concatenate([[0]] + [q[2][1:] + off for q, off in zip(queue, offsets)])
        int64 = np.int64                      # (already int64 as queued: no copies)
        _fill_litters(self._genotype, self._kin, self._F, self._lethal, self.n_loci, np.asarray(dams, int64),
                      np.asarray(sires, int64), np.asarray(starts, int64), np.asarray(hws, int64),
                      np.asarray(picks, int64), np.asarray(slots, int64))

    def remove(self, slot: int) -> None:
        """The individual died (or left the population): free its slot for reuse."""
        s = self._check_alive(slot)
        self._alive[s] = False
        self._F[s] = 0.0
        self._free[self._n_free] = s
        self._n_free += 1

    # ------------------------------------------------------------------ holders of a slot
    def hold(self, slot: int, new: bool = False) -> None:
        """Keep ``slot`` alive for one more holder: the animal itself (``new``: its first
        holder), or a pregnancy it sired (the sire may die before the birth)."""
        self._held[slot] = 1 if new else self._held[slot] + 1

    def hold_all(self, slots: np.ndarray) -> None:
        """:meth:`hold` (not new) for each of ``slots`` (repeats count once each)."""
        _hold_all(self._held, np.asarray(slots, dtype=np.int64))

    def release(self, slot: int) -> None:
        """One holder of ``slot`` is gone; the slot is freed (:meth:`remove`) with its last
        holder. Slots never held (or negative) are ignored."""
        if slot < 0 or slot >= self._held.size or self._held[slot] <= 0:
            return
        self._held[slot] -= 1
        if self._held[slot] == 0:
            self.remove(slot)

    def release_all(self, slots: np.ndarray) -> None:
        """:meth:`release` of each of ``slots`` in order (negative ones are skipped): the freed
        slots go on the stack in that order, so they are reused as after one call per slot."""
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size:
            self._n_free = _release_all(slots, self._held, self._alive, self._F, self._free, self._n_free)
            if self._n_free < 0:
                raise ValueError(f"slots {slots.tolist()} held but not all living individuals' genetic slots")

    # ------------------------------------------------------------------ queries
    def F(self, slot: int) -> float:
        """Inbreeding coefficient (pedigree F) of a living individual."""
        self.fill_queued()
        return float(self._F[self._check_alive(slot)])

    def inbreeding(self, slots) -> np.ndarray:
        """Inbreeding coefficients (pedigree F) of living individuals."""
        self.fill_queued()
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size and not (np.all((slots >= 0) & (slots < self._high_water)) and self._alive[slots].all()):
            raise ValueError(f"slots {slots.tolist()} are not all living individuals' genetic slots")
        return self._F[slots]

    def newborn(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`inbreeding` and :meth:`lethal` of the children in ``slots`` (int64), just taken
        by :meth:`litters` or :meth:`litter` (so alive: not checked again)."""
        self.fill_queued()
        return self._F[slots], self._lethal[slots]

    def lethal(self, slots) -> np.ndarray:
        """Whether each of these animals is homozygous for a recessive lethal allele (it dies in
        its first year)."""
        self.fill_queued()
        return self._lethal[np.asarray(slots, dtype=np.int64)]

    def lethal_alleles(self, slots) -> float:
        """Mean number of recessive lethal alleles carried per animal (NaN if none): the lethal
        genetic load, which selection against homozygotes purges."""
        self.fill_queued()
        slots = np.asarray(slots, dtype=np.int64)
        if slots.size == 0 or self.n_lethal_loci == 0:
            return float("nan") if slots.size == 0 else 0.0
        g = self._genotype[slots, self.n_loci:, :]
        return float(np.count_nonzero(g % 2 == 0) / slots.size)

    def kinships(self, a, b) -> np.ndarray:
        """Pedigree kinship θ between animals in slots ``a`` and those in ``b`` (a matrix)."""
        self.fill_queued()
        return _kinships(self._kin, np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))

    def kinship(self, a: int, b: int) -> float:
        """Pedigree kinship θ(a, b) of two living individuals (θ(a, a) = ½ (1 + F_a))."""
        self.fill_queued()
        return float(self._kin[self._check_alive(a), self._check_alive(b)])

    def genotype(self, slot: int) -> np.ndarray:
        """Copy of a living individual's alleles, shape (n_loci, 2); column 0 maternal, 1 paternal."""
        self.fill_queued()
        return self._genotype[self._check_alive(slot), :self.n_loci].copy()

    def living_slots(self) -> np.ndarray:
        """Slots of all living individuals, ascending."""
        return np.flatnonzero(self._alive[: self._high_water])

    def _allele_counts(self, slots=None) -> tuple[np.ndarray, int]:
        """Allele counts per locus, shape (n_loci, 2 * n_founders), and the number of animals
        counted (all living slots, or the given ``slots``)."""
        self.fill_queued()
        living = self.living_slots() if slots is None else np.asarray(slots, dtype=np.int64)
        n_ids = 2 * self._n_founders
        g = self._genotype[living, :self.n_loci]                    # (n, L, 2): neutral loci
        keys = g + (self._loci * n_ids)[None, :, None]              # separate id range per locus
        counts = np.bincount(keys.ravel(), minlength=self.n_loci * n_ids)
        return counts.reshape(self.n_loci, n_ids), living.size

    def gene_diversity(self, slots=None) -> float:
        """Expected heterozygosity of the living, mean over loci of 1 − Σ p_i².

        ``slots``: count only these animals (the model passes the animals alive, leaving out the
        slot of a dead sire that is kept until his last litter is born).

        Allele frequencies p_i are taken over all 2n alleles of the n living animals. This is the
        uncorrected form Vortex reports (no 2n/(2n−1) small-sample correction), so n unrelated
        founders give 1 − 1/(2n). NaN if nobody is alive.
        """
        counts, n = self._allele_counts(slots)
        if n == 0:
            return float("nan")
        p = counts / (2.0 * n)
        return float(np.mean(1.0 - np.sum(p * p, axis=1)))

    def alleles_per_locus(self) -> float:
        """Mean number of distinct alleles per locus among the living (NaN if none)."""
        counts, n = self._allele_counts()
        if n == 0:
            return float("nan")
        return float(np.mean(np.count_nonzero(counts, axis=1)))

    def mean_F(self) -> float:
        """Mean inbreeding coefficient of the living (NaN if none)."""
        self.fill_queued()
        living = self.living_slots()
        if living.size == 0:
            return float("nan")
        return float(self._F[living].mean())

    def mean_kinship(self, slots=None) -> float:
        """Mean kinship over all ordered pairs including self-pairs of the living (or of the
        given ``slots``; NaN if none).

        1 − mean_kinship is the pedigree expectation of :meth:`gene_diversity` (gene diversity
        relative to the founders), the quantity Vortex and studbook managers minimise.
        """
        self.fill_queued()
        living = self.living_slots() if slots is None else np.asarray(slots, dtype=np.int64)
        if living.size == 0:
            return float("nan")
        return float(self._kin[np.ix_(living, living)].mean())


@njit(cache=True)
def _hold_all(held, slots):
    """:meth:`Genetics.hold_all`: one more holder of each of ``slots`` (``np.add.at(held, slots, 1)``)."""
    for s in slots:
        held[s] += 1


@njit(cache=True)
def _kinships(kin, a, b):
    """``kin[np.ix_(a, b)]``: the kinships of ``a`` (rows) with ``b`` (columns)."""
    out = np.empty((a.size, b.size))
    for i in range(a.size):
        for j in range(b.size):
            out[i, j] = kin[a[i], b[j]]
    return out


@njit(cache=True)
def _release_all(slots, held, alive, F, free, n_free):
    """:meth:`Genetics.release` of ``slots`` in order; returns the new stack size (-1: a held slot
    was not alive)."""
    for s in slots:
        if s < 0 or s >= held.size or held[s] <= 0:
            continue
        held[s] -= 1
        if held[s] == 0:
            if not alive[s]:
                return -1
            alive[s] = False
            F[s] = 0.0
            free[n_free] = s
            n_free += 1
    return n_free


@njit(cache=True)
def _all_living(slots, alive, hw):
    """Whether every one of ``slots`` is a living individual's (0 <= slot < ``hw``, alive)."""
    for s in slots:
        if s < 0 or s >= hw or not alive[s]:
            return False
    return True


@njit(cache=True)
def _litter_slots(sizes, sires, starts, first, held, alive, F, free, n_free, hw, capacity, slots, hws):
    """Slots of litters ``first``, ``first + 1``, ... (see :meth:`Genetics.litters`): each child
    takes the top of the free stack, else the next never-used slot, and is held by itself; then
    the sire's hold ends. Stops before a litter that needs more storage than ``capacity``.
    Returns (litters done, stack size, high-water mark)."""
    for i in range(first, sizes.size):
        if hw + max(sizes[i] - n_free, 0) > capacity:
            return i, n_free, hw
        for k in range(starts[i], starts[i + 1]):
            if n_free > 0:
                n_free -= 1
                s = free[n_free]
            else:
                s = hw
                hw += 1
            alive[s] = True
            held[s] = 1
            slots[k] = s
        hws[i] = hw
        s = sires[i]
        if s >= 0 and held[s] > 0:
            held[s] -= 1
            if held[s] == 0:
                alive[s] = False
                F[s] = 0.0
                free[n_free] = s
                n_free += 1
    return sizes.size, n_free, hw


@njit(cache=True)
def _fill_children(genotype, kin, F, lethal, n_neutral, m, f, picks, slots, hw):
    """Genotypes, kinship rows and F of children of m and f in ``slots``, as if filled one after
    the other: F_child = θ(m, f); θ(child, j) = ½ (θ(m, j) + θ(f, j)) for every slot j < hw (values
    at freed slots are meaningless and overwritten when the slot is reused), θ(child, child) = ½ (1 +
    F_child). Later litter-mates see the earlier ones' rows, so full sibs get their kinship
    exactly.

    The rows are computed first (a litter-mate filled earlier is, in the parents' rows, the mean
    of the parents' entries it got), then written: the columns row by row of the matrix for the
    whole litter at once (one pass over the rows instead of one per child: the column writes are
    strided and dominate), then the children's rows, then the entries between litter-mates, which
    the later-filled child sets. The matrix ends exactly as with one child after the other."""
    n_loci = genotype.shape[1]
    n = slots.size
    F_child = kin[m, f]
    rows = np.empty((n, hw))
    for i in range(n):
        s = slots[i]
        lethal[s] = False
        for locus in range(n_loci):
            genotype[s, locus, 0] = genotype[m, locus, picks[i, 0, locus]]
            genotype[s, locus, 1] = genotype[f, locus, picks[i, 1, locus]]
            if locus >= n_neutral and genotype[s, locus, 0] == genotype[s, locus, 1] \
                    and genotype[s, locus, 0] % 2 == 0:
                lethal[s] = True
        for j in range(hw):
            rows[i, j] = 0.5 * (kin[m, j] + kin[f, j])
        for k in range(i):                    # earlier litter-mates, as the parents' rows hold them by now
            rows[i, slots[k]] = 0.5 * (rows[k, m] + rows[k, f])
        rows[i, s] = 0.5 * (1.0 + F_child)
    for j in range(hw):
        for i in range(n):
            kin[j, slots[i]] = rows[i, j]
    for i in range(n):
        s = slots[i]
        for j in range(hw):
            kin[s, j] = rows[i, j]
        F[s] = F_child
    for i in range(n):
        for k in range(i):
            v = rows[i, slots[k]]
            kin[slots[k], slots[i]] = v
            kin[slots[i], slots[k]] = v


@njit(cache=True)
def _fill_litters(genotype, kin, F, lethal, n_neutral, dams, sires, starts, hws, picks, slots):
    """:func:`_fill_children` for litters one after the other: litter i has parents dams[i],
    sires[i], children ``starts[i]:starts[i + 1]`` of ``picks`` and ``slots``, and the high-water
    mark ``hws[i]`` its slots were taken at."""
    for i in range(dams.size):
        a, b = starts[i], starts[i + 1]
        _fill_children(genotype, kin, F, lethal, n_neutral, dams[i], sires[i], picks[a:b], slots[a:b], hws[i])
