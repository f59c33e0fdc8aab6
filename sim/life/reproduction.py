"""Reproduction: births, then mate finding and conception.

Each month a pregnant female's gestation advances; at its end she gives birth in her cell to a
litter drawn from ``litter_size_probs``, each cub male with ``sex_ratio_at_birth``, inheriting
one allele per locus from each parent and F from the parents' kinship
(:mod:`sim.cheetahs.genetics`); her earlier litter, if still with her, becomes independent
(brothers may stay together as a coalition, :func:`sim.life.development.leave_mothers`). A
female is available to conceive when independent, out of the boma, not pregnant, not waiting after
losing a litter, of breeding age, resident (``breeding_females_must_be_resident``; males likewise
with ``breeding_males_must_be_resident``), and without dependent cubs or with cubs at least
``rebreed_cub_age_months`` old; the scenario's mate-finding rule gives her a mate (or none), and
she conceives with ``conception_prob_per_month``.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import numpy as np
from numba import njit

from ..cheetahs.events import add_animals
from .development import leave_mothers
from ..registry import register


# ------------------------------------------------------------------------------------ mate finding
def _random_true_index(ok: np.ndarray, rng) -> np.ndarray:
    """For each row, the column of a uniformly chosen True entry, or -1 if none (one uniform
    number per entry; the True entry with the largest wins)."""
    return _largest_true(ok, rng.random(ok.shape))


@njit(cache=True)
def _largest_true(ok, u):
    """For each row, the first column of the largest ``u`` among its True entries, or -1."""
    n, k = ok.shape
    out = np.full(n, -1)
    for i in range(n):
        best = -1.0
        for j in range(k):
            if ok[i, j] and u[i, j] > best:
                best = u[i, j]
                out[i] = j
    return out


def acceptable(model, females, males) -> np.ndarray:
    """(females, males): whether each female would mate with each male: not as closely related
    as ``kin_avoidance_kinship`` (pedigree kinship)."""
    pop = model.cheetahs
    return model.genetics.kinships(pop.gslot[females], pop.gslot[males]) < model.params.kin_avoidance_kinship


def male_search_sd_km(p) -> float:
    """Spread of a roaming male's month [km]: his daily straight-line distance x the square root
    of the days in a month (a month of daily moves in directions independent of each other)."""
    return p.daily_travel_km_male * np.sqrt(365.25 / 12)


@register("mate_finding", "roaming_males")
def roaming_males(model, females, males):
    """Males roam in search of receptive females: each breeding male finds each available female
    this month with probability exp(-d² / 2σ²), d the distance between them [km] (home-range
    centre, else cell) and σ = :func:`male_search_sd_km`; she mates with one of the males that
    found her, chosen at random, unless he is too closely related (:func:`acceptable`). Few
    animals far apart rarely meet: the Allee effect comes from distances between animals, not
    from a cut-off."""
    if len(males) == 0 or len(females) == 0:
        return np.full(len(females), -1, dtype=np.int64)
    pop = model.cheetahs
    exponent = _meeting_exponent(pop.home_row, pop.home_col, pop.row, pop.col, females, males,
                                 model.landscape.cell_area_km2, 2.0 * male_search_sd_km(model.params) ** 2)
    meet = np.exp(exponent)
    u_meet = model.rng.random(exponent.shape)
    kinship = model.genetics.kinships(pop.gslot[females], pop.gslot[males])
    return _chosen_mates(u_meet, meet, kinship, model.params.kin_avoidance_kinship, model.rng.random(exponent.shape))


@njit(cache=True)
def _chosen_mates(u_meet, meet, kinship, kin_avoidance, u_choice):
    """:func:`_largest_true` of the pairs that met (``u_meet`` < ``meet``, the probability) and
    are :func:`acceptable` (``kinship`` below ``kin_avoidance``), in one pass: for each female the
    column of her mate, or -1."""
    n, k = meet.shape
    out = np.full(n, -1)
    for i in range(n):
        best = -1.0
        for j in range(k):
            if u_meet[i, j] < meet[i, j] and kinship[i, j] < kin_avoidance and u_choice[i, j] > best:
                best = u_choice[i, j]
                out[i] = j
    return out


@njit(cache=True)
def _meeting_exponent(home_row, home_col, row, col, females, males, cell_area_km2, two_sd2):
    """-d² / 2σ² of every (female, male) pair: d² [km²] between their positions (home-range
    centre, else cell; :meth:`Cheetahs.positions`), ``two_sd2`` = 2σ² [km²]."""
    out = np.empty((females.size, males.size))
    for i in range(females.size):
        f = females[i]
        fr, fc = (home_row[f], home_col[f]) if home_row[f] >= 0 else (row[f], col[f])
        for j in range(males.size):
            m = males[j]
            mr, mc = (home_row[m], home_col[m]) if home_row[m] >= 0 else (row[m], col[m])
            d2 = ((fr - mr) ** 2 + (fc - mc) ** 2) * cell_area_km2
            out[i, j] = -d2 / two_sd2
    return out


@register("mate_finding", "search_radius")
def search_radius(model, females, males):
    """A female finds a random breeding male whose position (home-range centre, else cell) lies
    within ``mate_search_km``."""
    if len(males) == 0 or len(females) == 0:
        return np.full(len(females), -1, dtype=np.int64)
    pop = model.cheetahs
    fr, fc = pop.positions(females)
    mr, mc = pop.positions(males)
    d2 = ((fr[:, None] - mr[None, :]) ** 2 + (fc[:, None] - mc[None, :]) ** 2) * model.landscape.cell_area_km2
    ok = d2 <= model.params.mate_search_km ** 2
    return _random_true_index(ok & acceptable(model, females, males), model.rng)


@register("mate_finding", "anywhere")
def anywhere(model, females, males):
    """Any breeding male alive anywhere will do (no Allee effect from distance), unless too
    closely related (:func:`acceptable`)."""
    if len(males) == 0:
        return np.full(len(females), -1, dtype=np.int64)
    return _random_true_index(acceptable(model, females, males), model.rng)


@register("mate_finding", "always")
def always(model, females, males):
    """Theory checks: any male alive anywhere (kinship ignored), and if no male is alive an
    unrelated immigrant sire is assumed (index -2), so reproduction never waits for males (a
    female-only model)."""
    if len(males) == 0:
        return np.full(len(females), -2, dtype=np.int64)
    return _random_true_index(np.ones((len(females), len(males)), dtype=bool), model.rng)


# ------------------------------------------------------------------------------------ the month
def month(m: Any) -> None:
    """Births due this month, then conceptions (see the module docstring)."""
    pop = m.cheetahs
    if len(pop) == 0:
        return
    p = m.params
    births, females, males = _breeding_state(
        pop.mother, pop.boma_months, pop.male, pop.pregnant, pop.wait, pop.home_row, pop.birth, pop.clock,
        p.rebreed_cub_age_months, p.female_first_conception_months, p.female_last_breeding_months,
        p.breeding_females_must_be_resident, p.male_breeding_months, p.breeding_males_must_be_resident)
    if births.size:
        give_birth(m, births)
    if females.size == 0:
        return
    sires = np.asarray(m.mate_rule(m, females, males), dtype=np.int64)
    conceive = m.rng.random(females.size) < p.conception_prob_per_month
    conceived(m, females, sires, conceive, males)


def conceived(m: Any, females: np.ndarray, sires: np.ndarray, conceive: np.ndarray, males: np.ndarray) -> None:
    """``females`` (rows) that ``conceive`` and have a mate conceive, each of the male
    ``males[sire]`` (-2: an unrelated immigrant sire; -1: no mate, no conception); a pregnancy
    holds its sire's genetic slot until the birth."""
    pop = m.cheetahs
    slots = _conceive(females, sires, conceive, males, m.params.gestation_months, pop.pregnant, pop.sire_uid,
                      pop.sire_slot, pop.uid, pop.gslot)
    if slots.size:
        m.genetics.hold_all(slots)


