"""Compiled helpers of births and deaths equal the numpy code they replace, bit for bit."""

import numpy as np
import pytest

from sim.cheetahs.events import _cascade, _die
from sim.life.reproduction import _litter_columns, _older_litters


def _family(seed, n=40):
    rng = np.random.default_rng(seed)
    mother = np.where(rng.random(n) < 0.4, rng.integers(0, n, n), -1)
    mother[mother >= np.arange(n)] = -1                  # a mother's row is below her cubs'
    coalition = np.where(rng.random(n) < 0.3, rng.integers(0, 4, n), -1)
    return rng, mother, coalition


@pytest.mark.parametrize("seed", range(5))
def test_older_litters_are_the_cubs_of_the_mothers_giving_birth(seed):
    rng, mother, _ = _family(seed)
    mothers = np.unique(rng.integers(0, mother.size, 6))
    giving = np.zeros(mother.size + 1, dtype=bool)
    giving[mothers] = True
    assert np.array_equal(_older_litters(mother, mothers), np.flatnonzero(giving[mother]))


@pytest.mark.parametrize("seed", range(5))
def test_litter_columns_repeat_the_mothers_columns_and_end_the_pregnancies(seed):
    rng = np.random.default_rng(seed)
    n = 30
    row, col, uid, sire_uid = (rng.integers(0, 1000, n) for _ in range(4))
    pregnant, sire_slot = rng.integers(0, 4, n), rng.integers(-1, 50, n)
    mothers = rng.choice(n, 5, replace=False)
    sizes = rng.integers(1, 6, 5)
    want = np.stack([np.repeat(mothers, sizes), row[np.repeat(mothers, sizes)], col[np.repeat(mothers, sizes)],
                     uid[np.repeat(mothers, sizes)], sire_uid[np.repeat(mothers, sizes)],
                     np.repeat(np.arange(8, 13), sizes)])
    p2, s2, u2 = pregnant.copy(), sire_slot.copy(), sire_uid.copy()
    p2[mothers], s2[mothers], u2[mothers] = 0, -1, -1
    got = _litter_columns(mothers, sizes, 8, row, col, uid, sire_uid, pregnant, sire_slot)
    assert np.array_equal(got, want)
    assert np.array_equal(pregnant, p2) and np.array_equal(sire_slot, s2) and np.array_equal(sire_uid, u2)


@pytest.mark.parametrize("seed", range(8))
def test_die_records_and_releases_as_the_numpy_code_after_the_cascade(seed):
    rng, mother, coalition = _family(seed)
    n = mother.size
    birth = rng.integers(-60, 0, n)
    cols = {k: rng.integers(-1, 99, n) for k in ("uid", "sire_slot", "gslot", "home_row", "home_col", "heading")}
    male = rng.random(n) < 0.5
    rows = rng.integers(0, n, 7)
    codes = rng.integers(0, 3, 7)
    state = lambda: [np.ones(n, dtype=bool), mother.copy(), coalition.copy(), birth, 0, np.zeros(n, dtype=np.int64)]
    a = state()
    was_cub = a[1] >= 0
    dead, cause, freed = _cascade(rows, codes, 3, *a, 10.0, 2)
    want = np.stack([dead, cause, cols["uid"][dead], was_cub[dead], male[dead], 0 - birth[dead]])
    want_slots = np.stack([cols["sire_slot"][dead], cols["gslot"][dead]], axis=1).ravel()
    b = state()
    c = {k: v.copy() for k, v in cols.items()}
    died, freed2, slots = _die(rows, codes, 3, *b, 10.0, 2, c["uid"], male, c["sire_slot"], c["gslot"],
                               c["home_row"], c["home_col"], c["heading"])
    assert np.array_equal(died, want) and np.array_equal(slots, want_slots) and np.array_equal(freed2, freed)
    for x, y in zip(a, b):
        assert np.array_equal(x, y)
    assert (c["sire_slot"][dead] == -1).all()
    for k in ("home_row", "home_col", "heading"):
        assert (c[k][freed] == -1).all()
        keep = np.ones(n, dtype=bool)
        keep[freed] = False
        assert np.array_equal(c[k][keep], cols[k][keep])


@pytest.mark.parametrize("seed", range(5))
def test_residents_and_walkers_split_the_units_as_the_masks_did(seed):
    from sim.life.movement import _residents_and_walkers
    rng = np.random.default_rng(seed)
    n = 50
    home_row = np.where(rng.random(n) < 0.5, rng.integers(0, 9, n), -1)
    boma, male = np.where(rng.random(n) < 0.2, 3, 0), rng.random(n) < 0.5
    leaders = np.flatnonzero(rng.random(n) < 0.6)
    need = rng.random(leaders.size) * 12
    res, res_need, walking, steps = _residents_and_walkers(leaders, need, home_row, boma, male, 2, 5)
    resident = home_row[leaders] >= 0
    want_walking = leaders[(home_row[leaders] < 0) & (boma[leaders] == 0)]
    assert np.array_equal(res, leaders[resident]) and np.array_equal(res_need, need[resident])
    assert np.array_equal(walking, want_walking)
    assert np.array_equal(steps, np.where(male[want_walking], 5, 2))


