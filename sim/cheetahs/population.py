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
from numba import njit

#: Origins of animals (``origin`` column): born in the landscape, released wild-caught, released
#: captive-bred.
ORIGINS = ("wild_born", "wild", "captive")
WILD_BORN, WILD, CAPTIVE = 0, 1, 2

#: The columns: name -> (kind, value of a new row unless given); kind i: integer, f: float,
#: b: flag. Units in the comments.
FIELDS: dict[str, tuple[str, object]] = {
    "uid": ("i", -1),               # the Mesa handle's unique_id (increasing with the row)
    "alive": ("b", True),
    "male": ("b", False),
    "birth": ("i", 0),              # value of ``clock`` when the animal was 0 months old
    "origin": ("i", WILD_BORN),     # index into ORIGINS
    "soft": ("b", False),           # released by the soft method (boma)
    "row": ("i", 0),                # current cell
    "col": ("i", 0),
    "home_row": ("i", -1),          # home-range centre cell; -1: no home range
    "home_col": ("i", -1),
    "hr_radius_km": ("f", 0.0),     # home-range radius [km]
    "road_risk_in_range": ("f", 0.0),  # road exposure of the home range (0 none, 1 unmitigated road)
    "heading": ("i", -1),           # last walking heading 0..7 (-1: none yet)
    "condition": ("f", 1.0),        # body condition 0-1 (1 = full reserve)
    "mother": ("i", -1),            # row of the mother while a dependent cub, else -1
    "mother_uid": ("i", -1),
    "father_uid": ("i", -1),
    "litter": ("i", -1),            # litter id (cubs born together)
    "coalition": ("i", -1),         # coalition id shared by brothers that stay together
    "gslot": ("i", -1),             # genetic slot (sim.cheetahs.genetics)
    "F": ("f", 0.0),                # inbreeding coefficient
    "lethal": ("b", False),         # homozygous for a recessive lethal allele (dies before age one)
    "boma_months": ("i", 0),        # months left in a boma (soft release)
    "months_free": ("i", 10_000),   # months since release from the boma (released animals)
    "pregnant": ("i", 0),           # months of gestation left (0: not pregnant)
    "sire_uid": ("i", -1),
    "sire_slot": ("i", -1),         # genetic slot of the sire of the pregnancy
    "wait": ("i", 0),               # months before she can conceive again after losing a litter
}
_DTYPES = {"i": np.int64, "f": np.float64, "b": np.bool_}
_COLUMN = {kind: [n for n, (k, _) in FIELDS.items() if k == kind] for kind in _DTYPES}


class _Column:
    """A column of the population: a view of the first ``len(pop)`` entries of one row of its
    block (reads and writes go to the block).

    The view is made on first read and kept in the population's ``__dict__``, so later reads are
    plain attribute look-ups (the hot path reads columns ~300 times a month); the population drops
    the kept views whenever its size or its blocks change (:meth:`Cheetahs._forget_views`).
    Assigning a whole column (``pop.condition = 1.0``) writes into the block
    (:meth:`Cheetahs.__setattr__`)."""

    def __init__(self, kind: str, index: int, name: str) -> None:
        self.kind, self.index, self.name = kind, index, name

    def __get__(self, pop, owner=None):
        if pop is None:
            return self
        view = pop._blocks[self.kind][self.index, :pop._n]
        pop.__dict__[self.name] = view
        return view


