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

from typing import Any

import numpy as np

from ..cheetahs.events import add_animals
from .development import leave_mothers
from ..registry import register


# ------------------------------------------------------------------------------------ mate finding
def _random_true_index(ok: np.ndarray, rng) -> np.ndarray:
    """For each row, the column of a uniformly chosen True entry, or -1 if none."""
    score = np.where(ok, rng.random(ok.shape), -1.0)
    idx = score.argmax(axis=1)
    return np.where(ok.any(axis=1), idx, -1)


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
    fr, fc = pop.positions(females)
    mr, mc = pop.positions(males)
    d2 = ((fr[:, None] - mr[None, :]) ** 2 + (fc[:, None] - mc[None, :]) ** 2) * model.landscape.cell_area_km2
    found = model.rng.random(d2.shape) < np.exp(-d2 / (2.0 * male_search_sd_km(model.params) ** 2))
    return _random_true_index(found & acceptable(model, females, males), model.rng)


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
    age = pop.age
    adult_free = (pop.mother < 0) & (pop.boma_months == 0)
    female = adult_free & ~pop.male
    pregnant = female & (pop.pregnant > 0)
    pop.pregnant[pregnant] -= 1
    births = np.flatnonzero(pregnant & (pop.pregnant == 0))
    waiting = female & ~pregnant & (pop.wait > 0)
    pop.wait[waiting] -= 1
    females = np.flatnonzero(female & ~pregnant & ~waiting & (litter_age(pop) >= p.rebreed_cub_age_months)
                             & (age >= p.female_first_conception_months)
                             & (age <= p.female_last_breeding_months)
                             & ((pop.home_row >= 0) | (not p.breeding_females_must_be_resident)))
    males = np.flatnonzero(adult_free & pop.male & (age >= p.male_breeding_months)
                           & ((pop.home_row >= 0) | (not p.breeding_males_must_be_resident)))
    if births.size:
        give_birth(m, births)
    if females.size == 0:
        return
    sires = np.asarray(m.mate_rule(m, females, males), dtype=np.int64)
    conceive = m.rng.random(females.size) < p.conception_prob_per_month
    for f, s in zip(females[conceive & (sires != -1)].tolist(), sires[conceive & (sires != -1)].tolist()):
        pop.pregnant[f] = p.gestation_months
        if s >= 0:
            sire = males[s]
            pop.sire_uid[f] = pop.uid[sire]
            pop.sire_slot[f] = pop.gslot[sire]
            m.genetics.hold(int(pop.gslot[sire]))
        else:
            pop.sire_uid[f] = -1
            pop.sire_slot[f] = -1


def litter_age(pop) -> np.ndarray:
    """Age [months] of every row's dependent cubs (a mother's cubs are one litter); inf without cubs."""
    out = np.full(len(pop), np.inf)
    cub = pop.mother >= 0
    out[pop.mother[cub]] = pop.age[cub]
    return out


def give_birth(m: Any, mothers: np.ndarray) -> np.ndarray:
    """Litters of ``mothers`` (rows, in order), each in its mother's cell; cubs inherit alleles and
    F from the parents (an immigrant sire, slot -1, is unrelated). A mother's earlier litter, if
    still with her, becomes independent. Returns the cubs' rows (one litter after the other)."""
    pop = m.cheetahs
    p = m.params
    g = m.genetics
    giving = np.zeros(len(pop) + 1, dtype=bool)       # index -1 (no mother) reads the spare last entry
    giving[mothers] = True
    older = np.flatnonzero(giving[pop.mother])
    if older.size:
        leave_mothers(m, older)
    sizes, males, slots, litters = [], [], [], []
    for mother in mothers.tolist():
        n = int(m.litter_cdf.searchsorted(m.rng.random(), side="right")) + 1
        males.append(m.rng.random(n) < p.sex_ratio_at_birth)
        dam, sire_slot = int(pop.gslot[mother]), int(pop.sire_slot[mother])
        if sire_slot >= 0:
            kids = g.litter(dam, sire_slot, n, queue=True)
            g.release(sire_slot)
        else:                               # an unrelated immigrant sire (mate_finding: always)
            phantom = g.founder()
            kids = g.litter(dam, phantom, n)
            g.remove(phantom)
        for s in kids:
            g.hold(s, new=True)
        m.litters += 1
        sizes.append(n)
        slots += kids
        litters.append(m.litters)
    sizes = np.array(sizes)
    mother_of = np.repeat(mothers, sizes)
    cubs = add_animals(m, int(sizes.sum()), male=np.concatenate(males), birth=pop.clock,
                       row=pop.row[mother_of], col=pop.col[mother_of], mother=mother_of,
                       mother_uid=pop.uid[mother_of], father_uid=pop.sire_uid[mother_of],
                       gslot=np.array(slots, dtype=np.int64), F=g.inbreeding(slots),
                       lethal=g.lethal(slots), litter=np.repeat(litters, sizes))
    pop.pregnant[mothers] = 0
    pop.sire_uid[mothers] = -1
    pop.sire_slot[mothers] = -1
    first = np.cumsum(sizes) - sizes
    for mother, k, n in zip(mothers.tolist(), first.tolist(), sizes.tolist()):
        m.record_births(mother, cubs[k:k + n])
    return cubs