@pytest.mark.parametrize("seed", range(5))
def test_conceive_writes_the_pregnancies_as_the_numpy_code(seed):
    from sim.life.reproduction import _conceive
    rng = np.random.default_rng(seed)
    n = 40
    cols = {k: rng.integers(-1, 30, n) for k in ("pregnant", "sire_uid", "sire_slot", "uid", "gslot")}
    females = rng.choice(n, 10, replace=False)
    males = rng.choice(n, 6, replace=False)
    sires = rng.integers(-2, 6, 10)
    conceive = rng.random(10) < 0.6
    want = {k: v.copy() for k, v in cols.items()}
    mated = conceive & (sires != -1)
    fem, sir = females[mated], sires[mated]
    want["pregnant"][fem] = 3
    known = sir >= 0
    fathers, mothers = males[sir[known]], fem[known]
    want["sire_uid"][fem] = -1
    want["sire_slot"][fem] = -1
    want["sire_uid"][mothers] = want["uid"][fathers]
    want["sire_slot"][mothers] = want["gslot"][fathers]
    slots = _conceive(females, sires, conceive, males, 3, cols["pregnant"], cols["sire_uid"], cols["sire_slot"],
                      cols["uid"], cols["gslot"])
    assert np.array_equal(slots, want["gslot"][fathers])
    for k in cols:
        assert np.array_equal(cols[k], want[k]), k


def test_kinships_and_holds_equal_numpys_indexing():
    from sim.cheetahs.genetics import _hold_all, _kinships
    rng = np.random.default_rng(3)
    kin = rng.random((12, 12))
    a, b = rng.integers(0, 12, 5), rng.integers(0, 12, 7)
    assert np.array_equal(_kinships(kin, a, b), kin[np.ix_(a, b)])
    assert _kinships(kin, a[:0], b).shape == (0, 7)
    held, want = rng.integers(0, 3, 12), None
    want = held.copy()
    np.add.at(want, a, 1)
    _hold_all(held, a)
    assert np.array_equal(held, want)


def test_units_keep_the_total_of_the_needs_and_sum_everything_else_anew():
    from sim.cheetahs.units import Units
    rng = np.random.default_rng(0)
    owner = rng.integers(0, 4, 20)
    units = Units(leaders=np.arange(4), owner=owner, is_cub=np.zeros(20, dtype=bool))
    need, other = rng.random(20), rng.random(20)
    units.keep_totals_of(need)
    first = units.total(need)
    assert np.array_equal(first, np.bincount(owner, need, minlength=4)) and not first.flags.writeable
    assert units.total(need) is first
    assert np.array_equal(units.total(other), np.bincount(owner, other, minlength=4))
    assert units.total(other) is not units.total(other)
    select = owner != 2
    assert np.array_equal(units.total(need, select), np.bincount(owner[select], need[select], minlength=4))


@pytest.mark.parametrize("seed", range(5))
def test_settle_writes_the_members_ranges_as_the_numpy_code(seed):
    from sim.cheetahs.events import _members, _settle
    from sim.cheetahs.population import _leaders
    rng, mother, coalition = _family(seed)
    n = mother.size
    alive = rng.random(n) < 0.9
    lead = _leaders(mother, coalition, alive)
    leaders = np.unique(lead[rng.integers(0, n, 4)])
    rows, cols = rng.integers(0, 50, leaders.size), rng.integers(0, 50, leaders.size)
    radius, exposure = rng.random(leaders.size) * 9, rng.random(leaders.size)
    ints = {k: rng.integers(-1, 50, n) for k in ("home_row", "home_col", "row", "col")}
    floats = {k: rng.random(n) for k in ("hr_radius_km", "road_risk_in_range")}
    want = {k: v.copy() for k, v in {**ints, **floats}.items()}
    members, k = _members(leaders, lead, mother, alive)
    want["home_row"][members] = rows[k]
    want["home_col"][members] = cols[k]
    want["row"][members] = rows[k]
    want["col"][members] = cols[k]
    want["hr_radius_km"][members] = radius[k]
    want["road_risk_in_range"][members] = exposure[k]
    _settle(leaders, lead, mother, alive, rows, cols, radius, exposure, ints["home_row"], ints["home_col"],
            ints["row"], ints["col"], floats["hr_radius_km"], floats["road_risk_in_range"])
    for name, got in {**ints, **floats}.items():
        assert np.array_equal(got, want[name]), name
