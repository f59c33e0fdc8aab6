"""The month's births and deaths done in bulk leave the same state as one animal at a time:
genetic slots taken and freed in the same order, the same breeding state and mates, compaction
keeping every relation, observers told litter by litter."""

from __future__ import annotations

import numpy as np
import pytest

from sim.cheetahs.genetics import Genetics
from sim.life import reproduction
from sim.model.model import ReintroductionModel
from tests.helpers import flat_landscape, scenario


def _genetics_state(g: Genetics) -> tuple:
    g.fill_queued()
    hw = g._high_water
    living = g.living_slots()
    return (hw, g.capacity, g._free[:g._n_free].tolist(), g._held[:hw].tolist(), living.tolist(),
            g._kin[np.ix_(living, living)].tobytes(), g._F[:hw].tobytes(), g._genotype[:hw].tobytes(),
            g._lethal[:hw].tobytes())


def _founders(seed: int) -> tuple[Genetics, list[int]]:
    """Twelve held founders (small storage, so that the litters make it grow), three of them
    dead already but still held by a pregnancy they sired, and a few freed slots."""
    g = Genetics(n_loci=4, rng=np.random.default_rng(seed), initial_capacity=8, n_lethal_loci=2)
    slots = [g.founder() for _ in range(12)]
    for s in slots:
        g.hold(s, new=True)
    for s in slots[6:9]:
        g.hold(s)                       # a pregnancy he sired ...
        g.release(s)                    # ... outlives him
    g.release(slots[9])                 # freed: the first litter reuses it
    g.release(slots[10])
    return g, slots


@pytest.mark.parametrize("seed", range(4))
def test_a_months_litters_take_and_free_the_slots_of_litter_release_and_hold_one_by_one(seed):
    plan = np.random.default_rng(100 + seed)
    dams = plan.choice([0, 1, 2, 3, 4, 5], size=5)
    sires = plan.choice([6, 7, 8, 11], size=5)       # dead sires release their slot at the birth
    sizes = plan.integers(1, 7, size=5)
    one, slots1 = _founders(seed)
    bulk, slots2 = _founders(seed)
    # every litter's pregnancy holds its sire; a dead sire's first one is held already
    extra = [s for k, s in enumerate(sires) if s == 11 or s in sires[:k]]
    for s in extra:
        one.hold(slots1[s])
        bulk.hold(slots2[s])
    kids_one = []
    for d, s, n in zip(dams, sires, sizes):
        kids = one.litter(slots1[d], slots1[s], int(n), queue=True)
        one.release(slots1[s])
        for k in kids:
            one.hold(k, new=True)
        kids_one += kids
    picks = np.concatenate([bulk.draw_picks(int(n)) for n in sizes])
    kids_bulk = bulk.litters([slots2[d] for d in dams], [slots2[s] for s in sires], sizes, picks)
    assert kids_bulk.tolist() == kids_one
    assert _genetics_state(bulk) == _genetics_state(one)
    assert bulk.capacity > 8                     # the storage grew during the month


@pytest.mark.parametrize("seed", range(4))
def test_releasing_slots_at_once_frees_them_as_one_by_one(seed):
    rng = np.random.default_rng(seed)
    one, slots = _founders(seed)
    bulk, _ = _founders(seed)
    order = rng.choice(slots + [-1, -1, 31], size=10).tolist()      # repeats, negatives, never held
    for s in order:
        one.release(s)
    bulk.release_all(np.array(order))
    assert _genetics_state(bulk) == _genetics_state(one)
    assert [one._allocate() for _ in range(4)] == [bulk._allocate() for _ in range(4)]


def _old_breeding_state(pop, p):
    """The breeding state as numpy expressions over the columns (the one-pass loop's reference)."""
    age = pop.age
    adult_free = (pop.mother < 0) & (pop.boma_months == 0)
    female = adult_free & ~pop.male
    pregnant = female & (pop.pregnant > 0)
    pop.pregnant[pregnant] -= 1
    births = np.flatnonzero(pregnant & (pop.pregnant == 0))
    waiting = female & ~pregnant & (pop.wait > 0)
    pop.wait[waiting] -= 1
    females = np.flatnonzero(female & ~pregnant & ~waiting
                             & (reproduction.litter_age(pop) >= p.rebreed_cub_age_months)
                             & (age >= p.female_first_conception_months) & (age <= p.female_last_breeding_months)
                             & ((pop.home_row >= 0) | (not p.breeding_females_must_be_resident)))
    males = np.flatnonzero(adult_free & pop.male & (age >= p.male_breeding_months)
                           & ((pop.home_row >= 0) | (not p.breeding_males_must_be_resident)))
    return births, females, males


