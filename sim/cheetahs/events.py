"""The events of a cheetah's life that change the population's rows: arriving (release, birth),
dying, becoming independent, forming a coalition, taking or leaving a home range.

Each function works on rows of :class:`sim.cheetahs.population.Cheetahs` (several animals at
once); the processes of :mod:`sim.life` decide who, these functions carry it out.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .handle import Cheetah
from .population import Cheetahs


def add_animals(model: Any, count: int, **values) -> np.ndarray:
    """Put ``count`` new animals into ``model.cheetahs`` (columns as in
    :meth:`Cheetahs.add`), each with its Mesa handle; returns their rows."""
    pop: Cheetahs = model.cheetahs
    handles = [Cheetah(model) for _ in range(count)]
    rows = pop.add(count, uid=np.fromiter((h.unique_id for h in handles), dtype=np.int64, count=count),
                   **values)
    pop.handles.extend(handles)
    return rows


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
    for r, cause in zip(rows, causes):
        if pop.alive[r]:
            _die(pop, int(r), cause, genetics, orphan_survival_months, remating_delay_months, record)


def _die(pop: Cheetahs, r: int, cause: str, genetics, orphan_months: float, delay: int,
         record: DeathRecord) -> None:
    pop.alive[r] = False
    m = int(pop.mother[r])
    record.rows.append(r)
    record.uids.append(int(pop.uid[r]))
    record.causes.append(cause)
    record.was_cub.append(m >= 0)
    record.male.append(bool(pop.male[r]))
    record.age.append(int(pop.clock - pop.birth[r]))
    if m >= 0:
        pop.mother[r] = -1
        if not ((pop.mother == m) & pop.alive).any():
            pop.wait[m] = delay
    c = int(pop.coalition[r])
    if c >= 0:
        pop.coalition[r] = -1
        mates = np.flatnonzero((pop.coalition == c) & pop.alive)
        if mates.size == 1:
            pop.coalition[mates] = -1
    for cub in np.flatnonzero((pop.mother == r) & pop.alive).tolist():
        if pop.clock - pop.birth[cub] >= orphan_months:
            become_independent(pop, np.array([cub]))
            record.orphans_freed.append(cub)
        else:
            _die(pop, cub, "orphaned", genetics, orphan_months, delay, record)
    if pop.sire_slot[r] >= 0:
        genetics.release(int(pop.sire_slot[r]))
        pop.sire_slot[r] = -1
    genetics.release(int(pop.gslot[r]))
    pop.handles[r].remove()


def become_independent(pop: Cheetahs, rows: np.ndarray) -> None:
    """Cubs leave their mother: subadults walking in search of a home range."""
    pop.mother[rows] = -1
    pop.home_row[rows] = -1
    pop.home_col[rows] = -1
    pop.heading[rows] = -1


def form_coalition(pop: Cheetahs, brothers: np.ndarray, coalition_id: int) -> None:
    """Brothers (rows, the first one leads) stay together: one coalition, at the leader's cell."""
    pop.coalition[brothers] = coalition_id
    pop.row[brothers] = pop.row[brothers[0]]
    pop.col[brothers] = pop.col[brothers[0]]


def unit_members(pop: Cheetahs, leaders: np.ndarray) -> np.ndarray:
    """Rows of the independent members of the units led by ``leaders`` (a coalition's members, or
    the animal alone)."""
    co = pop.coalition[leaders]
    if (co < 0).all():
        return leaders
    members = (np.isin(pop.coalition, co[co >= 0]) & pop.alive) | np.isin(np.arange(len(pop)), leaders)
    return np.flatnonzero(members)


def settle(pop: Cheetahs, leaders: np.ndarray, rows: np.ndarray, cols: np.ndarray,
           radius_km: np.ndarray, road_in_range: np.ndarray) -> None:
    """Units led by ``leaders`` take home ranges centred on (rows, cols) of ``radius_km``; every
    member moves to the centre."""
    for lead, r, c, rad, road in zip(leaders.tolist(), rows.tolist(), cols.tolist(), radius_km.tolist(),
                                     road_in_range.tolist()):
        members = unit_members(pop, np.array([lead]))
        pop.home_row[members] = r
        pop.home_col[members] = c
        pop.row[members] = r
        pop.col[members] = c
        pop.hr_radius_km[members] = rad
        pop.road_in_range[members] = road


def leave_range(pop: Cheetahs, leaders: np.ndarray) -> None:
    """Units led by ``leaders`` abandon their home ranges."""
    members = unit_members(pop, leaders)
    pop.home_row[members] = -1
    pop.home_col[members] = -1
    pop.hr_radius_km[members] = 0.0
    pop.road_in_range[members] = False
