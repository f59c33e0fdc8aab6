"""The events of a cheetah's life that change the population's rows: arriving (release, birth),
dying, becoming independent, forming a coalition, taking or leaving a home range.

Each function works on rows of :class:`sim.cheetahs.population.Cheetahs` (several animals at
once); the processes of :mod:`sim.life` decide who, these functions carry it out.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numba import njit

from .handle import Cheetah
from .population import Cheetahs


def add_animals(model: Any, count: int, **values) -> np.ndarray:
    """Put ``count`` new animals into ``model.cheetahs`` (columns as in
    :meth:`Cheetahs.add`), each with its Mesa handle; returns their rows."""
    pop: Cheetahs = model.cheetahs
    handles = np.fromiter((Cheetah(model) for _ in range(count)), dtype=object, count=count)
    return pop.add(count, handles=handles,
                   uid=np.fromiter((h.unique_id for h in handles), dtype=np.int64, count=count), **values)


class DeathRecord:
    """Who died in a process, in the order they died: rows (before compaction), uids, causes,
    whether each was a dependent cub, its sex and age [months]; and the orphans old enough to
    live on, who became independent."""

    __slots__ = ("rows", "uids", "causes", "was_cub", "male", "age", "orphans_freed")

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.uids: list[int] = []
        self.causes: list[str] = []
        self.was_cub: list[bool] = []
        self.male: list[bool] = []
        self.age: list[int] = []
        self.orphans_freed: list[int] = []     # rows of cubs made independent by a mother's death

    def __len__(self) -> int:
        return len(self.rows)


def apply_deaths(pop: Cheetahs, rows: Sequence[int], causes: Sequence[str], *, genetics: Any,
                 orphan_survival_months: float, remating_delay_months: int,
                 record: DeathRecord) -> None:
    """Let the animals in ``rows`` die of ``causes``, one after the other in the given order
    (an animal already dead is skipped), with what follows from each death:

    * a dependent cub's mother loses it; if it was her last dependent cub she can conceive again
      after ``remating_delay_months``;
    * a coalition member leaves the coalition (a coalition of one is none);
    * the dead animal's dependent cubs become independent if at least
      ``orphan_survival_months`` old, else die ("orphaned") right after her;
    * the genetic slots it holds (its own, and a pregnancy's sire) are released;
    * its Mesa handle is removed from the model.

    Rows stay in place (``alive`` False) until :meth:`Cheetahs.compact`.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return
    index = {c: k for k, c in enumerate(dict.fromkeys(causes))}      # each cause's first place
    names = list(index) + ["orphaned"]
    codes = np.array([index[c] for c in causes], dtype=np.int64)
    died, freed, slots = _die(rows, codes, len(names) - 1, pop.alive, pop.mother, pop.coalition, pop.birth,
                              pop.clock, pop.wait, float(orphan_survival_months), int(remating_delay_months),
                              pop.uid, pop.male, pop.sire_slot, pop.gslot, pop.home_row, pop.home_col, pop.heading)
    dead, cause, uids, was_cub, male, age = died.tolist()
    record.rows.extend(dead)
    record.uids.extend(uids)
    record.causes.extend([names[k] for k in cause])
    record.was_cub.extend(map(bool, was_cub))
    record.male.extend(map(bool, male))
    record.age.extend(age)
    genetics.release_all(slots)
    for handle in pop.handles[died[0]].tolist():
        handle.remove()
    if freed.size:
        record.orphans_freed.extend(freed.tolist())
    pop.version += 1


@njit(cache=True)
def _die(rows, causes, orphaned, alive, mother, coalition, birth, clock, wait, orphan_months, delay,
         uid, male, sire_slot, gslot, home_row, home_col, heading):
    """:func:`_cascade`, then what :func:`apply_deaths` records and releases, in one call. Returns
    the deaths in order as the rows of one array (row, cause code, uid, was a dependent cub
    before the deaths, male, age [months]); the cubs made independent, whose home range and
    heading are cleared in place; and the genetic slots to release, a pregnancy's sire before
    the animal itself for each death in order (each dead animal's ``sire_slot`` becomes -1)."""
    was_cub = mother >= 0
    dead, cause, freed = _cascade(rows, causes, orphaned, alive, mother, coalition, birth, clock, wait,
                                  orphan_months, delay)
    k = dead.size
    died = np.empty((6, k), dtype=np.int64)
    slots = np.empty(2 * k, dtype=np.int64)
    for i in range(k):
        d = dead[i]
        died[0, i] = d
        died[1, i] = cause[i]
        died[2, i] = uid[d]
        died[3, i] = was_cub[d]
        died[4, i] = male[d]
        died[5, i] = clock - birth[d]
        slots[2 * i] = sire_slot[d]
        slots[2 * i + 1] = gslot[d]
    for d in dead:
        sire_slot[d] = -1
    for j in freed:
        home_row[j] = -1
        home_col[j] = -1
        heading[j] = -1
    return died, freed, slots


@njit(cache=True)
def _cascade(rows, causes, orphaned, alive, mother, coalition, birth, clock, wait, orphan_months, delay):
    """The deaths of ``rows`` (in order, with cause codes) and what follows (see
    :func:`apply_deaths`), in place on ``alive``, ``mother``, ``coalition`` and ``wait``. Returns
    every death in the order it happened (rows, cause codes; orphans get code ``orphaned``) and
    the cubs made independent."""
    n = alive.size
    dead = np.empty(n, dtype=np.int64)
    cause = np.empty(n, dtype=np.int64)
    freed = np.empty(n, dtype=np.int64)
    k = 0
    nf = 0
    for i in range(rows.size):
        r = rows[i]
        if not alive[r]:
            continue
        todo = k                               # the death, then its young orphans' deaths
        dead[k] = r
        cause[k] = causes[i]
        k += 1
        alive[r] = False
        while todo < k:
            d = dead[todo]
            todo += 1
            m = mother[d]
            if m >= 0:                         # a cub: its mother loses it
                mother[d] = -1
                last = True
                for j in range(n):
                    if alive[j] and mother[j] == m:
                        last = False
                        break
                if last:
                    wait[m] = delay
            c = coalition[d]
            if c >= 0:                         # a coalition member leaves it
                coalition[d] = -1
                mates = 0
                mate = -1
                for j in range(n):
                    if alive[j] and coalition[j] == c:
                        mates += 1
                        mate = j
                if mates == 1:
                    coalition[mate] = -1
            for j in range(n):                 # her dependent cubs
                if alive[j] and mother[j] == d:
                    if clock - birth[j] >= orphan_months:
                        mother[j] = -1
                        freed[nf] = j
                        nf += 1
                    else:
                        alive[j] = False
                        dead[k] = j
                        cause[k] = orphaned
                        k += 1
    return dead[:k], cause[:k], freed[:nf]


def become_independent(pop: Cheetahs, rows: np.ndarray) -> None:
    """Cubs leave their mother: subadults walking in search of a home range."""
    pop.mother[rows] = -1
    pop.home_row[rows] = -1
    pop.home_col[rows] = -1
    pop.heading[rows] = -1
    pop.version += 1


def form_coalition(pop: Cheetahs, brothers: np.ndarray, coalition_id: int) -> None:
    """Brothers (rows, the first one leads) stay together: one coalition, at the leader's cell."""
    pop.coalition[brothers] = coalition_id
    pop.version += 1
    pop.row[brothers] = pop.row[brothers[0]]
    pop.col[brothers] = pop.col[brothers[0]]


def settle(pop: Cheetahs, leaders: np.ndarray, rows: np.ndarray, cols: np.ndarray,
           radius_km: np.ndarray, road_exposure: np.ndarray) -> None:
    """Units led by ``leaders`` take home ranges centred on (rows, cols) of ``radius_km``; every
    independent member moves to the centre; ``road_exposure``: the range's road exposure (0 = no
    road, 1 = an unmitigated road; :func:`sim.life.ranges.road_exposure`)."""
    _settle(np.asarray(leaders, dtype=np.int64), pop.leaders(), pop.mother, pop.alive,
            np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(radius_km, dtype=np.float64),
            np.asarray(road_exposure, dtype=np.float64), pop.home_row, pop.home_col, pop.row, pop.col,
            pop.hr_radius_km, pop.road_risk_in_range)


def leave_range(pop: Cheetahs, leaders: np.ndarray) -> None:
    """Units led by ``leaders`` abandon their home ranges."""
    members, _ = _members_of(pop, leaders)
    pop.home_row[members] = -1
    pop.home_col[members] = -1
    pop.hr_radius_km[members] = 0.0
    pop.road_risk_in_range[members] = 0.0


def _members_of(pop: Cheetahs, leaders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The living independent members of the units led by ``leaders`` (rows, in row order), and
    for each the index of its leader in ``leaders``."""
    return _members(np.asarray(leaders, dtype=np.int64), pop.leaders(), pop.mother, pop.alive)


@njit(cache=True)
def _settle(leaders, lead, mother, alive, rows, cols, radius_km, exposure, home_row, home_col, row, col,
            hr_radius_km, road_risk_in_range):
    """:func:`settle` in place on the population's columns, for the members of :func:`_members`."""
    members, which = _members(leaders, lead, mother, alive)
    for i in range(members.size):
        a, k = members[i], which[i]
        home_row[a] = rows[k]
        home_col[a] = cols[k]
        row[a] = rows[k]
        col[a] = cols[k]
        hr_radius_km[a] = radius_km[k]
        road_risk_in_range[a] = exposure[k]


@njit(cache=True)
def _members(leaders, lead, mother, alive):
    """See :func:`_members_of`; ``lead``: every row's unit leader (:meth:`Cheetahs.leaders`)."""
    n = lead.size
    index = np.full(n, -1)
    for k in range(leaders.size):
        index[leaders[k]] = k
    members = np.empty(n, dtype=np.int64)
    which = np.empty(n, dtype=np.int64)
    c = 0
    for i in range(n):
        k = index[lead[i]]
        if k >= 0 and mother[i] < 0 and alive[i]:
            members[c] = i
            which[c] = k
            c += 1
    return members[:c], which[:c]
