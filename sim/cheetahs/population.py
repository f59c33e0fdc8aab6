"""The cheetah population as a structure of arrays: one row per animal.

Every process of a month (:mod:`sim.life`) reads and writes these arrays for all animals at
once; the Mesa agents (:class:`sim.cheetahs.handle.Cheetah`) are thin handles on the rows, for
events, tests, notebooks and the browser view (DESIGN.md, "Decision (December 2026)").

Rows are kept in the order the animals came into the model (releases, then births): the order
every process visits them in, so results do not depend on how the arrays are stored. Births
append rows; deaths mark a row dead (``alive`` False) and :meth:`Cheetahs.compact` drops dead
rows at the end of the process that killed them, keeping the order and remapping the relations.

Relations are row indices (``mother``) or ids (``coalition``, ``litter``, ``*_uid``); the
animal's age, life stage and number of dependent cubs are derived, not stored:

* age [months] = ``clock - birth`` (``clock`` counts the ageing steps of the replicate);
* a cub is an animal with a living ``mother`` (a dependent cub; independence sets it to -1);
* a resident has a home range (``home_row >= 0``);
* the leader of a coalition is its member in the lowest row (the eldest-listed brother).
"""

from __future__ import annotations

import numpy as np

#: Origins of animals (``origin`` column): born in the landscape, released wild-caught, released
#: captive-bred.
ORIGINS = ("wild_born", "wild", "captive")
WILD_BORN, WILD, CAPTIVE = 0, 1, 2

#: The columns: name -> (dtype, value of a new row unless given). Units in the comments.
FIELDS: dict[str, tuple[type, object]] = {
    "uid": (np.int64, -1),             # the Mesa handle's unique_id (increasing with the row)
    "alive": (np.bool_, True),
    "male": (np.bool_, False),
    "birth": (np.int64, 0),            # value of ``clock`` when the animal was 0 months old
    "origin": (np.int8, WILD_BORN),    # index into ORIGINS
    "soft": (np.bool_, False),         # released by the soft method (boma)
    "row": (np.int64, 0),              # current cell
    "col": (np.int64, 0),
    "home_row": (np.int64, -1),        # home-range centre cell; -1: no home range
    "home_col": (np.int64, -1),
    "hr_radius_km": (np.float64, 0.0),  # home-range radius [km]
    "road_in_range": (np.bool_, False),
    "heading": (np.int64, -1),         # last walking heading 0..7 (-1: none yet)
    "condition": (np.float64, 1.0),    # body condition 0-1 (1 = full reserve)
    "mother": (np.int64, -1),          # row of the mother while a dependent cub, else -1
    "mother_uid": (np.int64, -1),
    "father_uid": (np.int64, -1),
    "litter": (np.int64, -1),          # litter id (cubs born together)
    "coalition": (np.int64, -1),       # coalition id shared by brothers that stay together
    "gslot": (np.int64, -1),           # genetic slot (sim.cheetahs.genetics)
    "F": (np.float64, 0.0),            # inbreeding coefficient
    "boma_months": (np.int64, 0),      # months left in a boma (soft release)
    "months_free": (np.int64, 10_000),  # months since release from the boma (released animals)
    "pregnant": (np.int64, 0),         # months of gestation left (0: not pregnant)
    "sire_uid": (np.int64, -1),
    "sire_slot": (np.int64, -1),       # genetic slot of the sire of the pregnancy
    "wait": (np.int64, 0),             # months before she can conceive again after losing a litter
}


class Cheetahs:
    """The living (and, until :meth:`compact`, the just-died) cheetahs of one replicate."""

    def __init__(self) -> None:
        self.clock = 0
        self.version = 0          # changes whenever who is alive, who belongs to whom, or ages change
        self.handles: list = []
        for name, (dtype, _) in FIELDS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))

    # ------------------------------------------------------------------ size and derived state
    def __len__(self) -> int:
        return self.uid.size

    @property
    def n_alive(self) -> int:
        return int(np.count_nonzero(self.alive))

    @property
    def age(self) -> np.ndarray:
        """Age of every row [months]."""
        return self.clock - self.birth

    @property
    def is_cub(self) -> np.ndarray:
        """Dependent cubs (a living mother)."""
        return self.mother >= 0

    @property
    def resident(self) -> np.ndarray:
        return self.home_row >= 0

    def n_cubs(self) -> np.ndarray:
        """Dependent cubs of every row (living cubs whose mother is that row)."""
        cubs = self.mother[(self.mother >= 0) & self.alive]
        return np.bincount(cubs, minlength=len(self)) if cubs.size else np.zeros(len(self), dtype=np.int64)

    def leaders(self) -> np.ndarray:
        """Row of the unit leader of every row: itself, or its coalition's first living member;
        a cub's leader is its mother's."""
        lead = np.arange(len(self))
        co = self.coalition
        if (co >= 0).any():
            live = np.flatnonzero((co >= 0) & self.alive)
            ids, first = np.unique(co[live], return_index=True)
            lead[live] = live[first][np.searchsorted(ids, co[live])]
        cub = self.mother >= 0
        lead[cub] = lead[self.mother[cub]]
        return lead

    def positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of animals: the home-range centre of residents, else the current cell."""
        home = self.home_row[rows] >= 0
        return (np.where(home, self.home_row[rows], self.row[rows]),
                np.where(home, self.home_col[rows], self.col[rows]))

    def row_of(self, uid: int) -> int:
        """Row of the animal with this Mesa ``unique_id`` (-1 if it is not in the arrays)."""
        i = int(np.searchsorted(self.uid, uid))
        return i if i < len(self) and self.uid[i] == uid else -1

    # ------------------------------------------------------------------ births and deaths
    def add(self, count: int, **values) -> np.ndarray:
        """Append ``count`` rows (columns not given take their FIELDS default; a given value is a
        scalar or an array of ``count``); returns their row indices."""
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise KeyError(f"unknown cheetah column(s) {sorted(unknown)}; columns: {list(FIELDS)}")
        start = len(self)
        for name, (dtype, fill) in FIELDS.items():
            new = np.empty(count, dtype=dtype)
            new[:] = values.get(name, fill)
            setattr(self, name, np.concatenate([getattr(self, name), new]))
        self.version += 1
        return np.arange(start, start + count)

    def compact(self) -> np.ndarray | None:
        """Drop the dead rows, keeping order; relations that pointed at rows are remapped (a
        living cub's mother is always alive: deaths make orphans independent or kill them).
        Returns the new row of every old row (-1 for the dropped ones), or None if no row was
        dropped."""
        keep = self.alive
        if keep.all():
            return None
        new_index = np.where(keep, np.cumsum(keep) - 1, -1)
        for name in FIELDS:
            setattr(self, name, getattr(self, name)[keep])
        self.mother = np.where(self.mother >= 0, new_index[np.maximum(self.mother, 0)], -1)
        self.handles = [h for h, k in zip(self.handles, keep.tolist()) if k]
        self.version += 1
        return new_index

    def column_names(self) -> tuple[str, ...]:
        return tuple(FIELDS)