@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_breeding_state_is_the_column_expressions(seed):
    rng = np.random.default_rng(seed)
    m = ReintroductionModel(scenario(), flat_landscape(), rng=np.random.default_rng(seed))
    mums = m.add_cheetahs(30, sex="F", age_months=40)
    m.add_cheetahs(20, sex="M", age_months=30)
    for mum in mums[:10]:
        m.add_cheetahs(2, sex="F", age_months=int(rng.integers(0, 18)), mother=mum)
    pop, p = m.cheetahs, m.params
    n = len(pop)
    pop.birth[:] = pop.clock - rng.integers(0, 200, n)
    pop.pregnant[:] = rng.integers(0, 4, n) * (rng.random(n) < 0.4)
    pop.wait[:] = rng.integers(0, 3, n) * (rng.random(n) < 0.3)
    pop.boma_months[:] = rng.random(n) < 0.1
    pop.home_row[:] = np.where(rng.random(n) < 0.6, 5, -1)
    before = pop.pregnant.copy(), pop.wait.copy()
    expected = _old_breeding_state(pop, p)
    after = pop.pregnant.copy(), pop.wait.copy()
    pop.pregnant[:], pop.wait[:] = before
    got = reproduction._breeding_state(
        pop.mother, pop.boma_months, pop.male, pop.pregnant, pop.wait, pop.home_row, pop.birth, pop.clock,
        p.rebreed_cub_age_months, p.female_first_conception_months, p.female_last_breeding_months,
        p.breeding_females_must_be_resident, p.male_breeding_months, p.breeding_males_must_be_resident)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(pop.pregnant, after[0])
    np.testing.assert_array_equal(pop.wait, after[1])


@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_mate_search_is_the_numpy_one_to_the_bit(seed):
    rng = np.random.default_rng(seed)
    home_row = np.where(rng.random(40) < 0.5, rng.integers(0, 50, 40), -1)
    home_col, row, col = (rng.integers(0, 50, 40) for _ in range(3))
    females, males = np.sort(rng.choice(40, 15, replace=False)), np.arange(0, 40, 3)
    area, two_sd2 = 6.25, 2.0 * (3.7 * np.sqrt(365.25 / 12)) ** 2

    def positions(rows):
        home = home_row[rows] >= 0
        return np.where(home, home_row[rows], row[rows]), np.where(home, home_col[rows], col[rows])

    fr, fc = positions(females)
    mr, mc = positions(males)
    d2 = ((fr[:, None] - mr[None, :]) ** 2 + (fc[:, None] - mc[None, :]) ** 2) * area
    got = reproduction._meeting_exponent(home_row, home_col, row, col, females, males, area, two_sd2)
    assert got.tobytes() == (-d2 / two_sd2).tobytes()
    ok = rng.random((15, 13)) < 0.3
    u = rng.random((15, 13))
    u[0, :] = 0.5                                   # ties: the first column wins, as argmax
    expected = np.where(ok.any(axis=1), np.where(ok, u, -1.0).argmax(axis=1), -1)
    np.testing.assert_array_equal(reproduction._largest_true(ok, u), expected)


def test_compaction_drops_the_dead_and_keeps_every_column_and_mother():
    m = ReintroductionModel(scenario(), flat_landscape(), rng=np.random.default_rng(1))
    mums = m.add_cheetahs(6, sex="F", age_months=50)
    for mum in mums:
        m.add_cheetahs(2, sex="M", age_months=3, mother=mum)
    pop = m.cheetahs
    pop.condition[:] = np.linspace(0.1, 0.9, len(pop))
    dead = np.array([0, 6, 7, 9, 5, 16, 17])             # mothers (rows 0, 5) with their cubs; a cub
    assert (pop.mother[[6, 7, 16, 17, 9]] == [0, 0, 5, 5, 1]).all()
    keep = np.setdiff1d(np.arange(len(pop)), dead)
    before = {name: getattr(pop, name).copy() for name in pop.column_names()}
    uid_of_mother = np.where(pop.mother >= 0, pop.uid[np.maximum(pop.mother, 0)], -1)
    handles = pop.handles.copy()
    pop.alive[dead] = False
    new = pop.compact()
    assert len(pop) == keep.size
    np.testing.assert_array_equal(new[keep], np.arange(keep.size))
    assert (new[dead] == -1).all()
    for name, values in before.items():
        if name not in ("mother", "alive"):
            np.testing.assert_array_equal(getattr(pop, name), values[keep], err_msg=name)
    assert pop.alive.all()
    got_mother_uid = np.where(pop.mother >= 0, pop.uid[np.maximum(pop.mother, 0)], -1)
    np.testing.assert_array_equal(got_mother_uid, uid_of_mother[keep])
    assert list(pop.handles) == list(handles[keep])
    assert pop.compact() is None