@njit(cache=True)
def _conceive(females, sires, conceive, males, gestation, pregnant, sire_uid, sire_slot, uid, gslot):
    """:func:`conceived` in place on the population's columns: each mated female is pregnant for
    ``gestation`` months, with her sire's uid and genetic slot (-1 for an immigrant sire).
    Returns the genetic slots of the sires in the population, in the females' order."""
    slots = np.empty(females.size, dtype=np.int64)
    k = 0
    for i in range(females.size):
        if not conceive[i] or sires[i] == -1:
            continue
        f = females[i]
        pregnant[f] = gestation
        sire_uid[f] = -1
        sire_slot[f] = -1
        if sires[i] >= 0:
            father = males[sires[i]]
            sire_uid[f] = uid[father]
            sire_slot[f] = gslot[father]
            slots[k] = gslot[father]
            k += 1
    return slots[:k]


@njit(cache=True)
def _breeding_state(mother, boma_months, male, pregnant, wait, home_row, birth, clock, rebreed_cub_age,
                    female_first, female_last, female_resident, male_first, male_resident):
    """The month's breeding state of independent animals out of the boma, in place: a pregnant
    female's gestation advances a month, a waiting female's wait too. Returns the rows of the
    females giving birth now, of those available to conceive (see the module docstring; her
    cubs' age, :func:`litter_age`, at least ``rebreed_cub_age`` [months]) and of the breeding
    males, each in row order."""
    n = mother.size
    cubs_age = np.full(n, np.inf)
    for i in range(n):
        if mother[i] >= 0:
            cubs_age[mother[i]] = clock - birth[i]
    births = np.empty(n, dtype=np.int64)
    females = np.empty(n, dtype=np.int64)
    males = np.empty(n, dtype=np.int64)
    nb = nf = nm = 0
    for i in range(n):
        if mother[i] >= 0 or boma_months[i] != 0:
            continue
        age = clock - birth[i]
        if male[i]:
            if age >= male_first and (home_row[i] >= 0 or not male_resident):
                males[nm] = i
                nm += 1
        elif pregnant[i] > 0:
            pregnant[i] -= 1
            if pregnant[i] == 0:
                births[nb] = i
                nb += 1
        elif wait[i] > 0:
            wait[i] -= 1
        elif (cubs_age[i] >= rebreed_cub_age and age >= female_first and age <= female_last
              and (home_row[i] >= 0 or not female_resident)):
            females[nf] = i
            nf += 1
    return births[:nb], females[:nf], males[:nm]