class Cheetahs:
    """The living (and, until :meth:`compact`, the just-died) cheetahs of one replicate.

    The columns (:data:`FIELDS`) are attributes, numpy arrays of one entry per row; they are
    stored by kind in three blocks (integers, floats, flags) of one row per column, so that
    appending rows or dropping the dead is one operation per block.
    """

    def __init__(self, capacity: int = 64) -> None:
        self.clock = 0
        self.version = 0          # changes whenever who is alive, who belongs to whom, or ages change
        self._n = 0
        self._blocks = {kind: np.empty((len(_COLUMN[kind]), capacity), dtype=dtype)
                        for kind, dtype in _DTYPES.items()}
        self._handles = np.empty(capacity, dtype=object)

    def __setattr__(self, name: str, value) -> None:
        column = _COLUMNS.get(name)
        if column is None:
            object.__setattr__(self, name, value)
        else:
            self._blocks[column.kind][column.index, :self._n] = value

    def __getstate__(self) -> dict:
        # the kept views would be copied apart from their blocks
        return {k: v for k, v in self.__dict__.items() if k not in _COLUMNS}

    def _forget_views(self) -> None:
        """Drop the kept column views (after the size or the blocks changed)."""
        kept = self.__dict__
        for name in kept.keys() & _COLUMNS.keys():
            del kept[name]

    @property
    def handles(self) -> np.ndarray:
        """The Mesa handle of every row."""
        return self._handles[:self._n]

    def drop_handles(self) -> None:
        """Forget every Mesa handle (at the end of a replicate). The handles refer back to the
        model, and the garbage collector cannot see references held in a numpy object array, so
        without this a finished model would never be freed."""
        self._handles[:] = None

    # ------------------------------------------------------------------ size and derived state
    def __len__(self) -> int:
        return self._n

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
        return _leaders(self.mother, self.coalition, self.alive)

    def positions(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of animals: the home-range centre of residents, else the current cell."""
        home = self.home_row[rows] >= 0
        return (np.where(home, self.home_row[rows], self.row[rows]),
                np.where(home, self.home_col[rows], self.col[rows]))

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`positions` of every row."""
        home = self.home_row >= 0
        return np.where(home, self.home_row, self.row), np.where(home, self.home_col, self.col)

    def row_of(self, uid: int) -> int:
        """Row of the animal with this Mesa ``unique_id`` (-1 if it is not in the arrays)."""
        uids = self.uid
        i = int(np.searchsorted(uids, uid))
        return i if i < len(self) and uids[i] == uid else -1

    # ------------------------------------------------------------------ births and deaths
    def add(self, count: int, handles=None, **values) -> np.ndarray:
        """Append ``count`` rows (columns not given take their FIELDS default; a given value is a
        scalar or an array of ``count``), with their Mesa ``handles``; returns their row indices."""
        unknown = values.keys() - FIELDS.keys()
        if unknown:
            raise KeyError(f"unknown cheetah column(s) {sorted(unknown)}; columns: {list(FIELDS)}")
        start, stop = self._n, self._n + count
        if stop > self._handles.size:
            self._grow(stop)
        for kind, block in self._blocks.items():
            block[:, start:stop] = _DEFAULTS[kind]
        for name, value in values.items():
            column = _COLUMNS[name]
            self._blocks[column.kind][column.index, start:stop] = value
        self._handles[start:stop] = handles if handles is not None else None
        self._n = stop
        self._forget_views()
        self.version += 1
        return np.arange(start, stop)

    def _grow(self, needed: int) -> None:
        capacity = max(2 * self._handles.size, needed)
        for kind, block in self._blocks.items():
            new = np.empty((block.shape[0], capacity), dtype=block.dtype)
            new[:, :self._n] = block[:, :self._n]
            self._blocks[kind] = new
        handles = np.empty(capacity, dtype=object)
        handles[:self._n] = self._handles[:self._n]
        self._handles = handles
        self._forget_views()

    def compact(self) -> np.ndarray | None:
        """Drop the dead rows, keeping order; relations that pointed at rows are remapped (a
        living cub's mother is always alive: deaths make orphans independent or kill them).
        Returns the new row of every old row (-1 for the dropped ones), or None if no row was
        dropped."""
        blocks = self._blocks
        n, new_index = _compact(blocks["i"], blocks["f"], blocks["b"], self._n, _ALIVE, _MOTHER)
        if n == self._n:
            return None
        self._handles[:n] = self._handles[:self._n][new_index >= 0]
        self._handles[n:self._n] = None
        self._n = n
        self._forget_views()
        self.version += 1
        return new_index

    def column_names(self) -> tuple[str, ...]:
        return tuple(FIELDS)


for _kind, _names in _COLUMN.items():
    for _k, _name in enumerate(_names):
        setattr(Cheetahs, _name, _Column(_kind, _k, _name))
_COLUMNS: dict[str, _Column] = {name: Cheetahs.__dict__[name] for name in FIELDS}
#: A new row's values, per block (column by column), as (columns, 1) arrays.
_DEFAULTS = {kind: np.array([FIELDS[name][1] for name in names], dtype=_DTYPES[kind])[:, None]
             for kind, names in _COLUMN.items()}
_ALIVE, _MOTHER = _COLUMN["b"].index("alive"), _COLUMN["i"].index("mother")


@njit(cache=True)
def _compact(ints, floats, flags, n, alive_row, mother_row):
    """:meth:`Cheetahs.compact` of the first ``n`` columns of the three blocks, in place: the
    living rows move up in order and mothers are remapped. Returns the living count and the new
    row of every old row (-1 for the dead); the blocks are untouched if nobody died."""
    new_index = np.full(n, -1)
    kept = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        if flags[alive_row, i]:
            new_index[i] = k
            kept[k] = i
            k += 1
    if k == n:
        return k, new_index
    for c in range(ints.shape[0]):            # column by column: each is contiguous in its block
        for j in range(k):
            ints[c, j] = ints[c, kept[j]]
    for c in range(floats.shape[0]):
        for j in range(k):
            floats[c, j] = floats[c, kept[j]]
    for c in range(flags.shape[0]):
        for j in range(k):
            flags[c, j] = flags[c, kept[j]]
    for j in range(k):
        m = ints[mother_row, j]
        if m >= 0:
            ints[mother_row, j] = new_index[m]
    return k, new_index


@njit(cache=True)
def _leaders(mother, coalition, alive):
    """See :meth:`Cheetahs.leaders` (a mother's row is below her cubs', and females lead
    themselves: coalitions are of brothers)."""
    n = mother.size
    lead = np.arange(n)
    top = -1
    for i in range(n):
        top = max(top, coalition[i])
    if top >= 0:
        first = np.full(top + 1, -1)
        for i in range(n):
            c = coalition[i]
            if c >= 0 and alive[i]:
                if first[c] < 0:
                    first[c] = i
                lead[i] = first[c]
    for i in range(n):
        if mother[i] >= 0:
            lead[i] = lead[mother[i]]
    return lead