def test_observers_hear_of_each_litter_and_the_census_counts_all_cubs():
    class Listener:
        def __init__(self):
            self.births = []

        def __getattr__(self, name):
            return (lambda *a: None) if name.startswith("on_") else super().__getattribute__(name)

        def on_births(self, model, ev):
            self.births.append(ev)

    listener = Listener()
    m = ReintroductionModel(scenario(), flat_landscape(), rng=np.random.default_rng(3), observers=[listener])
    mums = m.add_cheetahs(4, sex="F", age_months=50)
    dad = m.add_cheetahs(sex="M", age_months=50)[0]
    pop = m.cheetahs
    rows = np.array([pop.row_of(h.unique_id) for h in mums])
    pop.sire_uid[rows] = dad.unique_id
    pop.sire_slot[rows] = dad.gslot
    m.genetics.hold_all(np.full(4, dad.gslot))
    cubs = reproduction.give_birth(m, rows)
    assert [int(e.mother_uid[0]) for e in listener.births] == [h.unique_id for h in mums]
    assert all((e.mother_uid == e.mother_uid[0]).all() for e in listener.births)
    assert np.concatenate([e.cub_uid for e in listener.births]).tolist() == pop.uid[cubs].tolist()
    assert m.year_births == cubs.size and m.year_breeders == {h.unique_id for h in mums}
    assert m.genetics._held[dad.gslot] == 1                 # the pregnancies' holds ended at the births


@pytest.mark.parametrize("seed", range(3))
def test_the_compiled_ageing_and_brothers_are_the_numpy_expressions(seed):
    from sim.cheetahs.population import WILD_BORN
    from sim.life import development
    rng = np.random.default_rng(seed)
    n = 60
    boma, free = rng.integers(0, 3, n), rng.integers(0, 30, n)
    origin, birth = rng.integers(0, 3, n), -rng.integers(0, 30, n)
    mother = np.where(rng.random(n) < 0.5, rng.integers(0, n, n), -1)
    expected_boma, expected_free = boma.copy(), free.copy()
    in_boma = expected_boma > 0
    expected_boma[in_boma] -= 1
    expected_free[~in_boma & (origin != WILD_BORN)] += 1
    expected = np.flatnonzero((mother >= 0) & (0 - birth >= 17.5))
    got = development._age_a_month(boma, free, origin, mother, birth, 0, 17.5, WILD_BORN)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(boma, expected_boma)
    np.testing.assert_array_equal(free, expected_free)

    leaving = np.sort(rng.choice(n, 25, replace=False))
    litters, male = rng.integers(0, 6, 25), rng.random(n) < 0.6
    _, first = np.unique(litters, return_index=True)
    groups = [leaving[litters == litters[k]] for k in np.sort(first)]
    groups = [g[male[g]] for g in groups if male[g].sum() >= 2]
    brothers, starts = development._brothers(leaving, litters, male)
    assert [brothers[a:b].tolist() for a, b in zip(starts[:-1], starts[1:])] == [g.tolist() for g in groups]


def test_the_compiled_inbreeding_hazard_is_the_numpy_expression():
    from sim.life import mortality
    rng = np.random.default_rng(5)
    n = 50
    is_cub, age, lethal, F = rng.random(n) < 0.5, rng.integers(0, 30, n), rng.random(n) < 0.2, rng.random(n) / 4
    additive = 6.29 * (1.0 - 0.5)
    young = is_cub & (age < 12)
    expected = np.where(young, np.where(lethal, np.inf, additive * F / mortality.FIRST_YEAR_DRAWS), 0.0)
    got = mortality._inbreeding(is_cub, age, lethal, F, additive, mortality.FIRST_YEAR_DRAWS)
    assert got.tobytes() == expected.tobytes()


def test_the_members_of_units_are_the_numpy_expression():
    from sim.cheetahs.events import _members_of
    m = ReintroductionModel(scenario(), flat_landscape(), rng=np.random.default_rng(2))
    mums = m.add_cheetahs(3, sex="F", age_months=50)
    m.add_cheetahs(2, sex="M", age_months=5, mother=mums[1])
    m.add_cheetahs(5, sex="M", age_months=40)
    pop = m.cheetahs
    pop.coalition[[5, 6, 8]] = 3
    pop.alive[9] = False
    leaders = np.array([1, 5, 7, 2])
    index = np.full(len(pop), -1)
    index[leaders] = np.arange(leaders.size)
    k = index[pop.leaders()]
    members = np.flatnonzero((k >= 0) & (pop.mother < 0) & pop.alive)
    got = _members_of(pop, leaders)
    np.testing.assert_array_equal(got[0], members)
    np.testing.assert_array_equal(got[1], k[members])