def litter_age(pop) -> np.ndarray:
    """Age [months] of every row's dependent cubs (a mother's cubs are one litter); inf without cubs."""
    out = np.full(len(pop), np.inf)
    cub = pop.mother >= 0
    out[pop.mother[cub]] = pop.age[cub]
    return out


def give_birth(m: Any, mothers: np.ndarray) -> np.ndarray:
    """Litters of ``mothers`` (rows, in order), each in its mother's cell; cubs inherit alleles and
    F from the parents (an immigrant sire, slot -1, is unrelated). A mother's earlier litter, if
    still with her, becomes independent. Returns the cubs' rows (one litter after the other).

    Per litter, in order: its size, its cubs' sexes, their alleles (three draws)."""
    pop = m.cheetahs
    g = m.genetics
    older = _older_litters(pop.mother, mothers)
    if older.size:
        leave_mothers(m, older)
    dams, sire_slots = pop.gslot[mothers], pop.sire_slot[mothers]
    if min(sire_slots.tolist()) >= 0:                           # (a few litters: a list is quicker)
        random, cdf, draw_picks = m.rng.random, m.litter_cdf.tolist(), g.draw_picks
        sizes, uniforms, picks = [], [], []
        for _ in range(mothers.size):
            n = bisect_right(cdf, random()) + 1
            sizes.append(n)
            uniforms.append(random(n))
            picks.append(draw_picks(n))
        males = np.concatenate(uniforms) < m.params.sex_ratio_at_birth
        slots = g.litters(dams, sire_slots, sizes, np.concatenate(picks))
    else:
        sizes, males, slots = _litters_one_by_one(m, dams.tolist(), sire_slots.tolist())
        males = np.concatenate(males)
        slots = np.asarray(slots, dtype=np.int64)
    sizes = np.array(sizes, dtype=np.int64)
    mother_of, row, col, mother_uid, father_uid, litter = _litter_columns(
        mothers, sizes, m.litters + 1, pop.row, pop.col, pop.uid, pop.sire_uid, pop.pregnant, pop.sire_slot)
    m.litters += mothers.size
    F, lethal = g.newborn(slots)
    cubs = add_animals(m, mother_of.size, male=males, birth=pop.clock, row=row, col=col, mother=mother_of,
                       mother_uid=mother_uid, father_uid=father_uid, gslot=slots, F=F, lethal=lethal,
                       litter=litter)
    m.record_births(mothers, cubs, sizes)
    return cubs


@njit(cache=True)
def _older_litters(mother, mothers):
    """Rows (ascending) of the dependent cubs of ``mothers``: their earlier litters."""
    n = mother.size
    giving = np.zeros(n, dtype=np.bool_)
    for r in mothers:
        giving[r] = True
    older = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        if mother[i] >= 0 and giving[mother[i]]:
            older[k] = i
            k += 1
    return older[:k]


@njit(cache=True)
def _litter_columns(mothers, sizes, first_litter, row, col, uid, sire_uid, pregnant, sire_slot):
    """The new cubs' columns, one litter after the other (litter i of ``sizes[i]`` cubs of
    ``mothers[i]``, litter id ``first_litter + i``): mother (row), row, col (her cell), mother_uid,
    father_uid (her pregnancy's sire) and litter, as the rows of one array; then each mother's
    pregnancy ends in place (``pregnant`` 0, ``sire_uid`` and ``sire_slot`` -1)."""
    out = np.empty((6, sizes.sum()), dtype=np.int64)
    k = 0
    for i in range(mothers.size):
        r = mothers[i]
        for _ in range(sizes[i]):
            out[0, k] = r
            out[1, k] = row[r]
            out[2, k] = col[r]
            out[3, k] = uid[r]
            out[4, k] = sire_uid[r]
            out[5, k] = first_litter + i
            k += 1
    for r in mothers:
        pregnant[r] = 0
        sire_uid[r] = -1
        sire_slot[r] = -1
    return out


def _litters_one_by_one(m: Any, dams: list[int], sire_slots: list[int]) -> tuple[list, list, list]:
    """The litters of :func:`give_birth` one after the other, when an immigrant sire (slot -1,
    mate_finding: always) fathered one: his phantom founder slot is taken and freed around his
    litter. Returns the sizes, the cubs' sexes per litter and the cubs' slots."""
    g = m.genetics
    sizes, males, slots = [], [], []
    for dam, sire_slot in zip(dams, sire_slots):
        n = int(m.litter_cdf.searchsorted(m.rng.random(), side="right")) + 1
        males.append(m.rng.random(n) < m.params.sex_ratio_at_birth)
        if sire_slot >= 0:
            kids = g.litter(dam, sire_slot, n, queue=True)
            g.release(sire_slot)
        else:
            phantom = g.founder()
            kids = g.litter(dam, phantom, n)
            g.remove(phantom)
        for s in kids:
            g.hold(s, new=True)
        sizes.append(n)
        slots += kids
    return sizes, males, slots
